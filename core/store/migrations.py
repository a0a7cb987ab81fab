"""Schema migrations. The database's PRAGMA user_version is the number of migrations applied.

Append new migrations; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]


def _v1_conversations_messages_settings(db: sqlite_utils.Database) -> None:
    db["conversations"].create(
        {
            "id": int,
            "title": str,
            "system_prompt": str,
            "model": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"title", "created_at", "updated_at"},
        defaults={"system_prompt": "", "model": ""},
    )
    db["messages"].create(
        {
            "id": int,
            "conversation_id": int,
            "role": str,
            "content": str,
            "status": str,  # complete | streaming | incomplete | stopped | error
            "created_at": str,
            "model": str,
            "finish_reason": str,
            "prompt_tokens": int,
            "completion_tokens": int,
            "ttft_ms": float,
            "prompt_tok_s": float,
            "decode_tok_s": float,
            "total_ms": float,
            "error": str,
        },
        pk="id",
        foreign_keys=[("conversation_id", "conversations", "id")],
        not_null={"conversation_id", "role", "content", "status", "created_at"},
        defaults={"content": "", "status": "complete"},
    )
    db["messages"].create_index(["conversation_id", "id"])
    db["conversations"].create_index(["updated_at"])
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["messages"].enable_fts(["content"], create_triggers=True, tokenize="unicode61")
    db["conversations"].enable_fts(["title"], create_triggers=True, tokenize="unicode61")


def _v2_agent_actions_reminders(db: sqlite_utils.Database) -> None:
    # Every call the assistant ran, asked about or was refused, with what undoes it.
    db["agent_actions"].create(
        {
            "id": int,
            "run_id": str,
            "created_at": str,
            "request": str,
            "step_id": int,
            "tool": str,
            "args": str,  # JSON
            "side_effects": int,
            "status": str,  # done | failed | declined | timeout | skipped | undone
            "result": str,
            "error": str,
            "undo": str,  # JSON {"kind": ..., ...}; empty when nothing to undo
            "undone_at": str,
        },
        pk="id",
        not_null={"run_id", "created_at", "tool", "status"},
        defaults={"request": "", "args": "{}", "side_effects": 0, "result": "", "error": "", "undo": ""},
    )
    db["agent_actions"].create_index(["run_id"])
    db["agent_actions"].create_index(["created_at"])
    # Reminders and timers: shown in the app when due and sent as desktop notifications.
    db["reminders"].create(
        {
            "id": int,
            "kind": str,  # reminder | timer
            "text": str,
            "due_at": str,  # ISO 8601 with UTC offset
            "created_at": str,
            "status": str,  # pending | fired | cancelled
            "fired_at": str,
        },
        pk="id",
        not_null={"kind", "text", "due_at", "created_at", "status"},
        defaults={"status": "pending"},
    )
    db["reminders"].create_index(["status", "due_at"])


MIGRATIONS: list[Migration] = [
    _v1_conversations_messages_settings,
    _v2_agent_actions_reminders,
]

SCHEMA_VERSION = len(MIGRATIONS)
