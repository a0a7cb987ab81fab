"""`hearth models ...` run as a user runs it, against the local hub server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fake_hub import FakeHub, running_hub
from tests.model_factory import write_tiny_llama

REPO = "hearth-test/Tiny-Llama-GGUF"
FILE = "tiny-llama-F32.gguf"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[FakeHub]:
    with running_hub() as h:
        h.add_repo(REPO, downloads=7)
        h.add_file(REPO, FILE, write_tiny_llama(tmp_path / FILE), seconds_per_mb=0.15)
        yield h


def _env(home: Path, hub: FakeHub | None) -> dict[str, str]:
    env = {**os.environ, "HEARTH_HOME": str(home)}
    if hub is not None:
        env |= {"HF_ENDPOINT": hub.endpoint, "HF_HUB_OFFLINE": "0"}
    return env


def hearth(*args: str, home: Path, hub: FakeHub | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", "models", *args],
        env=_env(home, hub),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_search_files_download_inspect_quantize_remove(hub: FakeHub, hearth_home: Path) -> None:
    found = json.loads(hearth("search", "tiny", "--json", home=hearth_home, hub=hub).stdout)
    assert [m["id"] for m in found] == [REPO]
    files = json.loads(hearth("files", REPO, "--json", home=hearth_home, hub=hub).stdout)
    assert [(f["path"], f["quant_type"]) for f in files] == [(FILE, "F32")]

    # Interrupted by a kill mid-transfer (an app crash), then resumed by running the command again.
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "models", "download", REPO, FILE],
        env=_env(hearth_home, hub),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    part = hearth_home / "models" / ".downloads" / (FILE.removesuffix(".gguf") + ".part")
    deadline = time.monotonic() + 60
    while not (part.exists() and part.stat().st_size > 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = part.stat().st_size
    assert 0 < done < files[0]["size"]
    out = hearth("download", REPO, FILE, "--json", home=hearth_home, hub=hub)
    assert out.returncode == 0, out.stderr
    assert hub.ranges(FILE)[-1] == f"bytes={done}-" and "download:" in out.stderr
    record = json.loads(out.stdout)
    assert record["source_repo"] == REPO and record["quant_type"] == "F32"

    info = json.loads(hearth("inspect", record["id"], "--json", "--ctx", "256", home=hearth_home).stdout)
    assert info["architecture"] == "llama" and info["fit"]["verdict"] == "fits"
    assert info["fit"]["kv_bytes"] == 2 * 2 * 256 * 2 * 16 * 2  # K+V, 2 layers, 256 positions, 2 heads x 16

    out = hearth("quantize", record["id"], "Q4_0", "--json", home=hearth_home)
    assert out.returncode == 0, out.stderr
    q = json.loads(out.stdout)
    assert q["quant_type"] == "Q4_0" and q["parent_id"] == record["id"] and "quantize:" in out.stderr
    ids = [m["id"] for m in json.loads(hearth("list", "--json", home=hearth_home).stdout)]
    assert ids == ["smollm2-135m-instruct", record["id"], q["id"]]  # embedded first, then by name

    out = hearth("remove", q["id"], "--delete-file", "--json", home=hearth_home)
    assert json.loads(out.stdout)["removed"] == q["id"] and not Path(q["path"]).exists()


def test_errors_are_one_line_and_exit_2(hearth_home: Path, tmp_path: Path) -> None:
    out = hearth("quantize", "smollm2-135m-instruct", "Q7_Z", home=hearth_home)
    assert out.returncode == 2 and "Q7_Z" in out.stderr and "Q4_K_M" in out.stderr
    assert "Traceback" not in out.stderr
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"nope" * 50)
    out = hearth("inspect", str(junk), home=hearth_home)
    assert out.returncode == 2 and "not a GGUF" in out.stderr
    out = hearth("search", "x", home=hearth_home)  # the test environment is offline
    assert out.returncode == 2 and "offline" in out.stderr
    out = hearth("remove", "smollm2-135m-instruct", home=hearth_home)
    assert out.returncode == 2 and "embedded" in out.stderr
