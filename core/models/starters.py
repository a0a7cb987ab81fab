"""A curated starter list of small instruct models, with the memory each quantization needs.

Shapes are the models' published configurations; sizes and memory are estimates from bits per weight
(the hub's real file sizes are shown by `hearth models files REPO`).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.models.fit import DeviceMemory, FitReport, MemoryNeed, ModelShape, check_fit, estimate, rough_fit
from core.models.quant_types import QUANT_TYPES

STARTER_QUANTS = ("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K")


@dataclass(frozen=True)
class Starter:
    name: str
    repo: str  # a hub repo with GGUF files of it
    n_params: int
    context_length: int
    shape: ModelShape
    note: str

    def memory(self, quant: str, n_ctx: int = 4096) -> MemoryNeed:
        weights = int(self.n_params * QUANT_TYPES[quant].bits_per_weight / 8)
        return estimate(weights, self.shape, min(n_ctx, self.context_length))

    def fit(self, quant: str, n_ctx: int = 4096, device: DeviceMemory | None = None) -> FitReport:
        """Whether this starter in `quant` fits the device at `n_ctx` tokens of context."""
        return check_fit(self.memory(quant, n_ctx), self.shape.n_layers, 0, device)

    def file_fit(self, size_bytes: int, n_ctx: int = 4096, device: DeviceMemory | None = None) -> FitReport:
        """Whether one of its hub files (of `size_bytes`) fits: its weights, with this model's shape."""
        need = estimate(size_bytes, self.shape, min(n_ctx, self.context_length))
        return check_fit(need, self.shape.n_layers, 0, device)


STARTERS: tuple[Starter, ...] = (
    Starter(
        "SmolLM2 360M Instruct",
        "HuggingFaceTB/SmolLM2-360M-Instruct-GGUF",
        362_000_000,
        8192,
        ModelShape(32, 960, 15, 5, 49152),
        "tiny and quick; simple questions",
    ),
    Starter(
        "SmolLM2 1.7B Instruct",
        "HuggingFaceTB/SmolLM2-1.7B-Instruct-GGUF",
        1_711_000_000,
        8192,
        ModelShape(24, 2048, 32, 32, 49152),
        "good small all-rounder",
    ),
    Starter(
        "Qwen2.5 0.5B Instruct",
        "Qwen/Qwen2.5-0.5B-Instruct-GGUF",
        494_000_000,
        32768,
        ModelShape(24, 896, 14, 2, 151936),
        "multilingual, follows formats well",
    ),
    Starter(
        "Qwen2.5 1.5B Instruct",
        "Qwen/Qwen2.5-1.5B-Instruct-GGUF",
        1_544_000_000,
        32768,
        ModelShape(28, 1536, 12, 2, 151936),
        "multilingual; strong for its size",
    ),
    Starter(
        "Qwen2.5 3B Instruct",
        "Qwen/Qwen2.5-3B-Instruct-GGUF",
        3_086_000_000,
        32768,
        ModelShape(36, 2048, 16, 2, 151936),
        "the strongest here; needs more memory",
    ),
    Starter(
        "Llama 3.2 1B Instruct",
        "bartowski/Llama-3.2-1B-Instruct-GGUF",
        1_236_000_000,
        131072,
        ModelShape(16, 2048, 32, 8, 128256),
        "fast; long context",
    ),
    Starter(
        "Llama 3.2 3B Instruct",
        "bartowski/Llama-3.2-3B-Instruct-GGUF",
        3_213_000_000,
        131072,
        ModelShape(28, 3072, 24, 8, 128256),
        "capable general assistant",
    ),
    Starter(
        "Phi-3 mini 4k Instruct",
        "microsoft/Phi-3-mini-4k-instruct-gguf",
        3_821_000_000,
        4096,
        ModelShape(32, 3072, 32, 32, 32064),
        "reasoning and code; short context",
    ),
    Starter(
        "Phi-3.5 mini Instruct",
        "bartowski/Phi-3.5-mini-instruct-GGUF",
        3_821_000_000,
        131072,
        ModelShape(32, 3072, 32, 32, 32064),
        "reasoning and code; long context",
    ),
    Starter(
        "Gemma 2 2B Instruct",
        "bartowski/gemma-2-2b-it-GGUF",
        2_614_000_000,
        8192,
        ModelShape(26, 2304, 8, 4, 256000, head_dim=256),
        "fluent writing",
    ),
    Starter(
        "TinyLlama 1.1B Chat",
        "TheBloke/TinyLlama-1.1B-Chat-v1.0-GGUF",
        1_100_000_000,
        2048,
        ModelShape(22, 2048, 32, 4, 32000),
        "small classic chat model",
    ),
    Starter(
        "TinyAgent 1.1B",
        "squeeze-ai-lab/TinyAgent-1.1B-GGUF",
        1_100_000_000,
        2048,
        ModelShape(22, 2048, 32, 4, 32000),
        "tuned for tool calling (function plans)",
    ),
)


def starter_for(repo: str) -> Starter | None:
    return next((s for s in STARTERS if s.repo == repo), None)


def hub_file_fit(
    repo: str, size_bytes: int, n_ctx: int = 4096, device: DeviceMemory | None = None
) -> FitReport:
    """The fit verdict for a file of `repo`: exact for a starter's shape, else estimated from its size."""
    starter = starter_for(repo)
    if starter is not None:
        return starter.file_fit(size_bytes, n_ctx, device)
    return rough_fit(size_bytes, n_ctx, device)
