"""The documents schema: migration from a version-1 database, and what its constraints guarantee."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from core.errors import DocumentError
from core.store import Place, Store
from core.store.documents import FileMeta, NewChunk
from core.store.migrations import MIGRATIONS, SCHEMA_VERSION


def test_a_version_1_database_gains_the_documents_tables_and_keeps_its_chats(hearth_home: Path) -> None:
    hearth_home.mkdir(parents=True)
    conn = sqlite3.connect(hearth_home / "hearth.db")
    db = sqlite_utils.Database(conn)
    MIGRATIONS[0](db)
    db.execute("PRAGMA user_version = 1")
    db["conversations"].insert(
        {"title": "Old chat", "created_at": "2024-01-01T00:00:00", "updated_at": "2024-01-01T00:00:00"}
    )
    conn.commit()
    conn.close()

    store = Store()
    assert store.schema_version == SCHEMA_VERSION >= 2
    assert [c.title for c in store.conversations.list()] == ["Old chat"]
    assert store.documents.collections() == []
    assert {"doc_collections", "doc_roots", "doc_files", "doc_chunks", "conversation_collections"} <= set(
        store.db.table_names()
    )


def test_chunks_are_replaced_whole_and_versioned(hearth_home: Path) -> None:
    docs = Store().documents
    c = docs.create_collection("notes", "all-minilm-l6-v2", 4, 128, 24)
    with pytest.raises(DocumentError, match="already exists"):
        docs.create_collection("notes", "all-minilm-l6-v2", 4, 128, 24)
    vector = bytes(16)
    meta = FileMeta("/notes/a.txt", "text", 10, 1)
    first = docs.save_indexed_file(
        c.id, meta, [NewChunk(i, Place(None, 1, 0, 5), 2, f"otter {i}", vector) for i in range(3)]
    )
    assert first.removed == [] and len(first.added) == 3 and first.version == 1
    second = docs.save_indexed_file(c.id, meta, [NewChunk(0, Place(None, 1, 0, 5), 2, "heron", vector)])
    assert second.removed == first.added and second.version == 2
    assert [i for i, _ in docs.lexical_search([c.id], '"otter"', 10)] == [], "old text left the FTS index"
    assert [i for i, _ in docs.lexical_search([c.id], '"heron"', 10)] == second.added
    skipped = docs.save_skipped_file(c.id, meta, "encrypted PDF: it needs a password")
    assert skipped.removed == second.added and docs.chunk_count(c.id) == 0
    assert docs.file(c.id, "/notes/a.txt").reason == "encrypted PDF: it needs a password"  # type: ignore[union-attr]
    assert sum(len(b) for b in docs.iter_vectors(c.id)) == 0
