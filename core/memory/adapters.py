"""Each memory operation's LoRA adapter for the engine's base model (found by core.adapters.store: the
user's own first, then Hearth's shipped ones), loaded once. An operation with no adapter runs on the bare
base model with its prompt."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from core.adapters.store import find_adapters as _find
from core.engine import ChatEngine
from core.errors import AdapterError
from core.memory.adapter_tasks import adapter_name
from core.memory.prompts import OPERATIONS, Operation

log = logging.getLogger(__name__)


def find_adapters(model_path: Path, root: Path | None = None) -> dict[Operation, Path]:
    """The adapter file of each operation that has one for this base model."""
    found = _find(model_path, list(OPERATIONS), root)
    return {op: found[op] for op in OPERATIONS if op in found}


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
