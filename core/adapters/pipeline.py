"""Training end to end, for any task: labelled examples (the task's generator, a teacher, or a data file),
a LoRA trained on the base model, the checkpoint, the adapter GGUF out_dir/<task>.gguf and its manifest
out_dir/<task>.json. Needs the training extra (torch, peft, transformers)."""

from __future__ import annotations

import collections
import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from core.adapters.base import BaseModel, load_base
from core.adapters.data import Example, write_jsonl
from core.adapters.export import read_lora_gguf, write_lora_gguf
from core.adapters.manifest import AdapterManifest, loss_curve
from core.adapters.task import AdapterTask
from core.adapters.teacher import LABELS, make_training_set
from core.adapters.train import TrainConfig, encode, train_lora
from core.adapters.weights import HeadLayout, TrainedLora, load_checkpoint, save_checkpoint
from core.engine import LocalEngine
from core.errors import AdapterDataError
from core.models.gguf_info import sha256_file
from core.runtime import open_local

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainProgressReport:
    task: str
    stage: str  # "label", "train" or "export"
    done: int  # examples labelled or steps trained
    total: int
    loss: float | None = None


@dataclass(frozen=True)
class TrainedAdapter:
    task: str
    path: Path  # the adapter GGUF
    manifest_path: Path
    manifest: AdapterManifest
    lora: TrainedLora  # the weights as trained (verify.check_export compares them with the file)


ProgressCallback = Callable[[TrainProgressReport], None]


@dataclass(frozen=True)
class TrainJob:
    """What to train one task's adapter on, and how."""

    task: AdapterTask
    examples: int | None = None  # generated examples (default: the task's default_examples)
    steps: int | None = None  # optimizer steps (default: the task's default_steps)
    teacher: str | Path = LABELS
    data_file: Path | None = None  # train on this JSONL instead of generating
    init: Path | None = None  # go on training this adapter (.gguf with its manifest beside it, or .npz)
    checkpoint_every: int = 100  # steps between checkpoints out_dir/<task>.step<N>.npz


