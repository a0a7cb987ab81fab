"""The main window: conversations on the left, the chat on the right, the model picker above.

It only shows and asks: every action is a call into core (ChatService, the store, settings), and
generation runs on the JobRunner's worker thread.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from app.assistant_view import ActionsPanel, ConsentWaiter, PlanView
from app.chat_view import ChatView
from app.composer import Composer
from app.conversation_list import ConversationList
from app.device_panel import DevicePanel
from app.documents_panel import DocumentsPanel
from app.icons import icon
from app.jobs import Job, JobRunner
from app.memory_panel import MemoryPanel
from app.model_wizard import ModelWizard
from app.qt import (
    QByteArray,
    QCloseEvent,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSettings,
    QSplitter,
    QStackedWidget,
    Qt,
    QTimer,
    QToolBar,
    QVBoxLayout,
    QWidget,
    Signal,
)
from app.remote_engines_dialog import RemoteEnginesDialog
from app.server_switch import ServerSwitch
from app.settings_dialog import SettingsDialog
from app.source_viewer import SourceViewer
from app.theme import ACCENTS, Theme
from app.voice import VoiceController
from app.welcome import Welcome
from core.assistant.consent import ConsentRequest
from core.assistant.events import AgentEvent
from core.chat.grounding import citations_from_json
from core.errors import HearthError
from core.models import list_models
from core.models.hub import HubClient
from core.services import Services
from core.store import Message, Turn

LIVE_RATE_INTERVAL_MS = 250


@dataclass(frozen=True)
class Restart:
    """Reported by a chat job when local-first routing asks the remote engine to answer instead."""

    reason: str


REMINDER_CHECK_MS = 30_000
# Window size, dock layout and splitter, beside the database: Qt's own opaque blobs (saveGeometry,
# saveState), not user settings, so they are kept by QSettings rather than core's typed settings; being in
# the data folder, each HEARTH_HOME (a test, a second profile) has its own.
WINDOW_STATE_FILE = "window.ini"


class MainWindow(QMainWindow):
    """Signals:
    sig_answer_started(int): answer message id, when its generation is submitted.
    sig_token(str): each streamed piece, as it reaches the GUI thread.
    sig_answer_finished(object): the stored answer Message (complete, stopped or error).
    sig_agent_event(object): each AgentEvent of an assistant run, on the GUI thread.
    """

    sig_answer_started = Signal(int)
    sig_token = Signal(str)
    sig_answer_finished = Signal(object)
    sig_agent_event = Signal(object)

    def __init__(self, services: Services, theme: Theme | None = None) -> None:
        super().__init__()
        self.services = services
        self.theme = theme
        self.runner = JobRunner("hearth-inference")
        self.current_id: int | None = None
        self._job: Job | None = None
        self._routing_job: Job | None = None  # deciding chat or assistant for the message just sent
        self._turn: Turn | None = None
        self._pieces = 0
        self._t_first = 0.0
        self._stream_text = ""

        self.setWindowTitle("Hearth")
        self.resize(1100, 720)
        self.conversations = ConversationList()
        self.view = ChatView()
        self.composer = Composer()
        self.system_prompt = QLineEdit(placeholderText="System prompt for this conversation (optional)")
        self.system_prompt.setToolTip(
            "Tells the model how to behave in this conversation. Saved when you press Enter."
        )
        self.model_picker = QComboBox()
        self.model_picker.setMinimumWidth(320)
        self.rate_label = QLabel("")
        self.model_label = QLabel("")
        self.welcome = Welcome()
        self._build_layout()
        self.voice = VoiceController(services.voice, self.composer, self)
        self._connect()
        self._fill_models()
        self._window_state = QSettings(
            str(services.store.root / WINDOW_STATE_FILE), QSettings.Format.IniFormat
        )
        self._restore_window_state()
        self._apply_theme(theme.name if theme is not None else "light")
        if theme is not None:
            theme.sig_changed.connect(self._apply_theme)
        # Due reminders and timers become desktop notifications while the app runs.
        self._reminders = JobRunner("hearth-reminders")
        self._reminder_timer = QTimer(self, interval=REMINDER_CHECK_MS)
        self._reminder_timer.timeout.connect(self.check_reminders)
        self._reminder_timer.start()
        self._live_timer = QTimer(self, interval=LIVE_RATE_INTERVAL_MS)
        self._live_timer.timeout.connect(self._show_live_rate)

        recovered = services.store.recovered_messages
        if recovered:
            self.statusBar().showMessage(
                f"{recovered} answer(s) were cut off when Hearth last closed; they are kept, marked incomplete.",
                10000,
            )
        self.refresh_conversations()
        first = self.conversations.list.item(0)
        if first is not None:
            self.open_conversation(int(first.data(Qt.ItemDataRole.UserRole)))
        else:
            self._show_welcome(True)

    # ---- layout ----

    def _build_layout(self) -> None:
        toolbar = QToolBar("Toolbar")
        toolbar.setObjectName("main-toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar = toolbar
        self.new_chat_action = toolbar.addAction("New chat")
        self.new_chat_action.setToolTip("Start a new conversation")
        self.new_chat_action.triggered.connect(self.new_conversation)
        toolbar.addSeparator()
        toolbar.addWidget(QLabel(" Model: "))
        toolbar.addWidget(self.model_picker)
        self.get_models_action = toolbar.addAction("Get models…")
        self.get_models_action.setToolTip("Find, download and convert models that fit this computer")
        self.get_models_action.triggered.connect(lambda: self.open_model_wizard())
        toolbar.addSeparator()
        self.settings_action = toolbar.addAction("Settings…")
        self.settings_action.triggered.connect(self.open_settings)
        toolbar.addSeparator()
        self.server_switch = ServerSwitch(self.services, self)
        self.server_switch.sig_failed.connect(lambda why: self.statusBar().showMessage(why, 10000))
        toolbar.addAction(self.server_switch.action)
        toolbar.addWidget(self.server_switch.label)
        self.addToolBar(toolbar)

        self.device_panel = DevicePanel(self.services)
        self.device_dock = QDockWidget("Device: power, speed, memory", self)
        self.device_dock.setObjectName("device-dock")
        self.device_dock.setWidget(self.device_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.device_dock)
        self.device_dock.hide()
        device_action = self.device_dock.toggleViewAction()
        device_action.setText("Device panel")

        self.documents_panel = DocumentsPanel(self.services.documents)
        self.documents_dock = QDockWidget("Documents", self)
        self.documents_dock.setObjectName("documents-dock")
        self.documents_dock.setWidget(self.documents_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.documents_dock)
        self.tabifyDockWidget(self.documents_dock, self.device_dock)
        self.documents_dock.hide()
        self.plan_view = PlanView()
        self.actions_panel = ActionsPanel(self.services.assistant)
        assistant_box = QSplitter(Qt.Orientation.Vertical)
        assistant_box.addWidget(self.plan_view)
        log_box = QWidget()
        log_layout = QVBoxLayout(log_box)
        log_layout.setContentsMargins(0, 0, 0, 0)
        log_layout.addWidget(QLabel("<b>What the assistant did</b> (select one to undo it)"))
        log_layout.addWidget(self.actions_panel)
        assistant_box.addWidget(log_box)
        self.assistant_dock = QDockWidget("Assistant", self)
        self.assistant_dock.setObjectName("assistant-dock")
        self.assistant_dock.setWidget(assistant_box)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.assistant_dock)
        self.tabifyDockWidget(self.documents_dock, self.assistant_dock)
        self.assistant_dock.hide()
        self.memory_panel = MemoryPanel(self.services.memory)
        self.memory_dock = QDockWidget("Memory", self)
        self.memory_dock.setObjectName("memory-dock")
        self.memory_dock.setWidget(self.memory_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.memory_dock)
        self.tabifyDockWidget(self.documents_dock, self.memory_dock)
        self.memory_dock.hide()
        memory_action = self.memory_dock.toggleViewAction()
        memory_action.setText("Memory")
        assistant_action = self.assistant_dock.toggleViewAction()
        assistant_action.setText("Assistant")
        toolbar.addAction(assistant_action)

        documents_action = self.documents_dock.toggleViewAction()
        documents_action.setText("Documents")
        toolbar.addAction(documents_action)
        toolbar.addAction(memory_action)
        toolbar.addAction(device_action)
        # The icon each toolbar action wears (resources/icons/), painted again when the theme changes.
        self._action_icons = [
            (self.new_chat_action, "message-square-plus"),
            (self.get_models_action, "download"),
            (self.settings_action, "settings"),
            (assistant_action, "bot"),
            (documents_action, "file-text"),
            (memory_action, "brain"),
            (device_action, "gauge"),
            (self.server_switch.action, "server"),
        ]

        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("System:"))
        row.addWidget(self.system_prompt, 1)
        column.addLayout(row)
        # An empty chat shows the welcome in place of the conversation.
        self.chat_stack = QStackedWidget()
        self.chat_stack.addWidget(self.view)
        self.chat_stack.addWidget(self.welcome)
        column.addWidget(self.chat_stack, 1)
        column.addWidget(self.composer)

        splitter = QSplitter()
        self.splitter = splitter
        splitter.addWidget(self.conversations)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([270, 830])
        central = QWidget()
        outer = QHBoxLayout(central)
        outer.setContentsMargins(8, 6, 8, 4)
        outer.addWidget(splitter)
        self.setCentralWidget(central)
        self.statusBar().addPermanentWidget(self.model_label)
        self.statusBar().addPermanentWidget(self.rate_label)

    def _connect(self) -> None:
        self.conversations.sig_selected.connect(self.open_conversation)
        self.conversations.sig_new.connect(self.new_conversation)
        self.conversations.sig_renamed.connect(self._rename)
        self.conversations.sig_deleted.connect(self._delete)
        self.conversations.sig_search.connect(lambda _q: self.refresh_conversations())
        self.composer.sig_send.connect(self.send)
        self.composer.sig_stop.connect(self.stop)
        self.system_prompt.editingFinished.connect(self._save_system_prompt)
        self.model_picker.activated.connect(self._pick_model)
        self.sig_answer_finished.connect(self.device_panel.answer_finished)
        self.view.sig_source.connect(self.open_source)
        self.view.sig_memory.connect(self.show_memory)
        self.view.sig_copied.connect(lambda _code: self.statusBar().showMessage("Code copied.", 3000))
        self.memory_panel.sig_status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.device_panel.sig_device_changed.connect(
            lambda device: self.statusBar().showMessage(f"Next answers run on {device}.", 5000)
        )
        self.welcome.sig_example.connect(self.try_example)
        self.welcome.sig_get_models.connect(lambda: self.open_model_wizard())
        # A spoken request is sent as typed text is; its answer is spoken as it streams.
        self.sig_answer_started.connect(self.voice.answer_started)
        self.sig_token.connect(self.voice.answer_piece)
        self.sig_agent_event.connect(self.voice.agent_event)
        self.sig_answer_finished.connect(self.voice.answer_finished)
        self.voice.sig_barge_in.connect(self.stop)
        self.voice.sig_latency.connect(self.device_panel.voice_latency)
        self.voice.sig_message.connect(lambda text: self.statusBar().showMessage(text, 8000))

    def _fill_models(self) -> None:
        self.model_picker.clear()
        for entry in list_models(self.services.store.root):
            self.model_picker.addItem(entry.name, entry.id)
        self._select_model(self.services.settings.get("model"))

    def _select_model(self, model_id: str) -> None:
        index = self.model_picker.findData(model_id)
        if index >= 0:
            self.model_picker.setCurrentIndex(index)

    def check_reminders(self) -> Job:
        assistant = self.services.assistant
        job = self._reminders.submit(lambda _j: assistant.fire_due_reminders())
        job.sig_done.connect(self._show_reminders)
        return job

    def _show_reminders(self, fired: list) -> None:
        for reminder in fired:
            self.statusBar().showMessage(f"Reminder: {reminder.text}", 15000)

    def open_settings(self) -> SettingsDialog:
        """Modal but not blocking (show, not exec): the event loop, and any answer streaming, keep running."""
        status = self.services.voice.status()
        offered = {"voice_input_device": ["", *status.inputs], "voice_output_device": ["", *status.outputs]}
        dialog = SettingsDialog(
            self.services.settings, self, open_engines=self.open_remote_engines, offered=offered
        )
        dialog.accepted.connect(self.memory_panel.refresh_switches)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def open_remote_engines(self) -> RemoteEnginesDialog:
        dialog = RemoteEnginesDialog(self.services.store, self)
        dialog.setModal(True)
        dialog.show()
        return dialog

    def open_model_wizard(self, hub: HubClient | None = None) -> ModelWizard:
        wizard = ModelWizard(self.services, hub=hub, parent=self)
        wizard.sig_model_ready.connect(self._model_added)
        wizard.setModal(True)
        wizard.show()
        return wizard

    def _model_added(self, model_id: str) -> None:
        self._fill_models()
        if self.services.settings.get("model") == model_id:
            self._select_model(model_id)
            self.statusBar().showMessage("New chats use the new model.", 5000)

    # ---- conversations ----

    def refresh_conversations(self) -> None:
        convs = self.services.store.conversations
        query = self.conversations.search.text()
        found = convs.search(query) if query.strip() else convs.list()
        self.conversations.set_conversations(found, self.current_id)

    def new_conversation(self) -> None:
        conv = self.services.chat.new_conversation()
        self.conversations.search.clear()
        self.current_id = conv.id
        self.refresh_conversations()
        self.open_conversation(conv.id)
        self.composer.editor.setFocus()

    def open_conversation(self, conversation_id: int) -> None:
        conv = self.services.store.conversations.get(conversation_id)
        self.current_id = conv.id
        self.system_prompt.setText(conv.system_prompt)
        self._select_model(conv.model or self.services.settings.get("model"))
        messages = self.services.store.conversations.messages(conv.id)
        streaming = self._turn is not None and self._turn.conversation_id == conv.id
        if streaming:
            assert self._turn is not None
            self.view.show_messages([m for m in messages if m.id != self._turn.answer.id])
            self.view.begin_answer(self._stream_text)
        else:
            self.view.show_messages(messages)
        self._show_welcome(not messages and not streaming)
        self.setWindowTitle(f"{conv.title} · Hearth")
        self.documents_panel.set_conversation(conv.id)
        self.memory_panel.set_conversation(conv.id)

    def open_source(self, message_id: int, n: int) -> SourceViewer | None:
        """Show source [n] of an answer in its place in the file."""
        message = self.services.store.conversations.get_message(message_id)
        citation = next((c for c in citations_from_json(message.citations) if c.n == n), None)
        if citation is None:
            return None
        viewer = SourceViewer(citation, self)
        viewer.show()
        return viewer

    def show_memory(self, memory_id: int) -> None:
        """A memory an answer used, selected in the Memory panel."""
        self.memory_dock.show()
        self.memory_dock.raise_()
        self.memory_panel.select_memory(memory_id)

    def _rename(self, conversation_id: int, title: str) -> None:
        self.services.store.conversations.update(conversation_id, title=title)
        if conversation_id == self.current_id:
            self.setWindowTitle(f"{title} · Hearth")

    def _delete(self, conversation_id: int) -> None:
        if self._turn is not None and self._turn.conversation_id == conversation_id:
            self.statusBar().showMessage(
                "Stop the answer being written before deleting its conversation.", 5000
            )
            return
        self.services.store.conversations.delete(conversation_id)
        if conversation_id == self.current_id:
            self.current_id = None
            self.view.show_messages([])
            self._show_welcome(True)
            self.system_prompt.clear()
            self.documents_panel.set_conversation(None)
            self.memory_panel.set_conversation(None)
        self.refresh_conversations()

    def _save_system_prompt(self) -> None:
        if self.current_id is not None:
            self.services.store.conversations.update(self.current_id, system_prompt=self.system_prompt.text())

    def _pick_model(self, index: int) -> None:
        model_id = self.model_picker.itemData(index)
        self.services.settings.set("model", model_id)
        if self.current_id is not None:
            self.services.store.conversations.update(self.current_id, model=model_id)
        self.statusBar().showMessage(f"Next answers use {self.model_picker.itemText(index)}.", 5000)

    # ---- a turn ----

    def send(self, text: str) -> None:
        """The assistant service decides where the message goes (or the composer's forced mode)."""
        if self._job is not None:
            return
        mode = self.composer.mode()
        if mode != "auto":
            self._dispatch(text, mode)
            return
        assistant, documents = self.services.assistant, self.services.documents
        conversation_id = self.current_id
        self.composer.set_busy(True)
        self.rate_label.setText("Reading…")

        def route(_job: Job) -> str:
            grounded = conversation_id is not None and bool(
                documents.conversation_collections(conversation_id)
            )
            return assistant.route(text, grounded=grounded).target

        job = self.runner.submit(route)
        job.sig_done.connect(lambda target: self._routed(job, text, target))
        job.sig_failed.connect(lambda _message: self._routed(job, text, "chat"))
        self._job = self._routing_job = job

    def _routed(self, job: Job, text: str, target: object) -> None:
        if self._routing_job is not job:  # stopped while routing
            return
        self._job = self._routing_job = None
        self.composer.set_busy(False)
        self._dispatch(text, str(target))

    def _dispatch(self, text: str, target: str) -> None:
        self.composer.sent_to = target
        if target == "assistant":
            self.run_assistant(text)
        else:
            self.run_chat(text)

    def run_chat(self, text: str) -> None:
        turn = self._begin_turn(text, "Thinking…")
        if turn is None:
            return
        chat = self.services.chat
        job = self.runner.submit(
            lambda j: chat.run(
                turn, on_token=j.report, cancel=j.cancel_event, on_restart=lambda why: j.report(Restart(why))
            )
        )
        job.sig_progress.connect(self._on_piece)
        job.sig_done.connect(self._on_done)
        job.sig_failed.connect(self._on_failed)
        self._job = job
        self._live_timer.start()
        self.sig_answer_started.emit(turn.answer.id)

    def _begin_turn(self, text: str, status: str) -> Turn | None:
        """Record the user's message and an empty answer, and show both; None if the text cannot be sent."""
        if self.current_id is None:
            self.current_id = self.services.chat.new_conversation().id
            self.system_prompt.setText(self.services.store.conversations.get(self.current_id).system_prompt)
        try:
            turn = self.services.chat.begin(self.current_id, text)
        except HearthError as e:
            self.statusBar().showMessage(str(e), 5000)
            return None
        self._turn = turn
        self._stream_text = ""
        self._pieces = 0
        self._t_first = 0.0
        self._show_welcome(False)
        self.view.add_message(turn.user)
        self.view.begin_answer()
        self.refresh_conversations()
        self.composer.set_busy(True)
        self.rate_label.setText(status)
        return turn

    def run_assistant(self, text: str) -> None:
        """The request goes to the assistant: it plans, asks before side effects, acts, and answers."""
        turn = self._begin_turn(text, "Planning…")
        if turn is None:
            return
        self.plan_view.reset(text)
        self.assistant_dock.show()
        self.assistant_dock.raise_()
        assistant = self.services.assistant

        def work(job: Job) -> object:
            def consent(request: ConsentRequest) -> bool:
                waiter = ConsentWaiter(request, job.cancel_event)
                job.report(waiter)
                return waiter.wait()

            return assistant.run_turn(turn, consent=consent, on_event=job.report, cancel=job.cancel_event)

        job = self.runner.submit(work)
        job.sig_progress.connect(self._on_assistant_event)
        job.sig_done.connect(self._on_assistant_done)
        job.sig_failed.connect(self._on_failed)
        self._job = job
        self.sig_answer_started.emit(turn.answer.id)

    def _on_assistant_event(self, payload: object) -> None:
        if isinstance(payload, ConsentWaiter):
            self.plan_view.ask(payload)
            self.assistant_dock.raise_()
            self.rate_label.setText("Waiting for your answer…")
            return
        assert isinstance(payload, AgentEvent)
        self.plan_view.on_event(payload)
        self.sig_agent_event.emit(payload)
        if payload.kind == "answer_token":
            self._on_piece(payload.text)
        elif payload.kind == "step_started":
            self.rate_label.setText(f"Running {payload.tool}…")

    def _on_assistant_done(self, message: Message) -> None:
        self.actions_panel.refresh()
        self._end_turn(message)
        self.rate_label.setText("Stopped" if message.status == "stopped" else "Done")

    def stop(self) -> None:
        if self._job is not None and self._job is self._routing_job:  # nothing asked of the model yet
            self._job.cancel()
            self._job = self._routing_job = None
            self.composer.set_busy(False)
            self.rate_label.setText("Stopped")
            return
        if self._job is not None:
            self._job.cancel()
            self.rate_label.setText("Stopping…")

    def _on_piece(self, piece: object) -> None:
        if isinstance(piece, Restart):  # local first: the remote engine writes the answer again
            self._stream_text = ""
            if self._turn is not None and self._turn.conversation_id == self.current_id:
                self.view.restart_answer(f"Asking the remote engine ({piece.reason})…")
            self.rate_label.setText("Asking the remote engine…")
            return
        assert isinstance(piece, str)
        if not self._pieces:
            self._t_first = time.perf_counter()
        self._pieces += 1
        self._stream_text += piece
        if self._turn is not None and self._turn.conversation_id == self.current_id:
            self.view.append_piece(piece)
        self.sig_token.emit(piece)

    def _show_live_rate(self) -> None:
        if self._pieces > 1:
            rate = (self._pieces - 1) / max(time.perf_counter() - self._t_first, 1e-6)
            self.rate_label.setText(f"{rate:.1f} tok/s")

    def _on_done(self, message: Message) -> None:
        self._end_turn(message)
        if message.decode_tok_s:
            self.rate_label.setText(
                f"{message.completion_tokens} tokens · {message.decode_tok_s:.1f} tok/s · "
                f"first token {message.ttft_ms:.0f} ms"
            )
        else:
            self.rate_label.setText(f"{message.completion_tokens or 0} tokens")

    def _on_failed(self, error: str) -> None:
        assert self._turn is not None
        message = self.services.store.conversations.get_message(self._turn.answer.id)
        self._end_turn(message)
        self.rate_label.setText("")
        self.statusBar().showMessage(error, 10000)

    def _end_turn(self, message: Message) -> None:
        turn = self._turn
        self._job = None
        self._turn = None
        self._live_timer.stop()
        self.composer.set_busy(False)
        if turn is not None and turn.conversation_id == self.current_id:
            self.view.finish_answer(message)
        self.model_label.setText(self._loaded_model_text())
        self.sig_answer_finished.emit(message)

    def _loaded_model_text(self) -> str:
        spec = self.services.host.loaded
        if spec is None:
            return ""
        index = self.model_picker.findData(spec.model)
        name = self.model_picker.itemText(index) if index >= 0 else spec.model
        where = "GPU" if spec.n_gpu_layers else "CPU"
        return f"{name} on {where}"

    # ---- the welcome, the theme, the window's place ----

    def _show_welcome(self, show: bool) -> None:
        self.chat_stack.setCurrentWidget(self.welcome if show else self.view)

    def try_example(self, kind: str, text: str) -> None:
        """A welcome example: the chat ones fill the message box, the others open their panel."""
        if kind == "documents":
            self.documents_dock.show()
            self.documents_dock.raise_()
            return
        if kind == "device":
            self.device_dock.show()
            self.device_dock.raise_()
            return
        self.composer.set_mode("assistant" if kind == "assistant" else "chat")
        self.composer.editor.setPlainText(text)
        self.composer.editor.setFocus()
        if kind == "memory":
            # Send it, then watch the Memory panel: Hearth learns the fact after answering.
            self.memory_dock.show()
            self.memory_dock.raise_()
        self.statusBar().showMessage("Press Enter to send.", 5000)

    def _apply_theme(self, name: str) -> None:
        accents = ACCENTS[name]
        for action, icon_name in self._action_icons:
            action.setIcon(icon(icon_name, accents["icon"]))
        self.welcome.set_icon_colour(accents["icon"])
        self.view.set_accents(accents)
        if self.current_id is not None and self._turn is None:
            self.open_conversation(self.current_id)  # shown again in the new colours

    def bring_forward(self) -> None:
        """Another start of Hearth for this data folder asked for this window."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def _restore_window_state(self) -> None:
        state = self._window_state
        geometry, docks, split = (state.value(k) for k in ("geometry", "state", "splitter"))
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(docks, QByteArray):
            self.restoreState(docks)
        if isinstance(split, QByteArray):
            self.splitter.restoreState(split)

    def save_window_state(self) -> None:
        state = self._window_state
        state.setValue("geometry", self.saveGeometry())
        state.setValue("state", self.saveState())
        state.setValue("splitter", self.splitter.saveState())
        state.sync()

    # ---- lifetime ----

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.save_window_state()
        # Stop the answer (its text so far is saved as stopped), wait for the worker, then release the model.
        self._reminder_timer.stop()
        self.server_switch.shutdown()  # first: its requests finish before the model goes
        self.runner.shutdown()
        self._reminders.shutdown()
        self.documents_panel.shutdown()
        self.memory_panel.shutdown()
        self.device_panel.shutdown()
        event.accept()
