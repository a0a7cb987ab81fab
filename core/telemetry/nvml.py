"""NVIDIA GPU power, energy counter and memory through NVML (nvidia-ml-py)."""

from __future__ import annotations

import os

from core.telemetry.power import PowerReading, SourceUnavailable


def _nvml():  # type: ignore[no-untyped-def]
    try:
        import pynvml

        pynvml.nvmlInit()
    except ImportError as e:
        raise SourceUnavailable("nvidia-ml-py is not installed") from e
    except Exception as e:  # pynvml.NVMLError and its many subclasses: no driver, no GPU
        raise SourceUnavailable(f"NVML is not available: {e}") from e
    return pynvml


def gpu_names() -> list[tuple[str, int]]:
    """(name, total memory bytes) of each NVIDIA GPU; empty where there is none."""
    try:
        nv = _nvml()
    except SourceUnavailable:
        return []
    out = []
    for i in range(nv.nvmlDeviceGetCount()):
        handle = nv.nvmlDeviceGetHandleByIndex(i)
        out.append((str(nv.nvmlDeviceGetName(handle)), int(nv.nvmlDeviceGetMemoryInfo(handle).total)))
    return out


class NvmlSource:
    name = "nvml"
    measured = True

    def __init__(self, index: int = 0) -> None:
        self._nv = _nvml()
        try:
            self._handle = self._nv.nvmlDeviceGetHandleByIndex(index)
        except Exception as e:
            raise SourceUnavailable(f"no NVIDIA GPU {index}: {e}") from e
        gpu = self._nv.nvmlDeviceGetName(self._handle)
        try:
            self._nv.nvmlDeviceGetTotalEnergyConsumption(self._handle)
            self._has_counter = True
        except Exception:  # pre-Volta GPUs have no energy counter: power is integrated instead
            self._has_counter = False
        self.label = f"NVML {gpu} ({'energy counter' if self._has_counter else 'power readings'})"

    def read(self) -> PowerReading:
        nv, h = self._nv, self._handle
        watts = nv.nvmlDeviceGetPowerUsage(h) / 1000  # mW
        energy = nv.nvmlDeviceGetTotalEnergyConsumption(h) / 1000 if self._has_counter else None  # mJ
        return PowerReading(watts=watts, energy_j=energy)

    def vram_bytes(self) -> int:
        """GPU memory held by this process (the whole GPU's use where per-process figures are hidden)."""
        nv, h = self._nv, self._handle
        try:
            for proc in nv.nvmlDeviceGetComputeRunningProcesses(h):
                if proc.pid == os.getpid() and proc.usedGpuMemory is not None:
                    return int(proc.usedGpuMemory)
        except Exception:
            pass
        return int(nv.nvmlDeviceGetMemoryInfo(h).used)
