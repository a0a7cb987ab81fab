"""The conversation as the user reads it: Markdown rendered, the answer growing as tokens stream in.

Rendering is throttled: pieces are buffered and the streaming answer is re-rendered at most every
RENDER_INTERVAL_MS, and only that answer (not the whole conversation), so the event loop stays free.
Each message goes in as one piece of HTML (app/rich_text.py), its header and body together: inserting
a body that starts with a list into an empty block would leave that block as a blank line above it.
"""

from __future__ import annotations

import json
from html import escape

from app.qt import (
    QDesktopServices,
    QFontDatabase,
    QGuiApplication,
    QTextBlockFormat,
    QTextBrowser,
    QTextCharFormat,
    QTextCursor,
    QTimer,
    QUrl,
    QWidget,
    Signal,
)
from app.rich_text import LINK_SCHEMES, copy_target, render
from core.chat.grounding import citations_from_json
from core.store import Message

RENDER_INTERVAL_MS = 40

_ROLE_NAMES = {"user": "You", "assistant": "Hearth", "system": "System"}
_ROLE_COLOURS = {"user": "#1f5fa8", "assistant": "#a8521f", "system": "#666666"}
_STATUS_NOTES = {
    "stopped": "stopped",
    "incomplete": "incomplete: Hearth closed before this answer finished",
    "streaming": "writing…",
}
# Chat-sized headings and paragraphs: a model's "# Title" should not shout, nor a list float in air.
_STYLE_SHEET = """
p { margin-top: 4px; margin-bottom: 4px; }
ul, ol { margin-top: 2px; margin-bottom: 4px; }
h1 { font-size: large; margin-top: 8px; margin-bottom: 4px; }
h2, h3 { font-size: medium; margin-top: 8px; margin-bottom: 4px; }
h4, h5, h6 { font-size: medium; font-weight: normal; font-style: italic; }
pre { margin-top: 0px; margin-bottom: 0px; }
"""

_HEADER_FORMAT = QTextBlockFormat()
_HEADER_FORMAT.setTopMargin(12)
_HEADER_FORMAT.setBottomMargin(2)


