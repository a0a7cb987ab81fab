"""The desktop tools on real files under a temporary HEARTH_HOME; the desktop is a recording one."""

from __future__ import annotations

import email
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from core.assistant.registry import ToolRegistry
from core.assistant.timeparse import parse_when
from core.assistant.tools import builtin_registry
from core.assistant.tools.reminders import fire_due
from core.assistant.undo import apply_undo
from core.engine import LocalEngine
from core.errors import ToolError
from core.store import Store
from tests.core.assistant.helpers import MONDAY_10AM, VCARDS, make_context


@pytest.fixture
def setup(hearth_home: Path):  # type: ignore[no-untyped-def]
    store = Store(hearth_home)
    ctx, desktop = make_context(hearth_home, store)
    yield builtin_registry(ctx), ctx, desktop, store
    store.close()


def call(registry: ToolRegistry, tool: str, /, **args: object):  # type: ignore[no-untyped-def]
    func = registry.get(tool).func
    assert func is not None
    return func(**args)


def test_times_are_read_as_people_write_them() -> None:
    now = MONDAY_10AM
    assert parse_when("tomorrow 3pm", now) == (now + timedelta(days=1)).replace(hour=15)
    assert parse_when("Friday at 10:30 am", now) == (now + timedelta(days=4)).replace(hour=10, minute=30)
    assert parse_when("in 20 minutes", now) == now + timedelta(minutes=20)
    assert parse_when("8am", now) == (now + timedelta(days=1)).replace(hour=8), "a past hour means tomorrow"
    assert parse_when("2025-06-01 09:15", now).replace(tzinfo=None) == datetime(2025, 6, 1, 9, 15)
    with pytest.raises(ToolError, match="Cannot tell"):
        parse_when("whenever", now)


def test_calendar_event_is_a_real_ics_entry_and_undo_removes_it(setup) -> None:  # type: ignore[no-untyped-def]
    registry, ctx, desktop, store = setup
    result = call(
        registry, "create_calendar_event", title="Dentist", start="tomorrow 3pm", duration_minutes=30,
        location="Main St", attendees=["ann@example.org"],
    )  # fmt: skip
    events = Calendar.from_ical(ctx.calendar_file.read_bytes()).walk("VEVENT")
    assert len(events) == 1
    ev = events[0]
    assert str(ev["summary"]) == "Dentist" and str(ev["location"]) == "Main St"
    start = ev.decoded("dtstart")
    assert start == (MONDAY_10AM + timedelta(days=1)).replace(hour=15)
    assert ev.decoded("dtend") - start == timedelta(minutes=30)
    assert "ann@example.org" in str(ev["attendee"])
    call(registry, "open_calendar")
    assert desktop.opened == [str(ctx.calendar_file)]
    apply_undo(result.undo, store)
    assert Calendar.from_ical(ctx.calendar_file.read_bytes()).walk("VEVENT") == []


def test_notes_create_append_open_and_undo_the_append(setup) -> None:  # type: ignore[no-untyped-def]
    registry, ctx, desktop, store = setup
    created = call(registry, "create_note", title="Shopping list", content="bread")
    path = Path(created.value)
    assert path.parent == ctx.notes_dir and path.read_text() == "# Shopping list\n\nbread\n"
    appended = call(registry, "append_to_note", title="shopping list", content="milk")
    assert path.read_text().endswith("bread\n\nmilk\n")
    call(registry, "open_note", title="Shopping List")
    assert desktop.opened == [str(path)]
    apply_undo(appended.undo, store)
    assert path.read_text() == "# Shopping list\n\nbread\n"
    with pytest.raises(ToolError, match="No note called 'Recipes'"):
        call(registry, "open_note", title="Recipes")


