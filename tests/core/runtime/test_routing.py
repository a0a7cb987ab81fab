"""Small model first, end to end with a second `hearth serve` as the remote engine: chat answered where the
policy says (and the answer says where and why), the assistant planning remotely, and its fallback when the
local plan is forced to fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.assistant.agent import Assistant
from core.assistant.tools import builtin_registry
from core.chat.service import ChatService
from core.embeddings import TextEncoder
from core.engine import LocalEngine
from core.runtime import EngineHost, EngineSpec, open_engine
from core.runtime.remotes import RemoteEngines
from core.runtime.routing import route_policy
from core.settings import Settings
from core.store import Store
from tests.conftest import TEST_THREADS
from tests.core.assistant.helpers import make_context
from tests.peer import PEER_KEY, Peer

REQUEST = "Remind me to buy milk tomorrow at 9am"


@pytest.fixture
def chat(hearth_home: Path, peer: Peer) -> ChatService:
    store = Store()
    RemoteEngines(store).add("peer", peer.url, PEER_KEY)
    settings = Settings(store.settings)
    for key, value in {
        "temperature": 0.0,
        "n_threads": TEST_THREADS,
        "max_tokens": 16,
        "n_ctx": 1024,
    }.items():
        settings.set(key, value)
    return ChatService(store, EngineHost(), settings)


def test_local_only_is_the_default_and_nothing_leaves(hearth_home: Path) -> None:
    store = Store()
    policy = route_policy(Settings(store.settings))
    assert policy.mode == "local" and not policy.local_first
    store.close()


def test_remote_only_chat_is_answered_by_the_remote_engine(chat: ChatService) -> None:
    chat.settings.set("routing", "remote")
    chat.settings.set("routing_remote", "peer")
    conv = chat.new_conversation()
    answer = chat.send(conv.id, "What is the capital of France?")
    assert answer.status == "complete" and answer.content
    assert answer.engine == "remote:peer" and answer.route == "remote only"
    assert answer.energy_j is None, "no local joules for an answer made elsewhere"
    # One conversation may route otherwise than the setting.
    chat.store.conversations.update(conv.id, routing="local")
    local = chat.send(conv.id, "And of Italy?")
    assert local.engine == "llama.cpp" and local.route == "local only"


def test_local_first_keeps_a_sure_answer_and_asks_the_remote_engine_when_in_doubt(chat: ChatService) -> None:
    chat.settings.set("routing", "local_first")
    chat.settings.set("routing_remote", "peer")
    conv = chat.new_conversation()
    chat.settings.set("routing_min_logprob", -10.0)  # nothing is that unsure: kept locally
    kept = chat.send(conv.id, "What is the capital of France?")
    assert kept.engine == "llama.cpp" and kept.route.startswith("local first: answered locally")
    chat.settings.set("routing_min_logprob", 0.0)  # every answer is less sure than certain: sent out
    restarts: list[str] = []
    pieces: list[str] = []
    sent = chat.send(conv.id, "And of Italy?", on_token=pieces.append, on_restart=restarts.append)
    assert sent.engine == "remote:peer" and sent.route.startswith(
        "fallback: the local answer's mean log-prob"
    )
    assert restarts == [sent.route] and sent.content
    counts = chat.store.conversations.engine_counts()
    assert counts["local"] == 1 and counts["remote"] == 1


def test_the_assistant_plans_on_the_remote_engine(
    hearth_home: Path, peer: Peer, embedder: TextEncoder
) -> None:
    store = Store()
    RemoteEngines(store).add("peer", peer.url, PEER_KEY)
    ctx, _ = make_context(hearth_home, store)
    remote = open_engine(EngineSpec("remote:peer"))
    try:
        assistant = Assistant(
            engine=remote, registry=builtin_registry(ctx), store=store, embedder=embedder, route="remote only"
        )
        report = assistant.plan(REQUEST)
        assert report.planner.valid and report.planner.plan.steps
        assert report.engine == "remote:peer" and report.route == "remote only"
        assert {s.tool for s in report.planner.plan.steps} <= set(report.selection.names)  # type: ignore[union-attr]
    finally:
        remote.close()
        store.close()


def test_the_remote_engine_replans_when_the_local_plan_fails_twice(
    hearth_home: Path, peer: Peer, engine: LocalEngine, embedder: TextEncoder
) -> None:
    store = Store()
    RemoteEngines(store).add("peer", peer.url, PEER_KEY)
    ctx, _ = make_context(hearth_home, store)
    remote = open_engine(EngineSpec("remote:peer"))
    asked: list[str] = []

    def fallback() -> object:
        asked.append("remote")
        return remote

    try:
        assistant = Assistant(
            engine=engine,
            registry=builtin_registry(ctx),
            store=store,
            embedder=embedder,
            fallback=fallback,  # type: ignore[arg-type]
            route="local first",
            plan_max_tokens=3,  # forces the local plan to be cut off: invalid, twice
        )
        report = assistant.plan(REQUEST)
        assert asked == ["remote"]
        assert report.route == "fallback: the local plan failed validation twice"
        assert report.engine == "remote:peer" and report.planner.valid and report.planner.plan.steps
    finally:
        remote.close()
        store.close()
