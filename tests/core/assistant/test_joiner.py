"""The answer after a plan ran: one sentence of what was done, one of what was not and why."""

from __future__ import annotations

from pathlib import Path

from core.assistant.consent import ConsentRequest
from core.assistant.executor import Executor, StepOutcome
from core.assistant.joiner import answer_text, decide
from core.assistant.plan import parse_plan
from core.assistant.registry import ToolRegistry
from core.assistant.tools import builtin_tools
from core.store import Store
from tests.core.assistant.helpers import VCARDS, make_context


def test_what_was_done_reads_as_one_sentence(hearth_home: Path) -> None:
    store = Store(hearth_home)
    ctx, _ = make_context(hearth_home, store)
    ctx.contacts_file.parent.mkdir(parents=True, exist_ok=True)
    ctx.contacts_file.write_text(VCARDS, encoding="utf-8")
    registry = ToolRegistry(builtin_tools(ctx))
    plan = parse_plan(
        '1. create_reminder(text="water the plants", due="tomorrow 8am")\n'
        '2. get_phone_number(name="Sarah")\n3. set_timer(minutes=12, label="pasta")\n4. join()<END_OF_PLAN>',
        registry,
    )
    outcomes = Executor(registry, consent=lambda r: True).run(plan)
    answer = decide(plan, outcomes, may_replan=False).answer
    store.close()
    assert answer == (
        "I set a reminder: water the plants at Tue 06 May 08:00, found Sarah's phone number: +1 555 0100 "
        "and started a 12-minute timer for pasta."
    )


def test_what_failed_says_why_and_what_was_declined_says_so(hearth_home: Path) -> None:
    store = Store(hearth_home)
    ctx, _ = make_context(hearth_home, store)
    registry = ToolRegistry(builtin_tools(ctx))
    plan = parse_plan(
        '1. get_email_address(name="Bob")\n2. compose_email(recipients=["$1"], subject="Lunch")\n'
        '3. create_note(title="Books", content="Dune")\n4. open_map(location="Oslo")\n5. join()<END_OF_PLAN>',
        registry,
    )

    def consent(request: ConsentRequest) -> bool:
        return request.tool != "create_note"

    outcomes = Executor(registry, consent=consent).run(plan)
    answer = answer_text(outcomes)
    store.close()
    assert answer.startswith("I opened a map of Oslo. But I didn't look up Bob's e-mail address: No contact")
    assert "draft the e-mail about 'Lunch', because call 1 did not succeed" in answer
    assert answer.endswith("and create the note 'Books', as you chose.")


def test_a_tool_of_the_users_own_is_named_with_its_result() -> None:
    done = StepOutcome(1, "convert_currency", {"amount": 5}, "done", value={"amount": 4.6, "currency": "EUR"})
    assert answer_text({1: done}) == 'I ran convert currency: {"amount": 4.6, "currency": "EUR"}.'
