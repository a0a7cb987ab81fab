"""A second `hearth serve` process as Hearth's remote engine: detected, used through the same interface,
cancelled by closing its stream; keys kept privately and never printed."""

from __future__ import annotations

import json
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.assistant.agent import Assistant
from core.assistant.tools import builtin_registry
from core.bench.serve import ServerProcess, llama_cpp_server
from core.cli import main
from core.documents import DocumentsService
from core.embeddings import EmbedderHost, TextEncoder
from core.engine import ChatEngine, GenerationOptions, LocalEngine
from core.engine.remote import RemoteEngine
from core.errors import RemoteEngineError
from core.memory.operations import MemoryOps
from core.memory.prompts import Turn
from core.runtime import EngineSpec, open_engine
from core.runtime.keys import KeyStore
from core.runtime.remotes import RemoteEngines
from core.store import Store
from tests.conftest import TEST_THREADS
from tests.core.assistant.helpers import make_context
from tests.peer import PEER_KEY, Peer


def add_peer(peer: Peer, name: str = "peer", key: str | None = PEER_KEY) -> None:
    store = Store()
    try:
        RemoteEngines(store).add(name, peer.url, key)
    finally:
        store.close()


def test_the_peer_is_a_chat_engine_with_what_it_can_do_detected(
    hearth_home: Path, peer: Peer, engine: LocalEngine
) -> None:
    add_peer(peer)
    remote = open_engine(EngineSpec("remote:peer"))
    try:
        assert isinstance(remote, ChatEngine) and isinstance(remote, RemoteEngine)
        caps = remote.capabilities
        assert caps.grammar and caps.json_schema and caps.embeddings and not caps.local and not caps.adapters
        assert remote.adapters is None and remote.n_ctx == 2048 and remote.info.engine == "remote:peer"
        # Token counts come from the peer's own tokenizer: the same model's.
        text = "The quick brown fox jumps over the lazy dog."
        messages = [{"role": "user", "content": text}]
        assert remote.count_tokens(text) == engine.count_tokens(text)
        assert remote.count_chat_tokens(messages) == engine.count_chat_tokens(messages)  # type: ignore[arg-type]
        pieces: list[str] = []
        answer = remote.chat(
            [{"role": "user", "content": "Is the sky blue? Answer yes or no."}],
            GenerationOptions(grammar='root ::= "yes" | "no"', temperature=0.0, max_tokens=4),
            on_token=pieces.append,
        )
        assert answer.text in ("yes", "no") and "".join(pieces) == answer.text
        assert answer.metrics.completion_tokens >= 1 and answer.metrics.ttft_ms > 0
        schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
        shaped = remote.chat(
            [{"role": "user", "content": "Give a number as JSON."}],
            GenerationOptions(json_schema=schema, temperature=0.0, max_tokens=24),
        )
        assert isinstance(json.loads(shaped.text)["n"], int)
        continued = remote.complete("1, 2, 3,", GenerationOptions(max_tokens=4, temperature=0.0))
        assert continued.text and continued.metrics.completion_tokens <= 4
    finally:
        remote.close()


def test_a_cancel_closes_the_stream_at_once(hearth_home: Path, peer: Peer) -> None:
    add_peer(peer)
    remote = open_engine(EngineSpec("remote:peer"))
    cancel = threading.Event()
    pieces: list[str] = []

    def on_token(piece: str) -> None:
        pieces.append(piece)
        cancel.set()

    t0 = time.monotonic()
    result = remote.chat(
        [{"role": "user", "content": "Write x."}],
        GenerationOptions(grammar='root ::= "x"{1000}', temperature=0.0, max_tokens=1000),
        on_token=on_token,
        cancel=cancel,
    )
    remote.close()
    assert result.finish_reason == "cancelled" and len(pieces) < 1000
    assert time.monotonic() - t0 < 60


