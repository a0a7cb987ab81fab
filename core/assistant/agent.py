"""One assistant request, start to end: ToolRAG -> planner -> consent + parallel executor -> joiner.

This is the API the GUI and the CLI use:

    assistant = Assistant(engine=..., registry=..., store=..., embedder=...)
    report = assistant.plan("...")                      # dry run: nothing executes
    run = assistant.run("...", consent=cb, on_event=ev)  # plan, ask, execute, answer
    assistant.action_log.undo(action_id)
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.adapters.store import load_adapter
from core.answers.compose import answer
from core.assistant.action_log import ActionLog
from core.assistant.consent import ConsentCallback, deny_all
from core.assistant.events import AgentEvent, EventCallback, ignore
from core.assistant.examples import ExampleBank
from core.assistant.executor import Executor, StepOutcome
from core.assistant.joiner import decide
from core.assistant.planner import PLAN_MAX_TOKENS, Planner, PlannerOutput
from core.assistant.registry import ToolRegistry
from core.assistant.router import Route, Router
from core.assistant.toolrag import ToolExemplars, ToolRAG, ToolSelection
from core.embeddings import SharedEmbedder, TextEncoder
from core.engine import ChatEngine
from core.errors import HearthError
from core.models.profiles import defaults_for
from core.store import Store

PLANNER_TASK = "planner"  # the adapter task's name: its file is <model's adapters>/planner.gguf
PLANNER_ADAPTER = "planner"  # the name the engine loads it under
PLAIN_SYSTEM = "You are Hearth, a helpful assistant that runs privately on this computer. Answer briefly."
EXAMPLES_PER_PROMPT = 3


@dataclass
class PlanReport:
    """A plan and what it cost: the `--dry-run --json` object."""

    request: str
    planner: PlannerOutput
    selection: ToolSelection | None
    prompt_tokens_all_tools: int  # what the prompt would take offering every tool (ToolRAG's saving)
    latency_ms: float  # retrieval + planning
    engine: str = ""  # which engine wrote the plan ("llama.cpp", "remote:NAME")
    route: str = ""  # why that engine: "local only", "fallback: ..."

    def as_dict(self) -> dict[str, Any]:
        offered = self.selection.names if self.selection else []
        return {
            "steps": self.planner.plan.as_dicts(),
            "tools_offered": offered,
            "prompt_tokens": self.planner.prompt_tokens,
            "latency_ms": round(self.latency_ms, 1),
        }

    def details(self) -> dict[str, Any]:
        return {
            **self.as_dict(),
            "valid": self.planner.valid,
            "plan_text": self.planner.text,
            "prompt_tokens_all_tools": self.prompt_tokens_all_tools,
            "prompt_tokens_saved": self.prompt_tokens_all_tools - self.planner.prompt_tokens,
            "planner_ms": round(self.planner.latency_ms, 1),
            "examples": [e.request for e in self.planner.examples],
        }


@dataclass
class AgentRun:
    run_id: str
    request: str
    reports: list[PlanReport]  # one, or two after a replan
    outcomes: dict[int, StepOutcome]
    answer: str
    replanned: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def all_failed(self) -> bool:
        """Every call it made failed or timed out (declined and skipped ones are not failures)."""
        statuses = [o.status for o in self.outcomes.values()]
        return bool(statuses) and all(s in ("failed", "timeout") for s in statuses)

    def metrics(self) -> dict[str, float | int | str]:
        """What the run's planning cost, in the columns an answer's metrics are stored in."""
        planners = [r.planner for r in self.reports]
        last = self.reports[-1]
        return {
            "prompt_tokens": sum(p.prompt_tokens for p in planners),
            "ttft_ms": round(planners[0].ttft_ms, 2),
            "total_ms": round(sum(r.latency_ms for r in self.reports), 2),
            "queue_ms": round(sum(p.queue_ms for p in planners), 2),
            **({"engine": last.engine, "route": last.route} if last.engine else {}),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            **self.reports[-1].as_dict(),
            "results": [self.outcomes[k].as_dict() for k in sorted(self.outcomes)],
            "replanned": self.replanned,
            "answer": self.answer,
            "engine": self.reports[-1].engine,
            "route": self.reports[-1].route,
        }


class Assistant:
    """Args:
    engine: plans (and answers plainly) with this engine.
    fallback: local first: the bigger engine that plans when the local plan fails validation twice, or
        when the joiner asks for a new plan. Called only then (it may connect to a remote server).
    route: why `engine` plans ("local only", "remote only", "local first"), recorded with each plan.
    plan_max_tokens: the local planner's longest plan, in tokens.
    """

    def __init__(
        self,
        *,
        engine: ChatEngine,
        registry: ToolRegistry,
        store: Store | None,
        embedder: TextEncoder | None = None,
        use_toolrag: bool = True,
        top_k: int | None = None,
        threshold: float | None = None,
        examples_as_turns: bool = True,
        use_adapter: bool = True,
        adapter_root: Path | None = None,
        fallback: Callable[[], ChatEngine] | None = None,
        route: str = "local only",
        plan_max_tokens: int = PLAN_MAX_TOKENS,
        copy_args: bool = True,
    ) -> None:
        """use_adapter: plan (and replan) with the planner adapter for the engine's model, where there is
        one (core.adapters.store: the user's own first, then the shipped one); `planner_adapter` says
        which was loaded, None when planning runs on the bare model. copy_args: free-text arguments are
        made of the request's words (the plan grammar), as the app plans; off only to measure it."""
        self.engine = engine
        self.fallback = fallback
        self.route = route
        self._examples_as_turns = examples_as_turns
        self.registry = registry
        self.store = store
        self.embedder = embedder or SharedEmbedder()
        self.examples = ExampleBank(self.embedder)
        rag_options: dict[str, Any] = {}
        if top_k is not None:
            rag_options["top_k"] = top_k
        if threshold is not None:
            rag_options["threshold"] = threshold
        self.toolrag = (
            ToolRAG(self.embedder, self.examples, bank=ToolExemplars(self.embedder), **rag_options)
            if use_toolrag
            else None
        )
        self.planner_adapter = (
            load_adapter(engine, PLANNER_TASK, PLANNER_ADAPTER, adapter_root) if use_adapter else None
        )
        self.planner = Planner(
            engine,
            examples_as_turns=examples_as_turns,
            max_tokens=plan_max_tokens,
            adapter=self.planner_adapter,
            copy_args=copy_args,
        )
        self.action_log = ActionLog(store) if store is not None else None
        self._router: Router | None = None

    # ---- chat or assistant ----

    def route_message(self, message: str) -> Route:
        """Whether `message` needs a tool (the assistant) or is a plain question (chat), from embeddings
        alone (core.assistant.router); without ToolRAG every message goes to the assistant."""
        if self.toolrag is None:
            return Route("assistant", 1.0, 0.0, "", 0.0)
        if self._router is None:
            self._router = Router(self.toolrag)
        return self._router.route(message, self.registry)

    # ---- planning (no tool runs) ----

    def plan(
        self,
        request: str,
        *,
        on_event: EventCallback = ignore,
        cancel: threading.Event | None = None,
        feedback: str | None = None,
        replan_remotely: bool = False,
    ) -> PlanReport:
        """Choose tools and plan. With a fallback engine (local first), a plan the local model fails to write
        validly twice is written by the fallback; `replan_remotely` (the joiner asked for a new plan) goes
        to the fallback at once."""
        t0 = time.perf_counter()
        selection: ToolSelection | None = None
        if self.toolrag is not None:
            selection = chosen = self.toolrag.select(request, self.registry)
            offered = chosen.offered
            query = chosen.query_vector
        else:
            selection, offered = None, self.registry
            query = self.embedder.encode([request])[0]
        on_event(
            AgentEvent(
                "tools_offered",
                data={
                    "tools": offered.names,
                    "scores": {k: round(v, 3) for k, v in (selection.scores if selection else {}).items()},
                },
            )
        )
        # The adapter plans without in-context examples; a remote fallback's planner needs them.
        examples = (
            self.examples.choose(query, set(offered.names), EXAMPLES_PER_PROMPT)
            if self.planner_adapter is None or self.fallback is not None
            else []
        )

        def plan_with(planner: Planner, feedback: str | None) -> PlannerOutput:
            return planner.plan(
                request,
                offered,
                examples,
                feedback=feedback,
                on_token=lambda piece: on_event(AgentEvent("plan_token", text=piece)),
                on_step=lambda sid, tool, args, deps: on_event(
                    AgentEvent("step_planned", step_id=sid, tool=tool, args=args, deps=deps)
                ),
                cancel=cancel,
            )

        planner, route = self.planner, self.route
        output: PlannerOutput | None = None
        if replan_remotely and self.fallback is not None:
            output, planner, route = self._plan_remotely(plan_with, feedback, "the joiner asked to replan")
        if output is None:
            output = plan_with(self.planner, feedback)
            if self.fallback is not None and route == self.route:
                route = "local first: planned locally"
            stopped = cancel is not None and cancel.is_set()
            if self.fallback is not None and not output.valid and not stopped:
                # Local first: the local model gets a second try with the error; a second failure goes out.
                on_event(AgentEvent("replan", text=output.error))
                retry = f"The plan did not parse ({output.error}); write it again in the format shown."
                output = plan_with(self.planner, retry)
                route = "local first: planned locally at the second try"
                if not output.valid and not (cancel is not None and cancel.is_set()):
                    on_event(AgentEvent("replan", text=output.error))
                    remote, remote_planner, remote_route = self._plan_remotely(
                        plan_with, feedback, "the local plan failed validation twice"
                    )
                    if remote is not None:
                        output, planner, route = remote, remote_planner, remote_route
                    else:
                        route = remote_route
        latency = (time.perf_counter() - t0) * 1000
        # Counted after timing: only the report needs it, the run does not wait for it.
        all_tokens = (
            self.planner.prompt_tokens(request, self.registry, examples)
            if len(offered) < len(self.registry)
            else output.prompt_tokens
        )
        on_event(
            AgentEvent(
                "plan_ready",
                data={"steps": output.plan.as_dicts(), "valid": output.valid, "route": route},
            )
        )
        return PlanReport(
            request, output, selection, all_tokens, latency, engine=planner.engine.info.engine, route=route
        )

    def _plan_remotely(
        self, plan_with: Callable[[Planner, str | None], PlannerOutput], feedback: str | None, why: str
    ) -> tuple[PlannerOutput | None, Planner, str]:
        """The fallback engine's plan, or (None, the local planner, why not) when it cannot be had: the
        local plan then stands, and the reason is recorded rather than raised."""
        assert self.fallback is not None
        try:
            planner = Planner(self.fallback(), examples_as_turns=self._examples_as_turns)
            return plan_with(planner, feedback), planner, f"fallback: {why}"
        except HearthError as e:
            return None, self.planner, f"local first: the remote engine failed ({e}); planned locally"

    # ---- a whole run ----

    def run(
        self,
        request: str,
        *,
        consent: ConsentCallback = deny_all,
        on_event: EventCallback = ignore,
        cancel: threading.Event | None = None,
        replan: bool = True,
    ) -> AgentRun:
        """Plan, ask consent for side effects, execute in parallel, then answer (or replan once).

        Consent defaults to refusing: nothing with a side effect happens unless a caller decides it may.
        """
        run_id = uuid.uuid4().hex[:12]
        report = self.plan(request, on_event=on_event, cancel=cancel)
        reports = [report]
        if not report.planner.plan.steps:
            answer = self.plain_answer(request, on_event, cancel)
            on_event(AgentEvent("done", text=answer))
            return AgentRun(run_id, request, reports, {}, answer)
        executor = Executor(
            self.registry,
            consent=consent,
            action_log=self.action_log,
            on_event=on_event,
            run_id=run_id,
            request=request,
        )
        outcomes = executor.run(report.planner.plan, cancel)
        decision = decide(report.planner.plan, outcomes, may_replan=replan)
        replanned = False
        if decision.action == "replan" and not (cancel is not None and cancel.is_set()):
            on_event(AgentEvent("replan", text=decision.feedback))
            second = self.plan(
                request,
                on_event=on_event,
                cancel=cancel,
                feedback=decision.feedback,
                replan_remotely=self.fallback is not None,
            )
            if second.planner.plan.steps and second.planner.plan.render() != report.planner.plan.render():
                reports.append(second)
                outcomes = executor.run(second.planner.plan, cancel, previous=outcomes)
                replanned = True
            decision = decide(reports[-1].planner.plan, outcomes, may_replan=False)
        for line in decision.answer.splitlines(keepends=True):
            on_event(AgentEvent("answer_token", text=line))
        on_event(AgentEvent("done", text=decision.answer))
        return AgentRun(run_id, request, reports, outcomes, decision.answer, replanned)

    def plain_answer(self, request: str, on_event: EventCallback, cancel: threading.Event | None) -> str:
        """No tool fits: the model answers as in a chat (its measured system prompt and sampling), streamed,
        and as the chat answers (a plain sum worked out, the shape asked for kept: core.answers)."""
        defaults = defaults_for(self.engine.info.path)
        result = answer(
            self.engine,
            defaults.chat_messages(request),
            defaults.options(),
            on_token=lambda piece: on_event(AgentEvent("answer_token", text=piece, data={"plain": True})),
            cancel=cancel,
        )
        return result.text.strip()
