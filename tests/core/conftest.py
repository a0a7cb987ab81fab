"""Fixtures of the core tests: the real embedding model, loaded once per session (it takes seconds)."""

from __future__ import annotations

import pytest

from core.documents import Embedder, EmbedderHost


@pytest.fixture(scope="session")
def embedders() -> EmbedderHost:
    host = EmbedderHost()
    host.get()  # load now, so the first test that uses it is not the one that pays
    return host


@pytest.fixture(scope="session")
def doc_embedder(embedders: EmbedderHost) -> Embedder:
    return embedders.get()
