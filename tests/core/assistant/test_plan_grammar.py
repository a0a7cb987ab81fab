"""The plan grammar's copied arguments: every word of a free-text value is a word of the request, checked
on the real engine's grammar sampler (a value the grammar forbids cannot be decoded) and on the rules."""

from __future__ import annotations

import re

from core.assistant.plan import Ref, parse_plan
from core.assistant.plan_grammar import MAX_COPY_UNITS, build_plan_grammar
from core.assistant.planner import adapter_messages
from core.assistant.registry import Param, Tool, ToolRegistry
from core.engine import GenerationOptions, LocalEngine

NOTE = Tool(
    name="create_note",
    description="Create a note.",
    params=(Param("title", "string"), Param("content", "string", required=False)),
    side_effects=True,
)
EMAIL = Tool(
    name="compose_email",
    description="Write an email.",
    params=(Param("recipients", "array", items="string"), Param("subject", "string", required=False)),
    side_effects=True,
)
LOOKUP = Tool(
    name="get_email_address",
    description="Find an address.",
    params=(Param("name", "string"),),
    side_effects=False,
)
REGISTRY = ToolRegistry([NOTE, EMAIL, LOOKUP])
UNIT = re.compile(r"\w+|[^\w\s]")


def made_of_request_words(value: str, request: str) -> bool:
    """The rule, checked independently of the grammar: no quote, backslash or "$", and every unit of the
    value (a word or a mark) is a unit of the request, a word's first letter in either case."""
    allowed = {u[0].lower() + u[1:] for u in UNIT.findall(request)} - {'"', "\\", "$"}
    return all(u[0].lower() + u[1:] in allowed for u in UNIT.findall(value))


def string_values(plan_steps: list) -> list[str]:  # type: ignore[type-arg]
    return [
        v
        for step in plan_steps
        for arg in step.args.values()
        for v in (arg if isinstance(arg, list) else [arg])
        if isinstance(v, str)
    ]


def test_without_a_request_strings_stay_free() -> None:
    grammar = build_plan_grammar(REGISTRY)
    assert "copy" not in grammar and 'str1 ::= "\\"" chr* "\\""' in grammar


def test_strings_are_made_of_request_words_or_are_references() -> None:
    grammar = build_plan_grammar(REGISTRY, request='Email Omar about "the trip" for $5, ok')
    assert 'str2 ::= "\\"" copy? "\\"" | "\\"" ref2 "\\""' in grammar
    words = next(line for line in grammar.splitlines() if line.startswith("cword ::="))
    assert '([oO] "mar")' in words and '([tT] "rip")' in words and '("5")' in words
    assert 'cmark ::= ","' in grammar  # quotes, backslashes and "$" are never part of a value
    copying = [line for line in grammar.splitlines() if re.match(r"(copy|cword|cmark|cw|cm) ::=", line)]
    assert copying and not any('\\"' in line or "$" in line for line in copying)


def test_a_long_pasted_request_leaves_strings_free() -> None:
    grammar = build_plan_grammar(REGISTRY, request="word " * (MAX_COPY_UNITS + 1))
    assert "copy" not in grammar and "chr*" in grammar


def test_the_model_can_only_use_the_requests_words(engine: LocalEngine) -> None:
    request = "Write to Omar and Julia about the trip, and note down the hotel address"
    options = GenerationOptions(
        grammar=build_plan_grammar(REGISTRY, request=request), temperature=0.0, max_tokens=120
    )
    result = engine.chat(adapter_messages(request, REGISTRY), options)
    plan = parse_plan(result.text, REGISTRY, strict=result.finish_reason == "stop")
    assert plan.steps, result.text  # the request asks for calls: there are values to check
    values = string_values(plan.steps)
    assert all(made_of_request_words(v, request) for v in values), values


def test_sampled_plans_keep_to_the_requests_words_too(engine: LocalEngine) -> None:
    # Sampling at a high temperature walks paths greedy decoding never takes: each must still hold.
    request = "Make a note called Packing list saying passport, charger and socks"
    for seed in range(4):
        options = GenerationOptions(
            grammar=build_plan_grammar(REGISTRY, request=request),
            temperature=1.5,
            seed=seed,
            max_tokens=96,
        )
        result = engine.chat(adapter_messages(request, REGISTRY), options)
        plan = parse_plan(result.text, REGISTRY, strict=result.finish_reason == "stop")
        for v in string_values(plan.steps):
            assert not isinstance(v, Ref) and made_of_request_words(v, request), (seed, result.text)
