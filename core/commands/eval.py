"""`hearth eval agent`: the assistant's planner scored on a test set of requests with expected plans.

Subcommands share `hearth eval`, so other evaluations (e.g. `eval rag`) are added beside `agent`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core.commands.common import print_json


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("eval", help="evaluations that print figures")
    kinds = p.add_subparsers(dest="eval", required=True)
    agent = kinds.add_parser("agent", help="planner accuracy, plan validity and latency on a request set")
    agent.add_argument("--model", "-m", help="catalog id or GGUF path (default: the embedded model)")
    agent.add_argument(
        "--set", type=Path, help="JSONL request set (default: resources/eval/agent/requests.jsonl)"
    )
    agent.add_argument("--limit", type=int, help="only the first N requests")
    agent.add_argument("--threads", type=int, default=0, help="CPU threads (default: physical cores)")
    agent.add_argument("--no-toolrag", action="store_true", help="offer every tool on every request")
    agent.add_argument(
        "--examples-in-system",
        action="store_true",
        help="put the examples in the system prompt (TinyAgent's layout) instead of as chat turns",
    )
    agent.add_argument(
        "--json", action="store_true", help="print one JSON object: the summary and every case"
    )
    agent.add_argument("--out", type=Path, help="also write the full JSON report to this file")
    agent.set_defaults(run=run_agent)


def run_agent(args: argparse.Namespace) -> int:
    import tempfile

    from core.assistant.agent import Assistant
    from core.assistant.desktop import RecordingDesktop
    from core.assistant.evaluation import DEFAULT_SET, CaseResult, load_cases, run_eval
    from core.assistant.tools import ToolContext, builtin_registry
    from core.engine import EMBEDDED_MODEL_ID, Engine, EngineConfig
    from core.models import resolve_model
    from core.store import Store

    cases = load_cases(args.set or DEFAULT_SET)[: args.limit]
    engine = Engine(
        EngineConfig(
            model_path=str(resolve_model(args.model or EMBEDDED_MODEL_ID)),
            n_ctx=4096,
            n_threads=args.threads or None,
        )
    )
    # Planning only: the tools are built over a throw-away folder and never run.
    with tempfile.TemporaryDirectory(prefix="hearth-eval-") as tmp, engine:
        store = Store(Path(tmp))
        registry = builtin_registry(ToolContext(files_dir=Path(tmp), store=store, desktop=RecordingDesktop()))
        assistant = Assistant(
            engine=engine,
            registry=registry,
            store=None,
            use_toolrag=not args.no_toolrag,
            examples_as_turns=not args.examples_in_system,
        )

        def progress(r: CaseResult) -> None:
            if not args.json:  # ✓ calls, DAG and arguments match; ~ calls and DAG only; ✗ neither
                mark = "✓" if r.scores["args"] else ("~" if r.scores["dag"] else "✗")
                print(f"{mark} {r.case.id:<10} {r.latency_ms:7.0f} ms  {r.case.request}", file=sys.stderr)

        report = run_eval(assistant, cases, on_case=progress)
        store.close()
    full = report.as_dict()
    if args.out:
        args.out.write_text(json.dumps(full, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.json:
        print_json(full)
    else:
        print(json.dumps(report.summary(), indent=2, ensure_ascii=False))
    return 0
