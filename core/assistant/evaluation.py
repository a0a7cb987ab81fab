"""Scoring plans against expected ones, as TinyAgent does, plus validity, ToolRAG and latency figures.

A predicted plan matches when its calls are the expected calls (same tools, each once per expected call)
and its dependency graph is the expected DAG under that pairing of calls (TinyAgent's success measure).
`args` adds that every expected argument has the expected value (strings compared without case,
punctuation or filler words; times compared as the instants they mean); arguments the expected plan leaves
out are not judged.
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
from typing import Any

from core.assistant.agent import Assistant
from core.assistant.plan import REF_RE, Plan, Ref, plan_from_dicts
from core.assistant.timeparse import parse_when
from core.errors import HearthError
from core.resources import resource_path

EVAL_DIR = resource_path("eval", "agent")
DEFAULT_SET = EVAL_DIR / "requests.jsonl"
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


@dataclass
class EvalReport:
    model: str
    cases: list[CaseResult] = field(default_factory=list)
    wall_s: float = 0.0

    def summary(self) -> dict[str, Any]:
        n = len(self.cases)
        if n == 0:
            return {"model": self.model, "requests": 0}

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
                }
        tokens = statistics.mean(c.prompt_tokens for c in self.cases)
        tokens_all = statistics.mean(c.prompt_tokens_all_tools for c in self.cases)
        with_tools = [c for c in self.cases if c.case.steps]
        return {
            "model": self.model,
            "requests": n,
            "validity_rate": rate(lambda c: c.valid),
            "success_rate": rate(lambda c: c.scores["args"]),  # calls + DAG + arguments
            "dag_match_rate": rate(lambda c: c.scores["dag"]),  # calls + DAG (TinyAgent's success)
            "tool_match_rate": rate(lambda c: c.scores["tools"]),
            "by_kind": by_kind,
            "toolrag_recall": rate(lambda c: c.recall, with_tools),
            "tools_offered_mean": round(statistics.mean(len(c.offered) for c in self.cases), 2),
            "prompt_tokens_mean": round(tokens, 1),
            "prompt_tokens_all_tools_mean": round(tokens_all, 1),
            "prompt_tokens_saved_pct": round(100 * (1 - tokens / tokens_all), 1) if tokens_all else 0.0,
            "latency_ms_p50": round(statistics.median(lat), 1),
            "latency_ms_p95": round(lat[min(n - 1, max(0, round(0.95 * n) - 1))], 1),
            "wall_s": round(self.wall_s, 1),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
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
                    "error": c.error,
                }
                for c in self.cases
            ],
        }


def run_eval(
    assistant: Assistant,
    cases: list[EvalCase],
    *,
    on_case: Callable[[CaseResult], None] | None = None,
) -> EvalReport:
    report = EvalReport(model=assistant.engine.info.name)
    t0 = time.perf_counter()
    for case in cases:
        plan_report = assistant.plan(case.request)
        out = plan_report.planner
        expected = case.plan
        offered = plan_report.selection.names if plan_report.selection else assistant.registry.names
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
        )
        report.cases.append(result)
        if on_case is not None:
            on_case(result)
    report.wall_s = time.perf_counter() - t0
    return report
