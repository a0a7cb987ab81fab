"""The `hearth` command, run as a user runs it: a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from core import __version__


def hearth(*args: str, home: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEARTH_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def test_version(hearth_home: Path) -> None:
    out = hearth("--version", home=hearth_home)
    assert out.returncode == 0 and out.stdout.strip() == f"hearth {__version__}"


def test_chat_json_prints_one_object_with_metrics(hearth_home: Path) -> None:
    out = hearth(
        "chat", "What is the capital of France?", "--json", "-t", "0", "--max-tokens", "32", home=hearth_home
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["text"].strip() and data["finish_reason"] in ("stop", "length")
    for key in ("prompt_tokens", "completion_tokens", "ttft_ms", "decode_tok_s"):
        assert data[key] > 0, key


def test_chat_works_out_a_plain_sum_as_the_app_does(hearth_home: Path) -> None:
    out = hearth("chat", "What is 6 times 7?", "--json", home=hearth_home)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["text"] == "6 × 7 = 42" and data["completion_tokens"] == 0


def test_chat_streams_plain_text_with_system_prompt(hearth_home: Path) -> None:
    out = hearth(
        "chat", "Say hello.", "--system", "You are a pirate.", "-n", "24", "-t", "0", home=hearth_home
    )
    assert out.returncode == 0 and out.stdout.strip()


def test_errors_are_one_clear_line_and_exit_2(hearth_home: Path, tmp_path: Path) -> None:
    out = hearth("chat", "   ", home=hearth_home)
    assert out.returncode == 2 and "empty" in out.stderr and "Traceback" not in out.stderr
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"no model here")
    out = hearth("chat", "hi", "--model", str(junk), home=hearth_home)
    assert out.returncode == 2 and "junk.gguf" in out.stderr and "Traceback" not in out.stderr
    out = hearth("chat", "hi", "--model", "no-such-model", home=hearth_home)
    assert out.returncode == 2 and "smollm2-135m-instruct" in out.stderr


def test_models_list_shows_the_embedded_model(hearth_home: Path) -> None:
    out = hearth("models", "list", "--json", home=hearth_home)
    entries = json.loads(out.stdout)
    assert entries[0]["id"] == "smollm2-135m-instruct" and entries[0]["embedded"] is True
    assert Path(entries[0]["path"]).is_file()


def test_device_json_names_the_power_source_and_whether_it_is_measured(hearth_home: Path) -> None:
    out = hearth("device", "--json", home=hearth_home)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["device"] == "cpu" and data["devices"][0]["id"] == "cpu"
    source = data["power_source"]
    assert isinstance(source["measured"], bool) and source["label"]
    if not source["measured"]:
        assert "estimate" in source["label"] and source["not_used"], "an estimate says why no sensor was used"
    assert data["reading"]["watts"] is not None and data["reading"]["rss_mb"] > 0
    assert 0 <= data["sampler"]["cpu_cost_of_one_core"] < 0.05
    bad = hearth("device", "--select", "gpu:7", home=hearth_home)
    assert bad.returncode == 2 and "No device 'gpu:7'" in bad.stderr
