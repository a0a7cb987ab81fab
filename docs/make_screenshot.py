"""Makes docs/main-window.png: the real app on a virtual X screen after a real exchange with the model.

Run: `xvfb-run -a -s "-screen 0 1200x760x24" .venv/bin/python docs/make_screenshot.py docs/main-window.png`
(`make screenshot` does this). The picture is the X screen itself, grabbed after the answer finished.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.main import STYLE_SHEET  # noqa: E402
from app.main_window import MainWindow  # noqa: E402
from app.qt import QApplication, QTimer  # noqa: E402
from core.services.container import Services  # noqa: E402

DOCUMENT_QUESTION = "What time does the first weekday ferry leave the north pier?"
ASSISTANT_REQUEST = "Make a note called Books with Dune and Emma"
QUESTIONS = [
    "What is the capital of France?",
    "Give me three tips for sleeping well, as a bulleted list.",
]


def main(out: Path, device_panel: bool = False, documents: bool = False, assistant: bool = False) -> int:
    app = QApplication([])
    app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as home:
        services = Services.open(Path(home))
        services.settings.set("temperature", 0.0)
        services.settings.set("max_tokens", 160)
        for title in ("Sourdough starter schedule", "Trip to Lisbon: trams and museums"):
            services.store.conversations.create(title)
        window = MainWindow(services)
        window.resize(1180, 740)
        window.move(10, 10)
        window.show()
        if device_panel:
            window.resize(1400, 860)
            window.device_dock.show()
        window.new_conversation()
        pending = list(QUESTIONS)
        if documents:
            window.resize(1400, 860)
            window.documents_dock.show()
            docs = Path(__file__).resolve().parents[1] / "resources/eval/rag/docs"
            services.documents.add([docs], "my notes")
            window.documents_panel.reload_collections(select="my notes")
            services.documents.set_conversation_collections(window.current_id, ["my notes"])
            window.documents_panel.set_conversation(window.current_id)
            pending = [DOCUMENT_QUESTION]
        if assistant:
            window.resize(1400, 860)
            window.composer.assistant_toggle.setChecked(True)
            pending = [ASSISTANT_REQUEST]
            # The picture is taken while Hearth asks before writing the note.
            window.plan_view.sig_consent_asked.connect(lambda _card: QTimer.singleShot(600, grab))

        def next_question(_message: object = None) -> None:
            if pending:
                window.send(pending.pop(0))
            else:
                QTimer.singleShot(400, grab)

        def grab() -> None:
            size = window.frameGeometry()
            window.screen().grabWindow(0).copy(0, 0, size.width() + 20, size.height() + 20).save(str(out))
            app.quit()

        window.sig_answer_finished.connect(next_question)
        QTimer.singleShot(300, next_question)
        app.exec()
        window.close()
        services.close()
    print(f"saved {out}")
    return 0


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    sys.exit(
        main(
            Path(args[0] if args else "docs/main-window.png"),
            device_panel="--device-panel" in sys.argv,
            documents="--documents" in sys.argv,
            assistant="--assistant" in sys.argv,
        )
    )
