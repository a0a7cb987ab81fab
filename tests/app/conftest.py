from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.main_window import MainWindow
from app.qt import QApplication, QMessageBox
from core.services import Services
from tests.conftest import TEST_THREADS


def open_services(home: Path, max_tokens: int = 48) -> Services:
    services = Services.open(home)
    services.settings.set("temperature", 0.0)
    services.settings.set("n_threads", TEST_THREADS)
    services.settings.set("n_ctx", 1024)
    services.settings.set("max_tokens", max_tokens)
    return services


@pytest.fixture
def make_window(hearth_home: Path, qtbot) -> Iterator[Callable[..., MainWindow]]:  # type: ignore[no-untyped-def]
    opened: list[tuple[MainWindow, Services]] = []

    def make(max_tokens: int = 48) -> MainWindow:
        services = open_services(hearth_home, max_tokens)
        window = MainWindow(services)
        qtbot.addWidget(window)
        window.show()
        opened.append((window, services))
        return window

    yield make
    for window, services in opened:
        window.close()
        services.close()


def click_on_next_message_box(button: QMessageBox.StandardButton) -> None:
    """Answer the modal message box that is about to open, as a user would."""
    from app.qt import QTimer

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            box.button(button).click()
        else:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(0, answer)
