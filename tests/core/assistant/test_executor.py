"""The executor on real tools: parallel runs, $N, timeouts, errors, consent, the action log and undo."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest

from core.assistant.action_log import ActionLog
from core.assistant.consent import ConsentRequest, TerminalConsent, allow_all, deny_all
from core.assistant.events import AgentEvent
from core.assistant.executor import Executor
from core.assistant.joiner import decide
from core.assistant.plan import parse_plan
from core.assistant.registry import ToolRegistry, tool_from_function
from core.assistant.tools import builtin_tools
from core.errors import ToolError
from core.store import Store
from tests.core.assistant.helpers import make_context


class Clock:
    """Real tools that record when they ran, on which thread."""

    def __init__(self) -> None:
        self.spans: dict[str, tuple[float, float]] = {}
        self.seen: dict[str, object] = {}

    def tools(self) -> list:  # type: ignore[type-arg]
        def slow(label: str, seconds: float) -> str:
            """Wait, then give the label back."""
            t0 = time.monotonic()
            time.sleep(seconds)
            self.spans[label] = (t0, time.monotonic())
            return label.upper()

        def echo(text: str, count: int = 1) -> str:
            """Give the text back."""
            self.seen["echo"] = (text, count)
            return text * count

        def fail(reason: str) -> str:
            """Always fails."""
            raise ToolError(reason)

        return [
            tool_from_function(slow, side_effects=False),
            tool_from_function(echo, side_effects=False),
            tool_from_function(fail, side_effects=False),
        ]


@pytest.fixture
def store(hearth_home: Path):  # type: ignore[no-untyped-def]
    s = Store(hearth_home)
    yield s
    s.close()


def test_independent_calls_run_in_parallel_and_results_flow_through_refs() -> None:
    clock = Clock()
    registry = ToolRegistry(clock.tools())
    plan = parse_plan(
        '1. slow(label="a", seconds=0.4)\n2. slow(label="b", seconds=0.4)\n3. echo(text="$1+$2")\n4. join()',
        registry,
    )
    events: list[AgentEvent] = []
    outcomes = Executor(registry, consent=deny_all, on_event=events.append).run(plan)
    (a0, a1), (b0, b1) = clock.spans["a"], clock.spans["b"]
    assert a0 < b1 and b0 < a1, "calls 1 and 2 overlapped in time"
    assert outcomes[3].value == "A+B" and outcomes[3].args == {"text": "A+B"}
    assert [o.status for o in outcomes.values()] == ["done"] * 3
    finished = [e.step_id for e in events if e.kind == "step_finished"]
    assert finished[-1] == 3, "the dependent call ran after both inputs"


def test_a_ref_is_converted_to_the_parameter_type() -> None:
    clock = Clock()
    registry = ToolRegistry(clock.tools())
    plan = parse_plan('1. echo(text="3")\n2. echo(text="ab", count="$1")\n3. join()', registry)
    outcomes = Executor(registry, consent=deny_all).run(plan)
    assert clock.seen["echo"] == ("ab", 3) and outcomes[2].value == "ababab"


def test_errors_and_timeouts_are_results_and_dependents_are_skipped() -> None:
    clock = Clock()
    tools = clock.tools()
    tools[0].timeout_s = 0.2
    registry = ToolRegistry(tools)
    plan = parse_plan(
        '1. fail(reason="Cannot tell what time it is")\n2. slow(label="z", seconds=1.5)\n'
        '3. echo(text="$1")\n4. echo(text="$2")\n5. echo(text="fine")\n6. join()',
        registry,
    )
    t0 = time.monotonic()
    outcomes = Executor(registry, consent=deny_all).run(plan)
    assert time.monotonic() - t0 < 1.2, "the timed-out call was not waited for"
    assert outcomes[1].status == "failed" and "Cannot tell" in outcomes[1].error
    assert outcomes[2].status == "timeout" and "0.2 s" in outcomes[2].error
    assert outcomes[3].status == outcomes[4].status == "skipped"
    assert outcomes[5].status == "done"
    decision = decide(plan, outcomes, may_replan=True)
    assert decision.action == "replan" and "Cannot tell" in decision.feedback
    answer = decide(plan, outcomes, may_replan=False).answer
    assert answer.startswith("I ran echo: fine.") and "run fail: Cannot tell what time it is" in answer
    assert "run slow: it took too long" in answer and "because call 1 did not succeed" in answer


def test_an_unknown_contact_is_reported_not_replanned(hearth_home: Path, store: Store) -> None:
    ctx, _ = make_context(hearth_home, store)
    registry = ToolRegistry(builtin_tools(ctx))
    plan = parse_plan('1. get_email_address(name="Nobody")\n2. join()', registry)
    outcomes = Executor(registry, consent=allow_all).run(plan)
    decision = decide(plan, outcomes, may_replan=True)
    assert decision.action == "answer" and "No contact named 'Nobody'" in decision.answer


def test_consent_sees_filled_in_arguments_and_a_refusal_changes_nothing(
    hearth_home: Path, store: Store
) -> None:
    ctx, _ = make_context(hearth_home, store)
    clock = Clock()
    registry = ToolRegistry([*builtin_tools(ctx), *clock.tools()])
    plan = parse_plan(
        '1. echo(text="Books")\n2. create_note(title="$1", content="Dune")\n'
        '3. create_reminder(text="read", due="tomorrow 9am")\n4. join()',
        registry,
    )
    asked: list[ConsentRequest] = []

    def consent(request: ConsentRequest) -> bool:
        asked.append(request)
        return request.tool == "create_reminder"

    log = ActionLog(store)
    outcomes = Executor(registry, consent=consent, action_log=log, run_id="r1", request="test").run(plan)
    assert sorted(r.tool for r in asked) == ["create_note", "create_reminder"], (
        "read-only calls are not asked"
    )
    note_request = next(r for r in asked if r.tool == "create_note")
    assert note_request.args == {"title": "Books", "content": "Dune"}
    assert outcomes[2].status == "declined" and not ctx.notes_dir.exists()
    assert outcomes[3].status == "done" and len(store.reminders.list()) == 1
    statuses = {a.tool: a.status for a in log.list(run_id="r1")}
    assert statuses == {"echo": "done", "create_note": "declined", "create_reminder": "done"}


def test_created_items_are_undone_from_the_log(hearth_home: Path, store: Store) -> None:
    ctx, _ = make_context(hearth_home, store)
    registry = ToolRegistry(builtin_tools(ctx))
    plan = parse_plan(
        '1. create_note(title="Plan", content="x")\n2. create_calendar_event(title="Gym", start="friday 6pm")\n'
        '3. get_directions(destination="the gym")\n4. join()',
        registry,
    )
    log = ActionLog(store)
    outcomes = Executor(registry, consent=allow_all, action_log=log, run_id="r2").run(plan)
    note = Path(outcomes[1].value)
    assert note.exists() and b"Gym" in ctx.calendar_file.read_bytes()
    by_tool = {a.tool: a for a in log.list(run_id="r2")}
    assert not by_tool["get_directions"].can_undo, "opening a link made nothing to undo"
    assert "Deleted" in log.undo(by_tool["create_note"].id) and not note.exists()
    log.undo(by_tool["create_calendar_event"].id)
    assert b"Gym" not in ctx.calendar_file.read_bytes()
    assert log.list(run_id="r2")[0].status in ("undone", "done")
    with pytest.raises(ToolError, match="already undone"):
        log.undo(by_tool["create_note"].id)
    with pytest.raises(ToolError, match="nothing to undo"):
        log.undo(by_tool["get_directions"].id)


def test_a_replan_does_not_repeat_calls_that_already_succeeded(hearth_home: Path, store: Store) -> None:
    ctx, _ = make_context(hearth_home, store)
    registry = ToolRegistry(builtin_tools(ctx))
    ex = Executor(registry, consent=allow_all)
    first = ex.run(parse_plan('1. create_note(title="Once", content="x")\n2. join()', registry))
    again = ex.run(
        parse_plan('1. create_note(title="Once", content="x")\n2. set_timer(minutes=5)\n3. join()', registry),
        previous=first,
    )
    assert again[1].value == first[1].value and len(list(ctx.notes_dir.glob("*.md"))) == 1
    assert again[2].status == "done"


def test_cancel_stops_calls_not_yet_started() -> None:
    clock = Clock()
    registry = ToolRegistry(clock.tools())
    plan = parse_plan('1. slow(label="a", seconds=0.3)\n2. echo(text="$1")\n3. join()', registry)
    cancel = threading.Event()

    def on_event(e: AgentEvent) -> None:
        if e.kind == "step_started":
            cancel.set()

    outcomes = Executor(registry, consent=deny_all, on_event=on_event).run(plan, cancel)
    assert outcomes[1].status == "done" and outcomes[2].status == "cancelled"


def test_terminal_consent_refuses_without_a_terminal_and_says_how_to_allow() -> None:
    err = io.StringIO()
    request = ConsentRequest("r", 1, "create_note", {"title": "x", "content": "y"}, "Write a new note.")
    assert TerminalConsent(stdin=io.StringIO("y\n"), stderr=err)(request) is False
    assert 'create_note(title="x", content="y")' in err.getvalue() and "--yes" in err.getvalue()
