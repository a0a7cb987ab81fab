"""The Linux launcher: installed into a temporary home, then the app started through its Exec line."""

from __future__ import annotations

import configparser
import os
import shlex
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not (REPO / ".venv" / "bin" / "hearth").exists(), reason="needs `make setup` (.venv)")
def test_launcher_installs_and_starts_the_app(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "share")}
    env.pop("XDG_CURRENT_DESKTOP", None)
    (tmp_path / "Desktop").mkdir()
    out = subprocess.run(
        [str(REPO / "packaging/linux/install.sh")], env=env, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr
    entry = tmp_path / "share/applications/hearth.desktop"
    assert (tmp_path / "Desktop/hearth.desktop").exists()
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.read(entry)
    section = desktop["Desktop Entry"]
    assert section["Name"] == "Hearth" and Path(section["Icon"]).is_file()
    command = shlex.split(section["Exec"].replace("%U", ""))

    home = tmp_path / "hearth-data"
    app_env = {**env, "HEARTH_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    app = subprocess.Popen(command, env=app_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (home / "hearth.db").exists() and time.monotonic() < deadline and app.poll() is None:
            time.sleep(0.2)
        time.sleep(1.0)
        assert app.poll() is None, f"the app exited: {app.communicate()[1]}"
        assert (home / "hearth.db").exists(), "the app opened its data dir"
    finally:
        app.terminate()
        app.wait(timeout=30)

    removed = subprocess.run(
        [str(REPO / "packaging/linux/install.sh"), "--remove"], env=env, capture_output=True, text=True
    )
    assert removed.returncode == 0 and not entry.exists()
