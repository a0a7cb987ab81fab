"""Scoring plans against expected ones, as TinyAgent does, plus validity, ToolRAG, latency and cost figures.

A predicted plan matches when its calls are the expected calls (same tools, each once per expected call)
and its dependency graph is the expected DAG under that pairing of calls (TinyAgent's success measure).
`args` adds that every expected argument has the expected value (strings compared without case,
punctuation or filler words; times compared as the instants they mean); arguments the expected plan leaves
out are not judged.

Configurations (the planner adapter, the bare model) are run side by side, case by case, so a busy
machine slows them alike. Beyond TinyAgent's figures it reports the SLM-for-agents survey's engineering
metrics: schema validity (calls that name an offered tool with the declared arguments and types),
executable calls (planned calls that run without a tool error, against the real tools in a throw-away
folder holding the contacts, notes and files the requests speak of: world.py), and the cost of each
request planned right, in joules and seconds.
"""

from __future__ import annotations

import itertools
import json
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from core.assistant.agent import Assistant
from core.assistant.plan import REF_RE, Plan, Ref, plan_from_dicts
from core.assistant.registry import ToolRegistry
from core.assistant.timeparse import parse_when
from core.errors import HearthError
from core.resources import resource_path

if TYPE_CHECKING:
    from core.assistant.world import EvalWorld

EVAL_DIR = resource_path("eval", "agent")
DEFAULT_SET = EVAL_DIR / "requests.jsonl"
UNSEEN_DIR = EVAL_DIR / "unseen"  # requests over tools training never saw, with their tools file
UNSEEN_SET = UNSEEN_DIR / "requests.jsonl"
UNSEEN_TOOLS = UNSEEN_DIR / "tools.json"
_TIME_ARGS = {"start", "due"}
_FILLER = {"at", "on", "the", "a", "an", "my", "to", "about", "for", "of"}
_EVAL_NOW = datetime(2025, 5, 5, 10, 0).astimezone()  # a fixed Monday: "tomorrow 3pm" means one instant


@dataclass(frozen=True)
class EvalCase:
    id: str
    request: str
    kind: str  # single | multi | none
    steps: list[dict[str, Any]]

    @property
    def plan(self) -> Plan:
        return plan_from_dicts(self.steps)


def load_cases(path: Path = DEFAULT_SET) -> list[EvalCase]:
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            d = json.loads(line)
            cases.append(
                EvalCase(id=d.get("id", str(n)), request=d["request"], kind=d["kind"], steps=d["steps"])
            )
    return cases


# ---- matching ------------------------------------------------------------------------------------------


def normalise_text(value: str) -> str:
    s = re.sub(r"(\d)\s+(am|pm)\b", r"\1\2", value.lower())
    s = re.sub(r"[^\w@./~+-]+", " ", s)
    return " ".join(w for w in s.split() if w not in _FILLER)


def _same_value(key: str, want: Any, got: Any, mapping: dict[int, int]) -> bool:
    if isinstance(want, Ref):
        return isinstance(got, Ref) and mapping.get(want.step) == got.step
    if isinstance(want, list):
        if not isinstance(got, list) or len(want) != len(got):
            return False
        remaining = list(got)
        for w in want:
            idx = next((i for i, g in enumerate(remaining) if _same_value(key, w, g, mapping)), None)
            if idx is None:
                return False
            remaining.pop(idx)
        return True
    if isinstance(want, str) and isinstance(got, str):
        want = REF_RE.sub(lambda m: f"${mapping.get(int(m.group(1)), 0)}", want)  # refs renumbered
        if normalise_text(want) == normalise_text(got):
            return True
        if key in _TIME_ARGS:
            try:
                return parse_when(want, _EVAL_NOW) == parse_when(got, _EVAL_NOW)
            except HearthError:
                return False
        return False
    if isinstance(want, int | float) and isinstance(got, int | float) and not isinstance(got, bool):
        return float(want) == float(got)
    return bool(want == got)


def match(expected: Plan, predicted: Plan) -> dict[str, bool]:
    """tools: same multiset of tools; dag: and the same dependency graph; args: and the same arguments."""
    exp, pred = expected.steps, predicted.steps
    tools = sorted(s.tool for s in exp) == sorted(s.tool for s in pred)
    if not tools:
        return {"tools": False, "dag": False, "args": False}
    if not exp:
        return {"tools": True, "dag": True, "args": True}
    dag = args = False
    # Pair expected with predicted calls of the same tool, every way (plans are short: this stays small).
    groups: dict[str, list[int]] = {}
    for s in pred:
        groups.setdefault(s.tool, []).append(s.id)
    tool_order = sorted(groups)
    exp_by_tool = {t: [s.id for s in exp if s.tool == t] for t in tool_order}
    for perms in itertools.product(*(itertools.permutations(groups[t]) for t in tool_order)):
        mapping = {
            e: p
            for t, perm in zip(tool_order, perms, strict=True)
            for e, p in zip(exp_by_tool[t], perm, strict=True)
        }
        if all(sorted(mapping[d] for d in s.deps) == sorted(predicted.step(mapping[s.id]).deps) for s in exp):
            dag = True
            if all(
                key in predicted.step(mapping[s.id]).args
                and _same_value(key, want, predicted.step(mapping[s.id]).args[key], mapping)
                for s in exp
                for key, want in s.args.items()
            ):
                args = True
                break
    return {"tools": True, "dag": dag, "args": args}


