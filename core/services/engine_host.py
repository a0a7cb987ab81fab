"""Keeps the one loaded engine, and reloads it only when the model or its load settings change."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from core.engine import Engine, EngineConfig
from core.models import resolve_model
from core.settings import Settings


@dataclass(frozen=True)
class EngineSpec:
    model: str  # catalog id or path
    n_ctx: int = 4096
    n_threads: int = 0  # 0: physical cores
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


def config_for(spec: EngineSpec, root: Path | None = None) -> EngineConfig:
    return EngineConfig(
        model_path=str(resolve_model(spec.model, root)),
        n_ctx=spec.n_ctx,
        n_threads=spec.n_threads or None,
        n_gpu_layers=spec.n_gpu_layers,
        main_gpu=spec.main_gpu,
    )


class EngineHost:
    def __init__(self, root: Path | None = None) -> None:
        self._root = root
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._spec: EngineSpec | None = None

    def get(self, spec: EngineSpec) -> Engine:
        with self._lock:
            if self._engine is not None and spec == self._spec:
                return self._engine
            engine = Engine(config_for(spec, self._root))
            # Only now that the new one loaded: a failed switch leaves the old model in service.
            if self._engine is not None:
                self._engine.close()
            self._engine, self._spec = engine, spec
            return engine

    @property
    def loaded(self) -> EngineSpec | None:
        return self._spec

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.close()
            self._engine = self._spec = None
