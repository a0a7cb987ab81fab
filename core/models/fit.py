"""Will this model fit? Predicts RAM (and VRAM, with GPU offload) for weights plus KV cache at a context
length, compares it with what the device has free, and says so plainly.

The prediction is llama.cpp's layout: weights are the GGUF's tensors (mapped from the file), the KV cache
holds K and V in F16 for every layer and position, and the compute buffer grows with the batch, the
vocabulary and the attention scores. It is an estimate, so a margin separates "fits" from "tight".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import psutil

from core.models.gguf_info import GGUFInfo

Verdict = Literal["fits", "tight", "too_big"]
_KV_BYTES = 2  # F16 cache
_UBATCH = 512
_RUNTIME_OVERHEAD = 48 * 1024 * 1024  # ggml's context objects, the tokenizer, thread buffers
_MARGIN = 0.8  # "fits" leaves a fifth of free memory to the rest of the system


@dataclass(frozen=True)
class ModelShape:
    """The dimensions that decide the KV cache and compute buffer."""

    n_layers: int
    n_embd: int
    n_head: int
    n_head_kv: int
    vocab_size: int
    head_dim: int = 0  # 0: n_embd // n_head (Gemma 2 is the exception: 256)

    @classmethod
    def of(cls, info: GGUFInfo) -> ModelShape:
        key_len = info.arch_value("attention.key_length", 0)
        return cls(
            n_layers=info.n_layers,
            n_embd=info.n_embd,
            n_head=max(info.n_head, 1),
            n_head_kv=max(info.n_head_kv, 1),
            vocab_size=info.vocab_size,
            head_dim=int(key_len) if isinstance(key_len, int) else 0,
        )

    @property
    def dim(self) -> int:
        return self.head_dim or self.n_embd // max(self.n_head, 1)


@dataclass(frozen=True)
class MemoryNeed:
    weights_bytes: int
    kv_bytes: int
    compute_bytes: int
    n_ctx: int

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.kv_bytes + self.compute_bytes


@dataclass(frozen=True)
class DeviceMemory:
    ram_free: int
    ram_total: int
    vram_free: int | None = None  # None: no NVIDIA GPU seen
    vram_total: int | None = None
    gpu_name: str = ""


@dataclass(frozen=True)
class FitReport:
    verdict: Verdict
    need: MemoryNeed
    ram_needed: int
    vram_needed: int
    device: DeviceMemory
    message: str
    estimated_from_size: bool = False  # the model's shape was not known: a rough allowance was used

    @property
    def fits(self) -> bool:
        return self.verdict != "too_big"


def estimate(weights_bytes: int, shape: ModelShape, n_ctx: int) -> MemoryNeed:
    kv = 2 * shape.n_layers * n_ctx * shape.n_head_kv * shape.dim * _KV_BYTES
    ubatch = min(_UBATCH, n_ctx)
    # Logits of one batch, plus the attention scores of one layer at a time over the whole context.
    compute = 4 * ubatch * (shape.vocab_size + shape.n_head * n_ctx) + _RUNTIME_OVERHEAD
    return MemoryNeed(weights_bytes, kv, compute, n_ctx)


def rough_need(weights_bytes: int, n_ctx: int) -> MemoryNeed:
    """For a hub file whose shape is not known before download: the weights plus a generous allowance
    for the KV cache and buffers (about an eighth of the weights at 4k context, scaled by context)."""
    kv = int(weights_bytes * 0.125 * n_ctx / 4096)
    return MemoryNeed(weights_bytes, kv, _RUNTIME_OVERHEAD * 2, n_ctx)


def device_memory() -> DeviceMemory:
    vm = psutil.virtual_memory()
    vram_free = vram_total = None
    name = ""
    try:  # NVIDIA only; nvidia-ml-py is optional and absent GPUs are the common case
        import pynvml

        pynvml.nvmlInit()
        try:
            handle = pynvml.nvmlDeviceGetHandleByIndex(0)
            info = pynvml.nvmlDeviceGetMemoryInfo(handle)
            vram_free, vram_total = int(info.free), int(info.total)
            raw = pynvml.nvmlDeviceGetName(handle)
            name = raw.decode() if isinstance(raw, bytes) else str(raw)
        finally:
            pynvml.nvmlShutdown()
    except Exception:  # no library, no driver, no device: report no GPU
        vram_free = vram_total = None
    return DeviceMemory(int(vm.available), int(vm.total), vram_free, vram_total, name)


def check_fit(
    need: MemoryNeed,
    n_layers: int,
    gpu_layers: int = 0,
    device: DeviceMemory | None = None,
) -> FitReport:
    """Compare a prediction with the device. With gpu_layers (-1: all), that share of the weights and the
    KV cache goes to VRAM instead of RAM."""
    device = device or device_memory()
    layers = max(n_layers, 1)
    on_gpu = 0.0
    if gpu_layers and device.vram_free is not None:
        on_gpu = 1.0 if gpu_layers < 0 else min(gpu_layers, layers) / layers
    vram = int((need.weights_bytes + need.kv_bytes) * on_gpu + (need.compute_bytes if on_gpu else 0))
    ram = need.total_bytes - vram
    checks = [(ram, device.ram_free)]
    if vram:
        checks.append((vram, device.vram_free or 0))
    if all(n <= free * _MARGIN for n, free in checks):
        verdict: Verdict = "fits"
    elif all(n <= free for n, free in checks):
        verdict = "tight"
    else:
        verdict = "too_big"
    return FitReport(verdict, need, ram, vram, device, _message(verdict, need, ram, vram, device))


def rough_fit(weights_bytes: int, n_ctx: int, device: DeviceMemory | None = None) -> FitReport:
    """The verdict for a file whose shape is not known before download (see rough_need)."""
    report = check_fit(rough_need(weights_bytes, n_ctx), 1, 0, device)
    return replace(
        report, message=report.message + " (estimated from the file size)", estimated_from_size=True
    )


def _message(verdict: Verdict, need: MemoryNeed, ram: int, vram: int, device: DeviceMemory) -> str:
    parts = f"weights {gib(need.weights_bytes)} + context of {need.n_ctx} tokens {gib(need.kv_bytes)}"
    where = f"{gib(ram)} of memory" + (f" and {gib(vram)} of GPU memory" if vram else "")
    free = f"{gib(device.ram_free)} free" + (
        f", GPU {gib(device.vram_free)} free" if vram and device.vram_free is not None else ""
    )
    if verdict == "fits":
        return f"Fits: it needs about {where} ({parts}); this computer has {free}."
    if verdict == "tight":
        return (
            f"It should just fit: it needs about {where} ({parts}) and this computer has {free}. "
            "Close other programs, or choose a smaller quantization or a shorter context."
        )
    return (
        f"Does not fit: it needs about {where} ({parts}) but this computer has only {free}. "
        "Choose a smaller quantization, a smaller model or a shorter context."
    )


def gib(n: int | float) -> str:
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GiB"
    return f"{n / 1024**2:.0f} MiB"
