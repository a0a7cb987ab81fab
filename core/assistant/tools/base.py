"""What every tool gets (ToolContext) and gives back (ToolResult)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.assistant.desktop import Desktop

if TYPE_CHECKING:
    from core.engine import ChatEngine
    from core.store import Store


@dataclass
class ToolResult:
    """`value` is what `$N` stands for in later calls; `text` is what the user and the joiner read.

    `undo` describes how to take the action back (see core.assistant.undo); None when nothing was made.
    """

    value: Any
    text: str
    undo: dict[str, Any] | None = None
    opened: list[str] = field(default_factory=list)


@dataclass
class ToolContext:
    """The side-effect boundaries a tool may use, passed in (never looked up globally).

    Args:
        files_dir: where notes, the calendar, contacts and drafts are written (the data dir by default).
        store: reminders and timers live in the store.
        desktop: opens files and links, shows notifications.
        engine: returns the loaded engine, for tools that need the model (summarise).
        search_root: where find_files looks when no folder is given.
        now: the clock, so times like "tomorrow 3pm" are read against the real present.
    """

    files_dir: Path
    store: Store
    desktop: Desktop
    engine: Callable[[], ChatEngine] | None = None
    search_root: Path = field(default_factory=Path.home)
    now: Callable[[], datetime] = field(default=lambda: datetime.now().astimezone())

    @property
    def notes_dir(self) -> Path:
        return self.files_dir / "notes"

    @property
    def calendar_file(self) -> Path:
        return self.files_dir / "calendar" / "hearth.ics"

    @property
    def contacts_file(self) -> Path:
        return self.files_dir / "contacts" / "contacts.vcf"

    @property
    def drafts_dir(self) -> Path:
        return self.files_dir / "drafts"


def slug(text: str, fallback: str = "untitled") -> str:
    """A file name from a title: lower case, letters, digits and dashes."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:80] or fallback


def unique_path(folder: Path, stem: str, suffix: str) -> Path:
    path = folder / f"{stem}{suffix}"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}{suffix}"
        n += 1
    return path
