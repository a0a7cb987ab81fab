"""The desktop packages, built and installed as a user would get them (slow: `make package-test`).

Builds the PyInstaller bundle, the .deb and the .tar.gz (packaging/build.py); installs the .deb into a
scratch root with dpkg, runs the installed `hearth --self-test`, starts the installed app and hands a second
start over to it, removes the package (the user's data stays); installs the .tar.gz into a scratch home and
uninstalls it. Prints the sizes and timings the README quotes, and writes them to build/package/measured.txt.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core import __version__
from core.adapters import TRAINING_MODULES

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(7200),
    pytest.mark.skipif(shutil.which("dpkg") is None, reason="needs dpkg and dpkg-deb"),
]

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "build" / "package"
MEASURED: list[str] = []
IMPORT_ALL = (
    "import importlib, pkgutil, app, core\n"
    f"TRAINING = {TRAINING_MODULES!r}\n"
    "names = [m.name for p in (core, app) for m in pkgutil.walk_packages(p.__path__, p.__name__ + '.')\n"
    "         if m.name not in TRAINING and m.name != 'app.__main__']\n"
    "for name in names: importlib.import_module(name)\n"
    "print(len(names), 'modules imported')\n"
)


def note(line: str) -> None:
    print(line, flush=True)
    MEASURED.append(line)
    (OUT / "measured.txt").write_text("\n".join(MEASURED) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def built() -> Path:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, str(REPO / "packaging" / "build.py"), "--out", str(OUT)], check=True, cwd=REPO
    )
    note(f"build (bundle, .deb, .tar.gz): {time.perf_counter() - t0:.0f} s")
    note((OUT / "sizes.txt").read_text(encoding="utf-8").rstrip())
    return OUT


def _clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "QT_", "HEARTH_", "VIRTUAL_ENV"))
    }
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"  # not the development venv
    return {**env, **extra}


def _dpkg(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # --force-script-chrootless: the maintainer scripts run here with DPKG_ROOT set (the root has no shell).
    cmd = ["dpkg", f"--root={root}", "--force-script-chrootless", "--force-depends", "--log=/dev/null", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900)


def _scratch_root(tmp: Path) -> Path:
    root = tmp / "root"
    for d in ("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers", "usr/bin"):
        (root / d).mkdir(parents=True, exist_ok=True)
    (root / "var/lib/dpkg/status").touch()
    return root


def _wait_for_window(data: Path, timeout_s: float) -> float | None:
    """Seconds until the app at `data` answers on its single-instance socket (its event loop runs)."""
    from app.qt import QLocalSocket
    from app.single_instance import ACK, ACTIVATE, server_name

    name = server_name(data)
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        socket = QLocalSocket()
        socket.connectToServer(name)
        if socket.waitForConnected(200):
            socket.write(ACTIVATE)
            socket.flush()
            if socket.waitForReadyRead(60_000) and bytes(socket.readAll().data()).startswith(ACK):
                return time.perf_counter() - t0
        time.sleep(0.1)
    return None


def test_the_deb_installs_passes_its_self_test_hands_over_and_uninstalls(built: Path, tmp_path: Path) -> None:
    (deb,) = built.glob(f"hearth_{__version__}_*.deb")
    fields = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True, check=True).stdout
    assert "Package: hearth" in fields and "libxcb-cursor0" in fields and "libxkbcommon-x11-0" in fields

    root = _scratch_root(tmp_path)
    t0 = time.perf_counter()
    installed = _dpkg(root, "-i", str(deb))
    assert installed.returncode == 0, installed.stderr
    note(f".deb install into a scratch root: {time.perf_counter() - t0:.0f} s")
    app = root / "opt" / "hearth" / "hearth"
    assert app.is_file() and os.access(app, os.X_OK)
    command = root / "usr" / "bin" / "hearth"
    assert command.is_symlink() and command.resolve() == app.resolve()
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(root / "usr/share/applications/hearth.desktop")
    assert entry["Desktop Entry"]["Exec"] == "/opt/hearth/hearth"
    assert entry["Desktop Entry"]["Icon"] == "hearth"
    assert (root / "usr/share/icons/hicolor/scalable/apps/hearth.svg").is_file()

    home = tmp_path / "home"
    home.mkdir()
    env = _clean_env(HOME=str(home))
    version = subprocess.run(
        [str(command), "--version"], env=env, capture_output=True, text=True, timeout=300
    )
    assert version.stdout.strip() == f"hearth {__version__}", version.stderr

    # The installed self-test, timed from the process start: the window line is a usable window.
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [str(command), "--self-test"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert proc.stdout is not None
    lines: list[str] = []
    window_at = None
    for line in proc.stdout:
        lines.append(line.rstrip())
        if "ok   window" in line and window_at is None:
            window_at = time.perf_counter() - t0
    proc.wait(timeout=900)
    total = time.perf_counter() - t0
    output = "\n".join(lines)
    assert proc.returncode == 0, output
    assert "self-test passed: 5 of 5 checks" in output
    note(
        "installed `hearth --self-test`:\n"
        + "\n".join(f"    {ln}" for ln in lines if ln.startswith(("  ok", "self")))
    )
    note(f"self-test: start to a usable window {window_at:.1f} s; whole self-test {total:.1f} s")
    turn = re.search(r"chat turn.*first token (\d+) ms.*\(([\d.]+) s\)", output)
    if turn:
        note(
            f"first answer (24 tokens at most): first token {turn.group(1)} ms, whole turn {turn.group(2)} s"
        )

    # Every module of Hearth imports inside the bundle (what the self-test does not reach, the tools...).
    every = subprocess.run(
        [str(command), "--hearth-python", "-c", IMPORT_ALL],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert every.returncode == 0 and "modules imported" in every.stdout, every.stdout + every.stderr

    # The child processes: llama.cpp's bundled converter, then the quantizer, on a tiny checkpoint.
    from tests.checkpoint_factory import write_tiny_hf_llama

    checkpoint = write_tiny_hf_llama(tmp_path / "tiny")
    models_env = {**env, "HEARTH_HOME": str(tmp_path / "models-home")}
    converted = subprocess.run(
        [str(command), "models", "convert", str(checkpoint)],
        env=models_env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert converted.returncode == 0 and "Converted" in converted.stdout, converted.stdout + converted.stderr
    quantized = subprocess.run(
        [str(command), "models", "quantize", "tiny-f16", "Q8_0"],
        env=models_env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert quantized.returncode == 0 and "Quantized to Q8_0" in quantized.stdout, (
        quantized.stdout + quantized.stderr
    )

    # The real app, started as from the menu, then a second start: it hands over and exits.
    data = tmp_path / "data"
    gui_env = {**env, "HEARTH_HOME": str(data), "QT_QPA_PLATFORM": "offscreen"}
    first = subprocess.Popen(
        [str(app)], env=gui_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        ready = _wait_for_window(data, 600)
        assert ready is not None, "the installed app never answered"
        note(f"installed app: cold start to a usable window {ready:.1f} s")
        second = subprocess.run([str(command)], env=gui_env, capture_output=True, text=True, timeout=600)
        assert second.returncode == 0, second.stderr
        assert "already open" in second.stdout
        assert first.poll() is None, "the first instance keeps running"
    finally:
        first.terminate()
        first.wait(timeout=60)

    user_data = home / ".local" / "share" / "Hearth"
    user_data.mkdir(parents=True)
    (user_data / "hearth.db").write_bytes(b"the user's conversations")
    removed = _dpkg(root, "--purge", "hearth")
    assert removed.returncode == 0, removed.stderr
    assert not (root / "opt" / "hearth").exists()
    assert not command.is_symlink() and not (root / "usr/share/applications/hearth.desktop").exists()
    assert (user_data / "hearth.db").read_bytes() == b"the user's conversations", "uninstall left the data"


def test_the_tarball_installs_for_one_user_and_uninstalls(built: Path, tmp_path: Path) -> None:
    tarball = next(built.glob(f"hearth-{__version__}-linux-*.tar.gz"))
    subprocess.run(["tar", "-xzf", str(tarball), "-C", str(tmp_path)], check=True, timeout=900)
    folder = tmp_path / f"hearth-{__version__}"
    home = tmp_path / "home"
    home.mkdir()
    env = _clean_env(HOME=str(home))
    done = subprocess.run([str(folder / "install.sh")], env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    command = home / ".local" / "bin" / "hearth"
    version = subprocess.run(
        [str(command), "--version"], env=env, capture_output=True, text=True, timeout=300
    )
    assert version.stdout.strip() == f"hearth {__version__}"
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(home / ".local/share/applications/hearth.desktop")
    assert Path(entry["Desktop Entry"]["Exec"]).is_file()
    (home / ".local/share/Hearth").mkdir(parents=True)
    (home / ".local/share/Hearth/hearth.db").write_bytes(b"kept")
    gone = subprocess.run(
        [str(folder / "install.sh"), "--uninstall"], env=env, capture_output=True, text=True
    )
    assert gone.returncode == 0, gone.stderr
    assert not command.exists() and not (home / ".local/opt/hearth").exists()
    assert (home / ".local/share/Hearth/hearth.db").read_bytes() == b"kept"
