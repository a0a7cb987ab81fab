"""`hearth bench engine|sweep|sampler|docs|voice`: benchmarks that print figures."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from core.engine import embedded_model_path
from core.models import resolve_model


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="benchmarks that print figures")
    kinds = p.add_subparsers(dest="bench", required=True)
    engine = kinds.add_parser("engine", help="Hearth's engine against raw llama-cpp-python, side by side")
    engine.add_argument("--model", "-m", help="catalog id or GGUF path (default: the embedded model)")
    engine.add_argument(
        "--threads", type=int, default=0, help="CPU threads (default: Hearth chooses; raw takes every core)"
    )
    engine.add_argument("--max-tokens", type=int, default=128)
    engine.add_argument("--runs", type=int, default=5)
    engine.add_argument(
        "--busy", action="store_true", help="hold one core with another process while measuring"
    )
    engine.add_argument("--json", action="store_true")
    engine.set_defaults(run=run_engine)
    sweep = kinds.add_parser(
        "sweep", help="models x threads x device x prompt length, Hearth and raw side by side"
    )
    sweep.add_argument(
        "--model", "-m", action="append", help="catalog id or GGUF path; repeat for several quants"
    )
    sweep.add_argument("--threads", default="0", help="comma-separated thread counts (0: physical cores)")
    sweep.add_argument("--device", default="cpu", help="comma-separated devices: cpu, gpu:0, ... or 'all'")
    sweep.add_argument("--prompt-lengths", default="64,512", help="comma-separated prompt lengths in tokens")
    sweep.add_argument("--max-tokens", type=int, default=64)
    sweep.add_argument("--runs", type=int, default=3)
    sweep.add_argument("--json", action="store_true")
    sweep.add_argument("--csv", type=Path, help="also write the points to this CSV file")
    sweep.add_argument("--plot", type=Path, help="also draw them into this PNG file")
    sweep.set_defaults(run=run_sweep)
    sampler = kinds.add_parser("sampler", help="what the telemetry sampler costs, as a share of one core")
    sampler.add_argument("--seconds", type=float, default=10.0)
    sampler.add_argument("--hz", type=float, default=5.0)
    sampler.add_argument("--json", action="store_true")
    sampler.set_defaults(run=run_sampler)
    docs = kinds.add_parser(
        "docs", help="documents: indexing chunks/s, search p50/p95 at 10k and 100k chunks"
    )
    docs.add_argument(
        "--sizes",
        default="10000,100000",
        help="collection sizes for search, comma-separated (default 10k, 100k)",
    )
    docs.add_argument("--queries", type=int, default=200, help="queries per size (default 200)")
    docs.add_argument("--files", type=int, default=12, help="files of generated prose to index (default 12)")
    docs.add_argument("--threads", type=int, default=0, help="embedding threads (default: cores - 1)")
    docs.add_argument("--json", action="store_true")
    docs.set_defaults(run=run_docs)
    serve = kinds.add_parser(
        "serve", help="N concurrent clients: hearth serve against llama-cpp-python's server (loopback)"
    )
    serve.add_argument("--model", "-m", help="catalog id or GGUF path (default: the embedded model)")
    serve.add_argument("--threads", type=int, default=2, help="CPU threads for both servers (default 2)")
    serve.add_argument("--clients", default="1,4,16", help="concurrent clients per phase, comma-separated")
    serve.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="waves of N requests per server, alternating between them (default 2)",
    )
    serve.add_argument("--max-tokens", type=int, default=24)
    serve.add_argument("--time-limit", type=float, default=900.0, help="no new request after this (s)")
    serve.add_argument("--no-compare", action="store_true", help="Hearth only (no llama_cpp.server)")
    serve.add_argument("--json", action="store_true")
    serve.set_defaults(run=run_serve)
    voice = kinds.add_parser(
        "voice", help="voice: word error rate, and end of speech -> transcript, first tool call, first audio"
    )
    voice.add_argument("--turns", type=int, default=6, help="spoken turns through the whole pipeline")
    voice.add_argument("--threads", type=int, default=2, help="CPU threads for Whisper and the model")
    voice.add_argument("--json", action="store_true")
    voice.set_defaults(run=run_voice)


def run_engine(args: argparse.Namespace) -> int:
    from core.bench.engine_vs_raw import format_report, run_bench

    path = str(resolve_model(args.model) if args.model else embedded_model_path())
    report = run_bench(path, threads=args.threads, max_tokens=args.max_tokens, runs=args.runs, busy=args.busy)
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


def run_sweep(args: argparse.Namespace) -> int:
    import sys
    from dataclasses import asdict

    from core.bench.sweep import format_table, run_sweep, write_csv, write_plot
    from core.engine import physical_cores
    from core.errors import HearthError
    from core.telemetry.devices import discover_devices

    refs = args.model or ["smollm2-135m-instruct"]
    models = [(Path(ref).stem if ref.endswith(".gguf") else ref, str(resolve_model(ref))) for ref in refs]
    found = discover_devices()
    wanted = [d.id for d in found] if args.device == "all" else args.device.split(",")
    devices = [d for d in found if d.id in wanted]
    missing = set(wanted) - {d.id for d in devices}
    if missing:
        raise HearthError(
            f"No device {', '.join(sorted(missing))} here. Devices: {', '.join(d.id for d in found)}."
        )
    threads = [int(t) or physical_cores() for t in args.threads.split(",")]
    lengths = [int(n) for n in args.prompt_lengths.split(",")]
    points = run_sweep(
        models,
        devices,
        threads,
        lengths,
        max_tokens=args.max_tokens,
        runs=args.runs,
        progress=lambda message: print(message, file=sys.stderr),
    )
    if args.csv:
        write_csv(points, args.csv)
    if args.plot:
        write_plot(points, args.plot)
    print(json.dumps([asdict(p) for p in points], indent=2) if args.json else format_table(points))
    return 0


def run_docs(args: argparse.Namespace) -> int:
    import sys

    from core.bench.docs_scale import format_report, run_bench

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    report = run_bench(
        sizes,
        queries=args.queries,
        index_files=args.files,
        threads=args.threads or None,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(json.dumps(report.as_dict(), indent=2) if args.json else format_report(report))
    return 0


def run_serve(args: argparse.Namespace) -> int:
    import sys

    from core.bench.serve import format_report, run_bench

    report = run_bench(
        resolve_model(args.model) if args.model else None,
        threads=args.threads,
        clients=[int(n) for n in args.clients.split(",") if n.strip()],
        rounds=args.rounds,
        max_tokens=args.max_tokens,
        time_limit_s=args.time_limit,
        compare=not args.no_compare,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


def run_voice(args: argparse.Namespace) -> int:
    import sys

    from core.bench.voice import format_report, run_bench

    report = run_bench(
        turns=args.turns, threads=args.threads, log=lambda line: print(line, file=sys.stderr, flush=True)
    )
    print(json.dumps(report.as_dict(), indent=2) if args.json else format_report(report))
    return 0
