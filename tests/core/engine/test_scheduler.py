"""The scheduler on the real model: foreground first, background preempted at its next token and run again,
a bounded queue, cancel while waiting, and a closed engine that refuses calls."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from core.engine import GenerationOptions, LocalEngine, Priority, ScheduledEngine, Scheduler
from core.errors import EngineClosedError, QueueFullError
from core.runtime import EngineHost, EngineSpec

LONG = GenerationOptions(max_tokens=160, temperature=0.0, ignore_eos=True)
SHORT = GenerationOptions(max_tokens=8, temperature=0.0)
STORY = [{"role": "user", "content": "Tell me a long story about a fox."}]
HELLO = [{"role": "user", "content": "Say hello."}]


def _wait_until(predicate: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_foreground_preempts_background_which_runs_again_and_completes(engine: LocalEngine) -> None:
    shared = ScheduledEngine(engine, Scheduler())
    background = shared.with_priority(Priority.BACKGROUND)
    finished: dict[str, float] = {}
    results = {}
    streamed: list[str] = []

    def learn() -> None:
        results["background"] = background.chat(STORY, LONG, on_token=streamed.append)
        finished["background"] = time.monotonic()

    worker = threading.Thread(target=learn)
    worker.start()
    _wait_until(lambda: shared.scheduler.stats().running == "background")
    answer = shared.chat(HELLO, SHORT)
    finished["foreground"] = time.monotonic()
    worker.join(120)
    assert answer.finish_reason in ("stop", "length") and answer.text
    assert finished["foreground"] < finished["background"]
    stats = shared.scheduler.stats()
    assert stats.preempted >= 1 and stats.served == 2
    done = results["background"]
    # Run again from the start: the caller gets one whole answer, never the preempted attempt's tokens.
    assert done.finish_reason == "length" and done.metrics.completion_tokens == LONG.max_tokens
    assert "".join(streamed) == done.text
    assert done.metrics.queue_ms > 0


def test_a_full_queue_refuses_with_a_retry_hint(engine: LocalEngine) -> None:
    shared = ScheduledEngine(engine, Scheduler(max_waiting=1))
    started = threading.Event()
    threads = [threading.Thread(target=lambda: shared.chat(STORY, LONG, on_token=lambda _p: started.set()))]
    threads[0].start()
    started.wait(60)
    threads.append(threading.Thread(target=lambda: shared.chat(HELLO, SHORT)))
    threads[1].start()
    _wait_until(lambda: shared.scheduler.stats().waiting_foreground == 1)
    with pytest.raises(QueueFullError) as refused:
        shared.chat(HELLO, SHORT)
    assert refused.value.retry_after_s >= 1.0
    for t in threads:
        t.join(120)
    assert shared.scheduler.stats().refused == 1


def test_a_request_cancelled_while_waiting_leaves_the_queue(engine: LocalEngine) -> None:
    shared = ScheduledEngine(engine, Scheduler())
    started = threading.Event()
    first = threading.Thread(target=lambda: shared.chat(STORY, LONG, on_token=lambda _p: started.set()))
    first.start()
    started.wait(60)
    cancel = threading.Event()
    out = {}
    waiter = threading.Thread(target=lambda: out.setdefault("r", shared.chat(HELLO, SHORT, cancel=cancel)))
    waiter.start()
    _wait_until(lambda: shared.scheduler.stats().waiting_foreground == 1)
    cancel.set()
    waiter.join(10)
    assert out["r"].finish_reason == "cancelled" and out["r"].text == ""
    first.join(120)


def test_switching_models_waits_for_requests_in_flight_and_the_old_engine_refuses_calls(
    model_path: Path,
) -> None:
    host = EngineHost()
    old = host.get(EngineSpec(str(model_path), n_ctx=512, n_threads=1))
    started = threading.Event()
    out = {}
    busy = threading.Thread(
        target=lambda: out.setdefault("r", old.chat(STORY, LONG, on_token=lambda _p: started.set()))
    )
    busy.start()
    started.wait(60)
    new = host.get(EngineSpec(str(model_path), n_ctx=1024, n_threads=1))  # returns once the old is done
    busy.join(5)
    assert not busy.is_alive()
    assert out["r"].finish_reason == "length", "the request in flight ran to its end on the old model"
    assert old.closed and not new.closed
    with pytest.raises(EngineClosedError):
        old.chat(HELLO, SHORT)
    assert new.chat(HELLO, SHORT).text
    host.close()
    with pytest.raises(EngineClosedError):
        new.chat(HELLO, SHORT)