# ---- the run -------------------------------------------------------------------------------------------


@dataclass
class CaseResult:
    case: EvalCase
    steps: list[dict[str, Any]]
    valid: bool
    scores: dict[str, bool]
    offered: list[str]
    recall: bool  # every expected tool was offered
    prompt_tokens: int
    prompt_tokens_all_tools: int
    latency_ms: float
    error: str = ""
    plan_text: str = ""
    calls: int = 0  # calls in the plan as decoded (complete ones)
    calls_valid: int = 0  # of them, calls that name an offered tool with its declared arguments and types
    executed: int = 0  # calls run against the real tools (0 when not executed)
    executed_ok: int = 0  # of them, calls that ran without a tool error
    exec_errors: list[str] = field(default_factory=list)
    energy_j: float | None = None  # the planning call's energy (see EvalReport.energy_source)


@dataclass
class EvalReport:
    model: str
    cases: list[CaseResult] = field(default_factory=list)
    wall_s: float = 0.0
    config: str = ""  # "adapter" | "base"
    adapter: str | None = None
    energy_source: str = ""

    def summary(self) -> dict[str, Any]:
        n = len(self.cases)
        if n == 0:
            return {"model": self.model, "config": self.config, "requests": 0}

        def rate(pred: Callable[[CaseResult], bool], subset: list[CaseResult] | None = None) -> float:
            items = self.cases if subset is None else subset
            return round(sum(1 for c in items if pred(c)) / len(items), 3) if items else 0.0

        lat = sorted(c.latency_ms for c in self.cases)
        by_kind = {}
        for kind in ("single", "multi", "none"):
            subset = [c for c in self.cases if c.case.kind == kind]
            if subset:
                by_kind[kind] = {
                    "requests": len(subset),
                    "success": rate(lambda c: c.scores["args"], subset),
                    "dag_match": rate(lambda c: c.scores["dag"], subset),
                    "latency_ms_p50": round(statistics.median(c.latency_ms for c in subset), 1),
                }
        tokens = statistics.mean(c.prompt_tokens for c in self.cases)
        tokens_all = statistics.mean(c.prompt_tokens_all_tools for c in self.cases)
        with_tools = [c for c in self.cases if c.case.steps]
        calls = sum(c.calls for c in self.cases)
        executed = sum(c.executed for c in self.cases)
        wins = sum(1 for c in self.cases if c.scores["args"])
        energy = [c.energy_j for c in self.cases if c.energy_j is not None]
        out: dict[str, Any] = {
            "model": self.model,
            "config": self.config,
            "adapter": self.adapter,
            "requests": n,
            "validity_rate": rate(lambda c: c.valid),
            "success_rate": rate(lambda c: c.scores["args"]),  # calls + DAG + arguments
            "dag_match_rate": rate(lambda c: c.scores["dag"]),  # calls + DAG (TinyAgent's success)
            "tool_match_rate": rate(lambda c: c.scores["tools"]),
            "by_kind": by_kind,
            "schema_validity_rate": round(sum(c.calls_valid for c in self.cases) / calls, 3)
            if calls
            else 1.0,
            "executable_call_rate": (
                round(sum(c.executed_ok for c in self.cases) / executed, 3) if executed else None
            ),
            "calls_planned": calls,
            "calls_executed": executed,
            "toolrag_recall": rate(lambda c: c.recall, with_tools),
            "tools_offered_mean": round(statistics.mean(len(c.offered) for c in self.cases), 2),
            "prompt_tokens_mean": round(tokens, 1),
            "prompt_tokens_all_tools_mean": round(tokens_all, 1),
            "prompt_tokens_saved_pct": round(100 * (1 - tokens / tokens_all), 1) if tokens_all else 0.0,
            "latency_ms_p50": round(statistics.median(lat), 1),
            "latency_ms_p95": round(lat[min(n - 1, max(0, round(0.95 * n) - 1))], 1),
            "seconds_per_success": round(sum(lat) / 1000 / wins, 2) if wins else None,
            "wall_s": round(self.wall_s, 1),
        }
        if energy:
            out["joules_per_request"] = round(sum(energy) / len(energy), 2)
            out["joules_per_success"] = round(sum(energy) / wins, 2) if wins else None
            out["energy_source"] = self.energy_source
        return out

    def failures(self) -> list[dict[str, Any]]:
        return [
            {
                "id": c.case.id,
                "kind": c.case.kind,
                "request": c.case.request,
                "expected": c.case.steps,
                "predicted": c.steps,
                "why": _why(c),
                **({"exec_errors": c.exec_errors} if c.exec_errors else {}),
            }
            for c in self.cases
            if not c.scores["args"]
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "failures": self.failures(),
            "cases": [
                {
                    "id": c.case.id,
                    "request": c.case.request,
                    "expected": c.case.steps,
                    "predicted": c.steps,
                    "valid": c.valid,
                    **c.scores,
                    "offered": c.offered,
                    "prompt_tokens": c.prompt_tokens,
                    "latency_ms": round(c.latency_ms, 1),
                    "calls_valid": c.calls_valid,
                    "executed_ok": c.executed_ok,
                    "executed": c.executed,
                    **({"energy_j": round(c.energy_j, 3)} if c.energy_j is not None else {}),
                    "error": c.error,
                    "plan_text": c.plan_text,
                }
                for c in self.cases
            ],
        }


