"""Raspberry Pi 5 PMIC rails through `vcgencmd pmic_read_adc`: each rail's volts times amps, summed."""

from __future__ import annotations

import re
import shutil
import subprocess

from core.telemetry.power import PowerReading, SourceUnavailable

_LINE = re.compile(r"^\s*(\S+?)_([AV])\s+\w+\(\d+\)=([\d.]+)[AV]\s*$")


def parse_pmic(text: str) -> float:
    """Total watts from pmic_read_adc output ("VDD_CORE_A current(7)=2.3A" / "VDD_CORE_V volt(15)=0.8V")."""
    amps: dict[str, float] = {}
    volts: dict[str, float] = {}
    for line in text.splitlines():
        m = _LINE.match(line)
        if m:
            rail, kind, value = m.group(1), m.group(2), float(m.group(3))
            (amps if kind == "A" else volts)[rail] = value
    rails = amps.keys() & volts.keys()
    if not rails:
        raise SourceUnavailable("vcgencmd pmic_read_adc gave no rail with both current and voltage")
    return sum(amps[r] * volts[r] for r in rails)


class PiPmicSource:
    name = "rpi-pmic"
    label = "Raspberry Pi 5 PMIC (vcgencmd pmic_read_adc)"
    measured = True

    def __init__(self, command: str = "vcgencmd") -> None:
        path = shutil.which(command)
        if path is None:
            raise SourceUnavailable(f"{command} is not installed")
        self._argv = [path, "pmic_read_adc"]
        self.read()

    def read(self) -> PowerReading:
        try:
            out = subprocess.run(self._argv, capture_output=True, text=True, timeout=2, check=True).stdout
        except (OSError, subprocess.SubprocessError) as e:
            raise SourceUnavailable(f"vcgencmd pmic_read_adc failed: {e}") from e
        return PowerReading(watts=parse_pmic(out), energy_j=None)
