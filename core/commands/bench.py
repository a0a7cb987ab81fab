"""`hearth bench engine`: benchmarks that print figures."""

from __future__ import annotations

import argparse
import json

from core.engine import embedded_model_path
from core.models import resolve_model


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("bench", help="benchmarks that print figures")
    kinds = p.add_subparsers(dest="bench", required=True)
    engine = kinds.add_parser("engine", help="Hearth's engine against raw llama-cpp-python, side by side")
    engine.add_argument("--model", "-m", help="catalog id or GGUF path (default: the embedded model)")
    engine.add_argument("--threads", type=int, default=0, help="CPU threads (default: physical cores)")
    engine.add_argument("--max-tokens", type=int, default=128)
    engine.add_argument("--runs", type=int, default=5)
    engine.add_argument("--json", action="store_true")
    engine.set_defaults(run=run_engine)
    sampler = kinds.add_parser("sampler", help="what the telemetry sampler costs, as a share of one core")
    sampler.add_argument("--seconds", type=float, default=10.0)
    sampler.add_argument("--hz", type=float, default=5.0)
    sampler.add_argument("--json", action="store_true")
    sampler.set_defaults(run=run_sampler)


def run_engine(args: argparse.Namespace) -> int:
    from core.bench.engine_vs_raw import format_report, run_bench

    path = str(resolve_model(args.model) if args.model else embedded_model_path())
    report = run_bench(path, threads=args.threads, max_tokens=args.max_tokens, runs=args.runs)
    print(json.dumps(report.as_dict(), indent=2) if args.json else format_report(report))
    return 0


def run_sampler(args: argparse.Namespace) -> int:
    import time

    from core.commands.common import load_settings
    from core.telemetry.service import Telemetry

    telemetry = Telemetry(load_settings(), interval_s=1 / args.hz)
    time.sleep(args.seconds)
    assert telemetry.sampler is not None
    cost = telemetry.sampler.cpu_cost
    samples = len(telemetry.sampler.samples())
    source = telemetry.choice.source.label if telemetry.choice else "?"
    telemetry.close()
    result = {
        "hz": args.hz,
        "seconds": args.seconds,
        "samples": samples,
        "cpu_share_of_one_core": cost,
        "source": source,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"sampler at {args.hz:g} Hz for {args.seconds:g} s: {samples} samples from {source}")
        print(f"CPU cost: {cost * 100:.3f}% of one core (target < 1%)")
    return 0
