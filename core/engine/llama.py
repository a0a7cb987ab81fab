"""The llama.cpp engine: a GGUF loaded once on this machine, requests served one at a time.

The decode loop is Hearth's own and calls llama.cpp's C API directly (sampling included), because for a
135M model the Python work per token of llama-cpp-python's high-level `create_completion` is a real share
of the time. The KV cache keeps the longest common prefix between requests, so the next turn of a chat
only evaluates the new tokens.
"""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import llama_cpp
import numpy as np
from llama_cpp._internals import LlamaContext, LlamaModel

from core.engine.chat_template import ChatTemplate
from core.engine.context_policy import fit_to_context, prompt_budget
from core.engine.cpu import use_extra_buffers
from core.engine.interface import CancelFlag, Capabilities, ModelInfo, TokenCallback
from core.engine.model_files import check_gguf_file
from core.engine.perplexity import PerplexityResult, perplexity_from, token_logprobs, window_nll
from core.engine.sampling import SamplerChain
from core.engine.text_stream import TextStream
from core.engine.threads import ThreadChooser
from core.engine.types import (
    ChatMessage,
    EngineConfig,
    FinishReason,
    GenerationOptions,
    GenerationResult,
    Metrics,
)
from core.errors import AdapterError, EngineClosedError, GenerationError, ModelLoadError

log = logging.getLogger(__name__)

CAPABILITIES = Capabilities(grammar=True, json_schema=True, adapters=True, logprobs=True, local=True)

# llama.cpp logs every load detail to stderr; Hearth shows only errors unless HEARTH_DEBUG is set.
logging.getLogger("llama-cpp-python").setLevel(
    logging.DEBUG if os.environ.get("HEARTH_DEBUG") else logging.ERROR
)


@dataclass
class _Adapter:
    ptr: llama_cpp.llama_adapter_lora_p
    scale: float
    path: str


def _flash_attn_type(config: EngineConfig) -> int:
    if config.flash_attn is None:
        return (
            llama_cpp.LLAMA_FLASH_ATTN_TYPE_AUTO
            if config.n_gpu_layers
            else llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
        )
    return (
        llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED
        if config.flash_attn
        else llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
    )


class _LlamaAdapters:
    """The engine's LoRA adapters (core.engine.interface.AdapterSupport)."""

    def __init__(self, engine: LlamaEngine) -> None:
        self._engine = engine

    @property
    def base_model(self) -> Path:
        return Path(self._engine.config.model_path)

    @property
    def names(self) -> list[str]:
        return list(self._engine._adapters)

    def load(self, name: str, path: str | Path, scale: float = 1.0) -> None:
        self._engine.load_adapter(name, path, scale)


