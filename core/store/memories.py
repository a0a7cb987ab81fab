"""Memories, the background runs that change them, and a log of every change (the model's and the user's)."""

from __future__ import annotations

import builtins
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from core.errors import NotFoundError
from core.store.records import from_row, now_iso
from core.store.rows import inserted_id


@dataclass(frozen=True)
class Memory:
    id: int
    text: str
    source: str  # chat | ingest | manual
    created_at: str
    updated_at: str
    conversation_id: int | None = None
    source_ids: str = "[]"
    happened_at: str = ""
    embed_model: str = ""
    subject: str = ""  # "User", or the person the memory is about
    names: str | None = None  # the people, places and dates it names (space-separated); None: not analysed
    superseded_by: int | None = None  # the newer memory that replaced it
    superseded_at: str | None = None

    @property
    def current(self) -> bool:
        return self.superseded_by is None


@dataclass(frozen=True)
class MemoryRun:
    id: int
    kind: str  # exchange | ingest
    started_at: str
    status: str  # running | done | failed | cancelled
    conversation_id: int | None = None
    finished_at: str | None = None
    facts: int = 0
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    skipped: int = 0
    error: str = ""
    timings: str = "{}"

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.deleted

    def summary(self) -> str:
        """What the run did, in a few words for a status line."""
        if self.status == "failed":
            return f"Memory could not be updated: {self.error}"
        parts = [
            f"{n} {what}"
            for n, what in ((self.added, "added"), (self.updated, "updated"), (self.deleted, "removed"))
            if n
        ]
        if self.skipped:
            parts.append(f"{self.skipped} unreadable model output skipped")
        return "Memory: " + (", ".join(parts) if parts else "nothing new to remember")


@dataclass(frozen=True)
class MemoryEvent:
    id: int
    at: str
    event: str  # ADD | UPDATE | DELETE | NONE | SKIP | EDIT | FORGET | SUPERSEDE
    run_id: int | None = None
    memory_id: int | None = None
    fact: str = ""
    old_text: str = ""
    new_text: str = ""
    detail: str = ""


_RUN_COUNTS = ("facts", "added", "updated", "deleted", "unchanged", "skipped")


