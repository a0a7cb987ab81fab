"""Converting a Hugging Face safetensors checkpoint to GGUF F16 with llama.cpp's own converter.

llama.cpp's `convert_hf_to_gguf.py` (with its `conversion/` package and its own `gguf-py`) is not in the
llama-cpp-python wheel, only in its source distribution. Hearth fetches that sdist for the installed
llama-cpp-python version from PyPI with pip, once, and keeps just the converter in the user cache dir
(`install_converter`); the desktop bundle ships its own copy (core.frozen), and HEARTH_CONVERTER_DIR can
point at a llama.cpp checkout instead. The converter then
runs as a child process (it needs torch, transformers, numpy and, for SentencePiece tokenizers,
sentencepiece), writing to a temp file that is checked and moved into place only on success.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import platformdirs

from core.errors import ConvertError, OperationCancelled
from core.frozen import CONVERTER_FOLDER, bundle_dir
from core.models.catalog import ModelCatalog, Provenance
from core.models.child import run_child
from core.models.gguf_info import read_gguf
from core.models.progress import ProgressCallback, Reporter, check_cancel
from core.store import ModelRecord

CONVERTER_ENV = "HEARTH_CONVERTER_DIR"
SCRIPT = "convert_hf_to_gguf.py"
_KEEP = (SCRIPT, "conversion/", "gguf-py/", "LICENSE")
OUT_TYPES = ("f16", "bf16", "f32", "q8_0")
_TENSOR_LINE = re.compile(r"^INFO:hf-to-gguf:.*-->")


@dataclass(frozen=True)
class ConvertResult:
    record: ModelRecord
    seconds: float


def llama_cpp_version() -> str:
    return version("llama-cpp-python")


def converter_dir() -> Path:
    """Where the converter lives: HEARTH_CONVERTER_DIR, else the desktop bundle's own copy, else the cache
    copy for this llama-cpp-python."""
    override = os.environ.get(CONVERTER_ENV)
    if override:
        return Path(override).expanduser()
    bundle = bundle_dir()
    if bundle is not None and converter_installed(bundle / CONVERTER_FOLDER):
        return bundle / CONVERTER_FOLDER
    cache = Path(platformdirs.user_cache_dir("Hearth", appauthor=False))
    return cache / f"llama.cpp-converter-{llama_cpp_version()}"


def converter_installed(folder: Path | None = None) -> bool:
    folder = folder or converter_dir()
    return (folder / SCRIPT).is_file() and (folder / "gguf-py").is_dir()


def install_converter(
    progress: ProgressCallback | None = None, cancel: threading.Event | None = None
) -> Path:
    """Fetch llama.cpp's converter from the llama-cpp-python sdist on PyPI (about 75 MB, once)."""
    target = converter_dir()
    if converter_installed(target):
        return target
    if os.environ.get(CONVERTER_ENV):
        raise ConvertError(f"{CONVERTER_ENV} points at '{target}', which holds no {SCRIPT}.")
    spec = f"llama-cpp-python=={llama_cpp_version()}"
    reporter = Reporter(progress, "install-converter", None)
    reporter.update(0, f"downloading the {spec} source from PyPI", force=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        result = run_child(
            ["-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:", spec, "-d", tmp],
            lambda line: None,
            cancel,
            "Installing the converter",
        )
        sdists = list(Path(tmp).glob("*.tar.gz"))
        if result.returncode != 0 or not sdists:
            raise ConvertError(
                f"Could not download the {spec} source from PyPI to get llama.cpp's converter: "
                + (result.tail[-1] if result.tail else "pip failed")
            )
        check_cancel(cancel, "Installing the converter")
        staging = Path(tmp) / "converter"
        _extract_converter(sdists[0], staging)
        if not converter_installed(staging):
            raise ConvertError(f"The {spec} source has no {SCRIPT}; this version cannot convert.")
        os.replace(staging, target)
    return target


def _extract_converter(sdist: Path, dest: Path) -> None:
    marker = "/vendor/llama.cpp/"
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            _, sep, rel = member.name.partition(marker)
            if not sep or not member.isfile() or not rel.startswith(_KEEP):
                continue
            out = dest / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            src = tar.extractfile(member)
            if src is not None:
                with src, out.open("wb") as f:
                    shutil.copyfileobj(src, f)


def checkpoint_tensor_count(folder: Path) -> int:
    """Tensors in the checkpoint's safetensors files (read from their JSON headers), for progress."""
    n = 0
    for f in folder.glob("*.safetensors"):
        with f.open("rb") as fh:
            (size,) = struct.unpack("<Q", fh.read(8))
            header = json.loads(fh.read(size))
        n += sum(1 for k in header if k != "__metadata__")
    return n


def check_checkpoint(folder: Path) -> str:
    """Raise ConvertError unless `folder` looks like a HF safetensors checkpoint; return its architecture."""
    if not folder.is_dir():
        raise ConvertError(f"'{folder}' is not a folder: give the folder of a Hugging Face checkpoint.")
    config = folder / "config.json"
    if not config.is_file():
        raise ConvertError(f"'{folder}' has no config.json: it is not a Hugging Face checkpoint.")
    if not any(folder.glob("*.safetensors")):
        raise ConvertError(f"'{folder}' has no .safetensors files; Hearth converts safetensors checkpoints.")
    try:
        archs = json.loads(config.read_text()).get("architectures") or []
    except ValueError as e:
        raise ConvertError(f"'{config}' is not valid JSON: {e}.") from e
    if not archs:
        raise ConvertError(f"'{config}' names no architecture.")
    return str(archs[0])


def convert_checkpoint(
    catalog: ModelCatalog,
    folder: Path,
    *,
    outtype: str = "f16",
    output: Path | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> ConvertResult:
    """Convert the checkpoint in `folder` to GGUF (F16 by default) and register it.

    Raises:
        ConvertError: not a checkpoint, unsupported architecture, converter unavailable or failed.
        OperationCancelled: `cancel` was set; the child was killed and nothing is left behind.
    """
    if outtype not in OUT_TYPES:
        raise ConvertError(f"Convert to one of {', '.join(OUT_TYPES)}, not '{outtype}'.")
    folder = folder.expanduser().resolve()
    arch = check_checkpoint(folder)
    tools = converter_dir()
    if not converter_installed(tools):
        raise ConvertError(
            "llama.cpp's converter is not installed yet: run `hearth models convert --install-converter` "
            f"(it fetches it once from PyPI), or set {CONVERTER_ENV} to a llama.cpp checkout."
        )
    out = (output or catalog.models_dir / f"{folder.name}-{outtype.upper()}.gguf").resolve()
    if out.exists():
        raise ConvertError(f"'{out}' already exists; remove it first or choose another output.")
    out.parent.mkdir(parents=True, exist_ok=True)
    check_cancel(cancel, "The conversion")

    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    reporter = Reporter(progress, "convert", checkpoint_tensor_count(folder) or None, "tensors")
    reporter.update(0, f"{folder.name} ({arch}) → {outtype.upper()}", force=True)

    def on_line(line: str) -> None:
        if _TENSOR_LINE.match(line):
            reporter.advance(1)

    t0 = time.perf_counter()
    try:
        result = run_child(
            [str(tools / SCRIPT), str(folder), "--outfile", str(tmp), "--outtype", outtype],
            on_line,
            cancel,
            "The conversion",
            cwd=tools,
        )
        if result.returncode != 0:
            detail = next(
                (
                    ln
                    for ln in reversed(result.tail)
                    if re.search(r"error|not supported|exception", ln, re.IGNORECASE)
                ),
                result.tail[-1] if result.tail else "",
            )
            raise ConvertError(f"Converting '{folder.name}' ({arch}) failed: {detail.strip()}")
        read_gguf(tmp)
        os.replace(tmp, out)
    except OperationCancelled:
        raise
    finally:
        tmp.unlink(missing_ok=True)
    seconds = time.perf_counter() - t0
    try:
        record = catalog.register(out, Provenance(source_file=str(folder)))
    except Exception:
        out.unlink(missing_ok=True)
        raise
    return ConvertResult(record, seconds)
