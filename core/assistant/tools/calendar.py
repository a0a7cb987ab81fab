"""Calendar: events in one .ics file Hearth keeps, opened in the user's calendar app on request."""

from __future__ import annotations

import uuid
from datetime import timedelta

from icalendar import Calendar, Event, vCalAddress

from core.assistant.registry import Tool, tool_from_function
from core.assistant.timeparse import parse_when
from core.assistant.tools.base import ToolContext, ToolResult
from core.assistant.tools.contacts import ContactBook
from core.assistant.tools.files_io import write_atomic
from core.errors import ToolError

PRODID = "-//Hearth//Assistant//EN"


def load_calendar(ctx: ToolContext) -> Calendar:
    path = ctx.calendar_file
    if path.exists():
        try:
            return Calendar.from_ical(path.read_bytes())
        except ValueError as e:
            raise ToolError(f"The calendar file '{path}' is damaged: {e}") from e
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Hearth")
    return cal


def calendar_tools(ctx: ToolContext) -> list[Tool]:
    def create_calendar_event(
        title: str,
        start: str,
        duration_minutes: int = 60,
        location: str = "",
        attendees: list[str] | None = None,
    ) -> ToolResult:
        """Add an event (meeting, appointment) to the user's calendar.

        Args:
            title: what the event is
            start: when it starts, as the user said it: "tomorrow 3pm", "friday 10:30", "2025-05-02 14:30"
            duration_minutes: how long it lasts, in minutes
            location: where it takes place
            attendees: names or e-mail addresses of the people invited
        """
        if not title.strip():
            raise ToolError("An event needs a title.")
        if not 0 < duration_minutes <= 7 * 24 * 60:
            raise ToolError(f"{duration_minutes} minutes is not a duration an event can have.")
        begin = parse_when(start, ctx.now())
        event = Event()
        uid = f"{uuid.uuid4()}@hearth"
        event.add("uid", uid)
        event.add("dtstamp", ctx.now())
        event.add("dtstart", begin)
        event.add("dtend", begin + timedelta(minutes=duration_minutes))
        event.add("summary", title.strip())
        if location.strip():
            event.add("location", location.strip())
        book = ContactBook(ctx.contacts_file)
        for person in attendees or []:
            email = person if "@" in person else book.email_of(person)
            attendee = vCalAddress(f"mailto:{email}")
            attendee.params["cn"] = person
            event.add("attendee", attendee, encode=False)
        cal = load_calendar(ctx)
        cal.add_component(event)
        write_atomic(ctx.calendar_file, cal.to_ical())
        when = begin.strftime("%a %d %b %Y %H:%M")
        return ToolResult(
            value=f"{title.strip()} on {when}",
            text=f"Added '{title.strip()}' on {when} ({duration_minutes} min) to {ctx.calendar_file}.",
            undo={"kind": "remove_ics_event", "path": str(ctx.calendar_file), "uid": uid},
        )

    def open_calendar() -> ToolResult:
        """Open the user's calendar (the events Hearth added) in the calendar app."""
        if not ctx.calendar_file.exists():
            write_atomic(ctx.calendar_file, load_calendar(ctx).to_ical())
        ctx.desktop.open(str(ctx.calendar_file))
        return ToolResult(
            value=str(ctx.calendar_file), text=f"Opened {ctx.calendar_file}.", opened=[str(ctx.calendar_file)]
        )

    return [
        tool_from_function(create_calendar_event, side_effects=True, returns="str"),
        tool_from_function(open_calendar, side_effects=False, returns="str"),
    ]


def remove_event(path: str, uid: str) -> bool:
    """Undo of create_calendar_event: drop the event with this UID. False if it is already gone."""
    from pathlib import Path

    p = Path(path)
    if not p.exists():
        return False
    cal = Calendar.from_ical(p.read_bytes())
    kept = [c for c in cal.subcomponents if str(c.get("uid", "")) != uid]
    if len(kept) == len(cal.subcomponents):
        return False
    cal.subcomponents[:] = kept
    write_atomic(p, cal.to_ical())
    return True
