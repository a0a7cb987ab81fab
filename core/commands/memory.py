"""`hearth memory`: see, search, edit and forget what Hearth remembers; teach it a conversation; ask it."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import Any

from core.commands.common import print_json
from core.store import Memory, MemoryRun


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("memory", help="what Hearth remembers about you: list, search, forget, ingest, ask")
    acts = p.add_subparsers(dest="memory_action", required=True)

    ls = acts.add_parser("list", help="every memory, most recently changed first")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(run=run_list)

    find = acts.add_parser("search", help="memories nearest in meaning to a text")
    find.add_argument("query")
    find.add_argument("-k", type=int, default=10, help="how many (default 10)")
    find.add_argument("--json", action="store_true")
    find.set_defaults(run=run_search)

    add = acts.add_parser("add", help="remember a fact you write yourself")
    add.add_argument("text")
    add.add_argument("--json", action="store_true")
    add.set_defaults(run=run_add)

    edit = acts.add_parser("edit", help="change a memory's text")
    edit.add_argument("id", type=int)
    edit.add_argument("text")
    edit.add_argument("--json", action="store_true")
    edit.set_defaults(run=run_edit)

    forget = acts.add_parser("forget", help="forget memories by id (or --all)")
    forget.add_argument("ids", type=int, nargs="*")
    forget.add_argument("--all", action="store_true", help="forget everything")
    forget.add_argument("--json", action="store_true")
    forget.set_defaults(run=run_forget)

    ingest = acts.add_parser("ingest", help="learn from a conversation file in LoCoMo's JSON format")
    ingest.add_argument("file", type=Path)
    ingest.add_argument("--sample", help="only the sample with this sample_id")
    ingest.add_argument("--json", action="store_true")
    ingest.set_defaults(run=run_ingest)

    ask = acts.add_parser("ask", help="answer a question from memory")
    ask.add_argument("question")
    ask.add_argument("-k", type=int, help="most memories to use (default: the setting)")
    ask.add_argument("--json", action="store_true", help="one JSON object: the answer and the memories used")
    ask.set_defaults(run=run_ask)

    log = acts.add_parser("log", help="recent memory runs and what each changed")
    log.add_argument("-n", type=int, default=20)
    log.add_argument("--json", action="store_true")
    log.set_defaults(run=run_log)


def _services() -> Any:
    from core.services import Services

    return Services.open()


def _memory_dict(m: Memory, score: float | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": m.id,
        "text": m.text,
        "source": m.source,
        "happened_at": m.happened_at,
        "created_at": m.created_at,
        "updated_at": m.updated_at,
        "source_ids": json.loads(m.source_ids or "[]"),
    }
    if score is not None:
        out["score"] = round(score, 4)
    return out


def _print_memories(items: list[tuple[Memory, float | None]], as_json: bool) -> None:
    if as_json:
        print_json([_memory_dict(m, s) for m, s in items])
        return
    if not items:
        print("Nothing remembered.")
    for m, s in items:
        score = f" ({s:.2f})" if s is not None else ""
        date = f" [{m.happened_at}]" if m.happened_at else ""
        print(f"{m.id:>5}{date} {m.text}{score}")


def run_list(args: argparse.Namespace) -> int:
    services = _services()
    try:
        _print_memories([(m, None) for m in services.memory.list()], args.json)
        return 0
    finally:
        services.close()


def run_search(args: argparse.Namespace) -> int:
    services = _services()
    try:
        _print_memories([(r.memory, r.score) for r in services.memory.search(args.query, args.k)], args.json)
        return 0
    finally:
        services.close()


def run_add(args: argparse.Namespace) -> int:
    services = _services()
    try:
        memory = services.memory.add(args.text)
        _print_memories([(memory, None)], args.json)
        return 0
    finally:
        services.close()


def run_edit(args: argparse.Namespace) -> int:
    services = _services()
    try:
        memory = services.memory.edit(args.id, args.text)
        _print_memories([(memory, None)], args.json)
        return 0
    finally:
        services.close()


def run_forget(args: argparse.Namespace) -> int:
    if not args.ids and not args.all:
        print("hearth memory forget: give memory ids, or --all.", file=sys.stderr)
        return 2
    services = _services()
    try:
        if args.all:
            forgotten = services.memory.forget_all()
            result: dict[str, Any] = {"forgotten": forgotten}
        else:
            gone = [services.memory.forget(i) for i in args.ids]
            result = {"forgotten": len(gone), "ids": [m.id for m in gone]}
        if args.json:
            print_json(result)
        else:
            print(f"Forgot {result['forgotten']} memor{'y' if result['forgotten'] == 1 else 'ies'}.")
        return 0
    finally:
        services.close()


def run_ingest(args: argparse.Namespace) -> int:
    from core.memory.evaluation import sessions_of
    from core.memory.locomo import load_locomo

    samples = load_locomo(args.file)
    if args.sample:
        samples = [s for s in samples if s.sample_id == args.sample]
        if not samples:
            print(f"hearth memory ingest: no sample '{args.sample}' in {args.file}.", file=sys.stderr)
            return 2
    services = _services()
    cancel = threading.Event()
    runs: list[MemoryRun] = []
    try:
        for sample in samples:

            def progress(done: int, total: int, name: str = sample.sample_id) -> None:
                print(f"\r{name}: {done}/{total} turns", end="", file=sys.stderr, flush=True)

            runs.append(services.memory.ingest(sessions_of(sample), progress=progress, cancel=cancel))
            print(file=sys.stderr)
    except KeyboardInterrupt:
        cancel.set()
        print("\nhearth memory ingest: stopped; what was learnt so far is kept.", file=sys.stderr)
        return 130
    finally:
        services.close()
    if args.json:
        print_json([_run_dict(r) for r in runs])
    else:
        for r in runs:
            print(f"run {r.id}: {r.facts} facts; {r.summary()}")
    return 0


def run_ask(args: argparse.Namespace) -> int:
    services = _services()
    try:
        streamed = not args.json and sys.stdout.isatty()
        asked = services.memory.ask(
            args.question, k=args.k, on_text=(lambda t: print(t, end="", flush=True)) if streamed else None
        )
    finally:
        services.close()
    if args.json:
        print_json(
            {
                "answer": asked.answer,
                "memories": [_memory_dict(m) for m in asked.used],
                "recalled": [_memory_dict(r.memory, r.score) for r in asked.recalled],
                "adapter": asked.adapter,
                "latency_ms": round(asked.ms, 1),
                **({"error": asked.error} if asked.error else {}),
            }
        )
        return 0 if not asked.error else 1
    if streamed:
        print()
    elif asked.answer:
        print(asked.answer)
    if asked.error:
        print(f"hearth memory ask: the model's answer could not be read: {asked.error}", file=sys.stderr)
        return 1
    for m in asked.used:
        print(f"  used memory {m.id}: {m.text}")
    if not asked.used:
        for r in asked.recalled:
            print(f"  looked at memory {r.memory.id}: {r.memory.text}")
    return 0


def run_log(args: argparse.Namespace) -> int:
    services = _services()
    try:
        runs = services.store.memories.runs(args.n)
        if args.json:
            print_json([_run_dict(r) for r in runs])
            return 0
        for r in runs:
            print(f"{r.id:>5} {r.started_at[:19]} {r.kind:<8} {r.status:<9} {r.summary()}")
            for e in reversed(services.store.memories.events(run_id=r.id)):
                text = e.new_text or e.old_text or e.fact or e.detail
                print(f"        {e.event:<6} {text}")
        return 0
    finally:
        services.close()


def _run_dict(r: MemoryRun) -> dict[str, Any]:
    return {
        "id": r.id,
        "kind": r.kind,
        "status": r.status,
        "started_at": r.started_at,
        "finished_at": r.finished_at,
        "facts": r.facts,
        "added": r.added,
        "updated": r.updated,
        "deleted": r.deleted,
        "unchanged": r.unchanged,
        "skipped": r.skipped,
        "error": r.error,
        "timings_ms": json.loads(r.timings or "{}"),
    }
