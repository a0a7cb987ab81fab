"""The conversation as the user reads it: Markdown rendered, the answer growing as tokens stream in.

Rendering is throttled: pieces are buffered and the streaming answer is re-rendered at most every
RENDER_INTERVAL_MS, and only that answer (not the whole conversation), and of it only the top-level
Markdown blocks that changed (normally the last one), so the event loop stays free however long it grows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
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
from app.rich_text import LINK_SCHEMES, MarkdownRenderer, copy_target, style_sheet
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
# Chat-sized headings and paragraphs: a model's "# Title" should not shout, nor a list float in air.
_STYLE_SHEET = """
p { margin-top: 4px; margin-bottom: 4px; }
ul, ol { margin-top: 2px; margin-bottom: 4px; }
h1 { font-size: large; margin-top: 8px; margin-bottom: 4px; }
h2, h3 { font-size: medium; margin-top: 8px; margin-bottom: 4px; }
h4, h5, h6 { font-size: medium; font-weight: normal; font-style: italic; }
pre { margin-top: 0px; margin-bottom: 0px; }
"""

_MERGED = "\u200b"  # zero-width space: see "building blocks" below
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
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()
        document.setDefaultStyleSheet(_STYLE_SHEET + style_sheet(mono))
        self._code: dict[int, list[str]] = {}  # message key -> the text of each of its code blocks
        self._next_key = 0
        self._stream_start: int | None = None  # where the streaming answer (its header first) begins
        self._stream_key = 0
        self._stream_renderer = MarkdownRenderer(0)
        self._stream_blocks: list[tuple[str, int]] = []  # each block's HTML and where it begins
        self._stream_text = ""
        self.accents = dict(LIGHT_ACCENTS)
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

    def set_accents(self, accents: dict[str, str]) -> None:
        """Colours for the speakers' names and notes (light or dark theme); applies to what is shown next."""
        self.accents = {**LIGHT_ACCENTS, **accents}

    # ---- whole conversations ----

    def show_messages(self, messages: list[Message]) -> None:
        self._timer.stop()
        self.clear()
        self._code.clear()
        self._next_key = 0
        self._stream_start = None
        self._stream_text = ""
        with self._edit():  # one layout for the whole conversation
            for m in messages:
                self._append_message(m, self._new_key())
        self._scroll_to_end()

    def add_message(self, message: Message) -> None:
        self._append_message(message, self._new_key())
        self._scroll_to_end()

    # ---- a streaming answer ----

    def begin_answer(self, text_so_far: str = "") -> None:
        cursor = self._new_block()
        self._stream_start = cursor.position()
        self._stream_key = self._new_key()
        self._stream_renderer = MarkdownRenderer(self._stream_key)
        self._stream_blocks = []
        self._stream_text = text_so_far
        with self._edit():
            self._put_header(cursor, "assistant", "streaming")
        self._render_stream()

    def append_piece(self, piece: str) -> None:
        self._stream_text += piece
        if not self._timer.isActive():
            self._timer.start()

    def restart_answer(self, note: str) -> None:
        """The answer streamed so far is dropped and written again (local first sent it to a remote engine)."""
        self._stream_text = f"*{note}*\n\n"
        self._render_stream()

    @property
    def streaming_text(self) -> str:
        return self._stream_text

    def finish_answer(self, message: Message) -> None:
        """Replace the streamed text by the stored answer, with its final status."""
        self._timer.stop()
        if self._stream_start is None:
            self.add_message(message)
            return
        with self._edit():
            cursor = self._cursor_to_end(self._stream_start)
            cursor.removeSelectedText()
            self._stream_start = None
            self._stream_blocks = []
            self._stream_text = ""
            self._put_message(cursor, message, self._stream_key)

    def _render_stream(self) -> None:
        """Only the top-level blocks that changed (normally the last) are removed and put in again."""
        if self._stream_start is None:
            return
        blocks = self._body(self._stream_text, self._stream_renderer)
        old = self._stream_blocks
        same = 0
        while same < min(len(old), len(blocks)) and old[same][0] == blocks[same]:
            same += 1
        if same == len(old) == len(blocks):
            return
        with self._edit():
            if same < len(old):
                self._remove_from(old[same][1])
            kept = old[:same]
            for html in blocks[same:]:
                kept.append((html, self._put_block(html)))
            self._stream_blocks = kept

    # ---- building blocks ----
    #
    # A message goes in as its header, then one top-level block at a time, each at the end of the document,
    # so that a streaming answer can take out and put in again only its last block. Qt merges the first
    # paragraph of inserted HTML into the block at the cursor, keeping that block's format (and leaves a
    # blank block above HTML that starts with a list or a table): so each block comes after an invisible
    # character, which merges instead and is then deleted.

    def _append_message(self, m: Message, key: int) -> None:
        with self._edit():
            self._put_message(self._new_block(), m, key)

    def _put_message(self, cursor: QTextCursor, m: Message, key: int) -> None:
        self._put_header(cursor, m.role, m.status)
        # All blocks in one insertion: the same document as one at a time (tests/app/test_chat_view.py
        # checks it), in a third of the time.
        html = "".join(self._body(m.content, MarkdownRenderer(key))) + self._notes_html(m)
        if html:
            self._put_block(html)

    def _body(self, text: str, renderer: MarkdownRenderer) -> list[str]:
        # Models often open with blank lines; they would only push the answer down.
        rendered = renderer.render(text.lstrip())
        self._code[renderer.key] = rendered.code_blocks
        return rendered.blocks

    def _notes_html(self, m: Message) -> str:
        """What follows an answer's text: its error, the sources it cites, the memories it used."""
        parts = []
        if m.status == "error":
            parts.append(f'<p style="color:#b00020">⚠ {escape(m.error or "The answer failed.")}</p>')
        muted = self.accents["muted"]
        citations = citations_from_json(m.citations)
        if citations:
            links = "<br>".join(
                f'<a href="source:{m.id}/{c.n}">{escape(c.label())}</a>'
                + ("" if c.cited else f' <span style="color:{muted}">(not cited in the text)</span>')
                for c in citations
            )
            parts.append(f'<p style="color:{muted}"><b>Sources</b><br>{links}</p>')
        if m.role == "assistant" and m.engine and m.route and m.route != "local only":
            # Which engine answered and why, once routing is on (local first, remote only, a fallback).
            where = escape(m.engine + f" · {m.route}")
            parts.append(f'<p style="color:{muted}; font-size:small">Answered by {where}</p>')
        used = _memories_used(m.memories)
        if used:
            links = "<br>".join(
                f'<a href="memory:{memory_id}">{escape(text)}</a>' for memory_id, text in used
            )
            parts.append(f'<p style="color:{muted}"><b>Memories used</b><br>{links}</p>')
        return "".join(parts)

    def _put_header(self, cursor: QTextCursor, role: str, status: str) -> None:
        """The name line, into the empty block at the cursor (it takes the header's format)."""
        note = _STATUS_NOTES.get(status)
        muted = self.accents["muted"]
        badge = f' <span style="color:{muted}; font-weight:normal">({escape(note)})</span>' if note else ""
        colour = self.accents.get(role, muted)
        name = escape(_ROLE_NAMES.get(role, role))
        cursor.setBlockFormat(_HEADER_FORMAT)
        cursor.setBlockCharFormat(QTextCharFormat())
        cursor.insertHtml(f'<b style="color:{colour}">{name}</b>{badge}')

    def _put_block(self, html: str) -> int:
        """Top-level blocks at the end of the document; returns where they begin (for _remove_from)."""
        cursor = self._cursor_to_end()
        start = cursor.position()
        cursor.insertHtml(f"<p>{_MERGED}</p>{html}")
        cursor.setPosition(start)
        cursor.setPosition(start + 1, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        return start

    def _remove_from(self, position: int) -> None:
        """Everything from position (where a block was put) to the end, leaving the block before as it was."""
        cursor = self._cursor_to_end(position)
        block = self.document().findBlock(position)
        block_format, char_format = block.blockFormat(), block.charFormat()
        cursor.removeSelectedText()
        # The block before takes the format of the last block removed: give it its own back.
        cursor.setBlockFormat(block_format)
        cursor.setBlockCharFormat(char_format)

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
        cursor = self._cursor_to_end()
        block = cursor.block()
        # A table always leaves an empty block after it: reuse that one rather than add a blank line.
        if block.length() > 1 or block.textList() is not None:
            cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())  # not a copy of a list item's
        return cursor

    def _cursor_to_end(self, start: int | None = None) -> QTextCursor:
        """A cursor at the end, or selecting from start to the end."""
        cursor = QTextCursor(self.document())
        if start is not None:
            cursor.setPosition(start)
        cursor.movePosition(
            QTextCursor.MoveOperation.End,
            QTextCursor.MoveMode.MoveAnchor if start is None else QTextCursor.MoveMode.KeepAnchor,
        )
        return cursor

    @contextmanager
    def _edit(self) -> Iterator[None]:
        """Changes made as one edit: the layout runs once, after them, and never sees the answer removed."""
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        try:
            yield
        finally:
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