def test_contacts_import_lookup_and_the_unknown_or_ambiguous(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    registry, ctx, _, store = setup
    vcf = tmp_path / "people.vcf"
    vcf.write_text(VCARDS)
    result = call(registry, "import_contacts", path=str(vcf))
    assert result.value == 3 and ctx.contacts_file.exists()
    assert call(registry, "get_email_address", name="sarah").value == "sarah@example.org"
    assert call(registry, "get_phone_number", name="Sarah Connor").value == "+1 555 0100"
    assert call(registry, "get_email_address", name="David Lee").value == "david.lee@example.com"
    with pytest.raises(ToolError, match="Several contacts match 'David'"):
        call(registry, "get_email_address", name="David")
    with pytest.raises(ToolError, match="No contact named 'Zed'"):
        call(registry, "get_phone_number", name="Zed")
    apply_undo(result.undo, store)
    assert not ctx.contacts_file.exists()


def test_email_draft_is_an_eml_file_and_a_mailto_link(setup, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    registry, ctx, desktop, _ = setup
    vcf = tmp_path / "people.vcf"
    vcf.write_text(VCARDS)
    call(registry, "import_contacts", path=str(vcf))
    result = call(registry, "compose_email", recipients=["Sarah", "bo@x.org"], subject="Lunch?", body="Noon?")
    msg = email.message_from_bytes(Path(result.value).read_bytes())
    assert msg["To"] == "sarah@example.org, bo@x.org" and msg["Subject"] == "Lunch?"
    assert msg["X-Unsent"] == "1" and msg.get_payload().strip() == "Noon?"
    assert desktop.opened == ["mailto:sarah@example.org,bo@x.org?subject=Lunch%3F&body=Noon%3F"]
    with pytest.raises(ToolError, match="No contact named 'Nobody'"):
        call(registry, "compose_email", recipients=["Nobody"], subject="x")


def test_reminders_and_timers_fire_as_notifications_when_due(setup) -> None:  # type: ignore[no-untyped-def]
    registry, _, desktop, store = setup
    call(registry, "create_reminder", text="call the bank", due="tomorrow 9am")
    timer = call(registry, "set_timer", minutes=15, label="tea")
    assert "call the bank" in call(registry, "list_reminders").text
    assert fire_due(store, desktop, MONDAY_10AM) == []
    fired = fire_due(store, desktop, MONDAY_10AM + timedelta(minutes=16))
    assert [r.text for r in fired] == ["tea"] and desktop.notifications == [("Timer finished", "tea")]
    fired = fire_due(store, desktop, MONDAY_10AM + timedelta(days=1))
    assert [r.text for r in fired] == ["call the bank"]
    assert [r.status for r in store.reminders.list()] == ["fired", "fired"]
    apply_undo(timer.undo, store)
    assert store.reminders.get(timer.undo["id"]).status == "cancelled"


def test_links_and_files(setup) -> None:  # type: ignore[no-untyped-def]
    registry, ctx, desktop, _ = setup
    call(registry, "open_map", location="Eiffel Tower")
    call(registry, "get_directions", destination="Central Park", origin="Times Square", mode="walking")
    call(registry, "web_search", query="sourdough tips")
    assert desktop.opened == [
        "https://www.openstreetmap.org/search?query=Eiffel+Tower",
        "https://www.openstreetmap.org/directions?engine=fossgis_osrm_foot&from=Times+Square&to=Central+Park",
        "https://duckduckgo.com/?q=sourdough+tips",
    ]
    docs = ctx.search_root / "docs"
    docs.mkdir(parents=True)
    (docs / "Quarterly Report.txt").write_text("Sales rose.")
    (docs / "report-draft.md").write_text("Draft.")
    (docs / "other.txt").write_text("x")
    found = call(registry, "find_files", query="report").value
    assert sorted(Path(p).name for p in found) == ["Quarterly Report.txt", "report-draft.md"]
    call(registry, "open_file", path=found[0])
    assert desktop.opened[-1] == found[0]
    with pytest.raises(ToolError, match="No file named like"):
        call(registry, "find_files", query="nothing-like-this")


def test_summarise_reads_the_file_with_the_engine(hearth_home: Path, engine: LocalEngine) -> None:
    store = Store(hearth_home)
    ctx, _ = make_context(hearth_home, store, engine=lambda: engine)
    registry = builtin_registry(ctx)
    doc = hearth_home / "paris.txt"
    doc.write_text("Paris is the capital of France. It is known for the Eiffel Tower and the Louvre museum.")
    result = call(registry, "summarize_file", path=str(doc))
    assert result.value and result.text.startswith("Summary of paris.txt")
    assert "Paris" in result.value or "France" in result.value
    with pytest.raises(ToolError, match="only text files"):
        (hearth_home / "x.pdf").write_bytes(b"%PDF")
        call(registry, "summarize_file", path=str(hearth_home / "x.pdf"))
    store.close()
