"""Which engine a request wants: a model and how to load it, taken from the user's settings."""

from __future__ import annotations

from dataclasses import dataclass

from core.settings import Settings


@dataclass(frozen=True)
class EngineSpec:
    model: str  # catalog id or path
    n_ctx: int = 4096
    n_threads: int = 0  # 0: chosen per request from the cores other processes leave free
    n_gpu_layers: int = 0
    main_gpu: int = 0


def spec_from_settings(settings: Settings, model: str | None = None) -> EngineSpec:
    """The engine the user's settings ask for: their model (or `model`), context, threads and device."""
    gpu_layers, main_gpu = settings.placement()
    return EngineSpec(
        model=model or settings.get("model"),
        n_ctx=settings.get("n_ctx"),
        n_threads=settings.get("n_threads"),
        n_gpu_layers=gpu_layers,
        main_gpu=main_gpu,
    )
