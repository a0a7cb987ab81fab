"""Memory on real parts: SQLite, a FAISS index, the MiniLM embedder and the embedded model."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.chat.service import ChatService
from core.embeddings import EmbedderHost, SharedEmbedder
from core.engine import LocalEngine, Priority
from core.errors import MemoryEditError
from core.memory.operations import MemoryOps
from core.memory.prompts import Turn
from core.memory.service import MemoryService, _Counts
from core.runtime import EngineHost
from core.settings import Settings
from core.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "home")
    yield s
    s.close()


@pytest.fixture
def memory(store: Store, embedders: EmbedderHost) -> Iterator[MemoryService]:
    service = MemoryService(
        store, EngineHost(store.root), Settings(store.settings), SharedEmbedder(embedders)
    )
    yield service
    service.close()
    service.host.close()


def test_edits_and_forgetting_keep_sqlite_and_the_index_in_step(memory: MemoryService, store: Store) -> None:
    dog = memory.add("User has a dog named Rex.")
    city = memory.add("User lives in Lisbon.")
    assert memory.search("Where does the user live?", k=1)[0].memory.id == city.id
    memory.edit(city.id, "User lives in Porto.")
    assert store.memories.get(city.id).text == "User lives in Porto."
    assert memory.search("Porto", k=1)[0].memory.id == city.id
    memory.forget(dog.id)
    assert store.memories.ids() == {city.id} and memory.index.count == 1
    assert all(r.memory.id != dog.id for r in memory.search("dog"))
    events = [e.event for e in reversed(store.memories.events())]
    assert events == ["EDIT", "EDIT", "EDIT", "FORGET"]
    with pytest.raises(MemoryEditError):
        memory.add("   ")


def test_a_damaged_index_is_rebuilt_from_sqlite(store: Store, embedders: EmbedderHost) -> None:
    settings = Settings(store.settings)
    first = MemoryService(store, EngineHost(store.root), settings, SharedEmbedder(embedders))
    kept = [first.add(t) for t in ("User is a nurse.", "User plays the cello.", "User is allergic to nuts.")]
    first.close()
    index_file = first.index.path
    assert index_file.is_file()
    index_file.write_bytes(index_file.read_bytes()[:40])  # a torn write

    second = MemoryService(store, EngineHost(store.root), settings, SharedEmbedder(embedders))
    hits = second.search("What instrument does the user play?", k=1)
    assert second.index.rebuilt and hits[0].memory.id == kept[1].id
    assert second.index.count == 3
    second.close()

    # A memory deleted behind the index's back (another process, an old file): the ids differ, so rebuild.
    store.memories.delete(kept[0].id)
    third = MemoryService(store, EngineHost(store.root), settings, SharedEmbedder(embedders))
    assert third.index.count == 2 and third.index.rebuilt
    third.close()


def test_folding_facts_adds_new_ones_and_ignores_duplicates_without_the_model(
    memory: MemoryService, store: Store, engine: LocalEngine
) -> None:
    """With nothing similar stored a fact is added, and an exact repeat is NONE: no model call for either."""
    ops = MemoryOps(engine)
    run = store.memories.begin_run("exchange")
    counts: dict[str, int] = {}
    tally = _Counts()
    memory._fold("User has a dog named Rex.", ops, run, tally, "2026-11-23", None, "chat", [7], None)
    memory._fold("User has a dog named Rex.", ops, run, tally, "2026-11-23", None, "chat", [9], None)
    counts.update(tally)
    assert counts == {"added": 1, "unchanged": 1}
    assert ops.timings.ops == {}  # the model was not asked
    (only,) = store.memories.list()
    assert only.happened_at == "2026-11-23" and json.loads(only.source_ids) == [7]
    assert [e.event for e in reversed(store.memories.events(run_id=run.id))] == ["ADD", "NONE"]


def test_a_model_decision_is_applied_and_logged_consistently(
    memory: MemoryService, store: Store, engine: LocalEngine
) -> None:
    """Whatever the model decides about a related fact, the store, the index and the log agree."""
    memory.add("User lives in Lisbon.")
    memory.add("User works as a nurse.")
    run = store.memories.begin_run("exchange")
    counts = memory.learn(
        [Turn("User", "I moved to Porto last month and I now work as a teacher there.")],
        run=run,
        ops=MemoryOps(engine),
        source_ids=[1],
    )
    events = store.memories.events(run_id=run.id)
    decided = sum(counts.get(k, 0) for k in ("added", "updated", "deleted", "unchanged"))
    fact_skips = [e for e in events if e.event == "SKIP" and e.fact]
    assert counts.get("facts", 0) == decided + len(fact_skips)
    assert len([e for e in events if e.event in ("ADD", "UPDATE", "DELETE", "NONE")]) == decided
    assert memory.index.ids() == store.memories.ids()


def test_malformed_output_is_retried_once_then_skipped_and_logged(
    memory: MemoryService, store: Store, engine: LocalEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Too few tokens to finish the JSON: two attempts, then a SKIP in the log and nothing stored."""
    import core.memory.operations as operations

    monkeypatch.setattr(operations, "EXTRACT_MAX_TOKENS", 4)
    ops = MemoryOps(engine)
    run = store.memories.begin_run("exchange")
    counts = memory.learn([Turn("User", "My sister Ana is a pilot and I love jazz.")], run=run, ops=ops)
    assert counts == {"skipped": 1}
    assert store.memories.count() == 0
    (skip,) = store.memories.events(run_id=run.id)
    assert skip.event == "SKIP" and "cut off at 4 tokens" in skip.detail
    assert len(ops.timings.ops["extract"]) == 1  # one operation, two attempts inside it