def _why(c: CaseResult) -> str:
    if not c.valid:
        return f"invalid plan: {c.error}"
    if not c.recall:
        return "ToolRAG did not offer every tool needed"
    if not c.scores["tools"]:
        return "other tools called"
    if not c.scores["dag"]:
        return "the dependencies differ"
    return "an argument differs"


class Meter(Protocol):
    def finish(self) -> Any: ...


def _schema_valid_calls(text: str, registry: ToolRegistry) -> tuple[int, int]:
    """(complete calls in the decoded text, those that parse against the offered tools' schemas)."""
    from core.assistant.plan import _LINE_RE, parse_call

    total = valid = 0
    for line in text.replace("<END_OF_PLAN>", "").splitlines():
        m = _LINE_RE.match(line)
        if m is None or m.group(2) == "join":
            continue
        total += 1
        try:
            parse_call(int(m.group(1)), m.group(2), m.group(3), registry)
            valid += 1
        except HearthError:
            pass
    return total, valid


def evaluate_case(
    assistant: Assistant,
    case: EvalCase,
    *,
    world: EvalWorld | None = None,
    begin_meter: Callable[[], Meter] | None = None,
) -> CaseResult:
    meter = begin_meter() if begin_meter is not None else None
    plan_report = assistant.plan(case.request)
    energy = meter.finish() if meter is not None else None
    out = plan_report.planner
    expected = case.plan
    offered = plan_report.selection.names if plan_report.selection else assistant.registry.names
    offered_registry = assistant.registry.subset(offered)
    calls, calls_valid = _schema_valid_calls(out.text, offered_registry)
    result = CaseResult(
        case=case,
        steps=out.plan.as_dicts(),
        valid=out.valid,
        scores=match(expected, out.plan) if out.valid else {"tools": False, "dag": False, "args": False},
        offered=offered,
        recall={s.tool for s in expected.steps} <= set(offered),
        prompt_tokens=out.prompt_tokens,
        prompt_tokens_all_tools=plan_report.prompt_tokens_all_tools,
        latency_ms=plan_report.latency_ms,
        error=out.error,
        plan_text=out.text,
        calls=calls,
        calls_valid=calls_valid,
        energy_j=getattr(energy, "energy_j", None),
    )
    if world is not None and out.plan.steps:
        outcomes = world.execute(out.plan)
        result.executed = len(outcomes)
        result.executed_ok = sum(1 for o in outcomes.values() if o.status == "done")
        result.exec_errors = [
            f"{o.tool}: {o.status}: {o.error}" for o in outcomes.values() if o.status != "done"
        ]
    return result


def run_eval(
    assistant: Assistant,
    cases: list[EvalCase],
    *,
    on_case: Callable[[CaseResult], None] | None = None,
) -> EvalReport:
    """One configuration over the cases (planning only)."""
    return run_side_by_side({"": assistant}, cases, on_case=lambda _, r: on_case(r) if on_case else None)[""]


def run_side_by_side(
    assistants: dict[str, Assistant],
    cases: list[EvalCase],
    *,
    world: EvalWorld | None = None,
    begin_meter: Callable[[], Meter] | None = None,
    energy_source: str = "",
    on_case: Callable[[str, CaseResult], None] | None = None,
) -> dict[str, EvalReport]:
    """Every configuration on each case in turn (interleaved: load on the machine hits them alike)."""
    reports = {
        name: EvalReport(
            model=a.engine.info.name, config=name, adapter=a.planner_adapter, energy_source=energy_source
        )
        for name, a in assistants.items()
    }
    started = {name: 0.0 for name in assistants}
    for case in cases:
        for name, assistant in assistants.items():
            t0 = time.perf_counter()
            result = evaluate_case(assistant, case, world=world, begin_meter=begin_meter)
            started[name] += time.perf_counter() - t0
            reports[name].cases.append(result)
            if on_case is not None:
                on_case(name, result)
    for name, report in reports.items():
        report.wall_s = started[name]
    return reports
