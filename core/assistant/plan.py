"""A plan in the LLMCompiler format, as text and as data.

    1. get_email_address(name="Sid")
    2. compose_email(recipients=["$1"], subject="Lunch", body="")
    3. join()<END_OF_PLAN>

Each numbered line is one call; `$N` stands for the result of call N, either as a whole argument value
(`"$1"`, `$1`) or inside a longer string ("Call $1"). A plan that is only `join()` calls no tool: the
request gets a plain answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from core.assistant.registry import Param, Tool, ToolRegistry
from core.errors import PlanError

END_OF_PLAN = "<END_OF_PLAN>"
REF_RE = re.compile(r"\$([1-9])")  # one digit: plans have at most 8 calls


@dataclass(frozen=True)
class Ref:
    """The whole result of an earlier step, in place of an argument value."""

    step: int

    def __str__(self) -> str:
        return f"${self.step}"


@dataclass
class Step:
    id: int
    tool: str
    args: dict[str, Any]
    deps: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "tool": self.tool, "args": to_jsonable(self.args), "deps": list(self.deps)}


@dataclass
class Plan:
    steps: list[Step]
    text: str = ""
    complete: bool = True  # False: generation stopped before join(); the steps that did parse are kept
    dropped_duplicates: int = 0

    @property
    def calls_tools(self) -> bool:
        return bool(self.steps)

    def step(self, step_id: int) -> Step:
        return next(s for s in self.steps if s.id == step_id)

    def as_dicts(self) -> list[dict[str, Any]]:
        return [s.as_dict() for s in self.steps]

    def render(self) -> str:
        """The plan as LLMCompiler text (what the model is shown in examples and on a replan)."""
        lines = [f"{s.id}. {s.tool}({render_args(s.args)})" for s in self.steps]
        lines.append(f"{len(self.steps) + 1}. join(){END_OF_PLAN}")
        return "\n".join(lines)


def to_jsonable(value: Any) -> Any:
    if isinstance(value, Ref):
        return str(value)
    if isinstance(value, list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


def render_value(value: Any) -> str:
    if isinstance(value, Ref):
        return f'"{value}"'
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, list):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def render_args(args: dict[str, Any]) -> str:
    return ", ".join(f"{k}={render_value(v)}" for k, v in args.items())


def refs_in(value: Any) -> set[int]:
    if isinstance(value, Ref):
        return {value.step}
    if isinstance(value, str):
        return {int(n) for n in REF_RE.findall(value)}
    if isinstance(value, list):
        return set().union(*(refs_in(v) for v in value)) if value else set()
    return set()


# ---- parsing -------------------------------------------------------------------------------------------

_LINE_RE = re.compile(r"^\s*(\d+)\.\s*([A-Za-z_][A-Za-z0-9_]*)\((.*)\)\s*$")


def parse_plan(text: str, registry: ToolRegistry, *, strict: bool = True) -> Plan:
    """Parse plan text and check it against the registry.

    With strict=False a plan cut off before join() keeps the lines that parsed (the grammar guarantees
    every complete line is valid; only the last one can be cut).
    """
    steps: list[Step] = []
    complete = False
    lines = [ln for ln in text.replace(END_OF_PLAN, "").splitlines() if ln.strip()]
    for i, line in enumerate(lines):
        m = _LINE_RE.match(line)
        if m is None:
            if not strict and i == len(lines) - 1:
                break
            raise PlanError(f"Line {i + 1} of the plan is not a numbered call: {line!r}")
        number, name, arg_text = int(m.group(1)), m.group(2), m.group(3)
        if number != len(steps) + 1:
            raise PlanError(f"Call {number} is out of order (expected {len(steps) + 1}).")
        if name == "join":
            complete = True
            break
        try:
            steps.append(parse_call(number, name, arg_text, registry))
        except PlanError:
            if not strict and i == len(lines) - 1:
                break
            raise
    if strict and not complete:
        raise PlanError("The plan does not end with join().")
    plan = Plan(steps=steps, text=text, complete=complete)
    return dedupe(plan)


def parse_call(number: int, name: str, arg_text: str, registry: ToolRegistry) -> Step:
    if name not in registry:
        raise PlanError(f"Call {number} names no known tool: '{name}'.")
    tool = registry.get(name)
    args = _ArgParser(arg_text, number).parse()
    checked = check_args(tool, args, number)
    deps = sorted(set().union(*(refs_in(v) for v in checked.values())) if checked else set())
    return Step(id=number, tool=name, args=checked, deps=deps)


def check_args(tool: Tool, args: dict[str, Any], step_id: int) -> dict[str, Any]:
    """Types and names against the tool's parameters; refs must point to earlier steps."""
    out: dict[str, Any] = {}
    for key, value in args.items():
        param = tool.param(key)
        if param is None:
            raise PlanError(f"Call {step_id}: {tool.name} has no argument '{key}'.")
        out[key] = _check_value(param, value, step_id, tool.name)
    missing = [p.name for p in tool.params if p.required and p.name not in out]
    if missing:
        raise PlanError(f"Call {step_id}: {tool.name} needs {', '.join(missing)}.")
    return out


def _check_value(param: Param, value: Any, step_id: int, tool: str) -> Any:
    for ref in refs_in(value):
        if not 1 <= ref < step_id:
            raise PlanError(f"Call {step_id}: ${ref} does not name an earlier call.")
    if isinstance(value, Ref):
        return value
    where = f"Call {step_id}: {tool}({param.name}=...)"
    if param.type == "array":
        if not isinstance(value, list):
            value = [value]  # one item where a list is expected: a common slip, harmless to fix
        return [_check_scalar(param.items or "string", v, where, param.enum) for v in value]
    return _check_scalar(param.type, value, where, param.enum)


