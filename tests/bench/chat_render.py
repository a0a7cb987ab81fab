"""Benchmark: GUI-thread CPU time of one render tick of a streaming Markdown answer, by answer length.

Each tick re-renders the streaming answer whole (its Markdown blocks are re-parsed only where they changed).
Side by side, the same text through Qt's own Markdown importer, as the view rendered it before. CPU time
of the thread, not wall time, so other work on the machine does not count. Run:
`QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/chat_render.py`.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.chat_view import ChatView  # noqa: E402
from app.qt import QApplication, QTextBrowser, QTextCursor, QTextDocumentFragment  # noqa: E402

PIECE = 8  # characters per tick: about two tokens
LENGTHS = (500, 1500, 3000, 6000)
ANSWER = """Here is **the plan**, with *care*:

- Monday: groceries
- Tuesday: the dentist, at `10:00`

| Day | Task | Hours |
|-----|------|------:|
| Mon | Groceries | 1 |
| Tue | Dentist | 2 |

```python
def greet(name):
    return f"Hello, {name}!"
```

Some **bold** words, a [link](https://example.org), and `code`, again and again, as answers go on.

"""


def qt_markdown_view() -> tuple[QTextBrowser, Callable[[str], None]]:
    view = QTextBrowser()

    def render(text: str) -> None:
        cursor = QTextCursor(view.document())
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertFragment(QTextDocumentFragment.fromMarkdown(text))

    return view, render


def hearth_view() -> tuple[QTextBrowser, Callable[[str], None]]:
    view = ChatView()
    view.begin_answer()

    def render(text: str) -> None:
        view._stream_text = text
        view._render_stream()

    return view, render


def tick_costs(
    app: QApplication, make: Callable[[], tuple[QTextBrowser, Callable[[str], None]]]
) -> list[float]:
    """Median CPU ms of the ticks just before each length, streaming the text piece by piece."""
    view, render = make()
    view.resize(700, 500)
    view.show()
    text = ANSWER * (max(LENGTHS) // len(ANSWER) + 1)
    costs: list[float] = []
    ticks: list[float] = []
    for end in range(PIECE, max(LENGTHS) + 1, PIECE):
        start = time.thread_time()
        render(text[:end])
        app.processEvents()  # the layout and the paint that follow the edit
        ticks.append((time.thread_time() - start) * 1000)
        if end + PIECE > LENGTHS[len(costs)]:
            costs.append(statistics.median(ticks[-20:]))
            if len(costs) == len(LENGTHS):
                break
    view.close()
    return costs


def main() -> int:
    app = QApplication.instance() or QApplication([])
    hearth = tick_costs(app, hearth_view)
    qt = tick_costs(app, qt_markdown_view)
    print(f"{'answer length':<16}{'Hearth ms':>11}{'Qt Markdown ms':>16}{'ratio':>8}")
    for length, h, q in zip(LENGTHS, hearth, qt, strict=True):
        print(f"{length:<16}{h:>11.1f}{q:>16.1f}{h / max(q, 1e-6):>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
