"""Shows a cited passage in its place in the file, highlighted, with a button to open the file itself."""

from __future__ import annotations

from pathlib import Path

from app.qt import (
    QColor,
    QDesktopServices,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTextBrowser,
    QTextCharFormat,
    QTextCursor,
    QUrl,
    QVBoxLayout,
    QWidget,
)
from core.documents.answer import Citation
from core.documents.source import SourcePassage, locate
from core.errors import HearthError


def file_url(citation: Citation) -> QUrl:
    """The file, at the cited page where the viewer understands it (PDF readers take #page=N)."""
    url = QUrl.fromLocalFile(citation.file)
    if citation.place.page and citation.file.lower().endswith(".pdf"):
        url.setFragment(f"page={citation.place.page}")
    return url


class SourceViewer(QDialog):
    def __init__(self, citation: Citation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.citation = citation
        self.setWindowTitle(f"[{citation.n}] {Path(citation.file).name}")
        self.resize(760, 520)
        where = citation.place.label().removeprefix(", ")
        self.place = QLabel(f"{citation.file}{'  ·  ' + where if where else ''}")
        self.place.setWordWrap(True)
        self.view = QTextBrowser()
        self.note = QLabel("")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = buttons.addButton("Open the file", QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(lambda: QDesktopServices.openUrl(file_url(citation)))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.place)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        try:
            self.passage: SourcePassage | None = locate(citation)
        except HearthError as e:
            self.passage = None
            self.view.setPlainText(citation.text)
            self.note.setText(str(e))
            self.open_button.setEnabled(False)
            return
        self._show(self.passage)

    def _show(self, passage: SourcePassage) -> None:
        self.view.setPlainText(passage.text)
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(passage.start)
        cursor.setPosition(passage.end, QTextCursor.MoveMode.KeepAnchor)
        mark = QTextCharFormat()
        mark.setBackground(QColor("#fff1a8"))
        cursor.mergeCharFormat(mark)
        cursor.setPosition(passage.start)
        self.view.setTextCursor(cursor)
        self.view.ensureCursorVisible()
        if not passage.exact:
            self.note.setText("The file changed since it was indexed: this is the passage as it was.")

    def highlighted_text(self) -> str:
        if self.passage is None:
            return ""
        return self.view.toPlainText()[self.passage.start : self.passage.end]
