"""Makes docs/main-window.png: the real app on a virtual X screen after a real exchange with the model.

Run: `xvfb-run -a -s "-screen 0 1200x760x24" .venv/bin/python docs/make_screenshot.py docs/main-window.png`
(`make screenshot` does this). The picture is the X screen itself, grabbed after the answer finished.
--device-panel, --documents, --assistant and --memory (docs/memory.png, on a 1440x900 screen) show a dock.
--markdown (docs/chat-markdown.png) streams a written answer with a list, a table and a code block into the
view, piece by piece as tokens come: the embedded model does not write tables reliably enough to show one.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.theme import STYLE_SHEETS  # noqa: E402
from app.main_window import MainWindow  # noqa: E402
from app.qt import QApplication, QTimer  # noqa: E402
from core.services import Services  # noqa: E402
from core.store import Message  # noqa: E402

DOCUMENT_QUESTION = "What time does the first weekday ferry leave the north pier?"
ASSISTANT_REQUEST = "Make a note called Books with Dune and Emma"
# --memory: what two earlier background runs learnt (chat title, day, added, (old, new) updated), one fact
# the user wrote, then a real exchange that recalls them and a real run that learns from it.
LEARNT = [
    (
        "Trip to Lisbon: trams and museums",
        "2025-05-12",
        [
            "Is planning a trip to Lisbon in June",
            "Prefers museums to beaches",
            "Travels with their sister Ana",
        ],
        [],
    ),
    (
        "Sourdough starter schedule",
        "2025-06-02",
        ["Bakes sourdough bread every Saturday", "Feeds the starter with rye flour", "Is vegetarian"],
        [("Is planning a trip to Lisbon in June", "Is planning a trip to Lisbon in September")],
    ),
]
WRITTEN = ["Has a cat called Miso", "Prefers recipes in metric units"]
MEMORY_QUESTION = "What vegetarian dish could I cook tonight?"
MARKDOWN_QUESTION = "Compare three ways to back up my notes, and give me a script for the simplest."
MARKDOWN_ANSWER = """Here are three common ways, from the **simplest** to the most *thorough*:

1. **Copy** the folder to a USB drive by hand, once a week.
2. **Mirror** it to a second disk every night with `rsync`.
3. **Snapshot** it with a backup tool such as `restic`, which keeps old versions.

| Method | Effort | Keeps old versions | Restore |
|--------|--------|:------------------:|---------|
| USB copy | by hand | no | copy back |
| rsync | automatic | no | copy back |
| restic | automatic | yes | `restic restore` |

A script for the `rsync` way; run it nightly from cron:

```bash
#!/bin/sh
# Mirror the notes folder to the backup disk.
rsync -a --delete "$HOME/Notes/" /mnt/backup/notes/
echo "Backed up at $(date)" >> "$HOME/backup.log"
```

Keep the backup disk unplugged when you are not using it:
a copy that is always connected
can be lost with the original."""
QUESTIONS = [
    "What is the capital of France?",
    "Give me three tips for sleeping well, as a bulleted list.",
]


def fill_memory(services: Services) -> None:
    """Memories as two background runs would have left them: in SQLite, in the index, runs and events logged."""
    memory = services.memory
    titles = {c.title: c.id for c in services.store.conversations.list()}

    for title, day, added, updated in LEARNT:
        run = memory.memories.begin_run("exchange", titles[title])
        for text in added:
            vector = memory.index.embed([text])[0]
            m = memory.memories.add(
                text,
                vector.tobytes(),
                embed_model=memory.index.embed_model,
                conversation_id=titles[title],
                happened_at=day,
                run_id=run.id,
                fact=text,
            )
            memory.index.add(m.id, vector)
        for old, new in updated:
            target = next(m for m in memory.list() if m.text == old)
            vector = memory.index.embed([new])[0]
            memory.memories.update(target.id, new, vector.tobytes(), run_id=run.id, fact=new, happened_at=day)
            memory.index.replace(target.id, vector)
        memory.memories.finish_run(
            run.id, "done", {"facts": len(added) + len(updated), "added": len(added), "updated": len(updated)}
        )
    for text in WRITTEN:
        memory.add(text)


def stream_markdown_answer(window: MainWindow, services: Services, then: Callable[[], None]) -> None:
    """The written answer into the real view as a stream of small pieces, then stored and shown finished."""
    assert window.current_id is not None
    convs = services.store.conversations
    conversation_id = window.current_id
    convs.update(conversation_id, title="Backing up my notes")
    window.refresh_conversations()
    window.view.add_message(convs.add_message(conversation_id, "user", MARKDOWN_QUESTION))
    window.view.begin_answer()
    pieces = [MARKDOWN_ANSWER[i : i + 4] for i in range(0, len(MARKDOWN_ANSWER), 4)]
    timer = QTimer(window, interval=8)

    def feed() -> None:
        if pieces:
            window.view.append_piece(pieces.pop(0))
            return
        timer.stop()
        answer = convs.add_message(conversation_id, "assistant", MARKDOWN_ANSWER)
        window.view.finish_answer(answer)
        QTimer.singleShot(400, then)

    timer.timeout.connect(feed)
    timer.start()


def main(
    out: Path,
    device_panel: bool = False,
    documents: bool = False,
    assistant: bool = False,
    memory: bool = False,
    markdown: bool = False,
) -> int:
    app = QApplication([])
    app.setStyleSheet(STYLE_SHEETS["light"].read_text(encoding="utf-8"))
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
            window.composer.set_mode("assistant")
            pending = [ASSISTANT_REQUEST]
            # The picture is taken while Hearth asks before writing the note.
            window.plan_view.sig_consent_asked.connect(lambda _card: QTimer.singleShot(600, grab))

        if memory:
            window.resize(1400, 860)
            fill_memory(services)
            window.memory_dock.show()
            pending = [MEMORY_QUESTION]
            # The picture waits for the background run that learns from the answer.
            window.memory_panel.sig_run.connect(lambda _run: QTimer.singleShot(300, next_question))

        if markdown:
            pending = []
            QTimer.singleShot(300, lambda: stream_markdown_answer(window, services, then=grab))

        def next_question(_message: object = None) -> None:
            if pending:
                window.send(pending.pop(0))
                return
            if memory and window.current_id is not None:
                # As if the user clicked the first memory the answer used.
                messages: list[Message] = services.store.conversations.messages(window.current_id)
                if messages[-1].memories:
                    window.show_memory(json.loads(messages[-1].memories)[0]["id"])
            QTimer.singleShot(400, grab)

        def grab() -> None:
            size = window.frameGeometry()
            window.screen().grabWindow(0).copy(0, 0, size.width() + 20, size.height() + 20).save(str(out))
            app.quit()

        if not markdown:
            if not memory:
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
            memory="--memory" in sys.argv,
            markdown="--markdown" in sys.argv,
        )
    )
