"""Shared set-up for the assistant tests: a real store and tool context under a temporary HEARTH_HOME."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from core.assistant.desktop import RecordingDesktop
from core.assistant.tools import ToolContext
from core.store import Store

# A fixed Monday morning, so "tomorrow 3pm" means one known instant in the assertions.
MONDAY_10AM = datetime(2025, 5, 5, 10, 0).astimezone()


def make_context(home: Path, store: Store, **kwargs: object) -> tuple[ToolContext, RecordingDesktop]:
    desktop = RecordingDesktop()
    ctx = ToolContext(
        files_dir=home, store=store, desktop=desktop, search_root=home, now=lambda: MONDAY_10AM, **kwargs
    )  # type: ignore[arg-type]
    return ctx, desktop


VCARDS = """BEGIN:VCARD
VERSION:3.0
FN:Sarah Connor
N:Connor;Sarah;;;
EMAIL;TYPE=INTERNET:sarah@example.org
TEL;TYPE=CELL:+1 555 0100
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:David Lee
N:Lee;David;;;
EMAIL:david.lee@example.com
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:David Kim
N:Kim;David;;;
TEL:+1 555 0199
END:VCARD
"""
