"""Consent: a call with side effects runs only after the user says yes to exactly what it will do.

The executor asks a ConsentCallback with the call's arguments already filled in ($N replaced), so what
the user approves is what runs. The GUI's callback shows a card and blocks the worker until answered; the
CLI asks on the terminal unless --yes.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from core.assistant.plan import render_args


@dataclass(frozen=True)
class ConsentRequest:
    run_id: str
    step_id: int
    tool: str
    args: dict[str, Any]
    description: str  # the tool's description, for the card

    @property
    def summary(self) -> str:
        return f"{self.tool}({render_args(self.args)})"


ConsentCallback = Callable[[ConsentRequest], bool]


def allow_all(request: ConsentRequest) -> bool:
    return True


def deny_all(request: ConsentRequest) -> bool:
    return False


class TerminalConsent:
    """Asks on the terminal, one question at a time even when calls run in parallel."""

    def __init__(self, stdin: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self._in = stdin or sys.stdin
        self._err = stderr or sys.stderr
        self._lock = threading.Lock()

    def __call__(self, request: ConsentRequest) -> bool:
        with self._lock:
            if not self._in.isatty():
                print(
                    f"hearth: not running {request.summary}: it changes things and there is no terminal to "
                    "ask; use --yes to allow it.",
                    file=self._err,
                )
                return False
            print(f"\n{request.description}\n  {request.summary}", file=self._err)
            print("Run this? [y/N] ", end="", file=self._err, flush=True)
            answer = self._in.readline().strip().lower()
            return answer in ("y", "yes")
