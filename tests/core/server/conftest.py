"""A real Hearth server on 127.0.0.1 (a free port) with the real embedded model, for the openai client."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openai
import pytest

from core.embeddings import EmbedderHost
from core.runtime import EngineHost, EngineSpec
from core.server import Backend, ServerConfig, ServerThread
from core.settings import Settings
from core.telemetry.service import Telemetry
from tests.conftest import TEST_THREADS


@dataclass
class Served:
    url: str
    backend: Backend
    host: EngineHost
    server: ServerThread

    def client(self, key: str = "unused", **kwargs: object) -> openai.OpenAI:
        # No retries: a 429 or 503 must reach the test, not be retried away by the client.
        return openai.OpenAI(base_url=self.url, api_key=key, max_retries=0, timeout=600, **kwargs)  # type: ignore[arg-type]


def start_server(
    root: Path,
    model_path: Path,
    *,
    api_key: str | None = None,
    max_waiting: int = 32,
    telemetry: bool = False,
) -> Served:
    spec = EngineSpec(model=str(model_path), n_ctx=2048, n_threads=TEST_THREADS)
    host = EngineHost(root, max_waiting=max_waiting)
    settings = Settings(None)
    backend = Backend(
        host,
        settings,
        telemetry=Telemetry(settings) if telemetry else None,
        embedders=EmbedderHost(),
        root=root,
        spec=spec,
    )
    host.get(spec)
    server = ServerThread(backend, ServerConfig(port=0, api_key=api_key)).start()
    return Served(server.url, backend, host, server)


def stop_server(served: Served) -> None:
    served.server.stop()
    if served.backend.telemetry is not None:
        served.backend.telemetry.close()
    served.host.close()


@pytest.fixture(scope="package")
def served(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> Iterator[Served]:
    s = start_server(tmp_path_factory.mktemp("served"), model_path, telemetry=True)
    yield s
    stop_server(s)


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()
