"""Conversations and their messages."""

from __future__ import annotations

import builtins
import threading
from collections.abc import Mapping
from typing import Any

import sqlite_utils

from core.errors import NotFoundError
from core.store.records import Conversation, Message, MessageStatus, from_row, now_iso
from core.store.rows import inserted_id

METRIC_COLUMNS = (
    "prompt_tokens",
    "completion_tokens",
    "ttft_ms",
    "prompt_tok_s",
    "decode_tok_s",
    "total_ms",
    "energy_j",
    "energy_above_idle_j",
    "j_per_token",
    "j_per_token_above_idle",
    "avg_power_w",
    "peak_rss_mb",
    "vram_mb",
    "power_source",
    "power_measured",
    "device",
    "queue_ms",
    "threads",
    "engine",
    "route",
    "voice_stt_ms",
    "voice_tool_ms",
    "voice_audio_ms",
    "voice_tts_ms",
)


class ConversationStore:
    def __init__(self, db: sqlite_utils.Database, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    # ---- conversations ----

    def create(self, title: str, system_prompt: str = "", model: str = "") -> Conversation:
        now = now_iso()
        with self._lock, self._db.conn:
            table = self._db.table("conversations").insert(
                {
                    "title": title,
                    "system_prompt": system_prompt,
                    "model": model,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            return self.get(inserted_id(table))

    def get(self, conversation_id: int) -> Conversation:
        with self._lock:
            try:
                row = self._db.table("conversations").get(conversation_id)
            except sqlite_utils.db.NotFoundError as e:
                raise NotFoundError(f"No conversation with id {conversation_id}.") from e
            return from_row(Conversation, row)

    def list(self) -> builtins.list[Conversation]:
        """Most recently active first."""
        with self._lock:
            rows = self._db.table("conversations").rows_where(order_by="updated_at desc, id desc")
            return [from_row(Conversation, r) for r in rows]

    def update(self, conversation_id: int, **changes: str | int) -> Conversation:
        allowed = {
            "title",
            "system_prompt",
            "model",
            "memory_paused",
            "memory_through",
            "routing",
            "routing_remote",
        }
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"Cannot change {', '.join(sorted(unknown))} of a conversation.")
        self.get(conversation_id)
        with self._lock, self._db.conn:
            # Memory bookkeeping is not activity: it must not move the conversation up the list.
            touched = bool(set(changes) & {"title", "system_prompt", "model", "routing", "routing_remote"})
            self._db.table("conversations").update(
                conversation_id, {**changes, **({"updated_at": now_iso()} if touched else {})}
            )
        return self.get(conversation_id)

    def delete(self, conversation_id: int) -> None:
        self.get(conversation_id)
        with self._lock, self._db.conn:
            self._db.table("messages").delete_where("conversation_id = ?", [conversation_id])
            self._db.table("conversations").delete(conversation_id)

    def search(self, query: str) -> builtins.list[Conversation]:
        """Conversations whose title or any message matches every word of `query` (word prefixes count)."""
        words = [w for w in query.split() if w]
        if not words:
            return self.list()
        fts = " ".join('"' + w.replace('"', '""') + '"*' for w in words)
        sql = """
            select * from conversations where id in (
                select rowid from conversations_fts where conversations_fts match :q
                union
                select m.conversation_id from messages m
                  join messages_fts f on f.rowid = m.id where messages_fts match :q
            ) order by updated_at desc, id desc
        """
        with self._lock:
            rows = self._db.query(sql, {"q": fts})
            return [from_row(Conversation, r) for r in rows]

    # ---- messages ----

    def add_message(
        self,
        conversation_id: int,
        role: str,
        content: str,
        status: MessageStatus = "complete",
        model: str = "",
    ) -> Message:
        self.get(conversation_id)
        now = now_iso()
        with self._lock, self._db.conn:
            table = self._db.table("messages").insert(
                {
                    "conversation_id": conversation_id,
                    "role": role,
                    "content": content,
                    "status": status,
                    "created_at": now,
                    "model": model,
                }
            )
            self._db.table("conversations").update(conversation_id, {"updated_at": now})
            return self.get_message(inserted_id(table))

    def get_message(self, message_id: int) -> Message:
        with self._lock:
            try:
                return from_row(Message, self._db.table("messages").get(message_id))
            except sqlite_utils.db.NotFoundError as e:
                raise NotFoundError(f"No message with id {message_id}.") from e

    def messages(self, conversation_id: int) -> builtins.list[Message]:
        with self._lock:
            rows = self._db.table("messages").rows_where(
                "conversation_id = ?", [conversation_id], order_by="id"
            )
            return [from_row(Message, r) for r in rows]

    def update_message(
        self,
        message_id: int,
        *,
        content: str | None = None,
        status: MessageStatus | None = None,
        finish_reason: str | None = None,
        error: str | None = None,
        metrics: Mapping[str, Any] | None = None,
        citations: str | None = None,
        memories: str | None = None,
    ) -> None:
        changes: dict[str, Any] = {}
        if content is not None:
            changes["content"] = content
        if status is not None:
            changes["status"] = status
        if finish_reason is not None:
            changes["finish_reason"] = finish_reason
        if error is not None:
            changes["error"] = error
        if citations is not None:
            changes["citations"] = citations
        if memories is not None:
            changes["memories"] = memories
        if metrics:
            changes.update({k: metrics[k] for k in METRIC_COLUMNS if k in metrics})
        if not changes:
            return
        with self._lock, self._db.conn:
            self._db.table("messages").update(message_id, changes)

    def recent_answers(self, limit: int = 200) -> builtins.list[Message]:
        """The latest finished answers across all conversations, newest first: the device panel's history."""
        with self._lock:
            rows = self._db.table("messages").rows_where(
                "role = 'assistant' and completion_tokens is not null", order_by="id desc", limit=limit
            )
            return [from_row(Message, r) for r in rows]

    def engine_counts(self) -> dict[str, float]:
        """Answers by where they ran: {"local", "remote", "local_j"}: the joules measured on this machine
        (local answers, and the local attempt of an answer that fell back to a remote engine)."""
        sql = """
            select
              sum(case when engine like 'remote:%' then 0 else 1 end) as local,
              sum(case when engine like 'remote:%' then 1 else 0 end) as remote,
              coalesce(sum(energy_j), 0) as local_j
            from messages where role = 'assistant' and completion_tokens is not null
        """
        with self._lock:
            row = self._db.execute(sql).fetchone()
        return {"local": int(row[0] or 0), "remote": int(row[1] or 0), "local_j": float(row[2] or 0.0)}

    def mark_interrupted(self) -> int:
        """Answers still 'streaming' when the store opens were cut off by a crash: keep them, as incomplete."""
        with self._lock, self._db.conn:
            cursor = self._db.execute("update messages set status = 'incomplete' where status = 'streaming'")
            return cursor.rowcount
