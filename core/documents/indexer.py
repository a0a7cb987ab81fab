"""Indexing: find the files under what the user added, and bring each one's chunks up to date.

One file at a time, each committed in one transaction (chunks, vectors, the file's record), so a run stopped
anywhere (cancelled, crashed, killed) leaves every file either wholly indexed or as it was. Unchanged files
are not read (same size and modification time) or not embedded (same hash); a changed file re-embeds only
the chunks whose text is new.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import threading
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.documents.chunking import chunk_sections
from core.documents.extract import Section, extract, has_line_numbers, kind_of
from core.documents.vectors import VectorIndex
from core.embeddings import Embedder
from core.errors import SkippedFile
from core.store.documents import ChunkChange, DocumentStore, FileMeta, NewChunk
from core.store.records import DocCollection

Progress = Callable[[int, int], None]

# Folders that hold tools' files, not the user's documents.
IGNORED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "venv"})


@dataclass(frozen=True)
class IndexOptions:
    """Limits for one indexing run. A file over a limit is skipped with the reason, the rest go on."""

    max_file_bytes: int = 64 * 1024 * 1024
    max_text_chars: int = 4_000_000  # about a million tokens: some minutes of embedding on two cores
    batch_size: int = 32


@dataclass
class IndexReport:
    """What one run did. Paths are absolute. `skipped` pairs a path with the reason shown to the user."""

    collection: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_reused: int = 0
    cancelled: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "collection": self.collection,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
            "removed": self.removed,
            "chunks_embedded": self.chunks_embedded,
            "chunks_reused": self.chunks_reused,
            "cancelled": self.cancelled,
            "seconds": round(self.seconds, 3),
        }


def walk(root: str, excluded: Collection[str] = ()) -> Iterator[str]:
    """Every candidate file under a folder (or the path itself), hidden files, tool folders and `excluded`
    paths left out.

    Symbolic links to files are followed when read; links to folders are not walked (they can loop).
    Broken links, pipes and the like are yielded too, so that they are listed with a reason.
    """
    if root in excluded:
        return
    if not os.path.isdir(root):
        yield root
        return
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and d not in IGNORED_DIRS and os.path.join(folder, d) not in excluded
        )
        for name in sorted(files):
            path = os.path.join(folder, name)
            if not name.startswith(".") and path not in excluded:
                yield path


class Indexer:
    """Ingests files into one collection, keeping its database rows and FAISS index in step."""

    def __init__(
        self,
        store: DocumentStore,
        collection: DocCollection,
        embedder: Embedder,
        vectors: VectorIndex,
        options: IndexOptions | None = None,
    ) -> None:
        self.store = store
        self.collection = collection
        self.embedder = embedder
        self.vectors = vectors
        self.options = options or IndexOptions()
        self.vectors_stale = False  # another process changed the collection under us: reload afterwards

    def run(
        self,
        roots: list[str],
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        *,
        excluded: Collection[str] = (),
        drop_missing: bool = True,
    ) -> IndexReport:
        """Index every file under `roots` but not under `excluded`; with `drop_missing`, forget files under
        the roots that are gone (or excluded).

        `progress(done, total)` is called with counts of files, once they are all found and after each one.
        """
        t0 = time.perf_counter()
        report = IndexReport(self.collection.name)
        excluded = set(excluded)
        found = {root: list(walk(root, excluded)) if os.path.lexists(root) else [] for root in roots}
        paths = list(dict.fromkeys(p for files in found.values() for p in files))
        total = len(paths)
        if progress is not None:
            progress(0, total)
        for done, path in enumerate(paths, 1):
            if cancel is not None and cancel.is_set():
                report.cancelled = True
                break
            self._index_file(path, report, cancel)
            if report.cancelled:
                break
            if progress is not None:
                progress(done, total)
        if drop_missing and not report.cancelled:
            seen = set(paths)
            for root in roots:
                gone = [f for f in self.store.files_under(self.collection.id, root) if f.path not in seen]
                if gone:
                    self._apply(self.store.delete_files(self.collection.id, [f.id for f in gone]), [], None)
                    report.removed += [f.path for f in gone]
        report.seconds = time.perf_counter() - t0
        return report

    def _index_file(self, path: str, report: IndexReport, cancel: threading.Event | None) -> None:
        cid = self.collection.id
        old = self.store.file(cid, path)
        kind = kind_of(Path(path))
        meta = FileMeta(path, kind, None, None)
        try:
            st = _stat(path)
            meta = FileMeta(path, kind, st.st_size, st.st_mtime_ns)
            if (
                old is not None
                and old.status == "indexed"
                and (old.size, old.mtime_ns) == (st.st_size, st.st_mtime_ns)
            ):
                report.unchanged += 1
                return
            if st.st_size > self.options.max_file_bytes:
                raise SkippedFile(
                    f"too large: {_mb(st.st_size)} (the limit is {_mb(self.options.max_file_bytes)})"
                )
            data = _read(path)
            digest = hashlib.sha256(data).hexdigest()
            if old is not None and old.status == "indexed" and old.sha256 == digest:
                self.store.touch_file(old.id, st.st_mtime_ns)  # touched, not changed
                report.unchanged += 1
                return
            meta = FileMeta(path, kind, len(data), st.st_mtime_ns, digest)
            sections = extract(data, kind)
            if sum(len(s.text) for s in sections) > self.options.max_text_chars:
                raise SkippedFile(
                    f"too much text: over {self.options.max_text_chars:,} characters "
                    f"(split the file, or raise the limit)"
                )
            spans = chunk_sections(
                sections,
                self.embedder.token_offsets,
                self.collection.chunk_tokens,
                self.collection.overlap_tokens,
                with_lines=has_line_numbers(kind),
            )
        except SkippedFile as e:
            self._apply(self.store.save_skipped_file(cid, meta, str(e)), [], None)
            report.skipped.append((path, str(e)))
            return

        # Chunks whose text is unchanged keep their vectors; only new text is embedded.
        reusable = self.store.chunk_vectors_by_text(old.id) if old is not None else {}
        new_texts = list(dict.fromkeys(s.text for s in spans if s.text not in reusable))
        embedded = self.embedder.embed(new_texts, self.options.batch_size, cancel)
        if len(embedded) < len(new_texts):  # cancelled mid-file: commit nothing of it
            report.cancelled = True
            return
        fresh = {t: embedded[i].tobytes() for i, t in enumerate(new_texts)}
        chunks = [
            NewChunk(seq, s.place, s.n_tokens, s.text, fresh.get(s.text) or reusable[s.text])
            for seq, s in enumerate(spans)
        ]
        meta = FileMeta(path, kind, meta.size, meta.mtime_ns, meta.sha256, _pages(sections))
        change = self.store.save_indexed_file(cid, meta, chunks)
        vectors = np.frombuffer(b"".join(c.vector for c in chunks), dtype=np.float32)
        self._apply(change, change.added, vectors)
        report.chunks_embedded += len(new_texts)
        report.chunks_reused += sum(1 for s in spans if s.text not in fresh)
        (report.updated if old is not None and old.status == "indexed" else report.added).append(path)

    def _apply(self, change: ChunkChange, ids: list[int], vectors: np.ndarray | None) -> None:
        """Mirror a committed change in the FAISS index, unless someone else's change came in between."""
        if self.vectors_stale or change.version not in (self.vectors.version, self.vectors.version + 1):
            self.vectors_stale = True
            return
        self.vectors.remove(change.removed)
        if vectors is not None and ids:
            self.vectors.add(ids, vectors.reshape(len(ids), self.vectors.dim))
        self.vectors.version = change.version


def _stat(path: str) -> os.stat_result:
    try:
        st = os.stat(path)  # follows links
    except FileNotFoundError as e:
        if os.path.islink(path):
            raise SkippedFile("broken link: the file it points to is gone") from e
        raise SkippedFile("cannot read: the file is gone") from e
    except OSError as e:
        raise SkippedFile(f"cannot read: {_why(e)}") from e
    if stat.S_ISDIR(st.st_mode):
        raise SkippedFile("cannot read: it is a folder")
    if not stat.S_ISREG(st.st_mode):
        raise SkippedFile("cannot read: not a regular file (a pipe, socket or device)")
    return st


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise SkippedFile(f"cannot read: {_why(e)}") from e


def _why(e: OSError) -> str:
    if e.errno in (errno.EACCES, errno.EPERM):
        return "no permission to read it"
    return (e.strerror or type(e).__name__).lower()


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _pages(sections: list[Section]) -> int | None:
    """The last page with text (PDF), or None for formats without pages."""
    pages = [s.page for s in sections if s.page is not None]
    return max(pages) if pages else None
