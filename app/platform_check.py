"""Before Qt opens a window on Linux: are the system libraries its platform plugin needs installed?

Qt's own message when they are not ("could not load the Qt platform plugin "xcb" ... no Qt platform plugin
could be initialized") names no library and no package. This reads what the plugin would load (ldd, which
resolves the whole tree the way the loader will) and names the Debian/Ubuntu packages to install.
Run before QApplication exists: only QtCore is imported here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from core.frozen import bundle_dir

# soname -> the Debian (and Ubuntu) package that ships it. Checked with apt-cache on Debian 12.
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libOpenGL.so.0": "libopengl0",
    "libGLX.so.0": "libglx0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
}
PLUGIN_FILES = {"xcb": "libqxcb.so", "wayland": "libqwayland.so"}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found", re.MULTILINE)


@dataclass(frozen=True)
class MissingLibraries:
    platform: str  # "xcb" or "wayland"
    sonames: list[str]

    @property
    def packages(self) -> list[str]:
        return sorted({DEBIAN_PACKAGES[s] for s in self.sonames if s in DEBIAN_PACKAGES})

    def message(self) -> str:
        lines = [
            f"hearth: cannot open a window: Qt's {self.platform} display support needs system libraries that "
            f"are not installed: {', '.join(self.sonames)}."
        ]
        if self.packages:
            lines += [
                "On Debian or Ubuntu, install them with:",
                f"    sudo apt-get install {' '.join(self.packages)}",
            ]
        unknown = [s for s in self.sonames if s not in DEBIAN_PACKAGES]
        if unknown:
            lines.append(f"Your system's package manager can tell which packages hold {', '.join(unknown)}.")
        lines.append('Hearth also works without a window: hearth chat "..." (see hearth --help).')
        return "\n".join(lines)


def platform_to_use(env: dict[str, str] | None = None) -> str | None:
    """The platform plugin Qt will try first on Linux ('xcb' or 'wayland'), or None (offscreen, not Linux)."""
    env = dict(os.environ) if env is None else env
    if not sys.platform.startswith("linux"):
        return None
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen:
        return chosen if chosen in PLUGIN_FILES else None
    # Qt 6 prefers Wayland in a Wayland session and falls back to xcb (XWayland).
    return "wayland" if env.get("WAYLAND_DISPLAY") else "xcb"


def plugin_path(platform: str) -> Path | None:
    """The plugin file Qt would load for `platform`, in the plugin folders it searches."""
    from PySide6.QtCore import QLibraryInfo

    folders = [p for p in os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    folders.append(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    for folder in folders:
        candidate = Path(folder) / "platforms" / PLUGIN_FILES[platform]
        if candidate.is_file():
            return candidate
    return None


def missing_libraries(plugin: Path, library_dirs: list[Path] | None = None) -> list[str]:
    """Sonames `plugin` needs that the dynamic loader cannot find (empty if ldd is unavailable).

    Args:
        library_dirs: searched first, as the loader will (the desktop bundle's own libraries).
    """
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    env = dict(os.environ)
    bundle = bundle_dir()
    dirs = [*(library_dirs or []), *([bundle] if bundle else [])]
    if dirs:
        env["LD_LIBRARY_PATH"] = os.pathsep.join([*map(str, dirs), env.get("LD_LIBRARY_PATH", "")]).rstrip(
            os.pathsep
        )
    try:
        out = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=20, env=env).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return list(dict.fromkeys(_NOT_FOUND.findall(out)))


def check(env: dict[str, str] | None = None) -> MissingLibraries | None:
    """What stops Qt from opening a window here, or None if nothing we can see does."""
    platform = platform_to_use(env)
    if platform is None:
        return None
    plugin = plugin_path(platform)
    if plugin is None:
        return None  # not our problem to diagnose: Qt will say the plugin is missing
    missing = missing_libraries(plugin)
    if not missing:
        return None
    if platform == "wayland":
        # Qt falls back to xcb when Wayland fails; report only if that fails too.
        xcb = plugin_path("xcb")
        if xcb is None or not missing_libraries(xcb):
            return None
    return MissingLibraries(platform, missing)
