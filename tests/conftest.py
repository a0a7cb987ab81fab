"""Fixtures shared by every test: a private data dir, and the real embedded model loaded once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt must never look for a screen in tests, and no test may reach a hub.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"

from core.engine import Engine, EngineConfig, embedded_model_path  # noqa: E402

TEST_THREADS = 2


@pytest.fixture
def hearth_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "hearth-home"
    monkeypatch.setenv("HEARTH_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def model_path() -> Path:
    return embedded_model_path()


@pytest.fixture(scope="session")
def engine(model_path: Path) -> Iterator[Engine]:
    e = Engine(EngineConfig(model_path=str(model_path), n_ctx=2048, n_threads=TEST_THREADS))
    yield e
    e.close()


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    """The real all-MiniLM-L6-v2 embedder, loaded once (the assistant's ToolRAG and example choice)."""
    from core.embeddings import SharedEmbedder

    return SharedEmbedder()
