"""How long model operations report progress and learn that the user wants them to stop.

Every long operation (download, quantize, convert, compare) takes `progress: ProgressCallback | None` and
`cancel: threading.Event | None`. The callback is called from the thread doing the work, so a GUI hands
it on to its own thread; setting the event stops the work at the next chunk (or kills the child process)
and the operation raises OperationCancelled.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.errors import OperationCancelled


@dataclass(frozen=True)
class Progress:
    stage: str  # "download", "verify", "quantize", "convert", "compare", ...
    done: float  # bytes, tensors, steps: whatever `unit` says
    total: float | None  # None when unknown
    unit: str = ""
    message: str = ""
    rate: float | None = None  # units per second, averaged since the stage began

    @property
    def fraction(self) -> float | None:
        """0..1, or None when the total is unknown (a GUI shows a busy bar then)."""
        if not self.total:
            return None
        return max(0.0, min(1.0, self.done / self.total))


ProgressCallback = Callable[[Progress], None]


def check_cancel(cancel: threading.Event | None, what: str) -> None:
    if cancel is not None and cancel.is_set():
        raise OperationCancelled(what)


class Reporter:
    """Sends Progress for one stage, at most every `interval` seconds (always the last one)."""

    def __init__(
        self,
        callback: ProgressCallback | None,
        stage: str,
        total: float | None,
        unit: str = "",
        interval: float = 0.1,
        start: float = 0.0,
    ) -> None:
        self._callback = callback
        self.stage = stage
        self.total = total
        self.unit = unit
        self.done = start
        self._start_done = start
        self._interval = interval
        self._t0 = time.monotonic()
        self._last = 0.0

    def update(self, done: float, message: str = "", force: bool = False) -> None:
        self.done = done
        if self._callback is None:
            return
        now = time.monotonic()
        finished = self.total is not None and done >= self.total
        if not (force or finished or now - self._last >= self._interval):
            return
        self._last = now
        elapsed = now - self._t0
        rate = (done - self._start_done) / elapsed if elapsed > 0 else None
        self._callback(Progress(self.stage, done, self.total, self.unit, message, rate))

    def advance(self, n: float) -> None:
        self.update(self.done + n)
