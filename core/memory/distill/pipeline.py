"""Distillation end to end: for each memory operation, a teacher-labelled synthetic training set, a LoRA
trained on the base model, and the adapter written as out_dir/<op>.gguf with its manifest out_dir/<op>.json.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from core.engine import LocalEngine
from core.memory.distill.base import BaseModel, load_base
from core.memory.distill.dataset import write_jsonl
from core.memory.distill.export import AdapterManifest, write_lora_gguf
from core.memory.distill.teacher import LABELS, make_training_set
from core.memory.distill.train import TrainConfig, TrainedLora, encode, train_lora
from core.memory.prompts import OPERATIONS, Operation
from core.models.gguf_info import sha256_file
from core.resources import resource_path
from core.runtime import open_local

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DistilProgress:
    op: Operation
    stage: str  # "label", "train" or "export"
    done: int  # examples labelled or steps trained
    total: int
    loss: float | None = None


@dataclass(frozen=True)
class DistilledAdapter:
    op: Operation
    path: Path  # the adapter GGUF
    manifest_path: Path
    manifest: AdapterManifest
    lora: TrainedLora  # the weights as trained (verify.check_export compares them with the file)


DistilCallback = Callable[[DistilProgress], None]


def adapters_dir(base_model: Path) -> Path:
    """Where Hearth's shipped adapters of a base model live: resources/memory/adapters/<model file stem>
    (in a source checkout, the source tree: distilling the shipped adapters writes there)."""
    return resource_path("memory", "adapters", base_model.stem)


def distil(
    base_model: Path,
    out_dir: Path,
    ops: Sequence[Operation] = OPERATIONS,
    teacher: str | Path = LABELS,
    examples_per_op: int = 1000,
    steps: int = 120,
    progress: DistilCallback | None = None,
    cancel: threading.Event | None = None,
    *,
    config: TrainConfig | None = None,
    seed: int = 0,
    data_dir: Path | None = None,
    threads: int = 2,
) -> list[DistilledAdapter]:
    """Train one LoRA adapter per memory operation for `base_model` (a llama-architecture GGUF).

    Args:
        base_model: the GGUF the adapters are for; the engine serving them must load this same file.
        out_dir: where <op>.gguf and <op>.json are written.
        ops: which operations.
        teacher: "labels" (the generator's gold answers) or the path of a teacher GGUF.
        examples_per_op: synthetic prompts per operation (before a teacher's drops).
        steps: optimizer steps per operation (config.steps is replaced by this).
        progress: called with each labelled example, training step and export.
        cancel: set to stop; raises core.errors.OperationCancelled.
        config: rank, alpha, targets, batch size, learning rate...
        seed: the generator's and the trainer's seed.
        data_dir: when given, each training set is also written there as <op>.train.jsonl.
        threads: CPU threads for the teacher, the tokenizer's engine and torch.

    Returns:
        One DistilledAdapter per operation, in the order of `ops`.
    """
    config = replace(config or TrainConfig(), steps=steps, seed=seed, threads=threads)
    out_dir.mkdir(parents=True, exist_ok=True)
    job = _Job(out_dir, teacher, examples_per_op, config, sha256_file(base_model), data_dir, progress, cancel)
    base = load_base(base_model)
    engine = open_local(base_model, n_threads=threads)
    try:
        return [_distil_one(op, base, engine, job) for op in ops]
    finally:
        engine.close()


@dataclass(frozen=True)
class _Job:
    out_dir: Path
    teacher: str | Path
    n: int
    config: TrainConfig
    base_sha: str
    data_dir: Path | None
    progress: DistilCallback | None
    cancel: threading.Event | None

    def report(self, p: DistilProgress) -> None:
        if self.progress is not None:
            self.progress(p)


def _distil_one(op: Operation, base: BaseModel, engine: LocalEngine, job: _Job) -> DistilledAdapter:
    config = job.config
    data = make_training_set(
        op,
        job.n,
        seed=config.seed,
        teacher=job.teacher,
        threads=config.threads,
        progress=lambda done, total: job.report(DistilProgress(op, "label", done, total)),
        cancel=job.cancel,
    )
    if job.data_dir is not None:
        write_jsonl(job.data_dir / f"{op}.train.jsonl", data.examples)
    encoded = encode(engine, data.examples, config.max_tokens)
    log.info(
        "%s: %d examples (%d dropped by the teacher), %d steps", op, len(encoded), data.dropped, config.steps
    )
    lora = train_lora(
        base,
        encoded,
        config,
        lambda p: job.report(DistilProgress(op, "train", p.step, p.steps, p.loss)),
        job.cancel,
    )
    job.report(DistilProgress(op, "export", 0, 1, lora.final_loss))
    path = write_lora_gguf(
        lora, base, job.out_dir / f"{op}.gguf", name=f"Hearth memory {op} ({base.path.stem})"
    )
    manifest = AdapterManifest(
        op=op,
        adapter_file=path.name,
        base_model=base.path.name,
        base_sha256=job.base_sha,
        rank=lora.rank,
        alpha=lora.alpha,
        targets=list(lora.targets),
        examples=len(encoded),
        dropped=data.dropped,
        steps=lora.steps,
        batch_size=config.batch_size,
        lr=config.lr,
        final_loss=round(lora.final_loss, 4),
        teacher=data.teacher,
        seconds=round(lora.seconds, 1),
        date=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        size_bytes=path.stat().st_size,
        seed=config.seed,
        key_weight=config.key_weight,
    )
    manifest_path = manifest.write(job.out_dir / f"{op}.json")
    job.report(DistilProgress(op, "export", 1, 1, lora.final_loss))
    return DistilledAdapter(op, path, manifest_path, manifest, lora)
