"""`hearth docs ...`: collections of the user's files, searched and asked with cited answers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace

from core.commands.common import load_settings, print_json
from core.documents import DocumentsService, IndexOptions, IndexReport
from core.models.profiles import defaults_for
from core.runtime import open_engine, spec_from_settings
from core.store import Store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("docs", help="index your files and ask them questions (RAG)")
    actions = p.add_subparsers(dest="docs", required=True)

    add = actions.add_parser("add", help="add files or folders to a collection and index them")
    add.add_argument("paths", nargs="+", metavar="PATH")
    _collection_arg(add)
    add.add_argument(
        "--embed-model",
        help="for a new collection: 'all-minilm-l6-v2' (default) or a sentence-transformers folder",
    )
    add.add_argument("--max-file-mb", type=float, help="skip files larger than this (default 64)")
    add.add_argument("--json", action="store_true", help="print the report as one JSON object")
    add.set_defaults(run=run_add)

    ls = actions.add_parser("list", help="the files of a collection, with the reasons some were skipped")
    _collection_arg(ls)
    ls.add_argument("--skipped", action="store_true", help="only the skipped files")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(run=run_list)

    rm = actions.add_parser("remove", help="forget a file, or a folder and every file in it")
    rm.add_argument("path", metavar="PATH")
    _collection_arg(rm)
    rm.add_argument("--json", action="store_true")
    rm.set_defaults(run=run_remove)

    refresh = actions.add_parser("refresh", help="re-index changed files and drop deleted ones")
    _collection_arg(refresh)
    refresh.add_argument("--json", action="store_true")
    refresh.set_defaults(run=run_refresh)

    cols = actions.add_parser("collections", help="the collections and their sizes")
    cols.add_argument("--json", action="store_true")
    cols.set_defaults(run=run_collections)

    search = actions.add_parser("search", help="the chunks that best match a query")
    search.add_argument("query")
    search.add_argument("--k", "-k", type=int, default=5, help="how many chunks (default 5)")
    _collections_arg(search)
    search.add_argument("--json", action="store_true", help="print the chunks as one JSON list")
    search.set_defaults(run=run_search)

    ask = actions.add_parser("ask", help="answer a question from your files, citing them")
    ask.add_argument("question")
    ask.add_argument("--k", "-k", type=int, default=3, help="how many chunks the model reads (default 3)")
    _collections_arg(ask)
    ask.add_argument("--model", "-m", help="catalog id or GGUF path (default: the model setting)")
    ask.add_argument("--max-tokens", "-n", type=int, default=192)
    ask.add_argument("--temperature", "-t", type=float, help="default: the model's measured default")
    ask.add_argument("--json", action="store_true", help="print the answer and its citations as JSON")
    ask.set_defaults(run=run_ask)


def _collection_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--collection", "-c", default="default", help="collection name (default: 'default')")


def _collections_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--collection",
        "-c",
        action="append",
        dest="collections",
        help="search this collection (repeat for several; default: all)",
    )


def _service() -> DocumentsService:
    # The embedding model (torch) loads only when a command embeds: `list` and `remove` stay quick.
    return DocumentsService(Store())


# ---- actions ----


def run_add(args: argparse.Namespace) -> int:
    service = _service()
    if args.embed_model and service.docs.find_collection(args.collection) is None:
        service.create_collection(args.collection, args.embed_model)
    options = IndexOptions()
    if args.max_file_mb is not None:
        options = IndexOptions(max_file_bytes=int(args.max_file_mb * 1024 * 1024))
    # Ctrl-C stops the run between two commits: the files indexed so far stay, consistent.
    report = service.add(args.paths, args.collection, progress=_progress(), options=options)
    _print_report(report, args.json)
    return 0


def run_refresh(args: argparse.Namespace) -> int:
    report = _service().refresh(args.collection, progress=_progress())
    _print_report(report, args.json)
    return 0


def run_list(args: argparse.Namespace) -> int:
    files = _service().files(args.collection, "skipped" if args.skipped else None)
    if args.json:
        print_json(
            [
                {
                    "path": f.path,
                    "kind": f.kind,
                    "status": f.status,
                    "reason": f.reason,
                    "chunks": f.n_chunks,
                    "pages": f.pages,
                    "size": f.size,
                    "indexed_at": f.indexed_at,
                }
                for f in files
            ]
        )
        return 0
    for f in files:
        detail = f"{f.n_chunks} chunks" if f.status == "indexed" else f"skipped: {f.reason}"
        print(f"{f.path}  ({detail})")
    if not files:
        print(f"No files in '{args.collection}'. Add some with: hearth docs add PATH", file=sys.stderr)
    return 0


def run_remove(args: argparse.Namespace) -> int:
    removed = _service().remove(args.path, args.collection)
    if args.json:
        print_json({"removed": removed})
    else:
        print(f"Removed {len(removed)} file(s) from '{args.collection}'.")
    return 0


def run_collections(args: argparse.Namespace) -> int:
    infos = _service().collections()
    if args.json:
        print_json([i.as_dict() for i in infos])
        return 0
    for i in infos:
        print(
            f"{i.collection.name:<20} {i.files_indexed} files, {i.chunks} chunks, "
            f"{i.files_skipped} skipped  [{i.collection.embed_model}]"
        )
    return 0


def run_search(args: argparse.Namespace) -> int:
    hits = _service().search(args.query, args.collections, args.k)
    if args.json:
        print_json([h.as_dict() for h in hits])
        return 0
    for h in hits:
        place = h.place.label().replace(",", "", 1)
        print(f"[{h.rank}] {h.file}{place}  (score {h.score:.4f})")
        print("    " + " ".join(h.text.split())[:200])
    return 0


def run_ask(args: argparse.Namespace) -> int:
    service = _service()
    settings = load_settings()
    engine = open_engine(spec_from_settings(settings, args.model))
    options = defaults_for(engine.info.path).options()
    options = replace(
        options, max_tokens=args.max_tokens, temperature=_given(args.temperature, options.temperature)
    )
    stream = None if args.json else (lambda piece: print(piece, end="", flush=True))
    try:
        answer = service.ask(
            args.question, engine, args.collections, k=args.k, options=options, on_token=stream
        )
    finally:
        engine.close()
    if args.json:
        print_json(answer.as_dict())
        return 0
    print("\n")
    for c in answer.citations:
        print(f"{c.label()}{'' if c.cited else '  (not cited)'}  {c.file}")
    return 0


def _given(value: float | None, default: float) -> float:
    return default if value is None else value


# ---- output ----


def _progress() -> Callable[[int, int], None]:
    tty = sys.stderr.isatty()

    def show(done: int, total: int) -> None:
        # One line per file when piped (a log), one line rewritten in a terminal.
        end = "\r" if tty and done < total else "\n"
        print(f"indexing: {done}/{total} files", end=end, file=sys.stderr, flush=True)

    return show


def _print_report(report: IndexReport, as_json: bool) -> None:
    if as_json:
        print_json(report.as_dict())
        return
    print(
        f"{report.collection}: {len(report.added)} added, {len(report.updated)} updated, "
        f"{report.unchanged} unchanged, {len(report.removed)} removed, {len(report.skipped)} skipped "
        f"({report.chunks_embedded} chunks embedded, {report.chunks_reused} reused, {report.seconds:.1f} s)"
        + (" - cancelled" if report.cancelled else "")
    )
    for path, reason in report.skipped:
        print(f"  skipped {path}: {reason}")
