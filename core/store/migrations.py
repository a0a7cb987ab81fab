"""Schema migrations. The database's PRAGMA user_version is the number of migrations applied.

Append new migrations; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]


def _v1_conversations_messages_settings(db: sqlite_utils.Database) -> None:
    db.table("conversations").create(
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
    db.table("messages").create(
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
    db.table("messages").create_index(["conversation_id", "id"])
    db.table("conversations").create_index(["updated_at"])
    db.table("settings").create({"key": str, "value": str}, pk="key")
    db.table("messages").enable_fts(["content"], create_triggers=True, tokenize="unicode61")
    db.table("conversations").enable_fts(["title"], create_triggers=True, tokenize="unicode61")


def _v2_message_energy_and_memory(db: sqlite_utils.Database) -> None:
    """What each answer cost on the device: energy (gross and above idle), power, memory, and the source."""
    messages = db.table("messages")
    for column, kind in (
        ("energy_j", float),
        ("energy_above_idle_j", float),
        ("j_per_token", float),
        ("j_per_token_above_idle", float),
        ("avg_power_w", float),
        ("peak_rss_mb", float),
        ("vram_mb", float),
        ("power_source", str),
        ("power_measured", int),
        ("device", str),
    ):
        messages.add_column(column, kind)


def _v3_model_catalog(db: sqlite_utils.Database) -> None:
    db.table("models").create(
        {
            "id": str,
            "name": str,
            "path": str,
            "size_bytes": int,
            "mtime_ns": int,
            "sha256": str,
            "architecture": str,
            "n_params": int,
            "quant_type": str,
            "context_length": int,
            "has_chat_template": int,
            "embedded": int,
            "source_repo": str,
            "source_revision": str,
            "source_file": str,
            "parent_id": str,
            "added_at": str,
        },
        pk="id",
        not_null={"name", "path", "size_bytes", "added_at"},
        defaults={
            "embedded": 0,
            "source_repo": "",
            "source_revision": "",
            "source_file": "",
            "parent_id": "",
        },
    )
    db.table("models").create_index(["path"], unique=True)


def _v4_documents(db: sqlite_utils.Database) -> None:
    """Document collections for RAG: roots the user added, files (indexed or skipped), chunks with vectors.

    Vectors are kept here (float32 blobs) so the FAISS files beside the database are only a cache.
    `vectors_version` changes in the same transaction as any chunk of the collection, so a FAISS file
    saved at another version is known to be stale.
    """
    db.execute(
        """create table doc_collections (
            id integer primary key,
            name text not null unique,
            embed_model text not null,
            dim integer not null,
            chunk_tokens integer not null,
            overlap_tokens integer not null,
            vectors_version integer not null default 0,
            created_at text not null
        )"""
    )
    db.execute(
        """create table doc_roots (
            id integer primary key,
            collection_id integer not null references doc_collections(id) on delete cascade,
            path text not null,
            excluded integer not null default 0,  -- 1: a file or folder removed from inside a root
            added_at text not null,
            unique (collection_id, path)
        )"""
    )
    db.execute(
        """create table doc_files (
            id integer primary key,
            collection_id integer not null references doc_collections(id) on delete cascade,
            path text not null,
            kind text not null default '',
            status text not null,  -- indexed | skipped
            reason text not null default '',
            size integer,
            mtime_ns integer,
            sha256 text,
            pages integer,
            n_chunks integer not null default 0,
            indexed_at text not null,
            unique (collection_id, path)
        )"""
    )
    db.execute(
        """create table doc_chunks (
            id integer primary key,
            file_id integer not null references doc_files(id) on delete cascade,
            collection_id integer not null,
            seq integer not null,
            page integer,
            line integer,
            char_start integer not null,
            char_end integer not null,
            n_tokens integer not null,
            text text not null,
            vector blob not null
        )"""
    )
    db.execute("create index doc_chunks_file on doc_chunks (file_id, seq)")
    db.execute("create index doc_chunks_collection on doc_chunks (collection_id)")
    db.table("doc_chunks").enable_fts(["text"], create_triggers=True, tokenize="porter unicode61")
    db.execute(
        """create table conversation_collections (
            conversation_id integer not null references conversations(id) on delete cascade,
            collection_id integer not null references doc_collections(id) on delete cascade,
            primary key (conversation_id, collection_id)
        )"""
    )


def _v5_message_citations(db: sqlite_utils.Database) -> None:
    """Sources an answer drew on: a JSON list of citations (file, page, offsets, passage, cited)."""
    db.table("messages").add_column("citations", str)


def _v6_agent_actions_reminders(db: sqlite_utils.Database) -> None:
    # Every call the assistant ran, asked about or was refused, with what undoes it.
    db.table("agent_actions").create(
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
    db.table("agent_actions").create_index(["run_id"])
    db.table("agent_actions").create_index(["created_at"])
    # Reminders and timers: shown in the app when due and sent as desktop notifications.
    db.table("reminders").create(
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
    db.table("reminders").create_index(["status", "due_at"])


def _v7_memory(db: sqlite_utils.Database) -> None:
    """Memories (facts about the user kept across conversations), the runs that changed them and each change."""
    db.table("memories").create(
        {
            "id": int,
            "text": str,
            "conversation_id": int,  # where it was learnt; kept when that conversation is deleted
            "source": str,  # chat | ingest | manual
            "source_ids": str,  # JSON list: message ids, or dialogue ids of an ingested conversation
            "happened_at": str,  # the date the fact is about, as the conversation gave it
            "created_at": str,
            "updated_at": str,
            "embed_model": str,
            "vector": bytes,  # float32, unit length: the index is rebuilt from these
        },
        pk="id",
        not_null={"text", "source", "created_at", "updated_at"},
        defaults={"source": "chat", "source_ids": "[]", "happened_at": "", "embed_model": ""},
    )
    db.table("memory_runs").create(
        {
            "id": int,
            "conversation_id": int,
            "kind": str,  # exchange | ingest
            "started_at": str,
            "finished_at": str,
            "status": str,  # running | done | failed | cancelled
            "facts": int,
            "added": int,
            "updated": int,
            "deleted": int,
            "unchanged": int,
            "skipped": int,  # model outputs that stayed malformed after a retry
            "error": str,
            "timings": str,  # JSON {operation: [ms, ...]}
        },
        pk="id",
        not_null={"kind", "started_at", "status"},
        defaults={
            "facts": 0,
            "added": 0,
            "updated": 0,
            "deleted": 0,
            "unchanged": 0,
            "skipped": 0,
            "error": "",
            "timings": "{}",
        },
    )
    db.table("memory_runs").create_index(["started_at"])
    db.table("memory_events").create(
        {
            "id": int,
            "run_id": int,  # null for the user's own edits
            "at": str,
            "event": str,  # ADD | UPDATE | DELETE | NONE | SKIP | EDIT | FORGET
            "memory_id": int,
            "fact": str,  # the candidate the model decided on
            "old_text": str,
            "new_text": str,
            "detail": str,
        },
        pk="id",
        not_null={"at", "event"},
        defaults={"fact": "", "old_text": "", "new_text": "", "detail": ""},
    )
    db.table("memory_events").create_index(["run_id"])
    db.table("memory_events").create_index(["at"])
    db.table("conversations").add_column("memory_paused", int, not_null_default=0)
    # The last message whose facts were extracted: memory work left undone (the app closed) is picked up.
    db.table("conversations").add_column("memory_through", int, not_null_default=0)
    db.table("messages").add_column("memories", str)  # JSON [{"id", "text"}]: the memories this answer used
    # Conversations from before memory existed are not mined all at once on the first start.
    db.execute(
        "update conversations set memory_through = "
        "(select coalesce(max(id), 0) from messages where conversation_id = conversations.id)"
    )


def _v8_message_queue_and_engine(db: sqlite_utils.Database) -> None:
    db.table("messages").add_column("queue_ms", float)  # waited for the model behind other requests
    db.table("messages").add_column("threads", int)  # CPU threads the answer decoded with
    db.table("messages").add_column("engine", str)  # which engine answered ("llama.cpp", "remote:NAME")
    db.table("messages").add_column(
        "route", str
    )  # why that engine answered (local only, fallback and why...)


def _v9_remote_engines_and_routing(db: sqlite_utils.Database) -> None:
    # OpenAI-compatible endpoints the user added. Keys are never here: the keyring (or a 0600 file) holds them.
    db.table("remote_engines").create(
        {
            "name": str,
            "url": str,
            "added_at": str,
            "checked_at": str,  # last `engines test`
            "probe": str,  # JSON: capabilities, context size and models that test found
        },
        pk="name",
        not_null={"url", "added_at"},
        defaults={"checked_at": "", "probe": ""},
    )
    # Per conversation: "" follows the routing setting; else local | remote | local_first.
    db.table("conversations").add_column("routing", str, not_null_default="")
    db.table("conversations").add_column("routing_remote", str, not_null_default="")


def _v10_memory_subjects_and_links(db: sqlite_utils.Database) -> None:
    """Whom each memory is about and what it names, searchable with BM25; superseded memories kept, linked."""
    memories = db.table("memories")
    memories.add_column("subject", str, not_null_default="")  # "User", or the person the memory is about
    # Names, places and dates the memory names, space-separated (FTS5 indexes them beside the text). NULL
    # until analysed: MemoryService fills it for memories from before this version when it opens.
    memories.add_column("names", str)
    # A memory replaced by a newer one (a job, a city that changed) stays for "when did..." questions.
    memories.add_column("superseded_by", int)
    memories.add_column("superseded_at", str)
    memories.enable_fts(["text", "subject", "names"], create_triggers=True, tokenize="porter unicode61")
    memories.rebuild_fts()


def _v11_message_voice_latency(db: sqlite_utils.Database) -> None:
    # A spoken turn's latency, from the end of the user's speech (core/voice/latency.py).
    db.table("messages").add_column("voice_stt_ms", float)  # -> the transcript
    db.table("messages").add_column("voice_tool_ms", float)  # -> the first tool call
    db.table("messages").add_column("voice_audio_ms", float)  # -> the first audio of the answer
    db.table("messages").add_column("voice_tts_ms", float)  # the answer's first sentence -> its audio


MIGRATIONS: list[Migration] = [
    _v1_conversations_messages_settings,
    _v2_message_energy_and_memory,
    _v3_model_catalog,
    _v4_documents,
    _v5_message_citations,
    _v6_agent_actions_reminders,
    _v7_memory,
    _v8_message_queue_and_engine,
    _v9_remote_engines_and_routing,
    _v10_memory_subjects_and_links,
    _v11_message_voice_latency,
]

SCHEMA_VERSION = len(MIGRATIONS)
