"""The one door to the desktop: opening files and links in the user's apps, and desktop notifications.

Tools never call xdg-open, open, os.startfile or notify-send themselves; they get a Desktop. Tests and
headless runs inject a RecordingDesktop, which keeps what would have been opened (the tools still write
their real files).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import Protocol

from core.frozen import external_env


class Desktop(Protocol):
    def open(self, target: str) -> None:
        """Open a file path or URL (mailto:, https:) in the application the user chose for it."""

    def notify(self, title: str, body: str) -> None:
        """Show a desktop notification, where the platform has a way to."""


class SystemDesktop:
    """The real desktop: xdg-open / notify-send on Linux, open / osascript on macOS, startfile on Windows."""

    def open(self, target: str) -> None:
        from core.errors import ToolError

        try:
            if sys.platform.startswith("win"):
                os.startfile(target)  # type: ignore[attr-defined]  # noqa: S606 - Windows only
                return
            opener = "open" if sys.platform == "darwin" else "xdg-open"
            if shutil.which(opener) is None:
                raise ToolError(f"Cannot open '{target}': '{opener}' is not installed.")
            # Detached: the opened app must outlive neither Hearth nor block it.
            subprocess.Popen(
                [opener, target],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                env=external_env(),
            )
        except OSError as e:
            raise ToolError(f"Cannot open '{target}': {e.strerror or e}.") from e

    def notify(self, title: str, body: str) -> None:
        if sys.platform == "darwin" and shutil.which("osascript"):
            script = f"display notification {_applescript(body)} with title {_applescript(title)}"
            subprocess.run(
                ["osascript", "-e", script], check=False, capture_output=True, timeout=10, env=external_env()
            )
        elif shutil.which("notify-send"):
            subprocess.run(
                ["notify-send", "-a", "Hearth", title, body],
                check=False,
                capture_output=True,
                timeout=10,
                env=external_env(),
            )
        # Elsewhere the app's own reminder list is where a due reminder shows.


def _applescript(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class RecordingDesktop:
    """Keeps what would have been opened or notified, in order. For tests and `--no-open` runs."""

    opened: list[str] = field(default_factory=list)
    notifications: list[tuple[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def open(self, target: str) -> None:
        with self._lock:
            self.opened.append(target)

    def notify(self, title: str, body: str) -> None:
        with self._lock:
            self.notifications.append((title, body))
