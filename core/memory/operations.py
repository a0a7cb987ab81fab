"""Runs the three memory operations on one engine, each with its own adapter when it has one.

A reply that does not parse is retried once (sampling a little, since a greedy retry would repeat it);
a second bad reply is given up on and reported, never stored. An operation whose `cancel` is set raises
OperationCancelled. (A chat that needs the engine does not cancel it: the engine's scheduler pauses
background work and runs it again, unseen by the caller.)

An engine without grammar support still runs every operation: the output is parsed after decoding, and a
reply that does not parse gets its retry as usual.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

from core.engine import ChatEngine, ChatMessage, GenerationOptions, GenerationResult
from core.errors import OperationCancelled
from core.memory import prompts, quoting
from core.memory.adapters import AdapterSet
from core.memory.prompts import Answer, Decision, MalformedOutput, Operation, Remembered, Turn
from core.models.profiles import defaults_for

log = logging.getLogger(__name__)

T = TypeVar("T")

EXTRACT_MAX_TOKENS = 192
UPDATE_MAX_TOKENS = 96
# Without an adapter a small base model loops inside JSON strings; a repeat penalty breaks the loops.
# An adapter learnt the format, and a penalty would only fight it.
BASE_REPEAT_PENALTY = 1.2


@dataclass
class OpOutcome(Generic[T]):
    value: T | None  # None: the output stayed malformed after the retry
    op: Operation
    ms: float
    attempts: int
    error: str = ""
    adapter: str | None = None


@dataclass
class Timings:
    """Milliseconds per operation, and per adapter switch, over a run or an evaluation."""

    ops: dict[str, list[float]] = field(default_factory=dict)
    switches: list[float] = field(default_factory=list)

    def add(self, op: str, ms: float) -> None:
        self.ops.setdefault(op, []).append(round(ms, 1))

    def as_dict(self) -> dict[str, list[float]]:
        return {**self.ops, **({"adapter_switch": self.switches} if self.switches else {})}


class MemoryOps:
    def __init__(self, engine: ChatEngine, adapters: AdapterSet | None = None) -> None:
        self.engine = engine
        self.adapters = adapters or AdapterSet({}, {})
        self.timings = Timings()

    def extract(
        self, turns: Sequence[Turn], date: str = "", cancel: threading.Event | None = None
    ) -> OpOutcome[list[str]]:
        return self._run(
            "extract",
            prompts.extract_messages(turns, date),
            GenerationOptions(max_tokens=EXTRACT_MAX_TOKENS, json_schema=prompts.EXTRACT_SCHEMA),
            prompts.parse_extract,
            cancel,
        )

    def decide(
        self, fact: str, memories: Sequence[Remembered], cancel: threading.Event | None = None
    ) -> OpOutcome[Decision]:
        n = len(memories)
        return self._run(
            "update",
            prompts.update_messages(fact, memories),
            GenerationOptions(max_tokens=UPDATE_MAX_TOKENS, json_schema=prompts.update_schema(n)),
            lambda text: prompts.parse_update(text, n),
            cancel,
        )

    def answer(
        self,
        question: str,
        memories: Sequence[Remembered],
        *,
        history: Sequence[ChatMessage] = (),
        base_prompt: str | None = None,
        max_tokens: int = 256,
        on_text: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
        retry: bool = True,
    ) -> OpOutcome[Answer]:
        """Answer with memories; `on_text` receives the answer's text as it streams (not the JSON around it).

        A streamed answer is not retried (the user already saw it): pass retry=False. `base_prompt` is the
        conversation's system prompt; None takes the model's measured default (core.models.profiles).
        """
        n = len(memories)
        if base_prompt is None:
            base_prompt = defaults_for(self.engine.info.path).system_prompt
        return self._run(
            "answer",
            prompts.answer_messages(question, memories, history, base_prompt),
            GenerationOptions(max_tokens=max_tokens, grammar=prompts.answer_grammar(n)),
            lambda text: prompts.parse_answer(text, n),
            cancel,
            on_text=on_text,
            attempts=2 if retry else 1,
        )

    def quote(
        self,
        question: str,
        memories: Sequence[Remembered],
        *,
        on_text: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
        retry: bool = True,
    ) -> OpOutcome[Answer]:
        """The answer quoted from `memories` (recall's, best first), with the answer operation's adapter.

        Its `used` numbers count in `memories`' order, whatever order the prompt lists them in.

        With no memories the answer can only be "Not mentioned": no model call.
        """
        if not memories:
            return OpOutcome(
                quoting.finish(question, Answer((), quoting.NOT_MENTIONED), []), "answer", 0.0, 0
            )
        messages, grammar = quoting.quote_prompt(question, memories)
        return self._run(
            "answer",
            messages,
            GenerationOptions(max_tokens=quoting.QUOTE_MAX_TOKENS, grammar=grammar),
            lambda text: quoting.read_quote(question, text, memories),
            cancel,
            on_text=on_text,
            attempts=2 if retry else 1,
        )

    # ---- one operation, with its retry ----

    def _run(
        self,
        op: Operation,
        messages: list[ChatMessage],
        options: GenerationOptions,
        parse: Callable[[str], T],
        cancel: threading.Event | None,
        *,
        on_text: Callable[[str], None] | None = None,
        attempts: int = 2,
    ) -> OpOutcome[T]:
        adapter = self.adapters.name(op)
        t0 = time.perf_counter()
        error = ""
        for attempt in range(1, attempts + 1):
            opts = _options_for(options, adapter, attempt)
            result = self._generate(messages, opts, on_text, cancel)
            try:
                value = parse(result.text)
            except MalformedOutput as e:
                error = str(e) if result.finish_reason != "length" else f"cut off at {opts.max_tokens} tokens"
                log.info("Memory %s: malformed output (attempt %d): %s", op, attempt, error)
                continue
            ms = (time.perf_counter() - t0) * 1000
            self.timings.add(op, ms)
            return OpOutcome(value, op, ms, attempt, adapter=adapter)
        ms = (time.perf_counter() - t0) * 1000
        self.timings.add(op, ms)
        log.warning("Memory %s: output still malformed after %d attempts, skipped: %s", op, attempts, error)
        return OpOutcome(None, op, ms, attempts, error=error, adapter=adapter)

    def _generate(
        self,
        messages: list[ChatMessage],
        options: GenerationOptions,
        on_text: Callable[[str], None] | None,
        cancel: threading.Event | None,
    ) -> GenerationResult:
        stream = prompts.AnswerStream() if on_text is not None else None

        def on_token(piece: str) -> None:
            assert stream is not None and on_text is not None
            text = stream.feed(piece)
            if text:
                on_text(text)

        result = self.engine.chat(
            messages, _fit(options, self.engine), on_token=on_token if stream else None, cancel=cancel
        )
        if result.metrics.adapter_switch_ms:
            self.timings.switches.append(round(result.metrics.adapter_switch_ms, 3))
        if result.finish_reason == "cancelled":
            raise OperationCancelled("Memory work")
        return result


def _fit(options: GenerationOptions, engine: ChatEngine) -> GenerationOptions:
    """Drop what the engine cannot take: its output is parsed (and retried) all the same."""
    caps = engine.capabilities
    if options.grammar is not None and not caps.grammar:
        options = replace(options, grammar=None)
    if options.json_schema is not None and not (caps.json_schema or caps.grammar):
        options = replace(options, json_schema=None)
    if options.adapter is not None and not caps.adapters:
        options = replace(options, adapter=None)
    return options


def _options_for(base: GenerationOptions, adapter: str | None, attempt: int) -> GenerationOptions:
    return replace(
        base,
        adapter=adapter,
        temperature=0.0 if attempt == 1 else 0.5,
        seed=base.seed + attempt,
        repeat_penalty=1.0 if adapter else BASE_REPEAT_PENALTY,
    )