class MemoryStore:
    def __init__(self, db: sqlite_utils.Database, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    # ---- memories ----

    def add(
        self,
        text: str,
        vector: bytes,
        *,
        embed_model: str,
        source: str = "chat",
        conversation_id: int | None = None,
        source_ids: Sequence[int | str] = (),
        happened_at: str = "",
        run_id: int | None = None,
        fact: str = "",
        event: str = "ADD",
        subject: str = "",
        names: str | None = None,
    ) -> Memory:
        now = now_iso()
        with self._lock, self._db.conn:
            memory_id = inserted_id(
                self._db.table("memories").insert(
                    {
                        "text": text,
                        "conversation_id": conversation_id,
                        "source": source,
                        "source_ids": json.dumps(list(source_ids)),
                        "happened_at": happened_at,
                        "created_at": now,
                        "updated_at": now,
                        "embed_model": embed_model,
                        "vector": vector,
                        "subject": subject,
                        "names": names,
                    }
                )
            )
            self._log(event, run_id=run_id, memory_id=memory_id, fact=fact, new_text=text)
            return self.get(memory_id)

    def update(
        self,
        memory_id: int,
        text: str,
        vector: bytes,
        *,
        run_id: int | None = None,
        fact: str = "",
        event: str = "UPDATE",
        source_ids: Sequence[int | str] = (),
        happened_at: str | None = None,
        subject: str | None = None,
        names: str | None = None,
    ) -> Memory:
        old = self.get(memory_id)
        changes: dict[str, Any] = {"text": text, "vector": vector, "updated_at": now_iso()}
        if subject is not None:
            changes["subject"] = subject
        if names is not None:
            changes["names"] = names
        if source_ids:
            merged = list(dict.fromkeys([*json.loads(old.source_ids or "[]"), *source_ids]))
            changes["source_ids"] = json.dumps(merged)
        if happened_at:
            changes["happened_at"] = happened_at
        with self._lock, self._db.conn:
            self._db.table("memories").update(memory_id, changes)
            self._log(event, run_id=run_id, memory_id=memory_id, fact=fact, old_text=old.text, new_text=text)
        return self.get(memory_id)

    def delete(
        self, memory_id: int, *, run_id: int | None = None, fact: str = "", event: str = "DELETE"
    ) -> Memory:
        old = self.get(memory_id)
        with self._lock, self._db.conn:
            self._db.table("memories").delete(memory_id)
            self._log(event, run_id=run_id, memory_id=memory_id, fact=fact, old_text=old.text)
        return old

    def supersede(
        self, memory_id: int, by: int | None, *, run_id: int | None = None, fact: str = ""
    ) -> Memory:
        """Mark a memory as no longer true now (kept for questions about the past), replaced by `by`."""
        old = self.get(memory_id)
        with self._lock, self._db.conn:
            self._db.table("memories").update(
                memory_id, {"superseded_by": by if by is not None else 0, "superseded_at": now_iso()}
            )
            self._log("SUPERSEDE", run_id=run_id, memory_id=memory_id, fact=fact, old_text=old.text,
                      detail=f"by memory {by}" if by else "no longer true")  # fmt: skip
        return self.get(memory_id)

    def set_names(self, memory_id: int, subject: str, names: str) -> None:
        """Store what a memory is about and names (its analysis, not a change of text: no event)."""
        with self._lock, self._db.conn:
            self._db.table("memories").update(memory_id, {"subject": subject, "names": names})

    def unanalysed(self) -> builtins.list[Memory]:
        """Memories from before subjects and names were kept (schema v9): MemoryService fills them in."""
        with self._lock:
            rows = self._db.table("memories").rows_where("names is null", select=_MEMORY_COLUMNS)
            return [from_row(Memory, r) for r in rows]

    def search_fts(self, match: str, limit: int) -> builtins.list[tuple[int, float]]:
        """(memory id, BM25 score) for an FTS5 match expression over text, subject and names; best first."""
        with self._lock:
            rows = self._db.execute(
                "select rowid, rank from memories_fts where memories_fts match ? order by rank limit ?",
                [match, limit],
            ).fetchall()
        return [(int(i), -float(r)) for i, r in rows]

    def set_vector(self, memory_id: int, vector: bytes, embed_model: str) -> None:
        """Store a memory's vector from another embedding model (no change of text, so no event)."""
        with self._lock, self._db.conn:
            self._db.table("memories").update(memory_id, {"vector": vector, "embed_model": embed_model})

    def get(self, memory_id: int) -> Memory:
        with self._lock:
            try:
                return from_row(Memory, self._db.table("memories").get(memory_id))
            except sqlite_utils.db.NotFoundError as e:
                raise NotFoundError(f"No memory with id {memory_id}.") from e

    def get_many(self, ids: Sequence[int]) -> builtins.list[Memory]:
        """The memories among `ids` that still exist, in the order given."""
        if not ids:
            return []
        with self._lock:
            marks = ",".join("?" * len(ids))
            rows = {r["id"]: r for r in self._db.table("memories").rows_where(f"id in ({marks})", list(ids))}
        return [from_row(Memory, rows[i]) for i in ids if i in rows]

    def list(self, *, limit: int | None = None) -> builtins.list[Memory]:
        """Most recently changed first."""
        with self._lock:
            rows = self._db.table("memories").rows_where(
                order_by="updated_at desc, id desc", limit=limit, select=_MEMORY_COLUMNS
            )
            return [from_row(Memory, r) for r in rows]

    def search_text(self, query: str) -> builtins.list[Memory]:
        """Memories holding every word of `query` (case-insensitive), most recently changed first."""
        words = query.split()
        if not words:
            return self.list()
        where = " and ".join("text like ? escape '\\'" for _ in words)
        params = ["%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for w in words]
        with self._lock:
            rows = self._db.table("memories").rows_where(
                where, params, order_by="updated_at desc, id desc", select=_MEMORY_COLUMNS
            )
            return [from_row(Memory, r) for r in rows]

    def count(self) -> int:
        with self._lock:
            return self._db.table("memories").count

    def ids(self) -> set[int]:
        with self._lock:
            return {int(r[0]) for r in self._db.execute("select id from memories")}

    def vectors(self, batch: int = 2048) -> Iterator[builtins.list[tuple[int, bytes]]]:
        """(id, float32 bytes) of every memory, in batches: what the index is rebuilt from."""
        last = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    "select id, vector from memories where id > ? order by id limit ?", [last, batch]
                ).fetchall()
            if not rows:
                return
            last = int(rows[-1][0])
            yield [(int(i), bytes(v)) for i, v in rows]

    def clear(self) -> int:
        """Forget everything; returns how many memories there were."""
        with self._lock, self._db.conn:
            n = self._db.table("memories").count
            self._db.execute("delete from memories")
            self._log("FORGET", detail=f"all {n} memories")
            return n

    # ---- runs and events ----

    def begin_run(self, kind: str, conversation_id: int | None = None) -> MemoryRun:
        with self._lock, self._db.conn:
            run_id = inserted_id(
                self._db.table("memory_runs").insert(
                    {
                        "kind": kind,
                        "conversation_id": conversation_id,
                        "started_at": now_iso(),
                        "status": "running",
                    }
                )
            )
            return self.run(run_id)

    def finish_run(
        self,
        run_id: int,
        status: str,
        counts: dict[str, int],
        *,
        error: str = "",
        timings: dict[str, builtins.list[float]] | None = None,
    ) -> MemoryRun:
        changes: dict[str, Any] = {k: int(counts.get(k, 0)) for k in _RUN_COUNTS}
        changes.update(status=status, finished_at=now_iso(), error=error, timings=json.dumps(timings or {}))
        with self._lock, self._db.conn:
            self._db.table("memory_runs").update(run_id, changes)
        return self.run(run_id)

    def run(self, run_id: int) -> MemoryRun:
        with self._lock:
            try:
                return from_row(MemoryRun, self._db.table("memory_runs").get(run_id))
            except sqlite_utils.db.NotFoundError as e:
                raise NotFoundError(f"No memory run with id {run_id}.") from e

    def runs(self, limit: int = 50) -> builtins.list[MemoryRun]:
        with self._lock:
            rows = self._db.table("memory_runs").rows_where(order_by="id desc", limit=limit)
            return [from_row(MemoryRun, r) for r in rows]

    def mark_interrupted_runs(self) -> int:
        """Runs left 'running' by a crash did not finish."""
        with self._lock, self._db.conn:
            return self._db.execute(
                "update memory_runs set status = 'cancelled', error = 'interrupted' where status = 'running'"
            ).rowcount

    def behind(self) -> builtins.list[int]:
        """Conversations, not paused, with finished messages that memory has not looked at yet."""
        with self._lock:
            rows = self._db.execute(
                "select c.id from conversations c where c.memory_paused = 0 and exists "
                "(select 1 from messages m where m.conversation_id = c.id and m.id > c.memory_through "
                "and m.role = 'assistant' and m.status in ('complete', 'stopped', 'incomplete'))"
                " order by c.id"
            ).fetchall()
            return [int(r[0]) for r in rows]

    def log(self, event: str, **fields: Any) -> None:
        with self._lock, self._db.conn:
            self._log(event, **fields)

    def events(self, *, run_id: int | None = None, limit: int = 200) -> builtins.list[MemoryEvent]:
        """Newest first."""
        with self._lock:
            where, params = ("run_id = ?", [run_id]) if run_id is not None else (None, None)
            rows = self._db.table("memory_events").rows_where(where, params, order_by="id desc", limit=limit)
            return [from_row(MemoryEvent, r) for r in rows]

    def _log(self, event: str, **fields: Any) -> None:
        self._db.table("memory_events").insert({"at": now_iso(), "event": event, **fields})


_MEMORY_COLUMNS = (
    "id, text, conversation_id, source, source_ids, happened_at, created_at, updated_at, embed_model, "
    "subject, names, superseded_by, superseded_at"
)
