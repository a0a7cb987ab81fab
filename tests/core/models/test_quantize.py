"""Quantization through llama.cpp in a child process: real files, real engine loading the results."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from core.bench.quants import bundled_text
from core.engine import GenerationOptions, embedded_model_path
from core.errors import ModelFileError, OperationCancelled, QuantizeError, UnsupportedQuantError
from core.models import ModelCatalog
from core.models.gguf_info import read_gguf
from core.models.profiles import defaults_for
from core.models.progress import Progress
from core.models.quantize import quantize_model
from core.runtime import open_local
from core.store import Store
from tests.model_factory import dequantize_to_f16, write_tiny_llama


@pytest.fixture
def catalog(hearth_home: Path) -> Iterator[ModelCatalog]:
    c = ModelCatalog(Store(hearth_home))
    yield c
    c.close()


@pytest.fixture
def tiny(catalog: ModelCatalog) -> str:
    catalog.models_dir.mkdir(parents=True)
    write_tiny_llama(catalog.models_dir / "tiny-F32.gguf")
    catalog.sync()
    return "tiny-f32"


def _leftovers(catalog: ModelCatalog) -> list[str]:
    return sorted(p.name for p in catalog.models_dir.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("qtype", ["Q8_0", "Q4_0"])
def test_tiny_model_quantized_then_loaded_and_generating(
    catalog: ModelCatalog, tiny: str, qtype: str
) -> None:
    seen: list[Progress] = []
    result = quantize_model(catalog, tiny, qtype, threads=2, progress=seen.append)
    r = result.record
    assert (r.id, r.quant_type, r.parent_id, result.warning) == (f"tiny-{qtype.lower()}", qtype, tiny, "")
    assert r.size_bytes < catalog.get(tiny).size_bytes / 2
    info = read_gguf(Path(r.path))
    assert qtype in {t.type for t in info.tensors}
    assert seen[-1].done == seen[-1].total == len(info.tensors) and seen[-1].unit == "tensors"
    assert _leftovers(catalog) == []
    with closing(open_local(Path(r.path), n_ctx=256, n_threads=2)) as engine:
        out = engine.complete(
            "Once upon a time", GenerationOptions(max_tokens=8, temperature=0, ignore_eos=True)
        )
    assert out.metrics.completion_tokens == 8 and out.text.strip()


def test_bad_inputs_give_clear_errors_and_leave_nothing(
    catalog: ModelCatalog, tiny: str, tmp_path: Path
) -> None:
    with pytest.raises(UnsupportedQuantError, match="'Q9_X'.*Q4_K_M"):
        quantize_model(catalog, tiny, "Q9_X")
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"definitely not a model" * 100)
    with pytest.raises(ModelFileError, match="junk.gguf.*not a GGUF"):
        quantize_model(catalog, str(junk), "Q4_0")
    cut = tmp_path / "cut.gguf"
    data = Path(catalog.get(tiny).path).read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="cut.gguf.*truncated"):
        quantize_model(catalog, str(cut), "Q4_0")
    assert [r.id for r in catalog.list()] == ["smollm2-135m-instruct", tiny]
    assert _leftovers(catalog) == []


def test_cancel_kills_the_quantizer_and_keeps_nothing(catalog: ModelCatalog, tiny: str) -> None:
    cancel = threading.Event()
    with pytest.raises(OperationCancelled):
        # Cancel as soon as the child reports its first tensor.
        quantize_model(catalog, tiny, "Q8_0", progress=lambda p: p.done > 0 and cancel.set(), cancel=cancel)
    assert [r.id for r in catalog.list()] == ["smollm2-135m-instruct", tiny]
    assert _leftovers(catalog) == [] and not (catalog.models_dir / "tiny-Q8_0.gguf").exists()


def test_embedded_smollm2_via_f16_to_q4_k_m_answers(catalog: ModelCatalog, tmp_path: Path) -> None:
    f16 = dequantize_to_f16(embedded_model_path(), tmp_path / "SmolLM2-135M-Instruct-F16.gguf")
    assert read_gguf(f16).quant_type == "F16"
    result = quantize_model(
        catalog, str(f16), "Q4_K_M", output=catalog.models_dir / "smol-q4km.gguf", threads=2
    )
    r = result.record
    assert r.quant_type == "Q4_K_M" and result.warning == ""
    assert "Q4_K" in {t.type for t in read_gguf(Path(r.path)).tensors}
    # The round trip keeps the model: on plain English it is about as surprised as the shipped Q4_1 (a
    # broken quantization is thousands of times worse), and it still answers in words. No one greedy answer
    # is asserted: it differs from CPU to CPU.
    text = bundled_text()[:900]
    with closing(open_local(embedded_model_path(), n_ctx=512, n_threads=2)) as original:
        before = original.perplexity(text, window=96).perplexity
    with closing(open_local(Path(r.path), n_ctx=512, n_threads=2)) as engine:
        after = engine.perplexity(text, window=96).perplexity
        out = engine.chat(
            [
                {"role": "system", "content": defaults_for(embedded_model_path()).system_prompt},
                {"role": "user", "content": "What is the capital of France?"},
            ],
            GenerationOptions(max_tokens=24, temperature=0),
        )
    assert 0.7 < after / before < 1.3, (before, after)
    assert sum(ch.isalpha() for ch in out.text) >= 3


def test_requantizing_a_quantized_model_warns(catalog: ModelCatalog, tiny: str) -> None:
    q8 = quantize_model(catalog, tiny, "Q8_0", threads=2).record
    result = quantize_model(catalog, q8.id, "Q4_0", threads=2)
    assert "already quantized (Q8_0)" in result.warning and result.record.parent_id == q8.id
    with pytest.raises(QuantizeError, match="already Q8_0"):
        quantize_model(catalog, q8.id, "q8_0")
