"""The one way app/ runs work off the GUI thread.

A JobRunner owns a single worker thread, so jobs run one at a time in submission order; inference must be
serialised anyway (one llama.cpp context). Each Job carries a cancel flag for the work to check and Qt
signals that arrive on the GUI thread, whatever thread emits them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from app.qt import QObject, QTimer, Signal
from core.errors import HearthError

log = logging.getLogger(__name__)


class Job(QObject):
    """One piece of background work.

    Signals:
        sig_progress(object): whatever the work reports as it goes (a token, a (done, total) pair...).
        sig_done(object): the work's return value.
        sig_failed(str): a message for the user; the work raised.
    """

    sig_progress = Signal(object)
    sig_done = Signal(object)
    sig_failed = Signal(str)
    _sig_over = Signal()  # last signal of a job: queued after the others, so they are delivered first

    def __init__(self) -> None:
        super().__init__()
        self.cancel_event = threading.Event()
        self.finished = threading.Event()

    def cancel(self) -> None:
        self.cancel_event.set()

    def report(self, payload: Any) -> None:
        """Called by the work, on the worker thread."""
        self.sig_progress.emit(payload)


class JobRunner:
    def __init__(self, name: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._live: set[Job] = set()  # keeps Python references until the signals are out
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, work: Callable[[Job], Any]) -> Job:
        """Queue `work`; it starts on the next turn of the event loop, so the caller connects to the job's
        signals first (a quick job could otherwise finish, and signal nobody, before that)."""
        job = Job()
        with self._lock:
            self._live.add(job)
        # The runner's reference goes only once the job's queued signals have reached the GUI thread: were the
        # Job collected before, Qt would drop them, and a caller that kept no reference would never hear back.
        job._sig_over.connect(lambda: self._release(job))
        QTimer.singleShot(0, lambda: self._start(job, work))
        return job

    def _start(self, job: Job, work: Callable[[Job], Any]) -> None:
        if self._closed:
            self._forget(job)
            return
        self._pool.submit(self._run, job, work)

    def _run(self, job: Job, work: Callable[[Job], Any]) -> None:
        try:
            if job.cancel_event.is_set():
                return
            result = work(job)
        except HearthError as e:
            job.sig_failed.emit(str(e))
        except Exception as e:  # a bug: log it whole, show the user one line
            log.exception("background job failed")
            job.sig_failed.emit(f"Unexpected error: {e}")
        else:
            job.sig_done.emit(result)
        finally:
            self._forget(job)

    def _forget(self, job: Job) -> None:
        job.finished.set()
        job._sig_over.emit()

    def _release(self, job: Job) -> None:
        with self._lock:
            self._live.discard(job)

    @property
    def busy(self) -> bool:
        with self._lock:
            return bool(self._live)

    def shutdown(self) -> None:
        """Cancel everything and wait for the running job to notice (llama.cpp checks once per token)."""
        with self._lock:
            self._closed = True
            for job in self._live:
                job.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)
