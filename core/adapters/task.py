"""What a task gives the adapter pipeline: its data, the format of its targets, and how it is scored.

A task is one job a LoRA adapter is trained for on the base model (the planner, memory's extract, update
and answer, and any added later). The pipeline (data, train, export, verify, the `hearth adapters` CLI)
knows tasks only through this interface; each task's module (core/assistant/training/task.py,
core/memory/adapter_tasks.py) implements it with its own prompt renderer, target format and scorer.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal

from core.adapters.data import Example
from core.engine import GenerationOptions
from core.errors import AdapterTrainingError

Split = Literal["train", "heldout"]


class AdapterTask(ABC):
    """One adapter's job. Subclasses set the class attributes and implement the abstract methods."""

    name: str  # the task's name in the CLI and the adapter file's stem: "planner", "extract"
    adapter_name: str  # the name the engine loads the adapter under: "planner", "memory-extract"
    description: str
    default_examples: int = 1000
    default_steps: int = 120
    max_tokens: int = 448  # longest example (prompt, target, end of turn) trained on
    # TrainConfig fields this task trains with unless told otherwise (rank, alpha, targets, lr...), and
    # "first_layer": adapt only the layers from this one up.
    train_overrides: dict[str, Any] = {}  # noqa: RUF012 (read-only class default)

    @abstractmethod
    def generate(self, n: int, seed: int = 0, split: Split = "train") -> list[Example]:
        """n labelled examples from the task's generator; "heldout" draws only on what training never sees."""

    @abstractmethod
    def validate(self, example: Example) -> None:
        """Raise AdapterDataError if the example's target is not in the task's format."""

    @abstractmethod
    def options(self, example: Example, adapter: str | None) -> GenerationOptions:
        """How the model is asked for this example's answer (grammar, length), with `adapter` or none."""

    @abstractmethod
    def canonical(self, example: Example, output: str) -> str:
        """A model's output for the example in the target format (a teacher's label); raises
        AdapterDataError when it does not parse."""

    @abstractmethod
    def judge(self, example: Example, output: str) -> dict[str, float]:
        """Scores of one output against the example's target: at least "parsed" and "correct" (0 or 1)."""

    def summarise(self, tally: dict[str, float], n: int) -> dict[str, float]:
        """Figures from the summed judgements of n examples (default: every score's mean)."""
        return {k: v / n for k, v in tally.items()} if n else {}

    def key_span(self, example: Example) -> int:
        """How many characters at the start of the target hold the decision (weighted in the loss)."""
        return 0


class TaskRegistry:
    """The tasks one caller knows, by name; built by whoever wires the tasks in (not global)."""

    def __init__(self, tasks: Iterable[AdapterTask] = ()) -> None:
        self._tasks: dict[str, AdapterTask] = {}
        for t in tasks:
            self.register(t)

    def register(self, task: AdapterTask) -> None:
        if task.name in self._tasks:
            raise AdapterTrainingError(f"Two adapter tasks are called '{task.name}'.")
        self._tasks[task.name] = task

    def get(self, name: str) -> AdapterTask:
        try:
            return self._tasks[name]
        except KeyError:
            raise AdapterTrainingError(
                f"There is no adapter task '{name}'; the tasks are {', '.join(self._tasks)}."
            ) from None

    def select(self, names: Sequence[str]) -> list[AdapterTask]:
        return [self.get(n) for n in names]

    @property
    def names(self) -> list[str]:
        return list(self._tasks)

    def __iter__(self) -> Iterator[AdapterTask]:
        return iter(self._tasks.values())
