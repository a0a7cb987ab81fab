"""`hearth adapters list|data|train|eval|export`: the LoRA adapters of every task (the planner, memory's
extract, update and answer, and any task added to TASK_SOURCES), one pipeline for all of them.

Training needs the training extra (`pip install hearth[train]`: torch, peft, transformers); listing,
generating data and evaluating do not.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import Any

from core.adapters.task import AdapterTask, TaskRegistry
from core.commands.common import print_json
from core.errors import AdapterTrainingError


def task_registry() -> TaskRegistry:
    """Every task the pipeline knows. A new task: implement core.adapters.task.AdapterTask, add it here."""
    from core.assistant.training.task import PlannerTask
    from core.memory.adapter_tasks import memory_tasks

    return TaskRegistry([PlannerTask(), *memory_tasks()])


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "adapters", help="LoRA adapters per task (planner, memory): list, data, train, eval, export"
    )
    acts = p.add_subparsers(dest="adapters_action", required=True)

    ls = acts.add_parser("list", help="the tasks, and the adapter each has for a model (the user's first)")
    ls.add_argument("--model", "-m", help="base model: catalog id or GGUF path (default: the model setting)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(run=run_list)

    data = acts.add_parser("data", help="write a task's generated training (or held-out) examples as JSONL")
    data.add_argument("task")
    data.add_argument("--n", type=int, help="how many examples (default: the task's training size)")
    data.add_argument("--split", choices=["train", "heldout"], default="train")
    data.add_argument("--seed", type=int, default=0)
    data.add_argument("--out", type=Path, required=True, help="the JSONL file to write")
    data.set_defaults(run=run_data)

    train = acts.add_parser("train", help="train adapters for a base model (needs hearth[train])")
    train.add_argument("tasks", nargs="+", help="task names, e.g. planner, or extract update answer")
    train.add_argument(
        "--model", "-m", help="base model: catalog id or GGUF path (default: the model setting)"
    )
    train.add_argument("--data", type=Path, help="train on this JSONL (one task only) instead of generating")
    train.add_argument("--n", type=int, help="generated examples per task (default: the task's)")
    train.add_argument(
        "--init", type=Path,
        help="go on training this adapter (.gguf, or a checkpoint .npz); its rank, modules and layers are kept",
    )  # fmt: skip
    train.add_argument(
        "--checkpoint-every", type=int, default=100, help="steps between checkpoints <task>.step<N>.npz"
    )
    train.add_argument("--steps", type=int, help="optimizer steps per task (default: the task's)")
    train.add_argument(
        "--teacher", default="labels",
        help='"labels" (the generator\'s exact targets), a teacher GGUF path, or an OpenAI-compatible URL',
    )  # fmt: skip
    train.add_argument("--rank", type=int, help="LoRA rank (default: the task's)")
    train.add_argument("--targets", help="modules, comma-separated (default: the task's)")
    train.add_argument("--first-layer", type=int, help="adapt layers from this one up (default: the task's)")
    train.add_argument("--lr", type=float)
    train.add_argument(
        "--key-weight", type=float,
        help="loss weight of the decision tokens (an update's event and id, an answer's memory) (default 1)",
    )  # fmt: skip
    train.add_argument("--batch-size", type=int, default=8)
    train.add_argument("--threads", type=int, default=2)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument(
        "--out", type=Path, help="folder for the adapters (default: the data dir's, for this model)"
    )
    train.set_defaults(run=run_train)

    ev = acts.add_parser("eval", help="a task's held-out score with its adapter and without, side by side")
    ev.add_argument("task")
    ev.add_argument("--model", "-m", help="base model: catalog id or GGUF path (default: the model setting)")
    ev.add_argument("--adapter", type=Path, help="this adapter file (default: the one found for the model)")
    ev.add_argument("--n", type=int, default=100, help="held-out examples (default 100)")
    ev.add_argument("--data", type=Path, help="evaluate on this JSONL instead of generated held-out examples")
    ev.add_argument("--threads", type=int, default=0)
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(run=run_eval)

    ex = acts.add_parser(
        "export", help="a trained checkpoint (.npz) as a llama.cpp adapter GGUF and manifest"
    )
    ex.add_argument("task")
    ex.add_argument("checkpoint", type=Path, help="the .npz training wrote")
    ex.add_argument("--model", "-m", help="the base model it was trained on (default: the model setting)")
    ex.add_argument("--out", type=Path, help="folder (default: the data dir's adapters for this model)")
    ex.add_argument("--examples", type=int, default=0, help="training examples, for the manifest")
    ex.add_argument("--data", type=Path, help="the training data, for the manifest's mix")
    ex.set_defaults(run=run_export)


def _base(model: str | None) -> Path:
    from core.commands.common import load_settings
    from core.models import resolve_model

    return resolve_model(model or load_settings().get("model"))


def run_list(args: argparse.Namespace) -> int:
    from core.adapters.manifest import AdapterManifest
    from core.adapters.store import find_adapter, shipped_adapters_dir

    base = _base(args.model)
    rows: list[dict[str, Any]] = []
    for task in task_registry():
        path = find_adapter(base, task.name)
        row: dict[str, Any] = {"task": task.name, "description": task.description, "adapter": str(path or "")}
        if path is not None:
            row["source"] = "shipped" if path.parent == shipped_adapters_dir(base) else "user"
            manifest = path.with_suffix(".json")
            if manifest.is_file():
                m = AdapterManifest.read(manifest)
                row.update(
                    rank=m.rank,
                    examples=m.examples,
                    steps=m.steps,
                    final_loss=m.final_loss,
                    size_bytes=m.size_bytes,
                )
        rows.append(row)
    if args.json:
        print_json({"model": str(base), "tasks": rows})
        return 0
    print(f"adapters for {base.name}:")
    for r in rows:
        where = f"{r.get('source', '')}: {r['adapter']}" if r["adapter"] else "none (runs on the base model)"
        print(f"  {r['task']:<9} {where}")
        print(f"  {'':<9} {r['description']}")
    return 0


def run_data(args: argparse.Namespace) -> int:
    from core.adapters.data import write_jsonl

    task = task_registry().get(args.task)
    examples = task.generate(args.n or task.default_examples, args.seed, args.split)
    n = write_jsonl(args.out, examples)
    print(f"{n} {args.split} examples of {task.name} -> {args.out}")
    return 0


def _require_training_extra() -> None:
    import importlib.util

    missing = [m for m in ("torch", "peft", "transformers") if importlib.util.find_spec(m) is None]
    if missing:
        raise AdapterTrainingError(
            f"Training adapters needs {', '.join(missing)}: install the training extra with "
            "`pip install hearth[train]` (or `make train-setup`)."
        )


def run_train(args: argparse.Namespace) -> int:
    _require_training_extra()
    from dataclasses import replace

    from core.adapters.pipeline import TrainJob, TrainProgressReport, train_adapters
    from core.adapters.store import user_adapters_dir
    from core.adapters.train import TrainConfig

    tasks = task_registry().select(args.tasks)
    if (args.data is not None or args.init is not None) and len(tasks) != 1:
        raise AdapterTrainingError("--data and --init train one task: name only that task.")
    base = _base(args.model)
    out = args.out or user_adapters_dir(base)
    config = replace(TrainConfig(), batch_size=args.batch_size)
    cancel = threading.Event()

    def progress(p: TrainProgressReport) -> None:
        loss = f" loss {p.loss:.3f}" if p.loss is not None else ""
        print(f"\r{p.task}: {p.stage} {p.done}/{p.total}{loss}   ", end="", file=sys.stderr, flush=True)

    made = []
    try:
        for task in tasks:
            cfg = _task_config(task, config, args)
            job = TrainJob(
                task, examples=args.n, steps=args.steps, teacher=args.teacher, data_file=args.data,
                init=args.init, checkpoint_every=args.checkpoint_every,
            )  # fmt: skip
            made += train_adapters(
                base, out, [job], progress, cancel, config=cfg, seed=args.seed, threads=args.threads
            )
    except KeyboardInterrupt:
        cancel.set()
        print("\nhearth adapters train: stopped; adapters already written are kept.", file=sys.stderr)
        return 130
    print(file=sys.stderr)
    for adapter in made:
        print(f"{adapter.task}: {adapter.path} (loss {adapter.manifest.final_loss})")
    print("Hearth uses these adapters for this model from the next request on.")
    return 0


def _task_config(task: AdapterTask, config: Any, args: argparse.Namespace) -> Any:
    from dataclasses import replace

    overrides: dict[str, Any] = dict(getattr(task, "train_overrides", {}))
    if args.targets:
        overrides["targets"] = tuple(t.strip() for t in args.targets.split(",") if t.strip())
    if args.first_layer is not None:
        overrides["first_layer"] = args.first_layer
    if args.lr is not None:
        overrides["lr"] = args.lr
    if args.rank is not None:
        overrides["rank"], overrides["alpha"] = args.rank, 2.0 * args.rank
    if args.key_weight is not None:
        overrides["key_weight"] = args.key_weight
    first = overrides.pop("first_layer", None)
    if first is not None:
        from core.models.gguf_info import read_gguf

        n_layers = int(read_gguf(_base(args.model)).n_layers)
        overrides["layers"] = tuple(range(int(first), n_layers))
    return replace(config, **overrides)


def run_eval(args: argparse.Namespace) -> int:
    from core.adapters.data import read_jsonl
    from core.adapters.scoring import evaluate
    from core.adapters.store import find_adapter
    from core.runtime import open_local

    task = task_registry().get(args.task)
    base = _base(args.model)
    path = args.adapter or find_adapter(base, task.name)
    examples = (
        read_jsonl(args.data, task=task.name, validate=task.validate)[: args.n]
        if args.data
        else task.generate(args.n, 10_000, "heldout")
    )
    engine = open_local(base, n_threads=args.threads)
    try:
        scores = []
        if path is not None:
            engine.adapters.load(task.adapter_name, path)
            scores.append(evaluate(engine, task, examples, task.adapter_name))
        scores.append(evaluate(engine, task, examples, None))
    finally:
        engine.close()
    if args.json:
        print_json({"task": task.name, "adapter": str(path or ""), "scores": [s.as_dict() for s in scores],
                    "failures": {str(s.adapter): s.failures for s in scores}})  # fmt: skip
        return 0
    names = [("adapter" if s.adapter else "base") for s in scores]
    print(f"{task.name}, {len(examples)} held-out examples{'' if path else ' (no adapter for this model)'}")
    print(f"{'':<22}" + "".join(f"{n:>12}" for n in names))
    keys = [
        "parse_rate",
        "accuracy",
        *[k for k in scores[0].as_dict() if k not in ("task", "adapter", "n", "parse_rate", "accuracy")],
    ]
    for k in keys:
        print(f"{k:<22}" + "".join(f"{s.as_dict()[k]:>12}" for s in scores))
    return 0


def run_export(args: argparse.Namespace) -> int:
    import collections

    from core.adapters.data import read_jsonl
    from core.adapters.pipeline import export_adapter
    from core.adapters.store import user_adapters_dir
    from core.adapters.train import TrainConfig
    from core.adapters.weights import HeadLayout, load_checkpoint
    from core.models.gguf_info import read_gguf, sha256_file

    task = task_registry().get(args.task)
    base = _base(args.model)
    info = read_gguf(base)
    lora = load_checkpoint(str(args.checkpoint))
    layout = HeadLayout(info.architecture, int(info.n_head), int(info.n_head_kv))
    mix: dict[str, int] = {}
    examples = args.examples
    if args.data is not None:
        rows = read_jsonl(args.data, task=task.name)
        mix = dict(collections.Counter(str(e.meta.get("kind", task.name)) for e in rows))
        examples = examples or len(rows)
    out = args.out or user_adapters_dir(base)
    out.mkdir(parents=True, exist_ok=True)
    made = export_adapter(
        task, lora, layout, base, out, base_sha=sha256_file(base), examples=examples, dropped=0,
        teacher="labels", config=TrainConfig(rank=lora.rank, alpha=lora.alpha), mix=mix,
    )  # fmt: skip
    print(json.dumps({"adapter": str(made.path), "manifest": str(made.manifest_path)}))
    return 0
