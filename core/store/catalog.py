"""The model catalog table: one row per model file Hearth knows, with what its GGUF header says."""

from __future__ import annotations

import builtins
import threading
from dataclasses import asdict
from typing import Any

import sqlite_utils

from core.errors import NotFoundError
from core.store.records import ModelRecord, from_row, now_iso


class CatalogTable:
    def __init__(self, db: sqlite_utils.Database, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def upsert(self, record: ModelRecord) -> ModelRecord:
        """Insert or replace the row with this id; added_at is kept from the first insert."""
        row: dict[str, Any] = asdict(record)
        with self._lock, self._db.conn:
            old = self._db.execute("select added_at from models where id = ?", [record.id]).fetchone()
            row["added_at"] = old[0] if old else (record.added_at or now_iso())
            row["embedded"] = int(record.embedded)
            row["has_chat_template"] = int(record.has_chat_template)
            self._db.table("models").upsert(row, pk="id")
        return self.get(record.id)

    def get(self, model_id: str) -> ModelRecord:
        with self._lock:
            try:
                return _record(self._db.table("models").get(model_id))
            except sqlite_utils.db.NotFoundError as e:
                raise NotFoundError(f"No model with id '{model_id}' in the catalog.") from e

    def find_path(self, path: str) -> ModelRecord | None:
        with self._lock:
            rows = list(self._db.table("models").rows_where("path = ?", [path]))
        return _record(rows[0]) if rows else None

    def list(self) -> builtins.list[ModelRecord]:
        """The embedded model first, then the others by name."""
        with self._lock:
            rows = self._db.table("models").rows_where(order_by="embedded desc, lower(name), id")
            return [_record(r) for r in rows]

    def ids(self) -> set[str]:
        with self._lock:
            return {r[0] for r in self._db.execute("select id from models").fetchall()}

    def delete(self, model_id: str) -> None:
        with self._lock, self._db.conn:
            self._db.table("models").delete_where("id = ?", [model_id])


def _record(row: dict[str, Any]) -> ModelRecord:
    row = dict(row)
    row["embedded"] = bool(row.get("embedded"))
    row["has_chat_template"] = bool(row.get("has_chat_template"))
    return from_row(ModelRecord, row)
