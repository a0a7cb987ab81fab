"""Reminders and timers, kept in the store; due ones are shown in the app and as desktop notifications."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.assistant.desktop import Desktop
from core.assistant.registry import Tool, tool_from_function
from core.assistant.timeparse import parse_when
from core.assistant.tools.base import ToolContext, ToolResult
from core.errors import ToolError
from core.store import Reminder, Store


def reminder_tools(ctx: ToolContext) -> list[Tool]:
    def create_reminder(text: str, due: str) -> ToolResult:
        """Remind the user of something at a given time, with a notification.

        Args:
            text: what to remind the user of
            due: when, as the user said it: "tomorrow 9am", "in 2 hours", "friday 5pm"
        """
        if not text.strip():
            raise ToolError("A reminder needs some text.")
        when = parse_when(due, ctx.now())
        r = ctx.store.reminders.add("reminder", text.strip(), when)
        return ToolResult(
            value=f"{r.text} at {when:%a %d %b %H:%M}",
            text=f"Reminder set for {when:%a %d %b %Y %H:%M}: {r.text}.",
            undo={"kind": "cancel_reminder", "id": r.id},
        )

    def set_timer(minutes: int, label: str = "") -> ToolResult:
        """Start a countdown timer that notifies the user when it ends.

        Args:
            minutes: how many minutes the timer runs
            label: what the timer is for
        """
        if not 0 < minutes <= 24 * 60:
            raise ToolError(f"A timer of {minutes} minutes is not possible (1 to 1440).")
        when = ctx.now() + timedelta(minutes=minutes)
        r = ctx.store.reminders.add("timer", label.strip() or f"{minutes} minute timer", when)
        return ToolResult(
            value=f"timer until {when:%H:%M}",
            text=f"Timer set for {minutes} min (ends {when:%H:%M}): {r.text}.",
            undo={"kind": "cancel_reminder", "id": r.id},
        )

    def list_reminders() -> ToolResult:
        """List the user's upcoming reminders and timers."""
        pending = ctx.store.reminders.list(status="pending")
        lines = [f"{r.due:%a %d %b %H:%M}: {r.text}" for r in pending]
        return ToolResult(value=lines, text="\n".join(lines) if lines else "No upcoming reminders.")

    return [
        tool_from_function(create_reminder, side_effects=True, returns="str"),
        tool_from_function(set_timer, side_effects=True, returns="str"),
        tool_from_function(list_reminders, side_effects=False, returns="list[str]"),
    ]


def fire_due(store: Store, desktop: Desktop, now: datetime | None = None) -> list[Reminder]:
    """Notify and mark every pending reminder or timer whose time has come. The app calls this on a timer;
    `hearth reminders --fire` does the same from the command line. Returns what fired, for the app to show."""
    fired: list[Reminder] = []
    for r in store.reminders.due(now or datetime.now().astimezone()):
        title = "Timer finished" if r.kind == "timer" else "Reminder"
        desktop.notify(title, r.text)
        fired.append(store.reminders.set_status(r.id, "fired"))
    return fired
