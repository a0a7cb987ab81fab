"""One module per `hearth` subcommand. Each has `register(subparsers)` and `run(args) -> int`.

To add a command: write core/commands/<name>.py and add it to COMMANDS.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from types import ModuleType

from core.commands import (
    actions,
    adapters,
    agent,
    bench,
    chat,
    device,
    docs,
    engines,
    listen,
    memory,
    models,
    reminders,
    say,
    serve,
    voice,
)
from core.commands import eval as evaluate

COMMANDS: list[ModuleType] = [
    chat,
    models,
    docs,
    agent,
    actions,
    reminders,
    memory,
    adapters,
    device,
    evaluate,
    bench,
    serve,
    engines,
    listen,
    say,
    voice,
]

Runner = Callable[[argparse.Namespace], int]
