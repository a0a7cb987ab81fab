"""`hearth eval rag`: evaluations that print scores. One subcommand per kind, so others can join."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.commands.common import print_json
from core.evaluation.rag import QuestionResult, default_data_dir, run_rag_eval


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("eval", help="evaluations that print scores")
    kinds = p.add_subparsers(dest="eval", required=True)
    rag = kinds.add_parser("rag", help="documents: hit@k, MRR and answers holding the reference")
    rag.add_argument("--data", type=Path, help="folder with qa.jsonl and docs/ (default: the shipped set)")
    rag.add_argument("--k", "-k", type=int, default=5, help="retrieval depth for hit@k and MRR (default 5)")
    rag.add_argument("--answer-k", type=int, default=3, help="chunks the answering model reads (default 3)")
    rag.add_argument("--no-answer", action="store_true", help="retrieval only: do not generate answers")
    rag.add_argument("--model", "-m", help="answering model: catalog id or GGUF path (default: embedded)")
    rag.add_argument("--threads", type=int, default=0, help="CPU threads (default: physical cores)")
    rag.add_argument("--limit", type=int, help="only the first N questions")
    rag.add_argument("--json", action="store_true", help="print the full report as one JSON object")
    rag.set_defaults(run=run_rag)


def run_rag(args: argparse.Namespace) -> int:
    from core.engine import Engine, EngineConfig, embedded_model_path
    from core.models import resolve_model

    engine = None
    if not args.no_answer:
        path = resolve_model(args.model) if args.model else embedded_model_path()
        engine = Engine(EngineConfig(model_path=str(path), n_ctx=2048, n_threads=args.threads or None))
    try:
        report = run_rag_eval(
            args.data or default_data_dir(),
            k=args.k,
            engine=engine,
            answer_k=args.answer_k,
            limit=args.limit,
            on_result=_show,  # on stderr: stdout stays one JSON object with --json
        )
    finally:
        if engine is not None:
            engine.close()
    if args.json:
        print_json(report.as_dict())
        return 0
    print(f"\n{report.questions} questions, k={report.k}")
    print(f"hybrid   hit@{report.k} {report.hit_at_k:.3f}   MRR {report.mrr:.3f}")
    for mode, s in report.by_mode.items():
        print(f"{mode:<8} hit@{report.k} {s['hit_at_k']:.3f}   MRR {s['mrr']:.3f}")
    if report.answer_holds_rate is not None:
        print(
            f"answer holds the reference: {report.answer_holds_rate:.3f} "
            f"({report.answer_seconds_mean:.2f} s per answer)"
        )
    print(f"indexing {report.index_seconds:.1f} s, search {report.search_ms_mean:.1f} ms per query")
    return 0


def _show(r: QuestionResult) -> None:
    rank = "miss" if r.rank is None else f"rank {r.rank}"
    held = "" if r.holds_reference is None else ("  holds" if r.holds_reference else "  does not hold")
    print(f"{r.id:<10} {rank:<7}{held}", file=sys.stderr)
