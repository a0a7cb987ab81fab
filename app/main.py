"""Starts the desktop app: checks there is a screen and the libraries to draw on it, hands over to a Hearth
already running on this data folder, opens core's services, shows the main window."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from types import TracebackType

from app import platform_check
from app.main_window import MainWindow
from app.qt import QApplication, QFont, QIcon, QMessageBox, QTimer
from app.single_instance import SingleInstance
from app.theme import Theme
from core import __version__, paths
from core.errors import HearthError
from core.resources import resource_path
from core.services import Services

log = logging.getLogger(__name__)
ICON = resource_path("hearth.svg")
CATCH_UP_DELAY_MS = 10_000


def _has_display() -> bool:
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _install_excepthook() -> None:
    """An unexpected error in a Qt slot is shown to the user rather than killing the app silently."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error", exc_info=(kind, value, tb))
        traceback.print_exception(kind, value, tb)
        if QApplication.instance() is not None:
            QMessageBox.critical(
                None, "Hearth", f"Something went wrong: {value}\n\nYour conversations are saved."
            )

    sys.excepthook = hook


def run(argv: list[str] | None = None) -> int:
    if not _has_display():
        print(
            "hearth: no display found (DISPLAY and WAYLAND_DISPLAY are unset). Run Hearth from a desktop session, "
            'or use the command line: hearth chat "..."',
            file=sys.stderr,
        )
        return 2
    missing = platform_check.check()
    if missing is not None:
        # Qt would only say it "could not load the Qt platform plugin", naming no library.
        print(missing.message(), file=sys.stderr)
        return 2
    existing = QApplication.instance()
    app = (
        existing
        if isinstance(existing, QApplication)
        else QApplication(argv if argv is not None else sys.argv)
    )
    app.setApplicationName("Hearth")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("hearth")  # the .desktop entry: Wayland and the dock match the window to it
    app.setFont(QFont(app.font().family(), 10))
    if ICON.exists():
        app.setWindowIcon(QIcon(str(ICON)))

    data_dir = paths.data_dir()
    instance = SingleInstance(data_dir)
    if not instance.claim():
        if instance.hand_over():
            print(f"hearth: Hearth is already open on {data_dir}; its window was brought forward.")
            return 0
        print(
            f"hearth: another Hearth holds {instance.lock_path} but does not answer. Close it, or wait for it "
            "to finish starting, then try again.",
            file=sys.stderr,
        )
        return 2
    theme = Theme(app)
    try:
        services = Services.open(data_dir)
    except HearthError as e:
        QMessageBox.critical(None, "Hearth cannot start", str(e))
        print(f"hearth: {e}", file=sys.stderr)
        instance.release()
        return 2
    _install_excepthook()
    window = MainWindow(services, theme)
    instance.sig_activate.connect(window.bring_forward)
    window.show()
    # Exchanges the last session did not get to learn from, once the window is up and the user settled in.
    QTimer.singleShot(CATCH_UP_DELAY_MS, services.memory.catch_up)
    try:
        return int(app.exec())
    finally:
        services.close()
        instance.release()
