"""A task's held-out score with an adapter and without: outputs decoded as the task asks for them (its
grammar), judged by the task's scorer. Needs no training extra."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from core.adapters.data import Example
from core.adapters.task import AdapterTask
from core.engine import ChatEngine


@dataclass
class Score:
    """How one model (with one adapter, or none) does on held-out examples of one task."""

    task: str
    adapter: str | None
    n: int = 0
    parsed: float = 0.0
    correct: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    failures: list[dict[str, str]] = field(default_factory=list)

    @property
    def parse_rate(self) -> float:
        return self.parsed / self.n if self.n else 0.0

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "task": self.task,
            "adapter": self.adapter,
            "n": self.n,
            "parse_rate": round(self.parse_rate, 3),
            "accuracy": round(self.accuracy, 3),
            **{k: round(v, 3) for k, v in self.extra.items()},
            "seconds": round(self.seconds, 1),
        }


def evaluate(
    engine: ChatEngine,
    task: AdapterTask,
    examples: Sequence[Example],
    adapter: str | None,
    on_example: Callable[[int, int], None] | None = None,
    keep_failures: int = 20,
) -> Score:
    """Greedy outputs under the task's constraints, scored against the examples' targets."""
    if not examples:
        raise ValueError("No examples to evaluate")
    score = Score(task.name, adapter)
    tally: dict[str, float] = {}
    t0 = time.perf_counter()
    for i, ex in enumerate(examples):
        text = engine.chat(ex.messages, task.options(ex, adapter)).text
        parts = task.judge(ex, text)
        score.n += 1
        score.parsed += parts.get("parsed", 0.0)
        score.correct += parts.get("correct", 0.0)
        for k, val in parts.items():
            if k not in ("parsed", "correct"):
                tally[k] = tally.get(k, 0.0) + val
        if not parts.get("correct") and len(score.failures) < keep_failures:
            score.failures.append({"prompt": ex.messages[-1]["content"], "want": ex.target, "got": text})
        if on_example is not None:
            on_example(i + 1, len(examples))
    score.seconds = time.perf_counter() - t0
    score.extra = task.summarise(tally, score.n)
    return score
