"""The peer Hearth (a second `hearth serve` process) for the remote-engine and routing tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import TEST_THREADS
from tests.peer import Peer, start_peer


@pytest.fixture(scope="package")
def peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Peer]:
    p = start_peer(tmp_path_factory.mktemp("peer-home"), threads=TEST_THREADS)
    yield p
    p.stop()
