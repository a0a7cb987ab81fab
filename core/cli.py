"""The `hearth` command: the GUI when run bare, every capability headless through subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import import_module

from core import __version__
from core.errors import HearthError

EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    from core.commands import COMMANDS

    parser = argparse.ArgumentParser(prog="hearth", description="A private assistant on a small local model.")
    parser.add_argument("--version", action="version", version=f"hearth {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation: the app offscreen, a chat turn, a document search, a dry-run plan",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("gui", help="start the desktop app (the default)").set_defaults(run=_gui)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run = _self_test if args.self_test else getattr(args, "run", _gui)
    try:
        return int(run(args))
    except HearthError as e:
        print(f"hearth: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("\nhearth: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _self_test(args: argparse.Namespace) -> int:
    # In app/, as the GUI: it opens the real window (offscreen) and drives it.
    return int(import_module("app.self_test").run())


def _gui(args: argparse.Namespace) -> int:
    # Imported by name so that the headless commands never load Qt.
    return int(import_module("app.main").run())


if __name__ == "__main__":
    sys.exit(main())
