"""The one place engines are made: a spec in, an engine behind the ChatEngine interface out.

A new kind of engine (a remote endpoint, say) is added here and nowhere else: callers only ever hold
ChatEngine (or LocalEngine, for what needs a local model's tokens: training, benchmarks).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from core.engine import ChatEngine, EngineConfig, LocalEngine
from core.engine.llama import LlamaEngine
from core.engine.remote import RemoteEngine
from core.models import resolve_model
from core.models.profiles import defaults_for
from core.runtime.remotes import is_remote, remote_config
from core.runtime.spec import EngineSpec

EngineFactory = Callable[[EngineSpec], ChatEngine]


def open_local(
    model: str | Path,
    *,
    n_ctx: int = 2048,
    n_threads: int | None = None,
    n_gpu_layers: int = 0,
    main_gpu: int = 0,
    root: Path | None = None,
) -> LocalEngine:
    """A model on this machine: a catalog id or a GGUF path. Raises ModelLoadError naming the file."""
    path = model if isinstance(model, Path) else resolve_model(model, root)
    # A base model chats through its profile's few-shot template (its GGUF has none of its own).
    profile = defaults_for(path).profile
    return LlamaEngine(
        EngineConfig(
            model_path=str(path),
            n_ctx=n_ctx,
            n_threads=n_threads or None,
            n_gpu_layers=n_gpu_layers,
            main_gpu=main_gpu,
            chat_template=profile.chat_template,
            chat_stops=profile.stop,
        )
    )


def open_remote(ref: str, root: Path | None = None) -> ChatEngine:
    """A remote engine the user added: "NAME", "NAME/MODEL" or "remote:NAME/MODEL". Raises
    RemoteEngineError when it is unknown, unreachable, or has no such model."""
    return RemoteEngine(remote_config(ref, root))


def open_engine(spec: EngineSpec, root: Path | None = None) -> ChatEngine:
    """The engine `spec` names: a remote one for "remote:NAME[/MODEL]", else a model on this machine."""
    if is_remote(spec.model):
        return open_remote(spec.model, root)
    return open_local(
        spec.model,
        n_ctx=spec.n_ctx,
        n_threads=spec.n_threads,
        n_gpu_layers=spec.n_gpu_layers,
        main_gpu=spec.main_gpu,
        root=root,
    )
