"""A task's training set: its generator's examples, labelled by a teacher.

The teacher is "labels" (the generator's own gold targets), a GGUF model run through the engine, or an
OpenAI-compatible endpoint ("http://host:port/v1", served by llama.cpp's server, vLLM, Ollama...). Either
model is asked exactly as the student will be (the task's prompt and constraints); an answer the task
cannot read back (AdapterTask.canonical) is dropped and counted, and the rest are stored in the task's
canonical form, as the student will write them.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from core.adapters.data import Example
from core.adapters.task import AdapterTask
from core.engine import ChatEngine, GenerationOptions
from core.errors import AdapterDataError, AdapterTrainingError, OperationCancelled

LABELS = "labels"
LabelProgress = Callable[[int, int], None]  # (examples labelled, of how many)


@dataclass(frozen=True)
class TrainingSet:
    task: str
    examples: list[Example]
    dropped: int  # teacher answers that did not parse or validate
    teacher: str  # "labels", the teacher model's file name, or the endpoint


Labeller = Callable[[Example, GenerationOptions], str]


def endpoint_labeller(url: str, model: str = "", timeout: float = 120.0) -> Labeller:
    """Labels from an OpenAI-compatible chat endpoint ("http://127.0.0.1:8080/v1"): greedy, unconstrained;
    the task reads back (and so checks) every answer."""

    def label(example: Example, options: GenerationOptions) -> str:
        body = {
            "model": model or "teacher",
            "messages": example.messages,
            "temperature": 0.0,
            "max_tokens": options.max_tokens,
            **({"stop": list(options.stop)} if options.stop else {}),
        }
        req = urllib.request.Request(
            url.rstrip("/") + "/chat/completions",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                data = json.loads(resp.read().decode("utf-8"))
            return str(data["choices"][0]["message"]["content"])
        except (urllib.error.URLError, TimeoutError, OSError, KeyError, IndexError, ValueError) as e:
            raise AdapterTrainingError(f"The teacher at {url} gave no answer: {e}") from e

    return label


def engine_labeller(engine: ChatEngine) -> Labeller:
    """Labels from a model run through Hearth's engine, under the task's grammar where it takes one."""

    def label(example: Example, options: GenerationOptions) -> str:
        if not engine.capabilities.grammar:
            options = replace(options, grammar=None, json_schema=None)
        return engine.chat(example.messages, options).text

    return label


def make_training_set(
    task: AdapterTask,
    n: int,
    *,
    seed: int = 0,
    teacher: str | Path = LABELS,
    threads: int | None = None,
    progress: LabelProgress | None = None,
    cancel: threading.Event | None = None,
) -> TrainingSet:
    """n generated examples of `task`, labelled by `teacher` (fewer when a teacher's answers drop)."""
    prompts = task.generate(n, seed, "train")
    if str(teacher) == LABELS:
        return TrainingSet(task.name, prompts, 0, LABELS)
    if str(teacher).startswith(("http://", "https://")):
        examples, dropped = label_with(endpoint_labeller(str(teacher)), task, prompts, progress, cancel)
        return TrainingSet(task.name, examples, dropped, str(teacher))
    from core.runtime import open_local

    engine = open_local(Path(teacher), n_threads=threads)
    try:
        examples, dropped = label_with(engine_labeller(engine), task, prompts, progress, cancel)
    finally:
        engine.close()
    return TrainingSet(task.name, examples, dropped, Path(teacher).name)


def label_with_model(
    engine: ChatEngine,
    task: AdapterTask,
    prompts: Sequence[Example],
    progress: LabelProgress | None = None,
    cancel: threading.Event | None = None,
) -> tuple[list[Example], int]:
    """A model's answers to these prompts as targets; returns (kept examples, dropped count)."""
    return label_with(engine_labeller(engine), task, prompts, progress, cancel)


def label_with(
    labeller: Labeller,
    task: AdapterTask,
    prompts: Sequence[Example],
    progress: LabelProgress | None = None,
    cancel: threading.Event | None = None,
) -> tuple[list[Example], int]:
    """The labeller's answers as targets, kept only where the task reads them back; (kept, dropped)."""
    kept: list[Example] = []
    dropped = 0
    for i, ex in enumerate(prompts):
        if cancel is not None and cancel.is_set():
            raise OperationCancelled("Labelling the training examples")
        text = labeller(ex, task.options(ex, None))
        try:
            target = task.canonical(ex, text)
        except AdapterDataError:
            dropped += 1
        else:
            kept.append(replace(ex, target=target))
        if progress is not None:
            progress(i + 1, len(prompts))
    return kept, dropped
