"""Reminders and timers: text, a due time, and whether it has been shown."""

from __future__ import annotations

import builtins
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import sqlite_utils

from core.errors import NotFoundError
from core.store.records import from_row, now_iso
from core.store.rows import inserted_id

ReminderKind = Literal["reminder", "timer"]


@dataclass(frozen=True)
class Reminder:
    id: int
    kind: str
    text: str
    due_at: str  # ISO 8601 with offset
    created_at: str
    status: str  # pending | fired | cancelled
    fired_at: str | None = None

    @property
    def due(self) -> datetime:
        return datetime.fromisoformat(self.due_at)


class ReminderStore:
    def __init__(self, db: sqlite_utils.Database, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def add(self, kind: ReminderKind, text: str, due: datetime) -> Reminder:
        if due.tzinfo is None:
            due = due.astimezone()  # a naive time is the user's local time
        with self._lock, self._db.conn:
            table = self._db.table("reminders").insert(
                {
                    "kind": kind,
                    "text": text,
                    "due_at": due.isoformat(timespec="seconds"),
                    "created_at": now_iso(),
                    "status": "pending",
                }
            )
            return self.get(inserted_id(table))

    def get(self, reminder_id: int) -> Reminder:
        with self._lock:
            try:
                return from_row(Reminder, self._db.table("reminders").get(reminder_id))
            except sqlite_utils.db.NotFoundError as e:
                raise NotFoundError(f"No reminder with id {reminder_id}.") from e

    def list(self, *, status: str | None = None) -> builtins.list[Reminder]:
        """Soonest first."""
        with self._lock:
            where, params = ("status = ?", [status]) if status else (None, None)
            rows = self._db.table("reminders").rows_where(where, params, order_by="due_at, id")
            return [from_row(Reminder, r) for r in rows]

    def due(self, now: datetime) -> builtins.list[Reminder]:
        """Pending reminders whose time has come (compared as instants, whatever their offsets)."""
        return [r for r in self.list(status="pending") if r.due <= now.astimezone()]

    def set_status(self, reminder_id: int, status: str) -> Reminder:
        with self._lock, self._db.conn:
            changes = {"status": status}
            if status == "fired":
                changes["fired_at"] = now_iso()
            self._db.table("reminders").update(reminder_id, changes)
            return self.get(reminder_id)
