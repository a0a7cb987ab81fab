"""The Memory panel: what Hearth remembers about the user, and the user's say over it.

Search the memories, edit one in place, forget some or all (after asking), add one by hand, switch learning
off everywhere or pause it for the open chat, ask what Hearth remembers (the answer names the memory it is
quoted from, or, when it says "Not mentioned", the memories it looked at), and read what the latest
background runs changed. Changes
that embed text (add, edit) or touch the index (forget) run on the panel's own worker thread; background
runs arrive from core's memory thread and are relayed to the GUI thread by a queued signal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from html import escape

from app.jobs import Job, JobRunner
from app.qt import (
    QApplication,
    QCheckBox,
    QColor,
    QFont,
    QFontMetrics,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QModelIndex,
    QObject,
    QPainter,
    QPalette,
    QPersistentModelIndex,
    QPushButton,
    QRect,
    QShowEvent,
    QSize,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from core.errors import NotFoundError
from core.memory.service import Asked, MemoryService
from core.store import Memory, MemoryEvent, MemoryRun

RECENT_RUNS = 10
_ID = Qt.ItemDataRole.UserRole
_STORED_TEXT = Qt.ItemDataRole.UserRole + 1  # the text as stored, to tell a real edit from a no-op
# The grey line under a memory: the day it is about, and where it came from.
DETAILS_ROLE = Qt.ItemDataRole.UserRole + 2
_PAD = 5
_WRAP = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft) | int(Qt.AlignmentFlag.AlignTop)
_EMPTY = "Nothing remembered yet. Hearth learns facts about you as you chat, or add one yourself."
_RUN_STATES = {"running": "learning…", "cancelled": "stopped before it finished"}
_EVENT_MARKS = {"ADD": ("+", "#2e7d32"), "UPDATE": ("✎", "#1f5fa8"), "DELETE": ("−", "#b00020")}


class _RunRelay(QObject):
    """Carries finished runs from core's memory thread to the GUI thread.

    It has no parent, so the listener closure keeps it alive for as long as the service may call it, even
    after the panel is gone (core has no way to unsubscribe).
    """

    sig_run = Signal(object)


class _MemoryDelegate(QStyledItemDelegate):
    """Draws a memory's text, wrapped, over a smaller grey line of details; editing edits the text only."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        # The style draws the background and the selection; the text is drawn here, in two parts.
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        area = opt.rect.adjusted(_PAD, _PAD, -_PAD, -_PAD)
        painter.save()
        painter.setFont(opt.font)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(opt.palette.color(role))
        used = painter.boundingRect(area, _WRAP, text)
        painter.drawText(area, _WRAP, text)
        details = str(index.data(DETAILS_ROLE) or "")
        if details:
            small = _small(opt.font)
            painter.setFont(small)
            painter.setPen(opt.palette.color(role) if selected else QColor("#777777"))
            below = area.adjusted(0, used.height() + 2, 0, 0)
            elided = QFontMetrics(small).elidedText(details, Qt.TextElideMode.ElideRight, below.width())
            painter.drawText(below, _WRAP, elided)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        width = max(opt.rect.width(), 120)  # the view passes the column's width when it wraps
        text = QFontMetrics(opt.font).boundingRect(QRect(0, 0, width - 2 * _PAD, 100_000), _WRAP, opt.text)
        height = text.height() + 2 * _PAD
        if index.data(DETAILS_ROLE):
            height += QFontMetrics(_small(opt.font)).height() + 2
        return QSize(width, height)


def _small(font: QFont) -> QFont:
    small = QFont(font)
    if font.pointSizeF() > 0:
        small.setPointSizeF(font.pointSizeF() * 0.88)
    else:  # a font sized in pixels
        small.setPixelSize(max(1, round(font.pixelSize() * 0.88)))
    return small


