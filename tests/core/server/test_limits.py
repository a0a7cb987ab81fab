"""The server's guards: loopback unless keyed, the key, the bounded queue (429), loading (503), and a
client that leaves cancelling its generation at the next token."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import openai
import pytest

from core.cli import main
from core.engine import ChatEngine
from core.errors import ServerConfigError
from core.runtime import EngineHost, EngineSpec, HostState
from core.server import Backend, ServerConfig, ServerThread
from core.settings import Settings
from tests.core.server.conftest import Served, start_server, stop_server, wait_for

# An answer of a known, long length: the model must write 1000 "x"s (a client ends it long before).
LONG = {
    "model": "hearth",
    "messages": [{"role": "user", "content": "Write x."}],
    "max_tokens": 1000,
    "temperature": 0,
    "grammar": 'root ::= "x"{1000}',
}


def test_any_address_but_loopback_needs_a_key(hearth_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ServerConfigError, match="API key"):
        ServerConfig(host="0.0.0.0").check()
    with pytest.raises(ServerConfigError):
        ServerConfig(host="192.168.1.5", port=0).check()
    ServerConfig(
        host="0.0.0.0", api_key="k"
    ).check()  # checked only: nothing listens beyond loopback in tests
    for loopback in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        ServerConfig(host=loopback).check()
    # The command refuses before loading anything.
    assert main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "API key" in capsys.readouterr().err


@pytest.fixture
def keyed(tmp_path: Path) -> Iterator[ServerThread]:
    def never(spec: EngineSpec) -> ChatEngine:
        raise AssertionError("no model is needed to check a key")

    backend = Backend(
        EngineHost(tmp_path, factory=never), Settings(None), root=tmp_path, spec=EngineSpec("x")
    )
    server = ServerThread(backend, ServerConfig(port=0, api_key="right-key")).start()
    yield server
    server.stop()


def test_a_wrong_or_missing_key_is_refused(keyed: ServerThread) -> None:
    for key in ("wrong-key", "right-ke", "right-key-and-more"):
        with pytest.raises(openai.AuthenticationError) as refused:
            openai.OpenAI(base_url=keyed.url, api_key=key, max_retries=0).models.list()
        assert refused.value.status_code == 401 and refused.value.code == "invalid_api_key"
    missing = httpx.get(keyed.url + "/models")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "invalid_api_key"
    assert openai.OpenAI(base_url=keyed.url, api_key="right-key", max_retries=0).models.list().data
    assert httpx.get(keyed.url.removesuffix("/v1") + "/health").status_code == 200, "health needs no key"


def test_a_model_that_is_loading_answers_503_with_retry_after(tmp_path: Path) -> None:
    release = threading.Event()

    def slow(spec: EngineSpec) -> ChatEngine:
        release.wait(30)
        raise RuntimeError("this test's model never loads")

    host = EngineHost(tmp_path, factory=slow)
    backend = Backend(host, Settings(None), root=tmp_path, spec=EngineSpec("x"))
    server = ServerThread(backend, ServerConfig(port=0)).start()
    loader = backend.preload()
    try:
        assert wait_for(lambda: host.state == HostState.LOADING)
        reply = httpx.post(server.url + "/chat/completions", json={**LONG, "model": "x"}, timeout=30)
        assert reply.status_code == 503 and int(reply.headers["Retry-After"]) >= 1
        assert reply.json()["error"]["code"] == "model_loading"
    finally:
        release.set()
        loader.join(30)
        server.stop()


@pytest.fixture
def tiny_queue(tmp_path: Path, model_path: Path) -> Iterator[Served]:
    s = start_server(tmp_path, model_path, max_waiting=1)
    yield s
    stop_server(s)


def test_a_full_queue_answers_429_and_a_closed_stream_cancels(tiny_queue: Served) -> None:
    served = tiny_queue
    scheduler = served.host.current.scheduler  # type: ignore[union-attr]
    client = served.client()
    with (
        httpx.Client(timeout=120) as http,
        http.stream("POST", served.url + "/chat/completions", json={**LONG, "stream": True}) as first,
    ):
        assert first.status_code == 200
        lines = first.iter_lines()
        assert next(line for line in lines if line.startswith("data:"))  # it holds the model now
        # A second request waits for the model; the queue (of one) is then full.
        second: list[object] = []
        waiter = threading.Thread(
            target=lambda: second.append(
                client.chat.completions.create(model="hearth", messages=LONG["messages"], max_tokens=2)  # type: ignore[arg-type]
            )
        )
        waiter.start()
        assert wait_for(lambda: scheduler.stats().waiting_foreground == 1)
        with pytest.raises(openai.RateLimitError) as refused:
            client.chat.completions.create(model="hearth", messages=LONG["messages"], max_tokens=2)  # type: ignore[arg-type]
        assert refused.value.code == "queue_full"
        assert int(refused.value.response.headers["Retry-After"]) >= 1
    # The first stream was closed unfinished: its generation stops at the next token, the second runs.
    waiter.join(120)
    assert second and served.backend.finished["cancelled"] == 1
    assert scheduler.stats().refused == 1


def test_a_client_that_gives_up_cancels_its_answer(served: Served) -> None:
    before = served.backend.finished["cancelled"]
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(served.url + "/chat/completions", json=LONG, timeout=httpx.Timeout(0.5, connect=5.0))
    assert wait_for(lambda: served.backend.finished["cancelled"] == before + 1, timeout=60)
