"""The voice worker in the window: the microphone button and Ctrl+M, the level meter, the transcript in the
composer, spoken answers, barge-in. A thin adapter: the worker (core/voice) does the work on its threads;
its events reach the GUI thread through a queued signal, so no audio thread ever waits on the GUI.
"""

from __future__ import annotations

from app.composer import Composer
from app.qt import QAction, QKeySequence, QObject, Qt, QWidget, Signal
from core.assistant.events import AgentEvent
from core.errors import HearthError
from core.store import Message
from core.voice.answers import AgentSpeech
from core.voice.service import VoiceService
from core.voice.worker import Reply, VoiceEvent, VoiceWorker

SHORTCUT = "Ctrl+M"
_BUTTON_TEXT = {
    "idle": ("Speak", f"Speak a request ({SHORTCUT}); it is sent when you stop talking"),
    "listening": ("Listening…", "Listening: speak now, or press to stop"),
    "hearing": ("Listening…", "Press to send what you said now"),
    "transcribing": ("Listening…", "Working out what you said"),
    "answering": ("Stop", "Stop the spoken answer and speak again"),
    "speaking": ("Stop", "Stop the spoken answer and speak again"),
}


class VoiceController(QObject):
    """Signals:
    sig_state(str): the worker's state: idle, listening, hearing, transcribing, answering, speaking.
    sig_transcript(str): what the user said, final; it is then sent as typed text is.
    sig_spoken(str): a sentence of the answer whose audio just started.
    sig_barge_in(): the user talked over the answer (or pressed the button): it was silenced.
    sig_latency(object): a finished spoken turn's TurnLatency.
    sig_message(str): a line for the status bar.
    """

    sig_state = Signal(str)
    sig_transcript = Signal(str)
    sig_spoken = Signal(str)
    sig_barge_in = Signal()
    sig_latency = Signal(object)
    sig_message = Signal(str)
    _sig_event = Signal(object)  # emitted on the worker's threads, delivered on the GUI thread

    def __init__(self, voice: VoiceService, composer: Composer, parent: QWidget) -> None:
        super().__init__(parent)
        self.voice = voice
        self.composer = composer
        self._worker: VoiceWorker | None = None
        self._reply: Reply | None = None
        self._speech: AgentSpeech | None = None
        self._awaiting_answer = False  # the next answer that starts is for the spoken request
        self._queued: str | None = None  # a transcript waiting for the answer being written to end
        self._prefix = ""
        status = voice.status()
        self.available = status.input_ok
        self.reason = status.reason
        if not self.available:
            composer.set_voice_unavailable(self.reason)
        self._sig_event.connect(self._on_event)
        composer.sig_mic.connect(self.toggle)
        composer.sig_stop.connect(self.stop_speaking)  # Stop ends the answer: its voice too
        self.action = QAction("Speak", parent)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.triggered.connect(self.toggle)
        parent.addAction(self.action)

    @property
    def worker(self) -> VoiceWorker:
        if self._worker is None:
            self._worker = self.voice.worker(on_event=self._sig_event.emit)
        return self._worker

    @property
    def state(self) -> str:
        return "idle" if self._worker is None else self._worker.state

    def toggle(self) -> None:
        """The button or Ctrl+M: listen; send now; or stop the spoken answer and listen again."""
        if not self.available:
            self.sig_message.emit(self.reason)
            return
        try:
            self.worker.toggle()
        except HearthError as e:
            self.sig_message.emit(str(e))

    def stop_speaking(self) -> None:
        if self._worker is not None:
            self._worker.stop_speaking()
        self._reply, self._speech = None, None

    # ---- from the window: the answer to a spoken request ----

    def answer_started(self, message_id: int) -> None:
        if not self._awaiting_answer or self._worker is None:
            return
        self._awaiting_answer = False
        self._reply = self._worker.reply(message_id)
        self._speech = AgentSpeech(self._reply) if self.composer.sent_to == "assistant" else None

    def answer_piece(self, piece: str) -> None:
        if self._reply is not None and self._speech is None:
            self._reply.feed(piece)

    def agent_event(self, event: AgentEvent) -> None:
        if self._speech is not None:
            self._speech.on_event(event)

    def answer_finished(self, message: Message) -> None:
        if self._speech is not None:
            self._speech.end()
        elif self._reply is not None:
            self._reply.finish()
        self._reply, self._speech = None, None
        if self._queued is not None:
            text, self._queued = self._queued, None
            self._send(text)

    # ---- from the worker ----

    def _on_event(self, e: VoiceEvent) -> None:
        if e.kind == "state" and e.state is not None:
            self._show_state(e.state)
            self.sig_state.emit(e.state)
        elif e.kind == "level":
            self.composer.level_meter.setValue(int(e.level * 100))
        elif e.kind == "partial":
            self.composer.editor.setPlainText(self._prefix + e.text)
        elif e.kind == "transcript":
            self.sig_transcript.emit(e.text)
            self._send(e.text)
        elif e.kind == "barge_in":
            self._reply, self._speech = None, None
            self.sig_barge_in.emit()
        elif e.kind == "spoken":
            self.sig_spoken.emit(e.text)
        elif e.kind == "latency" and e.latency is not None:
            self.sig_latency.emit(e.latency)
            self.sig_message.emit(f"Voice: {e.latency.describe()}")
        elif e.kind in ("no_speech", "error"):
            self.sig_message.emit(e.text)

    def _show_state(self, state: str) -> None:
        text, tip = _BUTTON_TEXT.get(state, ("Speak", ""))
        self.composer.mic_button.setText(text)
        self.composer.mic_button.setToolTip(tip)
        listening = state in ("listening", "hearing")
        self.composer.level_meter.setVisible(listening)
        if state == "listening":
            self._prefix = self.composer.editor.toPlainText().strip()
            self._prefix += " " if self._prefix else ""

    def _send(self, text: str) -> None:
        self.composer.editor.setPlainText(self._prefix + text)
        self._prefix = ""
        self._awaiting_answer = True
        if not self.composer.submit():
            # An answer is still being written (it was talked over and is stopping): send when it ends.
            self._awaiting_answer = False
            self._queued = text
