"""The assistant in the GUI: the plan appearing live, consent cards, and the action log with undo.

The run happens on a worker thread. Its events arrive here through the job's progress signal. When a call
with side effects needs consent, the worker blocks on a ConsentWaiter until the user answers the card (or
the run is cancelled, which counts as "no").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from app.qt import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from core.assistant.consent import ConsentRequest
from core.assistant.events import AgentEvent
from core.assistant.plan import render_args
from core.assistant.service import AssistantService
from core.errors import HearthError

_STATUS_WORDS = {
    "planned": "planned",
    "consent": "waiting for you",
    "running": "running…",
    "done": "done",
    "failed": "failed",
    "declined": "not allowed",
    "skipped": "skipped",
    "timeout": "timed out",
    "cancelled": "cancelled",
}


@dataclass
class ConsentWaiter:
    """One question to the user, answered on the GUI thread, waited for on the worker thread."""

    request: ConsentRequest
    cancel: threading.Event
    answered: threading.Event = field(default_factory=threading.Event)
    allowed: bool = False

    def answer(self, allowed: bool) -> None:
        self.allowed = allowed
        self.answered.set()

    def wait(self) -> bool:
        while not self.answered.wait(0.1):
            if self.cancel.is_set():
                return False
        return self.allowed


class ConsentCard(QFrame):
    """Shows exactly the call that will run, with its arguments filled in, and asks."""

    def __init__(self, waiter: ConsentWaiter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.waiter = waiter
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            "ConsentCard { background: #fff7e0; border: 1px solid #e0b84a; border-radius: 6px; }"
        )
        req = waiter.request
        title = QLabel(f"<b>Allow Hearth to run this?</b><br>{req.tool}({render_args(req.args)})")
        title.setWordWrap(True)
        title.setTextFormat(Qt.TextFormat.RichText)
        what = QLabel(req.description)
        what.setWordWrap(True)
        what.setStyleSheet("color: #555")
        self.allow_button = QPushButton("Allow")
        self.deny_button = QPushButton("Don't allow")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.deny_button)
        buttons.addWidget(self.allow_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(what)
        layout.addLayout(buttons)
        self.allow_button.clicked.connect(lambda: self._answer(True))
        self.deny_button.clicked.connect(lambda: self._answer(False))

    def _answer(self, allowed: bool) -> None:
        self.waiter.answer(allowed)
        self.hide()
        self.deleteLater()


class PlanView(QWidget):
    """The current run's plan: each call with its status and result, consent cards above it.

    Signals:
        sig_consent_asked(object): a ConsentCard was shown (tests and the window raise it into view).
    """

    sig_consent_asked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel("<b>Plan</b>")
        self.tools = QLabel("")
        self.tools.setWordWrap(True)
        self.tools.setStyleSheet("color: #666")
        self.steps = QTreeWidget()
        self.steps.setHeaderLabels(["#", "Call", "Status", "Result"])
        self.steps.setRootIsDecorated(False)
        self.steps.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.steps.header().setStretchLastSection(True)
        self.cards = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.tools)
        layout.addLayout(self.cards)
        layout.addWidget(self.steps, 1)
        self._rows: dict[int, QTreeWidgetItem] = {}

    def reset(self, request: str) -> None:
        self.steps.clear()
        self._rows.clear()
        self.heading.setText(f"<b>Plan</b> for “{request}”")
        self.tools.setText("Choosing tools…")

    def on_event(self, event: AgentEvent) -> None:
        if event.kind == "tools_offered":
            offered = ", ".join(event.data.get("tools", [])) or "none: a plain answer"
            self.tools.setText(f"Tools offered: {offered}")
        elif event.kind == "step_planned" and event.step_id is not None:
            self._row(event.step_id, event.tool or "", event.args or {}, "planned")
        elif event.kind == "consent_needed" and event.step_id is not None:
            self._status(event.step_id, "consent")
        elif event.kind == "step_started" and event.step_id is not None:
            self._row(event.step_id, event.tool or "", event.args or {}, "running")
        elif event.kind == "step_finished" and event.step_id is not None:
            self._status(event.step_id, event.status or "done", event.error or event.text)
        elif event.kind == "replan":
            self.tools.setText(self.tools.text() + "  ·  planning again: " + event.text)

    def ask(self, waiter: ConsentWaiter) -> ConsentCard:
        card = ConsentCard(waiter, self)
        self.cards.addWidget(card)
        self.sig_consent_asked.emit(card)
        return card

    def status_of(self, step_id: int) -> str:
        row = self._rows.get(step_id)
        return row.text(2) if row is not None else ""

    def _row(self, step_id: int, tool: str, args: dict, status: str) -> None:
        row = self._rows.get(step_id)
        if row is None:
            row = QTreeWidgetItem([str(step_id), "", "", ""])
            self.steps.addTopLevelItem(row)
            self._rows[step_id] = row
        row.setText(1, f"{tool}({render_args(args)})")
        row.setText(2, _STATUS_WORDS.get(status, status))

    def _status(self, step_id: int, status: str, result: str = "") -> None:
        row = self._rows.get(step_id)
        if row is None:
            return
        row.setText(2, _STATUS_WORDS.get(status, status))
        if result:
            row.setText(3, result)
            row.setToolTip(3, result)


class ActionsPanel(QWidget):
    """Everything the assistant did, newest first; what it made can be undone."""

    def __init__(self, assistant: AssistantService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.assistant = assistant
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["When", "Call", "Status", "Result"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.undo_button = QPushButton("Undo")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.undo_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.undo_button.clicked.connect(self.undo_selected)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self._ids: list[int] = []
        self.refresh()

    def refresh(self) -> None:
        actions = self.assistant.action_log.list(limit=500)
        self._ids = [a.id for a in actions]
        self.table.setRowCount(len(actions))
        for r, a in enumerate(actions):
            cells = [
                a.created_at[:19].replace("T", " "),
                f"{a.tool}({render_args(a.args)})",
                a.status,
                a.result or a.error,
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setData(Qt.ItemDataRole.UserRole, a.can_undo)
                self.table.setItem(r, c, item)
        self._selection_changed()

    def select_action(self, action_id: int) -> None:
        self.table.selectRow(self._ids.index(action_id))

    def _selection_changed(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        item = self.table.item(rows[0].row(), 0) if rows else None
        self.undo_button.setEnabled(item is not None and bool(item.data(Qt.ItemDataRole.UserRole)))

    def undo_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        try:
            self.message.setText(self.assistant.action_log.undo(self._ids[rows[0].row()]))
        except HearthError as e:
            self.message.setText(str(e))
        self.refresh()
