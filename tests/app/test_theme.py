"""Light and dark themes follow the system's colour scheme, live."""

from __future__ import annotations

from app.qt import QApplication, QPalette, Qt
from app.theme import ACCENTS, STYLE_SHEETS, Theme


def test_the_theme_follows_the_system_scheme(make_window) -> None:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme = Theme(app)
    window = make_window()
    theme.sig_changed.connect(window._apply_theme)
    seen: list[str] = []
    theme.sig_changed.connect(seen.append)
    hints = app.styleHints()
    try:
        # What Qt emits when the desktop switches to dark (the offscreen platform never does by itself).
        hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        assert theme.name == "dark" and seen == ["dark"]
        assert app.palette().color(QPalette.ColorRole.Window).lightness() < 80
        assert app.styleSheet() == STYLE_SHEETS["dark"].read_text(encoding="utf-8")
        assert window.view.accents["user"] == ACCENTS["dark"]["user"]

        hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
        assert theme.name == "light" and seen == ["dark", "light"]
        assert app.palette().color(QPalette.ColorRole.Window).lightness() > 170
        assert app.styleSheet() == STYLE_SHEETS["light"].read_text(encoding="utf-8")
        assert window.view.accents["user"] == ACCENTS["light"]["user"]
    finally:
        hints.colorSchemeChanged.disconnect(theme._on_scheme)
        theme.apply("light")
        app.setStyleSheet("")
