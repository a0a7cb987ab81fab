"""The sweep harness produces what it promises (one small point; the figures themselves are not judged)."""

from __future__ import annotations

import csv
from pathlib import Path

from core.bench.sweep import format_table, run_sweep, write_csv, write_plot
from core.telemetry.devices import discover_devices


def test_one_point_side_by_side_with_table_csv_and_plot(model_path: Path, tmp_path: Path) -> None:
    cpu = [d for d in discover_devices() if d.id == "cpu"]
    points = run_sweep(
        [("smol", str(model_path))], cpu, threads=[2], prompt_lengths=[48], max_tokens=8, runs=1
    )
    assert [p.runner for p in points] == ["hearth", "raw"]
    for p in points:
        assert p.decode_tok_s > 0 and p.ttft_ms > 0 and p.j_per_token > 0 and p.peak_rss_mb > 50
        assert 40 <= p.prompt_tokens <= 56
    table = format_table(points)
    assert "hearth/raw decode" in table and ("ESTIMATE" in table or "measured" in table)
    write_csv(points, tmp_path / "sweep.csv")
    rows = list(csv.DictReader((tmp_path / "sweep.csv").open()))
    assert [r["runner"] for r in rows] == ["hearth", "raw"]
    write_plot(points, tmp_path / "sweep.png")
    assert (tmp_path / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
