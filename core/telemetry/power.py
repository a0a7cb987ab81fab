"""The common shape of every power source, and the reading it gives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class SourceUnavailable(Exception):
    """This machine does not have the sensor, or it cannot be read; the message says which and why."""


@dataclass(frozen=True)
class PowerReading:
    watts: float | None  # instantaneous power, if the sensor gives it
    energy_j: float | None  # a cumulative counter in joules (wraps already unfolded), if the sensor has one


class PowerSource(Protocol):
    name: str  # short id: "nvml", "rapl", "battery", "jetson-ina", "rpi-pmic", "estimate"
    label: str  # where the number comes from, shown wherever the number is shown
    measured: bool  # False for an estimate

    def read(self) -> PowerReading: ...


def read_number(path: object) -> float:
    """A sysfs value as a number; SourceUnavailable (with the reason) when it is missing or unreadable."""
    from pathlib import Path

    p = Path(str(path))
    try:
        return float(p.read_text().strip())
    except FileNotFoundError as e:
        raise SourceUnavailable(f"{p} does not exist") from e
    except PermissionError as e:
        raise SourceUnavailable(f"{p} cannot be read (permission denied)") from e
    except (OSError, ValueError) as e:
        raise SourceUnavailable(f"{p} cannot be read ({e})") from e
