"""The model wizard: from "I want a better model" to chatting with it, without a terminal.

Search the hub (or pick a starter), choose a file or a quantization with a plain fit verdict, download it
(progress, cancel, resume), optionally quantize it, try a prompt, and make it the default. Every long step
runs on the wizard's own worker thread, reports progress and can be cancelled; the app stays responsive.
"""

from __future__ import annotations

from dataclasses import replace

from app.jobs import Job, JobRunner
from app.qt import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
    Signal,
)
from core.models.catalog import ModelCatalog
from core.models.fit import FitReport, gib
from core.models.hub import HubClient, HubFile
from core.models.profiles import defaults_for
from core.models.progress import Progress
from core.models.quant_types import FLOAT_TYPES, TARGETS
from core.models.quantize import QuantizeResult, quantize_model
from core.models.starters import STARTERS, hub_file_fit
from core.runtime import spec_from_settings
from core.services import Services
from core.store import ModelRecord

PAGE_SEARCH, PAGE_FILES, PAGE_DOWNLOAD, PAGE_QUANTIZE, PAGE_TRY = range(5)
_FIT_CONTEXT = 4096
_VERDICT_WORDS = {"fits": "fits", "tight": "tight fit", "too_big": "too big"}


def _progress_text(p: Progress) -> str:
    if p.unit == "B":
        done = f"{gib(p.done)}" + (f" of {gib(p.total)}" if p.total else "")
        rate = f" · {p.rate / 2**20:.1f} MB/s" if p.rate else ""
        return f"{p.stage}: {done}{rate}"
    return f"{p.stage}: {p.message or f'{p.done:.0f}' + (f' of {p.total:.0f}' if p.total else '')}"


class _JobPage(QWizardPage):
    """A page that runs one long operation: a progress bar, a line of detail, Cancel and Retry."""

    def __init__(self, wizard: ModelWizard, title: str, subtitle: str) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel")
        self.retry_button = QPushButton("Try again")
        self.retry_button.hide()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.job: Job | None = None
        self.done = False
        self.cancel_button.clicked.connect(self.cancel)
        self.retry_button.clicked.connect(self.start)

    def work(self, job: Job) -> object:  # overridden: the operation, on the worker thread
        raise NotImplementedError

    def finished(self, result: object) -> None:  # overridden: on the GUI thread
        pass

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        if not self.done:
            self.start()

    def start(self) -> None:
        self.retry_button.hide()
        self.cancel_button.setEnabled(True)
        self.bar.setRange(0, 0)  # busy until the first progress report gives a total
        self.job = self.w.runner.submit(self.work)
        self.job.sig_progress.connect(self._on_progress)
        self.job.sig_done.connect(self._on_done)
        self.job.sig_failed.connect(self._on_failed)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.detail.setText("Stopping…")

    def _on_progress(self, p: Progress) -> None:
        if p.fraction is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(p.fraction * 1000))
        self.detail.setText(_progress_text(p))

    def _on_done(self, result: object) -> None:
        self.job = None
        self.done = True
        self.bar.setRange(0, 1000)
        self.bar.setValue(1000)
        self.cancel_button.setEnabled(False)
        self.finished(result)
        self.completeChanged.emit()

    def _on_failed(self, message: str) -> None:
        self.job = None
        self.bar.setRange(0, 1000)
        self.detail.setText(message)
        self.cancel_button.setEnabled(False)
        self.retry_button.show()

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return self.done