class MemoryPanel(QWidget):
    """Signals:
    sig_status(str): a line for the main window's status bar (a change done or failed, a run that changed
        memory, a memory that no longer exists).
    sig_changed(): a change the user asked for (add, edit, forget) is stored and shown.
    sig_run(object): a finished background MemoryRun, once the panel shows it.
    """

    sig_status = Signal(str)
    sig_changed = Signal()
    sig_run = Signal(object)

    def __init__(self, memory: MemoryService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.memory = memory
        self.runner = JobRunner("hearth-memory-edits")
        self.conversation_id: int | None = None
        self._pending = 0  # write jobs queued or running
        self._filling = False
        self._refresh_after_edit = False
        self._closed = False  # after shutdown the store may be closed: late signals are ignored

        self.enabled_box = QCheckBox("Use memory")
        self.enabled_box.setToolTip(
            "When off, Hearth neither learns from your chats nor uses what it remembers. "
            "What is stored stays until you forget it."
        )
        self.paused_box = QCheckBox("Pause memory in this chat")
        self.paused_box.setToolTip("Hearth neither learns from this chat nor uses memories in it.")
        self.search = QLineEdit(placeholderText="Search memories")
        self.search.setClearButtonEnabled(True)
        # One column, each memory over its details: side-by-side columns leave the text no room in a dock.
        self.table = QTableWidget(0, 1)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.hide()
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setItemDelegate(_MemoryDelegate(self.table))
        self.table.setWordWrap(True)  # and the view asks the delegate for heights at the column's width
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(
            QTableWidget.EditTrigger.DoubleClicked | QTableWidget.EditTrigger.EditKeyPressed
        )
        self.add_button = QPushButton("Add…")
        self.edit_button = QPushButton("Edit")
        self.forget_button = QPushButton("Forget…")
        self.forget_all_button = QPushButton("Forget all…")
        self.summary = QLabel(_EMPTY)
        self.summary.setWordWrap(True)
        self.question = QLineEdit(placeholderText="Ask what Hearth remembers, e.g. What is my dog called?")
        self.question.setClearButtonEnabled(True)
        self.answer = QLabel()
        self.answer.setWordWrap(True)
        self.answer.setTextFormat(Qt.TextFormat.RichText)
        self.answer.setOpenExternalLinks(False)
        self.answer.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.activity = QTextBrowser()
        self.activity.setOpenLinks(False)
        self.activity.setPlaceholderText(
            "Nothing learnt yet: after each exchange Hearth looks for new facts."
        )

        switches = QHBoxLayout()
        switches.addWidget(self.enabled_box)
        switches.addStretch(1)
        switches.addWidget(self.paused_box)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.forget_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.forget_all_button)
        memories = QWidget()
        top = QVBoxLayout(memories)
        top.setContentsMargins(0, 0, 0, 0)
        top.addLayout(switches)
        top.addWidget(self.search)
        top.addWidget(self.table, 1)
        top.addLayout(buttons)
        top.addWidget(self.summary)
        top.addWidget(self.question)
        top.addWidget(self.answer)
        recent = QWidget()
        bottom = QVBoxLayout(recent)
        bottom.setContentsMargins(0, 0, 0, 0)
        bottom.addWidget(QLabel("<b>Recent activity</b>"))
        bottom.addWidget(self.activity, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(memories)
        splitter.addWidget(recent)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.enabled_box.toggled.connect(self._set_enabled)
        self.paused_box.toggled.connect(self._set_paused)
        self.search.textChanged.connect(lambda _t: self.refresh_memories())
        self.table.itemChanged.connect(self._on_item_edited)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDelegate().closeEditor.connect(self._on_editor_closed)
        # Wrapped rows must grow or shrink with the dock.
        header.sectionResized.connect(lambda *_a: self.table.resizeRowsToContents())
        self.add_button.clicked.connect(self._ask_add)
        self.question.returnPressed.connect(self.ask)
        self.answer.linkActivated.connect(lambda link: self.select_memory(int(link.removeprefix("memory:"))))
        self.edit_button.clicked.connect(self._edit_selected)
        self.forget_button.clicked.connect(self.confirm_forget)
        self.forget_all_button.clicked.connect(self.confirm_forget_all)

        relay = _RunRelay()
        relay.sig_run.connect(self._on_run, Qt.ConnectionType.QueuedConnection)
        memory.on_run(lambda run: relay.sig_run.emit(run))
        self._relay = relay
        self.refresh()

    # ---- showing ----

    def refresh(self) -> None:
        self.refresh_switches()
        self.refresh_memories()
        self.refresh_activity()

    def refresh_switches(self) -> None:
        """The settings may change elsewhere (the Settings dialog), so they are read again, not cached."""
        self.enabled_box.blockSignals(True)
        self.enabled_box.setChecked(self.memory.enabled)
        self.enabled_box.blockSignals(False)
        self.set_conversation(self.conversation_id)

    def refresh_memories(self) -> None:
        if self.table.state() == QTableWidget.State.EditingState:
            # Refilling would close the user's editor and lose what they typed: wait until it closes.
            self._refresh_after_edit = True
            return
        keep = set(self.selected_ids())
        query = self.search.text()
        found: list[Memory] = self.memory.memories.search_text(query)
        titles = {c.id: c.title for c in self.memory.store.conversations.list()}
        self._filling = True
        self.table.setRowCount(len(found))
        for row, m in enumerate(found):
            text = QTableWidgetItem(m.text)
            text.setData(_ID, m.id)
            text.setData(_STORED_TEXT, m.text)
            text.setData(DETAILS_ROLE, " · ".join(part for part in (_about(m), _source(m, titles)) if part))
            text.setToolTip(_history(m))
            text.setFlags(text.flags() | Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, 0, text)
            if m.id in keep:
                self.table.selectRow(row)
        self._filling = False
        self.table.resizeRowsToContents()
        total = self.memory.memories.count()
        if not total:
            self.summary.setText(_EMPTY)
        elif query.strip():
            self.summary.setText(f"{len(found)} of {total} memories match.")
        else:
            noun = "memory" if total == 1 else "memories"
            self.summary.setText(f"{total} {noun}. Double-click one to correct it.")
        if self._pending:
            self.summary.setText(self.summary.text() + " Saving…")
        self.forget_all_button.setEnabled(total > 0)
        self._update_buttons()

    def refresh_activity(self) -> None:
        runs: list[MemoryRun] = self.memory.memories.runs(RECENT_RUNS)
        titles = {c.id: c.title for c in self.memory.store.conversations.list()}
        parts = [_run_html(run, self.memory.memories.events(run_id=run.id), titles) for run in runs]
        self.activity.setHtml("".join(parts))

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        return [int(item.data(_ID)) for r in rows if (item := self.table.item(r, 0)) is not None]

    def ids_shown(self) -> list[int]:
        rows = range(self.table.rowCount())
        return [int(item.data(_ID)) for r in rows if (item := self.table.item(r, 0)) is not None]

    def select_memory(self, memory_id: int) -> bool:
        """Select and show one memory (an answer's link); False, said in the status bar, if it is gone."""
        try:
            self.memory.memories.get(memory_id)
        except NotFoundError:
            self.sig_status.emit("That memory has been forgotten since the answer used it.")
            return False
        if memory_id not in self.ids_shown():
            self.search.clear()  # it is hidden by the filter
        shown = self.ids_shown()
        if memory_id not in shown:  # the list waits for an open editor to close
            return True
        row = shown.index(memory_id)
        self.table.clearSelection()
        self.table.selectRow(row)
        item = self.table.item(row, 0)
        if item is not None:
            self.table.scrollToItem(item)
        return True

    def _update_buttons(self) -> None:
        n = len(self.selected_ids())
        self.edit_button.setEnabled(n == 1)
        self.forget_button.setEnabled(n > 0)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if not self._closed:
            self.refresh()

    # ---- switches ----

    def set_conversation(self, conversation_id: int | None) -> None:
        """The chat the main window shows; None when none is open."""
        self.conversation_id = conversation_id
        paused = False
        if conversation_id is not None:
            try:
                paused = bool(self.memory.store.conversations.get(conversation_id).memory_paused)
            except NotFoundError:  # deleted meanwhile
                self.conversation_id = None
        self.paused_box.blockSignals(True)
        self.paused_box.setChecked(paused)
        self.paused_box.setEnabled(self.conversation_id is not None)
        self.paused_box.blockSignals(False)

    def _set_enabled(self, on: bool) -> None:
        self.memory.set_enabled(on)
        self.sig_status.emit(
            "Hearth remembers new facts and uses what it knows."
            if on
            else "Memory is off: Hearth neither learns nor uses what it remembers."
        )

    def _set_paused(self, paused: bool) -> None:
        if self.conversation_id is None:
            return
        self.memory.set_paused(self.conversation_id, paused)
        self.sig_status.emit("Memory paused in this chat." if paused else "Memory is back on in this chat.")

    # ---- changes the user makes ----

    def add_memory(self, text: str) -> Job:
        def work() -> str:
            self.memory.add(text)
            return "Remembered."

        return self._submit(work)

    def edit_memory(self, memory_id: int, text: str) -> Job:
        def work() -> str:
            self.memory.edit(memory_id, text)
            return "Memory corrected."

        return self._submit(work)

    def forget(self, memory_ids: list[int]) -> Job:
        def work() -> str:
            for memory_id in memory_ids:
                # A background run may have removed it first.
                with contextlib.suppress(NotFoundError):
                    self.memory.forget(memory_id)
            return "Forgotten." if len(memory_ids) == 1 else f"{len(memory_ids)} memories forgotten."

        return self._submit(work)

    def forget_all(self) -> Job:
        def work() -> str:
            n = self.memory.forget_all()
            return f"All {n} memories forgotten."

        return self._submit(work)

    def confirm_forget(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        if len(ids) == 1:
            item = self.table.item(self.ids_shown().index(ids[0]), 0)
            text = item.text() if item is not None else ""

            question = f"Forget “{text}”? Hearth will no longer know or use it."
        else:
            question = f"Forget these {len(ids)} memories? Hearth will no longer know or use them."
        if self._ask("Forget", question):
            self.forget(ids)

    def confirm_forget_all(self) -> None:
        n = self.memory.memories.count()
        if n and self._ask(
            "Forget all",
            f"Forget all {n} memories? Hearth will no longer know anything it learnt about you. "
            "This cannot be undone.",
        ):
            self.forget_all()

    def _ask(self, title: str, question: str) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            title,
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _ask_add(self) -> None:
        text, ok = QInputDialog.getText(self, "Add a memory", "What should Hearth remember about you?")
        if ok and text.strip():
            self.add_memory(text)

    def _edit_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1:
            item = self.table.item(self.ids_shown().index(ids[0]), 0)
            if item is not None:
                self.table.editItem(item)

    def _on_item_edited(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != 0:
            return
        text = " ".join(item.text().split())
        if text != item.data(_STORED_TEXT):
            self.edit_memory(int(item.data(_ID)), item.text())

    def _on_editor_closed(self, *_args: object) -> None:
        if self._refresh_after_edit:
            self._refresh_after_edit = False
            # Not now: the view is still closing the editor and uses the items it came from.
            QTimer.singleShot(0, self.refresh_memories)

    # ---- asking ----

    def ask(self) -> Job | None:
        """Answer the question typed from memory alone, on the panel's worker (it runs the model)."""
        question = self.question.text().strip()
        if not question:
            return None
        self.answer.setText("<i>Looking in memory…</i>")
        job = self.runner.submit(lambda _job: self.memory.ask(question))
        job.sig_done.connect(self._show_answer)
        job.sig_failed.connect(self._answer_failed)
        return job

    def _show_answer(self, asked: Asked) -> None:
        if self._closed:
            return
        self.answer.setText(answer_html(asked))

    def _answer_failed(self, message: str) -> None:
        if not self._closed:
            self.answer.setText(escape(message))

    def _submit(self, work: Callable[[], str]) -> Job:
        """Run a change on the panel's worker; `work` returns the line the status bar shows when it is done."""
        self._pending += 1
        job = self.runner.submit(lambda _job: work())
        # Bound methods, not lambdas: a lambda's slot dies with the Job, which the runner may drop before the
        # queued signal reaches the GUI thread.
        job.sig_done.connect(self._write_finished)
        job.sig_failed.connect(self._write_failed)
        # No refill here: an edit arrives from inside the item being edited.
        self.summary.setText(self.summary.text().removesuffix(" Saving…") + " Saving…")
        return job

    def _write_finished(self, message: str) -> None:
        if self._closed:
            return
        self._pending -= 1
        self.refresh_memories()
        self.sig_status.emit(message)
        self.sig_changed.emit()

    def _write_failed(self, message: str) -> None:
        if self._closed:
            return
        self._pending -= 1
        self.refresh_memories()  # puts back the stored text of a refused edit
        self.sig_status.emit(message)

    # ---- background runs ----

    def _on_run(self, run: MemoryRun) -> None:
        if self._closed:
            return
        self.refresh_memories()
        self.refresh_activity()
        if run.changed or run.status == "failed":
            self.sig_status.emit(run.summary())
        self.sig_run.emit(run)

    def shutdown(self) -> None:
        """Before the services close: a run or a change may still be on its way to the GUI thread."""
        self._closed = True
        self.runner.shutdown()


# ---- how memories and runs read ----


def _local(iso: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone()


def _when(iso: str) -> str:
    """A stored UTC time as the user reads it: "14:02" today, "3 Jun 14:02" this year, else "3 Jun 2024"."""
    moment = _local(iso)
    if moment is None:
        return iso
    today = datetime.now().astimezone().date()
    if moment.date() == today:
        return moment.strftime("%H:%M")
    if moment.year == today.year:
        return f"{moment.day} {moment:%b %H:%M}"
    return f"{moment.day} {moment:%b %Y}"


def answer_html(asked: Asked) -> str:
    """An answer from memory, with the memory it is quoted from; "Not mentioned" with those it looked at."""

    def link(m: Memory) -> str:
        return f'<a href="memory:{m.id}">{escape(m.text)}</a>'

    head = f"<b>{escape(asked.answer or 'No answer')}</b>"
    if asked.used:
        return f"{head}<br>From memory: {link(asked.used[0])}"
    if not asked.recalled:
        return f"{head}<br>No memory is about that."
    looked = "<br>".join(f"• {link(r.memory)}" for r in asked.recalled)
    return f"{head}<br>None of these holds the answer:<br>{looked}"


def _about(m: Memory) -> str:
    """The day the fact is about: ISO days are shown as "3 Jun 2025"; imported ones ("8 May, 2023") as given;
    a memory a newer one replaced says so."""
    if m.superseded_by is not None:
        return "No longer current" + (f" · {_day_of(m)}" if m.happened_at else "")
    return _day_of(m)


def _day_of(m: Memory) -> str:
    if not m.happened_at:
        return ""
    try:
        day = date.fromisoformat(m.happened_at[:10])
    except ValueError:
        return m.happened_at
    return f"{day.day} {day:%b %Y}"


def _source(m: Memory, titles: dict[int, str]) -> str:
    if m.source == "manual":
        return "Added by you"
    if m.source == "ingest":
        return "Imported"
    if m.conversation_id is None:
        return "A chat"
    return titles.get(m.conversation_id, "A deleted chat")


def _short(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def _history(m: Memory) -> str:
    learnt = f"Remembered {_when(m.created_at)}"
    return learnt if m.updated_at == m.created_at else f"{learnt}, changed {_when(m.updated_at)}"


def _run_html(run: MemoryRun, events: list[MemoryEvent], titles: dict[int, str]) -> str:
    where = ""
    if run.kind == "ingest":
        where = "Imported conversation"
    elif run.conversation_id is not None:
        where = _short(titles.get(run.conversation_id, "A deleted chat"), 60)
    what = _RUN_STATES.get(run.status) or run.summary().removeprefix("Memory: ")
    colour = "#b00020" if run.status == "failed" else "#444"
    lines = []
    for e in reversed(events):  # events come newest first; the run reads in order
        mark = _EVENT_MARKS.get(e.event)
        if mark is None:
            continue
        sign, tint = mark
        if e.event == "UPDATE":
            text = f'<span style="color:#888">{escape(e.old_text)}</span> → {escape(e.new_text)}'
        elif e.event == "DELETE":
            text = f'<span style="color:#888">{escape(e.old_text)}</span>'
        else:
            text = escape(e.new_text)
        # A hanging indent: wrapped lines start under the text, not under the sign.
        lines.append(
            f'<p style="margin:0px 0px 0px 22px; text-indent:-12px">'
            f'<b style="color:{tint}">{sign}</b> {text}</p>'
        )
    items = "".join(lines)
    return (
        f'<p style="margin-bottom:2px"><b>{escape(_when(run.started_at))}</b> · '
        f'<span style="color:{colour}">{escape(what)}</span><br>'
        f'<span style="color:#888">{escape(where)}</span></p>{items}'
    )
