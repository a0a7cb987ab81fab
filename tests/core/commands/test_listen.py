"""`hearth listen --act --dry-run`: a spoken request planned by the assistant as the typed one would be."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from core.cli import main
from core.settings import Settings
from core.store import Store
from core.voice.evaluation import word_error_rate
from tests.conftest import TEST_THREADS

# Spoken requests and the tools the assistant needs for them. Which tool the 135M planner then names is a
# greedy choice that moves with the CPU and with what Whisper heard ("call month" for "call mom" once made
# it plan a calendar event), so the test checks what does not: the transcript, that ToolRAG offers the
# needed tools for it, and that the plan (run as for typed text) names only offered tools and does nothing.
CASES = [
    ("Remind me to call mom tomorrow at six pm.", {"create_reminder"}),
    ("Set a timer for ten minutes.", {"set_timer"}),
]

pytestmark = pytest.mark.model  # the embedded model runs in this process


@pytest.mark.parametrize(("request_text", "tools"), CASES)
def test_a_spoken_request_is_planned_with_the_expected_tools(  # type: ignore[no-untyped-def]
    request_text: str, tools: set[str], spoken, capsys, hearth_home: Path
) -> None:
    store = Store()
    Settings(store.settings).set("n_threads", TEST_THREADS)  # CI plans with 1 and with 2 threads
    store.close()
    assert main(["listen", str(spoken(request_text)), "--act", "--dry-run", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)  # one object: the transcript and the plan
    heard = data["transcript"]["transcript"]
    assert word_error_rate([request_text], [heard]) <= 0.25, heard  # Piper's rendering varies a little
    offered = set(data["tools_offered"])
    assert tools <= offered, f"offered {offered} for {heard!r}"
    planned = {step["tool"] for step in data["steps"]}
    assert planned <= offered, f"planned {planned} for {heard!r}"
    with sqlite3.connect(hearth_home / "hearth.db") as db:  # a dry run does nothing
        assert db.execute("select count(*) from reminders").fetchone()[0] == 0
