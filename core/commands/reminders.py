"""`hearth reminders`: the reminders and timers the assistant set; `fire` notifies the due ones."""

from __future__ import annotations

import argparse

from core.assistant.desktop import SystemDesktop
from core.assistant.tools.reminders import fire_due
from core.commands.common import print_json
from core.store import Store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reminders", help="reminders and timers; `fire` shows the due ones as notifications")
    p.add_argument("action", choices=["list", "fire"], nargs="?", default="list")
    p.add_argument("--all", action="store_true", help="list fired and cancelled ones too")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    store = Store()
    try:
        if args.action == "fire":
            items = fire_due(store, SystemDesktop())
        else:
            items = store.reminders.list(status=None if args.all else "pending")
        if args.json:
            print_json(
                [
                    {"id": r.id, "kind": r.kind, "text": r.text, "due_at": r.due_at, "status": r.status}
                    for r in items
                ]
            )
        else:
            for r in items:
                print(f"{r.id:>4} {r.due:%a %d %b %H:%M} {r.kind:<8} {r.status:<9} {r.text}")
        return 0
    finally:
        store.close()
