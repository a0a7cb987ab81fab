"""The assistant's action log: one row per tool call it ran, was refused, or could not run."""

from __future__ import annotations

import builtins
import json
import threading
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from core.errors import NotFoundError
from core.store.records import now_iso
from core.store.rows import inserted_id


@dataclass(frozen=True)
class ActionRecord:
    id: int
    run_id: str
    created_at: str
    request: str
    step_id: int
    tool: str
    args: dict[str, Any]
    side_effects: bool
    status: str
    result: str
    error: str
    undo: dict[str, Any] | None
    undone_at: str | None

    @property
    def can_undo(self) -> bool:
        return self.undo is not None and self.status == "done"


def _record(row: dict[str, Any]) -> ActionRecord:
    return ActionRecord(
        id=row["id"],
        run_id=row["run_id"],
        created_at=row["created_at"],
        request=row["request"] or "",
        step_id=row["step_id"] or 0,
        tool=row["tool"],
        args=json.loads(row["args"] or "{}"),
        side_effects=bool(row["side_effects"]),
        status=row["status"],
        result=row["result"] or "",
        error=row["error"] or "",
        undo=json.loads(row["undo"]) if row["undo"] else None,
        undone_at=row["undone_at"],
    )


class ActionStore:
    def __init__(self, db: sqlite_utils.Database, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def add(
        self,
        *,
        run_id: str,
        request: str,
        step_id: int,
        tool: str,
        args: dict[str, Any],
        side_effects: bool,
        status: str,
        result: str = "",
        error: str = "",
        undo: dict[str, Any] | None = None,
    ) -> ActionRecord:
        with self._lock, self._db.conn:
            table = self._db.table("agent_actions").insert(
                {
                    "run_id": run_id,
                    "created_at": now_iso(),
                    "request": request,
                    "step_id": step_id,
                    "tool": tool,
                    "args": json.dumps(args, ensure_ascii=False, default=str),
                    "side_effects": int(side_effects),
                    "status": status,
                    "result": result,
                    "error": error,
                    "undo": json.dumps(undo, ensure_ascii=False) if undo else "",
                }
            )
            return self.get(inserted_id(table))

    def get(self, action_id: int) -> ActionRecord:
        with self._lock:
            try:
                return _record(self._db.table("agent_actions").get(action_id))
            except sqlite_utils.db.NotFoundError as e:
                raise NotFoundError(f"No assistant action with id {action_id}.") from e

    def list(self, *, run_id: str | None = None, limit: int = 200) -> builtins.list[ActionRecord]:
        """Newest first."""
        with self._lock:
            where, params = ("run_id = ?", [run_id]) if run_id else (None, None)
            rows = self._db.table("agent_actions").rows_where(where, params, order_by="id desc", limit=limit)
            return [_record(r) for r in rows]

    def mark_undone(self, action_id: int) -> ActionRecord:
        with self._lock, self._db.conn:
            self._db.table("agent_actions").update(action_id, {"status": "undone", "undone_at": now_iso()})
            return self.get(action_id)
