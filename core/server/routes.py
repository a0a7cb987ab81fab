"""The endpoints: OpenAI's /v1/models, /v1/chat/completions, /v1/completions and /v1/embeddings, and
llama-server's /health, /props, /tokenize and /apply-template (so another Hearth, or any client written
for llama-server, can count tokens and find the context size and grammar support)."""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import secrets
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

from sse_starlette import EventSourceResponse
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core import __version__
from core.engine import ChatEngine, ChatMessage, GenerationOptions, LocalEngine, ScheduledEngine
from core.runtime import EngineSpec, HostState
from core.server.backend import ALIAS, EMBEDDING_MODELS, Backend, Outcome
from core.server.config import ServerConfig
from core.server.errors import APIError, from_exception
from core.server.schemas import (
    ChatRequest,
    CompletionRequest,
    EmbeddingRequest,
    TemplateRequest,
    TokenizeRequest,
    _Sampling,
    check_schema,
    parse,
    read_json,
)
from core.server.streaming import Event, Generation, await_with_disconnect
from core.server.tools import ToolPlan, parse_calls, plan_tools, render_call

MAX_EMBED_INPUTS = 2048
T = TypeVar("T")
Handler = Callable[[Request], Awaitable[Response]]


def answers_errors(
    handler: Callable[[Routes, Request], Awaitable[Response]],
) -> Callable[[Routes, Request], Awaitable[Response]]:
    """Whatever a handler raises becomes an OpenAI-style error response: nothing reaches the server."""

    @functools.wraps(handler)
    async def wrapped(self: Routes, request: Request) -> Response:
        try:
            return await handler(self, request)
        except Exception as e:
            return from_exception(e).response()

    return wrapped


def _finish_reason(reason: str, calls: bool) -> str:
    if calls:
        return "tool_calls"
    return "length" if reason == "length" else "stop"


def figures(outcome: Outcome) -> dict[str, Any]:
    """Hearth's measured figures for one answer: the `hearth` field beside `usage`."""
    m = outcome.result.metrics
    out: dict[str, Any] = {
        "engine": outcome.engine,
        "ttft_ms": round(m.ttft_ms, 2),
        "decode_tok_s": round(m.decode_tok_s, 2),
        "prompt_tok_s": round(m.prompt_tok_s, 2),
        "queue_ms": round(m.queue_ms, 2),
        "total_ms": round(m.total_ms, 2),
        "threads": m.threads,
        "prompt_tokens_evaluated": m.prompt_tokens_evaluated,
        "finish_reason": outcome.result.finish_reason,
        "energy_j": None,
        "j_per_token": None,
        "power_source": None,
        "power_measured": None,
    }
    if outcome.energy is not None:
        out.update(outcome.energy.as_metrics(m.completion_tokens))
    return out


def usage(outcome: Outcome) -> dict[str, int]:
    m = outcome.result.metrics
    return {
        "prompt_tokens": m.prompt_tokens,
        "completion_tokens": m.completion_tokens,
        "total_tokens": m.prompt_tokens + m.completion_tokens,
    }


def to_messages(request: ChatRequest, tools: ToolPlan | None) -> list[ChatMessage]:
    """The request's conversation as the engine takes it: tool results and earlier calls written as text."""
    out: list[ChatMessage] = []
    for m in request.messages:
        text = m.text()
        if m.role in ("system", "developer"):
            out.append({"role": "system", "content": text})
        elif m.role == "user":
            out.append({"role": "user", "content": text})
        elif m.role == "assistant":
            calls = "".join(render_call(c.function.name, c.function.arguments) for c in m.tool_calls or [])
            out.append({"role": "assistant", "content": text + calls})
        else:  # a tool's result, given back to the model as the user's turn
            out.append({"role": "user", "content": f"<tool_response>\n{text}\n</tool_response>"})
    if tools is not None:
        if out and out[0]["role"] == "system":
            out[0] = {"role": "system", "content": out[0]["content"] + "\n\n" + tools.instructions()}
        else:
            out.insert(0, {"role": "system", "content": tools.instructions()})
    return out


