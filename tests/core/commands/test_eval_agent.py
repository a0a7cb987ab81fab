"""`hearth eval agent` as a user runs it: configurations side by side, an adapter file as its own column,
and wrong options refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

from core.adapters.store import shipped_adapters_dir
from core.engine import embedded_model_path
from tests.core.commands.test_agent import hearth


def test_configurations_and_an_adapter_file_plan_side_by_side(hearth_home: Path, tmp_path: Path) -> None:
    shipped = shipped_adapters_dir(embedded_model_path()) / "planner.gguf"
    out = hearth(
        "eval", "agent", "--limit", "2", "--threads", "2", "--no-exec", "--json",
        "--config", "adapter,adapter-free", "--adapter", f"again={shipped}",
        home=hearth_home,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    configs = json.loads(out.stdout)["configs"]
    assert list(configs) == ["adapter", "adapter-free", "again"]
    for name, report in configs.items():
        assert report["summary"]["requests"] == 2 and report["summary"]["validity_rate"] == 1.0, name
    # The same adapter file under another name plans exactly as the one found for the model.
    plans = {name: [c["plan_text"] for c in r["cases"]] for name, r in configs.items()}
    assert plans["again"] == plans["adapter"]
    assert configs["again"]["summary"]["adapter"] == "again"


def test_wrong_configurations_and_adapter_files_are_refused(hearth_home: Path, tmp_path: Path) -> None:
    bad = hearth("eval", "agent", "--config", "adapter,fast", home=hearth_home)
    assert bad.returncode == 2 and "unknown configuration 'fast'" in bad.stderr
    missing = hearth("eval", "agent", "--adapter", f"new={tmp_path / 'none.gguf'}", home=hearth_home)
    assert missing.returncode == 2 and "There is no adapter file" in missing.stderr
