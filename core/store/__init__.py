"""The store: the only package that touches SQLite. One file in the data dir, WAL, versioned schema."""

from __future__ import annotations

from pathlib import Path

from core import paths
from core.store.actions import ActionRecord, ActionStore
from core.store.catalog import CatalogTable
from core.store.conversations import ConversationStore
from core.store.database import open_database, schema_version
from core.store.documents import DocumentStore
from core.store.lock import StoreLock
from core.store.memories import Memory, MemoryEvent, MemoryRun, MemoryStore
from core.store.records import (
    Conversation,
    DocChunk,
    DocCollection,
    DocFile,
    Message,
    MessageStatus,
    ModelRecord,
    Place,
    RemoteEngineRecord,
    Turn,
)
from core.store.reminders import Reminder, ReminderStore
from core.store.remote_engines import RemoteEngineStore
from core.store.settings_table import SettingsTable


class Store:
    """Opens (and migrates) the database under `root`, then offers one repository per kind of record."""

    def __init__(self, root: Path | None = None, *, recover: bool = True) -> None:
        """Args:
        recover: mark answers left 'streaming' by a crash as incomplete. It runs only when no other Store
            has this data folder open, in this process or another (core/store/lock.py): while the app
            streams an answer, the CLI or a second handle (the model catalog's) must leave it alone.
        """
        self.root = root or paths.data_dir()
        self.path = paths.database_path(self.root)
        self.db, self._lock = open_database(self.path)
        self._holder = StoreLock(self.root)
        sole = self._holder.try_sole()
        self.conversations = ConversationStore(self.db, self._lock)
        self.settings = SettingsTable(self.db, self._lock)
        self.catalog = CatalogTable(self.db, self._lock)
        self.documents = DocumentStore(self.db, self._lock)
        self.actions = ActionStore(self.db, self._lock)
        self.reminders = ReminderStore(self.db, self._lock)
        self.memories = MemoryStore(self.db, self._lock)
        self.remote_engines = RemoteEngineStore(self.db, self._lock)
        self.recovered_messages = 0
        if recover and sole:
            self.recovered_messages = self.conversations.mark_interrupted()
            self.memories.mark_interrupted_runs()
        self._holder.share()

    @property
    def schema_version(self) -> int:
        return schema_version(self.db)

    def close(self) -> None:
        with self._lock:
            self.db.conn.close()
        self._holder.release()


__all__ = [
    "ActionRecord",
    "ActionStore",
    "CatalogTable",
    "Conversation",
    "ConversationStore",
    "DocChunk",
    "DocCollection",
    "DocFile",
    "DocumentStore",
    "Memory",
    "MemoryEvent",
    "MemoryRun",
    "MemoryStore",
    "Message",
    "Place",
    "Turn",
    "MessageStatus",
    "ModelRecord",
    "RemoteEngineRecord",
    "RemoteEngineStore",
    "Reminder",
    "ReminderStore",
    "SettingsTable",
    "Store",
]
