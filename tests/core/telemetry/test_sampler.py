"""The sampler and a request's energy, against a RAPL counter that a thread advances at a known power."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from core.telemetry.rapl import RaplSource
from core.telemetry.sampler import Sampler


class FakeCpuPackage:
    """Writes energy_uj as a real package would, at `watts`, atomically (as sysfs reads are)."""

    def __init__(self, zone: Path, watts: float) -> None:
        self.zone = zone
        self.watts = watts
        self._stop = threading.Event()
        self._uj = 0.0
        self._write()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _write(self) -> None:
        tmp = self.zone / "energy_uj.tmp"
        tmp.write_text(f"{int(self._uj) % 10**12}\n")
        os.replace(tmp, self.zone / "energy_uj")

    def _run(self) -> None:
        last = time.monotonic()
        while not self._stop.wait(0.01):
            now = time.monotonic()
            self._uj += self.watts * (now - last) * 1e6
            last = now
            self._write()

    def __enter__(self) -> FakeCpuPackage:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def test_request_energy_and_idle_baseline(tmp_path: Path) -> None:
    zone = tmp_path / "intel-rapl:0"
    zone.mkdir()
    (zone / "max_energy_range_uj").write_text(f"{10**12}\n")
    with FakeCpuPackage(zone, watts=10.0) as package:
        sampler = Sampler(RaplSource(tmp_path), interval_s=0.05)
        sampler.start()
        time.sleep(0.6)  # idle samples at 10 W
        assert sampler.idle_watts() == pytest.approx(10.0, rel=0.25)
        package.watts = 30.0
        meter = sampler.begin_request()
        time.sleep(0.8)
        energy = meter.finish()
        sampler.stop()
    assert energy.avg_power_w == pytest.approx(30.0, rel=0.25)
    assert energy.energy_j == pytest.approx(30.0 * energy.seconds, rel=0.25)
    assert energy.energy_above_idle_j == pytest.approx(20.0 * energy.seconds, rel=0.35)
    assert energy.peak_rss_bytes > 10 << 20 and energy.measured and "RAPL" in energy.source
    metrics = energy.as_metrics(completion_tokens=40)
    assert metrics["j_per_token"] == pytest.approx(energy.energy_j / 40, rel=0.01)
    assert metrics["power_measured"] == 1


def test_a_sensor_error_is_kept_not_raised(tmp_path: Path) -> None:
    zone = tmp_path / "intel-rapl:0"
    zone.mkdir()
    (zone / "max_energy_range_uj").write_text("1000\n")
    (zone / "energy_uj").write_text("10\n")
    sampler = Sampler(RaplSource(tmp_path), interval_s=0.05)
    (zone / "energy_uj").unlink()
    sample = sampler.sample_now()
    assert sample.watts is None and "energy_uj does not exist" in (sampler.error or "")
