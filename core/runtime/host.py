"""The engine host: one loaded model shared by every service, behind one scheduler.

`get(spec)` returns the loaded engine when it matches `spec`, else loads that model and retires the old
one: requests already queued for the old model are answered by it, new ones go to the new model, and the
old model is freed only after its last request (a closed engine refuses calls rather than touch freed
memory). A failed load leaves the old model in service.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from core.engine import ChatEngine, Priority, ScheduledEngine, Scheduler
from core.engine.scheduler import DEFAULT_MAX_WAITING
from core.errors import EngineClosedError
from core.runtime.factory import EngineFactory, open_engine
from core.runtime.spec import EngineSpec

log = logging.getLogger(__name__)

# How long a model switch waits for the old model's requests before freeing it regardless.
RETIRE_TIMEOUT_S = 120.0


class HostState(Enum):
    EMPTY = "empty"
    LOADING = "loading"
    READY = "ready"


class EngineHost:
    """Args:
    root: the data dir (for resolving catalog ids).
    factory: makes an engine from a spec (default: core.runtime.factory.open_engine).
    max_waiting: foreground requests that may wait for the model before new ones are refused.
    """

    def __init__(
        self,
        root: Path | None = None,
        factory: EngineFactory | None = None,
        max_waiting: int = DEFAULT_MAX_WAITING,
    ) -> None:
        self._factory: Callable[[EngineSpec], ChatEngine] = factory or (lambda s: open_engine(s, root))
        self._max_waiting = max_waiting
        self._lock = threading.Lock()  # one load at a time
        # (spec, engine) as one value, so a reader never pairs one model's spec with another's engine.
        self._loaded: tuple[EngineSpec, ScheduledEngine] | None = None
        self._loading: EngineSpec | None = None
        self._closed = False

    def get(self, spec: EngineSpec, priority: Priority = Priority.FOREGROUND) -> ScheduledEngine:
        """The engine for `spec` at `priority`, loading it (and retiring the old model) if needed."""
        loaded = self._loaded
        if loaded is not None and loaded[0] == spec and not loaded[1].closed:
            return loaded[1].with_priority(priority)
        with self._lock:
            if self._closed:
                raise EngineClosedError("Hearth is closing: no model can be loaded.")
            loaded = self._loaded
            if loaded is None or loaded[0] != spec or loaded[1].closed:
                self._loading = spec
                try:
                    fresh = ScheduledEngine(self._factory(spec), Scheduler(self._max_waiting))
                finally:
                    self._loading = None
                self._loaded = (spec, fresh)
                if loaded is not None:
                    _retire(loaded[1])
                loaded = self._loaded
            return loaded[1].with_priority(priority)

    @property
    def loaded(self) -> EngineSpec | None:
        loaded = self._loaded
        return None if loaded is None else loaded[0]

    @property
    def state(self) -> HostState:
        if self._loading is not None:
            return HostState.LOADING
        return HostState.READY if self._loaded is not None else HostState.EMPTY

    @property
    def current(self) -> ScheduledEngine | None:
        """The loaded engine (foreground view), without loading anything."""
        loaded = self._loaded
        return None if loaded is None else loaded[1]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._loaded is not None:
                self._loaded[1].scheduler.close()
                self._loaded[1].engine.close()
            self._loaded = None


def _retire(old: ScheduledEngine) -> None:
    if not old.scheduler.retire(RETIRE_TIMEOUT_S):
        log.warning("The previous model still had requests after %.0f s; closing it anyway", RETIRE_TIMEOUT_S)
        old.scheduler.close()
    old.engine.close()
