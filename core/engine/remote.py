"""A remote engine: any OpenAI-compatible endpoint (llama-server, vLLM, Ollama, LM Studio, another Hearth)
behind the same ChatEngine interface as the local model.

Built on the official `openai` client for the OpenAI API itself (chat, completions, models): it is what
every one of those servers is tested against, and it brings timeouts, retries with back-off that honour
Retry-After (a busy or loading Hearth answers 429/503 with one), and SSE parsing. llama-server's own
endpoints (/health, /props, /tokenize, /apply-template), which Hearth's server offers too, go through httpx
(the client the openai package runs on, so nothing new is installed).

Every answer is streamed, even when nobody listens: that is how time to first token is measured and how a
cancel ends it (the stream is closed, which the server sees as a disconnect). The API key is held in the
client's headers only; it is never logged, printed or put in an error message.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx2 as httpx
import openai

from core.engine.interface import AdapterSupport, CancelFlag, Capabilities, ModelInfo, TokenCallback
from core.engine.types import ChatMessage, FinishReason, GenerationOptions, GenerationResult, Metrics
from core.errors import CapabilityError, EngineClosedError, GenerationError, RemoteEngineError

log = logging.getLogger(__name__)

DEFAULT_N_CTX = 4096  # a server that says nothing of its context
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 120.0  # between two chunks of a stream: a loading model may take a while
RETRIES = 2
LOAD_WAIT_S = 120.0  # how long opening an engine waits for a server that is still loading its model
_CANCEL_POLL_S = 0.05
_FINISH: dict[str, FinishReason] = {"stop": "stop", "length": "length", "tool_calls": "stop"}


def root_url(url: str) -> str:
    """The server's root for a URL given with or without its /v1 (llama-server's own endpoints live there)."""
    url = url.strip().rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


@dataclass(frozen=True)
class RemoteProbe:
    """What a server said about itself: detected once when the engine opens, refreshed by `engines test`."""

    kind: str = "openai"  # "hearth", "llama.cpp" (both take a GBNF `grammar`) or "openai" (anything else)
    models: tuple[str, ...] = ()
    n_ctx: dict[str, int] = field(default_factory=dict)  # per model, where the server says
    grammar: bool = False
    json_schema: bool = False
    embeddings: bool = False
    tokenize: bool = False  # /tokenize and /apply-template: exact token counts

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> RemoteProbe | None:
        try:
            data = json.loads(text)
            data["models"] = tuple(data.get("models", ()))
            return cls(**data)
        except (ValueError, TypeError):
            return None


@dataclass(frozen=True)
class RemoteConfig:
    name: str  # the user's name for the endpoint
    url: str
    model: str = ""  # "" : the first model the server lists
    api_key: str | None = field(default=None, repr=False)  # never shown, not even in a repr
    connect_timeout_s: float = CONNECT_TIMEOUT_S
    read_timeout_s: float = READ_TIMEOUT_S
    retries: int = RETRIES
    known: RemoteProbe | None = None  # what the last `engines test` found (it probed more than we do here)


def _clients(config: RemoteConfig) -> tuple[openai.OpenAI, httpx.Client]:
    timeout = httpx.Timeout(config.read_timeout_s, connect=config.connect_timeout_s)
    headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
    api = openai.OpenAI(
        base_url=root_url(config.url) + "/v1",
        api_key=config.api_key or "none",  # keyless servers ignore it; the client insists on one
        timeout=timeout,
        max_retries=config.retries,
    )
    raw = httpx.Client(base_url=root_url(config.url), timeout=timeout, headers=headers)
    return api, raw


def _describe(e: Exception) -> str:
    """An error in words, without anything the request carried (the key is in its headers)."""
    if isinstance(e, openai.APIStatusError):
        return f"the server answered {e.status_code}: {_error_message(e.body) or e.message}"
    if isinstance(e, openai.APITimeoutError | httpx.TimeoutException):
        return "it did not answer in time"
    if isinstance(e, openai.APIConnectionError | httpx.TransportError):
        return "it cannot be reached"
    return type(e).__name__


def _error_message(body: object) -> str:
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict):
            return str(inner.get("message", ""))
        return str(inner)
    return ""


def probe(config: RemoteConfig, *, thorough: bool = False) -> RemoteProbe:
    """Ask the server what it is: its models and context from /v1/models, llama-server's /props.

    `thorough` also tries what only a request shows (a JSON-schema answer, an embedding): `engines test`.
    Raises RemoteEngineError when the server cannot be reached or refuses the key.
    """
    api, raw = _clients(config)
    try:
        return _probe(config, api, raw, thorough)
    finally:
        api.close()
        raw.close()


def _probe(config: RemoteConfig, api: openai.OpenAI, raw: httpx.Client, thorough: bool) -> RemoteProbe:
    try:
        listed = api.models.list()
    except openai.OpenAIError as e:
        raise RemoteEngineError(f"The remote engine '{config.name}' ({config.url}): {_describe(e)}.") from e
    models: list[str] = []
    n_ctx: dict[str, int] = {}
    for m in listed.data:
        models.append(m.id)
        extra = m.model_extra or {}
        meta = extra.get("meta") or {}
        for value in (
            extra.get("context_length"),  # Hearth, LM Studio
            extra.get("max_model_len"),  # vLLM
            meta.get("n_ctx") if isinstance(meta, dict) else None,
            meta.get("n_ctx_train") if isinstance(meta, dict) else None,  # llama-server
        ):
            if isinstance(value, int) and value > 0:
                n_ctx[m.id] = value
                break
    kind, grammar, json_schema, embeddings, tokenize = "openai", False, False, False, False
    data = _props(raw)
    if isinstance(data, dict) and "default_generation_settings" in data:
        hearth = data.get("hearth")
        kind = "hearth" if isinstance(hearth, dict) else "llama.cpp"
        grammar = json_schema = tokenize = True
        server_ctx = (data.get("default_generation_settings") or {}).get("n_ctx")
        if isinstance(server_ctx, int) and server_ctx > 0:
            # llama-server's n_ctx_train in /v1/models is the model's; /props says what it serves.
            for served in models:
                n_ctx[served] = server_ctx
        if isinstance(hearth, dict):
            caps = hearth.get("capabilities") or {}
            embeddings = bool(caps.get("embeddings"))
    known = config.known
    if known is not None:  # what a thorough test found earlier still holds
        json_schema = json_schema or known.json_schema
        embeddings = embeddings or known.embeddings
    if thorough:
        model = config.model or (models[0] if models else "")
        json_schema = json_schema or _answers_json_schema(api, model)
        embeddings = embeddings or _answers_embeddings(api, model)
    return RemoteProbe(kind, tuple(models), n_ctx, grammar, json_schema, embeddings, tokenize)


def _props(raw: httpx.Client, wait_s: float = LOAD_WAIT_S) -> object:
    """llama-server's /props, or None where the server has none. A server still loading its model answers
    503 with Retry-After (Hearth and llama-server both): wait for it rather than conclude from the 503 that
    it can do nothing, so that an engine added while its server starts gets its grammar and schema support."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            props = raw.get("/props")
        except httpx.HTTPError:
            return None
        if props.status_code == 503 and time.monotonic() < deadline:
            try:
                pause = float(props.headers.get("Retry-After", "1"))
            except ValueError:
                pause = 1.0
            time.sleep(min(max(pause, 0.2), 2.0, max(deadline - time.monotonic(), 0.0)))
            continue
        if props.status_code != 200:
            return None
        try:
            return props.json()
        except ValueError:
            return None


