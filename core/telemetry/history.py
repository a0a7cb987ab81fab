"""Past answers with what each cost, as rows for a table or a CSV file."""

from __future__ import annotations

import csv
from pathlib import Path

from core.store import Message
from core.store.conversations import METRIC_COLUMNS

COLUMNS = ("created_at", "model", *METRIC_COLUMNS)


def history_rows(messages: list[Message]) -> list[dict[str, object]]:
    return [{c: getattr(m, c) for c in COLUMNS} for m in messages]


def export_csv(messages: list[Message], path: Path) -> int:
    """Write one row per answer; returns how many. The file is written whole or not at all."""
    tmp = path.with_suffix(path.suffix + ".part")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(history_rows(messages))
    tmp.replace(path)
    return len(messages)
