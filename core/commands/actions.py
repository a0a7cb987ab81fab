"""`hearth actions`: what the assistant did, and undoing what it made."""

from __future__ import annotations

import argparse

from core.assistant.action_log import ActionLog
from core.commands.common import print_json
from core.store import Store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("actions", help="the assistant's action log; undo what it made")
    kinds = p.add_subparsers(dest="actions", required=True)
    ls = kinds.add_parser("list", help="newest first")
    ls.add_argument("--limit", type=int, default=30)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(run=run_list)
    undo = kinds.add_parser("undo", help="take back what an action made (a note, an event, a draft...)")
    undo.add_argument("action_id", type=int)
    undo.set_defaults(run=run_undo)


def run_list(args: argparse.Namespace) -> int:
    store = Store()
    try:
        actions = ActionLog(store).list(limit=args.limit)
        if args.json:
            print_json(
                [
                    {
                        "id": a.id,
                        "run_id": a.run_id,
                        "created_at": a.created_at,
                        "request": a.request,
                        "tool": a.tool,
                        "args": a.args,
                        "status": a.status,
                        "result": a.result,
                        "error": a.error,
                        "can_undo": a.can_undo,
                    }
                    for a in actions
                ]
            )
        else:
            for a in actions:
                mark = f" (undo: hearth actions undo {a.id})" if a.can_undo else ""
                print(f"{a.id:>5} {a.created_at[:19]} {a.status:<9} {a.tool}: {a.result or a.error}{mark}")
        return 0
    finally:
        store.close()


def run_undo(args: argparse.Namespace) -> int:
    store = Store()
    try:
        print(ActionLog(store).undo(args.action_id))
        return 0
    finally:
        store.close()
