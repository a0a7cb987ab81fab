"""Telemetry for the app and the CLI: the chosen device, its power source and a running sampler."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.settings import Settings
from core.telemetry.devices import Device, SourceChoice, choose_source, discover_devices
from core.telemetry.estimate import PowerModel
from core.telemetry.nvml import NvmlSource
from core.telemetry.sampler import RequestMeter, Sampler


class Telemetry:
    def __init__(self, settings: Settings, *, interval_s: float = 0.2, sys_root: Path = Path("/sys")) -> None:
        self._settings = settings
        self._interval_s = interval_s
        self._sys_root = sys_root
        self.devices: list[Device] = discover_devices()
        self.sampler: Sampler | None = None
        self.choice: SourceChoice | None = None
        self.device = self.devices[0]
        self.select(settings.get("device"))

    def power_model(self, device: Device) -> PowerModel:
        guess = PowerModel.default_for(device.cores)
        idle = self._settings.get("power_idle_w") or guess.idle_w
        busy = self._settings.get("power_max_w") or guess.max_w
        return PowerModel(idle_w=idle, max_w=max(busy, idle))

    def select(self, device_id: str) -> Device:
        """Follow the device the user chose; an unknown one (a GPU that went away) falls back to the CPU."""
        device = next((d for d in self.devices if d.id == device_id), self.devices[0])
        if self.sampler is not None:
            self.sampler.stop()
        self.choice = choose_source(device, self.power_model(device), self._sys_root)
        vram = self.choice.source.vram_bytes if isinstance(self.choice.source, NvmlSource) else None
        self.sampler = Sampler(self.choice.source, interval_s=self._interval_s, vram_reader=vram)
        self.sampler.start()
        self.device = device
        return device

    def begin_request(self) -> RequestMeter:
        assert self.sampler is not None
        return self.sampler.begin_request()

    def snapshot(self) -> dict[str, Any]:
        """Devices, the chosen one, its source (measured or estimated, and why others were not used), a reading."""
        assert self.sampler is not None and self.choice is not None
        latest = self.sampler.sample_now()
        samples = self.sampler.samples()
        previous = samples[-2] if len(samples) >= 2 else None
        return {
            "devices": [d.__dict__ for d in self.devices],
            "device": self.device.id,
            "power_source": {
                "name": self.choice.source.name,
                "label": self.choice.source.label,
                "measured": self.choice.source.measured,
                "not_used": self.choice.tried,
                "error": self.sampler.error,
            },
            "reading": {
                "watts": self.sampler.power_of(latest, previous),
                "energy_j": latest.energy_j,
                "cpu_percent": latest.cpu_percent,
                "rss_mb": round(latest.rss_bytes / 2**20, 1),
                "vram_mb": None if latest.vram_bytes is None else round(latest.vram_bytes / 2**20, 1),
            },
            "sampler": {
                "hz": round(1 / self._interval_s, 1),
                "cpu_cost_of_one_core": round(self.sampler.cpu_cost, 5),
            },
        }

    def close(self) -> None:
        if self.sampler is not None:
            self.sampler.stop()
