"""Builds Hearth's desktop packages (`make package`): the PyInstaller one-folder bundle, a .deb made with
dpkg-deb, and a .tar.gz with an install script; prints their sizes and what takes the room.

    python packaging/build.py [--skip-bundle] [--out build/package]

Everything goes under build/package/: dist/hearth/ (the bundle), hearth_<version>_<arch>.deb,
hearth-<version>-linux-<arch>.tar.gz and sizes.txt.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import __version__  # noqa: E402
from core.models.convert import converter_dir, converter_installed, install_converter  # noqa: E402

LINUX = ROOT / "packaging" / "linux"
# What Qt's xcb platform plugin needs from the system, and the system does not always have (the bundle
# carries Qt itself). app/platform_check.py names the same packages when one is missing.
DEB_DEPENDS = [
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xfixes0",
    "libxcb-xkb1",
    "libxkbcommon-x11-0",
    "libx11-xcb1",
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libdbus-1-3",
    "libglib2.0-0 | libglib2.0-0t64",
]
DEB_RECOMMENDS = ["xdg-utils", "libnotify-bin"]


def log(text: str) -> None:
    print(f"[package] {text}", flush=True)


def deb_arch() -> str:
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())


def build_bundle(out: Path) -> Path:
    if not converter_installed(converter_dir()):
        log("fetching llama.cpp's converter (once, from the llama-cpp-python source on PyPI)")
        install_converter()
    t0 = time.perf_counter()
    log("PyInstaller: building the one-folder bundle (several minutes)")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "work"),
            str(ROOT / "packaging" / "hearth.spec"),
        ],
        check=True,
        cwd=ROOT,
    )
    log(f"bundle built in {time.perf_counter() - t0:.0f} s")
    return out / "dist" / "hearth"


def check_bundle_xcb(bundle: Path) -> None:
    """Warn if the bundle's xcb plugin misses libraries: PyInstaller copies them from this machine."""
    from app.platform_check import missing_libraries

    internal = bundle / "_internal"
    missing = missing_libraries(internal / "PySide6/Qt/plugins/platforms/libqxcb.so", [internal])
    if missing:
        log(
            f"WARNING: the bundle's Qt xcb plugin needs {', '.join(missing)}, not on this build machine, so "
            "not in the bundle; install them (docs/packaging.md) and build again"
        )
    else:
        log("the bundle's Qt xcb plugin finds every library it needs")


def size_of(path: Path) -> int:
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def size_report(bundle: Path, packages: list[Path]) -> str:
    internal = bundle / "_internal"
    parts = sorted(((size_of(p), p) for p in internal.iterdir()), reverse=True, key=lambda x: x[0])
    total = size_of(bundle)
    lines = [f"bundle {bundle}: {mb(total)}", "biggest parts of _internal/:"]
    lines += [f"  {mb(n):>10}  {p.name}" for n, p in parts[:14]]
    files = sorted(
        ((f.lstat().st_size, f) for f in internal.rglob("*") if f.is_file() and not f.is_symlink()),
        reverse=True,
        key=lambda x: x[0],
    )
    lines.append("biggest files:")
    lines += [f"  {mb(n):>10}  {f.relative_to(internal)}" for n, f in files[:12]]
    lines.append("packages:")
    lines += [f"  {mb(p.stat().st_size):>10}  {p.name}" for p in packages]
    return "\n".join(lines)


def desktop_entry(exec_path: str, icon: str) -> str:
    template = (LINUX / "hearth.desktop.in").read_text(encoding="utf-8")
    return template.replace("@HEARTH@", exec_path).replace("@ICON@", icon)


def build_deb(bundle: Path, out: Path) -> Path:
    """A .deb that puts the bundle in /opt/hearth, `hearth` on the PATH, and Hearth in the applications menu."""
    name = f"hearth_{__version__}_{deb_arch()}"
    stage = out / "deb" / name
    if stage.exists():
        shutil.rmtree(stage)
    opt = stage / "opt" / "hearth"
    log(f"staging the .deb in {stage}")
    shutil.copytree(bundle, opt, symlinks=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    # Relative, so the link also works in a scratch root (dpkg --root, the package test).
    (stage / "usr" / "bin" / "hearth").symlink_to("../../opt/hearth/hearth")
    apps = stage / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    (apps / "hearth.desktop").write_text(desktop_entry("/opt/hearth/hearth", "hearth"), encoding="utf-8")
    icons = stage / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps"
    icons.mkdir(parents=True)
    shutil.copy2(ROOT / "resources" / "hearth.svg", icons / "hearth.svg")
    docs = stage / "usr" / "share" / "doc" / "hearth"
    docs.mkdir(parents=True)
    shutil.copy2(LINUX / "deb" / "copyright", docs / "copyright")

    debian = stage / "DEBIAN"
    debian.mkdir()
    installed_kb = (size_of(stage) + 1023) // 1024
    control = (LINUX / "deb" / "control.in").read_text(encoding="utf-8")
    control = (
        control.replace("@VERSION@", __version__)
        .replace("@ARCH@", deb_arch())
        .replace("@SIZE@", str(installed_kb))
        .replace("@DEPENDS@", ", ".join(DEB_DEPENDS))
        .replace("@RECOMMENDS@", ", ".join(DEB_RECOMMENDS))
    )
    (debian / "control").write_text(control, encoding="utf-8")
    for script in ("postinst", "postrm"):
        shutil.copy2(LINUX / "deb" / script, debian / script)
        (debian / script).chmod(0o755)
    deb = out / f"{name}.deb"
    # zstd (dpkg 1.21.18+: Debian 12, Ubuntu 21.10 and later) packs the 1 GB bundle in seconds where xz takes
    # many minutes on two cores, for a package a little larger; HEARTH_DEB_COMPRESSION=xz for older dpkg.
    compression = os.environ.get("HEARTH_DEB_COMPRESSION", "zstd")
    log(f"dpkg-deb --build ({compression})")
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", f"-Z{compression}", "--build", str(stage), str(deb)],
        check=True,
    )
    shutil.rmtree(stage)
    return deb


def build_tarball(bundle: Path, out: Path) -> Path:
    """The bundle with an install script for systems without dpkg (installs under ~/.local)."""
    top = f"hearth-{__version__}"
    tarball = out / f"hearth-{__version__}-linux-{platform.machine()}.tar.gz"
    log(f"writing {tarball.name}")
    with tarfile.open(tarball, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=f"{top}/hearth")
        tar.add(LINUX / "tarball-install.sh", arcname=f"{top}/install.sh")
        tar.add(LINUX / "hearth.desktop.in", arcname=f"{top}/hearth.desktop.in")
        tar.add(ROOT / "resources" / "hearth.svg", arcname=f"{top}/hearth.svg")
        tar.add(LINUX / "README-tarball.txt", arcname=f"{top}/README.txt")
    return tarball


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "package")
    parser.add_argument("--skip-bundle", action="store_true", help="package the bundle already built")
    parser.add_argument("--no-tarball", action="store_true")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    bundle = out / "dist" / "hearth" if args.skip_bundle else build_bundle(out)
    if not (bundle / "hearth").is_file():
        raise SystemExit(f"no bundle at {bundle}: run without --skip-bundle")
    check_bundle_xcb(bundle)
    packages = [build_deb(bundle, out)]
    if not args.no_tarball:
        packages.append(build_tarball(bundle, out))
    report = size_report(bundle, packages)
    (out / "sizes.txt").write_text(report + "\n", encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
