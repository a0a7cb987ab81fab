"""The planner's training data: exact plans that parse against the offered tools, the whole mix, held-out
templates apart, and nothing of the evaluation sets in it (no request, no near copy, no entity)."""

from __future__ import annotations

import collections
import functools
import json

import pytest

from core.assistant.evaluation import UNSEEN_TOOLS
from core.assistant.plan import parse_plan
from core.assistant.planner import ADAPTER_SYSTEM
from core.assistant.training import custom_schemas as cs
from core.assistant.training.decontaminate import NearCopyFilter, eval_sets, load_requests, normalise
from core.assistant.training.generate import MIX, PlannerDataGenerator, template_held_out
from core.assistant.training.task import PlannerTask, offered_registry

N = 1500


@functools.cache
def training_set() -> list:  # type: ignore[type-arg]
    return PlannerTask().generate(N, seed=0)


def test_every_target_is_a_plan_that_parses_against_the_tools_offered() -> None:
    for ex in training_set():
        registry = offered_registry(ex)
        plan = parse_plan(ex.target, registry)
        assert {s.tool for s in plan.steps} <= set(registry.names)
        assert ex.messages[0]["content"].startswith(ADAPTER_SYSTEM), "the prompt is the planner adapter's"
        assert ex.messages[-1]["content"].startswith(ex.meta["request"])


def test_the_mix_holds_every_kind_and_distractors() -> None:
    kinds = collections.Counter(ex.meta["kind"] for ex in training_set())
    assert set(kinds) == set(MIX)
    for kind, share in MIX.items():
        assert kinds[kind] >= 0.4 * share * N, f"{kind}: {kinds[kind]}"
    plain = [ex for ex in training_set() if ex.meta["kind"] in ("none", "custom_none", "not_offered")]
    assert all(ex.target == "1. join()<END_OF_PLAN>" for ex in plain)
    assert sum(1 for ex in plain if ex.meta["tools"]) > 0.7 * len(plain), "plain requests meet tools too"
    with_calls = [ex for ex in training_set() if ex.target != "1. join()<END_OF_PLAN>"]
    offered_more = sum(1 for ex in with_calls if len(ex.meta["tools"]) > ex.target.count("\n"))
    assert offered_more > 0.5 * len(with_calls), "most requests are offered tools they must not call"
    chains = [ex for ex in training_set() if '"$1"' in ex.target]
    assert len(chains) > 0.1 * N, "dependent calls ($N)"


def test_unseen_tools_come_in_openai_json_with_typed_enum_and_optional_parameters() -> None:
    schemas = [
        t
        for ex in training_set()
        if ex.meta["kind"].startswith(("custom", "abstract"))
        for t in ex.meta["tools"]
    ]
    types = collections.Counter(
        p["type"] for s in schemas for p in s["function"]["parameters"]["properties"].values()
    )
    assert {"string", "integer", "number", "boolean", "array"} <= set(types)
    assert any("enum" in p for s in schemas for p in s["function"]["parameters"]["properties"].values())
    optional = [
        n
        for s in schemas
        for n in s["function"]["parameters"]["properties"]
        if n not in s["function"]["parameters"]["required"]
    ]
    assert optional


def test_the_same_seed_gives_the_same_data() -> None:
    a = [e.request for e in PlannerDataGenerator(4).generate(50)]
    assert a == [e.request for e in PlannerDataGenerator(4).generate(50)]
    assert a != [e.request for e in PlannerDataGenerator(5).generate(50)]


def test_held_out_templates_never_appear_in_training() -> None:
    train = {ex.meta["template"] for ex in training_set()}
    assert not any(template_held_out(t) for t in train)
    held = PlannerTask().generate(200, seed=1, split="heldout")
    assert held and all(template_held_out(ex.meta["template"]) for ex in held)
    assert not {ex.meta["request"] for ex in held} & {ex.meta["request"] for ex in training_set()}


# ---- no evaluation request, near copy or entity in the training data ----------------------------------


@functools.cache
def evaluation_cases() -> list:  # type: ignore[type-arg]
    cases = load_requests(eval_sets())
    assert len(cases) >= 109 + 50, "the shipped set and the unseen-tools set"
    return cases


def test_no_evaluation_request_or_near_copy_is_in_the_training_data() -> None:
    checker = NearCopyFilter(evaluation_cases())
    requests = [ex.meta["request"] for ex in training_set()]
    exact = {normalise(c["request"]) for c in evaluation_cases()} & {normalise(r) for r in requests}
    assert not exact
    near = [r for r in requests if checker.is_near(r)]
    assert not near, f"near copies: {near[:5]}"


def test_the_near_copy_check_catches_copies() -> None:
    checker = NearCopyFilter(evaluation_cases())
    assert checker.is_near("Remind me to call the bank tomorrow at 10am")
    assert checker.is_near("remind me to call the bank tomorow at 10 am!")  # case, typo, spacing
    assert checker.is_near("Please, remind me to call the bank tomorrow at 10am")
    assert not checker.is_near("Remind me to feed the cat on Friday at noon")


def test_no_evaluation_entity_is_in_the_training_plans() -> None:
    from core.assistant.plan import to_jsonable
    from core.assistant.training.phrasing import Call

    checker = NearCopyFilter(evaluation_cases())
    assert {"sarah", "salon nova", "ken adams", "tobias", "nina simone", "osteria fiora"} <= checker.entities
    for ex in training_set():
        plan = parse_plan(ex.target, offered_registry(ex))
        calls = [Call(s.tool, to_jsonable(s.args)) for s in plan.steps]
        assert not checker.uses_held_out_entity(calls), ex.target


def test_the_unseen_tools_are_not_among_the_generated_ones() -> None:
    unseen = {t["function"]["name"] for t in json.loads(UNSEEN_TOOLS.read_text(encoding="utf-8"))["tools"]}
    archetypes = {n for a in cs.ARCHETYPES for n in a.names}
    chains = {s.first[0] for s in cs.CHAINS} | {s.second[0] for s in cs.CHAINS}
    generated = {t["function"]["name"] for ex in training_set() for t in ex.meta["tools"]}
    assert not unseen & (archetypes | chains | generated)


@pytest.mark.parametrize("arch", cs.ARCHETYPES, ids=lambda a: a.names[0])
def test_every_archetype_can_be_asked_for_with_its_required_parameters_only(arch: cs.Archetype) -> None:
    assert any(cs._covers_required(t, arch) and all(arch.params[k].required for k in cs._keys(t)) or not cs._keys(t)
               for t in arch.templates)  # fmt: skip
