"""The training set of one operation: synthetic prompts labelled by a teacher.

The teacher is either "labels" (the generator's own gold answers) or a GGUF model, run through the engine
under each operation's grammar; a teacher's answer that prompts.py cannot parse is dropped and counted,
and the rest are stored in their canonical form (the *_target functions), as the student will write them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from core.engine import ChatEngine
from core.errors import OperationCancelled
from core.memory.distill import synth
from core.memory.distill.dataset import Example, Parsed, constrained, parse
from core.memory.prompts import (
    Answer,
    Decision,
    MalformedOutput,
    Operation,
    answer_target,
    extract_target,
    update_target,
)
from core.runtime import open_local

LABELS = "labels"
LabelProgress = Callable[[int, int], None]  # (examples labelled, of how many)


@dataclass(frozen=True)
class TrainingSet:
    op: Operation
    examples: list[Example]
    dropped: int  # teacher answers that did not parse
    teacher: str  # "labels" or the teacher model's file name


def canonical_target(op: Operation, parsed: Parsed) -> str:
    if op == "extract":
        assert isinstance(parsed, list)
        return extract_target(parsed)
    if op == "update":
        assert isinstance(parsed, Decision)
        return update_target(parsed)
    assert isinstance(parsed, Answer)
    return answer_target(parsed)


def make_training_set(
    op: Operation,
    n: int,
    *,
    seed: int = 0,
    teacher: str | Path = LABELS,
    threads: int | None = None,
    progress: LabelProgress | None = None,
    cancel: threading.Event | None = None,
) -> TrainingSet:
    """n synthetic prompts of `op`, labelled by `teacher` (fewer examples when a teacher's answers drop)."""
    prompts = synth.generate(op, n, seed)
    if str(teacher) == LABELS:
        return TrainingSet(op, prompts, 0, LABELS)
    path = Path(teacher)
    engine = open_local(path, n_threads=threads)
    try:
        examples, dropped = label_with_model(engine, prompts, progress, cancel)
    finally:
        engine.close()
    return TrainingSet(op, examples, dropped, path.name)


def label_with_model(
    engine: ChatEngine,
    prompts: Sequence[Example],
    progress: LabelProgress | None = None,
    cancel: threading.Event | None = None,
) -> tuple[list[Example], int]:
    """The teacher's answers to these prompts as targets; returns (kept examples, dropped count)."""
    kept: list[Example] = []
    dropped = 0
    for i, ex in enumerate(prompts):
        if cancel is not None and cancel.is_set():
            raise OperationCancelled("Labelling the training examples")
        result = engine.chat(ex.messages, constrained(ex.op, ex.n_memories), cancel=cancel)
        try:
            parsed = parse(ex.op, result.text, ex.n_memories)
        except MalformedOutput:
            dropped += 1
        else:
            kept.append(replace(ex, target=canonical_target(ex.op, parsed)))
        if progress is not None:
            progress(i + 1, len(prompts))
    return kept, dropped
