"""`hearth agent "..."`: the assistant plans tool calls, asks before side effects, runs them, answers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from core.assistant.consent import ConsentCallback, TerminalConsent, allow_all
from core.assistant.custom_tools import load_tool_file
from core.assistant.desktop import Desktop, RecordingDesktop, SystemDesktop
from core.assistant.events import AgentEvent
from core.assistant.registry import ToolRegistry
from core.assistant.service import AssistantService
from core.commands.common import print_json
from core.errors import EmptyMessageError
from core.runtime import EngineHost
from core.settings import Settings
from core.store import Store


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "agent", help="let the assistant do something with its tools (notes, calendar, mail...)"
    )
    p.add_argument("request", help="what to do, in your words")
    p.add_argument("--dry-run", action="store_true", help="only plan: show the calls, run none")
    p.add_argument("--yes", "-y", action="store_true", help="allow calls with side effects without asking")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--tools", type=Path, help="plan over the functions of this tools file (OpenAI JSON, MCP)")
    p.add_argument("--model", "-m", help="catalog id or GGUF path (default: the model setting)")
    p.add_argument("--no-toolrag", action="store_true", help="offer every tool to the planner")
    p.add_argument("--no-open", action="store_true", help="open nothing on the desktop; list it instead")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not args.request.strip():
        raise EmptyMessageError()
    return act(args, args.request)


def act(args: argparse.Namespace, request: str, extra: dict[str, Any] | None = None) -> int:
    """Plan (and unless --dry-run, run) `request` with the agent's options in `args`; `extra` joins the
    JSON object (`hearth listen --act` adds the transcript)."""
    extra = extra or {}
    store = Store()
    settings = Settings(store.settings)
    host = EngineHost(store.root)
    desktop: Desktop = RecordingDesktop() if args.no_open else SystemDesktop()
    service = AssistantService(store, host, settings, desktop=desktop)
    tool_file = None
    try:
        if args.tools is not None:
            # This file's functions only, for this run; a dry run binds nothing and starts no server.
            tool_file = load_tool_file(args.tools, bind=not args.dry_run)
            assistant = service.build(
                ToolRegistry(tool_file.tools), args.model, use_toolrag=not args.no_toolrag
            )
        else:
            assistant = service.assistant(args.model)
            if args.no_toolrag:
                assistant.toolrag = None
        on_event = (lambda e: None) if args.json else _print_event
        if args.dry_run:
            report = assistant.plan(request, on_event=on_event)
            if args.json:
                print_json({**extra, **report.as_dict()})
            else:
                print(report.planner.plan.render())
                d = report.details()
                print(
                    f"tools offered: {', '.join(d['tools_offered']) or 'none'}; prompt {d['prompt_tokens']} tokens "
                    f"({d['prompt_tokens_saved']} saved by ToolRAG); {d['latency_ms']:.0f} ms",
                    file=sys.stderr,
                )
            return 0
        consent: ConsentCallback = allow_all if args.yes else TerminalConsent()
        result = assistant.run(request, consent=consent, on_event=on_event)
        opened = desktop.opened if isinstance(desktop, RecordingDesktop) else []
        if args.json:
            print_json({**extra, **result.as_dict(), **({"not_opened": opened} if args.no_open else {})})
        else:
            if result.outcomes:
                print(result.answer)
            else:
                print()  # the plain answer was streamed by _print_event
            for target in opened:
                print(f"(not opened: {target})", file=sys.stderr)
        return 0
    finally:
        if tool_file is not None:
            tool_file.close()
        service.close()
        host.close()
        store.close()


_SYMBOLS = {"done": "✓", "failed": "✗", "declined": "–", "skipped": "·", "timeout": "⌛", "cancelled": "■"}


def _print_event(e: AgentEvent) -> None:
    """Progress on stderr, so stdout holds only the answer."""
    if e.kind == "tools_offered":
        print(f"tools: {', '.join(e.data['tools']) or 'none fits'}", file=sys.stderr)
    elif e.kind == "step_planned":
        print(f"  {e.step_id}. {e.tool} {e.args}", file=sys.stderr)
    elif e.kind == "step_finished":
        detail = e.text if e.status == "done" else e.error
        print(f"  {_SYMBOLS.get(e.status or '', '?')} {e.step_id}. {e.tool}: {detail}", file=sys.stderr)
    elif e.kind == "replan":
        print("  replanning once, with the errors...", file=sys.stderr)
    elif e.kind == "answer_token" and e.data.get("plain"):
        print(e.text, end="", flush=True)  # no tool fits: the model's own answer, streamed
