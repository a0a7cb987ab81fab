"""Search, list and download against a local server playing the hub (HF_ENDPOINT), with a real tiny GGUF."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import huggingface_hub.constants
import pytest

from core.errors import ChecksumMismatchError, HubError, NotEnoughSpaceError, OperationCancelled
from core.models import ModelCatalog
from core.models.download import download_model, pending_downloads
from core.models.hub import HubClient
from core.models.progress import Progress
from core.store import Store
from tests.fake_hub import COMMIT, FakeHub, running_hub
from tests.model_factory import write_tiny_llama

REPO = "hearth-test/Tiny-Llama-GGUF"
FILE = "tiny-llama-f32.gguf"


@pytest.fixture(scope="module")
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_llama(tmp_path_factory.mktemp("hub") / FILE)


@pytest.fixture
def hub(tiny_gguf: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    # conftest puts huggingface-hub offline so no test reaches the real hub; this one talks to 127.0.0.1.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    with running_hub() as h:
        h.add_repo(REPO, downloads=500, likes=3)
        h.add_file(REPO, FILE, tiny_gguf)
        h.add_repo("hearth-test/Big-Llama-GGUF", downloads=100, likes=40)
        h.add_repo("someone/not-gguf", downloads=9999).tags = ["pytorch"]
        yield h


@pytest.fixture
def catalog(hearth_home: Path) -> Iterator[ModelCatalog]:
    c = ModelCatalog(Store(hearth_home))
    yield c
    c.close()


def test_search_finds_gguf_models_sorted(hub: FakeHub) -> None:
    client = HubClient(hub.endpoint)
    assert [m.id for m in client.search("llama")] == [REPO, "hearth-test/Big-Llama-GGUF"]
    assert [m.id for m in client.search("llama", sort="likes")] == ["hearth-test/Big-Llama-GGUF", REPO]
    assert client.search("nothing-like-this") == []
    assert client.search("")[0].downloads == 500  # the pytorch-only repo is not GGUF: left out


def test_files_lists_gguf_files_with_sizes_hashes_and_quant(hub: FakeHub, tiny_gguf: Path) -> None:
    files = HubClient(hub.endpoint).files(REPO)
    assert [(f.path, f.size, f.quant_type) for f in files] == [(FILE, tiny_gguf.stat().st_size, "F32")]
    assert files[0].sha256 == hashlib.sha256(tiny_gguf.read_bytes()).hexdigest()
    with pytest.raises(HubError, match="no such repo"):
        HubClient(hub.endpoint).files("nobody/nothing")


def test_download_verifies_moves_into_place_and_registers(
    hub: FakeHub, catalog: ModelCatalog, tiny_gguf: Path
) -> None:
    seen: list[Progress] = []
    record = download_model(catalog, HubClient(hub.endpoint), REPO, FILE, progress=seen.append)
    target = catalog.models_dir / FILE
    assert Path(record.path) == target.resolve() and target.read_bytes() == tiny_gguf.read_bytes()
    assert (record.source_repo, record.source_revision, record.source_file) == (REPO, COMMIT, FILE)
    assert record.sha256 == hashlib.sha256(tiny_gguf.read_bytes()).hexdigest()
    assert record.quant_type == "F32" and record.architecture == "llama"
    downloads = [p for p in seen if p.stage == "download"]
    assert downloads[-1].done == downloads[-1].total == tiny_gguf.stat().st_size
    assert any(p.stage == "verify" for p in seen)
    assert not any((catalog.models_dir / ".downloads").iterdir())  # nothing partial left
    # Downloading it again finds it in place, unchanged.
    gets = len(hub.ranges(FILE))
    assert download_model(catalog, HubClient(hub.endpoint), REPO, FILE).id == record.id
    assert len(hub.ranges(FILE)) == gets


def test_a_paused_download_resumes_where_it_stopped(hub: FakeHub, hearth_home: Path, tiny_gguf: Path) -> None:
    cancel = threading.Event()

    def pause_after_first_chunk(p: Progress) -> None:
        if p.stage == "download" and p.done > 0:
            cancel.set()

    hub.repos[REPO].files[FILE].seconds_per_mb = 0.05  # slow enough to see progress before the end
    first = ModelCatalog(Store(hearth_home))
    with pytest.raises(OperationCancelled, match="paused"):
        download_model(
            first, HubClient(hub.endpoint), REPO, FILE, progress=pause_after_first_chunk, cancel=cancel
        )
    [pending] = pending_downloads(first)
    assert 0 < pending.done < tiny_gguf.stat().st_size and pending.sha256
    assert [r.id for r in first.list()] == ["smollm2-135m-instruct"]  # nothing registered half-way
    first.close()

    # As after an app restart: a new store and catalog pick the partial file up.
    second = ModelCatalog(Store(hearth_home))
    record = download_model(second, HubClient(hub.endpoint), REPO, FILE)
    assert hub.ranges(FILE) == [None, f"bytes={pending.done}-"]
    assert Path(record.path).read_bytes() == tiny_gguf.read_bytes()
    assert pending_downloads(second) == []
    second.close()


def test_a_checksum_mismatch_is_refused_and_nothing_is_kept(
    hub: FakeHub, catalog: ModelCatalog, tiny_gguf: Path
) -> None:
    hub.add_file(REPO, "bad.gguf", tiny_gguf, sha256="ab" * 32)
    with pytest.raises(ChecksumMismatchError, match="bad.gguf.*damaged"):
        download_model(catalog, HubClient(hub.endpoint), REPO, "bad.gguf")
    assert not (catalog.models_dir / "bad.gguf").exists()
    assert list((catalog.models_dir / ".downloads").iterdir()) == []
    assert [r.id for r in catalog.list()] == ["smollm2-135m-instruct"]


def test_a_file_larger_than_the_free_disk_space_is_refused_before_downloading(
    hub: FakeHub, catalog: ModelCatalog, tiny_gguf: Path
) -> None:
    hub.add_file(REPO, "huge.gguf", tiny_gguf, declared_size=10**15)  # a petabyte: no disk here has that
    with pytest.raises(NotEnoughSpaceError, match="Not enough disk space for 'huge.gguf'.*free"):
        download_model(catalog, HubClient(hub.endpoint), REPO, "huge.gguf")
    assert hub.ranges("huge.gguf") == []  # refused before any GET
    assert [r.id for r in catalog.list()] == ["smollm2-135m-instruct"]


def test_offline_mode_and_missing_files_give_clear_errors(
    hub: FakeHub, catalog: ModelCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(HubError, match="no such file"):
        download_model(catalog, HubClient(hub.endpoint), REPO, "missing.gguf")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(HubError, match="offline"):
        HubClient(hub.endpoint).search("llama")
