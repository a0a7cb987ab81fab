"""Past answers with what each cost, as rows for a table or a CSV file."""

from __future__ import annotations

import csv
from pathlib import Path

from core.store import Message

COLUMNS = (
    "created_at",
    "model",
    "device",
    "prompt_tokens",
    "completion_tokens",
    "ttft_ms",
    "prompt_tok_s",
    "decode_tok_s",
    "total_ms",
    "energy_j",
    "j_per_token",
    "energy_above_idle_j",
    "j_per_token_above_idle",
    "avg_power_w",
    "peak_rss_mb",
    "vram_mb",
    "power_source",
    "power_measured",
)


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
