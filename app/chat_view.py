"""The conversation as the user reads it: Markdown rendered, the answer growing as tokens stream in.

Rendering is throttled: pieces are buffered and the streaming answer is re-rendered at most every
RENDER_INTERVAL_MS, and only that answer (not the whole conversation), so the event loop stays free.
"""

from __future__ import annotations

import json
from html import escape

from app.qt import (
    QDesktopServices,
    QTextBrowser,
    QTextCursor,
    QTextDocumentFragment,
    QTimer,
    QUrl,
    QWidget,
    Signal,
)
from core.chat.grounding import citations_from_json
from core.store import Message

RENDER_INTERVAL_MS = 40

_ROLE_NAMES = {"user": "You", "assistant": "Hearth", "system": "System"}
# The light theme's; app/theme.py ACCENTS has both (set_accents).
LIGHT_ACCENTS = {"user": "#1f5fa8", "assistant": "#a8521f", "system": "#666666", "muted": "#888888"}
_STATUS_NOTES = {
    "stopped": "stopped",
    "incomplete": "incomplete: Hearth closed before this answer finished",
    "streaming": "writing…",
}


class ChatView(QTextBrowser):
    """Signals:
    sig_source(int, int): answer message id and citation number, when the user clicks a source.
    sig_memory(int): memory id, when the user clicks one of the memories an answer used.
    """

    sig_source = Signal(int, int)
    sig_memory = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)  # sources open in Hearth; other links go to the system's browser
        self.anchorClicked.connect(self._on_link)
        self.setPlaceholderText("Start typing below. Everything stays on this computer.")
        self.document().setDocumentMargin(14)
        self._stream_start: int | None = None  # document position where the streaming answer's body begins
        self._header_start = 0  # where the last header (the streaming answer's, while streaming) begins
        self._stream_text = ""
        self._dirty = False
        self.accents = dict(LIGHT_ACCENTS)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RENDER_INTERVAL_MS)
        self._timer.timeout.connect(self._render_stream)

    def set_accents(self, accents: dict[str, str]) -> None:
        """Colours for the speakers' names and notes (light or dark theme); applies to what is shown next."""
        self.accents = {**LIGHT_ACCENTS, **accents}

    # ---- whole conversations ----

    def show_messages(self, messages: list[Message]) -> None:
        self.clear()
        self._stream_start = None
        for m in messages:
            self._append_message(m)
        self._scroll_to_end()

    def add_message(self, message: Message) -> None:
        self._append_message(message)
        self._scroll_to_end()

    # ---- a streaming answer ----

    def begin_answer(self, text_so_far: str = "") -> None:
        self._append_header("assistant", "streaming")
        cursor = self._end_cursor()
        self._stream_start = cursor.position()
        self._stream_text = text_so_far
        self._render_stream()

    def append_piece(self, piece: str) -> None:
        self._stream_text += piece
        if not self._timer.isActive():
            self._timer.start()

    @property
    def streaming_text(self) -> str:
        return self._stream_text

    def finish_answer(self, message: Message) -> None:
        """Replace the streamed text by the stored answer, with its final status."""
        self._timer.stop()
        if self._stream_start is None:
            self.add_message(message)
            return
        cursor = self._end_cursor()
        # Remove the streaming header too: it is written again with the final status.
        cursor.setPosition(self._header_start, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        self._stream_start = None
        self._stream_text = ""
        self.add_message(message)

    def _render_stream(self) -> None:
        if self._stream_start is None:
            return
        at_bottom = self._at_bottom()
        cursor = self._end_cursor()
        cursor.setPosition(self._stream_start, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        if self._stream_text.strip():
            cursor.insertFragment(QTextDocumentFragment.fromMarkdown(self._stream_text.lstrip()))
        if at_bottom:
            self._scroll_to_end()

    # ---- building blocks ----

    def _append_message(self, m: Message) -> None:
        self._append_header(m.role, m.status)
        cursor = self._end_cursor()
        if m.content.strip():
            # Models often open with blank lines; they would only push the answer down.
            cursor.insertFragment(QTextDocumentFragment.fromMarkdown(m.content.lstrip()))
        if m.status == "error":
            cursor.insertHtml(f'<p style="color:#b00020">⚠ {escape(m.error or "The answer failed.")}</p>')
        muted = self.accents["muted"]
        citations = citations_from_json(m.citations)
        if citations:
            links = "<br>".join(
                f'<a href="source:{m.id}/{c.n}">{escape(c.label())}</a>'
                + ("" if c.cited else f' <span style="color:{muted}">(not cited in the text)</span>')
                for c in citations
            )
            cursor.insertBlock()
            cursor.insertHtml(f'<p style="color:{muted}"><b>Sources</b><br>{links}</p>')
        used = _memories_used(m.memories)
        if used:
            links = "<br>".join(
                f'<a href="memory:{memory_id}">{escape(text)}</a>' for memory_id, text in used
            )
            cursor.insertBlock()
            cursor.insertHtml(f'<p style="color:{muted}"><b>Memories used</b><br>{links}</p>')

    def _on_link(self, url: QUrl) -> None:
        if url.scheme() == "source":
            message_id, n = url.path().split("/")
            self.sig_source.emit(int(message_id), int(n))
        elif url.scheme() == "memory":
            self.sig_memory.emit(int(url.path()))
        else:
            QDesktopServices.openUrl(url)

    def _append_header(self, role: str, status: str) -> None:
        cursor = self._end_cursor()
        self._header_start = cursor.position()
        if not self.document().isEmpty():
            cursor.insertBlock()
        note = _STATUS_NOTES.get(status)
        muted = self.accents["muted"]
        badge = f' <span style="color:{muted}; font-weight:normal">({escape(note)})</span>' if note else ""
        colour = self.accents.get(role, muted)
        name = escape(_ROLE_NAMES.get(role, role))
        cursor.insertHtml(f'<p style="margin-top:10px"><b style="color:{colour}">{name}</b>{badge}</p>')
        cursor.insertBlock()

    def _end_cursor(self) -> QTextCursor:
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        return cursor

    def _at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - 4

    def _scroll_to_end(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())


def _memories_used(stored: str | None) -> list[tuple[int, str]]:
    """(id, text at the time) of the memories an answer used; an unreadable column shows nothing."""
    if not stored:
        return []
    try:
        used = {int(m["id"]): str(m["text"]) for m in json.loads(stored)}  # once each, in order
    except (ValueError, TypeError, KeyError):
        return []
    return list(used.items())
