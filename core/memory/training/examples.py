"""A memory operation's example (core.adapters.data.Example with meta["n_memories"]), the output constraint
its answers are decoded under, and the parser they are read back with (prompts.py's, by operation)."""

from __future__ import annotations

from typing import Any

from core.adapters.data import Example
from core.engine import ChatMessage, GenerationOptions
from core.memory.prompts import (
    EXTRACT_SCHEMA,
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


def memory_example(op: Operation, messages: list[ChatMessage], target: str, n_memories: int = 0) -> Example:
    """One labelled memory request: prompts.py's messages and the JSON answer to learn. n_memories is how
    many memories the prompt numbers (update and answer), which their grammars need."""
    return Example(op, messages, target, {"n_memories": n_memories})


def n_memories(example: Example) -> int:
    return int(example.meta.get("n_memories", 0))


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