_PROBE_SCHEMA = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}


def _answers_json_schema(api: openai.OpenAI, model: str) -> bool:
    """Whether the server decodes under a JSON schema: a short request whose answer must be that JSON."""
    try:
        create: Any = api.chat.completions.create
        reply = create(
            model=model,
            messages=[{"role": "user", "content": "Reply with JSON: is the sky blue?"}],
            max_tokens=12,
            temperature=0,
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "probe", "schema": _PROBE_SCHEMA, "strict": True},
            },
        )
        value = json.loads(reply.choices[0].message.content or "")
        return isinstance(value, dict) and isinstance(value.get("ok"), bool)
    except (openai.OpenAIError, ValueError, IndexError):
        return False


def _answers_embeddings(api: openai.OpenAI, model: str) -> bool:
    try:
        return bool(api.embeddings.create(model=model, input=["probe"]).data[0].embedding)
    except (openai.OpenAIError, IndexError):
        return False


def health(config: RemoteConfig) -> bool:
    """The server is up and takes the key: llama-server's /health, else the model list."""
    api, raw = _clients(config)
    try:
        try:
            if raw.get("/health").status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        try:
            api.models.list()
            return True
        except openai.OpenAIError:
            return False
    finally:
        api.close()
        raw.close()


class RemoteEngine:
    """One model on an OpenAI-compatible server (core.engine.interface.ChatEngine). Thread-safe."""

    adapters: AdapterSupport | None = None  # a remote model takes no LoRA adapters of ours

    def __init__(self, config: RemoteConfig) -> None:
        self.config = config
        self._api, self._raw = _clients(config)
        try:
            found = _probe(config, self._api, self._raw, thorough=False)
        except BaseException:
            self.close()
            raise
        model = config.model or (found.models[0] if found.models else "")
        if not model:
            self.close()
            raise RemoteEngineError(f"The remote engine '{config.name}' lists no model to use.")
        if found.models and model not in found.models:
            self.close()
            raise RemoteEngineError(
                f"The remote engine '{config.name}' has no model '{model}' (it has: {', '.join(found.models)})."
            )
        self.model = model
        self.probe = found
        self.n_ctx: int = found.n_ctx.get(model, DEFAULT_N_CTX)
        self.capabilities = Capabilities(
            grammar=found.grammar,
            json_schema=found.json_schema,
            adapters=False,
            logprobs=False,
            embeddings=found.embeddings,
            local=False,
        )
        self.info = ModelInfo(
            path="",
            name=model,
            architecture="remote",
            n_params=0,
            size_bytes=0,
            n_ctx_train=self.n_ctx,
            n_ctx=self.n_ctx,
            has_chat_template=True,
            gpu_layers=0,
            engine=f"remote:{config.name}",
        )
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def __repr__(self) -> str:
        return f"RemoteEngine({self.config.name!r}, {self.config.url!r}, model={self.model!r})"

    # ---- generation ----

    def chat(
        self,
        messages: Sequence[ChatMessage],
        options: GenerationOptions | None = None,
        on_token: TokenCallback | None = None,
        cancel: CancelFlag | None = None,
    ) -> GenerationResult:
        options = options or GenerationOptions()
        kwargs = self._request(options)
        create: Any = self._api.chat.completions.create  # typed per OpenAI model name; ours are any
        return self._stream(
            lambda: create(model=self.model, messages=[dict(m) for m in messages], stream=True, **kwargs),
            lambda chunk: chunk.choices[0].delta.content if chunk.choices else None,
            on_token,
            cancel,
        )

    def complete(
        self,
        prompt: str,
        options: GenerationOptions | None = None,
        on_token: TokenCallback | None = None,
        cancel: CancelFlag | None = None,
    ) -> GenerationResult:
        options = options or GenerationOptions()
        kwargs = self._request(options)
        kwargs.pop("response_format", None)  # the legacy completions API has none: a grammar still works
        create: Any = self._api.completions.create
        return self._stream(
            lambda: create(model=self.model, prompt=prompt, stream=True, **kwargs),
            lambda chunk: chunk.choices[0].text if chunk.choices else None,
            on_token,
            cancel,
        )

    def _request(self, options: GenerationOptions) -> dict[str, Any]:
        if self._closed:
            raise EngineClosedError(f"The remote engine '{self.config.name}' was closed.")
        missing = self.capabilities.missing(options)
        if missing:
            raise CapabilityError(
                f"The remote engine '{self.config.name}' cannot take {' or '.join(missing)}; "
                "ask without, or choose another engine."
            )
        kwargs: dict[str, Any] = {
            "max_tokens": options.max_tokens,
            "temperature": options.temperature,
            "top_p": options.top_p,
            "seed": options.seed,
            "stream_options": {"include_usage": True},
        }
        if options.stop:
            kwargs["stop"] = list(options.stop)
        extra: dict[str, Any] = {}
        if self.probe.kind in ("hearth", "llama.cpp"):
            # llama-server's sampling fields, which Hearth's server reads too; others would refuse them.
            extra.update(top_k=options.top_k, min_p=options.min_p, repeat_penalty=options.repeat_penalty)
        if options.grammar is not None:
            extra["grammar"] = options.grammar
        elif options.json_schema is not None:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "hearth", "schema": options.json_schema, "strict": True},
            }
        if extra:
            kwargs["extra_body"] = extra
        return kwargs

    def _stream(
        self,
        start: Any,
        text_of: Any,
        on_token: TokenCallback | None,
        cancel: CancelFlag | None,
    ) -> GenerationResult:
        t0 = time.perf_counter()
        metrics = Metrics()
        pieces: list[str] = []
        finish: FinishReason = "stop"
        t_first = 0.0
        chunks = 0
        stream: Any = None
        watcher_done = threading.Event()
        cancelled = threading.Event()

        def watch() -> None:
            # The read blocks until the server sends: a cancel must close the stream from outside.
            while not watcher_done.wait(_CANCEL_POLL_S):
                if cancel is not None and cancel.is_set():
                    cancelled.set()
                    if stream is not None:
                        _quietly_close(stream)
                    return

        try:
            stream = start()
        except openai.OpenAIError as e:
            raise GenerationError(f"The remote engine '{self.config.name}': {_describe(e)}.") from e
        watcher = threading.Thread(target=watch, name="remote-cancel", daemon=True)
        if cancel is not None:
            watcher.start()
        try:
            for chunk in _chunks(stream):
                if cancelled.is_set() or (cancel is not None and cancel.is_set()):
                    cancelled.set()
                    break
                if getattr(chunk, "usage", None) is not None:
                    metrics.prompt_tokens = chunk.usage.prompt_tokens or 0
                    metrics.completion_tokens = chunk.usage.completion_tokens or 0
                if chunk.choices:
                    reason = chunk.choices[0].finish_reason
                    if reason:
                        finish = _FINISH.get(reason, "stop")
                text = text_of(chunk)
                if text:
                    if not t_first:
                        t_first = time.perf_counter()
                    chunks += 1
                    pieces.append(text)
                    if on_token is not None:
                        on_token(text)
        except (openai.OpenAIError, httpx.HTTPError) as e:
            if not cancelled.is_set():
                raise GenerationError(f"The remote engine '{self.config.name}': {_describe(e)}.") from e
        finally:
            watcher_done.set()
            _quietly_close(stream)
        if cancelled.is_set():
            finish = "cancelled"
        t_end = time.perf_counter()
        metrics.completion_tokens = metrics.completion_tokens or chunks
        metrics.ttft_ms = ((t_first or t_end) - t0) * 1000
        metrics.total_ms = (t_end - t0) * 1000
        if t_first and metrics.completion_tokens > 1:
            metrics.decode_tok_s = (metrics.completion_tokens - 1) / max(t_end - t_first, 1e-9)
        return GenerationResult("".join(pieces), finish, metrics)

    # ---- tokens ----

    def count_tokens(self, text: str) -> int:
        if self.probe.tokenize:
            try:
                reply = self._raw.post("/tokenize", json={"content": text, "add_special": False})
                if reply.status_code == 200:
                    return len(reply.json()["tokens"])
            except (httpx.HTTPError, ValueError, KeyError):
                pass
        return _estimate(text)

    def count_chat_tokens(self, messages: Sequence[ChatMessage]) -> int:
        if self.probe.tokenize:
            try:
                reply = self._raw.post("/apply-template", json={"messages": [dict(m) for m in messages]})
                if reply.status_code == 200:
                    prompt = reply.json()["prompt"]
                    tokens = self._raw.post("/tokenize", json={"content": prompt, "add_special": True})
                    if tokens.status_code == 200:
                        return len(tokens.json()["tokens"])
            except (httpx.HTTPError, ValueError, KeyError):
                pass
        return sum(_estimate(m["content"]) + 4 for m in messages) + 2

    def close(self) -> None:
        self._closed = True
        self._api.close()
        self._raw.close()


def _estimate(text: str) -> int:
    """Tokens in `text` where the server cannot count them: generous (about 3 characters a token), so
    what is fitted to the context by this count fits."""
    return math.ceil(len(text) / 3)


def _chunks(stream: Any) -> Iterator[Any]:
    yield from stream


def _quietly_close(stream: Any) -> None:
    if stream is None:
        return
    try:
        stream.close()
    except Exception:  # closing a stream the server already ended, or from the cancel watcher
        log.debug("closing a remote stream failed", exc_info=True)
