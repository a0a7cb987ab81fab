"""The welcome shown in an empty chat: what Hearth can do, one example of each to click, and Get models…."""

from __future__ import annotations

from dataclasses import dataclass

from app.icons import icon
from app.qt import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QSize,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)


@dataclass(frozen=True)
class Example:
    kind: str  # chat | assistant | documents | memory | device
    title: str
    what: str
    label: str  # the button's text
    text: str  # what goes into the composer ("" for examples that open a panel)
    icon: str


EXAMPLES = (
    Example(
        "chat",
        "Chat",
        "Ask anything; the answer is written as you watch, and every chat is kept on this computer.",
        "Explain why the sky is blue, in two sentences.",
        "Explain why the sky is blue, in two sentences.",
        "message-square",
    ),
    Example(
        "assistant",
        "The assistant",
        "Hearth acts with its tools: notes, calendar, reminders, mail drafts, files, maps. It asks before "
        "it changes anything, and what it did can be undone.",
        "Make a note called Books with Dune in it",
        "Make a note called Books with Dune in it",
        "bot",
    ),
    Example(
        "documents",
        "Documents",
        "Add files or folders (text, Markdown, PDF, Word, HTML, code) and ask about them; answers show "
        "their sources.",
        "Open Documents to add a folder…",
        "",
        "file-text",
    ),
    Example(
        "memory",
        "Memory",
        "Hearth remembers what you tell it about yourself, across chats. You see, edit and forget every "
        "memory in the Memory panel.",
        "My dog is called Biscuit.",
        "My dog is called Biscuit.",
        "brain",
    ),
    Example(
        "device",
        "Device panel",
        "What each answer costs: speed, time to the first word, power and memory.",
        "Show the device panel",
        "",
        "gauge",
    ),
)


class Welcome(QWidget):
    """Signals:
    sig_example(str, str): the kind of example clicked and its text (see EXAMPLES).
    sig_get_models(): the user wants the model wizard.
    """

    sig_example = Signal(str, str)
    sig_get_models = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        self.buttons: dict[str, QPushButton] = {}
        self._icons: dict[str, QLabel] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 18)
        title = QLabel("<h2>Welcome to Hearth</h2>")
        self.intro = QLabel(
            "A private assistant on a small language model that runs on this computer: nothing you write "
            "leaves it. Type below to start, or try one of these:"
        )
        self.intro.setWordWrap(True)
        outer.addWidget(title)
        outer.addWidget(self.intro)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(10)
        for row, example in enumerate(EXAMPLES):
            picture = QLabel()
            picture.setFixedSize(QSize(28, 28))
            self._icons[example.icon] = picture
            text = QLabel(f"<b>{example.title}</b><br>{example.what}")
            text.setWordWrap(True)
            button = QPushButton(example.label)
            button.setObjectName(f"welcome-{example.kind}")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setToolTip("Puts this in the message box" if example.text else "Opens the panel")
            button.clicked.connect(lambda _=False, e=example: self.sig_example.emit(e.kind, e.text))
            self.buttons[example.kind] = button
            grid.addWidget(picture, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(text, row, 1)
            grid.addWidget(button, row, 2, Qt.AlignmentFlag.AlignVCenter)
        grid.setColumnStretch(1, 1)
        outer.addLayout(grid)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        outer.addWidget(line)
        self.models_hint = QLabel(
            "Hearth starts on a very small model (SmolLM2 135M, built in), so its answers are simple. "
            '<a href="get-models">Get models…</a> finds bigger ones that fit this computer, and downloads '
            "them once."
        )
        self.models_hint.setWordWrap(True)
        self.models_hint.linkActivated.connect(lambda _link: self.sig_get_models.emit())
        outer.addWidget(self.models_hint)
        outer.addStretch(1)

    def set_icon_colour(self, colour: str) -> None:
        for name, label in self._icons.items():
            label.setPixmap(icon(name, colour).pixmap(QSize(24, 24)))
