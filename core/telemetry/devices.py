"""What this machine has that can run inference, and which power source measures each device."""

from __future__ import annotations

import platform
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from core.telemetry.battery import BatterySource
from core.telemetry.estimate import CpuEstimateSource, PowerModel
from core.telemetry.jetson import JetsonInaSource
from core.telemetry.nvml import NvmlSource, gpu_names
from core.telemetry.power import PowerSource, SourceUnavailable
from core.telemetry.rapl import RaplSource
from core.telemetry.raspberry import PiPmicSource


@dataclass(frozen=True)
class Device:
    id: str  # "cpu" or "gpu:N"
    kind: str  # "cpu" | "gpu"
    name: str
    memory_bytes: int
    cores: int = 0
    board: str | None = None  # "Raspberry Pi 5 Model B", "NVIDIA Jetson Orin Nano", "Apple M2"...


@dataclass
class SourceChoice:
    source: PowerSource
    tried: dict[str, str] = field(default_factory=dict)  # source name -> why it was not used


def board_name(device_tree: Path = Path("/proc/device-tree/model")) -> str | None:
    try:
        return device_tree.read_bytes().rstrip(b"\0").decode(errors="replace").strip() or None
    except OSError:
        pass
    if platform.system() == "Darwin" and platform.machine() == "arm64":
        return "Apple silicon"
    return None


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def discover_devices() -> list[Device]:
    cores = psutil.cpu_count(logical=False) or psutil.cpu_count() or 1
    devices = [Device("cpu", "cpu", cpu_name(), psutil.virtual_memory().total, cores, board_name())]
    for i, (name, memory) in enumerate(gpu_names()):
        devices.append(Device(f"gpu:{i}", "gpu", name, memory))
    return devices


def choose_source(
    device: Device, model: PowerModel | None = None, sys_root: Path = Path("/sys")
) -> SourceChoice:
    """The best sensor for `device`, or a labelled estimate; records why each better one was not used."""
    tried: dict[str, str] = {}
    candidates: list[tuple[str, Callable[[], PowerSource]]]
    if device.kind == "gpu":
        candidates = [("nvml", lambda: NvmlSource(int(device.id.split(":")[1])))]
    else:
        candidates = [
            ("rapl", lambda: RaplSource(sys_root / "class/powercap")),
            ("jetson-ina", lambda: JetsonInaSource(sys_root)),
            ("rpi-pmic", lambda: PiPmicSource()),
            ("battery", lambda: BatterySource(sys_root / "class/power_supply")),
        ]
    for name, make in candidates:
        try:
            return SourceChoice(make(), tried)
        except SourceUnavailable as e:
            tried[name] = str(e)
    return SourceChoice(CpuEstimateSource(model or PowerModel.default_for(device.cores)), tried)
