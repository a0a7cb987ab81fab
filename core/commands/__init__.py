"""One module per `hearth` subcommand. Each has `register(subparsers)` and `run(args) -> int`.

To add a command: write core/commands/<name>.py and add it to COMMANDS.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from types import ModuleType

from core.commands import actions, adapters, agent, bench, chat, device, docs, memory, models, reminders
from core.commands import eval as evaluate

COMMANDS: list[ModuleType] = [
    chat, models, docs, agent, actions, reminders, memory, adapters, device, evaluate, bench,
]  # fmt: skip

Runner = Callable[[argparse.Namespace], int]
