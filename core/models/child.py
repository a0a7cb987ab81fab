"""Runs a tool in a child process whose output lines are read as progress, and kills it on cancel.

The child gets its own session, so a Ctrl-C in the terminal reaches Hearth (which decides to cancel)
rather than killing the tool half-way through a write.
"""

from __future__ import annotations

import os
import queue
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import core
from core.errors import OperationCancelled
from core.frozen import python_command

PROJECT_ROOT = Path(core.__file__).resolve().parent.parent


@dataclass(frozen=True)
class ChildResult:
    returncode: int
    tail: list[str]  # the last lines it printed, for error messages


def run_child(
    args: Sequence[str],
    on_line: Callable[[str], None],
    cancel: threading.Event | None,
    what: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> ChildResult:
    """Run `python args...`, calling on_line for each line it prints; kill it when cancel is set.

    From a frozen bundle, "python" is the bundle's own executable acting as Python (core.frozen).
    """
    child_env = {**os.environ, **(env or {})}
    # The child must import this very `core` package, wherever it was imported from.
    child_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT_ROOT), child_env.get("PYTHONPATH", "")) if p
    )
    child_env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen(
        [*python_command(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
        cwd=cwd,
        env=child_env,
        start_new_session=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=pump, name="child-output", daemon=True)
    reader.start()
    tail: deque[str] = deque(maxlen=20)
    try:
        while True:
            if cancel is not None and cancel.is_set():
                proc.kill()
                proc.wait()
                raise OperationCancelled(what)
            try:
                line = lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                break
            tail.append(line.rstrip())
            on_line(line)
        return ChildResult(proc.wait(), list(tail))
    finally:
        if proc.poll() is None:  # an exception from on_line, or KeyboardInterrupt: never leave it running
            proc.kill()
            proc.wait()
        reader.join(timeout=5)
