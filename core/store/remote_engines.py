"""Remote engines the user added: a name, an OpenAI-compatible URL, and what the last test found."""

from __future__ import annotations

import builtins
import threading

import sqlite_utils

from core.errors import NotFoundError
from core.store.records import RemoteEngineRecord, from_row, now_iso


class RemoteEngineStore:
    def __init__(self, db: sqlite_utils.Database, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def add(self, name: str, url: str) -> RemoteEngineRecord:
        """Add or replace the engine called `name` (a new URL forgets the old test's findings)."""
        with self._lock, self._db.conn:
            self._db.table("remote_engines").upsert(
                {"name": name, "url": url, "added_at": now_iso(), "checked_at": "", "probe": ""}, pk="name"
            )
        return self.get(name)

    def get(self, name: str) -> RemoteEngineRecord:
        with self._lock:
            try:
                return from_row(RemoteEngineRecord, self._db.table("remote_engines").get(name))
            except sqlite_utils.db.NotFoundError as e:
                raise NotFoundError(f"No remote engine called '{name}'.") from e

    def list(self) -> builtins.list[RemoteEngineRecord]:
        with self._lock:
            return [
                from_row(RemoteEngineRecord, r)
                for r in self._db.table("remote_engines").rows_where(order_by="name")
            ]

    def set_probe(self, name: str, probe: str) -> None:
        self.get(name)
        with self._lock, self._db.conn:
            self._db.table("remote_engines").update(name, {"probe": probe, "checked_at": now_iso()})

    def remove(self, name: str) -> None:
        self.get(name)
        with self._lock, self._db.conn:
            self._db.table("remote_engines").delete(name)
