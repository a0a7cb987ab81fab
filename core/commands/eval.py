"""`hearth eval rag|agent|memory|chat`: evaluations that print scores. One subcommand per kind, so others can join."""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from core.commands.common import print_json
from core.errors import HearthError
from core.evaluation.rag import QuestionResult, default_data_dir, run_rag_eval

if TYPE_CHECKING:
    from core.evaluation.chat import ChatEvalReport
    from core.memory.evaluation import ConfigReport


def register(sub: argparse._SubParsersAction) -> None:
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
    agent = kinds.add_parser(
        "agent",
        help="planner accuracy, validity, executable calls, latency and cost, adapter and base side by side",
    )
    agent.add_argument("--model", "-m", help="catalog id or GGUF path (default: the embedded model)")
    agent.add_argument(
        "--set", type=Path, help="JSONL request set (default: resources/eval/agent/requests.jsonl)"
    )
    agent.add_argument(
        "--tools", type=Path,
        help="plan over this tools file's functions only (OpenAI JSON), e.g. resources/eval/agent/unseen/tools.json",
    )  # fmt: skip
    agent.add_argument(
        "--config", type=_agent_configs, default="adapter,base",
        help="comma-separated, side by side: adapter (the planner adapter), base (the bare model, with "
        "in-context examples), adapter-free / base-free (string arguments not copied from the request); "
        '"both" is adapter,base (the default)',
    )  # fmt: skip
    agent.add_argument(
        "--adapter", action="append", default=[], metavar="NAME=FILE",
        help="also plan with this adapter GGUF, as configuration NAME (repeatable): e.g. a new checkpoint "
        "beside the shipped adapter; a NAME ending in -free plans without copying arguments",
    )  # fmt: skip
    agent.add_argument("--limit", type=int, help="only the first N requests")
    agent.add_argument("--threads", type=int, default=0, help="CPU threads (default: physical cores)")
    agent.add_argument("--no-toolrag", action="store_true", help="offer every tool on every request")
    agent.add_argument("--no-exec", action="store_true", help="plan only: do not run the planned calls")
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
    memory = kinds.add_parser(
        "memory", help="memory: answer F1 on a LoCoMo-format set, extraction and update accuracy, latency"
    )
    memory.add_argument(
        "--model", "-m", help="base model: catalog id or GGUF path (default: the embedded model)"
    )
    memory.add_argument("--locomo", type=Path, help="LoCoMo-format JSON (default: resources/memory/eval)")
    memory.add_argument("--cases", type=Path, help="labelled operation cases JSON (default: the shipped set)")
    memory.add_argument(
        "--config",
        choices=["both", "adapters", "base"],
        default="both",
        help="with the operations' adapters, with the bare base model, or both side by side (default)",
    )
    memory.add_argument(
        "--learning",
        choices=["linked", "add-only"],
        default="linked",
        help="linked: update decisions supersede old memories (default); add-only: no update decision",
    )
    memory.add_argument(
        "--memories-from",
        choices=["extraction", "turns"],
        default="extraction",
        help="extraction (the pipeline), or turns: each dialogue turn a memory (recall and answer alone)",
    )
    memory.add_argument("--conversations", type=int, help="only the first N conversations (0: none)")
    memory.add_argument(
        "--skip",
        default="",
        help="parts to leave out, comma-separated: ops (the labelled operation cases), stale, false",
    )
    memory.add_argument("--questions", type=int, help="only the first N questions in all")
    memory.add_argument("--k", type=int, default=6, help="memories recalled per question (default 6)")
    memory.add_argument("--cases-limit", type=int, help="only the first N cases of each operation")
    memory.add_argument("--threads", type=int, default=0, help="CPU threads (default: physical cores)")
    memory.add_argument("--json", action="store_true", help="print one JSON object: every figure and answer")
    memory.add_argument("--out", type=Path, help="also write the full JSON report to this file")
    memory.set_defaults(run=run_memory)
    chat = kinds.add_parser(
        "chat", help="chat: accuracy per category on short checkable requests, answer length, latency"
    )
    chat.add_argument("--model", "-m", help="catalog id or GGUF path (default: the embedded model)")
    chat.add_argument("--set", type=Path, help="JSONL case set (default: resources/eval/chat/cases.jsonl)")
    chat.add_argument("--limit", type=int, help="only the first N cases")
    chat.add_argument("--category", action="append", help="only this category (repeatable)")
    chat.add_argument(
        "--stride", type=int, default=1, help="every Nth case only (all categories, fewer cases)"
    )
    chat.add_argument(
        "--threads", type=int, default=0, help="CPU threads per engine (default: physical cores)"
    )
    chat.add_argument(
        "--parallel", type=int, default=1, help="copies of the model sharing the cases out, one thread each"
    )
    chat.add_argument(
        "--block",
        type=int,
        default=1,
        help="cases each configuration answers in a row (keeps a long prefix cached)",
    )
    which = chat.add_mutually_exclusive_group()
    which.add_argument(
        "--grid", action="store_true", help="the built-in candidates for the model's family, side by side"
    )
    which.add_argument("--configs", type=Path, help="JSON list of configurations to compare side by side")
    chat.add_argument(
        "--warm",
        action="store_true",
        help="keep the prompt cache between requests (faster; first-token times then do not compare)",
    )
    chat.add_argument("--json", action="store_true", help="print one JSON object: every figure and answer")
    chat.add_argument("--out", type=Path, help="also write the full JSON report to this file")
    chat.set_defaults(run=run_chat)


