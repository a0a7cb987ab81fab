"""Where each memory operation's LoRA adapter lives for a base model, and loading them into an engine.

Adapters are matched to a base model by its file name (without .gguf): the user's own distilled ones under
the data dir's memory/adapters/<model>/ come first, then those shipped in resources/memory/adapters/<model>/.
An operation with no adapter runs on the bare base model with its prompt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from core import paths
from core.engine import ChatEngine
from core.errors import AdapterError
from core.memory.prompts import OPERATIONS, Operation
from core.resources import resource_path

log = logging.getLogger(__name__)

SHIPPED_DIR = resource_path("memory", "adapters")


def adapter_name(op: Operation) -> str:
    return f"memory-{op}"


def user_adapters_dir(model_path: Path, root: Path | None = None) -> Path:
    return paths.memory_dir(root) / "adapters" / model_path.stem


def find_adapters(model_path: Path, root: Path | None = None) -> dict[Operation, Path]:
    """The adapter file of each operation that has one for this base model."""
    found: dict[Operation, Path] = {}
    for folder in (user_adapters_dir(model_path, root), SHIPPED_DIR / model_path.stem):
        for op in OPERATIONS:
            candidate = folder / f"{op}.gguf"
            if op not in found and candidate.is_file():
                found[op] = candidate
    return found


@dataclass(frozen=True)
class AdapterSet:
    """Which operations run with an adapter on a given engine (the others run on the base)."""

    names: dict[Operation, str]
    problems: dict[Operation, str]

    def name(self, op: Operation) -> str | None:
        return self.names.get(op)


def load_adapters(engine: ChatEngine, root: Path | None = None) -> AdapterSet:
    """Load the memory adapters for `engine`'s model once; an adapter that does not fit is reported and
    its operation falls back to the base model. An engine that takes no adapters (a remote one) runs
    every operation on its prompts."""
    names: dict[Operation, str] = {}
    problems: dict[Operation, str] = {}
    support = engine.adapters
    if support is None:
        log.info("Memory runs on its prompts: the engine %s takes no adapters", engine.info.engine)
        return AdapterSet(names, problems)
    for op, path in find_adapters(support.base_model, root).items():
        name = adapter_name(op)
        if name not in support.names:
            try:
                support.load(name, path)
            except AdapterError as e:
                log.warning("Memory %s runs on the base model: %s", op, e)
                problems[op] = str(e)
                continue
        names[op] = name
    return AdapterSet(names, problems)
