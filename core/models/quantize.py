"""Quantizing a GGUF with llama.cpp's own quantizer (llama-cpp-python's `llama_model_quantize`).

The quantizer runs in a child process (core.models.quantize_worker): cancel kills it at once and a crash in
native code cannot take the app down. It writes to a hidden temp file beside the target, which is checked
and moved into place only on success, then registered in the catalog with the source as its parent.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from core.engine import physical_cores
from core.errors import NotEnoughSpaceError, QuantizeError
from core.models.catalog import ModelCatalog, Provenance
from core.models.child import run_child
from core.models.download import SPARE_BYTES
from core.models.gguf_info import read_gguf
from core.models.progress import ProgressCallback, Reporter, check_cancel
from core.models.quant_types import FLOAT_TYPES, QUANT_TYPES, quant_type
from core.store import ModelRecord

_TENSOR_LINE = re.compile(r"\[\s*(\d+)\s*/\s*(\d+)\s*\]")


@dataclass(frozen=True)
class QuantizeResult:
    record: ModelRecord
    seconds: float
    warning: str  # "" unless the source was already quantized


def requantize_warning(source_type: str, target: str) -> str:
    """Non-empty when quantizing from an already-quantized file, which compounds the loss."""
    if source_type.upper() in FLOAT_TYPES:
        return ""
    return (
        f"The source is already quantized ({source_type}); {target} made from it is worse than {target} "
        "made from the original F16/BF16/F32 model. Use the original when you can."
    )


def default_output(catalog: ModelCatalog, source: Path, source_type: str, target: str) -> Path:
    """models/<source name without its quant>-<TARGET>.gguf"""
    stem = source.stem
    for name in sorted(QUANT_TYPES, key=len, reverse=True):
        m = re.search(rf"[-_.]{re.escape(name)}$", stem, flags=re.IGNORECASE)
        if m:
            stem = stem[: m.start()]
            break
    return catalog.models_dir / f"{stem}-{target}.gguf"


def quantize_model(
    catalog: ModelCatalog,
    source: str,
    target: str,
    *,
    output: Path | None = None,
    threads: int = 0,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> QuantizeResult:
    """Quantize the model `source` (catalog id or path) to `target` ("Q4_K_M", ...) and register the result.

    Raises:
        UnsupportedQuantError: `target` is not a type Hearth offers (checked before anything else).
        ModelFileError: the source is not a usable GGUF.
        QuantizeError: llama.cpp failed or crashed; nothing is left behind.
        OperationCancelled: `cancel` was set; the child was killed and its temp file deleted.
    """
    q = quant_type(target)
    src = catalog.resolve(source).resolve()
    info = read_gguf(src)
    if info.quant_type.upper() == q.name:
        raise QuantizeError(f"'{src.name}' is already {q.name}.")
    warning = requantize_warning(info.quant_type, q.name)
    out = (output or default_output(catalog, src, info.quant_type, q.name)).resolve()
    if out.exists():
        raise QuantizeError(f"'{out}' already exists; remove it first or choose another output.")
    out.parent.mkdir(parents=True, exist_ok=True)
    estimate = int(info.n_params * q.bits_per_weight / 8 * 1.1)
    free = os.statvfs(out.parent).f_bavail * os.statvfs(out.parent).f_frsize
    if estimate + SPARE_BYTES > free:
        raise NotEnoughSpaceError(
            f"Not enough disk space to write {q.name} of '{src.name}': about {estimate / 1e9:.2f} GB "
            f"needed, {free / 1e9:.2f} GB free."
        )
    check_cancel(cancel, "The quantization")

    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    reporter = Reporter(progress, "quantize", len(info.tensors), "tensors")
    reporter.update(0, f"{src.name} → {q.name}", force=True)

    def on_line(line: str) -> None:
        m = _TENSOR_LINE.search(line)
        if m:
            reporter.update(int(m.group(1)), line.split("]", 1)[1].strip().split(" ")[0])

    t0 = time.perf_counter()
    try:
        result = run_child(
            [
                "-m",
                "core.models.quantize_worker",
                str(src),
                str(tmp),
                str(q.ftype),
                str(threads or physical_cores()),
                "0" if not warning else "1",
            ],
            on_line,
            cancel,
            "The quantization",
        )
        if result.returncode != 0:
            detail = next(
                (ln for ln in reversed(result.tail) if "error" in ln.lower() or "failed" in ln.lower()),
                result.tail[-1] if result.tail else "",
            )
            how = f"crashed (signal {-result.returncode})" if result.returncode < 0 else "failed"
            raise QuantizeError(f"Quantizing '{src.name}' to {q.name} {how}: {detail.strip()}")
        read_gguf(tmp)  # a complete, readable file, or ModelFileError
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    seconds = time.perf_counter() - t0
    parent = catalog.store.catalog.find_path(str(src))
    try:
        record = catalog.register(out, Provenance(parent_id=parent.id if parent else ""))
    except Exception:
        out.unlink(missing_ok=True)
        raise
    reporter.update(len(info.tensors), "done", force=True)
    return QuantizeResult(record, seconds, warning)
