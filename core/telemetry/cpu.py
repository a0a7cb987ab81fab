"""CPU utilisation since the last call, with its own state (psutil.cpu_percent keeps one global interval,
so two callers would reset each other)."""

from __future__ import annotations

import psutil


class CpuMeter:
    def __init__(self) -> None:
        self._last = psutil.cpu_times()

    def percent(self) -> float:
        now = psutil.cpu_times()
        total = sum(now) - sum(self._last)
        idle = (now.idle + getattr(now, "iowait", 0.0)) - (
            self._last.idle + getattr(self._last, "iowait", 0.0)
        )
        self._last = now
        return max(0.0, min(100.0, 100.0 * (1.0 - idle / total))) if total > 0 else 0.0
