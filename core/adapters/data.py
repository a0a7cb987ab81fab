"""A training example of any adapter task (prompt messages, target, the task's own details) and its JSONL
form. Reading a file checks every line: its shape here, its target with the task's own validator, so bad
data is refused with the line and the reason, before any training starts."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.engine import ChatMessage
from core.errors import AdapterDataError

_ROLES = ("system", "user", "assistant")


@dataclass(frozen=True)
class Example:
    """One labelled request of a task: the messages its prompt renderer made, and the text to learn.

    `meta` is the task's own: what its validator and scorer need (memory: how many memories the prompt
    numbers; planner: the tools offered and the kind of request).
    """

    task: str
    messages: list[ChatMessage]
    target: str
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"task": self.task, "messages": self.messages, "target": self.target, "meta": self.meta}

    @classmethod
    def from_json(cls, data: Any, where: str = "") -> Example:
        """Raises AdapterDataError, naming `where`, when `data` is not an example."""
        at = f"{where}: " if where else ""
        if not isinstance(data, dict):
            raise AdapterDataError(f"{at}an example must be a JSON object, not {type(data).__name__}.")
        missing = [k for k in ("task", "messages", "target") if k not in data]
        if missing:
            raise AdapterDataError(f"{at}the example has no {', '.join(missing)}.")
        messages = data["messages"]
        if not isinstance(messages, list) or not messages:
            raise AdapterDataError(f"{at}'messages' must be a non-empty list of chat messages.")
        for m in messages:
            if (
                not isinstance(m, dict)
                or m.get("role") not in _ROLES
                or not isinstance(m.get("content"), str)
            ):
                raise AdapterDataError(
                    f"{at}each message needs a role (system, user or assistant) and text content."
                )
        if messages[-1]["role"] != "user":
            raise AdapterDataError(f"{at}the last message must be the user's: the target answers it.")
        if not isinstance(data["target"], str) or not data["target"].strip():
            raise AdapterDataError(f"{at}'target' must be the non-empty text to learn.")
        meta = data.get("meta", {})
        # Older memory files kept n_memories at the top level.
        if "n_memories" in data and "n_memories" not in meta:
            meta = {**meta, "n_memories": int(data["n_memories"])}
        if not isinstance(meta, dict):
            raise AdapterDataError(f"{at}'meta' must be an object.")
        task = data.get("task") or data.get("op")
        return cls(str(task), [dict(m) for m in messages], data["target"], meta)  # type: ignore[misc]


def write_jsonl(path: Path, examples: Iterable[Example]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for ex in examples:
            f.write(json.dumps(ex.to_json(), ensure_ascii=False) + "\n")
            n += 1
    return n


def read_jsonl(
    path: Path, *, task: str | None = None, validate: Callable[[Example], None] | None = None
) -> list[Example]:
    """Every example of a JSONL file, checked; raises AdapterDataError on the first bad line.

    Args:
        task: when given, every example must be of this task.
        validate: the task's check of one example (raises AdapterDataError with the reason).
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise AdapterDataError(f"Cannot read the training data '{path}': {e.strerror}.") from e
    out: list[Example] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path.name}, line {n}"
        try:
            data = json.loads(line)
        except json.JSONDecodeError as e:
            raise AdapterDataError(f"{where}: not valid JSON ({e.msg}).") from e
        if "task" not in data and "op" in data:
            data = {**data, "task": data["op"]}
        ex = Example.from_json(data, where)
        if task is not None and ex.task != task:
            raise AdapterDataError(f"{where}: an example of '{ex.task}', not of '{task}'.")
        if validate is not None:
            try:
                validate(ex)
            except AdapterDataError as e:
                raise AdapterDataError(f"{where}: {e}") from e
        out.append(ex)
    if not out:
        raise AdapterDataError(f"The training data '{path}' holds no examples.")
    return out
