"""The joiner: after a plan has run, answer from its results, or replan once with the errors fed back.

Deterministic rules rather than a second model call: on a 135M model an LLM joiner mostly invents
results. The answer is one sentence of what was done, from each call's arguments and result, and one of
what was not, with the reason (the tool's own error, written for the user). The decision follows LLMCompiler's:
replan (once) when a call failed for a reason a better plan could fix; answer otherwise. Declined calls
are never retried: the user said no.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from core.assistant.executor import StepOutcome
from core.assistant.plan import Plan

# Failures no other plan can fix: retrying would only repeat them.
_FINAL_ERRORS = (
    "you declined",
    "No contact named",
    "Several contacts match",
    "has no e-mail",
    "has no phone",
)


@dataclass(frozen=True)
class JoinDecision:
    action: Literal["answer", "replan"]
    answer: str = ""
    feedback: str = ""


def decide(plan: Plan, outcomes: dict[int, StepOutcome], *, may_replan: bool) -> JoinDecision:
    failed = [o for o in outcomes.values() if o.status in ("failed", "timeout")]
    fixable = [o for o in failed if not any(marker in o.error for marker in _FINAL_ERRORS)]
    if may_replan and fixable:
        return JoinDecision("replan", feedback=feedback_text(plan, outcomes))
    return JoinDecision("answer", answer=answer_text(outcomes))


def feedback_text(plan: Plan, outcomes: dict[int, StepOutcome]) -> str:
    lines = [plan.render().rsplit("\n", 1)[0]]
    for sid in sorted(outcomes):
        o = outcomes[sid]
        what = o.text if o.status == "done" else f"{o.status}: {o.error}"
        lines.append(f"Call {sid} ({o.tool}) -> {what}")
    return "\n".join(lines)


def answer_text(outcomes: dict[int, StepOutcome]) -> str:
    """One sentence (two when something failed) saying what was done, then what was not, and why:
    "I added 'Dentist' on Thu 08 May 14:00 to your calendar and set a reminder (water the plants, Tue
    06 May 08:00). I couldn't look up Bob's e-mail address: No contact named 'Bob'."

    Results the user asked to see (a phone number, a summary, the reminders) are given in full.
    """
    done: list[str] = []
    not_done: list[str] = []
    for sid in sorted(outcomes):
        o = outcomes[sid]
        if o.status == "done":
            done.append(_done_phrase(o))
        elif o.status == "declined":
            not_done.append(f"{_attempt_phrase(o)}, as you chose")
        elif o.status == "skipped":
            not_done.append(
                f"{_attempt_phrase(o)}, because {o.error.rstrip('.') or 'an earlier call failed'}"
            )
        elif o.status == "cancelled":
            not_done.append(f"{_attempt_phrase(o)}: stopped")
        else:
            why = "it took too long" if o.status == "timeout" else o.error.rstrip(".")
            not_done.append(f"{_attempt_phrase(o)}: {why}")
    out: list[str] = []
    if done:
        out.append("I " + _join(done) + ".")
    if not_done:
        lead = "But I didn't " if done else "I didn't "
        out.append(lead + _join([p[0].lower() + p[1:] for p in not_done]) + ".")
    return " ".join(out) if out else "Nothing was done."


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _quote(value: object) -> str:
    return f"'{str(value).strip()}'"


def _short(value: object, limit: int = 160) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _done_phrase(o: StepOutcome) -> str:
    a, v = o.args, o.value
    name = str(a.get("name", ""))
    phrases: dict[str, str] = {
        "create_calendar_event": f"added {_short(v)} to your calendar",
        "open_calendar": "opened your calendar",
        "create_note": f"created the note {_quote(a.get('title', ''))}",
        "append_to_note": f"added {_quote(_short(a.get('content', ''), 60))} to the note {_quote(a.get('title', ''))}",
        "open_note": f"opened the note {_quote(a.get('title', ''))}",
        "create_reminder": f"set a reminder: {_short(v)}",
        "set_timer": f"started a {a.get('minutes')}-minute timer" + (f" for {a['label']}" if a.get("label") else ""),
        "list_reminders": ("found your reminders: " + "; ".join(map(str, v))) if v else "found no upcoming reminders",
        "import_contacts": f"imported {v} contact{'s' if v != 1 else ''}",
        "get_email_address": f"found {name}'s e-mail address: {v}",
        "get_phone_number": f"found {name}'s phone number: {v}",
        "compose_email": "drafted an e-mail to " + ", ".join(map(str, a.get("recipients", [])))
        + (f" about {_quote(a['subject'])}" if a.get("subject") else "") + " (not sent: it is open in your mail app)",
        "find_files": f"found {len(v) if isinstance(v, list) else 1} file(s) for {_quote(a.get('query', ''))}"
        + (f": {_short(', '.join(map(str, v[:3])))}" if isinstance(v, list) and v else ""),
        "open_file": f"opened {v}",
        "summarize_file": f"summarised {a.get('path', 'the file')}: {_short(v, 400)}",
        "open_map": f"opened a map of {a.get('location', '')}",
        "get_directions": f"opened directions to {a.get('destination', '')}",
        "web_search": f"opened a web search for {_quote(a.get('query', ''))}",
    }  # fmt: skip
    if o.tool in phrases:
        return phrases[o.tool]
    result = (
        "" if v in (None, "", "ok") else f": {_short(v if not isinstance(v, dict | list) else json.dumps(v))}"
    )
    return f"ran {o.tool.replace('_', ' ')}{result}"


def _attempt_phrase(o: StepOutcome) -> str:
    """What the call would have done, as a verb phrase: "look up Bob's e-mail address"."""
    a = o.args
    phrases: dict[str, str] = {
        "create_calendar_event": f"add {_quote(a.get('title', ''))} to your calendar",
        "open_calendar": "open your calendar",
        "create_note": f"create the note {_quote(a.get('title', ''))}",
        "append_to_note": f"add to the note {_quote(a.get('title', ''))}",
        "open_note": f"open the note {_quote(a.get('title', ''))}",
        "create_reminder": f"set the reminder to {a.get('text', '')}",
        "set_timer": f"start the {a.get('minutes')}-minute timer",
        "list_reminders": "list your reminders",
        "import_contacts": f"import the contacts in {a.get('path', '')}",
        "get_email_address": f"look up {a.get('name', '')}'s e-mail address",
        "get_phone_number": f"look up {a.get('name', '')}'s phone number",
        "compose_email": "draft the e-mail" + (f" about {_quote(a['subject'])}" if a.get("subject") else ""),
        "find_files": f"find files for {_quote(a.get('query', ''))}",
        "open_file": f"open {a.get('path', 'the file')}",
        "summarize_file": f"summarise {a.get('path', 'the file')}",
        "open_map": f"open a map of {a.get('location', '')}",
        "get_directions": f"open directions to {a.get('destination', '')}",
        "web_search": f"search the web for {_quote(a.get('query', ''))}",
    }  # fmt: skip
    return phrases.get(o.tool, f"run {o.tool.replace('_', ' ')}")
