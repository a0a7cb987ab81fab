"""Hybrid recall on real SQLite (FTS5), FAISS and MiniLM: the right person's memory, subjects kept and
backfilled, superseded memories out of answers about now."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.embeddings import EmbedderHost, SharedEmbedder
from core.memory.recall import asks_about_now
from core.memory.service import MemoryService
from core.runtime import EngineHost
from core.settings import Settings
from core.store import Store

MEMORIES = (
    "Tomasz's daughter Zofia plays the violin.",
    "Ingrid's daughter is called Astrid.",
    "Ingrid lives in Fyllingsdalen, a district of Bergen.",
    "Tomasz lives in Leeds.",
    "Ingrid has a daughter who goes to school in Bergen.",
    "Tomasz has a dog named Pierogi.",
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "home")
    yield s
    s.close()


def _service(store: Store, embedders: EmbedderHost) -> MemoryService:
    return MemoryService(store, EngineHost(store.root), Settings(store.settings), SharedEmbedder(embedders))


@pytest.fixture
def memory(store: Store, embedders: EmbedderHost) -> Iterator[MemoryService]:
    service = _service(store, embedders)
    yield service
    service.close()
    service.host.close()


def test_hybrid_recall_finds_the_right_persons_memory_where_vectors_alone_do_not(
    memory: MemoryService,
) -> None:
    added = {text: memory.add(text) for text in MEMORIES}
    question = "What is Tomasz's daughter's name?"
    vector_only = memory.search(question, k=3)
    assert vector_only[0].memory.text != MEMORIES[0]  # MiniLM puts "Tomasz lives in Leeds." first
    recalled = memory.recall(question, k=3, threshold=0.0)
    assert recalled[0].memory.id == added[MEMORIES[0]].id
    # Only memories about Tomasz: Ingrid's daughter is not his.
    assert all(r.memory.subject == "Tomasz" for r in recalled)


def test_the_subject_and_names_of_a_memory_are_kept(memory: MemoryService, store: Store) -> None:
    m = memory.add("Tomasz's daughter Zofia started violin lessons in January.")
    stored = store.memories.get(m.id)
    assert stored.subject == "Tomasz"
    assert {"Tomasz", "Zofia", "January"} <= set((stored.names or "").split())
    edited = memory.edit(m.id, "User's sister lives in Lyon.")
    assert edited.subject == "User" and "Lyon" in (edited.names or "")


def test_memories_from_before_subjects_are_backfilled_when_memory_opens(
    store: Store, embedders: EmbedderHost
) -> None:
    first = _service(store, embedders)
    m = first.add("Aroha's cousin Tamati lives in Hamilton.")
    first.close()
    # A memory as schema v8 kept it: no subject, no names.
    with store.db.conn:
        store.db.execute("update memories set subject = '', names = null where id = ?", [m.id])
    assert store.memories.unanalysed()
    again = _service(store, embedders)
    try:
        backfilled = store.memories.get(m.id)
        assert backfilled.subject == "Aroha" and "Hamilton" in (backfilled.names or "")
        assert again.recall("Where does Tamati live?", k=1, threshold=0.0)[0].memory.id == m.id
    finally:
        again.close()


def test_a_superseded_memory_stays_out_of_answers_about_now_but_not_about_the_past(
    memory: MemoryService, store: Store
) -> None:
    old = memory.add("User lives in Leeds.")
    new = memory.add("User moved to York.")
    store.memories.supersede(old.id, new.id)
    now = [r.memory.id for r in memory.recall("Where do I live now?", k=5, threshold=0.0)]
    assert old.id not in now and new.id in now
    past = [r.memory.id for r in memory.recall("Where did I live before York?", k=5, threshold=0.0)]
    assert old.id in past
    assert [e.event for e in store.memories.events(limit=1)] == ["SUPERSEDE"]


def test_questions_about_now_and_about_the_past() -> None:
    assert asks_about_now("Where does Ingrid work now?")
    assert asks_about_now("What is Tomasz's daughter's name?")
    assert not asks_about_now("When did Ingrid start her new job?")
    assert not asks_about_now("What jobs has Ingrid had?")