def _options(
    req: _Sampling, max_tokens: int, grammar: str | None, schema: dict[str, Any] | None
) -> GenerationOptions:
    return GenerationOptions(
        max_tokens=max_tokens,
        temperature=1.0 if req.temperature is None else req.temperature,  # OpenAI's default
        top_p=1.0 if req.top_p is None else req.top_p,
        top_k=40 if req.top_k is None else req.top_k,  # llama-server's defaults
        min_p=0.05 if req.min_p is None else req.min_p,
        repeat_penalty=1.0 if req.repeat_penalty is None else req.repeat_penalty,
        seed=secrets.randbits(32) if req.seed is None else req.seed,
        stop=req.stops(),
        grammar=grammar,
        json_schema=schema,
    )


def _room(prompt_tokens: int, n_ctx: int, asked: int | None) -> int:
    """Tokens the answer may take; 400 when the prompt (with the answer asked for) exceeds the context."""
    if prompt_tokens >= n_ctx or (asked is not None and prompt_tokens + asked > n_ctx):
        wanted = f"{prompt_tokens} in the prompt" + (f" and {asked} for the answer" if asked else "")
        raise APIError(
            400,
            f"This model's context is {n_ctx} tokens, but the request asks for {wanted}.",
            param="messages",
            code="context_length_exceeded",
        )
    return asked if asked is not None else n_ctx - prompt_tokens


def _response_schema(req: ChatRequest) -> dict[str, Any] | None:
    fmt = req.response_format
    if fmt is None or fmt.type == "text":
        return None
    if fmt.type == "json_object":
        return {"type": "object"}
    if fmt.json_schema is None:
        raise APIError(400, "response_format json_schema needs its json_schema.", param="response_format")
    check_schema(fmt.json_schema.schema_, "response_format.json_schema.schema")
    return fmt.json_schema.schema_


