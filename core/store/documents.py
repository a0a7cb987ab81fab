"""Document collections, their files and chunks (text, place, vector), and each conversation's choice of them.

Every change to a collection's chunks happens in one transaction that also bumps the collection's
`vectors_version`: a file is either wholly in (all its chunks, with vectors) or not at all, whatever stops
an indexing run, and a FAISS file saved at an older version is known to be stale.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from core.errors import DocumentError, NotFoundError
from core.store.records import DocChunk, DocCollection, DocFile, Place, from_row, now_iso


@dataclass(frozen=True)
class FileMeta:
    """What identifies one version of a file on disk."""

    path: str
    kind: str
    size: int | None
    mtime_ns: int | None
    sha256: str | None = None
    pages: int | None = None


@dataclass(frozen=True)
class NewChunk:
    seq: int
    place: Place
    n_tokens: int
    text: str
    vector: bytes  # float32, the collection's dimension


@dataclass(frozen=True)
class ChunkChange:
    """Which chunk ids one committed change removed and added, and the collection's version after it."""

    removed: list[int]
    added: list[int]
    version: int


class DocumentStore:
    def __init__(self, db: sqlite_utils.Database, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    # ---- collections ----

    def create_collection(
        self, name: str, embed_model: str, dim: int, chunk_tokens: int, overlap_tokens: int
    ) -> DocCollection:
        name = name.strip()
        if not name:
            raise DocumentError("A collection needs a name.")
        try:
            with self._lock, self._db.conn:
                cursor = self._db.execute(
                    "insert into doc_collections (name, embed_model, dim, chunk_tokens, overlap_tokens, "
                    "created_at) values (?, ?, ?, ?, ?, ?)",
                    [name, embed_model, dim, chunk_tokens, overlap_tokens, now_iso()],
                )
        except sqlite3.IntegrityError as e:
            raise DocumentError(f"A collection named '{name}' already exists.") from e
        return self.collection_by_id(int(cursor.lastrowid or 0))

    def collection(self, name: str) -> DocCollection:
        with self._lock:
            row = self._one("select * from doc_collections where name = ?", [name])
        if row is None:
            known = ", ".join(c.name for c in self.collections()) or "none yet"
            raise NotFoundError(f"No document collection named '{name}' (collections: {known}).")
        return self._collection(row)

    def find_collection(self, name: str) -> DocCollection | None:
        try:
            return self.collection(name)
        except NotFoundError:
            return None

    def collection_by_id(self, collection_id: int) -> DocCollection:
        with self._lock:
            row = self._one("select * from doc_collections where id = ?", [collection_id])
        if row is None:
            raise NotFoundError(f"No document collection with id {collection_id}.")
        return self._collection(row)

    def collections(self) -> list[DocCollection]:
        with self._lock:
            rows = list(self._db.query("select * from doc_collections order by name"))
        return [self._collection(r) for r in rows]

    def delete_collection(self, collection_id: int) -> None:
        with self._lock, self._db.conn:
            # Chunks first, through their files, so the FTS triggers see every row go.
            self._db.execute(
                "delete from doc_chunks where collection_id = ?",
                [collection_id],
            )
            self._db.execute("delete from doc_collections where id = ?", [collection_id])

    def vectors_version(self, collection_id: int) -> int:
        with self._lock:
            row = self._db.execute(
                "select vectors_version from doc_collections where id = ?", [collection_id]
            ).fetchone()
        if row is None:
            raise NotFoundError(f"No document collection with id {collection_id}.")
        return int(row[0])

    def chunk_count(self, collection_id: int) -> int:
        with self._lock:
            return int(
                self._db.execute(
                    "select count(*) from doc_chunks where collection_id = ?", [collection_id]
                ).fetchone()[0]
            )

    def file_counts(self, collection_id: int) -> dict[str, int]:
        """Files by status, e.g. {"indexed": 12, "skipped": 2}."""
        with self._lock:
            rows = self._db.execute(
                "select status, count(*) from doc_files where collection_id = ? group by status",
                [collection_id],
            ).fetchall()
        return {status: int(n) for status, n in rows}

    # ---- roots: the files and folders the user added, rescanned to keep the collection current ----

    def add_root(self, collection_id: int, path: str) -> None:
        """Index `path` from now on, lifting any exclusion at or under it."""
        prefix = _dir_prefix(path)
        with self._lock, self._db.conn:
            self._db.execute(
                "delete from doc_roots where collection_id = ? and excluded = 1 "
                "and (path = ? or substr(path, 1, ?) = ?)",
                [collection_id, path, len(prefix), prefix],
            )
            self._db.execute(
                "insert or ignore into doc_roots (collection_id, path, added_at) values (?, ?, ?)",
                [collection_id, path, now_iso()],
            )

    def roots(self, collection_id: int, *, excluded: bool = False) -> list[str]:
        """The files and folders added to the collection (or, with `excluded`, those removed from them)."""
        with self._lock:
            rows = self._db.execute(
                "select path from doc_roots where collection_id = ? and excluded = ? order by path",
                [collection_id, int(excluded)],
            ).fetchall()
        return [r[0] for r in rows]

    def remove_roots(self, collection_id: int, path: str) -> int:
        """Forget the roots at or under `path`, and exclude `path` if a root above it still covers it.

        Returns how many roots were forgotten.
        """
        prefix = _dir_prefix(path)
        where = "collection_id = ? and (path = ? or substr(path, 1, ?) = ?)"
        params = [collection_id, path, len(prefix), prefix]
        with self._lock, self._db.conn:
            forgotten = self._db.execute(
                f"select count(*) from doc_roots where {where} and excluded = 0", params
            ).fetchone()[0]
            self._db.execute(f"delete from doc_roots where {where}", params)
            covered = any(
                path.startswith(_dir_prefix(root))
                for (root,) in self._db.execute(
                    "select path from doc_roots where collection_id = ? and excluded = 0", [collection_id]
                ).fetchall()
            )
            if covered:
                self._db.execute(
                    "insert into doc_roots (collection_id, path, excluded, added_at) values (?, ?, 1, ?)",
                    [collection_id, path, now_iso()],
                )
            return int(forgotten)

    # ---- files ----

    def files(self, collection_id: int, status: str | None = None) -> list[DocFile]:
        sql = "select * from doc_files where collection_id = ?"
        params: list[object] = [collection_id]
        if status is not None:
            sql += " and status = ?"
            params.append(status)
        with self._lock:
            rows = self._db.query(sql + " order by path", params)
            return [from_row(DocFile, r) for r in rows]

    def file(self, collection_id: int, path: str) -> DocFile | None:
        with self._lock:
            rows = list(
                self._db.query(
                    "select * from doc_files where collection_id = ? and path = ?", [collection_id, path]
                )
            )
        return from_row(DocFile, rows[0]) if rows else None

    def files_under(self, collection_id: int, path: str) -> list[DocFile]:
        """The file at `path`, or every file inside the folder at `path`."""
        prefix = _dir_prefix(path)
        with self._lock:
            rows = self._db.query(
                "select * from doc_files where collection_id = ? and (path = ? or substr(path, 1, ?) = ?) "
                "order by path",
                [collection_id, path, len(prefix), prefix],
            )
            return [from_row(DocFile, r) for r in rows]

    def chunk_vectors_by_text(self, file_id: int) -> dict[str, bytes]:
        """The file's current chunks' vectors by their text: what a re-index can reuse without embedding."""
        with self._lock:
            rows = self._db.execute(
                "select text, vector from doc_chunks where file_id = ?", [file_id]
            ).fetchall()
        return {text: vector for text, vector in rows}

    def save_indexed_file(
        self, collection_id: int, meta: FileMeta, chunks: Sequence[NewChunk]
    ) -> ChunkChange:
        """Replace the file's chunks (if any) with `chunks`, in one transaction."""
        with self._lock, self._db.conn:
            file_id, removed = self._upsert_file(
                collection_id,
                meta,
                status="indexed",
                reason="",
                n_chunks=len(chunks),
            )
            added: list[int] = []
            for c in chunks:
                cursor = self._db.execute(
                    "insert into doc_chunks (file_id, collection_id, seq, page, line, char_start, char_end, "
                    "n_tokens, text, vector) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        file_id,
                        collection_id,
                        c.seq,
                        c.place.page,
                        c.place.line,
                        c.place.char_start,
                        c.place.char_end,
                        c.n_tokens,
                        c.text,
                        c.vector,
                    ],
                )
                added.append(int(cursor.lastrowid or 0))
            return ChunkChange(removed, added, self._bump(collection_id))

    def save_skipped_file(self, collection_id: int, meta: FileMeta, reason: str) -> ChunkChange:
        """Record why a file is not indexed; chunks of an earlier indexed version go."""
        with self._lock, self._db.conn:
            _, removed = self._upsert_file(collection_id, meta, status="skipped", reason=reason, n_chunks=0)
            version = self._bump(collection_id) if removed else self._version(collection_id)
            return ChunkChange(removed, [], version)

    def touch_file(self, file_id: int, mtime_ns: int) -> None:
        """Same content, new modification time: nothing to re-embed."""
        with self._lock, self._db.conn:
            self._db.execute("update doc_files set mtime_ns = ? where id = ?", [mtime_ns, file_id])

    def delete_files(self, collection_id: int, file_ids: Sequence[int]) -> ChunkChange:
        removed: list[int] = []
        with self._lock, self._db.conn:
            for file_id in file_ids:
                removed += self._chunk_ids(file_id)
                self._db.execute("delete from doc_chunks where file_id = ?", [file_id])
                self._db.execute(
                    "delete from doc_files where id = ? and collection_id = ?", [file_id, collection_id]
                )
            version = self._bump(collection_id) if removed else self._version(collection_id)
            return ChunkChange(removed, [], version)

    # ---- chunks ----

    def chunks(self, chunk_ids: Sequence[int]) -> list[DocChunk]:
        """The chunks with these ids, in the order given, each with its file's path."""
        if not chunk_ids:
            return []
        marks = ",".join("?" * len(chunk_ids))
        with self._lock:
            rows = self._db.query(
                "select c.id, c.file_id, c.collection_id, c.seq, c.page, c.line, c.char_start, c.char_end, "
                f"c.n_tokens, c.text, f.path from doc_chunks c join doc_files f on f.id = c.file_id "
                f"where c.id in ({marks})",
                list(chunk_ids),
            )
            by_id = {r["id"]: DocChunk.from_row(r) for r in rows}
        return [by_id[i] for i in chunk_ids if i in by_id]

    def iter_vectors(self, collection_id: int, batch: int = 8192) -> Iterator[list[tuple[int, bytes]]]:
        """Every (chunk id, vector) of the collection, in batches: what a FAISS index is rebuilt from."""
        last = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    "select id, vector from doc_chunks where collection_id = ? and id > ? order by id limit ?",
                    [collection_id, last, batch],
                ).fetchall()
            if not rows:
                return
            yield [(int(i), v) for i, v in rows]
            last = int(rows[-1][0])

    def lexical_search(
        self, collection_ids: Sequence[int], match: str, limit: int
    ) -> list[tuple[int, float]]:
        """(chunk id, BM25 score) for an FTS5 match expression, best first; higher scores are better."""
        if not collection_ids:
            return []
        marks = ",".join("?" * len(collection_ids))
        with self._lock:
            total = self._db.execute("select count(*) from doc_collections").fetchone()[0]
            if len(set(collection_ids)) == total:
                # Every collection: FTS5 ranks on its own, without a lookup of each match's row (at 100k
                # chunks that lookup cost as much as the ranking).
                rows = self._db.execute(
                    "select rowid, rank from doc_chunks_fts where doc_chunks_fts match ? order by rank limit ?",
                    [match, limit],
                ).fetchall()
            else:
                rows = self._db.execute(
                    "select c.id, bm25(doc_chunks_fts) as score from doc_chunks_fts "
                    "join doc_chunks c on c.id = doc_chunks_fts.rowid "
                    f"where doc_chunks_fts match ? and c.collection_id in ({marks}) order by score limit ?",
                    [match, *collection_ids, limit],
                ).fetchall()
        # FTS5's bm25() is negated so that ascending order is best first; undo that for the caller.
        return [(int(i), -float(s)) for i, s in rows]

    # ---- which collections a conversation draws on ----

    def conversation_collections(self, conversation_id: int) -> list[DocCollection]:
        with self._lock:
            rows = list(
                self._db.query(
                    "select c.* from doc_collections c join conversation_collections cc "
                    "on cc.collection_id = c.id where cc.conversation_id = ? order by c.name",
                    [conversation_id],
                )
            )
        return [self._collection(r) for r in rows]

    def set_conversation_collections(self, conversation_id: int, collection_ids: Sequence[int]) -> None:
        try:
            with self._lock, self._db.conn:
                self._db.execute(
                    "delete from conversation_collections where conversation_id = ?", [conversation_id]
                )
                for cid in dict.fromkeys(collection_ids):
                    self._db.execute(
                        "insert into conversation_collections (conversation_id, collection_id) values (?, ?)",
                        [conversation_id, cid],
                    )
        except sqlite3.IntegrityError as e:
            raise NotFoundError(
                f"No conversation with id {conversation_id}, or one of the collections is gone."
            ) from e

    # ---- helpers (callers hold the lock and the transaction) ----

    def _upsert_file(
        self, collection_id: int, meta: FileMeta, *, status: str, reason: str, n_chunks: int
    ) -> tuple[int, list[int]]:
        row = self._db.execute(
            "select id from doc_files where collection_id = ? and path = ?", [collection_id, meta.path]
        ).fetchone()
        values = [
            meta.kind,
            status,
            reason,
            meta.size,
            meta.mtime_ns,
            meta.sha256,
            meta.pages,
            n_chunks,
            now_iso(),
        ]
        if row is None:
            cursor = self._db.execute(
                "insert into doc_files (kind, status, reason, size, mtime_ns, sha256, pages, n_chunks, "
                "indexed_at, collection_id, path) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*values, collection_id, meta.path],
            )
            return int(cursor.lastrowid or 0), []
        file_id = int(row[0])
        removed = self._chunk_ids(file_id)
        self._db.execute("delete from doc_chunks where file_id = ?", [file_id])
        self._db.execute(
            "update doc_files set kind = ?, status = ?, reason = ?, size = ?, mtime_ns = ?, sha256 = ?, "
            "pages = ?, n_chunks = ?, indexed_at = ? where id = ?",
            [*values, file_id],
        )
        return file_id, removed

    def _chunk_ids(self, file_id: int) -> list[int]:
        rows = self._db.execute("select id from doc_chunks where file_id = ?", [file_id]).fetchall()
        return [int(r[0]) for r in rows]

    def _bump(self, collection_id: int) -> int:
        self._db.execute(
            "update doc_collections set vectors_version = vectors_version + 1 where id = ?", [collection_id]
        )
        return self._version(collection_id)

    def _version(self, collection_id: int) -> int:
        row = self._db.execute(
            "select vectors_version from doc_collections where id = ?", [collection_id]
        ).fetchone()
        return int(row[0])

    def _one(self, sql: str, params: Sequence[object]) -> dict[str, Any] | None:
        rows = list(self._db.query(sql, params))
        return rows[0] if rows else None

    @staticmethod
    def _collection(row: dict[str, Any]) -> DocCollection:
        return from_row(DocCollection, row)


def _dir_prefix(path: str) -> str:
    """`path` as a folder prefix: '/a/b' -> '/a/b/', so '/a/bc' is not taken for a file inside it."""
    return path.rstrip(os.sep) + os.sep
