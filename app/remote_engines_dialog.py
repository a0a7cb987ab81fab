"""Remote engines in the app: add an OpenAI-compatible endpoint (name, address, key), test it, remove it.
The same operations as `hearth engines`; keys go to the keyring (or a 0600 file) and are never shown."""

from __future__ import annotations

from app.jobs import Job, JobRunner
from app.qt import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from core.errors import HearthError
from core.runtime.remotes import RemoteEngines, TestReport
from core.store import Store

_COLUMNS = ["Name", "Address", "Key", "Can do", "Models"]


class RemoteEnginesDialog(QDialog):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Remote engines")
        self.resize(760, 380)
        self.remotes = RemoteEngines(store)
        self._runner = JobRunner("hearth-remote-engines")
        self.table = QTableWidget(0, len(_COLUMNS))
        self.table.setHorizontalHeaderLabels(_COLUMNS)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.name = QLineEdit(placeholderText="e.g. desktop")
        self.url = QLineEdit(placeholderText="e.g. http://192.168.1.20:8080/v1")
        self.key = QLineEdit(placeholderText="optional")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.add_button = QPushButton("Add")
        self.test_button = QPushButton("Test")
        self.remove_button = QPushButton("Remove")
        self.status = QLabel(
            "Requests go to a remote engine only when routing is turned on (Settings: routing)."
        )
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Name:", self.name)
        form.addRow("Address:", self.url)
        form.addRow("API key:", self.key)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.test_button, self.remove_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        self.add_button.clicked.connect(self.add)
        self.test_button.clicked.connect(lambda: self.test())
        self.remove_button.clicked.connect(self.remove)
        self.refresh()

    def refresh(self) -> None:
        listings = self.remotes.list()
        self.table.setRowCount(len(listings))
        for row, item in enumerate(listings):
            probe = item.probe
            can = (
                ", ".join(
                    c
                    for c, ok in (
                        ("grammar", probe.grammar),
                        ("JSON schema", probe.json_schema),
                        ("embeddings", probe.embeddings),
                    )
                    if ok
                )
                if probe
                else "not tested"
            )
            values = [
                item.record.name,
                item.record.url,
                item.key or "none",
                can,
                ", ".join(probe.models) if probe else "",
            ]
            for col, value in enumerate(values):
                self.table.setItem(row, col, QTableWidgetItem(value))

    def selected(self) -> str | None:
        row = self.table.currentRow()
        cell = self.table.item(row, 0) if row >= 0 else None
        return cell.text() if cell is not None else None

    def add(self) -> None:
        try:
            self.remotes.add(self.name.text().strip(), self.url.text().strip(), self.key.text() or None)
        except HearthError as e:
            self.status.setText(str(e))
            return
        self.status.setText(f"Added {self.name.text().strip()}. Test it to see what it can do.")
        self.key.clear()
        self.refresh()

    def test(self, name: str | None = None) -> Job | None:
        name = name or self.selected()
        if not name:
            self.status.setText("Choose an engine to test.")
            return None
        self.status.setText(f"Testing {name}…")
        job = self._runner.submit(lambda j: self.remotes.test(name))
        job.sig_done.connect(self._tested)
        job.sig_failed.connect(self.status.setText)
        return job

    def _tested(self, report: object) -> None:
        assert isinstance(report, TestReport)
        d = report.as_dict()
        self.status.setText(
            f"{d['name']} answers ({d['latency_ms']} ms): a {d['kind']} server with {', '.join(d['models'])}."
        )
        self.refresh()

    def remove(self) -> None:
        name = self.selected()
        if name:
            self.remotes.remove(name)
            self.status.setText(f"Removed {name} and its key.")
            self.refresh()

    def done(self, result: int) -> None:
        self._runner.shutdown()
        super().done(result)
