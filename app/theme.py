"""Light and dark: Hearth follows the system's colour scheme (Qt 6.5+ styleHints().colorScheme()), live.

Each theme is a style sheet (app/style.qss, app/style-dark.qss) and a palette: a desktop without a platform
theme gives Qt no dark palette of its own, so the dark one is set here.
"""

from __future__ import annotations

from pathlib import Path

from app.qt import QApplication, QColor, QObject, QPalette, Qt, Signal

STYLE_SHEETS = {
    "light": Path(__file__).with_name("style.qss"),
    "dark": Path(__file__).with_name("style-dark.qss"),
}
# Colours that do not come from the palette: the speakers' names in the chat, icon strokes.
ACCENTS = {
    "light": {
        "user": "#1f5fa8",
        "assistant": "#a8521f",
        "system": "#666666",
        "muted": "#888888",
        "icon": "#3c4048",
    },
    "dark": {
        "user": "#8ab4f8",
        "assistant": "#f0a070",
        "system": "#a0a0a0",
        "muted": "#9a9a9a",
        "icon": "#d6d8dc",
    },
}


def scheme_name(scheme: Qt.ColorScheme) -> str:
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def dark_palette() -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#25272b",
        QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1b1c1f",
        QPalette.ColorRole.AlternateBase: "#2b2d31",
        QPalette.ColorRole.ToolTipBase: "#2b2d31",
        QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.PlaceholderText: "#8a8d93",
        QPalette.ColorRole.Text: "#e6e6e6",
        QPalette.ColorRole.Button: "#2b2d31",
        QPalette.ColorRole.ButtonText: "#e6e6e6",
        QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Link: "#8ab4f8",
        QPalette.ColorRole.LinkVisited: "#c58af9",
        QPalette.ColorRole.Highlight: "#3b6fd8",
        QPalette.ColorRole.HighlightedText: "#ffffff",
    }
    for role, colour in roles.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6c6f75"))
    return p


class Theme(QObject):
    """Applies the theme the system asks for, now and whenever it changes.

    Signals:
        sig_changed(str): "light" or "dark", after the new theme is applied.
    """

    sig_changed = Signal(str)

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._light_palette = app.style().standardPalette()
        self.name = ""
        app.styleHints().colorSchemeChanged.connect(self._on_scheme)
        self.apply(scheme_name(app.styleHints().colorScheme()))

    @property
    def accents(self) -> dict[str, str]:
        return ACCENTS[self.name]

    def apply(self, name: str) -> None:
        if name == self.name:
            return
        self.name = name
        self._app.setPalette(dark_palette() if name == "dark" else self._light_palette)
        self._app.setStyleSheet(STYLE_SHEETS[name].read_text(encoding="utf-8"))
        self.sig_changed.emit(name)

    def _on_scheme(self, scheme: Qt.ColorScheme) -> None:
        self.apply(scheme_name(scheme))
