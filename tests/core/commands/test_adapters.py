"""`hearth adapters`, run as a user runs it: every task listed with its adapter, data written and read back,
bad training data refused with a clear message (exit 2) before anything trains."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from core.adapters.data import read_jsonl


def hearth(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEARTH_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args], env=env, capture_output=True, text=True, timeout=400
    )


def test_list_names_every_task_and_the_shipped_adapters(hearth_home: Path) -> None:
    out = hearth("adapters", "list", "--json", home=hearth_home)
    assert out.returncode == 0, out.stderr
    rows = {r["task"]: r for r in json.loads(out.stdout)["tasks"]}
    assert set(rows) == {"planner", "extract", "update", "answer"}
    for row in rows.values():  # the embedded model ships an adapter for each, none user-trained here
        assert row["source"] == "shipped" and row["adapter"].endswith(f"{row['task']}.gguf")
        assert row["steps"] > 0 and row["size_bytes"] > 0


def test_data_writes_examples_that_validate(hearth_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "planner.jsonl"
    out = hearth("adapters", "data", "planner", "--n", "12", "--out", str(path), home=hearth_home)
    assert out.returncode == 0, out.stderr
    examples = read_jsonl(path)  # checked against the schema as it reads
    assert len(examples) == 12 and all(e.task == "planner" and e.target.strip() for e in examples)


def test_bad_training_data_is_refused_with_a_clear_message(hearth_home: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    out = hearth("adapters", "train", "planner", "--data", str(empty), "--steps", "1", home=hearth_home)
    assert out.returncode == 2, out.stderr
    assert "holds no examples" in out.stderr and "Traceback" not in out.stderr
    out = hearth("adapters", "train", "nonsense", home=hearth_home)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert not (hearth_home / "adapters").exists() or not any((hearth_home / "adapters").rglob("*.gguf"))
