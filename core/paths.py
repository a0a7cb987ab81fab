"""Where Hearth keeps the user's data: HEARTH_HOME if set, else the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Hearth"
HOME_ENV = "HEARTH_HOME"


def data_dir() -> Path:
    """The data directory, not created here (the store creates and checks it)."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def database_path(root: Path | None = None) -> Path:
    return (root or data_dir()) / "hearth.db"


def models_dir(root: Path | None = None) -> Path:
    """User-added GGUF files live here; the catalog lists them beside the embedded model."""
    return (root or data_dir()) / "models"


def vectors_dir(root: Path | None = None) -> Path:
    """FAISS index files, one per document collection: a cache that can always be rebuilt from the database."""
    return (root or data_dir()) / "vectors"


def memory_dir(root: Path | None = None) -> Path:
    """The memory index (a cache of the database) and adapters the user distilled."""
    return (root or data_dir()) / "memory"


def cache_dir() -> Path:
    """Files Hearth can always make again (the joined speech model): the platform's user cache dir."""
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))
