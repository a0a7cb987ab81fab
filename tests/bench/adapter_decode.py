"""Benchmark: what an active LoRA adapter costs in decode speed, and the plan grammar's copied arguments
in planning time, on the embedded model.

Decode: the same 96-token generation with and without the planner adapter, interleaved run by run so a
busy machine slows both alike; the ratio of the medians is the cost (target: at most 5%). Planning: the
same requests planned with the adapter under the grammar with and without copied arguments (wall time).

Run: `.venv/bin/python tests/bench/adapter_decode.py [--runs 7] [--threads 1] [--adapter FILE]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.adapters.store import shipped_adapters_dir  # noqa: E402
from core.assistant.agent import PLANNER_ADAPTER  # noqa: E402
from core.assistant.planner import Planner  # noqa: E402
from core.assistant.training.generate import PlannerDataGenerator  # noqa: E402
from core.assistant.training.task import offered_registry  # noqa: E402
from core.engine import GenerationOptions, embedded_model_path  # noqa: E402
from core.runtime import open_local  # noqa: E402

PROMPT = [{"role": "user", "content": "Write a short story about a lighthouse keeper and her cat."}]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument(
        "--adapter", type=Path, default=shipped_adapters_dir(embedded_model_path()) / "planner.gguf"
    )
    args = ap.parse_args()
    engine = open_local(embedded_model_path(), n_threads=args.threads)
    assert engine.adapters is not None
    engine.adapters.load(PLANNER_ADAPTER, args.adapter)
    speeds: dict[str, list[float]] = {"bare": [], "adapter": []}
    for run in range(args.runs):
        pair = (("bare", None), ("adapter", PLANNER_ADAPTER))
        for name, adapter in pair if run % 2 else pair[::-1]:  # neither always goes first
            opts = GenerationOptions(temperature=0.0, max_tokens=96, ignore_eos=True, adapter=adapter)
            speeds[name].append(engine.chat(PROMPT, opts).metrics.decode_tok_s)
    bare, tuned = statistics.median(speeds["bare"]), statistics.median(speeds["adapter"])
    print(f"decode tok/s, median of {args.runs} interleaved 96-token runs, {args.threads} thread(s):")
    print(f"  bare model {bare:.1f}   with the adapter {tuned:.1f}   cost {100 * (1 - tuned / bare):.1f}%")

    # Held-out generated requests (never trained on), planned with the adapter, copying on and off.
    examples = [e.example() for e in PlannerDataGenerator(7, split="heldout").generate(12)]
    times: dict[bool, list[float]] = {True: [], False: []}
    evict = GenerationOptions(temperature=0.0, max_tokens=1)
    for i, ex in enumerate(examples):
        request = str(ex.meta["request"])
        for copy in (True, False) if i % 2 else (False, True):
            planner = Planner(engine, adapter=PLANNER_ADAPTER, copy_args=copy)
            # Each plan starts from the same cache: none of this prompt (the engine keeps a common prefix).
            engine.chat([{"role": "user", "content": f"Say {i}."}], evict)
            t0 = time.perf_counter()
            planner.plan(request, offered_registry(ex))
            times[copy].append(time.perf_counter() - t0)
    on, off = statistics.median(times[True]), statistics.median(times[False])
    print(f"planning with the adapter, median of {len(examples)} held-out requests:")
    print(
        f"  copied arguments {on * 1000:.0f} ms   free arguments {off * 1000:.0f} ms   ratio {on / off:.2f}"
    )
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
