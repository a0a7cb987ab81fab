"""Battery discharge power from /sys/class/power_supply: power_now, or current_now times voltage_now.

On AC power a battery's reading says nothing about what the machine draws, so it counts only while
discharging.
"""

from __future__ import annotations

from pathlib import Path

from core.telemetry.power import PowerReading, SourceUnavailable, read_number


class BatterySource:
    name = "battery"
    measured = True

    def __init__(self, root: Path = Path("/sys/class/power_supply")) -> None:
        batteries = (
            [
                p
                for p in sorted(root.glob("*"))
                if (p / "type").exists() and (p / "type").read_text().strip() == "Battery"
            ]
            if root.is_dir()
            else []
        )
        if not batteries:
            raise SourceUnavailable(f"no battery under {root}")
        self._battery = batteries[0]
        self.label = f"battery discharge ({self._battery.name})"
        self.read()  # fail now, not in the sampler, if it cannot be read

    def read(self) -> PowerReading:
        status_file = self._battery / "status"
        status = status_file.read_text().strip() if status_file.exists() else "Unknown"
        if status != "Discharging":
            raise SourceUnavailable(
                f"the battery is not discharging ({status}): on AC power it measures nothing"
            )
        if (self._battery / "power_now").exists():
            watts = read_number(self._battery / "power_now") / 1e6  # µW
        else:
            amps = read_number(self._battery / "current_now") / 1e6  # µA
            volts = read_number(self._battery / "voltage_now") / 1e6  # µV
            watts = amps * volts
        return PowerReading(watts=abs(watts), energy_j=None)
