"""Where no sensor exists: power estimated from CPU utilisation and a per-device model the user can edit."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from core.telemetry.cpu import CpuMeter
from core.telemetry.power import PowerReading


@dataclass(frozen=True)
class PowerModel:
    idle_w: float  # the device doing nothing
    max_w: float  # every core busy

    @classmethod
    def default_for(cls, cores: int) -> PowerModel:
        """A plain desktop-class guess: about 8 W idle and 7 W more per busy physical core."""
        return cls(idle_w=8.0, max_w=8.0 + 7.0 * max(cores, 1))


class CpuEstimateSource:
    name = "estimate"
    measured = False

    def __init__(self, model: PowerModel, cpu_percent: Callable[[], float] | None = None) -> None:
        self.model = model
        self._cpu_percent = cpu_percent or CpuMeter().percent
        self._energy = 0.0
        self._last = time.monotonic()
        self.label = (
            f"estimate from CPU use ({model.idle_w:g} W idle to {model.max_w:g} W busy; edit in settings)"
        )

    def read(self) -> PowerReading:
        now = time.monotonic()
        utilisation = min(max(self._cpu_percent() / 100.0, 0.0), 1.0)
        watts = self.model.idle_w + (self.model.max_w - self.model.idle_w) * utilisation
        self._energy += watts * (now - self._last)
        self._last = now
        return PowerReading(watts=watts, energy_j=self._energy)