class LlamaEngine:
    """One model, one llama.cpp context (core.engine.interface.LocalEngine).

    Thread-safe: a lock serialises requests in arrival order (core.engine.scheduler decides that order
    when several callers share the engine). After close() every call raises EngineClosedError.
    """

    capabilities = CAPABILITIES

    def __init__(self, config: EngineConfig) -> None:
        path = Path(config.model_path)
        check_gguf_file(path)
        self.config = config
        self._lock = threading.Lock()
        self._closed = False
        self._adapters: dict[str, _Adapter] = {}
        self._active_adapter: str | None = None
        self.adapters = _LlamaAdapters(self)
        if config.n_gpu_layers != 0 and not llama_cpp.llama_supports_gpu_offload():
            # llama.cpp would quietly run on the CPU, and the device panel would measure the wrong device.
            raise ModelLoadError(
                str(path),
                "a GPU was chosen, but this build of llama-cpp-python has no GPU support: build it with "
                "`make gpu`, or choose the CPU",
            )

        model_params = llama_cpp.llama_model_default_params()
        model_params.n_gpu_layers = config.n_gpu_layers
        model_params.main_gpu = config.main_gpu
        model_params.use_extra_bufts = use_extra_buffers()  # off on AMX CPUs, where they crash (cpu.py)
        try:
            self._model = LlamaModel(path_model=str(path), params=model_params, verbose=False)
        except ValueError as e:
            raise ModelLoadError(
                str(path), "llama.cpp could not read it; the file may be truncated or damaged"
            ) from e
        self._vocab = self._model.vocab
        n_ctx_train = self._model.n_ctx_train()
        n_ctx = min(config.n_ctx, n_ctx_train) if n_ctx_train > 0 else config.n_ctx
        # With every layer on a GPU the CPU threads only feed it: the chooser's probe is not needed.
        self._threads = ThreadChooser(config.n_threads or (1 if config.n_gpu_layers < 0 else None))
        threads = self._threads.most

        ctx_params = llama_cpp.llama_context_default_params()
        ctx_params.n_ctx = n_ctx
        ctx_params.n_batch = min(config.n_batch, n_ctx)
        ctx_params.n_ubatch = min(config.n_batch, n_ctx)
        ctx_params.n_threads = threads
        ctx_params.n_threads_batch = threads
        ctx_params.no_perf = True
        ctx_params.flash_attn_type = _flash_attn_type(config)
        try:
            self._ctx = LlamaContext(model=self._model, params=ctx_params, verbose=False)
        except ValueError as e:
            self._model.close()
            self._threads.close()
            raise ModelLoadError(str(path), f"llama.cpp could not create a context of {n_ctx} tokens") from e
        self.n_ctx: int = llama_cpp.llama_n_ctx(self._ctx.ctx)
        self._ctx_threads = threads
        self._n_batch = ctx_params.n_batch
        self._n_vocab = llama_cpp.llama_vocab_n_tokens(self._vocab)

        meta = self._model.metadata()
        self._template = ChatTemplate(
            meta.get("tokenizer.chat_template"),
            bos_token=self._token_text(self._model.token_bos()),
            eos_token=self._token_text(self._model.token_eos()),
            fallback=config.chat_template,
            fallback_stops=config.chat_stops,
        )
        self.info = ModelInfo(
            path=str(path),
            name=meta.get("general.name") or path.stem,
            architecture=meta.get("general.architecture", "unknown"),
            n_params=self._model.n_params(),
            size_bytes=path.stat().st_size,
            n_ctx_train=n_ctx_train,
            n_ctx=self.n_ctx,
            has_chat_template=self._template.has_model_template,
            gpu_layers=config.n_gpu_layers,
        )

        # Buffers reused by every token of the decode loop.
        self._kv_tokens: list[int] = []
        self._tok_arr = (llama_cpp.llama_token * 1)()
        self._one_batch = llama_cpp.llama_batch_get_one(self._tok_arr, 1)
        self._piece_buf = ctypes.create_string_buffer(256)

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def n_threads(self) -> int:
        """The most CPU threads a request uses (fewer while other processes hold cores)."""
        return self._threads.most

    @contextmanager
    def _serving(self) -> Iterator[None]:
        """Hold the model for one request; refuse it once the engine is closed (its memory is freed)."""
        with self._lock:
            if self._closed:
                raise EngineClosedError(
                    f"The model '{self.info.name}' was closed (another model was chosen, or Hearth is "
                    "closing); ask again."
                )
            yield

    # ---- tokens ---------------------------------------------------------------------------------------

    def tokenize(self, text: str, *, add_special: bool = False, special: bool = False) -> list[int]:
        return self._model.tokenize(text.encode("utf-8"), add_special, special)

    def detokenize(self, tokens: Sequence[int]) -> str:
        return b"".join(self._piece(t) for t in tokens).decode("utf-8", errors="replace")

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def render_chat(self, messages: Sequence[ChatMessage]) -> str:
        """The prompt text the model's chat template makes of these messages."""
        return self._template.render(messages).text

    def count_chat_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """Prompt tokens these messages take once rendered with the model's chat template."""
        return len(self.chat_tokens(messages))

    def chat_tokens(self, messages: Sequence[ChatMessage]) -> list[int]:
        """The prompt tokens `chat` evaluates for these messages when they fit the context."""
        rendered = self._template.render(messages)
        return self.tokenize(rendered.text, add_special=rendered.add_special, special=True)

    @functools.cached_property
    def turn_end(self) -> str:
        """The text that ends the model's turn in its chat template (e.g. "<|im_end|>"): the template's
        stop string, else the end-of-text token's."""
        stops = self._template.render([{"role": "user", "content": "x"}]).stop
        return (
            stops[0] if stops and not stops[0].startswith("\n") else self._token_text(self._model.token_eos())
        )

    @functools.cached_property
    def eog_tokens(self) -> list[int]:
        """Every token that ends generation (end of turn, end of text...), found once per model."""
        is_eog = llama_cpp.llama_vocab_is_eog
        return [t for t in range(self._n_vocab) if is_eog(self._vocab, t)]

    def _piece(self, token: int) -> bytes:
        n = llama_cpp.llama_token_to_piece(
            self._vocab, token, self._piece_buf, len(self._piece_buf), 0, False
        )
        if n < 0:  # a piece longer than the buffer: grow it once and retry
            self._piece_buf = ctypes.create_string_buffer(-n)
            n = llama_cpp.llama_token_to_piece(self._vocab, token, self._piece_buf, -n, 0, False)
        return self._piece_buf.raw[:n]

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        return llama_cpp.llama_vocab_get_text(self._vocab, token).decode("utf-8", errors="replace")

    # ---- LoRA adapters --------------------------------------------------------------------------------

    def load_adapter(self, name: str, path: str | Path, scale: float = 1.0) -> None:
        """Load a LoRA adapter once; requests choose it by name with GenerationOptions.adapter."""
        p = Path(path)
        try:
            check_gguf_file(p)
        except ModelLoadError as e:
            raise AdapterError(f"Cannot load adapter '{name}' from '{p}': {e.reason}") from e
        with self._serving():
            if name in self._adapters:
                raise AdapterError(f"An adapter named '{name}' is already loaded.")
            ptr = llama_cpp.llama_adapter_lora_init(self._model.model, str(p).encode("utf-8"))
            if not ptr:
                raise AdapterError(
                    f"Cannot load adapter '{name}' from '{p}': it is not a LoRA for this model's architecture "
                    "and shapes."
                )
            self._adapters[name] = _Adapter(ptr=ptr, scale=scale, path=str(p))

    def _activate_adapter(self, name: str | None) -> bool:
        """Put adapter `name` (None: the bare base) in effect; returns whether that was a switch."""
        if name == self._active_adapter:
            return False
        if name is None:
            rc = llama_cpp.llama_set_adapters_lora(self._ctx.ctx, None, 0, None)
        else:
            adapter = self._adapters.get(name)
            if adapter is None:
                raise AdapterError(
                    f"No adapter named '{name}' is loaded (loaded: {', '.join(self._adapters) or 'none'})."
                )
            ptrs = (llama_cpp.llama_adapter_lora_p_ctypes * 1)(adapter.ptr)  # type: ignore[misc]
            scales = (ctypes.c_float * 1)(adapter.scale)
            rc = llama_cpp.llama_set_adapters_lora(self._ctx.ctx, ptrs, 1, scales)
        if rc != 0:
            raise AdapterError(f"llama.cpp refused to switch to adapter '{name}' (code {rc}).")
        self._active_adapter = name
        # Keys and values computed under other weights are not valid under these.
        self._reset_kv()
        return True

    # ---- generation -----------------------------------------------------------------------------------

    def chat(
        self,
        messages: Sequence[ChatMessage],
        options: GenerationOptions | None = None,
        on_token: TokenCallback | None = None,
        cancel: CancelFlag | None = None,
    ) -> GenerationResult:
        """Answer a conversation with the model's own chat template, streaming text to `on_token`.

        A conversation longer than the context is fitted by core.engine.context_policy; how many messages
        were left out is reported in the result's metrics.
        """
        options = options or GenerationOptions()
        with self._serving():
            t0 = time.perf_counter()
            budget = prompt_budget(self.n_ctx, options.max_tokens)
            rendered = self._template.render(messages)
            tokens = self.tokenize(rendered.text, add_special=rendered.add_special, special=True)
            trimmed = 0
            if len(tokens) > budget:  # only then is the conversation fitted, and rendered again
                fitted = fit_to_context(
                    messages, budget, self.count_chat_tokens, self.tokenize, self.detokenize
                )
                rendered = self._template.render(fitted.messages)
                tokens = self.tokenize(rendered.text, add_special=rendered.add_special, special=True)
                trimmed = fitted.dropped + int(fitted.truncated)
            result = self._generate(tokens, options, rendered.stop + options.stop, on_token, cancel, t0)
            result.metrics.trimmed_messages = trimmed
            return result

    def complete(
        self,
        prompt: str,
        options: GenerationOptions | None = None,
        on_token: TokenCallback | None = None,
        cancel: CancelFlag | None = None,
    ) -> GenerationResult:
        """Continue a raw prompt (no chat template): for base models and for prompts Hearth builds itself.

        A prompt longer than the context keeps its end.
        """
        options = options or GenerationOptions()
        with self._serving():
            t0 = time.perf_counter()
            tokens = self.tokenize(prompt, add_special=True, special=True)
            room = prompt_budget(self.n_ctx, options.max_tokens)
            trimmed = 0
            if len(tokens) > room:
                trimmed = 1
                tokens = tokens[-room:]
            result = self._generate(tokens, options, options.stop, on_token, cancel, t0)
            result.metrics.trimmed_messages = trimmed
            return result

    def _use_threads(self) -> int:
        n = self._threads.choose()
        if n != self._ctx_threads:
            llama_cpp.llama_set_n_threads(self._ctx.ctx, n, n)
            self._ctx_threads = n
        return n

    def _generate(
        self,
        prompt: list[int],
        options: GenerationOptions,
        stops: tuple[str, ...],
        on_token: TokenCallback | None,
        cancel: CancelFlag | None,
        t0: float,
    ) -> GenerationResult:
        metrics = Metrics(prompt_tokens=len(prompt))
        max_new = min(options.max_tokens, self.n_ctx - len(prompt))
        if not prompt or max_new <= 0:
            raise GenerationError("The prompt leaves no room in the context for an answer.")
        metrics.threads = self._use_threads()
        t_switch = time.perf_counter()
        if self._activate_adapter(options.adapter):
            metrics.adapter_switch_ms = (time.perf_counter() - t_switch) * 1000
        chain = SamplerChain(self._vocab, options, self.eog_tokens if options.ignore_eos else ())
        stream = TextStream(stops)
        scores: list[float] | None = [] if options.logprobs else None
        try:
            t_prompt = time.perf_counter()
            metrics.prompt_tokens_evaluated = self._eval_prompt(prompt, cancel)
            t_prompt_done = time.perf_counter()
            if metrics.prompt_tokens_evaluated:
                metrics.prompt_tok_s = metrics.prompt_tokens_evaluated / max(t_prompt_done - t_prompt, 1e-9)
            if cancel is not None and cancel.is_set():
                finish: FinishReason = "cancelled"
                generated, t_first = 0, t_prompt_done
            else:
                finish, generated, t_first = self._decode_loop(
                    chain, stream, max_new, on_token, cancel, scores
                )
        finally:
            chain.close()
        tail = stream.flush()
        if tail and on_token is not None:
            on_token(tail)
        t_end = time.perf_counter()
        metrics.completion_tokens = generated
        metrics.ttft_ms = (t_first - t0) * 1000
        metrics.total_ms = (t_end - t0) * 1000
        if generated > 1:
            metrics.decode_tok_s = (generated - 1) / max(t_end - t_first, 1e-9)
        mean_logprob = sum(scores) / len(scores) if scores else None
        return GenerationResult(stream.text, finish, metrics, mean_logprob)

    def _logprob(self, token: int) -> float:
        """log p(token) under the model's own distribution at the last position (before any sampler)."""
        ptr = llama_cpp.llama_get_logits_ith(self._ctx.ctx, -1)
        logits = np.ctypeslib.as_array(
            ctypes.cast(ptr, ctypes.POINTER(ctypes.c_float)), shape=(self._n_vocab,)
        )
        top = float(logits.max())
        return float(logits[token]) - top - float(np.log(np.exp(logits - top).sum()))

    def _decode_loop(
        self,
        chain: SamplerChain,
        stream: TextStream,
        max_new: int,
        on_token: TokenCallback | None,
        cancel: CancelFlag | None,
        scores: list[float] | None,
    ) -> tuple[FinishReason, int, float]:
        # Hot loop: every name is local and every call goes straight to C.
        ctx, vocab, smpl = self._ctx.ctx, self._vocab, chain.ptr
        sample, decode = llama_cpp.llama_sampler_sample, llama_cpp.llama_decode
        is_eog, to_piece = llama_cpp.llama_vocab_is_eog, llama_cpp.llama_token_to_piece
        buf, buf_len = self._piece_buf, len(self._piece_buf)
        tok_arr, batch, kv = self._tok_arr, self._one_batch, self._kv_tokens
        generated = 0
        t_first = 0.0
        finish: FinishReason = "length"
        while True:
            if cancel is not None and cancel.is_set():
                finish = "cancelled"
                break
            tok = sample(smpl, ctx, -1)
            if not t_first:
                t_first = time.perf_counter()
            if is_eog(vocab, tok):
                finish = "stop"
                break
            if scores is not None:
                scores.append(self._logprob(tok))
            generated += 1
            n = to_piece(vocab, tok, buf, buf_len, 0, False)
            text = stream.feed(buf.raw[:n] if n >= 0 else self._piece(tok))
            if text and on_token is not None:
                on_token(text)
            if stream.stopped:
                finish = "stop_string"
                break
            if generated >= max_new:
                break  # the last token need not be evaluated: nothing will read its logits
            tok_arr[0] = tok
            rc = decode(ctx, batch)
            if rc != 0:
                self._reset_kv()
                raise GenerationError(f"llama.cpp failed while generating (code {rc}).")
            kv.append(tok)
        return finish, generated, t_first or time.perf_counter()

    def _eval_prompt(self, tokens: list[int], cancel: CancelFlag | None) -> int:
        """Bring the KV cache to `tokens`, evaluating only what differs from what it holds. Returns that count."""
        kv = self._kv_tokens
        keep = 0
        limit = min(len(kv), len(tokens) - 1)  # the last prompt token is always evaluated, for its logits
        while keep < limit and kv[keep] == tokens[keep]:
            keep += 1
        if keep < len(kv):
            mem = self._ctx.memory
            if not llama_cpp.llama_memory_seq_rm(mem, 0, keep, -1):
                self._reset_kv()
                keep = 0
            del kv[keep:]
        todo = tokens[keep:]
        for start in range(0, len(todo), self._n_batch):
            if cancel is not None and cancel.is_set():
                break
            chunk = todo[start : start + self._n_batch]
            arr = (llama_cpp.llama_token * len(chunk))(*chunk)
            rc = llama_cpp.llama_decode(self._ctx.ctx, llama_cpp.llama_batch_get_one(arr, len(chunk)))
            if rc != 0:
                self._reset_kv()
                raise GenerationError(f"llama.cpp failed to evaluate the prompt (code {rc}).")
            kv.extend(chunk)
        return len(todo)

    def perplexity(self, text: str, window: int = 256) -> PerplexityResult:
        """Perplexity of `text` (see core.engine.perplexity), with windows of `window` tokens."""
        with self._serving():
            t0 = time.perf_counter()
            window = max(8, min(window, self.n_ctx, self._n_batch))
            tokens = self.tokenize(text, add_special=True)
            if len(tokens) < 8:
                raise GenerationError("The text is too short to measure perplexity.")
            self._activate_adapter(None)  # the model's own weights, whatever the last request used
            total, count, windows = 0.0, 0, 0
            try:
                # Whole windows only (plus the text itself when it is shorter than one).
                starts = range(0, max(len(tokens) - window, 0) + 1, window)
                for start in starts:
                    self._reset_kv()
                    nll, n = window_nll(
                        self._ctx.ctx, self._n_vocab, tokens[start : start + window], self._n_batch
                    )
                    total, count, windows = total + nll, count + n, windows + 1
            finally:
                self._reset_kv()
            return PerplexityResult(perplexity_from(total, count), count, windows, time.perf_counter() - t0)

    def token_logprobs(self, tokens: Sequence[int], first: int, adapter: str | None = None) -> list[float]:
        """log p(tokens[i] | tokens[:i]) for each i >= first, with `adapter` (or none) applied: how likely
        the model finds a given continuation, e.g. to check an exported adapter against its trainer."""
        if not 1 <= first < len(tokens) <= self.n_ctx:
            raise GenerationError(f"Cannot score tokens {first}..{len(tokens)} in a context of {self.n_ctx}.")
        with self._serving():
            self._activate_adapter(adapter)
            self._reset_kv()
            try:
                return token_logprobs(self._ctx.ctx, self._n_vocab, list(tokens), first, self._n_batch)
            finally:
                self._reset_kv()

    def _reset_kv(self) -> None:
        llama_cpp.llama_memory_clear(self._ctx.memory, True)
        self._kv_tokens.clear()

    def reset_cache(self) -> None:
        """Forget the cached prefix (benchmarks use this to measure a cold prompt)."""
        with self._serving():
            self._reset_kv()

    # ---- lifetime -------------------------------------------------------------------------------------

    def close(self) -> None:
        """Free the model once the request in flight (if any) is done. Closing twice is harmless."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            # The context goes first; llama.cpp frees loaded adapters together with their model.
            self._ctx.close()
            self._adapters.clear()
            self._model.close()
            self._threads.close()

    def __enter__(self) -> LlamaEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
