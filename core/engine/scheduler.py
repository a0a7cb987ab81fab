"""One queue for the one model: what the user waits for goes first, and background work yields to it.

Every request to a shared engine passes through its Scheduler. Requests run one at a time, foreground ones
(chat, the assistant, documents answers, a server request) in arrival order before any background one
(memory learning). A foreground request that arrives while background work decodes stops that work at its
next token; the background request is then run again, from the start of its prompt (most of which the
KV cache still holds), once no foreground request waits. The caller of a background request sees none of
this but a longer wait: its streamed text, if it asked for any, is delivered once its attempt completes.

The queue is bounded: past `max_waiting` foreground requests a new one is refused with QueueFullError,
which says how long to wait (the server answers 429 with Retry-After).
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum

from core.engine.interface import (
    AdapterSupport,
    CancelFlag,
    Capabilities,
    ChatEngine,
    ModelInfo,
    TokenCallback,
)
from core.engine.types import ChatMessage, GenerationOptions, GenerationResult, Metrics
from core.errors import EngineClosedError, QueueFullError

DEFAULT_MAX_WAITING = 32
_RECENT = 16  # service times kept to estimate Retry-After


class Priority(IntEnum):
    FOREGROUND = 0  # someone is waiting for it
    BACKGROUND = 1  # nobody is: it may be stopped and run again later


class _Either:
    """Set when the caller cancels or the scheduler preempts: the engine checks one flag per token."""

    __slots__ = ("_a", "_b")

    def __init__(self, a: CancelFlag | None, b: threading.Event) -> None:
        self._a, self._b = a, b

    def is_set(self) -> bool:
        return self._b.is_set() or (self._a is not None and self._a.is_set())


@dataclass(order=True)
class _Ticket:
    priority: int
    seq: int
    enqueued: float = field(compare=False)
    preempt: threading.Event = field(compare=False, default_factory=threading.Event)


@dataclass
class SchedulerStats:
    served: int = 0
    preempted: int = 0
    refused: int = 0
    waiting_foreground: int = 0
    waiting_background: int = 0
    running: str = ""  # "", "foreground" or "background"


class Scheduler:
    """Orders the requests to one engine. Thread-safe; any thread may call `run`."""

    def __init__(self, max_waiting: int = DEFAULT_MAX_WAITING) -> None:
        self.max_waiting = max_waiting
        self._cond = threading.Condition()
        self._heap: list[_Ticket] = []
        self._running: _Ticket | None = None
        self._seq = itertools.count()
        self._closed = False
        self._retired = False  # no new requests; the queued ones still run
        self._recent: deque[float] = deque(maxlen=_RECENT)
        self._stats = SchedulerStats()

    def stats(self) -> SchedulerStats:
        with self._cond:
            fg = sum(1 for t in self._heap if t.priority == Priority.FOREGROUND)
            running = "" if self._running is None else Priority(self._running.priority).name.lower()
            return replace(
                self._stats,
                waiting_foreground=fg,
                waiting_background=len(self._heap) - fg,
                running=running,
            )

    def run(
        self,
        priority: Priority,
        call: Callable[[CancelFlag, TokenCallback | None], GenerationResult],
        on_token: TokenCallback | None,
        cancel: CancelFlag | None,
    ) -> GenerationResult:
        """Run `call(cancel_flag, on_token)` when its turn comes; returns its result with queue_ms set.

        A cancelled request that is still waiting leaves the queue and returns an empty "cancelled" result.
        """
        ticket = self._enqueue(priority)
        first_wait = 0.0
        while True:
            if not self._wait_turn(ticket, cancel):
                return GenerationResult(
                    "", "cancelled", Metrics(queue_ms=(time.monotonic() - ticket.enqueued) * 1000)
                )
            started = time.monotonic()
            first_wait = first_wait or (started - ticket.enqueued)
            flag = _Either(cancel, ticket.preempt)
            pieces: list[str] = []
            # Background text is held until the attempt completes: a preempted attempt is run again.
            sink = on_token if priority == Priority.FOREGROUND else (pieces.append if on_token else None)
            try:
                result = call(flag, sink)
            finally:
                preempted = self._finish(ticket, started, cancel)
            if preempted:
                continue
            if on_token is not None and priority != Priority.FOREGROUND and pieces:
                on_token("".join(pieces))
            result.metrics.queue_ms = (started - ticket.enqueued) * 1000
            return result

    # ---- the queue ----

    def _enqueue(self, priority: Priority) -> _Ticket:
        with self._cond:
            if self._closed or self._retired:
                raise EngineClosedError("This model was closed (another was chosen, or Hearth is closing).")
            if priority == Priority.FOREGROUND:
                waiting = sum(1 for t in self._heap if t.priority == Priority.FOREGROUND)
                if waiting >= self.max_waiting:
                    self._stats.refused += 1
                    raise QueueFullError(waiting, self._retry_after(waiting))
            ticket = _Ticket(int(priority), next(self._seq), time.monotonic())
            heapq.heappush(self._heap, ticket)
            running = self._running
            if running is not None and running.priority > ticket.priority:
                running.preempt.set()  # stops at its next token
            self._cond.notify_all()
            return ticket

    def _wait_turn(self, ticket: _Ticket, cancel: CancelFlag | None) -> bool:
        """Block until `ticket` may run (True), or its caller cancelled while it waited (False)."""
        with self._cond:
            while True:
                if self._closed:
                    self._drop(ticket)
                    raise EngineClosedError("The model was closed while the request waited; ask again.")
                if cancel is not None and cancel.is_set():
                    self._drop(ticket)
                    return False
                if self._running is None and self._heap and self._heap[0] is ticket:
                    heapq.heappop(self._heap)
                    ticket.preempt.clear()
                    self._running = ticket
                    return True
                self._cond.wait(timeout=0.1)  # a caller's cancel is an Event nobody notifies us of

    def _finish(self, ticket: _Ticket, started: float, cancel: CancelFlag | None) -> bool:
        """The attempt is over. Returns True when it was preempted and is queued again."""
        with self._cond:
            self._running = None
            preempted = (
                ticket.preempt.is_set() and not (cancel is not None and cancel.is_set()) and not self._closed
            )
            if preempted:
                self._stats.preempted += 1
                heapq.heappush(self._heap, ticket)  # its old place: first among background work
            else:
                self._stats.served += 1
                self._recent.append(time.monotonic() - started)
            self._cond.notify_all()
            return preempted

    def _drop(self, ticket: _Ticket) -> None:
        if ticket in self._heap:
            self._heap.remove(ticket)
            heapq.heapify(self._heap)
        self._cond.notify_all()

    def _retry_after(self, waiting: int) -> float:
        mean = sum(self._recent) / len(self._recent) if self._recent else 2.0
        return round(max(1.0, mean * max(waiting, 1)), 1)

    def retire(self, timeout: float | None = None) -> bool:
        """Refuse new requests, then wait for those already queued or running to finish (a model switch:
        what was asked of the old model is answered by it). Returns False on timeout."""
        with self._cond:
            self._retired = True
        return self.drain(timeout)

    def close(self) -> None:
        """Refuse new requests and wake the waiting ones (they raise EngineClosedError)."""
        with self._cond:
            self._closed = True
            if self._running is not None:
                self._running.preempt.set()
            self._cond.notify_all()

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until nothing runs or waits. Returns False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._running is not None or self._heap:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(timeout=left)
            return True


class ScheduledEngine:
    """An engine seen through its scheduler, at one priority (core.engine.interface.ChatEngine).

    `with_priority` gives another view of the same engine and queue: memory learning holds a background
    view, everything a user waits for holds a foreground one.
    """

    def __init__(
        self, engine: ChatEngine, scheduler: Scheduler, priority: Priority = Priority.FOREGROUND
    ) -> None:
        self.engine = engine
        self.scheduler = scheduler
        self.priority = priority

    def with_priority(self, priority: Priority) -> ScheduledEngine:
        return ScheduledEngine(self.engine, self.scheduler, priority)

    @property
    def info(self) -> ModelInfo:
        return self.engine.info

    @property
    def n_ctx(self) -> int:
        return self.engine.n_ctx

    @property
    def capabilities(self) -> Capabilities:
        return self.engine.capabilities

    @property
    def adapters(self) -> AdapterSupport | None:
        return self.engine.adapters

    @property
    def closed(self) -> bool:
        return self.engine.closed

    def chat(
        self,
        messages: Sequence[ChatMessage],
        options: GenerationOptions | None = None,
        on_token: TokenCallback | None = None,
        cancel: CancelFlag | None = None,
    ) -> GenerationResult:
        return self.scheduler.run(
            self.priority,
            lambda flag, sink: self.engine.chat(messages, options, sink, flag),
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
        return self.scheduler.run(
            self.priority,
            lambda flag, sink: self.engine.complete(prompt, options, sink, flag),
            on_token,
            cancel,
        )

    def count_tokens(self, text: str) -> int:
        return self.engine.count_tokens(text)

    def count_chat_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return self.engine.count_chat_tokens(messages)

    def close(self) -> None:
        """Closing a view closes the engine for every view: the host decides when (it owns both)."""
        self.scheduler.close()
        self.engine.close()
