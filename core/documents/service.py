"""Documents: the API the GUI and the CLI use for RAG over the user's files.

Collections of files and folders; adding them (with progress and cancel), keeping them current, listing
files with the reasons some were skipped, hybrid search, and answers that cite their sources.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from core import paths
from core.documents.answer import Answer, build_messages, citations_for
from core.documents.indexer import Indexer, IndexOptions, IndexReport, Progress
from core.documents.search import Hit, fts_match, fuse
from core.documents.vectors import VectorIndex, index_path, remove_files
from core.embeddings import DEFAULT_EMBED_MODEL, Embedder, EmbedderHost
from core.engine import ChatEngine, GenerationOptions, prompt_budget
from core.errors import DocumentError
from core.models.profiles import defaults_for
from core.store import DocCollection, DocFile, Store

ANSWER_MAX_TOKENS = 192  # a short answer and its citations

DEFAULT_COLLECTION = "default"
# The embedding model's tokens per chunk, and how many of them each chunk shares with the one before.
# all-MiniLM-L6-v2 was trained on 128-token inputs: longer ones embed less well.
DEFAULT_CHUNK_TOKENS = 128
DEFAULT_OVERLAP_TOKENS = 24
# How many candidates each retriever proposes for fusion, per result asked for (at least _MIN_DEPTH).
_DEPTH_PER_RESULT = 4
_MIN_DEPTH = 20

SearchMode = Literal["hybrid", "vector", "lexical"]


@dataclass(frozen=True)
class CollectionInfo:
    collection: DocCollection
    roots: list[str]
    files_indexed: int
    files_skipped: int
    chunks: int

    def as_dict(self) -> dict[str, object]:
        c = self.collection
        return {
            "name": c.name,
            "embed_model": c.embed_model,
            "chunk_tokens": c.chunk_tokens,
            "overlap_tokens": c.overlap_tokens,
            "roots": self.roots,
            "files_indexed": self.files_indexed,
            "files_skipped": self.files_skipped,
            "chunks": self.chunks,
        }


class DocumentsService:
    """RAG over the user's files. Thread-safe; one indexing run per collection at a time.

    Args:
        store: the open database.
        embedders: shared loader of embedding models (loading takes seconds: share one per process).
        root: the data dir, where FAISS files go beside the database (default: the store's).
    """

    def __init__(self, store: Store, embedders: EmbedderHost | None = None, root: Path | None = None) -> None:
        self.store = store
        self.docs = store.documents
        self.embedders = embedders or EmbedderHost()
        self.vectors_dir = paths.vectors_dir(root or store.root)
        self._lock = threading.Lock()
        self._indexes: dict[int, VectorIndex] = {}
        self._runs: dict[int, threading.Lock] = {}
        self._indexing: set[int] = set()  # collections an indexing run is updating: their index is live

    # ---- collections ----

    def create_collection(
        self,
        name: str,
        embed_model: str = DEFAULT_EMBED_MODEL,
        chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
        overlap_tokens: int = DEFAULT_OVERLAP_TOKENS,
    ) -> DocCollection:
        """A new, empty collection whose files are embedded with `embed_model` (an id or a folder path)."""
        if embed_model != DEFAULT_EMBED_MODEL:
            embed_model = str(Path(embed_model).expanduser().resolve())
        embedder = self.embedders.get(embed_model)
        chunk_tokens = min(chunk_tokens, embedder.max_tokens - 2)  # room for [CLS] and [SEP]
        if not 0 <= overlap_tokens < chunk_tokens:
            raise DocumentError("The overlap must be smaller than the chunk size.")
        return self.docs.create_collection(name, embed_model, embedder.dim, chunk_tokens, overlap_tokens)

    def collection(self, name: str) -> DocCollection:
        return self.docs.collection(name)

    def collections(self) -> list[CollectionInfo]:
        out = []
        for c in self.docs.collections():
            counts = self.docs.file_counts(c.id)
            out.append(
                CollectionInfo(
                    c,
                    self.docs.roots(c.id),
                    counts.get("indexed", 0),
                    counts.get("skipped", 0),
                    self.docs.chunk_count(c.id),
                )
            )
        return out

    def delete_collection(self, name: str) -> None:
        c = self.docs.collection(name)
        with self._run_lock(c.id):
            self.docs.delete_collection(c.id)
            with self._lock:
                self._indexes.pop(c.id, None)
            remove_files(index_path(self.vectors_dir, c.id))

    # ---- adding, keeping current, removing ----

    def add(
        self,
        paths_: Sequence[str | Path],
        collection: str = DEFAULT_COLLECTION,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        options: IndexOptions | None = None,
    ) -> IndexReport:
        """Add files and folders to `collection` (created if new) and index them.

        Files already indexed and unchanged cost a stat each; changed ones are re-indexed, and files gone
        from an added folder are dropped. Skipped files are kept with their reason (see `files`).
        """
        roots = [os.path.abspath(os.path.expanduser(p)) for p in paths_]
        for root in roots:
            if not os.path.lexists(root):
                raise DocumentError(f"No file or folder at '{root}'.")
        c = self.docs.find_collection(collection) or self.create_collection(collection)
        for root in roots:
            self.docs.add_root(c.id, root)
        return self._index(c, roots, progress, cancel, options)

    def refresh(
        self,
        collection: str = DEFAULT_COLLECTION,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
        options: IndexOptions | None = None,
    ) -> IndexReport:
        """Rescan everything added to `collection`: re-index changed files, drop deleted ones."""
        c = self.docs.collection(collection)
        return self._index(c, self.docs.roots(c.id), progress, cancel, options)

    def remove(self, path: str | Path, collection: str = DEFAULT_COLLECTION) -> list[str]:
        """Forget a file, or a folder and every file in it. Returns the paths forgotten.

        A path inside a folder that stays in the collection is excluded from it: refreshing does not bring
        it back, adding it again does.
        """
        c = self.docs.collection(collection)
        target = os.path.abspath(os.path.expanduser(str(path)))
        with self._run_lock(c.id):
            files = self.docs.files_under(c.id, target)
            roots = self.docs.remove_roots(c.id, target)
            if not files and not roots:
                raise DocumentError(f"'{target}' is not in the collection '{c.name}'.")
            index = self._vectors(c)
            change = self.docs.delete_files(c.id, [f.id for f in files])
            index.remove(change.removed)
            index.version = change.version
            self._save(c, index)
        return [f.path for f in files]

    def files(self, collection: str = DEFAULT_COLLECTION, status: str | None = None) -> list[DocFile]:
        """The collection's files, indexed and skipped (`status` filters); skipped ones carry a reason."""
        return self.docs.files(self.docs.collection(collection).id, status)

    def _index(
        self,
        c: DocCollection,
        roots: list[str],
        progress: Progress | None,
        cancel: threading.Event | None,
        options: IndexOptions | None,
    ) -> IndexReport:
        with self._run_lock(c.id):
            indexer = Indexer(self.docs, c, self.embedders.get(c.embed_model), self._vectors(c), options)
            with self._lock:
                self._indexing.add(c.id)
            try:
                report = indexer.run(roots, progress, cancel, excluded=self.docs.roots(c.id, excluded=True))
            finally:
                with self._lock:
                    self._indexing.discard(c.id)
                if indexer.vectors_stale:
                    with self._lock:
                        self._indexes.pop(c.id, None)
                else:
                    self._save(c, indexer.vectors)
            return report

    # ---- search and answers ----

    def search(
        self,
        query: str,
        collections: Sequence[str] | None = None,
        k: int = 5,
        *,
        mode: SearchMode = "hybrid",
    ) -> list[Hit]:
        """The `k` chunks that best match `query` in `collections` (default: all), best first.

        `mode` "vector" or "lexical" uses one retriever alone (for evaluation and comparison).
        """
        chosen = self._chosen(collections)
        if not query.strip() or not chosen or k <= 0:
            return []
        depth = max(k * _DEPTH_PER_RESULT, _MIN_DEPTH)
        vector_hits: list[tuple[int, float]] = []
        if mode != "lexical":
            for embedder, group in self._by_embedder(chosen):
                q = embedder.embed_query(query)
                for c in group:
                    vector_hits += self._vectors(c).search(q, depth)
            vector_hits.sort(key=lambda h: -h[1])
            vector_hits = vector_hits[:depth]
        match = fts_match(query) if mode != "vector" else None
        lexical_hits = self.docs.lexical_search([c.id for c in chosen], match, depth) if match else []
        fused = fuse([[i for i, _ in vector_hits], [i for i, _ in lexical_hits]])[:k]
        cosine, bm25 = dict(vector_hits), dict(lexical_hits)
        names = {c.id: c.name for c in chosen}
        chunks = {ch.id: ch for ch in self.docs.chunks([i for i, _ in fused])}
        hits: list[Hit] = []
        for chunk_id, score in fused:
            ch = chunks.get(chunk_id)
            if ch is None:  # removed since the FAISS index was saved, by another process
                continue
            hits.append(
                Hit(
                    rank=len(hits) + 1,
                    chunk_id=ch.id,
                    collection=names[ch.collection_id],
                    file=ch.path,
                    place=ch.place,
                    text=ch.text,
                    score=round(score, 6),
                    vector_score=_rounded(cosine.get(chunk_id)),
                    lexical_score=_rounded(bm25.get(chunk_id)),
                )
            )
        return hits

    def ask(
        self,
        question: str,
        engine: ChatEngine,
        collections: Sequence[str] | None = None,
        *,
        k: int = 3,
        options: GenerationOptions | None = None,
        on_token: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Answer:
        """Answer `question` from the `k` best chunks, citing them as [1], [2]...

        The citations are the chunks given to the model (as many of the `k` as fit its context), each
        marked `cited` if the answer's text cites its number.
        """
        if not question.strip():
            raise DocumentError("The question is empty.")
        defaults = defaults_for(engine.info.path)
        options = options or replace(defaults.options(), max_tokens=ANSWER_MAX_TOKENS)
        hits = self.search(question, collections, k)
        budget = prompt_budget(engine.n_ctx, options.max_tokens)
        messages, used = build_messages(
            question, hits, engine.count_tokens, budget, base_prompt=defaults.system_prompt
        )
        result = engine.chat(messages, options, on_token=on_token, cancel=cancel)
        text = result.text.strip()
        return Answer(question, text, citations_for(text, used), result.finish_reason, result.metrics)

    # ---- which collections a conversation uses ----

    def conversation_collections(self, conversation_id: int) -> list[DocCollection]:
        return self.docs.conversation_collections(conversation_id)

    def set_conversation_collections(self, conversation_id: int, names: Sequence[str]) -> None:
        self.store.conversations.get(conversation_id)  # a clear error for a wrong id
        ids = [self.docs.collection(n).id for n in names]
        self.docs.set_conversation_collections(conversation_id, ids)

    # ---- FAISS indexes ----

    def vector_index(self, collection: str) -> VectorIndex:
        """The collection's FAISS index, loaded, or rebuilt from the database if stale or damaged."""
        return self._vectors(self.docs.collection(collection))

    def _vectors(self, c: DocCollection) -> VectorIndex:
        version = self.docs.vectors_version(c.id)
        with self._lock:
            index = self._indexes.get(c.id)
            # During a run the indexer mirrors each commit in this index just after it: use it as it is.
            if index is not None and (index.version == version or c.id in self._indexing):
                return index
            path = index_path(self.vectors_dir, c.id)
            index = VectorIndex.load(path, c.dim, version)
            if index is None:
                index = VectorIndex.from_batches(self.docs.iter_vectors(c.id), c.dim, version)
                index.save(path)
            self._indexes[c.id] = index
            return index

    def _save(self, c: DocCollection, index: VectorIndex) -> None:
        if index.needs_rebuild():
            with self._lock:
                self._indexes.pop(c.id, None)
            remove_files(index_path(self.vectors_dir, c.id))
            self._vectors(c)  # rebuilds the right kind for the new size, and saves it
        else:
            index.save(index_path(self.vectors_dir, c.id))

    def _chosen(self, names: Sequence[str] | None) -> list[DocCollection]:
        if names is None:
            return self.docs.collections()
        return [self.docs.collection(n) for n in dict.fromkeys(names)]

    def _by_embedder(self, chosen: list[DocCollection]) -> list[tuple[Embedder, list[DocCollection]]]:
        groups: dict[str, list[DocCollection]] = {}
        for c in chosen:
            groups.setdefault(c.embed_model, []).append(c)
        return [(self.embedders.get(model), cs) for model, cs in groups.items()]

    def _run_lock(self, collection_id: int) -> threading.Lock:
        with self._lock:
            return self._runs.setdefault(collection_id, threading.Lock())


def _rounded(x: float | None) -> float | None:
    return None if x is None else round(x, 6)
