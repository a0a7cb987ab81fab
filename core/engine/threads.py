"""How many CPU threads a request decodes with, chosen from the load the machine has when it starts.

llama.cpp splits every matrix product between its threads and waits at a barrier after each one, so a
thread on a core that another process holds makes all of them wait: on 2 cores with one held by another
process, SmolLM2-135M decoded about 35 tok/s with 2 threads and about 80 with 1 (raw llama-cpp-python
alike). The chooser counts the cores other processes keep busy (the whole machine's CPU time less this
process's own, over the last second) and leaves those out.
"""

from __future__ import annotations

import collections
import os
import threading
import time

import psutil

SAMPLE_S = 0.25  # how often the probe reads the CPU counters (two small /proc reads)
WINDOW_S = 1.0  # other processes' use is averaged over this long


def physical_cores() -> int:
    """Physical cores: llama.cpp decodes no faster on hyper-threads and the GUI needs a core too."""
    return max(1, psutil.cpu_count(logical=False) or os.cpu_count() or 1)


def _busy_seconds(times: psutil._common.scputimes) -> float:  # type: ignore[name-defined]
    fields = times._asdict()
    return float(sum(fields.values()) - fields.get("idle", 0.0) - fields.get("iowait", 0.0))


class LoadProbe:
    """Other processes' CPU use over the last second, in cores: system CPU time less this process's.

    A daemon thread samples the counters every SAMPLE_S; `others_cores()` costs nothing.
    """

    def __init__(self) -> None:
        self._proc = psutil.Process()
        self._samples: collections.deque[tuple[float, float, float]] = collections.deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._take()
        self._thread = threading.Thread(target=self._run, name="hearth-load-probe", daemon=True)
        self._thread.start()

    def _take(self) -> None:
        own = self._proc.cpu_times()
        sample = (time.monotonic(), _busy_seconds(psutil.cpu_times()), float(own.user + own.system))
        with self._lock:
            self._samples.append(sample)
            while len(self._samples) > 2 and sample[0] - self._samples[1][0] >= WINDOW_S:
                self._samples.popleft()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            try:
                self._take()
            except (psutil.Error, OSError):  # a counter that cannot be read this time: try again
                continue

    def others_cores(self) -> float:
        with self._lock:
            if len(self._samples) < 2:
                return 0.0
            (t0, busy0, own0), (t1, busy1, own1) = self._samples[0], self._samples[-1]
        if t1 - t0 <= 0:
            return 0.0
        return max(0.0, (busy1 - busy0) - (own1 - own0)) / (t1 - t0)

    def close(self) -> None:
        self._stop.set()


class ThreadChooser:
    """Threads for the next request: `fixed` when the user set a number, else the cores others leave free.

    A core counts as taken when other processes use half of it or more, so a browser tab's few percent
    changes nothing while a compile or a second model moves the engine to the free cores.
    """

    def __init__(self, fixed: int | None, cores: int | None = None) -> None:
        self.fixed = fixed if fixed and fixed > 0 else None
        self.cores = cores or physical_cores()
        # One core: nothing to choose. A fixed number: the user's choice stands.
        self._probe = LoadProbe() if self.fixed is None and self.cores > 1 else None

    @property
    def most(self) -> int:
        return self.fixed or self.cores

    def choose(self) -> int:
        if self._probe is None:
            return self.most
        taken = int(self._probe.others_cores() + 0.5)
        return max(1, self.cores - taken)

    def close(self) -> None:
        if self._probe is not None:
            self._probe.close()