class SearchPage(QWizardPage):
    def __init__(self, wizard: ModelWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Find a model")
        self.setSubTitle("Pick a starter, or search the Hugging Face hub for GGUF models.")
        self.query = QLineEdit(placeholderText="Model name, e.g. qwen2.5 or llama 3.2")
        self.sort = QComboBox()
        self.sort.addItem("Most downloaded", "downloads")
        self.sort.addItem("Most liked", "likes")
        self.search_button = QPushButton("Search")
        self.results = QListWidget()
        self.status = QLabel("")
        row = QHBoxLayout()
        row.addWidget(self.query, 1)
        row.addWidget(self.sort)
        row.addWidget(self.search_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        self.search_button.clicked.connect(self.search)
        self.query.returnPressed.connect(self.search)
        self.results.currentItemChanged.connect(lambda *_a: self.completeChanged.emit())
        self.show_starters()

    def show_starters(self) -> None:
        self.results.clear()
        device = self.w.device_memory
        for s in STARTERS:
            fit = s.fit("Q4_K_M", _FIT_CONTEXT, device)
            item = QListWidgetItem(
                f"★ {s.name}: {s.note} · Q4_K_M needs about {gib(fit.need.total_bytes)} "
                f"({_VERDICT_WORDS[fit.verdict]})"
            )
            item.setData(Qt.ItemDataRole.UserRole, s.repo)
            self.results.addItem(item)
        self.status.setText("Starters: small instruct models known to work well. Or search above.")

    def search(self) -> None:
        query, sort = self.query.text().strip(), self.sort.currentData()
        self.status.setText("Searching…")
        self.search_button.setEnabled(False)
        job = self.w.runner.submit(lambda _j: self.w.hub.search(query, sort=sort, limit=30))
        job.sig_done.connect(self._show_results)
        job.sig_failed.connect(self._failed)

    def _show_results(self, models: list) -> None:
        self.search_button.setEnabled(True)
        self.results.clear()
        for m in models:
            lock = " (gated: needs a hub login)" if m.gated else ""
            item = QListWidgetItem(f"{m.id}  ·  {m.downloads:,} downloads · {m.likes} likes{lock}")
            item.setData(Qt.ItemDataRole.UserRole, m.id)
            self.results.addItem(item)
        self.status.setText(f"{len(models)} models found." if models else "No GGUF model matches that name.")

    def _failed(self, message: str) -> None:
        self.search_button.setEnabled(True)
        self.status.setText(message)

    def isComplete(self) -> bool:  # noqa: N802
        return self.results.currentItem() is not None

    def validatePage(self) -> bool:  # noqa: N802
        self.w.repo = self.results.currentItem().data(Qt.ItemDataRole.UserRole)
        return True


class FilesPage(QWizardPage):
    def __init__(self, wizard: ModelWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Choose a file")
        self.setSubTitle("Smaller quantizations use less memory and run faster; larger ones answer better.")
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["File", "Quantization", "Size", "On this computer"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.fit_label = QLabel("")
        self.fit_label.setWordWrap(True)
        self.quantize = QCheckBox("Quantize it after download to")
        self.target = QComboBox()
        self.target.addItems([t for t in TARGETS if t not in FLOAT_TYPES])
        self.target.setCurrentText("Q4_K_M")
        self.status = QLabel("")
        row = QHBoxLayout()
        row.addWidget(self.quantize)
        row.addWidget(self.target)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.fit_label)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.files: list[HubFile] = []
        self.table.itemSelectionChanged.connect(self._selected)

    def initializePage(self) -> None:  # noqa: N802
        self.table.setRowCount(0)
        self.files = []
        self.status.setText(f"Listing the files of {self.w.repo}…")
        repo = self.w.repo
        job = self.w.runner.submit(lambda _j: self.w.hub.files(repo))
        job.sig_done.connect(self._show)
        job.sig_failed.connect(self.status.setText)

    def _fit(self, f: HubFile) -> FitReport:
        return hub_file_fit(self.w.repo, f.size, _FIT_CONTEXT, self.w.device_memory)

    def _show(self, files: list[HubFile]) -> None:
        self.files = [f for f in files if not f.is_split]
        self.table.setRowCount(len(self.files))
        for row, f in enumerate(self.files):
            verdict = _VERDICT_WORDS[self._fit(f).verdict]
            for col, text in enumerate([f.path, f.quant_type or "?", gib(f.size), verdict]):
                self.table.setItem(row, col, QTableWidgetItem(text))
        skipped = len(files) - len(self.files)
        note = f" ({skipped} split files left out: Hearth loads single files)" if skipped else ""
        self.status.setText(
            f"{len(self.files)} GGUF files{note}." if self.files else "This repo has no GGUF file."
        )

    def chosen(self) -> HubFile | None:
        rows = self.table.selectionModel().selectedRows()
        return self.files[rows[0].row()] if rows else None

    def _selected(self) -> None:
        f = self.chosen()
        if f is not None:
            self.fit_label.setText(self._fit(f).message)
            floating = (f.quant_type or "").upper() in FLOAT_TYPES
            self.quantize.setChecked(floating)
            self.quantize.setToolTip(
                "" if floating else "This file is already quantized: quantizing again loses quality."
            )
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.chosen() is not None

    def validatePage(self) -> bool:  # noqa: N802
        self.w.file = self.chosen()
        self.w.quant_target = self.target.currentText() if self.quantize.isChecked() else None
        return True


class DownloadPage(_JobPage):
    def __init__(self, wizard: ModelWizard) -> None:
        super().__init__(
            wizard,
            "Download",
            "The file is checked against the hub's checksum; an interrupted download resumes.",
        )

    def initializePage(self) -> None:  # noqa: N802
        # Another file chosen since: download that one.
        if self.w.record is None or self.w.record.source_file != (self.w.file.path if self.w.file else ""):
            self.done = False
        super().initializePage()

    def work(self, job: Job) -> ModelRecord:
        from core.models.download import download_model

        assert self.w.file is not None
        return download_model(
            self.w.catalog,
            self.w.hub,
            self.w.repo,
            self.w.file.path,
            progress=job.report,
            cancel=job.cancel_event,
        )

    def finished(self, result: object) -> None:
        assert isinstance(result, ModelRecord)
        self.w.record = result
        self.detail.setText(f"Downloaded and verified: {result.name} ({gib(result.size_bytes)}).")


class QuantizePage(_JobPage):
    def __init__(self, wizard: ModelWizard) -> None:
        super().__init__(
            wizard, "Quantize", "llama.cpp rewrites the weights in fewer bits, in a separate process."
        )

    def work(self, job: Job) -> object:
        assert self.w.record is not None and self.w.quant_target is not None
        return quantize_model(
            self.w.catalog,
            self.w.record.id,
            self.w.quant_target,
            progress=job.report,
            cancel=job.cancel_event,
        )

    def finished(self, result: object) -> None:
        assert isinstance(result, QuantizeResult)
        record = result.record
        self.w.final = record
        self.detail.setText(
            f"Made {record.name} ({gib(record.size_bytes)}) in {result.seconds:.1f} s. {result.warning}"
        )


class TryPage(QWizardPage):
    def __init__(self, wizard: ModelWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("Try it")
        self.setSubTitle("Ask something to see how it answers on this computer.")
        self.prompt = QLineEdit("Say hello and tell me one fact about the sea.")
        self.try_button = QPushButton("Try")
        self.stop_button = QPushButton("Stop")
        self.output = QTextBrowser()
        self.metrics = QLabel("")
        self.make_default = QCheckBox("Use this model for new chats")
        self.make_default.setChecked(True)
        row = QHBoxLayout()
        row.addWidget(self.prompt, 1)
        row.addWidget(self.try_button)
        row.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.output, 1)
        layout.addWidget(self.metrics)
        layout.addWidget(self.make_default)
        self.job: Job | None = None
        self.try_button.clicked.connect(self.try_prompt)
        self.stop_button.clicked.connect(lambda: self.job.cancel() if self.job else None)

    def try_prompt(self) -> None:
        record = self.w.model()
        prompt = self.prompt.text().strip() or "Hello!"
        self.output.clear()
        self.metrics.setText("Loading the model…")
        self.try_button.setEnabled(False)
        services = self.w.services
        # Through the host: the app holds one model at a time, and this one is ready if it becomes the default.
        spec = replace(spec_from_settings(services.settings), model=record.id)

        def work(job: Job) -> object:
            engine = services.host.get(spec)
            # The model's measured defaults (core.models.profiles), as a chat with it would use them.
            defaults = defaults_for(engine.info.path)
            return engine.chat(
                defaults.chat_messages(prompt),
                replace(defaults.options(), max_tokens=96),
                on_token=job.report,
                cancel=job.cancel_event,
            )

        self.job = self.w.runner.submit(work)
        self.job.sig_progress.connect(lambda piece: self.output.insertPlainText(piece))
        self.job.sig_done.connect(self._done)
        self.job.sig_failed.connect(self._failed)

    def _done(self, result: object) -> None:
        self.job = None
        self.try_button.setEnabled(True)
        m = result.metrics  # type: ignore[attr-defined]
        self.metrics.setText(
            f"{m.completion_tokens} tokens · {m.decode_tok_s:.1f} tok/s · first token {m.ttft_ms:.0f} ms"
        )
        self.w.tried.emit(self.output.toPlainText())

    def _failed(self, message: str) -> None:
        self.job = None
        self.try_button.setEnabled(True)
        self.metrics.setText(message)


class ModelWizard(QWizard):
    """Signals:
    tried(str): the text of a finished try.
    sig_model_ready(str): the model id the wizard leaves behind (made the default or not).
    """

    tried = Signal(str)
    sig_model_ready = Signal(str)

    def __init__(
        self, services: Services, hub: HubClient | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Get a model")
        self.services = services
        self.hub = hub or HubClient()
        self.catalog = ModelCatalog(services.store)
        self.runner = JobRunner("hearth-models")
        from core.models.fit import device_memory

        self.device_memory = device_memory()
        self.repo = ""
        self.file: HubFile | None = None
        self.quant_target: str | None = None
        self.record: ModelRecord | None = None  # as downloaded
        self.final: ModelRecord | None = None  # as quantized, when asked
        self.pages = {
            PAGE_SEARCH: SearchPage(self),
            PAGE_FILES: FilesPage(self),
            PAGE_DOWNLOAD: DownloadPage(self),
            PAGE_QUANTIZE: QuantizePage(self),
            PAGE_TRY: TryPage(self),
        }
        for page_id, page in self.pages.items():
            self.setPage(page_id, page)
        self.resize(820, 560)

    def model(self) -> ModelRecord:
        record = self.final or self.record
        assert record is not None
        return record

    def nextId(self) -> int:  # noqa: N802 - Qt's name
        current = self.currentId()
        if current == PAGE_DOWNLOAD:
            return PAGE_QUANTIZE if self.quant_target else PAGE_TRY
        if current == PAGE_TRY:
            return -1
        return current + 1

    def accept(self) -> None:
        record = self.final or self.record
        if record is not None:
            if self.pages[PAGE_TRY].make_default.isChecked():  # type: ignore[attr-defined]
                self.services.settings.set("model", record.id)
            self.sig_model_ready.emit(record.id)
        self._stop_jobs()
        super().accept()

    def reject(self) -> None:
        # Cancelling keeps a partial download for resuming; nothing half-written enters the catalog.
        self._stop_jobs()
        super().reject()

    def _stop_jobs(self) -> None:
        self.runner.shutdown()
