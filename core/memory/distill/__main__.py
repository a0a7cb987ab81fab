"""Train (and check) the memory adapters of a base model:

    python -m core.memory.distill [--base MODEL.gguf] [--out DIR] [--steps 120] [--verify 60]

Without --base, the embedded model's adapters are trained into resources/memory/adapters/<model>/.
"""

from __future__ import annotations

import os

# The machine is often shared: OpenMP threads that spin while they wait for a descheduled sibling made
# training steps 5-10 times slower under load; passive waiting keeps them steady. Set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from core.engine import embedded_model_path  # noqa: E402
from core.memory.distill import synth  # noqa: E402
from core.memory.distill.export import AdapterManifest  # noqa: E402
from core.memory.distill.pipeline import DistilProgress, adapters_dir, distil  # noqa: E402
from core.memory.distill.train import TrainConfig, TrainedLora  # noqa: E402
from core.memory.distill.verify import prompt_key, verify_adapters  # noqa: E402
from core.memory.prompts import OPERATIONS, Operation  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m core.memory.distill", description=__doc__.split("\n\n")[0])
    p.add_argument("--base", type=Path, default=None, help="base GGUF (default: the embedded model)")
    p.add_argument(
        "--out", type=Path, default=None, help="output folder (default: resources/memory/adapters/<model>)"
    )
    p.add_argument("--ops", default=",".join(OPERATIONS), help="comma-separated operations")
    p.add_argument("--teacher", default="labels", help='"labels" or a teacher GGUF path')
    p.add_argument("--examples", type=int, default=0, help="examples per operation (default: steps x batch)")
    p.add_argument("--steps", default="110", help="steps per operation: 110, or extract=120,update=100,...")
    p.add_argument("--rank", type=int, default=8)
    p.add_argument("--alpha", type=float, default=16.0)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--key-weight", type=float, default=1.0, help="loss weight of the decision's tokens")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data-dir", type=Path, default=None, help="also write the training sets here (JSONL)")
    p.add_argument("--verify", type=int, default=60, help="held-out prompts per operation (0: no checks)")
    p.add_argument("--verify-only", action="store_true", help="check the adapters already in --out")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    base = args.base or embedded_model_path()
    out = args.out or adapters_dir(base)
    config = TrainConfig(
        rank=args.rank, alpha=args.alpha, lr=args.lr, batch_size=args.batch, key_weight=args.key_weight
    )
    ops = args.ops.split(",")
    steps = _per_op(args.steps, ops)
    last = [time.perf_counter()]

    def progress(pr: DistilProgress) -> None:
        if pr.stage == "train" and (pr.done % 10 == 0 or pr.done in (1, pr.total)):
            now = time.perf_counter()
            print(
                f"{pr.op}: step {pr.done}/{pr.total} loss {pr.loss:.3f} ({now - last[0]:.0f} s)", flush=True
            )
            last[0] = now

    if args.verify_only:
        manifests = {op: AdapterManifest.read(out / f"{op}.json") for op in ops}
        _verify(base, out, [(op, out / f"{op}.gguf", None) for op in ops], manifests, args)
        return 0
    results = []
    for op in ops:
        examples = args.examples or steps[op] * args.batch  # one pass over fresh examples
        results += distil(
            base, out, ops=(op,), teacher=args.teacher, examples_per_op=examples, steps=steps[op],
            progress=progress, config=config, seed=args.seed, data_dir=args.data_dir, threads=args.threads,
        )  # fmt: skip
        m = results[-1].manifest
        print(
            f"{op}: {m.examples} examples, {m.steps} steps, loss {m.final_loss}, {m.seconds:.0f} s",
            flush=True,
        )
    if args.verify:
        adapters = [(r.op, r.path, r.lora) for r in results]
        _verify(base, out, adapters, {r.op: r.manifest for r in results}, args)
    return 0


def _verify(
    base: Path,
    out: Path,
    adapters: list[tuple[Operation, Path, TrainedLora | None]],
    manifests: dict[str, AdapterManifest],
    args: argparse.Namespace,
) -> None:
    exclude = {
        prompt_key(e)
        for op, m in manifests.items()
        for e in synth.generate(op, m.examples, m.seed)  # type: ignore[arg-type]
    }
    reports = verify_adapters(base, adapters, args.verify, threads=args.threads, log=print, exclude=exclude)
    path = out / "verification.json"
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    new = [r.as_dict() for r in reports]
    kept = [r for r in old if r.get("op") not in {n["op"] for n in new}]
    path.write_text(json.dumps(kept + new, indent=2) + "\n", encoding="utf-8")
    print(f"Wrote {path}")


def _per_op(spec: str, ops: list[str]) -> dict[str, int]:
    if "=" not in spec:
        return dict.fromkeys(ops, int(spec))
    given = {k.strip(): int(v) for k, v in (part.split("=") for part in spec.split(","))}
    missing = [op for op in ops if op not in given]
    if missing:
        raise SystemExit(f"--steps names no steps for {', '.join(missing)}")
    return {op: given[op] for op in ops}


if __name__ == "__main__":
    sys.exit(main())
