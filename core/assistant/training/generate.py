"""The planner's training data: program-generated requests with exact plans, rendered as the Planner renders
them at run time (its prompt, the tools offered as ToolRAG offers them: the right ones and distractors).

The mix: single calls, independent calls in one request, coordinated pairs, dependent chains with `$N`,
requests no tool fits (`1. join()<END_OF_PLAN>`), the same over made-up tools in OpenAI JSON form
(custom_schemas), requests whose tool is not among those offered, and replans after a failed call. Every
target is parsed and checked against the offered tools before it is kept. Whole templates are held out
(the validation split uses only them), entities of the evaluation sets are never used, and any request
that is a near copy of an evaluation request is dropped (decontaminate.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from core.adapters.data import Example
from core.assistant.desktop import RecordingDesktop
from core.assistant.plan import END_OF_PLAN, parse_plan, render_value
from core.assistant.planner import adapter_messages
from core.assistant.registry import Tool, ToolRegistry
from core.assistant.schema_tools import tool_from_schema
from core.assistant.timeparse import parse_when
from core.assistant.tools import ToolContext, builtin_tools
from core.assistant.training import builtin_intents as bi
from core.assistant.training import builtin_plans as bp
from core.assistant.training import custom_schemas as cs
from core.assistant.training.decontaminate import NearCopyFilter
from core.assistant.training.phrasing import (
    CHECK_NOW,
    HELD_OUT_MARK,
    Call,
    Clause,
    finish,
    noise,
    pick,
    politeness,
)
from core.engine import ChatMessage
from core.errors import HearthError, PlanError

# Shares of the mix (normalised). Custom (unseen) tools get a third: the user's own tools and MCP servers.
MIX: dict[str, float] = {
    "single": 0.27,
    "parallel": 0.09,
    "coordinated": 0.05,
    "chain": 0.12,
    "none": 0.09,
    "custom_single": 0.14,
    "custom_parallel": 0.04,
    "custom_chain": 0.04,
    "abstract": 0.06,
    "custom_none": 0.04,
    "not_offered": 0.03,
    "replan": 0.03,
}
MAX_OFFERED = 5  # ToolRAG's top k

# Tools that are easily confused: distractors are drawn from the same family half of the time.
FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"create_calendar_event", "open_calendar", "create_reminder", "set_timer", "list_reminders"}),
    frozenset({"create_note", "append_to_note", "open_note"}),
    frozenset({"import_contacts", "get_email_address", "get_phone_number", "compose_email"}),
    frozenset({"find_files", "open_file", "summarize_file", "open_note"}),
    frozenset({"open_map", "get_directions", "web_search"}),
)


@dataclass
class PlanExample:
    """One generated request with its exact plan, ready to train on."""

    request: str
    kind: str
    template: str
    offered: list[dict[str, Any]]  # the offered tools in OpenAI JSON form, in prompt order
    target: str  # LLMCompiler plan text, ending with join()<END_OF_PLAN>
    messages: list[ChatMessage] = field(default_factory=list)
    feedback: str = ""

    def to_json(self) -> dict[str, Any]:
        return self.example().to_json()

    def example(self) -> Example:
        meta = {
            "request": self.request,
            "kind": self.kind,
            "template": self.template,
            "tools": self.offered,
            "feedback": self.feedback,
        }
        return Example("planner", self.messages, self.target, meta)


def template_held_out(template_id: str) -> bool:
    """Whether a request's phrasing belongs to the held-out split: any of its templates is marked held
    out (phrasing.template_id). A request of several clauses is held out if one of them is."""
    return HELD_OUT_MARK in template_id


def builtin_registry_unbound() -> ToolRegistry:
    """The built-in tools as the planner sees them (descriptions and signatures); never run here."""
    ctx = ToolContext(files_dir=Path("/nonexistent"), store=cast(Any, None), desktop=RecordingDesktop())
    return ToolRegistry(builtin_tools(ctx))


def render_call(tool: Tool, args: dict[str, Any]) -> str:
    """A call with its arguments in the order the plan grammar writes them (the tool's parameter order)."""
    parts = []
    for p in tool.params:
        if p.name in args:
            value = args[p.name]
            parts.append(f"{p.name}={_render(value)}")
    unknown = set(args) - {p.name for p in tool.params}
    if unknown:
        raise PlanError(f"{tool.name} has no argument {', '.join(sorted(unknown))}")
    return f"{tool.name}({', '.join(parts)})"


def _render(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return render_value(value)


def render_plan(calls: Sequence[Call], registry: ToolRegistry) -> str:
    lines = [f"{i}. {render_call(registry.get(c.tool), c.args)}" for i, c in enumerate(calls, 1)]
    lines.append(f"{len(calls) + 1}. join(){END_OF_PLAN}")
    return "\n".join(lines)


def _shift_refs(value: Any, offset: int) -> Any:
    if isinstance(value, str) and value.startswith("$") and value[1:].isdigit():
        return f"${int(value[1:]) + offset}"
    if isinstance(value, list):
        return [_shift_refs(v, offset) for v in value]
    return value


def combine(clauses: Sequence[Clause], rng: random.Random) -> tuple[str, list[Call]]:
    """Clauses as one request; each clause's own `$N` are renumbered into the whole plan."""
    calls: list[Call] = []
    texts: list[str] = []
    for i, c in enumerate(clauses):
        offset = len(calls)
        calls += [
            Call(call.tool, {k: _shift_refs(v, offset) for k, v in call.args.items()}) for call in c.calls
        ]
        text = c.text.rstrip(".!")
        if i > 0 and text[:1].isupper() and not text.startswith(("I ", "I'")) and text[:1] != "⟦":
            text = text[:1].lower() + text[1:]
        texts.append(text)
    if len(texts) == 2:
        joiner = pick(rng, (" and ", ", and ", ", then ", " and also ", ". Also, ", "; ", ", plus "))
        if not clauses[1].imperative and joiner in (", then ", " and also ", ", plus "):
            joiner = ", and "
        text = texts[0].rstrip("?") + joiner + texts[1]
    else:
        text = (
            ", ".join(t.rstrip("?") for t in texts[:-1])
            + pick(rng, (", and ", " and ", ", then "))
            + texts[-1]
        )
    if rng.random() < 0.1 and len(texts) == 2:
        text = f"First {texts[0][:1].lower()}{texts[0][1:].rstrip('?')}, then {texts[1]}"
    return text, calls


# ---- the generator --------------------------------------------------------------------------------------


class PlannerDataGenerator:
    """Seeded: the same seed and counts give the same examples."""

    def __init__(
        self,
        seed: int = 0,
        *,
        split: str = "train",  # "train": templates not held out; "heldout": only held-out templates
        near_copy: NearCopyFilter | None = None,
        builtins: ToolRegistry | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.split = split
        self.near_copy = near_copy
        self.builtins = builtins or builtin_registry_unbound()
        self.dropped: dict[str, int] = {}
        self.intent_weights = [w for _, w in bi.SINGLE_INTENTS.values()]
        self.intents = [f for f, _ in bi.SINGLE_INTENTS.values()]

    def _drop(self, why: str) -> None:
        self.dropped[why] = self.dropped.get(why, 0) + 1

    def _wanted(self, template_id: str) -> bool:
        return template_held_out(template_id) == (self.split == "heldout")

    def _clause(self, make: Callable[[random.Random], Clause], tries: int = 30) -> Clause:
        for _ in range(tries):
            c = make(self.rng)
            if self._wanted(c.template):
                return c
        raise _Skip("no template of this split")

    def single_intent(self) -> Clause:
        return self._clause(lambda rng: rng.choices(self.intents, self.intent_weights)[0](rng))

    # -- offering --

    def offer_builtins(self, needed: set[str], *, extra_max: int | None = None) -> list[Tool]:
        rng = self.rng
        room = max(0, MAX_OFFERED - len(needed))
        n_extra = rng.randint(0, min(room, 4 if extra_max is None else extra_max))
        pool = [t for t in self.builtins.names if t not in needed]
        related = {n for fam in FAMILIES if fam & needed for n in fam} - needed
        chosen: set[str] = set()
        while len(chosen) < n_extra and pool:
            if related - chosen and rng.random() < 0.55:
                name = pick(rng, sorted(related - chosen))
            else:
                name = pick(rng, pool)
            chosen.add(name)
        names = needed | chosen
        return [t for t in self.builtins if t.name in names]  # the registry's order, as ToolRAG keeps it

    def custom_distractors(self, n: int, exclude_domains: set[str]) -> list[cs.CustomTool]:
        out: list[cs.CustomTool] = []
        seen: set[str] = set()
        while len(out) < n:
            if self.rng.random() < 0.7:
                arch = pick(self.rng, [a for a in cs.ARCHETYPES if a.domain not in exclude_domains])
                _, tool = cs.archetype_clause(self.rng, arch)
            else:
                _, tool = cs.abstract_clause(self.rng)
            name = tool.schema["function"]["name"]
            if name not in seen:
                seen.add(name)
                out.append(tool)
        return out

    # -- kinds --

    def make(self, kind: str) -> tuple[str, list[Call], list[Tool], str, str]:
        """(request, calls, offered tools, template id, feedback)."""
        rng = self.rng
        if kind == "single":
            c = self.single_intent()
            return self._builtin(c.text, c.calls, c.template, imperative=c.imperative)
        if kind == "parallel":
            n = 2 if rng.random() < 0.8 else 3
            clauses: list[Clause] = []
            while len(clauses) < n:
                c = self.single_intent()
                if all(c.calls[0].tool != d.calls[0].tool for d in clauses) and len(c.calls) == 1:
                    clauses.append(c)
            text, calls = combine(clauses, rng)
            return self._builtin(text, calls, "+".join(c.template for c in clauses))
        if kind == "coordinated":
            c = self._clause(
                lambda r: r.choices([f for f, _ in bp.COORDINATED], [w for _, w in bp.COORDINATED])[0](r)
            )
            return self._builtin(c.text, c.calls, c.template, imperative=c.imperative)
        if kind == "chain":
            c = self._clause(lambda r: r.choices([f for f, _ in bp.CHAINS], [w for _, w in bp.CHAINS])[0](r))
            if rng.random() < 0.2:  # a chain and one more independent request
                extra = self.single_intent()
                if len(extra.calls) == 1 and extra.calls[0].tool not in {x.tool for x in c.calls}:
                    text, calls = combine([c, extra] if rng.random() < 0.6 else [extra, c], rng)
                    return self._builtin(text, calls, c.template + "+" + extra.template)
            return self._builtin(c.text, c.calls, c.template, imperative=c.imperative)
        if kind == "none":
            c = self._clause(bp.plain_question)
            offered = self.offer_builtins(set(), extra_max=4) if rng.random() < 0.85 else []
            return self._finish_text(c.text, imperative=False), [], offered, c.template, ""
        if kind in ("custom_single", "custom_parallel", "abstract", "custom_none", "not_offered"):
            return self._custom(kind)
        if kind == "custom_chain":
            spec = pick(rng, cs.CHAINS)
            clause, tools = cs.chain_clause(rng, spec)
            if not self._wanted(clause.template):
                raise _Skip("held-out template")
            distractors = self.custom_distractors(rng.randint(0, 3), set())
            offered_json = [t.schema for t in tools] + [t.schema for t in distractors]
            rng.shuffle(offered_json)
            return self._custom_out(clause.text, clause.calls, offered_json, clause.template)
        if kind == "replan":
            return self._replan()
        raise ValueError(kind)

    def _finish_text(self, text: str, imperative: bool = True) -> str:
        return finish(noise(self.rng, politeness(self.rng, text, imperative)))

    def _builtin(
        self, text: str, calls: list[Call], tid: str, imperative: bool = True
    ) -> tuple[str, list[Call], list[Tool], str, str]:
        needed = {c.tool for c in calls}
        offered = self.offer_builtins(needed)
        return self._finish_text(text, imperative), calls, offered, tid, ""

    def _custom(self, kind: str) -> tuple[str, list[Call], list[Tool], str, str]:
        rng = self.rng
        if kind == "abstract":
            for _ in range(30):
                clause, tool = cs.abstract_clause(rng)
                if self._wanted(clause.template):
                    break
            else:
                raise _Skip("no template of this split")
            wanted = [clause]
            tools = [tool]
        else:
            n = 2 if kind == "custom_parallel" else 1
            wanted, tools = [], []
            domains: set[str] = set()
            while len(wanted) < n:
                arch = pick(rng, [a for a in cs.ARCHETYPES if a.domain not in domains])
                clause, tool = cs.archetype_clause(rng, arch)
                if not self._wanted(clause.template):
                    continue
                domains.add(arch.domain)
                wanted.append(clause)
                tools.append(tool)
        if kind == "custom_none":
            q = self._clause(bp.plain_question)
            distractors = self.custom_distractors(rng.randint(1, 4), set())
            return self._custom_out(q.text, [], [t.schema for t in distractors], q.template, imperative=False)
        exclude = {t.domain for t in tools}
        if kind == "not_offered":
            # The request's tool is not offered: only tools of other domains are. Nothing fits.
            distractors = self.custom_distractors(rng.randint(1, 4), exclude)
            return self._custom_out(
                wanted[0].text, [], [t.schema for t in distractors], "not_offered." + wanted[0].template
            )
        distractors = self.custom_distractors(rng.randint(0, 3), exclude)
        offered_json = [t.schema for t in tools] + [t.schema for t in distractors]
        rng.shuffle(offered_json)
        if len(wanted) == 1:
            return self._custom_out(
                wanted[0].text, wanted[0].calls, offered_json, wanted[0].template, wanted[0].imperative
            )
        text, calls = combine(wanted, rng)
        return self._custom_out(text, calls, offered_json, "+".join(c.template for c in wanted))

    def _custom_out(
        self,
        text: str,
        calls: list[Call],
        offered_json: list[dict[str, Any]],
        tid: str,
        imperative: bool = True,
    ) -> tuple[str, list[Call], list[Tool], str, str]:
        rng = self.rng
        tools = [
            tool_from_schema(
                s["function"]["name"],
                s["function"]["description"],
                s["function"]["parameters"],
                side_effects=True,
                func=None,
                source="openai-json",
            )  # fmt: skip
            for s in offered_json
        ]
        if rng.random() < 0.25:  # the user's tools sit beside the built-in ones
            builtins = self.offer_builtins(set(), extra_max=2)
            names = {t.name for t in tools}
            tools = [t for t in builtins if t.name not in names] + tools
        needed = {c.tool for c in calls}
        room = max(0, MAX_OFFERED - len(needed))
        kept: list[Tool] = []
        for t in tools:
            if t.name in needed:
                kept.append(t)
            elif room > 0:
                kept.append(t)
                room -= 1
        return self._finish_text(text, imperative), calls, kept, tid, ""

    def _replan(self) -> tuple[str, list[Call], list[Tool], str, str]:
        """A first plan whose time could not be read, the error fed back, and the plan that fixes it."""
        rng = self.rng
        c = self._clause(bi.reminder if rng.random() < 0.6 else bi.calendar_event)
        key = "due" if c.calls[0].tool == "create_reminder" else "start"
        good = c.calls[0].args[key]
        bad = pick(rng, ("tmrw", "soonish", "later", "at some point", "the usual time", "asap", "next"))
        first = Call(c.calls[0].tool, {**c.calls[0].args, key: bad})
        registry = ToolRegistry(self.offer_builtins({c.calls[0].tool}))
        plan_text = render_plan([first], registry).rsplit("\n", 1)[0]
        error = f"Cannot tell what time '{bad}' means; try 'tomorrow 3pm' or '2025-05-02 14:30'."
        feedback = f"{plan_text}\nCall 1 ({first.tool}) -> failed: {error}"
        text = self._finish_text(c.text)
        assert good
        return text, c.calls, list(registry), "replan." + c.template, feedback

    # -- the whole set --

    def example(self, kind: str) -> PlanExample | None:
        try:
            text, calls, offered, tid, feedback = self.make(kind)
        except _Skip as e:
            self._drop(str(e))
            return None
        try:
            registry = ToolRegistry(offered)
        except HearthError:
            self._drop("two offered tools with one name")
            return None
        if not _times_ok(calls):
            self._drop("a time that does not parse")
            return None
        try:
            target = render_plan(calls, registry)
            plan = parse_plan(target, registry)
        except (PlanError, HearthError) as e:
            self._drop(f"invalid plan: {e}")
            return None
        if len(plan.steps) != len(calls):
            self._drop("duplicate calls")
            return None
        if self.near_copy is not None and self.near_copy.is_near(text):
            self._drop("near copy of an evaluation request")
            return None
        if self.near_copy is not None and self.near_copy.uses_held_out_entity(calls):
            self._drop("an evaluation entity")
            return None
        messages = adapter_messages(text, registry, feedback or None)
        return PlanExample(
            request=text, kind=kind, template=tid, offered=[t.schema() for t in offered], target=target,
            messages=messages, feedback=feedback,
        )  # fmt: skip

    def generate(self, n: int, mix: dict[str, float] | None = None) -> Iterator[PlanExample]:
        mix = mix or MIX
        kinds = list(mix)
        weights = [mix[k] for k in kinds]
        made = 0
        seen: set[str] = set()
        attempts = 0
        while made < n:
            attempts += 1
            if attempts > 50 * n + 1000:
                raise RuntimeError(f"Could not make {n} examples: {self.dropped}")
            kind = self.rng.choices(kinds, weights)[0]
            ex = self.example(kind)
            if ex is None:
                continue
            key = (
                ex.request.lower()
                + "|"
                + ",".join(t["function"]["name"] for t in ex.offered)
                + "|"
                + ex.feedback
            )
            if key in seen:
                self._drop("duplicate request")
                continue
            seen.add(key)
            made += 1
            yield ex


class _Skip(Exception):
    pass


def _times_ok(calls: Sequence[Call]) -> bool:
    for c in calls:
        for key in ("due", "start"):
            value = c.args.get(key)
            if isinstance(value, str) and not value.startswith("$"):
                try:
                    parse_when(value, CHECK_NOW)
                except HearthError:
                    return False
    return True
