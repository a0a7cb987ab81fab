"""Converting a Hugging Face safetensors checkpoint to GGUF F16 with llama.cpp's converter, then running it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from core.engine import GenerationOptions
from core.errors import ConvertError
from core.models import ModelCatalog
from core.models.convert import convert_checkpoint, install_converter
from core.models.gguf_info import read_gguf
from core.models.quantize import quantize_model
from core.runtime import open_local
from core.store import Store
from tests.checkpoint_factory import write_tiny_hf_llama


@pytest.fixture(scope="module")
def converter() -> Path:
    # Fetched once from PyPI into the user cache (make setup does it ahead of the tests).
    return install_converter()


@pytest.fixture
def catalog(hearth_home: Path) -> Iterator[ModelCatalog]:
    c = ModelCatalog(Store(hearth_home))
    yield c
    c.close()


def test_a_tiny_llama_checkpoint_converts_quantizes_and_runs(
    converter: Path, catalog: ModelCatalog, tmp_path: Path
) -> None:
    folder = write_tiny_hf_llama(tmp_path / "my-finetune")
    progress = []
    result = convert_checkpoint(catalog, folder, progress=progress.append)
    r = result.record
    assert (r.id, r.quant_type, r.architecture, r.context_length) == ("my-finetune-f16", "F16", "llama", 512)
    info = read_gguf(Path(r.path))
    assert info.vocab_size == 320 and info.n_layers == 2 and info.metadata["tokenizer.ggml.model"] == "llama"
    assert progress[-1].done == progress[-1].total == 2 * 9 + 3  # every tensor of the checkpoint
    q = quantize_model(catalog, r.id, "Q8_0", threads=2).record
    with closing(open_local(Path(q.path), n_ctx=256, n_threads=2)) as engine:
        out = engine.complete("The kettle", GenerationOptions(max_tokens=6, temperature=0, ignore_eos=True))
    assert out.metrics.completion_tokens == 6


def test_not_a_checkpoint_is_refused_clearly(converter: Path, catalog: ModelCatalog, tmp_path: Path) -> None:
    with pytest.raises(ConvertError, match="no config.json"):
        convert_checkpoint(catalog, tmp_path)
    (tmp_path / "config.json").write_text('{"architectures": ["LlamaForCausalLM"]}')
    with pytest.raises(ConvertError, match="no .safetensors"):
        convert_checkpoint(catalog, tmp_path)
    with pytest.raises(ConvertError, match="f16"):
        convert_checkpoint(catalog, tmp_path, outtype="q4_k_m")
    assert [r.id for r in catalog.list()] == ["smollm2-135m-instruct"]
