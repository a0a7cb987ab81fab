"""The Documents panel: collections of the user's files, indexed for answers that cite them.

Add files or folders (buttons, or drop them on the panel), watch indexing progress and cancel it, see every
file with its state and, for skipped ones, the reason; choose which collections the current conversation
answers from. Indexing runs on the panel's own worker thread.
"""

from __future__ import annotations

from pathlib import Path

from app.jobs import Job, JobRunner
from app.qt import (
    QComboBox,
    QDragEnterEvent,
    QDropEvent,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from core.documents.indexer import IndexReport
from core.documents.service import DEFAULT_COLLECTION, DocumentsService


class DocumentsPanel(QWidget):
    """Signals:
    sig_indexed(object): the IndexReport of a finished (or cancelled) run.
    """

    sig_indexed = Signal(object)

    def __init__(self, documents: DocumentsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.documents = documents
        self.runner = JobRunner("hearth-documents")
        self.conversation_id: int | None = None
        self.job: Job | None = None
        self.setAcceptDrops(True)

        self.collection = QComboBox()
        self.new_button = QPushButton("New…")
        self.add_files_button = QPushButton("Add files…")
        self.add_folder_button = QPushButton("Add folder…")
        self.refresh_button = QPushButton("Refresh")
        self.remove_button = QPushButton("Remove")
        self.progress = QProgressBar()
        self.progress_label = QLabel("")
        self.cancel_button = QPushButton("Cancel")
        self.files = QTableWidget(0, 4)
        self.files.setHorizontalHeaderLabels(["File", "State", "Chunks", "Why skipped"])
        self.files.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.files.horizontalHeader().setStretchLastSection(True)
        self.files.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.files.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.files.verticalHeader().hide()
        self.summary = QLabel("Drop files or folders here to add them.")
        self.use_in_chat = QListWidget()
        self.use_in_chat.setMaximumHeight(110)

        row1 = QHBoxLayout()
        row1.addWidget(QLabel("Collection:"))
        row1.addWidget(self.collection, 1)
        row1.addWidget(self.new_button)
        row2 = QHBoxLayout()
        for b in (self.add_files_button, self.add_folder_button, self.refresh_button, self.remove_button):
            row2.addWidget(b)
        row3 = QHBoxLayout()
        row3.addWidget(self.progress, 1)
        row3.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addLayout(row3)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.files, 1)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("This conversation answers from:"))
        layout.addWidget(self.use_in_chat)
        self._set_busy(False)

        self.collection.currentIndexChanged.connect(lambda _i: self.refresh_files())
        self.new_button.clicked.connect(self._ask_new_collection)
        self.add_files_button.clicked.connect(self._ask_files)
        self.add_folder_button.clicked.connect(self._ask_folder)
        self.refresh_button.clicked.connect(self.refresh_collection)
        self.remove_button.clicked.connect(self.remove_selected)
        self.cancel_button.clicked.connect(self.cancel)
        self.use_in_chat.itemChanged.connect(self._save_conversation_choice)
        self.reload_collections()

    # ---- collections ----

    def current_collection(self) -> str:
        return self.collection.currentText() or DEFAULT_COLLECTION

    def reload_collections(self, select: str | None = None) -> None:
        names = [info.collection.name for info in self.documents.collections()]
        keep = select or self.collection.currentText()
        self.collection.blockSignals(True)
        self.collection.clear()
        self.collection.addItems(names or [DEFAULT_COLLECTION])
        if keep in names:
            self.collection.setCurrentText(keep)
        self.collection.blockSignals(False)
        self.refresh_files()
        self.set_conversation(self.conversation_id)

    def create_collection(self, name: str) -> Job:
        """Off the GUI thread: the first collection loads the embedding model (seconds)."""
        job = self.runner.submit(lambda _job: self.documents.create_collection(name))
        job.sig_done.connect(lambda _c: self.reload_collections(select=name))
        job.sig_failed.connect(self.progress_label.setText)
        return job

    def _ask_new_collection(self) -> None:
        name, ok = QInputDialog.getText(self, "New collection", "Name:")
        if ok and name.strip():
            self.create_collection(name.strip())

    # ---- adding and indexing ----

    def add_paths(self, paths: list[str]) -> Job | None:
        if self.job is not None or not paths:
            return None
        collection = self.current_collection()
        self._set_busy(True)
        self.progress_label.setText(f"Reading {len(paths)} item(s)…")
        self.job = self.runner.submit(
            lambda job: self.documents.add(
                paths,
                collection,
                progress=lambda done, total: job.report((done, total)),
                cancel=job.cancel_event,
            )
        )
        self._watch(self.job)
        return self.job

    def refresh_collection(self) -> Job | None:
        if self.job is not None:
            return None
        collection = self.current_collection()
        self._set_busy(True)
        self.job = self.runner.submit(
            lambda job: self.documents.refresh(
                collection, progress=lambda done, total: job.report((done, total)), cancel=job.cancel_event
            )
        )
        self._watch(self.job)
        return self.job

    def _watch(self, job: Job) -> None:
        job.sig_progress.connect(self._on_progress)
        job.sig_done.connect(self._on_done)
        job.sig_failed.connect(self._on_failed)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.progress_label.setText("Stopping after the file being read (what is done stays indexed)…")

    def _on_progress(self, done_total: tuple[int, int]) -> None:
        done, total = done_total
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress_label.setText(f"Indexing: {done} of {total} files")

    def _on_done(self, report: IndexReport) -> None:
        self.job = None
        self._set_busy(False)
        parts = [
            f"{len(report.added)} added",
            f"{len(report.updated)} updated",
            f"{report.unchanged} unchanged",
        ]
        if report.skipped:
            parts.append(f"{len(report.skipped)} skipped")
        if report.removed:
            parts.append(f"{len(report.removed)} removed")
        state = "Cancelled" if getattr(report, "cancelled", False) else "Done"
        self.progress_label.setText(f"{state}: {', '.join(parts)}.")
        self.reload_collections(select=report.collection)
        self.sig_indexed.emit(report)

    def _on_failed(self, message: str) -> None:
        self.job = None
        self._set_busy(False)
        self.progress_label.setText(message)

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        for b in (self.add_files_button, self.add_folder_button, self.refresh_button, self.remove_button):
            b.setEnabled(not busy)
        if busy:
            self.progress.setRange(0, 0)

    def _ask_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Add files")
        self.add_paths(names)

    def _ask_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder")
        if folder:
            self.add_paths([folder])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasUrls() and self.job is None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.add_paths(paths)
            event.acceptProposedAction()

    # ---- files ----

    def refresh_files(self) -> None:
        try:
            files = self.documents.files(self.current_collection())
        except Exception:  # the collection does not exist yet: nothing added
            files = []
        self.files.setRowCount(len(files))
        for row, f in enumerate(files):
            cells = [
                Path(f.path).name,
                f.status,
                str(f.n_chunks) if f.status == "indexed" else "",
                f.reason or "",
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f.path if col == 0 else text)
                item.setData(Qt.ItemDataRole.UserRole, f.path)
                self.files.setItem(row, col, item)
        indexed = sum(1 for f in files if f.status == "indexed")
        skipped = len(files) - indexed
        self.summary.setText(
            f"{indexed} files indexed, {skipped} skipped."
            if files
            else "Drop files or folders here to add them."
        )

    def remove_selected(self) -> Job | None:
        """Off the GUI thread: removing a folder deletes its chunks and rewrites the FAISS index."""
        rows = {i.row() for i in self.files.selectedIndexes()}
        paths = [
            item.data(Qt.ItemDataRole.UserRole)
            for row in sorted(rows, reverse=True)
            if (item := self.files.item(row, 0)) is not None
        ]
        if not paths:
            return None
        collection = self.current_collection()
        job = self.runner.submit(lambda _job: [self.documents.remove(p, collection) for p in paths])
        job.sig_done.connect(lambda _removed: self.reload_collections())
        job.sig_failed.connect(self.progress_label.setText)
        return job

    # ---- the conversation's collections ----

    def set_conversation(self, conversation_id: int | None) -> None:
        self.conversation_id = conversation_id
        self.use_in_chat.blockSignals(True)
        self.use_in_chat.clear()
        chosen = (
            {c.name for c in self.documents.conversation_collections(conversation_id)}
            if conversation_id is not None
            else set()
        )
        for info in self.documents.collections():
            item = QListWidgetItem(f"{info.collection.name}  ({info.files_indexed} files)")
            item.setData(Qt.ItemDataRole.UserRole, info.collection.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if info.collection.name in chosen else Qt.CheckState.Unchecked
            )
            if conversation_id is None:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.use_in_chat.addItem(item)
        self.use_in_chat.blockSignals(False)

    def _save_conversation_choice(self, _item: QListWidgetItem) -> None:
        if self.conversation_id is None:
            return
        names = [
            self.use_in_chat.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.use_in_chat.count())
            if self.use_in_chat.item(i).checkState() == Qt.CheckState.Checked
        ]
        self.documents.set_conversation_collections(self.conversation_id, names)

    def shutdown(self) -> None:
        self.runner.shutdown()
