"""Memory learns only what the user says about themselves: the rules, and the real model on a story."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.embeddings import EmbedderHost, SharedEmbedder
from core.engine import LocalEngine
from core.memory import sources
from core.memory.adapters import load_adapters
from core.memory.entities import names_in
from core.memory.operations import MemoryOps
from core.memory.prompts import Turn
from core.memory.service import MemoryService
from core.resources import resource_path
from core.runtime import EngineHost
from core.settings import Settings
from core.store import Store

STORY = (
    "Once upon a time, on a rocky island, lived a lighthouse keeper named Jameson. His father had been a "
    "sailor, and every night Jameson climbed the 112 steps to light the lamp for the fishing boats of Kilbride."
)


def test_requests_questions_and_quoted_text_say_nothing_about_the_user() -> None:
    assert sources.personal_sentences("Write a long story about a lighthouse keeper.") == ""
    assert sources.personal_sentences("How do I reverse a list in Python?") == ""
    assert sources.personal_sentences("Translate 'I love my cat and I live in Paris' into French.") == ""
    assert sources.personal_sentences("Can you help me plan my week?") == ""
    said = sources.personal_sentences("I'm a nurse in Leeds. Write me a poem about the sea!")
    assert said == "I'm a nurse in Leeds."


def test_no_impersonal_exchange_of_the_evaluation_set_reaches_extraction() -> None:
    exchanges = json.loads(resource_path("memory", "eval", "no-personal.json").read_text())["exchanges"]
    for ex in exchanges:
        turns, said = sources.chat_turns([Turn("User", ex["user"]), Turn("Assistant", ex["assistant"])])
        assert turns == [] and said == "", ex["user"]


def test_a_fact_must_be_grounded_in_what_the_user_said() -> None:
    said = "We moved to York last week, so I live in York now. My dog Crumpet loves it."
    assert sources.grounded("User lives in York.", said)
    assert sources.grounded("User has a dog named Crumpet.", said)
    assert not sources.grounded("User's lighthouse keeper is named Jameson.", said)
    assert not sources.grounded("User's father is named sailor.", said)


@pytest.fixture
def memory(tmp_path: Path, embedders: EmbedderHost) -> Iterator[MemoryService]:
    store = Store(tmp_path / "home")
    # Add-only: the property is about what extraction takes in; update decisions would only cost time.
    service = MemoryService(
        store,
        EngineHost(store.root),
        Settings(store.settings),
        SharedEmbedder(embedders),
        learning="add-only",
    )
    yield service
    service.close()
    service.host.close()
    store.close()


def test_no_memory_comes_from_the_assistants_story(memory: MemoryService, engine: LocalEngine) -> None:
    user = (
        "I'm a night nurse in Leeds and I have a cat called Miso. Tell me a story about a lighthouse keeper."
    )
    convs = memory.store.conversations
    conversation = convs.create("story")
    convs.add_message(conversation.id, "user", user)
    convs.add_message(conversation.id, "assistant", STORY)
    run = memory.remember_exchange(conversation.id, ops=MemoryOps(engine, load_adapters(engine)))
    assert run is not None and run.status == "done"
    story_only = {n for n in names_in(STORY)} - {n for n in names_in(user)}
    for m in memory.store.memories.list():
        assert sources.grounded(m.text, user), m.text
        assert not set(names_in(m.text)) & story_only, m.text
        assert "sailor" not in m.text.lower() and "112" not in m.text
