"""The fit check: weights plus KV cache at the chosen context, against the device's free memory."""

from __future__ import annotations

from core.engine import embedded_model_path
from core.models.fit import DeviceMemory, ModelShape, check_fit, device_memory, estimate
from core.models.gguf_info import read_gguf
from core.models.starters import STARTER_QUANTS, STARTERS

GIB = 1024**3


def test_kv_cache_follows_the_model_shape_and_context() -> None:
    info = read_gguf(embedded_model_path())
    shape = ModelShape.of(info)
    assert (shape.n_layers, shape.n_head_kv, shape.dim) == (30, 3, 64)
    need = estimate(info.size_bytes, shape, 4096)
    # K and V, F16, 30 layers x 4096 positions x 3 KV heads x 64 dims.
    assert need.kv_bytes == 2 * 30 * 4096 * 3 * 64 * 2
    assert estimate(info.size_bytes, shape, 8192).kv_bytes == 2 * need.kv_bytes
    assert need.total_bytes > need.weights_bytes + need.kv_bytes


def test_verdicts_are_plain() -> None:
    shape = ModelShape(32, 3072, 32, 32, 32064)
    need = estimate(2 * GIB, shape, 4096)  # Phi-3-mini-like at Q4: ~2 GiB + 1.5 GiB of KV
    roomy = check_fit(need, 32, device=DeviceMemory(16 * GIB, 32 * GIB))
    assert roomy.verdict == "fits" and roomy.message.startswith("Fits")
    small = check_fit(need, 32, device=DeviceMemory(2 * GIB, 4 * GIB))
    assert small.verdict == "too_big" and "Does not fit" in small.message and "smaller" in small.message
    tight = check_fit(need, 32, device=DeviceMemory(int(need.total_bytes * 1.1), 8 * GIB))
    assert tight.verdict == "tight"
    gpu = check_fit(need, 32, gpu_layers=-1, device=DeviceMemory(8 * GIB, 16 * GIB, 1 * GIB, 8 * GIB))
    assert gpu.verdict == "too_big" and gpu.vram_needed > 3 * GIB and "GPU" in gpu.message


def test_this_device_and_the_starter_list() -> None:
    here = device_memory()
    assert 0 < here.ram_free <= here.ram_total
    assert len(STARTERS) == 13
    assert any(s.repo == "squeeze-ai-lab/TinyAgent-1.1B-GGUF" for s in STARTERS), "the assistant's reference"
    assert len({s.repo for s in STARTERS}) == len(STARTERS)
    for s in STARTERS:
        sizes = [s.memory(q).total_bytes for q in STARTER_QUANTS]
        assert sizes == sorted(sizes, reverse=True), s.name  # Q8_0 needs most, Q2_K least
