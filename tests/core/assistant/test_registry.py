"""Tool registry, plan text and plan grammar text: no model needed."""

from __future__ import annotations

from typing import Literal

import pytest

from core.assistant.custom_tools import load_tool_file
from core.assistant.plan import Ref, parse_plan, plan_from_dicts
from core.assistant.plan_grammar import build_plan_grammar
from core.assistant.registry import ToolRegistry, tool_from_function
from core.errors import PlanError, ToolDefinitionError


def lookup(name: str) -> str:
    """Look up a person's e-mail address.

    Args:
        name: the person's name,
            as the user wrote it
    """
    return f"{name.lower()}@example.org"


def send(to: list[str], subject: str, urgent: bool = False, mode: Literal["plain", "html"] = "plain") -> str:
    """Send a message.

    Args:
        to: addresses
        subject: the subject line
        urgent: mark as urgent
        mode: body format
    """
    return f"sent to {to}"


def count(n: int = 1, ratio: float = 0.5) -> int:
    """Count things."""
    return n


REGISTRY = ToolRegistry(
    [
        tool_from_function(lookup, side_effects=False),
        tool_from_function(send, side_effects=True),
        tool_from_function(count, side_effects=False),
    ]
)


def test_signature_and_docstring_become_the_json_schema() -> None:
    schema = REGISTRY.get("send").schema()["function"]
    assert schema["name"] == "send" and schema["description"] == "Send a message."
    props = schema["parameters"]["properties"]
    assert props["to"] == {"type": "array", "description": "addresses", "items": {"type": "string"}}
    assert props["urgent"] == {"type": "boolean", "description": "mark as urgent", "default": False}
    assert props["mode"]["enum"] == ["plain", "html"]
    assert schema["parameters"]["required"] == ["to", "subject"]
    assert REGISTRY.get("lookup").params[0].description == "the person's name, as the user wrote it"
    assert REGISTRY.get("send").side_effects and not REGISTRY.get("lookup").side_effects


def test_untyped_or_undocumented_functions_are_refused() -> None:
    def no_doc(x: int) -> int:
        return x

    def nested(x: dict) -> None:  # type: ignore[type-arg]
        """Takes a dict."""

    with pytest.raises(ToolDefinitionError, match="docstring"):
        tool_from_function(no_doc, side_effects=False)
    with pytest.raises(ToolDefinitionError, match="cannot be a tool argument"):
        tool_from_function(nested, side_effects=False)


def test_a_plan_parses_into_a_dag_with_refs() -> None:
    text = (
        '1. lookup(name="Sid")\n2. lookup(name="Ana")\n'
        '3. send(to=["$1", "$2"], subject="Hi from \\"us\\" and $1", urgent=True)\n4. join()<END_OF_PLAN>'
    )
    plan = parse_plan(text, REGISTRY)
    assert [s.deps for s in plan.steps] == [[], [], [1, 2]]
    assert plan.steps[2].args == {"to": [Ref(1), Ref(2)], "subject": 'Hi from "us" and $1', "urgent": True}
    assert parse_plan(plan.render(), REGISTRY).as_dicts() == plan.as_dicts()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('1. delete_all(path="/")\n2. join()', "no known tool"),
        ('1. send(to=["$2"], subject="x")\n2. join()', "earlier call"),
        ('1. count(n="three")\n2. join()', "whole number"),
        ('1. send(subject="x")\n2. join()', "needs to"),
        ('1. lookup(name="x")', "join"),
        ('1. send(to=["a"], subject="x", mode="pdf")\n2. join()', "one of"),
    ],
)
def test_invalid_plans_are_refused_with_a_reason(text: str, error: str) -> None:
    with pytest.raises(PlanError, match=error):
        parse_plan(text, REGISTRY)


def test_repeated_calls_are_dropped_and_their_refs_moved() -> None:
    text = '1. lookup(name="Sid")\n2. lookup(name="Sid")\n3. send(to=["$2"], subject="x")\n4. join()'
    plan = parse_plan(text, REGISTRY)
    assert [s.tool for s in plan.steps] == ["lookup", "send"] and plan.dropped_duplicates == 1
    assert plan.steps[1].args["to"] == [Ref(1)] and plan.steps[1].deps == [1]


def test_a_cut_off_plan_keeps_its_complete_calls() -> None:
    plan = parse_plan('1. lookup(name="Sid")\n2. send(to=["$1"], subj', REGISTRY, strict=False)
    assert [s.tool for s in plan.steps] == ["lookup"] and not plan.complete


def test_grammar_names_only_offered_tools_and_always_allows_join() -> None:
    grammar = build_plan_grammar(REGISTRY.subset(["lookup"]), max_steps=3)
    assert '"lookup("' in grammar and "send(" not in grammar
    assert 's1 ::= join | call1 "\\n2. " s2' in grammar and "s4 ::= join" in grammar
    assert 'ref3 ::= "$1" | "$2"' in grammar and "ref1" not in grammar  # call 1 cannot refer to anything
    assert build_plan_grammar(ToolRegistry()).count("::=") and "s1 ::= join" in build_plan_grammar(
        ToolRegistry()
    )


def test_openai_json_tools_join_a_registry(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "tools.json"
    f.write_text(
        '[{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city.",'
        ' "parameters": {"type": "object", "properties": {"city": {"type": "string"},'
        ' "days": {"type": "integer", "default": 1}}, "required": ["city"]}}}]'
    )
    tools = load_tool_file(f, bind=False).tools
    registry = ToolRegistry(tools)
    assert registry.get("get_weather").signature_text() == "get_weather(city: str, days: int = 1)"
    assert registry.get("get_weather").side_effects, "a user tool asks before running unless told otherwise"
    plan = parse_plan('1. get_weather(city="Oslo", days=3)\n2. join()', registry)
    assert plan.as_dicts() == [
        {"id": 1, "tool": "get_weather", "args": {"city": "Oslo", "days": 3}, "deps": []}
    ]
    assert plan_from_dicts(plan.as_dicts(), registry).as_dicts() == plan.as_dicts()
