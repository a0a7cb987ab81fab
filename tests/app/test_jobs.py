"""JobRunner: work off the GUI thread, its results delivered on the GUI thread."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from app.jobs import Job, JobRunner


def test_results_reach_a_caller_that_kept_no_reference_to_the_job(qtbot: QtBot) -> None:
    runner = JobRunner("test-jobs")
    got: list[object] = []
    threads: list[str] = []
    for i in range(20):
        job = runner.submit(lambda _job, i=i: i * i)
        job.sig_done.connect(
            lambda value: (got.append(value), threads.append(threading.current_thread().name))
        )
        del job
        gc.collect()
    qtbot.waitUntil(lambda: len(got) == 20, timeout=5000)
    assert sorted(got) == [i * i for i in range(20)]
    assert set(threads) == {threading.main_thread().name}
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    runner.shutdown()


def test_a_failure_is_one_line_for_the_user(qtbot: QtBot) -> None:
    runner = JobRunner("test-jobs")

    def boom(_job: Job) -> None:
        raise ValueError("disk on fire")

    job = runner.submit(boom)
    with qtbot.waitSignal(job.sig_failed, timeout=5000) as blocker:
        pass
    assert blocker.args == ["Unexpected error: disk on fire"]
    runner.shutdown()
