"""Chat or assistant, decided from embeddings before any planning: on the real embedder and the real model."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.assistant.agent import Assistant
from core.assistant.service import AssistantService
from core.assistant.tools import builtin_registry
from core.embeddings import TextEncoder
from core.engine import LocalEngine
from core.runtime import EngineHost
from core.settings import Settings
from core.store import Store
from tests.core.assistant.helpers import make_context

PLAIN = ["What is the capital of Japan?", "Tell me a joke", "Why is the sky blue?", "Hello!", "Who are you?"]
TOOLS = [
    "Remind me to call the bank tomorrow at 10am",
    "Set a timer for 10 minutes",
    "Email Sarah the agenda for Monday",
    "Find my lease agreement and summarise it",
    "Show Berlin on a map",
]


@pytest.fixture
def assistant(hearth_home: Path, engine: LocalEngine, embedder: TextEncoder) -> Assistant:
    store = Store(hearth_home)
    ctx, _ = make_context(hearth_home, store)
    return Assistant(engine=engine, registry=builtin_registry(ctx), store=store, embedder=embedder)


@pytest.mark.parametrize("message", PLAIN)
def test_a_plain_question_goes_to_chat(assistant: Assistant, message: str) -> None:
    route = assistant.route_message(message)
    assert route.target == "chat", route.as_dict()


@pytest.mark.parametrize("message", TOOLS)
def test_a_request_for_a_tool_goes_to_the_assistant(assistant: Assistant, message: str) -> None:
    route = assistant.route_message(message)
    assert route.target == "assistant", route.as_dict()


def test_a_plain_question_sent_to_the_assistant_is_answered_plainly(assistant: Assistant) -> None:
    """The planner's verdict stays the last word: join() alone means a plain answer, no call."""
    run = assistant.run("What is the capital of France?")
    assert run.outcomes == {} and run.answer


def test_routing_never_loads_the_model(hearth_home: Path, embedder: TextEncoder) -> None:
    store = Store(hearth_home)
    settings = Settings(store.settings)
    settings.set("model", str(hearth_home / "missing.gguf"))  # loading it would fail
    host = EngineHost(store.root)
    service = AssistantService(store, host, settings, embedder=embedder)
    try:
        assert service.route("Remind me to stretch at 5pm").target == "assistant"
        assert service.route("Who wrote Hamlet?").target == "chat"
        assert service.route("Who wrote Hamlet?", mode="assistant").target == "assistant"  # forced
        assert service.route("Set a timer for 3 minutes", mode="chat").target == "chat"
        # With documents attached, a question goes to chat, which answers from them; a request still acts.
        question = "How often does the Skerry lighthouse flash?"
        assert service.route(question, grounded=True).target == "chat"
        assert service.route("Remind me to stretch at 5pm", grounded=True).target == "assistant"
    finally:
        service.close()
        host.close()
        store.close()
