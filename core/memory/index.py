"""The memories' FAISS index: a cache of the vectors SQLite holds, kept in step with every change.

On open the saved index is checked against the database (whole file, same ids); a damaged, stale or
missing index is rebuilt from SQLite, and memories embedded with another model are embedded again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core.documents.vectors import VectorIndex
from core.embeddings import TextEncoder
from core.store import Memory, MemoryStore

log = logging.getLogger(__name__)


class MemoryIndex:
    def __init__(self, store: MemoryStore, encoder: TextEncoder, embed_model: str, path: Path) -> None:
        self._store = store
        self._encoder = encoder
        self.embed_model = embed_model
        self.path = path
        self._lock = threading.RLock()
        self._index: VectorIndex | None = None  # opened on first use: embedding models take seconds to load
        self.rebuilt = False  # whether opening had to rebuild (for the log and the tests)

    # ---- embedding ----

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self._encoder.encode(list(texts)), dtype=np.float32)

    # ---- keeping in step with the store ----

    def add(self, memory_id: int, vector: np.ndarray) -> None:
        with self._lock:
            index = self._open()
            # Opening may have just rebuilt the index from SQLite, which already holds this memory.
            index.remove([memory_id])
            index.add([memory_id], vector.reshape(1, -1))
            self._save()

    def replace(self, memory_id: int, vector: np.ndarray) -> None:
        with self._lock:
            index = self._open()
            index.remove([memory_id])
            index.add([memory_id], vector.reshape(1, -1))
            self._save()

    def remove(self, memory_ids: Sequence[int]) -> None:
        with self._lock:
            self._open().remove(list(memory_ids))
            self._save()

    def search(self, vector: np.ndarray, k: int, threshold: float = 0.0) -> list[tuple[Memory, float]]:
        """The `k` memories nearest `vector` with cosine similarity at least `threshold`, nearest first."""
        with self._lock:
            hits = [(i, s) for i, s in self._open().search(vector, k) if s >= threshold]
        by_id = {m.id: m for m in self._store.get_many([i for i, _ in hits])}
        return [(by_id[i], s) for i, s in hits if i in by_id]

    def ids(self) -> set[int]:
        with self._lock:
            return self._open().ids()

    @property
    def count(self) -> int:
        with self._lock:
            return self._open().count

    def rebuild(self) -> None:
        """Build the index again from SQLite, embedding again what another model embedded."""
        with self._lock:
            self._index = self._build()
            self.rebuilt = True
            self._save()

    # ---- files ----

    def _open(self) -> VectorIndex:
        if self._index is None:
            dim = self._dim()
            loaded = VectorIndex.load(self.path, dim, version=0)
            if loaded is not None and loaded.ids() == self._store.ids() and self._store_is_current():
                self._index = loaded
            else:
                log.warning("The memory index at %s is missing, damaged or stale: rebuilding it.", self.path)
                self.rebuild()
        assert self._index is not None
        return self._index

    def _dim(self) -> int:
        return int(self.embed(["dimension"]).shape[1])

    def _store_is_current(self) -> bool:
        return all(m.embed_model == self.embed_model for m in self._store.list())

    def _build(self) -> VectorIndex:
        dim = self._dim()
        stale = [m for m in self._store.list() if m.embed_model != self.embed_model]
        if stale:  # embedded with another model (or never): embed again, and store the new vectors
            vectors = self.embed([m.text for m in stale])
            for m, v in zip(stale, vectors, strict=True):
                self._store.set_vector(m.id, v.tobytes(), self.embed_model)
        return VectorIndex.from_batches(self._store.vectors(), dim, version=0)

    def _save(self) -> None:
        try:
            assert self._index is not None
            self._index.save(self.path)
        except OSError as e:  # a full disk: the index stays right in memory and is rebuilt next time
            log.warning("Cannot save the memory index to %s: %s", self.path, e)
