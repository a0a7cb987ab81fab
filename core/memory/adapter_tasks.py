"""The memory operations as adapter tasks (core.adapters): each one's prompts (prompts.py, rendered by the
synthetic generator in training/synth.py), its JSON target and constraint, and how its answers are scored.
"""

from __future__ import annotations

import re

from core.adapters.data import Example
from core.adapters.task import AdapterTask, Split
from core.engine import GenerationOptions
from core.errors import AdapterDataError
from core.memory.prompts import (
    OPERATIONS,
    Answer,
    Decision,
    MalformedOutput,
    Operation,
    answer_target,
    extract_target,
    update_target,
)
from core.memory.training import synth
from core.memory.training.examples import Parsed, constrained, n_memories, parse

_DESCRIPTIONS: dict[Operation, str] = {
    "extract": "memory: picks the facts worth keeping out of an exchange",
    "update": "memory: decides ADD, UPDATE, DELETE or NONE for a new fact against stored ones",
    "answer": "memory: answers from recalled memories and cites the ones it used",
}


def adapter_name(op: Operation) -> str:
    return f"memory-{op}"


def canonical_target(op: Operation, parsed: Parsed) -> str:
    if op == "extract":
        assert isinstance(parsed, list)
        return extract_target(parsed)
    if op == "update":
        assert isinstance(parsed, Decision)
        return update_target(parsed)
    assert isinstance(parsed, Answer)
    return answer_target(parsed)


class MemoryTask(AdapterTask):
    default_examples = 880
    default_steps = 110
    max_tokens = 448
    train_overrides = {"rank": 8, "alpha": 16.0, "lr": 1e-3}  # noqa: RUF012

    def __init__(self, op: Operation) -> None:
        self.op = op
        self.name = op
        self.adapter_name = adapter_name(op)
        self.description = _DESCRIPTIONS[op]

    def generate(self, n: int, seed: int = 0, split: Split = "train") -> list[Example]:
        # The memory generator has no held-out templates: held-out examples come from another seed, and
        # verify_adapters leaves out any prompt training saw.
        return synth.generate(self.op, n, seed)

    def _parse(self, example: Example, text: str) -> Parsed:
        try:
            return parse(self.op, text, n_memories(example))
        except MalformedOutput as e:
            raise AdapterDataError(f"the {self.op} target does not parse: {e}") from e

    def validate(self, example: Example) -> None:
        self._parse(example, example.target)

    def options(self, example: Example, adapter: str | None) -> GenerationOptions:
        return constrained(self.op, n_memories(example), adapter=adapter)

    def canonical(self, example: Example, output: str) -> str:
        return canonical_target(self.op, self._parse(example, output))

    def judge(self, example: Example, output: str) -> dict[str, float]:
        gold = parse(self.op, example.target, n_memories(example))
        try:
            got: Parsed | None = parse(self.op, output, n_memories(example))
        except MalformedOutput:
            got = None
        ok, parts = _judge(gold, got)
        return {"parsed": float(got is not None), "correct": float(ok), **parts}

    def summarise(self, tally: dict[str, float], n: int) -> dict[str, float]:
        return _summarise(self.op, tally, n)

    def key_span(self, example: Example) -> int:
        """The decision's characters: `{"event": "UPDATE", "id": 2`, `{"used": [1, 3]`; 0 for extraction,
        where every fact counts alike."""
        if self.op == "update":
            return example.target.index(', "text"')
        if self.op == "answer":
            return example.target.index("]") + 1
        return 0


def memory_tasks() -> list[MemoryTask]:
    return [MemoryTask(op) for op in OPERATIONS]


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s-]", " ", text.lower()).split())


_FILLER = {"in", "on", "to", "a", "an", "the", "yes", "you", "you're", "youre", "re", "are", "is"}


def answer_key(text: str) -> str:
    """The gold answer's words that matter: "In Lisbon." -> "lisbon", "You're a nurse." -> "nurse"."""
    words = _norm(text.replace("'", "")).split()
    while words and words[0] in _FILLER:
        words = words[1:]
    return " ".join(words)


def _judge(gold: object, got: object) -> tuple[bool, dict[str, float]]:
    if isinstance(gold, list):  # extraction
        want = {_norm(f) for f in gold}
        have = {_norm(f) for f in got} if isinstance(got, list) else set()
        hit = len(want & have)
        return want == have and got is not None, {"tp": hit, "n_gold": len(want), "n_pred": len(have)}
    if isinstance(gold, Decision):
        event_ok = isinstance(got, Decision) and got.event == gold.event
        ok = event_ok and isinstance(got, Decision) and got.index == gold.index
        return ok, {"event_ok": float(event_ok)}
    assert isinstance(gold, Answer)
    if not isinstance(got, Answer):
        return False, {"used_ok": 0.0, "text_ok": 0.0}
    used_ok = set(got.used) == set(gold.used)
    if gold.used:
        text_ok = answer_key(gold.text) in _norm(got.text.replace("'", ""))
    else:
        text_ok = "memory" in got.text.lower() or "don't" in got.text.lower() or "not" in got.text.lower()
    return used_ok and text_ok, {"used_ok": float(used_ok), "text_ok": float(text_ok)}


def _summarise(op: Operation, tally: dict[str, float], n: int) -> dict[str, float]:
    if op == "extract":
        tp, n_gold, n_pred = tally.get("tp", 0.0), tally.get("n_gold", 0.0), tally.get("n_pred", 0.0)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"fact_precision": precision, "fact_recall": recall, "fact_f1": f1}
    if op == "update":
        return {"event_accuracy": tally.get("event_ok", 0.0) / n}
    return {
        "used_accuracy": tally.get("used_ok", 0.0) / n,
        "answer_text_accuracy": tally.get("text_ok", 0.0) / n,
    }
