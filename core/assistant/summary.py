"""How an assistant run is kept in the conversation: the answer, then what was done, as Markdown."""

from __future__ import annotations

from core.assistant.agent import AgentRun
from core.assistant.plan import render_args

_MARKS = {"done": "✓", "failed": "✗", "declined": "⊘", "timeout": "⏱", "skipped": "–", "cancelled": "⏹"}


def assistant_summary(run: AgentRun) -> str:
    lines = [run.answer.strip() or "(no answer)"]
    if run.outcomes:
        lines += ["", "**What I did:**", ""]
        for step_id in sorted(run.outcomes):
            o = run.outcomes[step_id]
            detail = o.error or o.text
            lines.append(
                f"- {_MARKS.get(o.status, '·')} `{o.tool}({render_args(o.args)})`: {o.status}"
                + (f": {detail}" if detail else "")
            )
    return "\n".join(lines)