class Routes:
    def __init__(self, backend: Backend, config: ServerConfig, executor: Executor) -> None:
        self.backend = backend
        self.config = config
        self.executor = executor
        self.active: set[Generation] = set()  # cancelled all at once when the server stops

    async def _in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, functools.partial(fn, *args))

    async def _engine(self, spec: EngineSpec) -> ChatEngine:
        return await self._in_thread(self.backend.engine, spec)

    def cancel_all(self) -> None:
        for generation in list(self.active):
            generation.cancel.set()

    # ---- llama-server's endpoints ----

    async def health(self, request: Request) -> Response:
        if self.backend.host.state == HostState.LOADING:
            return APIError(503, "Loading model", type="server_error", code="model_loading").response()
        return JSONResponse({"status": "ok"})

    @answers_errors
    async def props(self, request: Request) -> Response:
        engine = await self._engine(self.backend.default_spec)
        return JSONResponse(
            {
                "default_generation_settings": {"n_ctx": engine.n_ctx},
                "model_path": engine.info.path,
                "total_slots": 1,
                "hearth": {
                    "version": __version__,
                    "model": engine.info.name,
                    "capabilities": {
                        "grammar": engine.capabilities.grammar,
                        "json_schema": True,
                        "tools": True,
                        "embeddings": True,
                    },
                },
            }
        )

    def _local(self, engine: ChatEngine) -> LocalEngine:
        inner = engine.engine if isinstance(engine, ScheduledEngine) else engine
        if not isinstance(inner, LocalEngine):
            raise APIError(501, "This model's tokens are not available here.", code="unsupported")
        return inner

    @answers_errors
    async def tokenize(self, request: Request) -> Response:
        req = parse(TokenizeRequest, await read_json(request, self.config.max_body_bytes))
        local = self._local(await self._engine(self.backend.default_spec))
        tokens = await self._in_thread(
            lambda: local.tokenize(req.content, add_special=req.add_special, special=True)
        )
        return JSONResponse({"tokens": tokens})

    @answers_errors
    async def apply_template(self, request: Request) -> Response:
        req = parse(TemplateRequest, await read_json(request, self.config.max_body_bytes))
        local = self._local(await self._engine(self.backend.default_spec))
        messages = to_messages(ChatRequest(model=ALIAS, messages=req.messages), None)
        return JSONResponse({"prompt": local.render_chat(messages)})

    # ---- OpenAI's endpoints ----

    @answers_errors
    async def models(self, request: Request) -> Response:
        ids = await self._in_thread(self.backend.model_ids)
        data = []
        for model_id in ids:
            card: dict[str, Any] = {
                "id": model_id,
                "object": "model",
                "created": self.backend.created,
                "owned_by": "hearth",
            }
            n_ctx = self.backend.loaded_context(self.backend.spec_for(model_id, ids))
            if n_ctx is not None:
                card["context_length"] = n_ctx
            data.append(card)
        for model_id in EMBEDDING_MODELS[:1]:
            data.append(
                {"id": model_id, "object": "model", "created": self.backend.created, "owned_by": "hearth"}
            )
        return JSONResponse({"object": "list", "data": data})

    @answers_errors
    async def chat_completions(self, request: Request) -> Response:
        req = parse(ChatRequest, await read_json(request, self.config.max_body_bytes))
        spec = self.backend.spec_for(req.model)
        tools = plan_tools(req)
        schema = _response_schema(req) if tools is None else None
        grammar = tools.grammar if tools is not None else req.grammar
        if grammar is not None and schema is not None:
            raise APIError(400, "Give a grammar or a response_format, not both.", param="grammar")
        messages = to_messages(req, tools)
        engine = await self._engine(spec)
        prompt_tokens = await self._in_thread(engine.count_chat_tokens, messages)
        room = _room(prompt_tokens, engine.n_ctx, req.answer_limit())
        options = _options(req, room, grammar, schema)
        generation = self._start(engine, "chat", messages, options, req.stream)
        if not req.stream:
            outcome = await self._finished(generation, request)
            return JSONResponse(self._chat_body(req, outcome, tools is not None))
        first = await self._started(generation, request)
        return EventSourceResponse(self._chat_events(req, generation, first, tools is not None), ping=10)

    @answers_errors
    async def completions(self, request: Request) -> Response:
        req = parse(CompletionRequest, await read_json(request, self.config.max_body_bytes))
        spec = self.backend.spec_for(req.model)
        engine = await self._engine(spec)
        prompt_tokens = await self._in_thread(engine.count_tokens, req.prompt) + 1  # with its BOS
        room = _room(prompt_tokens, engine.n_ctx, req.answer_limit())
        options = _options(req, room, req.grammar, None)
        generation = self._start(engine, "complete", req.prompt, options, req.stream)
        if not req.stream:
            outcome = await self._finished(generation, request)
            return JSONResponse(self._completion_body(req, outcome))
        first = await self._started(generation, request)
        return EventSourceResponse(self._completion_events(req, generation, first), ping=10)

    @answers_errors
    async def embeddings(self, request: Request) -> Response:
        req = parse(EmbeddingRequest, await read_json(request, self.config.max_body_bytes))
        texts = [req.input] if isinstance(req.input, str) else list(req.input)
        if len(texts) > MAX_EMBED_INPUTS:
            raise APIError(400, f"At most {MAX_EMBED_INPUTS} inputs per request.", param="input")
        vectors, tokens = await self._in_thread(self.backend.embed, req.model, texts)

        def encoded(v: Any) -> Any:
            if req.encoding_format == "base64":  # little-endian float32, as OpenAI sends it
                return base64.b64encode(v.astype("<f4").tobytes()).decode("ascii")
            return [float(x) for x in v]

        return JSONResponse(
            {
                "object": "list",
                "data": [
                    {"object": "embedding", "index": i, "embedding": encoded(v)}
                    for i, v in enumerate(vectors)
                ],
                "model": req.model,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )

    # ---- one generation ----

    def _start(
        self, engine: ChatEngine, kind: Any, payload: Any, options: GenerationOptions, stream: bool
    ) -> Generation:
        def work(
            on_start: Callable[[], None], on_token: Callable[[str], None] | None, cancel: threading.Event
        ) -> Outcome:
            return self.backend.generate(
                engine, kind, payload, options, on_start=on_start, on_token=on_token, cancel=cancel
            )

        generation = Generation(work, self.executor, stream=stream)
        self.active.add(generation)
        generation.start()
        return generation

    async def _finished(self, generation: Generation, request: Request) -> Outcome:
        try:
            event = await await_with_disconnect(generation, request.receive, "done")
        finally:
            self.active.discard(generation)
        if event.kind == "error":
            raise event.value
        outcome: Outcome = event.value
        return outcome

    async def _started(self, generation: Generation, request: Request) -> Event:
        """Wait until the request holds the model (or fails: 429, 503...), so that errors are answered with
        their status rather than inside a stream that has already said 200."""
        event = await await_with_disconnect(generation, request.receive, "started", "done")
        if event.kind == "error":
            self.active.discard(generation)
            raise event.value
        return event

    def _chat_body(self, req: ChatRequest, outcome: Outcome, with_tools: bool) -> dict[str, Any]:
        text = outcome.result.text
        content, calls = parse_calls(text) if with_tools else (text, [])
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if calls:
            message["tool_calls"] = calls
        return {
            "id": "chatcmpl-" + uuid.uuid4().hex,
            "object": "chat.completion",
            "created": int(time.time()),
            "model": req.model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": _finish_reason(outcome.result.finish_reason, bool(calls)),
                    "logprobs": None,
                }
            ],
            "usage": usage(outcome),
            "hearth": figures(outcome),
        }

    def _completion_body(self, req: CompletionRequest, outcome: Outcome) -> dict[str, Any]:
        return {
            "id": "cmpl-" + uuid.uuid4().hex,
            "object": "text_completion",
            "created": int(time.time()),
            "model": req.model,
            "choices": [
                {
                    "index": 0,
                    "text": outcome.result.text,
                    "finish_reason": _finish_reason(outcome.result.finish_reason, False),
                    "logprobs": None,
                }
            ],
            "usage": usage(outcome),
            "hearth": figures(outcome),
        }

    async def _chat_events(
        self, req: ChatRequest, generation: Generation, first: Event, with_tools: bool
    ) -> AsyncIterator[str]:
        base = {
            "id": "chatcmpl-" + uuid.uuid4().hex,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": req.model,
        }

        def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
            return json.dumps(
                {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
            )

        held: list[str] = []  # with tools the answer is read whole: calls are sent once they parse
        try:
            yield chunk({"role": "assistant", "content": ""})
            event = first
            while event.kind != "done":
                if event.kind == "error":
                    yield json.dumps(from_exception(event.value).body())
                    return
                if event.kind == "token":
                    if with_tools:
                        held.append(event.value)
                    else:
                        yield chunk({"content": event.value})
                event = await generation.next()
            outcome: Outcome = event.value
            calls: list[dict[str, Any]] = []
            if with_tools:
                content, calls = parse_calls(outcome.result.text)
                if calls:
                    yield chunk({"tool_calls": [{"index": i, **c} for i, c in enumerate(calls)]})
                elif content:
                    yield chunk({"content": content})
            finish = _finish_reason(outcome.result.finish_reason, bool(calls))
            yield chunk({}, finish, hearth=figures(outcome))
            if req.stream_options is not None and req.stream_options.include_usage:
                yield json.dumps({**base, "choices": [], "usage": usage(outcome)})
            yield "[DONE]"
        finally:
            # The client went away (the stream is cancelled here) or the answer ended: stop at the next token.
            generation.cancel.set()
            self.active.discard(generation)

    async def _completion_events(
        self, req: CompletionRequest, generation: Generation, first: Event
    ) -> AsyncIterator[str]:
        base = {
            "id": "cmpl-" + uuid.uuid4().hex,
            "object": "text_completion",
            "created": int(time.time()),
            "model": req.model,
        }

        def chunk(text: str, finish: str | None = None, **extra: Any) -> str:
            return json.dumps(
                {
                    **base,
                    "choices": [{"index": 0, "text": text, "finish_reason": finish, "logprobs": None}],
                    **extra,
                }
            )

        try:
            event = first
            while event.kind != "done":
                if event.kind == "error":
                    yield json.dumps(from_exception(event.value).body())
                    return
                if event.kind == "token":
                    yield chunk(event.value)
                event = await generation.next()
            outcome: Outcome = event.value
            yield chunk("", _finish_reason(outcome.result.finish_reason, False), hearth=figures(outcome))
            if req.stream_options is not None and req.stream_options.include_usage:
                yield json.dumps({**base, "choices": [], "usage": usage(outcome)})
            yield "[DONE]"
        finally:
            generation.cancel.set()
            self.active.discard(generation)
