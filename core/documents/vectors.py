"""A collection's vectors in FAISS, keyed by chunk id: a cache of what the database holds.

The index type follows the collection's size: exact search (flat inner product) while it is small, an
inverted-file index (IVF) once exact search would be slow. Both remove and add by id, so keeping a
collection current never means rebuilding. Measured with `hearth bench docs`.

The file is saved with a JSON sidecar naming the database's `vectors_version` it reflects and the file's
SHA-256; a stale, damaged or missing file is rebuilt from the vectors in the database.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from core.engine import physical_cores

# Exact search up to here. Above it IVF; back to flat only below half of it, so sizes near the line do not
# flip the type on every run.
FLAT_MAX_CHUNKS = 30_000
# IVF is retrained (the index rebuilt) when the collection has grown this many times past its training size.
IVF_REGROW_FACTOR = 4

# One query at a time is scanned fastest on one thread: measured on two busy cores, OpenMP's wake-ups made
# a 10k-vector flat search take 24 ms on two threads against 0.7 ms on one. Training uses all cores.
faiss.omp_set_num_threads(1)


@dataclass(frozen=True)
class IndexInfo:
    kind: str  # flat | ivf
    count: int
    nlist: int = 0
    nprobe: int = 0


class VectorIndex:
    """Inner-product search over L2-normalised vectors (cosine). Thread-safe."""

    def __init__(
        self,
        index: faiss.Index,
        kind: str,
        dim: int,
        version: int,
        trained_on: int = 0,
        flat_max: int = FLAT_MAX_CHUNKS,
    ) -> None:
        self._index = index
        self.kind = kind
        self.dim = dim
        self.version = version
        self.trained_on = trained_on
        self.flat_max = flat_max
        self._lock = threading.Lock()

    # ---- building ----

    @classmethod
    def empty(cls, dim: int, version: int = 0, flat_max: int = FLAT_MAX_CHUNKS) -> VectorIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)), "flat", dim, version, flat_max=flat_max)

    @classmethod
    def build(
        cls, ids: np.ndarray, vectors: np.ndarray, dim: int, version: int, flat_max: int = FLAT_MAX_CHUNKS
    ) -> VectorIndex:
        """The right kind of index for this many vectors, holding them all.

        Args:
            flat_max: the most vectors searched exactly; more go to an IVF index.
        """
        n = len(ids)
        if n <= flat_max:
            built = cls.empty(dim, version, flat_max)
        else:
            nlist = ivf_nlist(n)
            quantizer = faiss.IndexFlatIP(dim)
            ivf = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
            sample = vectors
            if n > nlist * 64:  # k-means needs tens of points per list, not all of them
                rng = np.random.default_rng(0)
                sample = vectors[rng.choice(n, nlist * 64, replace=False)]
            faiss.omp_set_num_threads(physical_cores())
            try:
                ivf.train(np.ascontiguousarray(sample, dtype=np.float32))
            finally:
                faiss.omp_set_num_threads(1)
            ivf.nprobe = ivf_nprobe(nlist)
            built = cls(ivf, "ivf", dim, version, trained_on=n, flat_max=flat_max)
        if n:
            built.add(ids, vectors)
        return built

    @classmethod
    def from_batches(cls, batches: Iterable[list[tuple[int, bytes]]], dim: int, version: int) -> VectorIndex:
        """Rebuild from the database's (chunk id, float32 bytes) rows."""
        ids: list[int] = []
        blobs: list[bytes] = []
        for batch in batches:
            for chunk_id, blob in batch:
                ids.append(chunk_id)
                blobs.append(blob)
        if not ids:
            return cls.empty(dim, version)
        vectors = np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(ids), dim)
        return cls.build(np.asarray(ids, dtype=np.int64), vectors, dim, version)

    def needs_rebuild(self) -> bool:
        """Whether the collection's size now calls for another kind of index, or a retrained IVF."""
        n = self.count
        if self.kind == "flat":
            return n > self.flat_max
        return n < self.flat_max // 2 or n > self.trained_on * IVF_REGROW_FACTOR

    # ---- changing and searching ----

    @property
    def count(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> set[int]:
        """The ids the index holds."""
        with self._lock:
            id_map = getattr(self._index, "id_map", None)
            if id_map is None:  # IVF: ids live in the inverted lists
                invlists = faiss.extract_index_ivf(self._index).invlists
                assert invlists is not None  # an IVF index always has its lists
                out: set[int] = set()
                for lst in range(invlists.nlist):
                    size = invlists.list_size(lst)
                    if size:
                        ptr = invlists.get_ids(lst)
                        out.update(int(i) for i in faiss.rev_swig_ptr(ptr, size))
                return out
            return {int(i) for i in faiss.vector_to_array(id_map)}

    def info(self) -> IndexInfo:
        if self.kind == "ivf":
            ivf = faiss.extract_index_ivf(self._index)
            return IndexInfo("ivf", self.count, int(ivf.nlist), int(ivf.nprobe))
        return IndexInfo("flat", self.count)

    def add(self, ids: Sequence[int] | np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        with self._lock:
            self._index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))

    def remove(self, ids: Sequence[int]) -> None:
        if len(ids) == 0:
            return
        with self._lock:
            self._index.remove_ids(faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64)))

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(chunk id, cosine similarity) of the `k` nearest vectors, nearest first."""
        with self._lock:
            if self._index.ntotal == 0 or k <= 0:
                return []
            q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.dim)
            scores, ids = self._index.search(q, min(k, self._index.ntotal))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    # ---- files ----

    def save(self, path: Path) -> None:
        """Write atomically: the index, then the sidecar that vouches for it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with self._lock:
            faiss.write_index(self._index, str(tmp))
            meta = {
                "version": self.version,
                "kind": self.kind,
                "dim": self.dim,
                "count": int(self._index.ntotal),
                "trained_on": self.trained_on,
            }
        meta["sha256"] = _sha256(tmp)
        os.replace(tmp, path)
        sidecar = _sidecar(path)
        sidecar_tmp = sidecar.with_name(sidecar.name + ".tmp")
        sidecar_tmp.write_text(json.dumps(meta))
        os.replace(sidecar_tmp, sidecar)

    @classmethod
    def load(cls, path: Path, dim: int, version: int) -> VectorIndex | None:
        """The saved index if it is whole and reflects `version`; None if it must be rebuilt."""
        try:
            meta = json.loads(_sidecar(path).read_text())
            if meta["version"] != version or meta["dim"] != dim or meta["sha256"] != _sha256(path):
                return None
            index = faiss.read_index(str(path))
        except (OSError, ValueError, KeyError, TypeError, RuntimeError):
            return None  # missing, unreadable, or damaged: the caller rebuilds from the database
        if index.d != dim or index.ntotal != meta["count"]:
            return None
        return cls(index, str(meta["kind"]), dim, version, trained_on=int(meta.get("trained_on", 0)))


def ivf_nlist(n: int) -> int:
    """Inverted lists for n vectors: about 4·√n, FAISS's usual advice, within sensible bounds."""
    return int(min(max(4 * math.sqrt(n), 64), 16384))


def ivf_nprobe(nlist: int) -> int:
    """Lists searched per query: enough for high recall on embeddings (see `hearth bench docs`)."""
    return max(16, nlist // 32)


def index_path(folder: Path, collection_id: int) -> Path:
    return folder / f"collection-{collection_id}.faiss"


def remove_files(path: Path) -> None:
    for p in (path, _sidecar(path)):
        p.unlink(missing_ok=True)


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
