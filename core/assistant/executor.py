"""Runs a plan's DAG: every call whose inputs are ready starts at once, in parallel with the others.

`$N` is replaced by call N's result just before a call runs; a call with side effects asks for consent
first (with the filled-in arguments); each call has a timeout; errors are kept as results, never raised,
so the joiner can report them or replan. Every call is written to the action log.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from core.assistant.action_log import ActionLog
from core.assistant.consent import ConsentCallback, ConsentRequest
from core.assistant.events import AgentEvent, EventCallback, StepStatus, ignore
from core.assistant.plan import REF_RE, Plan, Ref, Step, to_jsonable
from core.assistant.registry import Param, Tool, ToolRegistry
from core.assistant.tools.base import ToolResult
from core.errors import HearthError, PlanError

MAX_PARALLEL = 4
_TICK_S = 0.05


@dataclass
class StepOutcome:
    step_id: int
    tool: str
    args: dict[str, Any]  # as run, $N filled in (the plan's own args if it never ran)
    status: StepStatus
    value: Any = None
    text: str = ""
    error: str = ""
    undo: dict[str, Any] | None = None
    action_id: int | None = None
    elapsed_ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.step_id,
            "tool": self.tool,
            "args": to_jsonable(self.args),
            "status": self.status,
            "result": self.text,
            "error": self.error,
            "action_id": self.action_id,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }


@dataclass
class _Running:
    step: Step
    future: Future[StepOutcome]
    started: list[float] = field(default_factory=list)  # set by the worker once consent is given


class Executor:
    def __init__(
        self,
        registry: ToolRegistry,
        *,
        consent: ConsentCallback,
        action_log: ActionLog | None = None,
        on_event: EventCallback = ignore,
        run_id: str = "",
        request: str = "",
        max_parallel: int = MAX_PARALLEL,
    ) -> None:
        self.registry = registry
        self.consent = consent
        self.log = action_log
        self.on_event = on_event
        self.run_id = run_id
        self.request = request
        self.max_parallel = max_parallel

    def run(
        self,
        plan: Plan,
        cancel: threading.Event | None = None,
        previous: dict[int, StepOutcome] | None = None,
    ) -> dict[int, StepOutcome]:
        """Run every step; returns each step's outcome by id.

        `previous` (a replan) holds outcomes of the first round: a call identical to one that already
        succeeded is not run again (no duplicate events, notes or e-mails), its result is reused.
        """
        outcomes: dict[int, StepOutcome] = {}
        reusable = {_call_key(o.tool, o.args): o for o in (previous or {}).values() if o.status == "done"}
        pending = {s.id: s for s in plan.steps}
        running: dict[int, _Running] = {}
        pool = ThreadPoolExecutor(max_workers=self.max_parallel, thread_name_prefix="hearth-tool")
        try:
            while pending or running:
                # Start everything whose inputs are ready; skip what can no longer run.
                for sid, step in list(pending.items()):
                    failed_dep = next(
                        (d for d in step.deps if d in outcomes and outcomes[d].status != "done"), None
                    )
                    if failed_dep is not None:
                        del pending[sid]
                        outcomes[sid] = self._finish(
                            step, step.args, "skipped", error=f"call {failed_dep} did not succeed"
                        )
                        continue
                    if cancel is not None and cancel.is_set():
                        del pending[sid]
                        outcomes[sid] = self._finish(step, step.args, "cancelled", error="stopped")
                        continue
                    if all(d in outcomes for d in step.deps):
                        del pending[sid]
                        try:
                            args = self.resolve(step, outcomes)
                        except PlanError as e:
                            outcomes[sid] = self._finish(step, step.args, "failed", error=str(e))
                            continue
                        reused = reusable.get(_call_key(step.tool, args))
                        if reused is not None:
                            outcomes[sid] = self._finish(
                                step, args, "done", value=reused.value, text=reused.text,
                                action_id=reused.action_id, log=False,
                            )  # fmt: skip
                            continue
                        r = _Running(step=step, future=Future())
                        r.future = pool.submit(self._call, step, args, r.started)
                        running[sid] = r
                if not running:
                    if pending and not any(
                        all(d in outcomes for d in s.deps) for s in pending.values()
                    ):  # cannot happen with a checked plan; guards a hand-made one
                        for sid, step in list(pending.items()):
                            outcomes[sid] = self._finish(step, step.args, "skipped", error="unreachable")
                        pending.clear()
                    continue
                wait([r.future for r in running.values()], timeout=_TICK_S, return_when=FIRST_COMPLETED)
                now = time.monotonic()
                for sid, r in list(running.items()):
                    if r.future.done():
                        outcomes[sid] = r.future.result()
                        del running[sid]
                        continue
                    timeout = self.registry.get(r.step.tool).timeout_s
                    if r.started and now - r.started[0] > timeout:
                        # A thread cannot be killed: the call is reported as timed out now; if it ends
                        # later, its worker still writes it to the action log, so nothing goes unseen.
                        del running[sid]
                        outcomes[sid] = self._finish(
                            r.step, r.step.args, "timeout", error=f"no answer after {timeout:g} s", log=False
                        )
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return outcomes

    # ---- one call ----

    def _call(self, step: Step, args: dict[str, Any], started: list[float]) -> StepOutcome:
        tool = self.registry.get(step.tool)
        if tool.side_effects:
            self.on_event(
                AgentEvent("consent_needed", step_id=step.id, tool=tool.name, args=to_jsonable(args))
            )
            request = ConsentRequest(self.run_id, step.id, tool.name, to_jsonable(args), tool.description)
            if not self.consent(request):
                return self._finish(step, args, "declined", error="you declined")
        if tool.func is None:
            return self._finish(
                step, args, "failed", error=f"'{tool.name}' is described but bound to nothing"
            )
        t0 = time.monotonic()
        started.append(t0)
        self.on_event(AgentEvent("step_started", step_id=step.id, tool=tool.name, args=to_jsonable(args)))
        try:
            result = tool.func(**args)
        except HearthError as e:
            return self._finish(step, args, "failed", error=str(e), t0=t0)
        except Exception as e:  # a tool bug must not take the run down; it is reported like any error
            return self._finish(step, args, "failed", error=f"{type(e).__name__}: {e}", t0=t0)
        if not isinstance(result, ToolResult):
            result = ToolResult(value=result, text=str(result))
        return self._finish(step, args, "done", value=result.value, text=result.text, undo=result.undo, t0=t0)

    def _finish(
        self,
        step: Step,
        args: dict[str, Any],
        status: StepStatus,
        *,
        value: Any = None,
        text: str = "",
        error: str = "",
        undo: dict[str, Any] | None = None,
        action_id: int | None = None,
        t0: float | None = None,
        log: bool = True,
    ) -> StepOutcome:
        outcome = StepOutcome(
            step_id=step.id,
            tool=step.tool,
            args=args,
            status=status,
            value=value,
            text=text,
            error=error,
            undo=undo,
            action_id=action_id,
            elapsed_ms=(time.monotonic() - t0) * 1000 if t0 is not None else 0.0,
        )
        if log and self.log is not None:
            tool = self.registry.get(step.tool) if step.tool in self.registry else None
            record = self.log.record(
                run_id=self.run_id,
                request=self.request,
                step_id=step.id,
                tool=step.tool,
                args=to_jsonable(args),
                side_effects=bool(tool and tool.side_effects),
                status=status,
                result=text,
                error=error,
                undo=undo,
            )
            outcome.action_id = record.id
        self.on_event(
            AgentEvent(
                "step_finished",
                step_id=step.id,
                tool=step.tool,
                args=to_jsonable(args),
                status=status,
                text=text,
                error=error,
                data={"action_id": outcome.action_id, "elapsed_ms": round(outcome.elapsed_ms, 1)},
            )
        )
        return outcome

    # ---- $N ----

    def resolve(self, step: Step, outcomes: dict[int, StepOutcome]) -> dict[str, Any]:
        tool = self.registry.get(step.tool)
        return {k: _fill(v, tool.param(k), outcomes) for k, v in step.args.items()}


def _fill(value: Any, param: Param | None, outcomes: dict[int, StepOutcome]) -> Any:
    kind = param.type if param else "string"
    if isinstance(value, Ref):
        return _coerce(outcomes[value.step].value, kind, param)
    if isinstance(value, str):
        return REF_RE.sub(lambda m: _as_text(outcomes[int(m.group(1))].value), value)
    if isinstance(value, list):
        items = param.items if param else "string"
        out: list[Any] = []
        for v in value:
            filled = _fill(v, Param(name="item", type=items or "string"), outcomes)
            # A list result where one item was written ("$1" in a list) spreads into the list.
            out.extend(filled if isinstance(filled, list) else [filled])
        return out
    return value


def _coerce(value: Any, kind: str, param: Param | None) -> Any:
    """A result passed where a given type is expected: the small conversions a person would make."""
    try:
        if kind == "array":
            items = value if isinstance(value, list) else [value]
            inner = param.items if param and param.items else "string"
            return [_coerce(v, inner, None) for v in items]
        if isinstance(value, list):
            if not value:
                raise PlanError("an earlier call found nothing to pass on")
            value = value[0]  # one item expected: the first (best) of the list
        if kind == "string":
            return value if isinstance(value, str) else _as_text(value)
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
        if kind == "boolean":
            return value if isinstance(value, bool) else str(value).lower() in ("true", "yes", "1")
    except (TypeError, ValueError) as e:
        raise PlanError(f"the result {value!r} cannot be used as a {kind}") from e
    return value


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_as_text(v) for v in value)
    return "" if value is None else str(value)


def _call_key(tool: str, args: dict[str, Any]) -> str:
    import json

    return json.dumps([tool, to_jsonable(args)], sort_keys=True, default=str)


__all__ = ["Executor", "StepOutcome", "Tool"]