def test_keys_are_kept_privately_and_never_printed(
    hearth_home: Path, peer: Peer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["engines", "add", "peer", peer.url, "--key", PEER_KEY]) == 0
    where = KeyStore(hearth_home).where("peer")
    assert where in ("keyring", "file")
    if where == "file":  # a headless machine (CI): no keyring backend
        mode = stat.S_IMODE((hearth_home / "keys.json").stat().st_mode)
        assert mode == 0o600
    assert main(["engines", "list"]) == 0
    assert main(["engines", "test", "peer", "--json"]) == 0
    out = capsys.readouterr().out
    tested = json.loads(out.strip().splitlines()[-1])
    assert tested["healthy"] and tested["kind"] == "hearth" and tested["grammar"] and tested["embeddings"]
    assert PEER_KEY not in out
    # A wrong key is refused by the peer; the error says so without the key.
    assert main(["engines", "add", "wrong", peer.url, "--key", "not-the-key"]) == 0
    with pytest.raises(RemoteEngineError, match="401") as refused:
        open_engine(EngineSpec("remote:wrong"))
    assert "not-the-key" not in str(refused.value)
    assert main(["engines", "remove", "wrong"]) == 0
    assert main(["engines", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [e["name"] for e in listed] == ["peer"] and PEER_KEY not in json.dumps(listed)
    assert KeyStore(hearth_home).get("wrong") is None


def test_memory_operations_run_on_a_remote_engine_without_adapters(hearth_home: Path, peer: Peer) -> None:
    add_peer(peer)
    remote = open_engine(EngineSpec("remote:peer"))
    try:
        ops = MemoryOps(remote)
        outcome = ops.extract([Turn("User", "My dog is called Rex and I live in Lisbon.")])
        assert outcome.adapter is None and outcome.attempts >= 1
        assert outcome.value is None or all(isinstance(f, str) for f in outcome.value)
    finally:
        remote.close()


def test_documents_are_answered_by_a_remote_engine_with_their_sources(
    hearth_home: Path, peer: Peer, embedders: EmbedderHost, tmp_path: Path
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "ferry.txt").write_text("The island ferry leaves the harbour at 7:15 every morning.\n")
    store = Store()
    docs = DocumentsService(store, embedders)
    docs.add([notes])
    RemoteEngines(store).add("peer", peer.url, PEER_KEY)
    remote = open_engine(EngineSpec("remote:peer"))
    try:
        answer = docs.ask(
            "When does the ferry leave?",
            remote,
            options=GenerationOptions(max_tokens=24, temperature=0.0),
        )
        assert answer.text and answer.citations and answer.citations[0].file.endswith("ferry.txt")
    finally:
        remote.close()
        store.close()


@pytest.fixture(scope="module")
def plain_server(model_path: Path) -> Iterator[ServerProcess]:
    """llama-cpp-python's own server: OpenAI-compatible, but no GBNF `grammar` field Hearth can detect."""
    server = llama_cpp_server(model_path, threads=TEST_THREADS, n_ctx=2048)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def test_a_plain_openai_server_plans_validated_after_decoding(
    hearth_home: Path, plain_server: ServerProcess, embedder: TextEncoder
) -> None:
    store = Store()
    RemoteEngines(store).add("plain", plain_server.url)
    ctx, _ = make_context(hearth_home, store)
    remote = open_engine(EngineSpec("remote:plain"))
    try:
        assert not remote.capabilities.grammar and not remote.capabilities.local
        assistant = Assistant(engine=remote, registry=builtin_registry(ctx), store=store, embedder=embedder)
        report = assistant.plan("Remind me to buy milk tomorrow at 9am")
        # Decoded free, then parsed here: whatever it wrote, only offered tools survive the validation.
        assert report.planner.text and report.engine == "remote:plain"
        assert {s.tool for s in report.planner.plan.steps} <= set(report.selection.names)  # type: ignore[union-attr]
        assert report.planner.valid or report.planner.error
    finally:
        remote.close()
        store.close()
