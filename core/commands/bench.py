"""`hearth bench engine|docs`: benchmarks that print figures."""

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


def run_engine(args: argparse.Namespace) -> int:
    from core.bench.engine_vs_raw import format_report, run_bench

    path = str(resolve_model(args.model) if args.model else embedded_model_path())
    report = run_bench(path, threads=args.threads, max_tokens=args.max_tokens, runs=args.runs)
    print(json.dumps(report.as_dict(), indent=2) if args.json else format_report(report))
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
