"""Where adapters live for a base model, and loading them into an engine once.

Adapters are matched to a base model by its file name (without .gguf), one file per task,
`<task>.gguf` with its manifest `<task>.json`: the user's own under the data dir's adapters/<model>/
come first, then those shipped in resources/adapters/<model>/. (Memory adapters a user distilled
before the pipeline was shared sit in memory/adapters/<model>/ and are still found.)
"""

from __future__ import annotations

import logging
from pathlib import Path

from core import paths
from core.engine import ChatEngine
from core.errors import AdapterError
from core.resources import resource_path

log = logging.getLogger(__name__)

SHIPPED_DIR = resource_path("adapters")


def user_adapters_dir(model_path: Path, root: Path | None = None) -> Path:
    return (root or paths.data_dir()) / "adapters" / model_path.stem


def shipped_adapters_dir(model_path: Path) -> Path:
    """Hearth's shipped adapters of a base model (in a source checkout, the source tree: training the
    shipped adapters writes there)."""
    return SHIPPED_DIR / model_path.stem


def search_dirs(model_path: Path, root: Path | None = None) -> list[tuple[str, Path]]:
    """(source, folder) in the order adapters are looked for: the user's first."""
    return [
        ("user", user_adapters_dir(model_path, root)),
        ("user", paths.memory_dir(root) / "adapters" / model_path.stem),
        ("shipped", shipped_adapters_dir(model_path)),
    ]


def find_adapter(model_path: Path, task: str, root: Path | None = None) -> Path | None:
    for _, folder in search_dirs(model_path, root):
        candidate = folder / f"{task}.gguf"
        if candidate.is_file():
            return candidate
    return None


def find_adapters(model_path: Path, tasks: list[str], root: Path | None = None) -> dict[str, Path]:
    """The adapter file of each task that has one for this base model."""
    found = {t: find_adapter(model_path, t, root) for t in tasks}
    return {t: p for t, p in found.items() if p is not None}


def load_adapter(engine: ChatEngine, task: str, adapter_name: str, root: Path | None = None) -> str | None:
    """Load `task`'s adapter for the engine's base model once, under `adapter_name`; returns that name, or
    None where there is none, the engine takes no adapters (a remote one), or it does not fit (logged)."""
    support = engine.adapters
    if support is None:
        return None
    if adapter_name in support.names:
        return adapter_name
    path = find_adapter(support.base_model, task, root)
    if path is None:
        return None
    try:
        support.load(adapter_name, path)
    except AdapterError as e:
        log.warning("The %s adapter %s does not fit this model: %s", task, path, e)
        return None
    return adapter_name
