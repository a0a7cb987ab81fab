"""The joiner: after a plan has run, answer from its results, or replan once with the errors fed back.

Deterministic rules rather than a second model call: on a 135M model an LLM joiner mostly invents
results, and every result is already a sentence written by its tool. The decision follows LLMCompiler's:
replan (once) when a call failed for a reason a better plan could fix; answer otherwise. Declined calls
are never retried: the user said no.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.assistant.executor import StepOutcome
from core.assistant.plan import Plan, render_args

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
    lines: list[str] = []
    for sid in sorted(outcomes):
        o = outcomes[sid]
        if o.status == "done":
            lines.append(o.text)
        elif o.status == "declined":
            lines.append(f"Not done, as you chose: {o.tool}({render_args(o.args)}).")
        elif o.status == "skipped":
            lines.append(f"Not done: {o.tool} needed {o.error.replace('call', 'call', 1)}.")
        else:
            lines.append(f"{o.tool} {'timed out' if o.status == 'timeout' else 'failed'}: {o.error}")
    return "\n".join(lines)
