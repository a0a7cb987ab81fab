"""Missing system libraries for Qt's window system are named with the packages that hold them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from app import platform_check
from app.main import run

MISSING = "libxcb-hearth-test.so.4"
PACKAGE = "libxcb-hearth-test4"

pytestmark = pytest.mark.skipif(
    shutil.which("cc") is None or shutil.which("ldd") is None, reason="needs a C compiler and ldd"
)


@pytest.fixture
def plugin_missing_lib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in libqxcb.so linked against a library that is then taken away.

    The library's name is made up: a machine may have any real one installed (or install it meanwhile).
    """
    monkeypatch.setitem(platform_check.DEBIAN_PACKAGES, MISSING, PACKAGE)
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "dep.c").write_text("int icccm_stub(void) { return 1; }\n")
    subprocess.run(
        [
            "cc",
            "-shared",
            "-fPIC",
            f"-Wl,-soname,{MISSING}",
            "-o",
            str(lib / MISSING),
            str(lib / "dep.c"),
        ],
        check=True,
    )
    platforms = tmp_path / "plugins" / "platforms"
    platforms.mkdir(parents=True)
    (lib / "plugin.c").write_text("int icccm_stub(void); int plugin(void) { return icccm_stub(); }\n")
    subprocess.run(
        [
            "cc",
            "-shared",
            "-fPIC",
            "-o",
            str(platforms / "libqxcb.so"),
            str(lib / "plugin.c"),
            f"-L{lib}",
            f"-l:{MISSING}",
        ],
        check=True,
    )
    (lib / MISSING).unlink()
    monkeypatch.setenv("QT_PLUGIN_PATH", str(tmp_path / "plugins"))
    return platforms / "libqxcb.so"


def test_a_missing_library_is_named_with_its_debian_package(plugin_missing_lib: Path) -> None:
    assert platform_check.missing_libraries(plugin_missing_lib) == [MISSING]
    found = platform_check.check({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0"})
    assert found is not None and found.packages == [PACKAGE]
    assert f"sudo apt-get install {PACKAGE}" in found.message()


def test_the_app_says_what_to_install_instead_of_starting_qt(
    plugin_missing_lib: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setenv("DISPLAY", ":0")
    assert run([]) == 2
    err = capsys.readouterr().err
    assert MISSING in err and f"sudo apt-get install {PACKAGE}" in err


def test_offscreen_and_other_systems_need_no_check() -> None:
    assert platform_check.platform_to_use({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert platform_check.platform_to_use({"WAYLAND_DISPLAY": "wayland-0"}) in (None, "wayland")
    assert platform_check.platform_to_use({"DISPLAY": ":0"}) in (None, "xcb")
    every = set(platform_check.DEBIAN_PACKAGES.values())
    assert {"libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxkbcommon-x11-0"} <= every
