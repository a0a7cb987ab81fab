"""A curated starter list of small instruct and function-calling models, with the memory each quant needs.

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
    profile: str  # its family in core.models.profiles (chat defaults; "unmeasured" for all but SmolLM2)

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


# The small instruct and function-calling models people pick in 2025-26, and TinyAgent (the assistant's
# reference planner). Shapes from each model's config.json: layers, embedding, heads, KV heads, vocabulary
# (and head size where it is not embedding / heads). Their chat defaults are in core.models.profiles:
# none of these was measured here (no hub is reachable from the machines Hearth is built on).
STARTERS: tuple[Starter, ...] = (
    Starter(
        "Qwen3 0.6B",
        "Qwen/Qwen3-0.6B-GGUF",
        751_600_000,
        32768,
        ModelShape(28, 1024, 16, 8, 151936, head_dim=128),
        "tiny and multilingual; thinks aloud unless told /no_think",
        "qwen3",
    ),
    Starter(
        "Qwen3 1.7B",
        "Qwen/Qwen3-1.7B-GGUF",
        2_031_000_000,
        32768,
        ModelShape(28, 2048, 16, 8, 151936, head_dim=128),
        "strong for its size; tool calling",
        "qwen3",
    ),
    Starter(
        "Qwen3 4B",
        "Qwen/Qwen3-4B-GGUF",
        4_022_000_000,
        32768,
        ModelShape(36, 2560, 32, 8, 151936, head_dim=128),
        "the strongest here; needs more memory",
        "qwen3",
    ),
    Starter(
        "Gemma 3 1B Instruct",
        "ggml-org/gemma-3-1b-it-GGUF",
        999_900_000,
        32768,
        ModelShape(26, 1152, 4, 1, 262144, head_dim=256),
        "fluent and quick; 140 languages",
        "gemma3",
    ),
    Starter(
        "Gemma 3 4B Instruct",
        "ggml-org/gemma-3-4b-it-GGUF",
        3_880_000_000,
        131072,
        ModelShape(34, 2560, 8, 4, 262208, head_dim=256),
        "capable writer; long context",
        "gemma3",
    ),
    Starter(
        "SmolLM3 3B",
        "ggml-org/SmolLM3-3B-GGUF",
        3_075_000_000,
        65536,
        ModelShape(36, 2048, 16, 4, 128256),
        "fully open; reasoning on request (/think)",
        "smollm3",
    ),
    Starter(
        "Phi-4 mini Instruct",
        "unsloth/Phi-4-mini-instruct-GGUF",
        3_836_000_000,
        131072,
        ModelShape(32, 3072, 24, 8, 200064),
        "reasoning, maths and code; function calling",
        "phi4",
    ),
    Starter(
        "Llama 3.2 1B Instruct",
        "bartowski/Llama-3.2-1B-Instruct-GGUF",
        1_236_000_000,
        131072,
        ModelShape(16, 2048, 32, 8, 128256),
        "fast; long context",
        "llama3",
    ),
    Starter(
        "Llama 3.2 3B Instruct",
        "bartowski/Llama-3.2-3B-Instruct-GGUF",
        3_213_000_000,
        131072,
        ModelShape(28, 3072, 24, 8, 128256),
        "capable general assistant",
        "llama3",
    ),
    Starter(
        "SmolLM2 360M Instruct",
        "HuggingFaceTB/SmolLM2-360M-Instruct-GGUF",
        362_000_000,
        8192,
        ModelShape(32, 960, 15, 5, 49152),
        "the embedded model's bigger sibling; simple questions",
        "smollm2",
    ),
    Starter(
        "xLAM-2 1B (function calling)",
        "Salesforce/xLAM-2-1b-fc-r-gguf",
        1_544_000_000,
        32768,
        ModelShape(28, 1536, 12, 2, 151936),
        "tuned for tool calls (Qwen2.5 1.5B base); research licence",
        "xlam2",
    ),
    Starter(
        "FunctionGemma 270M",
        "unsloth/functiongemma-270m-it-GGUF",
        268_100_000,
        32768,
        ModelShape(18, 640, 4, 1, 262144, head_dim=256),
        "tiny function caller; meant to be fine-tuned, not to chat",
        "functiongemma",
    ),
    Starter(
        "TinyAgent 1.1B",
        "squeeze-ai-lab/TinyAgent-1.1B-GGUF",
        1_100_000_000,
        2048,
        ModelShape(22, 2048, 32, 4, 32000),
        "tuned for tool calling (function plans); the assistant's reference",
        "tinyagent",
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
