"""The settings table: a JSON value per key. What each key means is declared in core.settings."""

from __future__ import annotations

import json
import threading
from typing import Any

import sqlite_utils


class SettingsTable:
    def __init__(self, db: sqlite_utils.Database, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def get(self, key: str) -> Any | None:
        with self._lock:
            row = self._db.execute("select value from settings where key = ?", [key]).fetchone()
        return None if row is None else json.loads(row[0])

    def set(self, key: str, value: Any) -> None:
        with self._lock, self._db.conn:
            self._db.table("settings").upsert({"key": key, "value": json.dumps(value)}, pk="key")

    def all(self) -> dict[str, Any]:
        with self._lock:
            return {
                k: json.loads(v) for k, v in self._db.execute("select key, value from settings").fetchall()
            }
