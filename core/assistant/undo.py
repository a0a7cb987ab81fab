"""Taking an action back: each tool's ToolResult.undo names one of these kinds and its data."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from core.assistant.tools.calendar import remove_event
from core.errors import ToolError
from core.store import Store


def _delete_file(data: dict[str, Any], store: Store) -> str:
    p = Path(data["path"])
    if not p.exists():
        return f"{p} was already gone."
    p.unlink()
    return f"Deleted {p}."


def _truncate_file(data: dict[str, Any], store: Store) -> str:
    p = Path(data["path"])
    if not p.exists():
        raise ToolError(f"{p} no longer exists.")
    size = p.stat().st_size
    if size != data["expect_size"]:
        # Something else wrote to it since: cutting it back would lose that too.
        raise ToolError(f"{p} has changed since; remove the added text by hand.")
    if data["size"] == 0:
        p.unlink()
        return f"Deleted {p}."
    with p.open("r+b") as f:
        f.truncate(data["size"])
        os.fsync(f.fileno())
    return f"Removed the added text from {p}."


def _remove_ics_event(data: dict[str, Any], store: Store) -> str:
    if remove_event(data["path"], data["uid"]):
        return f"Removed the event from {data['path']}."
    return "The event was already gone."


def _cancel_reminder(data: dict[str, Any], store: Store) -> str:
    r = store.reminders.set_status(int(data["id"]), "cancelled")
    return f"Cancelled the {r.kind} '{r.text}'."


UNDO: dict[str, Callable[[dict[str, Any], Store], str]] = {
    "delete_file": _delete_file,
    "truncate_file": _truncate_file,
    "remove_ics_event": _remove_ics_event,
    "cancel_reminder": _cancel_reminder,
}


def apply_undo(undo: dict[str, Any], store: Store) -> str:
    handler = UNDO.get(undo.get("kind", ""))
    if handler is None:
        raise ToolError(f"Hearth does not know how to undo '{undo.get('kind')}'.")
    return handler(undo, store)
