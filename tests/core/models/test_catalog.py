"""The catalog: the embedded model always there, files read from their GGUF headers, bad files refused."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from core.engine import EMBEDDED_MODEL_ID, embedded_model_path
from core.errors import ModelFileError, UnknownModelError
from core.models import ModelCatalog, list_models, resolve_model
from core.models.gguf_info import read_gguf
from core.store import Store
from tests.model_factory import write_tiny_llama


@pytest.fixture
def catalog(hearth_home: Path) -> ModelCatalog:
    c = ModelCatalog(Store(hearth_home))
    yield c
    c.close()


def test_the_embedded_model_is_always_in_the_catalog(catalog: ModelCatalog) -> None:
    records = catalog.list()
    assert records[0].id == EMBEDDED_MODEL_ID and records[0].embedded
    r = records[0]
    assert (r.architecture, r.quant_type, r.context_length, r.has_chat_template) == (
        "llama",
        "Q4_1",
        8192,
        True,
    )
    assert 130e6 < r.n_params < 140e6
    assert r.size_bytes == embedded_model_path().stat().st_size
    with pytest.raises(UnknownModelError, match="embedded"):
        catalog.remove(EMBEDDED_MODEL_ID)


def test_a_file_in_the_models_folder_is_registered_with_its_header(catalog: ModelCatalog) -> None:
    catalog.models_dir.mkdir(parents=True)
    tiny = write_tiny_llama(catalog.models_dir / "Tiny-Test.F32.gguf", n_ctx=384)
    report = catalog.sync()
    assert report.added == ["tiny-test.f32"]
    r = catalog.get("tiny-test.f32")
    assert r.sha256 == hashlib.sha256(tiny.read_bytes()).hexdigest()
    assert (r.architecture, r.quant_type, r.context_length) == ("llama", "F32", 384)
    assert r.n_params == sum(t.n_elements for t in read_gguf(tiny).tensors)
    # The callers of the old core.models API see it too.
    assert [e.id for e in list_models()] == [EMBEDDED_MODEL_ID, "tiny-test.f32"]
    assert resolve_model("tiny-test.f32") == tiny.resolve()
    # A vanished file leaves the catalog.
    tiny.unlink()
    assert catalog.sync().removed == ["tiny-test.f32"]
    assert [r.id for r in catalog.list()] == [EMBEDDED_MODEL_ID]


def test_bad_files_are_refused_and_leave_no_row(catalog: ModelCatalog, tmp_path: Path) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(os.urandom(4096))
    with pytest.raises(ModelFileError, match="junk.gguf.*not a GGUF"):
        catalog.register(junk)
    good = write_tiny_llama(tmp_path / "cut.gguf")
    data = good.read_bytes()
    good.write_bytes(data[: len(data) - 1000])  # header intact, last tensor short
    with pytest.raises(ModelFileError, match="cut.gguf.*truncated"):
        catalog.register(good)
    good.write_bytes(data[:5000])  # cut inside the header (the vocabulary)
    with pytest.raises(ModelFileError, match="truncated"):
        catalog.register(good)
    assert catalog.store.catalog.list() == []  # nothing was written
    # Dropped in the models folder, bad files are reported and skipped, not registered.
    catalog.models_dir.mkdir(parents=True)
    (catalog.models_dir / "junk.gguf").write_bytes(b"GGUF nonsense")
    report = catalog.sync()
    assert report.added == [] and "junk.gguf" in report.problems[0]
    assert [r.id for r in catalog.list()] == [EMBEDDED_MODEL_ID]


def test_ids_stay_unique_and_removal_can_delete_the_file(catalog: ModelCatalog, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = catalog.register(write_tiny_llama(tmp_path / "a" / "m.gguf"))
    b = catalog.register(write_tiny_llama(tmp_path / "b" / "m.gguf", seed=1))
    assert (a.id, b.id) == ("m", "m-2") and a.sha256 != b.sha256
    catalog.remove("m-2", delete_file=True)
    assert not Path(b.path).exists() and Path(a.path).exists()
    assert [r.id for r in catalog.list()] == [EMBEDDED_MODEL_ID, "m"]
