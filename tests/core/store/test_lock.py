"""Crash recovery runs only when no one else has the store open: another process's streaming answer is kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from core.store import Store

REPO = Path(__file__).resolve().parents[3]

# A second Hearth process (the app) writing an answer: it holds the store open until told to stop.
WRITER = """
from core.store import Store
store = Store()
c = store.conversations.create("Live")
m = store.conversations.add_message(c.id, "assistant", "Still writ", status="streaming")
print(m.id, flush=True)
input()
"""


def test_a_store_opened_while_another_process_streams_leaves_its_answer_alone(hearth_home: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None
        message_id = int(writer.stdout.readline())
        cli = Store()  # as `hearth chat` would, while the app streams
        assert cli.recovered_messages == 0
        assert cli.conversations.get_message(message_id).status == "streaming"
        cli.close()
    finally:
        writer.kill()  # dies mid-answer: the kernel drops its hold on the store
        writer.wait(timeout=30)
    after = Store()
    assert after.recovered_messages == 1
    assert after.conversations.get_message(message_id).status == "incomplete"
    after.close()


def test_a_second_handle_in_the_same_process_does_not_recover(hearth_home: Path) -> None:
    app = Store()
    c = app.conversations.create("Live")
    m = app.conversations.add_message(c.id, "assistant", "Half", status="streaming")
    second = Store()
    assert second.recovered_messages == 0
    assert second.conversations.get_message(m.id).status == "streaming"
    second.close()
    app.close()
    assert Store().recovered_messages == 1
