"""The planner as an adapter task (core.adapters): generated requests with exact plans (generate.py), the
plan text as target, decoded under the plan grammar of the tools offered, scored as `hearth eval agent`
scores plans (calls, DAG and arguments; evaluation.match)."""

from __future__ import annotations

from typing import Any

from core.adapters.data import Example
from core.adapters.task import AdapterTask, Split
from core.assistant.agent import PLANNER_ADAPTER, PLANNER_TASK
from core.assistant.evaluation import match
from core.assistant.plan import END_OF_PLAN, Plan, parse_plan
from core.assistant.plan_grammar import build_plan_grammar
from core.assistant.planner import ADAPTER_SYSTEM, PLAN_MAX_TOKENS
from core.assistant.registry import ToolRegistry
from core.assistant.schema_tools import tool_from_schema
from core.engine import GenerationOptions
from core.errors import AdapterDataError, HearthError, PlanError


def offered_registry(example: Example) -> ToolRegistry:
    """The tools the example's prompt offers (its meta["tools"], OpenAI JSON), as the planner sees them."""
    tools = example.meta.get("tools")
    if not isinstance(tools, list):
        raise AdapterDataError("a planner example needs meta.tools: the offered tools in OpenAI JSON form.")
    try:
        return ToolRegistry(
            tool_from_schema(
                t["function"]["name"],
                t["function"].get("description", ""),
                t["function"].get("parameters", {}),
                side_effects=True,
                func=None,
                source="openai-json",
            )
            for t in tools
        )
    except (HearthError, KeyError, TypeError) as e:
        raise AdapterDataError(f"meta.tools is not a list of OpenAI function schemas: {e}") from e


def canonical_plan(plan: Plan, registry: ToolRegistry) -> str:
    """The plan's text as the grammar writes it: each call's arguments in its tool's parameter order."""
    from core.assistant.plan import to_jsonable
    from core.assistant.training.generate import render_plan
    from core.assistant.training.phrasing import Call

    return render_plan([Call(s.tool, to_jsonable(s.args)) for s in plan.steps], registry)


class PlannerTask(AdapterTask):
    name = PLANNER_TASK
    adapter_name = PLANNER_ADAPTER
    description = "assistant: writes the plan of tool calls (LLMCompiler format) for a request"
    default_examples = 7000
    default_steps = 700
    max_tokens = 512
    # q, v and the MLP's output on the top 16 of SmolLM2-135M's 30 layers: training stops backpropagating
    # at layer 14, and 48 adapted matrices keep the decode cost of an active adapter small.
    train_overrides = {  # noqa: RUF012
        "rank": 16, "alpha": 32.0, "lr": 1e-3, "targets": ("q_proj", "v_proj", "down_proj"), "first_layer": 14,
    }  # fmt: skip

    def generate(self, n: int, seed: int = 0, split: Split = "train") -> list[Example]:
        from core.assistant.training.decontaminate import NearCopyFilter
        from core.assistant.training.generate import PlannerDataGenerator

        gen = PlannerDataGenerator(seed, split=split, near_copy=NearCopyFilter.from_eval_sets())
        return [e.example() for e in gen.generate(n)]

    def _plan(self, example: Example, text: str) -> Plan:
        registry = offered_registry(example)
        try:
            return parse_plan(text, registry)
        except PlanError as e:
            raise AdapterDataError(f"the plan does not parse: {e}") from e

    def validate(self, example: Example) -> None:
        if not example.messages[0]["content"].startswith(ADAPTER_SYSTEM):
            raise AdapterDataError("the prompt is not the planner's (its system message is not Planner's).")
        if not example.target.rstrip().endswith(END_OF_PLAN):
            raise AdapterDataError(f"the plan does not end with join(){END_OF_PLAN}.")
        self._plan(example, example.target)

    def options(self, example: Example, adapter: str | None) -> GenerationOptions:
        return GenerationOptions(
            # As the app plans: free-text arguments made of the request's words (plan_grammar).
            grammar=build_plan_grammar(
                offered_registry(example), request=str(example.meta.get("request") or "") or None
            ),
            temperature=0.0,
            max_tokens=PLAN_MAX_TOKENS,
            repeat_penalty=1.0,
            adapter=adapter,
        )

    def canonical(self, example: Example, output: str) -> str:
        text = output if END_OF_PLAN in output else output.rstrip() + END_OF_PLAN
        return canonical_plan(self._plan(example, text), offered_registry(example))

    def judge(self, example: Example, output: str) -> dict[str, float]:
        expected = self._plan(example, example.target)
        try:
            got = self._plan(example, output)
        except AdapterDataError:
            return {"parsed": 0.0, "correct": 0.0, "dag": 0.0, "tools": 0.0}
        scores: dict[str, Any] = match(expected, got)
        return {
            "parsed": 1.0,
            "correct": float(scores["args"]),
            "dag": float(scores["dag"]),
            "tools": float(scores["tools"]),
        }
