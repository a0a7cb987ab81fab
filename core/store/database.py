"""Opens Hearth's one SQLite file: checks the data dir, turns on WAL, applies migrations."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import sqlite_utils

from core.errors import StoreError
from core.store.migrations import MIGRATIONS, SCHEMA_VERSION


def prepare_data_dir(root: Path) -> None:
    """Create `root` if needed and prove it can be written, with a message the user can act on."""
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StoreError(f"Cannot create the data folder '{root}': {e.strerror}.") from e
    if not root.is_dir():
        raise StoreError(f"The data folder '{root}' is not a folder.")
    if not os.access(root, os.W_OK | os.X_OK):
        raise StoreError(
            f"Cannot write to the data folder '{root}'. Check its permissions, or choose another folder "
            "with the HEARTH_HOME environment variable."
        )


def open_database(path: Path) -> tuple[sqlite_utils.Database, threading.RLock]:
    """One connection shared by all threads, guarded by the returned lock (WAL lets readers elsewhere in)."""
    prepare_data_dir(path.parent)
    try:
        conn = sqlite3.connect(path, check_same_thread=False, timeout=10.0)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA foreign_keys = ON")
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")  # safe with WAL; a crash loses at most the last commit
        migrate(db)
    except sqlite3.DatabaseError as e:
        raise StoreError(f"Cannot open Hearth's database '{path}': {e}.") from e
    return db, threading.RLock()


def schema_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite_utils.Database) -> None:
    current = schema_version(db)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"This database was written by a newer Hearth (schema {current}, this one knows {SCHEMA_VERSION})."
        )
    for version in range(current, SCHEMA_VERSION):
        with db.conn:
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
