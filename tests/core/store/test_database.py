"""The SQLite store: a real file in a temporary data dir."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from core.errors import NotFoundError, StoreError
from core.settings import SETTINGS, Settings
from core.store import Store
from core.store.migrations import SCHEMA_VERSION


def test_creates_a_wal_database_at_the_current_schema(hearth_home: Path) -> None:
    store = Store()
    assert store.path == hearth_home / "hearth.db" and store.path.exists()
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.schema_version == SCHEMA_VERSION
    store.close()
    assert Store().schema_version == SCHEMA_VERSION, "reopening migrates nothing twice"


def test_conversations_round_trip(hearth_home: Path) -> None:
    store = Store()
    convs = store.conversations
    a = convs.create("Trip to Lisbon", system_prompt="Be brief.")
    b = convs.create("Sourdough")
    convs.add_message(a.id, "user", "Which tram goes to Belém?")
    convs.add_message(b.id, "user", "How long should the dough rise?")
    assert [c.id for c in convs.list()] == [b.id, a.id], "most recently active first"
    convs.update(a.id, title="Lisbon in May")
    store.close()

    again = Store().conversations
    assert [c.title for c in again.list()] == ["Lisbon in May", "Sourdough"]
    assert again.get(a.id).system_prompt == "Be brief."
    assert [m.content for m in again.messages(a.id)] == ["Which tram goes to Belém?"]


def test_search_finds_titles_and_message_text_by_word_prefix(hearth_home: Path) -> None:
    convs = Store().conversations
    a = convs.create("Trip to Lisbon")
    b = convs.create("Sourdough")
    convs.add_message(b.id, "user", "How long should the dough rise overnight?")
    assert [c.id for c in convs.search("lisb")] == [a.id]
    assert [c.id for c in convs.search("overnight dough")] == [b.id]
    assert convs.search("nothing-like-this") == []
    assert len(convs.search('"quoted" AND (weird')) == 0, "FTS syntax in the query is taken literally"
    assert len(convs.search("   ")) == 2


def test_messages_keep_their_metrics(hearth_home: Path) -> None:
    convs = Store().conversations
    c = convs.create("Metrics")
    m = convs.add_message(c.id, "assistant", "", status="streaming", model="smollm2-135m-instruct")
    convs.update_message(
        m.id,
        content="Hello!",
        status="complete",
        finish_reason="stop",
        metrics={
            "prompt_tokens": 12,
            "completion_tokens": 3,
            "ttft_ms": 80.5,
            "decode_tok_s": 95.0,
            "extra": 1,
        },
    )
    stored = convs.get_message(m.id)
    assert (stored.content, stored.status, stored.prompt_tokens, stored.ttft_ms) == (
        "Hello!",
        "complete",
        12,
        80.5,
    )
    assert stored.model == "smollm2-135m-instruct"


def test_delete_removes_the_conversation_and_its_messages(hearth_home: Path) -> None:
    store = Store()
    c = store.conversations.create("Doomed")
    store.conversations.add_message(c.id, "user", "bye")
    store.conversations.delete(c.id)
    with pytest.raises(NotFoundError):
        store.conversations.get(c.id)
    assert store.db.execute("select count(*) from messages").fetchone()[0] == 0
    assert store.conversations.search("bye") == []


def test_streaming_answers_left_by_a_crash_become_incomplete(hearth_home: Path) -> None:
    store = Store()
    c = store.conversations.create("Crash")
    m = store.conversations.add_message(c.id, "assistant", "Half an ans", status="streaming")
    store.close()  # the process 'dies' without finishing the answer
    reopened = Store()
    assert reopened.recovered_messages == 1
    kept = reopened.conversations.get_message(m.id)
    assert (kept.status, kept.content) == ("incomplete", "Half an ans")


def test_a_data_dir_that_cannot_be_created_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way")
    monkeypatch.setenv("HEARTH_HOME", str(blocker / "hearth"))
    with pytest.raises(StoreError, match="Cannot create the data folder"):
        Store()
    monkeypatch.setenv("HEARTH_HOME", str(blocker))
    with pytest.raises(StoreError, match="not a folder|Cannot create"):
        Store()


def test_a_database_from_a_newer_hearth_is_refused(hearth_home: Path) -> None:
    Store().close()
    with sqlite3.connect(hearth_home / "hearth.db") as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    with pytest.raises(StoreError, match="newer Hearth"):
        Store()


def test_a_damaged_database_file_is_a_clear_error(hearth_home: Path) -> None:
    hearth_home.mkdir(parents=True)
    (hearth_home / "hearth.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="Cannot open Hearth's database"):
        Store()


def test_settings_are_typed_and_declared(hearth_home: Path) -> None:
    settings = Settings(Store().settings)
    assert settings.get("n_ctx") == SETTINGS["n_ctx"].default
    settings.set("temperature", 0)
    assert settings.get("temperature") == 0.0
    with pytest.raises(ValueError, match="at most"):
        settings.set("temperature", 9.0)
    with pytest.raises(ValueError, match="takes a int"):
        settings.set("n_ctx", "big")
    with pytest.raises(KeyError, match="Unknown setting"):
        settings.get("colour")
    assert Settings(Store().settings).get("temperature") == 0.0, "saved across opens"
    with pytest.raises(StoreError):
        Settings(None).set("temperature", 0.5)
