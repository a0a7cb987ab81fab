"""What a GGUF file holds, read from its header alone: architecture, size, quantization, context, template.

The gguf package's GGUFReader builds a Python object per vocabulary entry (seconds for a 49k-token model),
so the header is walked here with the package's own type tables, skipping arrays nobody asked for. The
walk also checks that every tensor's bytes lie inside the file, which catches truncated downloads.
"""

from __future__ import annotations

import hashlib
import mmap
import struct
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gguf import GGML_QUANT_SIZES, GGMLQuantizationType, GGUFValueType, LlamaFileType

from core.errors import ModelFileError

GGUF_MAGIC = b"GGUF"
_DEFAULT_ALIGNMENT = 32
_SCALARS: dict[GGUFValueType, str] = {
    GGUFValueType.UINT8: "<B",
    GGUFValueType.INT8: "<b",
    GGUFValueType.UINT16: "<H",
    GGUFValueType.INT16: "<h",
    GGUFValueType.UINT32: "<I",
    GGUFValueType.INT32: "<i",
    GGUFValueType.FLOAT32: "<f",
    GGUFValueType.BOOL: "<?",
    GGUFValueType.UINT64: "<Q",
    GGUFValueType.INT64: "<q",
    GGUFValueType.FLOAT64: "<d",
}


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]  # ggml order: shape[0] is the row length
    type: str  # GGMLQuantizationType name, e.g. "Q4_K"
    offset: int  # from the start of the data section
    n_bytes: int

    @property
    def n_elements(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n


@dataclass(frozen=True)
class GGUFInfo:
    """The catalog's view of a model file."""

    path: str
    size_bytes: int
    name: str
    architecture: str
    n_params: int
    quant_type: str  # "Q4_K_M", "F16", ... (general.file_type, or guessed from the tensors)
    context_length: int
    has_chat_template: bool
    n_layers: int
    n_embd: int
    n_head: int
    n_head_kv: int
    vocab_size: int
    metadata: dict[str, Any] = field(repr=False)  # every key, arrays left out unless asked for
    tensors: tuple[TensorInfo, ...] = field(repr=False)
    data_offset: int = 0  # where the tensor data section starts in the file (tensor offsets count from it)

    def arch_value(self, key: str, default: Any = None) -> Any:
        return self.metadata.get(f"{self.architecture}.{key}", default)


class _Cursor:
    def __init__(self, buf: mmap.mmap | bytes) -> None:
        self.buf = buf
        self.pos = 0

    def unpack(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.buf):
            raise EOFError
        (value,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return value

    def string(self) -> str:
        n = self.unpack("<Q")
        if self.pos + n > len(self.buf):
            raise EOFError
        raw = self.buf[self.pos : self.pos + n]
        self.pos += n
        return bytes(raw).decode("utf-8", errors="replace")

    def skip_string(self) -> None:
        n = self.unpack("<Q")
        self.pos += n
        if self.pos > len(self.buf):
            raise EOFError

    def value(self, vtype: int, keep: bool) -> Any:
        t = GGUFValueType(vtype)
        if t == GGUFValueType.STRING:
            return self.string()
        if t == GGUFValueType.ARRAY:
            item_type = GGUFValueType(self.unpack("<I"))
            count = self.unpack("<Q")
            if keep:
                return [self.value(item_type, True) for _ in range(count)]
            if item_type == GGUFValueType.STRING:
                for _ in range(count):
                    self.skip_string()
            elif item_type == GGUFValueType.ARRAY:
                for _ in range(count):
                    self.value(item_type, False)
            else:
                self.pos += count * struct.calcsize(_SCALARS[item_type])
                if self.pos > len(self.buf):
                    raise EOFError
            return ArraySummary(item_type.name, count)
        return self.unpack(_SCALARS[t])


@dataclass(frozen=True)
class ArraySummary:
    """Stands in for an array value that was skipped: its item type and length."""

    item_type: str
    count: int


def read_gguf(path: Path, keep_arrays: Iterable[str] = ()) -> GGUFInfo:
    """Read and check a GGUF header. Raises ModelFileError naming what is wrong with the file.

    Args:
        path: the file.
        keep_arrays: metadata keys whose array values are decoded in full (others are summarised).
    """
    shown = str(path)
    if not path.is_file():
        raise ModelFileError(shown, "the file does not exist" if not path.exists() else "it is not a file")
    size = path.stat().st_size
    if size < 24:
        raise ModelFileError(shown, "it is not a GGUF model file (too short)")
    keep = set(keep_arrays)
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        if buf[:4] != GGUF_MAGIC:
            raise ModelFileError(shown, "it is not a GGUF model file (wrong header)")
        cur = _Cursor(buf)
        cur.pos = 4
        try:
            version = cur.unpack("<I")
            if version not in (2, 3):
                raise ModelFileError(shown, f"GGUF version {version} is not supported")
            n_tensors = cur.unpack("<Q")
            n_kv = cur.unpack("<Q")
            meta: dict[str, Any] = {}
            for _ in range(n_kv):
                key = cur.string()
                meta[key] = cur.value(cur.unpack("<I"), key in keep)
            raw_tensors = []
            for _ in range(n_tensors):
                name = cur.string()
                n_dims = cur.unpack("<I")
                shape = tuple(cur.unpack("<Q") for _ in range(n_dims))
                ttype = cur.unpack("<I")
                offset = cur.unpack("<Q")
                raw_tensors.append((name, shape, ttype, offset))
        except EOFError:
            raise ModelFileError(shown, "the file is truncated: its header is cut short") from None
        except (ValueError, KeyError, struct.error) as e:
            raise ModelFileError(shown, f"its header is damaged ({e})") from None
        alignment = int(meta.get("general.alignment", _DEFAULT_ALIGNMENT))
        data_start = -(-cur.pos // alignment) * alignment

    tensors = []
    data_end = data_start
    for name, shape, ttype, offset in raw_tensors:
        try:
            qtype = GGMLQuantizationType(ttype)
            block, type_size = GGML_QUANT_SIZES[qtype]
        except (ValueError, KeyError):
            raise ModelFileError(shown, f"tensor '{name}' has an unknown type ({ttype})") from None
        n = 1
        for d in shape:
            n *= d
        n_bytes = n // block * type_size
        tensors.append(TensorInfo(name, shape, qtype.name, offset, n_bytes))
        data_end = max(data_end, data_start + offset + n_bytes)
    if data_end > size:
        raise ModelFileError(
            shown,
            f"the file is truncated: it has {size:,} bytes but its tensors need {data_end:,} "
            "(an interrupted download or copy?)",
        )
    return _summarise(path, size, meta, tuple(tensors), data_start)


def _summarise(
    path: Path, size: int, meta: dict[str, Any], tensors: tuple[TensorInfo, ...], data_offset: int
) -> GGUFInfo:
    arch = str(meta.get("general.architecture", "unknown"))

    def arch_int(key: str) -> int:
        v = meta.get(f"{arch}.{key}", 0)
        if isinstance(v, ArraySummary):  # per-layer values (some architectures): take none
            return 0
        return int(v or 0)

    tokens = meta.get("tokenizer.ggml.tokens")
    vocab = tokens.count if isinstance(tokens, ArraySummary) else len(tokens or ())
    return GGUFInfo(
        path=str(path),
        size_bytes=size,
        name=str(meta.get("general.name") or path.stem),
        architecture=arch,
        n_params=sum(t.n_elements for t in tensors),
        quant_type=_quant_type(meta, tensors),
        context_length=arch_int("context_length"),
        has_chat_template=bool(meta.get("tokenizer.chat_template")),
        n_layers=arch_int("block_count"),
        n_embd=arch_int("embedding_length"),
        n_head=arch_int("attention.head_count"),
        n_head_kv=arch_int("attention.head_count_kv") or arch_int("attention.head_count"),
        vocab_size=arch_int("vocab_size") or vocab,
        metadata=meta,
        tensors=tensors,
        data_offset=data_offset,
    )


def file_type_name(file_type: int) -> str:
    """llama.cpp's file type number as users know it: 15 -> "Q4_K_M"."""
    try:
        name = LlamaFileType(file_type).name
    except ValueError:
        return f"type {file_type}"
    return name.removeprefix("MOSTLY_").removeprefix("ALL_")


def _quant_type(meta: dict[str, Any], tensors: tuple[TensorInfo, ...]) -> str:
    ft = meta.get("general.file_type")
    if isinstance(ft, int):
        return file_type_name(ft)
    # No file type recorded: the type holding most of the matrix weights says it.
    weights: Counter[str] = Counter()
    for t in tensors:
        if len(t.shape) >= 2:
            weights[t.type] += t.n_elements
    return weights.most_common(1)[0][0] if weights else "unknown"


def sha256_file(
    path: Path, on_bytes: Callable[[int], None] | None = None, chunk: int = 8 * 1024 * 1024
) -> str:
    """The file's sha256 in hex, reading it in chunks (models are gigabytes)."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
            if on_bytes is not None:
                on_bytes(len(block))
    return h.hexdigest()
