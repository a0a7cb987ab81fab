"""What every engine offers, and what only some do: the protocols callers hold instead of a class.

`ChatEngine` is the whole contract of a chat model: generate from messages or a raw prompt (streamed to a
callback, cancelled through an event), count tokens, the context size, and `capabilities`, which say what
this engine can do beyond that. A caller that needs a capability asks for it (`engine.capabilities.grammar`,
`engine.adapters`) and degrades with a clear message where it is missing: a plan decoded without a grammar
is validated after decoding; memory without adapters runs on its prompts.

`LocalEngine` adds what only a model loaded on this machine has: its tokenizer and token ids, scoring of
given tokens, perplexity. Training and benchmarks need those; nothing a user waits for does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from core.engine.types import ChatMessage, GenerationOptions, GenerationResult, PerplexityResult

TokenCallback = Callable[[str], None]


class CancelFlag(Protocol):
    """What stops a request: a threading.Event, or anything else that says whether it is set."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Capabilities:
    """What an engine can do beyond plain generation.

    Attributes:
        grammar: decodes under a GBNF grammar (GenerationOptions.grammar).
        json_schema: decodes under a JSON schema (GenerationOptions.json_schema).
        adapters: takes LoRA adapters, chosen per request (GenerationOptions.adapter).
        logprobs: reports the mean log-probability of the tokens it chose (GenerationOptions.logprobs).
        embeddings: serves sentence embeddings too.
        local: runs on this machine (its energy is measured here, and nothing leaves the machine).
    """

    grammar: bool = False
    json_schema: bool = False
    adapters: bool = False
    logprobs: bool = False
    embeddings: bool = False
    local: bool = True

    def missing(self, options: GenerationOptions) -> list[str]:
        """The capabilities `options` asks for that this engine lacks, in words."""
        out = []
        if options.grammar is not None and not self.grammar:
            out.append("a grammar")
        if options.json_schema is not None and not (self.json_schema or self.grammar):
            out.append("a JSON schema")
        if options.adapter is not None and not self.adapters:
            out.append("LoRA adapters")
        return out


@dataclass(frozen=True)
class ModelInfo:
    """What is known of the model behind an engine. A remote engine knows less: path "" and zeros."""

    path: str
    name: str
    architecture: str
    n_params: int
    size_bytes: int
    n_ctx_train: int
    n_ctx: int
    has_chat_template: bool
    gpu_layers: int
    engine: str = "llama.cpp"  # which kind of engine serves it ("llama.cpp", "remote:<name>")


class AdapterSupport(Protocol):
    """LoRA adapters on an engine's one loaded base model: loaded once, chosen per request by name."""

    @property
    def base_model(self) -> Path:
        """The base model's GGUF file: adapters are matched to it."""
        ...

    @property
    def names(self) -> list[str]:
        """The adapters loaded so far."""
        ...

    def load(self, name: str, path: str | Path, scale: float = 1.0) -> None:
        """Load an adapter once (AdapterError if it does not fit the base model)."""
        ...


@runtime_checkable
class ChatEngine(Protocol):
    """A chat model that serves one request at a time (callers may call from any thread)."""

    @property
    def info(self) -> ModelInfo: ...

    @property
    def n_ctx(self) -> int:
        """Context window in tokens: prompt and answer together."""
        ...

    @property
    def capabilities(self) -> Capabilities: ...

    @property
    def adapters(self) -> AdapterSupport | None:
        """Adapter loading, or None where the engine takes no adapters."""
        ...

    @property
    def closed(self) -> bool: ...

    def chat(
        self,
        messages: Sequence[ChatMessage],
        options: GenerationOptions | None = None,
        on_token: TokenCallback | None = None,
        cancel: CancelFlag | None = None,
    ) -> GenerationResult:
        """Answer a conversation with the model's chat template, streaming text to `on_token`.

        `cancel`, when set, ends the answer at the next token (finish_reason "cancelled").
        """
        ...

    def complete(
        self,
        prompt: str,
        options: GenerationOptions | None = None,
        on_token: TokenCallback | None = None,
        cancel: CancelFlag | None = None,
    ) -> GenerationResult:
        """Continue a raw prompt (no chat template)."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def count_chat_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """Prompt tokens these messages take once rendered with the chat template."""
        ...

    def close(self) -> None:
        """Free the model once requests in flight are done; later calls raise EngineClosedError."""
        ...


@runtime_checkable
class LocalEngine(ChatEngine, Protocol):
    """A model loaded on this machine: its tokenizer, token ids and scores (training, benchmarks)."""

    @property
    def adapters(self) -> AdapterSupport:
        """A local model always takes adapters."""
        ...

    @property
    def n_threads(self) -> int: ...

    @property
    def eog_tokens(self) -> list[int]:
        """Every token that ends generation."""
        ...

    @property
    def turn_end(self) -> str:
        """The text that ends the model's turn in its chat template (e.g. "<|im_end|>")."""
        ...

    def tokenize(self, text: str, *, add_special: bool = False, special: bool = False) -> list[int]: ...

    def detokenize(self, tokens: Sequence[int]) -> str: ...

    def render_chat(self, messages: Sequence[ChatMessage]) -> str: ...

    def chat_tokens(self, messages: Sequence[ChatMessage]) -> list[int]: ...

    def token_logprobs(
        self, tokens: Sequence[int], first: int, adapter: str | None = None
    ) -> list[float]: ...

    def perplexity(self, text: str, window: int = 256) -> PerplexityResult: ...

    def reset_cache(self) -> None: ...
