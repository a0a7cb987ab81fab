"""Hearth's toolbar and welcome icons: Lucide's SVGs (resources/icons/), painted in the theme's text colour."""

from __future__ import annotations

from functools import cache

from app.qt import QByteArray, QColor, QIcon, QPainter, QPixmap, QSvgRenderer, Qt
from core.resources import resource_path

SIZES = (16, 24, 32, 48)


@cache
def _svg(name: str) -> str:
    return resource_path("icons", f"{name}.svg").read_text(encoding="utf-8")


def icon(name: str, colour: QColor | str) -> QIcon:
    """The icon resources/icons/<name>.svg drawn in `colour` (its strokes are `currentColor`)."""
    hex_colour = QColor(colour).name()
    renderer = QSvgRenderer(QByteArray(_svg(name).replace("currentColor", hex_colour).encode("utf-8")))
    if not renderer.isValid():
        raise ValueError(f"resources/icons/{name}.svg is not a valid SVG")
    result = QIcon()
    for size in SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        result.addPixmap(pixmap)
    return result
