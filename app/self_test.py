"""`hearth --self-test`: the installed app, checked end to end on Qt's offscreen platform.

It opens the real main window on a temporary data folder (the user's own is never touched), runs one chat
turn on the embedded model through the window as a user would, indexes the shipped sample documents and
searches them, plans an assistant request without running it, and starts a Python child process the way
the quantizer and the converter are started. Each check prints one line; the exit status is 0 only if
every check passed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

CHAT_PROMPT = "What is the capital of France? Answer in one word."
SEARCH_QUERY = "When does the first weekday ferry leave the north pier?"
SEARCH_SOURCE = "orla_ferry.md"
PLAN_REQUEST = "Make a note called Books with Dune in it"
TURN_TIMEOUT_MS = 300_000


class CheckFailed(Exception):
    pass


def run() -> int:
    # Before Qt is imported: no screen is needed, and the user's data folder is left alone.
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["HF_HUB_OFFLINE"] = "1"
    with tempfile.TemporaryDirectory(prefix="hearth-self-test-") as tmp:
        os.environ["HEARTH_HOME"] = tmp
        return _run(Path(tmp))


def _run(home: Path) -> int:
    from core import __version__
    from core.frozen import bundle_dir

    where = bundle_dir()
    print(
        f"Hearth {__version__} self-test ({f'bundle at {where}' if where else 'from source'}), data in {home}"
    )
    results: list[bool] = []

    def check(name: str, fn: Callable[[], str]) -> None:
        t0 = time.perf_counter()
        try:
            detail = fn()
            ok = True
        except Exception as e:  # every failure is reported, and the other checks still run
            detail = f"{type(e).__name__}: {e}"
            if not isinstance(e, CheckFailed):
                traceback.print_exc()
            ok = False
        results.append(ok)
        print(f"  {'ok  ' if ok else 'FAIL'} {name}: {detail} ({time.perf_counter() - t0:.1f} s)", flush=True)

    from app.main_window import MainWindow
    from app.qt import QApplication, QEventLoop, QTimer
    from app.theme import Theme
    from core.services import Services
    from core.store import Message

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0]])
    services = Services.open(home)
    services.settings.set("temperature", 0.0)
    services.settings.set("max_tokens", 24)
    services.settings.set("n_ctx", 1024)
    services.settings.set("memory_enabled", False)  # no background learning competing with the checks
    window: MainWindow | None = None

    def open_window() -> str:
        nonlocal window
        window = MainWindow(services, Theme(app))
        window.show()
        app.processEvents()
        if window.chat_stack.currentWidget() is not window.welcome:
            raise CheckFailed("the welcome is not shown in the first, empty chat")
        return f"main window and welcome shown on '{app.platformName()}'"

    def chat_turn() -> str:
        if window is None:
            raise CheckFailed("no window")
        finished: list[Message] = []
        loop = QEventLoop()

        def done(message: Message) -> None:
            finished.append(message)
            loop.quit()

        window.sig_answer_finished.connect(done)
        QTimer.singleShot(TURN_TIMEOUT_MS, loop.quit)
        window.composer.editor.setPlainText(CHAT_PROMPT)
        window.composer.send_button.click()
        loop.exec()
        if not finished:
            raise CheckFailed(f"no answer within {TURN_TIMEOUT_MS // 1000} s")
        message = finished[0]
        text = message.content.strip()
        if message.status != "complete" or not text:
            raise CheckFailed(f"the answer ended '{message.status}': {message.error or ''}")
        shown = text.replace("\n", " ")[:60]
        return f'{message.completion_tokens} tokens, first token {message.ttft_ms or 0:.0f} ms: "{shown}"'

    def document_search() -> str:
        from core.resources import resource_path

        report = services.documents.add([resource_path("eval", "rag", "docs")], "self-test")
        hits = services.documents.search(SEARCH_QUERY, ["self-test"], k=3)
        if not hits or Path(hits[0].file).name != SEARCH_SOURCE:
            found = [Path(h.file).name for h in hits]
            raise CheckFailed(f"expected {SEARCH_SOURCE} first for '{SEARCH_QUERY}', got {found}")
        return f"{SEARCH_SOURCE} found first among {len(report.added)} sample documents indexed"

    def dry_run_plan() -> str:
        report = services.assistant.plan(PLAN_REQUEST)
        plan = report.planner.plan
        if not plan.text.strip() and not plan.steps:
            raise CheckFailed("the planner wrote nothing")
        tools = ", ".join(step.tool for step in plan.steps) or "no tool (plain answer)"
        return f"{len(plan.steps)} step(s): {tools}; {report.planner.prompt_tokens} prompt tokens"

    def python_child() -> str:
        from core.models.child import run_child
        from core.models.convert import converter_dir, converter_installed

        lines: list[str] = []
        result = run_child(
            ["-c", "import llama_cpp, core.models.quantize_worker; print('child ok', llama_cpp.__version__)"],
            lines.append,
            None,
            "The self-test's child process",
        )
        if result.returncode != 0 or not any(line.startswith("child ok") for line in lines):
            raise CheckFailed(f"exit {result.returncode}: {' | '.join(result.tail[-3:])}")
        converter = converter_dir()
        if where is not None and not converter_installed(converter):
            raise CheckFailed(f"the bundle's converter is missing at {converter}")
        return f"{lines[-1].strip()}; converter at {converter}"

    try:
        check("window", open_window)
        check("chat turn on the embedded model", chat_turn)
        check("document search", document_search)
        check("dry-run plan", dry_run_plan)
        check("Python child process (quantizer, converter)", python_child)
    finally:
        if window is not None:
            window.close()
        services.close()
    passed = sum(results)
    verdict = "passed" if all(results) else "FAILED"
    print(f"self-test {verdict}: {passed} of {len(results)} checks")
    return 0 if all(results) else 1
