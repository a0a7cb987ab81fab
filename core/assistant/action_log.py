"""The action log as the assistant and the GUI use it: record each call, list them, undo what was made."""

from __future__ import annotations

from typing import Any

from core.assistant.undo import apply_undo
from core.errors import ToolError
from core.store import ActionRecord, Store


class ActionLog:
    def __init__(self, store: Store) -> None:
        self._store = store

    def record(self, **fields: Any) -> ActionRecord:
        return self._store.actions.add(**fields)

    def list(self, *, run_id: str | None = None, limit: int = 200) -> list[ActionRecord]:
        return self._store.actions.list(run_id=run_id, limit=limit)

    def undo(self, action_id: int) -> str:
        """Take back what an action made. Returns what was done; raises ToolError if it cannot be undone."""
        action = self._store.actions.get(action_id)
        if action.status == "undone":
            raise ToolError(f"Action {action_id} ({action.tool}) was already undone.")
        if not action.can_undo or action.undo is None:
            raise ToolError(f"Action {action_id} ({action.tool}, {action.status}) made nothing to undo.")
        message = apply_undo(action.undo, self._store)
        self._store.actions.mark_undone(action_id)
        return message