class ChatView(QTextBrowser):
    """Signals:
    sig_source(int, int): answer message id and citation number, when the user clicks a source.
    sig_memory(int): memory id, when the user clicks one of the memories an answer used.
    sig_copied(str): the text of a code block, when the user clicks its Copy link (now on the clipboard).
    """

    sig_source = Signal(int, int)
    sig_memory = Signal(int)
    sig_copied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)  # sources open in Hearth; web links go to the system's browser
        self.anchorClicked.connect(self._on_link)
        self.setPlaceholderText("Start typing below. Everything stays on this computer.")
        document = self.document()
        document.setDocumentMargin(14)
        document.setUndoRedoEnabled(False)  # a read-only view: re-rendering must not pile up undo steps
        document.setDefaultStyleSheet(_STYLE_SHEET)
        self._mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()
        self._code: dict[int, list[str]] = {}  # message key -> the text of each of its code blocks
        self._next_key = 0
        self._stream_start: int | None = None  # where the streaming answer (its header first) begins
        self._stream_key = 0
        self._stream_text = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RENDER_INTERVAL_MS)
        self._timer.timeout.connect(self._render_stream)
        # Following: the view is at the bottom and stays there as the text grows (the layout, and with it
        # the scroll range, may catch up a moment after an edit); one the user scrolled up stays put.
        self._follow = True
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)

    # ---- whole conversations ----

    def show_messages(self, messages: list[Message]) -> None:
        self._timer.stop()
        self.clear()
        self._code.clear()
        self._next_key = 0
        self._stream_start = None
        self._stream_text = ""
        for m in messages:
            self._append(self._message_html(m, self._new_key()))
        self._scroll_to_end()

    def add_message(self, message: Message) -> None:
        self._append(self._message_html(message, self._new_key()))
        self._scroll_to_end()

    # ---- a streaming answer ----

    def begin_answer(self, text_so_far: str = "") -> None:
        self._stream_start = self._new_block().position()
        self._stream_key = self._new_key()
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
        self._replace_stream(self._message_html(message, self._stream_key))
        self._stream_start = None
        self._stream_text = ""

    def _render_stream(self) -> None:
        if self._stream_start is None:
            return
        html = self._header_html("assistant", "streaming") + self._body_html(
            self._stream_text, self._stream_key
        )
        self._replace_stream(html)

    # ---- building blocks ----

    def _message_html(self, m: Message, key: int) -> str:
        parts = [self._header_html(m.role, m.status), self._body_html(m.content, key)]
        if m.status == "error":
            parts.append(f'<p style="color:#b00020">⚠ {escape(m.error or "The answer failed.")}</p>')
        citations = citations_from_json(m.citations)
        if citations:
            links = "<br>".join(
                f'<a href="source:{m.id}/{c.n}">{escape(c.label())}</a>'
                + ("" if c.cited else ' <span style="color:#888">(not cited in the text)</span>')
                for c in citations
            )
            parts.append(f'<p style="color:#555"><b>Sources</b><br>{links}</p>')
        used = _memories_used(m.memories)
        if used:
            links = "<br>".join(
                f'<a href="memory:{memory_id}">{escape(text)}</a>' for memory_id, text in used
            )
            parts.append(f'<p style="color:#555"><b>Memories used</b><br>{links}</p>')
        return "".join(parts)

    def _body_html(self, text: str, key: int) -> str:
        # Models often open with blank lines; they would only push the answer down.
        rendered = render(text.lstrip(), key, self._mono)
        self._code[key] = rendered.code_blocks
        return rendered.html

    def _header_html(self, role: str, status: str) -> str:
        note = _STATUS_NOTES.get(status)
        badge = f' <span style="color:#888; font-weight:normal">({escape(note)})</span>' if note else ""
        colour = _ROLE_COLOURS.get(role, "#000")
        name = escape(_ROLE_NAMES.get(role, role))
        return f'<p><b style="color:{colour}">{name}</b>{badge}</p>'

    def _on_link(self, url: QUrl) -> None:
        href = url.toString()
        copy = copy_target(href)
        if copy is not None:
            key, n = copy
            blocks = self._code.get(key, [])
            if n < len(blocks):
                QGuiApplication.clipboard().setText(blocks[n])
                self.sig_copied.emit(blocks[n])
        elif url.scheme() == "source":
            message_id, n_text = url.path().split("/")
            self.sig_source.emit(int(message_id), int(n_text))
        elif url.scheme() == "memory":
            self.sig_memory.emit(int(url.path()))
        elif href.lower().startswith(LINK_SCHEMES):
            QDesktopServices.openUrl(url)

    def _new_key(self) -> int:
        self._next_key += 1
        return self._next_key

    def _new_block(self) -> QTextCursor:
        """A cursor in a fresh block at the end, where the next message goes."""
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        block = cursor.block()
        # A table always leaves an empty block after it: reuse that one rather than add a blank line.
        if block.length() > 1 or block.textList() is not None:
            cursor.insertBlock(_HEADER_FORMAT, QTextCharFormat())
        else:
            cursor.setBlockFormat(_HEADER_FORMAT)
            cursor.setBlockCharFormat(QTextCharFormat())
        return cursor

    def _append(self, html: str) -> None:
        self._insert(self._new_block(), html)

    def _replace_stream(self, html: str) -> None:
        """The streaming answer replaced in one edit, so the layout never sees it removed."""
        assert self._stream_start is not None
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._stream_start)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        self._insert(cursor, html)

    def _insert(self, cursor: QTextCursor, html: str) -> None:
        start = cursor.selectionStart()
        cursor.beginEditBlock()
        cursor.insertHtml(html)
        # The header's paragraph merges into the block it lands in and keeps that block's format, whatever
        # it was: give it the header's, so a message looks the same however it came to be shown.
        cursor.setPosition(start)
        cursor.setBlockFormat(_HEADER_FORMAT)
        cursor.endEditBlock()

    def _on_scrolled(self, value: int) -> None:
        self._follow = value >= self.verticalScrollBar().maximum() - 4

    def _on_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._follow:
            self.verticalScrollBar().setValue(maximum)

    def _scroll_to_end(self) -> None:
        self._follow = True
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
