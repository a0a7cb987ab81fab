"""A throw-away world to run planned calls in: a temporary folder (standing in for the home folder) with
the contacts, notes and files an evaluation set's requests speak of, and the real tools bound to it.

Built from the expected plans (who is looked up, which notes are opened, which files are found or
opened), so a call fails only when the plan is wrong or the tool refuses its arguments: the executable
call rate of the SLM-for-agents survey. Nothing outside the folder is touched: "~" is the folder, the
desktop only records what it would open, and side effects land in the folder's store.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from core.assistant.consent import allow_all
from core.assistant.desktop import RecordingDesktop
from core.assistant.executor import Executor, StepOutcome
from core.assistant.plan import Plan
from core.assistant.registry import Tool, ToolRegistry
from core.assistant.tools import ToolContext, builtin_tools
from core.engine import ChatEngine
from core.store import Store

_NOW = datetime(2025, 5, 5, 10, 0).astimezone()  # the evaluation's fixed Monday


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


class EvalWorld:
    """Tools bound to a temporary folder seeded for `cases` (their expected steps); close() removes it."""

    def __init__(
        self,
        cases: Iterable[Any],
        *,
        engine: ChatEngine | None = None,
        extra_tools: Iterable[Tool] = (),
        builtins: bool = True,
    ) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="hearth-world-")
        self.root = Path(self._tmp.name)
        self.home = self.root / "home"
        self.home.mkdir()
        self.store = Store(self.root / "data")
        self.desktop = RecordingDesktop()
        ctx = ToolContext(
            files_dir=self.root / "data",
            store=self.store,
            desktop=self.desktop,
            engine=(lambda: engine) if engine is not None else None,
            search_root=self.home,
            now=lambda: _NOW,
        )
        tools = list(builtin_tools(ctx)) if builtins else []
        self.registry = ToolRegistry([*tools, *extra_tools])
        self._seed(ctx, list(cases))

    def _seed(self, ctx: ToolContext, cases: list[Any]) -> None:
        people: set[str] = set()
        for case in cases:
            for step in case.steps:
                tool, args = step["tool"], step.get("args", {})
                if tool in ("get_email_address", "get_phone_number"):
                    people.add(args["name"])
                people.update(a for a in args.get("attendees", []) if "@" not in a)
                if tool in ("open_note", "append_to_note"):
                    self._write(ctx.notes_dir / f"{_slug(args['title'])}.md", f"# {args['title']}\n")
                if tool == "find_files":
                    folder = args.get("folder") or "~"
                    name = args["query"] if "." in args["query"] else f"{args['query'].replace(' ', '-')}.txt"
                    self._write(
                        self._path(f"{folder}/{name}"), f"{args['query']}: notes for the evaluation.\n"
                    )
                for key in ("path",):
                    for value in _strings(args.get(key, "")):
                        if value and not value.startswith("$"):
                            text = _card("Chloe Martin") if value.endswith(".vcf") else "A short text.\n"
                            self._write(self._path(value), text)
        cards = "".join(_card(p) for p in sorted(people))
        self._write(ctx.contacts_file, cards)

    def _path(self, value: str) -> Path:
        """A path of a request inside the world: "~" is its home; absolute ones are put under its root."""
        if value.startswith("~"):
            return self.home / value.lstrip("~/")
        return self.root / "abs" / value.lstrip("/") if value.startswith("/") else self.home / value

    @staticmethod
    def _write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(text, encoding="utf-8")

    @contextmanager
    def _inside(self) -> Iterator[None]:
        """HOME is the world's home while calls run (so "~" expands into it)."""
        before = os.environ.get("HOME")
        os.environ["HOME"] = str(self.home)
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("HOME", None)
            else:
                os.environ["HOME"] = before

    def execute(self, plan: Plan) -> dict[int, StepOutcome]:
        """Run the plan's calls (side effects allowed: they land in the world) and return their outcomes.
        Absolute paths are read inside the world too."""
        plan = _rebased(plan, self)
        with self._inside():
            return Executor(self.registry, consent=allow_all).run(plan)

    def close(self) -> None:
        self.store.close()
        self._tmp.cleanup()


def _rebased(plan: Plan, world: EvalWorld) -> Plan:
    from dataclasses import replace

    def fix(value: Any) -> Any:
        if isinstance(value, str) and value.startswith("/") and not value.startswith(str(world.root)):
            return str(world._path(value))
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    steps = [replace(s, args={k: fix(v) for k, v in s.args.items()}) for s in plan.steps]
    return replace(plan, steps=steps)


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "untitled"


_VCARD = """BEGIN:VCARD
VERSION:3.0
FN:{name}
N:;{name};;;
EMAIL;TYPE=INTERNET:{email}
TEL;TYPE=CELL:+1 555 0100
END:VCARD
"""


def _card(name: str) -> str:
    return _VCARD.format(name=name, email=f"{_slug(name).replace('-', '.')}@example.org")
