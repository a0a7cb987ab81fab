"""NVIDIA Jetson INA3221 power rails, through hwmon (newer L4T) or the ina3221x iio driver (older L4T)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from core.telemetry.power import PowerReading, SourceUnavailable, read_number

_TOTAL_RAILS = ("VDD_IN", "POM_5V_IN")  # the board's input rail: the whole board, when present


# A rail's name and a reader of its power in watts.
Rail = tuple[str, Callable[[], float]]


class JetsonInaSource:
    name = "jetson-ina"
    measured = True

    def __init__(self, sys_root: Path = Path("/sys")) -> None:
        self._rails = _hwmon_rails(sys_root) or _iio_rails(sys_root)
        if not self._rails:
            raise SourceUnavailable(f"no INA3221 power monitor under {sys_root}")
        total = [r for r in self._rails if r[0] in _TOTAL_RAILS]
        self._use = total or self._rails
        self.label = "Jetson INA3221 " + ("input rail " + total[0][0] if total else "rails (sum)")
        self.read()

    def read(self) -> PowerReading:
        return PowerReading(watts=sum(reader() for _name, reader in self._use), energy_j=None)


def _hwmon_rails(sys_root: Path) -> list[Rail]:
    rails: list[Rail] = []
    for hwmon in sorted((sys_root / "class/hwmon").glob("hwmon*")):
        name_file = hwmon / "name"
        if not name_file.exists() or not name_file.read_text().strip().startswith("ina3221"):
            continue
        for volt in sorted(hwmon.glob("in*_input")):
            n = volt.name[2:-6]
            curr = hwmon / f"curr{n}_input"
            label_file = hwmon / f"in{n}_label"
            if not curr.exists() or not label_file.exists():
                continue
            label = label_file.read_text().strip()
            rails.append((label, functools.partial(_watts_from_mv_ma, volt, curr)))
    return rails


def _iio_rails(sys_root: Path) -> list[Rail]:
    rails: list[Rail] = []
    for dev in sorted((sys_root / "bus/i2c/drivers/ina3221x").glob("*/iio:device*")):
        for power in sorted(dev.glob("in_power*_input")):
            n = power.name[len("in_power") : -len("_input")]
            label_file = dev / f"rail_name_{n}"
            label = label_file.read_text().strip() if label_file.exists() else f"rail{n}"
            rails.append((label, functools.partial(_watts_from_mw, power)))
    return rails


def _watts_from_mv_ma(volts: Path, amps: Path) -> float:
    return read_number(volts) * read_number(amps) / 1e6  # mV x mA


def _watts_from_mw(power: Path) -> float:
    return read_number(power) / 1000
