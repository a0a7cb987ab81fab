"""Where the user writes: Enter sends, Shift+Enter starts a new line, Stop ends a streaming answer; the
microphone button (Ctrl+M) speaks a request instead, with a level meter while it listens."""

from __future__ import annotations

from app.qt import (
    QComboBox,
    QEvent,
    QHBoxLayout,
    QKeyEvent,
    QObject,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

MODES = (("Auto", "auto"), ("Chat", "chat"), ("Assistant", "assistant"))


class Composer(QWidget):
    """Signals:
    sig_send(str): the text to send (never empty or blank).
    sig_stop(): the user wants the current answer stopped.
    sig_mic(): the microphone button was pressed (listen, end the utterance, or talk over the answer).
    """

    sig_send = Signal(str)
    sig_stop = Signal()
    sig_mic = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Message Hearth  (Enter to send, Shift+Enter for a new line)")
        self.editor.setFixedHeight(64)
        # One composer: Hearth decides per message whether it needs a tool (the assistant) or is a plain
        # question (chat); the user can force either.
        self.mode_picker = QComboBox()
        for label, mode in MODES:
            self.mode_picker.addItem(label, mode)
        self.mode_picker.setToolTip(
            "Auto: Hearth acts with its tools (notes, calendar, reminders, mail drafts, files, maps...) when a "
            "message asks for it, and answers as a chat otherwise. Anything that changes something asks "
            "you first. Chat or Assistant forces one."
        )
        self.sent_to = "chat"  # where the last message went, once routed (the window sets it)
        self.send_button = QPushButton("Send")
        self.stop_button = QPushButton("Stop")
        self.send_button.setDefault(True)
        self.mic_button = QPushButton("Speak")
        self.mic_button.setToolTip("Speak a request (Ctrl+M); it is sent when you stop talking")
        self.level_meter = QProgressBar()
        self.level_meter.setRange(0, 100)
        self.level_meter.setTextVisible(False)
        self.level_meter.setFixedSize(64, 8)
        self.level_meter.setToolTip("Microphone level")
        self.level_meter.hide()
        mic = QVBoxLayout()
        mic.setSpacing(2)
        mic.addWidget(self.level_meter)
        mic.addWidget(self.mic_button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor, 1)
        layout.addLayout(mic)
        layout.addWidget(self.mode_picker, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addWidget(self.stop_button, 0, Qt.AlignmentFlag.AlignBottom)

        self._busy = False
        self.editor.installEventFilter(self)
        self.editor.textChanged.connect(self._update_buttons)
        self.send_button.clicked.connect(self._send)
        self.stop_button.clicked.connect(self.sig_stop)
        self.mic_button.clicked.connect(self.sig_mic)
        self._update_buttons()

    def mode(self) -> str:
        """ "auto", "chat" or "assistant"."""
        return str(self.mode_picker.currentData())

    def set_mode(self, mode: str) -> None:
        self.mode_picker.setCurrentIndex(max(0, self.mode_picker.findData(mode)))

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.editor and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self._send()
                return True
        return super().eventFilter(watched, event)

    def _can_send(self) -> bool:
        return not self._busy and bool(self.editor.toPlainText().strip())

    def _update_buttons(self) -> None:
        self.send_button.setEnabled(self._can_send())
        self.stop_button.setEnabled(self._busy)

    def submit(self) -> bool:
        """Send what is in the editor, as Enter does (a spoken request, once transcribed). False if it cannot."""
        if not self._can_send():
            return False
        self._send()
        return True

    def set_voice_unavailable(self, reason: str) -> None:
        self.mic_button.setEnabled(False)
        self.mic_button.setToolTip(reason)

    def _send(self) -> None:
        if not self._can_send():
            return
        text = self.editor.toPlainText().strip()
        self.editor.clear()
        self.sig_send.emit(text)
