"""Plain data the engine takes and returns: messages, options, metrics, results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

Role = Literal["system", "user", "assistant"]
FinishReason = Literal["stop", "length", "cancelled", "stop_string"]


class ChatMessage(TypedDict):
    role: Role
    content: str


@dataclass(frozen=True)
class EngineConfig:
    """How to load one model. Grouped here so the Engine's constructor stays small."""

    model_path: str
    n_ctx: int = 4096
    n_threads: int | None = None  # None: chosen per request from the cores other processes leave free
    n_gpu_layers: int = 0  # 0 runs on the CPU; -1 offloads every layer to the GPU
    main_gpu: int = 0  # which GPU, when there are several
    # Flash attention: None lets Hearth choose: off on the CPU (decoding at 513 tokens of context, 1 thread,
    # SmolLM2: 58.6 tok/s off against 51.8 on, interleaved A/B), llama.cpp's "auto" when layers go to a GPU.
    flash_attn: bool | None = None
    n_batch: int = 512
    # For a model whose GGUF has no chat template (a base model): the template its profile gives
    # (core.models.profiles), and the strings that end its turn.
    chat_template: str | None = None
    chat_stops: tuple[str, ...] = ()


@dataclass(frozen=True)
class GenerationOptions:
    """Per-request decoding choices. temperature 0 decodes greedily (reproducible)."""

    max_tokens: int = 512
    temperature: float = 0.7
    top_k: int = 40
    top_p: float = 0.95
    min_p: float = 0.05
    repeat_penalty: float = 1.0
    repeat_last_n: int = 64
    seed: int = 0xC0FFEE
    stop: tuple[str, ...] = ()
    grammar: str | None = None  # GBNF, root rule "root"
    json_schema: dict[str, Any] | None = None  # compiled to GBNF; exclusive with grammar
    adapter: str | None = None  # name of a LoRA adapter loaded with Engine.load_adapter
    ignore_eos: bool = False  # never end on an end-of-generation token (benchmarks: a fixed length)
    logprobs: bool = False  # report the mean log-probability of the chosen tokens (costs a little per token)


@dataclass
class Metrics:
    """What one request cost. Times are wall-clock milliseconds measured in the engine's loop."""

    prompt_tokens: int = 0
    prompt_tokens_evaluated: int = 0  # fewer than prompt_tokens when the KV cache held a prefix
    completion_tokens: int = 0
    ttft_ms: float = 0.0  # request start to first token out
    prompt_tok_s: float = 0.0
    decode_tok_s: float = 0.0  # tokens after the first, over the time after the first
    total_ms: float = 0.0
    trimmed_messages: int = 0  # earlier messages left out so the conversation fits the context
    adapter_switch_ms: float = 0.0  # time to put this request's LoRA adapter in effect, when it changed
    queue_ms: float = 0.0  # time the request waited for the model behind other requests
    threads: int = 0  # CPU threads it decoded with (0: not a CPU engine, or not known)

    def as_dict(self) -> dict[str, float | int]:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in self.__dict__.items()}


@dataclass
class GenerationResult:
    text: str
    finish_reason: FinishReason
    metrics: Metrics = field(default_factory=Metrics)
    # Mean natural-log probability of the chosen tokens under the model (None unless options.logprobs).
    mean_logprob: float | None = None


@dataclass(frozen=True)
class PerplexityResult:
    perplexity: float
    tokens_scored: int
    windows: int
    seconds: float
