"""One module per `hearth` subcommand. Each has `register(subparsers)` and `run(args) -> int`.

To add a command: write core/commands/<name>.py and add it to COMMANDS.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from types import ModuleType

from core.commands import actions, agent, bench, chat, models, reminders
from core.commands import eval as eval_

COMMANDS: list[ModuleType] = [chat, models, bench, agent, actions, reminders, eval_]

Runner = Callable[[argparse.Namespace], int]
