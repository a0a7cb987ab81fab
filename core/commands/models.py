"""`hearth models list`: the models Hearth can load."""

from __future__ import annotations

import argparse

from core.commands.common import print_json
from core.models import list_models


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("models", help="the models Hearth can load")
    p.add_argument("action", choices=["list"])
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    entries = list_models()
    if args.json:
        print_json(
            [{"id": e.id, "name": e.name, "path": str(e.path), "embedded": e.embedded} for e in entries]
        )
    else:
        for e in entries:
            print(f"{e.id:<32} {e.name:<44} {e.path}")
    return 0
