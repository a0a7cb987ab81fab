"""A training example of one memory operation (prompt messages and target), its JSONL form, and the output
constraint and parser each operation's answers go through (prompts.py's, chosen by operation)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.engine import ChatMessage, GenerationOptions
from core.memory.prompts import (
    EXTRACT_SCHEMA,
    OPERATIONS,
    Answer,
    Decision,
    Operation,
    answer_grammar,
    parse_answer,
    parse_extract,
    parse_update,
    update_schema,
)

Parsed = list[str] | Decision | Answer

# Longest answer each operation may decode: every well-formed target of the generator fits with room.
MAX_TOKENS: dict[Operation, int] = {"extract": 160, "update": 80, "answer": 64}


@dataclass(frozen=True)
class Example:
    """One labelled request: the messages prompts.py renders, and the JSON answer to learn.

    n_memories is how many memories the prompt numbers (update and answer), which their grammars need.
    """

    op: Operation
    messages: list[ChatMessage]
    target: str
    n_memories: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "messages": self.messages,
            "target": self.target,
            "n_memories": self.n_memories,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Example:
        op = data["op"]
        if op not in OPERATIONS:
            raise ValueError(f"Unknown operation {op!r}")
        return cls(op, list(data["messages"]), str(data["target"]), int(data.get("n_memories", 0)))


def constrained(op: Operation, n_memories: int, **options: Any) -> GenerationOptions:
    """Generation options with the operation's grammar (or schema), greedy unless told otherwise."""
    options.setdefault("temperature", 0.0)
    options.setdefault("max_tokens", MAX_TOKENS[op])
    if op == "extract":
        return GenerationOptions(json_schema=EXTRACT_SCHEMA, **options)
    if op == "update":
        return GenerationOptions(json_schema=update_schema(n_memories), **options)
    return GenerationOptions(grammar=answer_grammar(n_memories), **options)


def parse(op: Operation, text: str, n_memories: int) -> Parsed:
    """The operation's parser; raises prompts.MalformedOutput."""
    if op == "extract":
        return parse_extract(text)
    if op == "update":
        return parse_update(text, n_memories)
    return parse_answer(text, n_memories)


def write_jsonl(path: Path, examples: Iterable[Example]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for ex in examples:
            f.write(json.dumps(ex.to_json(), ensure_ascii=False) + "\n")
            n += 1
    return n


def read_jsonl(path: Path) -> list[Example]:
    with path.open(encoding="utf-8") as f:
        return [Example.from_json(json.loads(line)) for line in f if line.strip()]