def run_rag(args: argparse.Namespace) -> int:
    from core.engine import EMBEDDED_MODEL_ID
    from core.runtime import open_local

    engine = None
    if not args.no_answer:
        engine = open_local(args.model or EMBEDDED_MODEL_ID, n_threads=args.threads)
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


AGENT_CONFIGS = ("adapter", "base", "adapter-free", "base-free")


def _agent_configs(value: str) -> list[str]:
    names = ["adapter", "base"] if value == "both" else [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in AGENT_CONFIGS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown configuration {', '.join(unknown) or value!r}: choose from {', '.join(AGENT_CONFIGS)}"
        )
    return names


def _extra_adapters(specs: list[str]) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for spec in specs:
        name, sep, file = spec.partition("=")
        path = Path(file)
        if not sep or not name or name in AGENT_CONFIGS or name in out:
            raise HearthError(f"--adapter takes NAME=FILE with a new name, not {spec!r}.")
        if not path.is_file():
            raise HearthError(f"There is no adapter file {path}.")
        out[name] = path
    return out


def run_agent(args: argparse.Namespace) -> int:
    from core.assistant.agent import Assistant
    from core.assistant.custom_tools import load_tool_file
    from core.assistant.evaluation import DEFAULT_SET, UNSEEN_SET, CaseResult, load_cases, run_side_by_side
    from core.assistant.world import EvalWorld
    from core.engine import EMBEDDED_MODEL_ID
    from core.runtime import open_local
    from core.settings import Settings
    from core.telemetry.service import Telemetry

    extra = _extra_adapters(args.adapter)  # checked before the model loads
    default = UNSEEN_SET if args.tools else DEFAULT_SET
    cases = load_cases(args.set or default)[: args.limit]
    engine = open_local(args.model or EMBEDDED_MODEL_ID, n_ctx=4096, n_threads=args.threads)
    tool_file = load_tool_file(args.tools, bind=not args.no_exec) if args.tools else None
    # The tools run in a throw-away world seeded for these requests; planning sees the same tools.
    world = EvalWorld(
        cases, engine=engine, extra_tools=tool_file.tools if tool_file else (), builtins=tool_file is None
    )
    telemetry = Telemetry(Settings(None))

    def assistant(name: str) -> Assistant:
        a = Assistant(
            engine=engine,
            registry=world.registry,
            store=None,
            use_toolrag=not args.no_toolrag,
            examples_as_turns=not args.examples_in_system,
            use_adapter=name.startswith("adapter"),
            copy_args=not name.endswith("-free"),
        )
        if name in extra and engine.adapters is not None:
            engine.adapters.load(name, extra[name])  # planned with this file, under its own name
            a.planner_adapter = a.planner.adapter = name
        return a

    assistants = {name: assistant(name) for name in [*args.config, *extra]}
    if "adapter" in assistants and assistants["adapter"].planner_adapter is None:
        print("hearth eval agent: this model has no planner adapter; the adapter column is the base model.",
              file=sys.stderr)  # fmt: skip

    def progress(name: str, r: CaseResult) -> None:
        if not args.json:  # ✓ calls, DAG and arguments match; ~ calls and DAG only; ✗ neither
            mark = "✓" if r.scores["args"] else ("~" if r.scores["dag"] else "✗")
            print(
                f"{name:<8} {mark} {r.case.id:<10} {r.latency_ms:7.0f} ms  {r.case.request}", file=sys.stderr
            )

    try:
        reports = run_side_by_side(
            assistants,
            cases,
            world=None if args.no_exec else world,
            begin_meter=telemetry.begin_request,
            energy_source=telemetry.choice.source.label if telemetry.choice else "",
            on_case=progress,
        )
    finally:
        telemetry.close()
        world.close()
        if tool_file is not None:
            tool_file.close()
        engine.close()
    full = {
        "set": str(args.set or default),
        "tools": str(args.tools or "built-in"),
        "configs": {name: r.as_dict() for name, r in reports.items()},
    }
    if args.out:
        args.out.write_text(json.dumps(full, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.json:
        print_json(full)
    else:
        _print_agent_table({name: r.summary() for name, r in reports.items()})
    return 0


def _print_agent_table(summaries: dict[str, dict[str, object]]) -> None:
    rows = [
        ("success (calls, DAG, args)", lambda s: s["success_rate"]),
        ("calls + DAG", lambda s: s["dag_match_rate"]),
        ("plan validity", lambda s: s["validity_rate"]),
        ("schema validity", lambda s: s["schema_validity_rate"]),
        ("executable calls", lambda s: s["executable_call_rate"]),
        ("ToolRAG recall", lambda s: s["toolrag_recall"]),
        ("prompt tokens", lambda s: s["prompt_tokens_mean"]),
        ("latency p50 ms", lambda s: s["latency_ms_p50"]),
        ("latency p95 ms", lambda s: s["latency_ms_p95"]),
        ("seconds per success", lambda s: s["seconds_per_success"]),
        ("joules per success", lambda s: s.get("joules_per_success")),
    ]
    for kind in ("single", "multi", "none"):
        rows.append(
            (f"  {kind} success", lambda s, k=kind: s["by_kind"].get(k, {}).get("success"))  # type: ignore[misc]
        )
    names = list(summaries)
    print(f"{'':<28}" + "".join(f"{n:>12}" for n in names))
    for label, cell in rows:
        print(f"{label:<28}" + "".join(f"{str(cell(summaries[n])):>12}" for n in names))


def _latency_cell(op: str, r: ConfigReport) -> str:
    return "{p50:.0f}/{p95:.0f}".format(**r.latency_ms[op]) if op in r.latency_ms else "-"


def run_memory(args: argparse.Namespace) -> int:
    from core.embeddings import SharedEmbedder
    from core.engine import EMBEDDED_MODEL_ID
    from core.memory.evaluation import run_memory_eval
    from core.runtime import open_local

    engine = open_local(args.model or EMBEDDED_MODEL_ID, n_threads=args.threads)
    path = engine.info.path
    configs = ("adapters", "base") if args.config == "both" else (args.config,)
    try:
        reports = run_memory_eval(
            engine,
            SharedEmbedder(),
            locomo_path=args.locomo,
            cases_path=args.cases,
            configs=configs,
            limit_conversations=args.conversations,
            limit_questions=args.questions,
            limit_cases=args.cases_limit,
            progress=lambda m: print(m, file=sys.stderr, flush=True),
            learning=args.learning,
            with_op_cases="ops" not in args.skip,
            with_stale="stale" not in args.skip,
            with_false_memories="false" not in args.skip,
            memories_from=args.memories_from,
            recall_k=args.k,
        )
    finally:
        engine.close()
    full = {"model": str(path), "learning": args.learning, "configs": [r.as_dict() for r in reports]}
    if args.out:
        args.out.write_text(json.dumps(full, indent=1, ensure_ascii=False))
    if args.json:
        print_json(full)
        return 0
    rows: list[tuple[str, Callable[[ConfigReport], str]]] = [
        ("answer F1 (LoCoMo)", lambda r: f"{r.answer_f1:.3f}"),
        ("extraction F1", lambda r: f"{r.extraction['f1']:.3f}"),
        ("update accuracy", lambda r: f"{r.update['accuracy']:.3f}"),
        ("update event accuracy", lambda r: f"{r.update['event_accuracy']:.3f}"),
        ("stale: new fact for 'now'", lambda r: f"{r.stale.get('new_fact_rate', 0):.3f}"),
        ("false memories (impersonal)", lambda r: str(r.false_memories.get("memories", "-"))),
        ("malformed outputs skipped", lambda r: str(r.skipped_outputs)),
        ("adapter switch ms", lambda r: "-" if r.adapter_switch_ms is None else f"{r.adapter_switch_ms:.2f}"),
        ("seconds", lambda r: f"{r.seconds:.0f}"),
    ]
    for op in ("extract", "update", "answer", "recall+answer"):
        rows.append((f"{op} p50/p95 ms", functools.partial(_latency_cell, op)))
    names = [r.name for r in reports]
    print(f"{'':<28}" + "".join(f"{n:>14}" for n in names))
    for label, cell in rows:
        print(f"{label:<28}" + "".join(f"{cell(r):>14}" for r in reports))
    for r in reports:
        print(f"\n{r.name}: each stage per category (extraction, recall@k: a memory from an evidence turn "
              "holds the answer; stored / recalled)")  # fmt: skip
        columns = ("n", "f1", "extraction", "recall_at_k", "recall_given_stored", "f1_given_recalled",
                   "f1_given_not_recalled", "not_mentioned")  # fmt: skip
        heads = ("n", "F1", "stored", "recall@k", "rec|stored", "F1|recalled", "F1|missed", "not-ment.")
        print(f"{'':<14}" + "".join(f"{h:>12}" for h in heads))
        for cat, row in r.stages.items():
            cells = [f"{row[c]:.0f}" if c == "n" else f"{row[c]:.3f}" for c in columns]
            print(f"{cat:<14}" + "".join(f"{c:>12}" for c in cells))
    return 0


def run_chat(args: argparse.Namespace) -> int:
    from core.engine import EMBEDDED_MODEL_ID
    from core.evaluation.chat import CaseResult, ChatConfig, grid_for, load_cases, load_configs, run_chat_eval
    from core.models.profiles import defaults_for
    from core.runtime import open_local

    cases = load_cases(args.set)
    if args.category:
        cases = [c for c in cases if c.category in args.category]
    cases = cases[:: max(args.stride, 1)][: args.limit]
    engines = [
        open_local(args.model or EMBEDDED_MODEL_ID, n_threads=args.threads)
        for _ in range(max(args.parallel, 1))
    ]
    defaults = defaults_for(engines[0].info.path)
    if args.grid:
        configs = grid_for(defaults.profile)
    elif args.configs:
        configs = load_configs(args.configs)
    else:  # what Hearth itself uses for this model
        configs = [ChatConfig.from_profile("default", defaults.profile, system_prompt=defaults.system_prompt)]

    def progress(r: CaseResult) -> None:
        mark = "✓" if r.passed else "✗"
        print(
            f"{mark} {r.config:<22} {r.id:<15} {r.total_ms:7.0f} ms {r.ttft_ms:6.0f} ttft {r.tokens:4d} tok  "
            f"{r.answer[:70]!r}",
            file=sys.stderr,
            flush=True,
        )

    try:
        report = run_chat_eval(
            engines, cases, configs, block=args.block, cold=not args.warm, on_result=progress
        )
    finally:
        for engine in engines:
            engine.close()
    full = {"profile": defaults.profile.family, **report.as_dict()}
    if args.out:
        args.out.write_text(json.dumps(full, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.json:
        print_json(full)
        return 0
    print(chat_table(report))
    return 0


def chat_table(report: ChatEvalReport) -> str:
    """The configurations side by side, one row each: accuracy overall and per category, length, latency."""
    cats = list(dict.fromkeys(c for r in report.configs for c in r.by_category))
    short = {c: c[:6] for c in cats}
    head = ["config", "all", *short.values(), "tok", "words", "cut", "ttft50", "tot50", "tot95", "tok/s"]
    rows = [head]
    for r in report.configs:
        rows.append(
            [
                r.name,
                f"{r.accuracy:.3f}",
                *(f"{r.by_category.get(c, 0):.2f}" for c in cats),
                f"{r.tokens_mean:.1f}",
                f"{r.words_mean:.1f}",
                str(r.cut_by_length),
                f"{r.ttft_ms_p50:.0f}",
                f"{r.total_ms_p50:.0f}",
                f"{r.total_ms_p95:.0f}",
                f"{r.decode_tok_s_mean:.1f}",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = [
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |" for row in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    n = report.configs[0].cases if report.configs else 0
    lines.append(
        f"\n{n} cases, {report.engines} engine(s) x {report.threads} thread(s), {report.seconds:.0f} s, "
        f"model {report.model}"
    )
    return "\n".join(lines)
