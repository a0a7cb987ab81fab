"""What an assistant run reports as it goes, for the GUI's live plan view and the CLI.

One callback receives every AgentEvent in order. It is called on the thread doing the work (planner or an
executor worker): a GUI must hand it to its own thread (app/jobs.py) and must not block in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

EventKind = Literal[
    "tools_offered",  # data: {"tools": [...], "scores": {...}}
    "plan_token",  # text: a piece of the plan as the model writes it
    "step_planned",  # step_id, tool, args, deps: a call has been fully written
    "plan_ready",  # data: {"steps": [...]} the whole plan, before anything runs
    "consent_needed",  # step_id, tool, args: the consent callback is about to be asked
    "step_started",  # step_id, tool, args (with $N filled in)
    "step_finished",  # step_id, tool, status, text or error, data: {"action_id": ...}
    "replan",  # text: the feedback given to the planner
    "answer_token",  # text: a piece of the final answer
    "done",  # text: the final answer
]
StepStatus = Literal["done", "failed", "declined", "skipped", "timeout", "cancelled"]


@dataclass(frozen=True)
class AgentEvent:
    kind: EventKind
    step_id: int | None = None
    tool: str | None = None
    args: dict[str, Any] | None = None
    deps: list[int] | None = None
    status: StepStatus | None = None
    text: str = ""
    error: str = ""
    data: dict[str, Any] = field(default_factory=dict)


EventCallback = Callable[[AgentEvent], None]


def ignore(event: AgentEvent) -> None:
    """The callback for callers that do not watch."""
