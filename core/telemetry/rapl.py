"""Intel/AMD RAPL package energy through /sys/class/powercap, with counter wrap-around unfolded."""

from __future__ import annotations

import re
from pathlib import Path

from core.telemetry.power import PowerReading, SourceUnavailable, read_number

_PACKAGE_ZONE = re.compile(r"^intel-rapl:\d+$")  # top-level zones only: sub-zones are parts of a package


class RaplSource:
    name = "rapl"
    measured = True

    def __init__(self, root: Path = Path("/sys/class/powercap")) -> None:
        zones = (
            sorted(p for p in root.glob("intel-rapl:*") if _PACKAGE_ZONE.match(p.name))
            if root.is_dir()
            else []
        )
        if not zones:
            raise SourceUnavailable(f"no RAPL package zones under {root}")
        self._zones = zones
        self._ranges = [read_number(z / "max_energy_range_uj") for z in zones]
        self._last = [read_number(z / "energy_uj") for z in zones]  # raises if energy_uj is root-only
        self._total_uj = 0.0
        names = [(z / "name").read_text().strip() if (z / "name").exists() else z.name for z in zones]
        self.label = f"RAPL ({', '.join(names)}) via powercap"

    def read(self) -> PowerReading:
        for i, zone in enumerate(self._zones):
            now = read_number(zone / "energy_uj")
            delta = now - self._last[i]
            if delta < 0:  # the counter wrapped at max_energy_range_uj
                delta += self._ranges[i]
            self._total_uj += delta
            self._last[i] = now
        return PowerReading(watts=None, energy_j=self._total_uj / 1e6)
