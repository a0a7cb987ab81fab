"""Samples power, CPU and memory in a background thread, and measures the energy of one request.

Energy is a cumulative figure: the sensor's own counter where it has one (NVML, RAPL), otherwise power
integrated over time (trapezoids between samples). A request's energy is the difference of that figure
between two readings taken exactly at its start and end.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import psutil

from core.telemetry.cpu import CpuMeter
from core.telemetry.power import PowerSource, SourceUnavailable

MIN_IDLE_SAMPLES = 5


@dataclass(frozen=True)
class Sample:
    t: float  # time.monotonic()
    watts: float | None
    energy_j: float  # cumulative since the sampler started
    cpu_percent: float  # of the whole machine
    rss_bytes: int  # this process
    vram_bytes: int | None
    busy: bool  # a request was running


@dataclass(frozen=True)
class RequestEnergy:
    seconds: float
    energy_j: float
    avg_power_w: float
    energy_above_idle_j: float | None  # None until an idle baseline has been seen
    peak_rss_bytes: int
    vram_bytes: int | None
    source: str
    measured: bool

    def as_metrics(self, completion_tokens: int) -> dict[str, float | int | str | None]:
        def per_token(joules: float | None) -> float | None:
            return joules / completion_tokens if completion_tokens and joules is not None else None

        return {
            "energy_j": round(self.energy_j, 4),
            "energy_above_idle_j": None
            if self.energy_above_idle_j is None
            else round(self.energy_above_idle_j, 4),
            "j_per_token": _round(per_token(self.energy_j)),
            "j_per_token_above_idle": _round(per_token(self.energy_above_idle_j)),
            "avg_power_w": round(self.avg_power_w, 3),
            "peak_rss_mb": round(self.peak_rss_bytes / 2**20, 1),
            "vram_mb": None if self.vram_bytes is None else round(self.vram_bytes / 2**20, 1),
            "power_source": self.source,
            "power_measured": int(self.measured),
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 5)


class Sampler:
    def __init__(
        self,
        source: PowerSource,
        interval_s: float = 0.2,
        history_s: float = 600.0,
        vram_reader: Callable[[], int] | None = None,
    ) -> None:
        self.source = source
        self.interval_s = interval_s
        self._vram = vram_reader
        self._process = psutil.Process()
        self._process.cpu_percent(None)
        self._samples: deque[Sample] = deque(maxlen=max(int(history_s / interval_s), 10))
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._energy = 0.0
        self._last_counter: float | None = None
        self._last_watts: tuple[float, float] | None = None  # (t, watts) for integration
        self._busy = 0
        self.error: str | None = None  # the last sensor error, shown instead of a number
        self._cpu_seconds = 0.0
        self._started = 0.0
        self._cpu = CpuMeter()

    # ---- thread ----

    def start(self) -> None:
        if self._thread is not None:
            return
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._loop, name="hearth-telemetry", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            t_cpu = time.thread_time()
            self.sample_now()
            self._cpu_seconds += time.thread_time() - t_cpu

    @property
    def cpu_cost(self) -> float:
        """CPU time the sampler thread used, as a fraction of one core, since start()."""
        wall = time.monotonic() - self._started if self._started else 0.0
        return self._cpu_seconds / wall if wall > 0 else 0.0

    # ---- readings ----

    def sample_now(self) -> Sample:
        """Read every sensor once and record the sample (the thread calls this; so do request boundaries)."""
        with self._lock:
            now = time.monotonic()
            watts: float | None = None
            try:
                reading = self.source.read()
                self.error = None
                watts = reading.watts
                self._accumulate(now, reading.watts, reading.energy_j)
            except SourceUnavailable as e:
                self.error = str(e)
            vram = None
            if self._vram is not None:
                try:
                    vram = self._vram()
                except Exception:
                    vram = None
            sample = Sample(
                t=now,
                watts=watts,
                energy_j=self._energy,
                cpu_percent=self._cpu.percent(),
                rss_bytes=self._process.memory_info().rss,
                vram_bytes=vram,
                busy=self._busy > 0,
            )
            self._samples.append(sample)
            return sample

    def _accumulate(self, now: float, watts: float | None, counter: float | None) -> None:
        if counter is not None:
            if self._last_counter is not None and counter >= self._last_counter:
                self._energy += counter - self._last_counter
            self._last_counter = counter
            if watts is None and self._samples:  # power from the counter, for sources that give only energy
                prev = self._samples[-1]
                dt = now - prev.t
                if dt > 0:
                    self._last_watts = (now, (self._energy - prev.energy_j) / dt)
            return
        if watts is not None:
            if self._last_watts is not None:
                t0, w0 = self._last_watts
                self._energy += (w0 + watts) / 2 * (now - t0)
            self._last_watts = (now, watts)

    def samples(self, since: float = 0.0) -> list[Sample]:
        with self._lock:
            return [s for s in self._samples if s.t >= since]

    def latest(self) -> Sample | None:
        with self._lock:
            return self._samples[-1] if self._samples else None

    def power_of(self, sample: Sample, previous: Sample | None) -> float | None:
        """Watts at a sample: the sensor's reading, or the energy counter's slope since the previous one."""
        if sample.watts is not None:
            return sample.watts
        if previous is not None and sample.t > previous.t:
            return (sample.energy_j - previous.energy_j) / (sample.t - previous.t)
        return None

    def idle_watts(self) -> float | None:
        """Median power over recent samples taken while no request ran."""
        with self._lock:
            samples = list(self._samples)
        powers = [
            p
            for prev, s in zip(samples, samples[1:], strict=False)
            if not s.busy and not prev.busy and (p := self.power_of(s, prev)) is not None
        ]
        return statistics.median(powers) if len(powers) >= MIN_IDLE_SAMPLES else None

    # ---- one request ----

    def begin_request(self) -> RequestMeter:
        idle = self.idle_watts()
        with self._lock:
            self._busy += 1
        return RequestMeter(self, self.sample_now(), idle)

    def _end_request(self) -> Sample:
        end = self.sample_now()
        with self._lock:
            self._busy -= 1
        return end


class RequestMeter:
    def __init__(self, sampler: Sampler, start: Sample, idle_watts: float | None) -> None:
        self._sampler = sampler
        self._start = start
        self._idle = idle_watts

    def finish(self) -> RequestEnergy:
        end = self._sampler._end_request()
        during = [s for s in self._sampler.samples(self._start.t) if s.t <= end.t]
        seconds = max(end.t - self._start.t, 1e-9)
        energy = end.energy_j - self._start.energy_j
        vram = [s.vram_bytes for s in during if s.vram_bytes is not None]
        return RequestEnergy(
            seconds=seconds,
            energy_j=energy,
            avg_power_w=energy / seconds,
            energy_above_idle_j=None if self._idle is None else max(energy - self._idle * seconds, 0.0),
            peak_rss_bytes=max(s.rss_bytes for s in during),
            vram_bytes=max(vram) if vram else None,
            source=self._sampler.source.label,
            measured=self._sampler.source.measured,
        )