def _check_scalar(kind: str, value: Any, where: str, enum: tuple[str, ...]) -> Any:
    if isinstance(value, Ref):
        return value
    if kind == "string":
        if not isinstance(value, str):
            raise PlanError(f"{where} takes a string, not {value!r}.")
        if enum and value not in enum and not REF_RE.fullmatch(value):
            raise PlanError(f"{where} takes one of {', '.join(enum)}, not {value!r}.")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise PlanError(f"{where} takes True or False, not {value!r}.")
        return value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise PlanError(f"{where} takes a whole number, not {value!r}.")
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PlanError(f"{where} takes a number, not {value!r}.")
        return float(value)
    raise PlanError(f"{where}: unsupported type {kind}.")


def dedupe(plan: Plan) -> Plan:
    """Drop a call identical to an earlier one (tiny models repeat lines); its refs move to the first."""
    seen: dict[str, int] = {}
    renumber: dict[int, int] = {}
    kept: list[Step] = []
    for s in plan.steps:
        args = _remap(s.args, renumber)
        key = json.dumps([s.tool, to_jsonable(args)], sort_keys=True)
        if key in seen:
            renumber[s.id] = seen[key]
            continue
        new_id = len(kept) + 1
        renumber[s.id] = new_id
        seen[key] = new_id
        kept.append(Step(id=new_id, tool=s.tool, args=args, deps=sorted({renumber[d] for d in s.deps})))
    return Plan(
        steps=kept,
        text=plan.text,
        complete=plan.complete,
        dropped_duplicates=len(plan.steps) - len(kept),
    )


def _remap(value: Any, mapping: dict[int, int]) -> Any:
    if not mapping:
        return value
    if isinstance(value, Ref):
        return Ref(mapping.get(value.step, value.step))
    if isinstance(value, str):
        return REF_RE.sub(lambda m: f"${mapping.get(int(m.group(1)), int(m.group(1)))}", value)
    if isinstance(value, list):
        return [_remap(v, mapping) for v in value]
    if isinstance(value, dict):
        return {k: _remap(v, mapping) for k, v in value.items()}
    return value


class _ArgParser:
    """`name="text", n=3, flag=True, items=["a", "$1"], x=$2`: a small, exact reader of keyword arguments."""

    def __init__(self, text: str, step_id: int) -> None:
        self.s = text
        self.i = 0
        self.step_id = step_id

    def fail(self, what: str) -> PlanError:
        return PlanError(f"Call {self.step_id}: {what} at {self.s[self.i : self.i + 20]!r}.")

    def ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in " \t":
            self.i += 1

    def parse(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        self.ws()
        while self.i < len(self.s):
            m = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*").match(self.s, self.i)
            if m is None:
                raise self.fail("expected name=value")
            self.i = m.end()
            if m.group(1) in out:
                raise self.fail(f"argument '{m.group(1)}' given twice")
            out[m.group(1)] = self.value()
            self.ws()
            if self.i < len(self.s):
                if self.s[self.i] != ",":
                    raise self.fail("expected ','")
                self.i += 1
                self.ws()
        return out

    def value(self) -> Any:
        if self.i >= len(self.s):
            raise self.fail("expected a value")
        c = self.s[self.i]
        if c == '"':
            return self.string()
        if c == "[":
            self.i += 1
            items: list[Any] = []
            self.ws()
            if self.s[self.i : self.i + 1] == "]":
                self.i += 1
                return items
            while True:
                self.ws()
                items.append(self.value())
                self.ws()
                if self.s[self.i : self.i + 1] == "]":
                    self.i += 1
                    return items
                if self.s[self.i : self.i + 1] != ",":
                    raise self.fail("expected ',' or ']'")
                self.i += 1
        m = re.compile(r"\$([1-9])|(-?\d+\.\d+)|(-?\d+)|(True|False|true|false)").match(self.s, self.i)
        if m is None:
            raise self.fail("expected a value")
        self.i = m.end()
        if m.group(1):
            return Ref(int(m.group(1)))
        if m.group(2):
            return float(m.group(2))
        if m.group(3):
            return int(m.group(3))
        return m.group(4) in ("True", "true")

    def string(self) -> Any:
        self.i += 1
        out: list[str] = []
        escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "/": "/"}
        while self.i < len(self.s):
            c = self.s[self.i]
            if c == '"':
                self.i += 1
                # No tool wants a value's edge spaces; small models often write one (name=" Noah").
                text = "".join(out).strip(" ")
                m = REF_RE.fullmatch(text)
                return Ref(int(m.group(1))) if m else text
            if c == "\\" and self.i + 1 < len(self.s):
                out.append(escapes.get(self.s[self.i + 1], self.s[self.i + 1]))
                self.i += 2
                continue
            out.append(c)
            self.i += 1
        raise self.fail("unterminated string")


def plan_from_dicts(steps: list[dict[str, Any]], registry: ToolRegistry | None = None) -> Plan:
    """A plan from its JSON form (eval files): "$N" strings become refs; checked if a registry is given."""

    def convert(v: Any) -> Any:
        if isinstance(v, str) and REF_RE.fullmatch(v):
            return Ref(int(v[1:]))
        if isinstance(v, list):
            return [convert(x) for x in v]
        return v

    out: list[Step] = []
    for d in steps:
        args = {k: convert(v) for k, v in d.get("args", {}).items()}
        if registry is not None:
            args = check_args(registry.get(d["tool"]), args, int(d["id"]))
        deps = d.get("deps")
        if deps is None:
            deps = sorted(set().union(*(refs_in(v) for v in args.values())) if args else set())
        out.append(Step(id=int(d["id"]), tool=d["tool"], args=args, deps=list(deps)))
    return Plan(steps=out)
