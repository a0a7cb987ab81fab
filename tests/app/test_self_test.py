"""`hearth --self-test` from the source tree: the same checks the installed bundle runs (tests/packaging)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(1200)
def test_the_self_test_runs_every_check_and_passes(hearth_home: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("QT_QPA_PLATFORM", None)  # it sets offscreen itself
    done = subprocess.run(
        [sys.executable, "-m", "core.cli", "--self-test"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1100,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for check in (
        "window",
        "chat turn on the embedded model",
        "document search",
        "dry-run plan",
        "child process",
    ):
        assert f"ok   {check}" in done.stdout.replace("Python child process", "child process")
    assert "self-test passed: 5 of 5 checks" in done.stdout
    assert not hearth_home.exists(), "the user's data folder was not touched"
