"""A generation on a worker thread, seen from the event loop: its events (started, each piece of text,
done or failed) arrive in an asyncio queue, and a client that goes away sets its cancel flag, which the
engine checks at every token."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Literal

from starlette.types import Receive

from core.server.backend import Outcome

EventKind = Literal["started", "token", "done", "error"]


@dataclass(frozen=True)
class Event:
    kind: EventKind
    value: Any = None


class Generation:
    """Args:
    work: runs the request (on a worker thread) given (on_start, on_token, cancel); returns its Outcome.
    stream: post each piece of text as it comes (else only the end).
    """

    def __init__(
        self,
        work: Callable[[Callable[[], None], Callable[[str], None] | None, threading.Event], Outcome],
        executor: Executor,
        *,
        stream: bool,
    ) -> None:
        self._stream = stream
        self._work = work
        self._executor = executor
        self._loop = asyncio.get_running_loop()
        self.events: asyncio.Queue[Event] = asyncio.Queue()
        self.cancel = threading.Event()

    def start(self) -> None:
        self._executor.submit(self._run)

    def _post(self, kind: EventKind, value: Any = None) -> None:
        # Never blocks the worker: the event loop picks the event up on its next turn.
        self._loop.call_soon_threadsafe(self.events.put_nowait, Event(kind, value))

    def _run(self) -> None:
        try:
            on_token = (lambda piece: self._post("token", piece)) if self._stream else None
            outcome = self._work(lambda: self._post("started"), on_token, self.cancel)
        except BaseException as e:  # every failure goes back to the request, none is lost in the pool
            self._post("error", e)
            return
        self._post("done", outcome)

    async def until(self, *kinds: EventKind) -> Event:
        """The next event of one of `kinds`, or an error; the events between are dropped."""
        while True:
            event = await self.events.get()
            if event.kind in kinds or event.kind == "error":
                return event

    async def next(self) -> Event:
        return await self.events.get()


async def watch_disconnect(receive: Receive, cancel: threading.Event) -> None:
    """Set `cancel` when the client disconnects (run as a task beside the wait for the answer)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            cancel.set()
            return


async def await_with_disconnect(generation: Generation, receive: Receive, *kinds: EventKind) -> Event:
    """Wait for one of `kinds` while watching for the client leaving (which cancels the generation)."""
    watcher = asyncio.create_task(watch_disconnect(receive, generation.cancel))
    try:
        return await generation.until(*kinds)
    finally:
        watcher.cancel()