def train_adapters(
    base_model: Path,
    out_dir: Path,
    jobs: Sequence[TrainJob],
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    *,
    config: TrainConfig | None = None,
    seed: int = 0,
    data_dir: Path | None = None,
    threads: int = 2,
) -> list[TrainedAdapter]:
    """Train one LoRA adapter per job for `base_model` (a llama-architecture GGUF).

    Args:
        base_model: the GGUF the adapters are for; the engine serving them must load this same file.
        out_dir: where <task>.gguf, <task>.json and <task>.npz (the checkpoint) are written.
        jobs: the tasks and their data.
        progress: called with each labelled example, training step and export.
        cancel: set to stop; raises core.errors.OperationCancelled.
        config: rank, alpha, targets, batch size, learning rate... (steps and max_tokens come per task).
        seed: the generator's and the trainer's seed.
        data_dir: when given, each training set is also written there as <task>.train.jsonl.
        threads: CPU threads for the teacher, the tokenizer's engine and torch.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    base = load_base(base_model)
    sha = sha256_file(base_model)
    engine = open_local(base_model, n_threads=threads)
    try:
        return [
            _train_one(job, base, engine, out_dir, sha, config or TrainConfig(), seed, threads, data_dir, progress, cancel)
            for job in jobs
        ]  # fmt: skip
    finally:
        engine.close()


def _train_one(
    job: TrainJob,
    base: BaseModel,
    engine: LocalEngine,
    out_dir: Path,
    base_sha: str,
    config: TrainConfig,
    seed: int,
    threads: int,
    data_dir: Path | None,
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
) -> TrainedAdapter:
    task = job.task

    def report(p: TrainProgressReport) -> None:
        if progress is not None:
            progress(p)

    config = replace(
        config,
        steps=job.steps or task.default_steps,
        seed=seed,
        threads=threads,
        max_tokens=task.max_tokens,
    )
    if job.data_file is not None:
        from core.adapters.data import read_jsonl

        examples: list[Example] = read_jsonl(job.data_file, task=task.name, validate=task.validate)
        dropped, teacher = 0, f"file:{job.data_file.name}"
    else:
        data = make_training_set(
            task,
            job.examples or task.default_examples,
            seed=seed,
            teacher=job.teacher,
            threads=threads,
            progress=lambda done, total: report(TrainProgressReport(task.name, "label", done, total)),
            cancel=cancel,
        )
        examples, dropped, teacher = data.examples, data.dropped, data.teacher
    if data_dir is not None:
        write_jsonl(data_dir / f"{task.name}.train.jsonl", examples)
    encoded = encode(engine, examples, config.max_tokens, task.key_span)
    if not encoded:
        raise AdapterDataError(f"None of the {len(examples)} examples fits in {config.max_tokens} tokens.")
    log.info(
        "%s: %d examples (%d dropped by the teacher), %d steps",
        task.name,
        len(encoded),
        dropped,
        config.steps,
    )
    lora = train_lora(
        base,
        encoded,
        config,
        lambda p: report(TrainProgressReport(task.name, "train", p.step, p.steps, p.loss)),
        cancel,
        checkpoint=lambda so_far: save_checkpoint(
            so_far, str(out_dir / f"{task.name}.step{so_far.steps}.npz")
        ),
        checkpoint_every=job.checkpoint_every,
        init=read_adapter(job.init, base) if job.init is not None else None,
    )
    report(TrainProgressReport(task.name, "export", 0, 1, lora.final_loss))
    save_checkpoint(lora, str(out_dir / f"{task.name}.npz"))
    adapter = export_adapter(
        task,
        lora,
        base,
        base.path,
        out_dir,
        base_sha=base_sha,
        examples=len(encoded),
        dropped=dropped,
        teacher=teacher,
        config=config,
        mix=dict(collections.Counter(str(e.meta.get("kind", task.name)) for e in examples)),
    )
    report(TrainProgressReport(task.name, "export", 1, 1, lora.final_loss))
    return adapter


def read_adapter(path: Path, layout: HeadLayout) -> TrainedLora:
    """An adapter to go on training: a checkpoint (.npz), or an adapter GGUF whose manifest beside it gives
    the steps and time it was trained for."""
    if not path.is_file():
        raise AdapterDataError(f"There is no adapter at {path}.")
    if path.suffix == ".npz":
        return load_checkpoint(str(path))
    try:
        lora = read_lora_gguf(path, layout)
    except (ValueError, KeyError, OSError) as e:
        raise AdapterDataError(f"{path.name} is not a LoRA adapter GGUF: {e}") from e
    manifest = path.with_suffix(".json")
    if manifest.is_file():
        m = AdapterManifest.read(manifest)
        lora = replace(lora, steps=m.steps, seconds=m.seconds, final_loss=m.final_loss)
    return lora


def export_adapter(
    task: AdapterTask,
    lora: TrainedLora,
    layout: HeadLayout,
    base_path: Path,
    out_dir: Path,
    *,
    base_sha: str,
    examples: int,
    dropped: int,
    teacher: str,
    config: TrainConfig,
    mix: dict[str, int] | None = None,
) -> TrainedAdapter:
    """Write <task>.gguf and its manifest <task>.json into out_dir (base_path: the base GGUF)."""
    path = write_lora_gguf(
        lora, layout, out_dir / f"{task.name}.gguf", name=f"Hearth {task.name} ({base_path.stem})"
    )
    manifest = AdapterManifest(
        task=task.name,
        adapter_file=path.name,
        base_model=base_path.name,
        base_sha256=base_sha,
        rank=lora.rank,
        alpha=lora.alpha,
        targets=list(lora.targets),
        examples=examples,
        dropped=dropped,
        steps=lora.steps,
        batch_size=config.batch_size,
        lr=config.lr,
        final_loss=round(lora.final_loss, 4),
        teacher=teacher,
        seconds=round(lora.seconds, 1),
        date=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        size_bytes=path.stat().st_size,
        seed=config.seed,
        key_weight=config.key_weight,
        data={"mix": mix or {}},
        loss_curve=loss_curve(lora.losses),
    )
    manifest_path = manifest.write(out_dir / f"{task.name}.json")
    return TrainedAdapter(task.name, path, manifest_path, manifest, lora)
