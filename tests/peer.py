"""A second Hearth, `hearth serve` in a process of its own on a free loopback port: the remote engine of
the end-to-end tests. It stops by itself (--stop-after) even if a test run is killed."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PEER_KEY = "peer-secret-key"
_READY = re.compile(r"serving .* on (http://127\.0\.0\.1:\d+/v1)")


@dataclass
class Peer:
    url: str
    process: subprocess.Popen[str]
    output: list[str]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(15)


def start_peer(home: Path, *, threads: int, key: str | None = PEER_KEY, lifetime_s: float = 1800) -> Peer:
    env = {**os.environ, "HEARTH_HOME": str(home), "PYTHONPATH": str(REPO)}
    env.pop("HEARTH_API_KEY", None)
    if key:
        env["HEARTH_API_KEY"] = key  # not on the command line, where `ps` would show it
    command = [sys.executable, "-m", "core.cli", "serve", "--port", "0", "--threads", str(threads)]
    command += ["--n-ctx", "2048", "--stop-after", str(lifetime_s)]
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=180)
        except queue.Empty:
            process.kill()
            raise RuntimeError("the peer server did not start:\n" + "".join(output)) from None
        found = _READY.search(line)
        if found:
            return Peer(found.group(1), process, output)