def test_memory_learns_at_background_priority_and_answers_at_foreground(memory: MemoryService) -> None:
    """What the user waits for preempts learning (core.engine.scheduler tests the preemption itself)."""
    assert memory.ops().engine.priority == Priority.BACKGROUND  # type: ignore[attr-defined]
    assert memory.ops(priority=Priority.FOREGROUND).engine.priority == Priority.FOREGROUND  # type: ignore[attr-defined]


def test_paused_conversations_and_memory_off_learn_nothing(memory: MemoryService, store: Store) -> None:
    conversation = store.conversations.create("c")
    store.conversations.add_message(conversation.id, "user", "I am a vegetarian.")
    store.conversations.add_message(conversation.id, "assistant", "Noted!")
    memory.set_paused(conversation.id, True)
    assert memory.remember_exchange(conversation.id) is None
    memory.set_paused(conversation.id, False)
    memory.set_enabled(False)
    assert memory.remember_exchange(conversation.id) is None
    assert store.memories.runs() == []


def test_each_exchange_is_learnt_in_the_background_and_recalled_in_the_next_answer(
    memory: MemoryService, store: Store
) -> None:
    settings = Settings(store.settings)
    chat = ChatService(store, memory.host, settings, memory=memory)
    conversation = chat.new_conversation()
    runs: list[object] = []
    memory.on_run(runs.append)
    memory.add("User's dog is named Rex.")
    t0 = time.perf_counter()
    answer = chat.send(
        conversation.id,
        "What is my dog's name?",
        options=chat.generation_options(max_tokens=48, temperature=0.0),
    )
    assert not answer.content.startswith("{")  # the answer's text, decoded from the JSON it streamed in
    used = json.loads(answer.memories) if answer.memories else []
    assert all(u["text"] == "User's dog is named Rex." for u in used)
    assert memory.wait_idle(180), "the memory run did not finish"
    assert time.perf_counter() - t0 < 300
    (run,) = store.memories.runs()
    assert run.status == "done" and runs and runs[0].id == run.id  # type: ignore[attr-defined]
    assert store.conversations.get(conversation.id).memory_through == answer.id


def test_exchanges_left_unlearnt_are_caught_up(memory: MemoryService, store: Store) -> None:
    conversation = store.conversations.create("c")
    store.conversations.add_message(conversation.id, "user", "hello")
    answer = store.conversations.add_message(conversation.id, "assistant", "Hi! How can I help?")
    paused = store.conversations.create("p")
    store.conversations.add_message(paused.id, "assistant", "hi")
    memory.set_paused(paused.id, True)
    assert store.memories.behind() == [conversation.id]
    assert memory.catch_up() == 1
    assert memory.wait_idle(120)
    assert store.conversations.get(conversation.id).memory_through == answer.id
    assert store.memories.behind() == []


def test_the_users_words_are_matched_in_the_third_person_memories_use(
    memory: MemoryService,
) -> None:
    from core.memory.service import in_third_person

    assert in_third_person("I'm sure my dog likes me") == "User is sure User's dog likes User"
    dog = memory.add("User has a dog named Rex.")
    memory.add("User lives in Porto.")
    (hit,) = memory.recall("What is my dog called?", k=1, threshold=0.4)
    assert hit.memory.id == dog.id
    assert memory.recall("What is the capital of France?", threshold=0.4) == []
