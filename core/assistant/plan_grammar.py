"""A GBNF grammar, built per request from the tools offered, that only admits valid plans.

Under it the model can only write numbered calls (1., 2., ...) to the offered tools, with every required
argument in order, values of the declared types, `$N` references to earlier calls only, and must end
with `join()<END_OF_PLAN>`. `1. join()` alone is always allowed: "no tool fits" is a plan too, so a
small model is never forced into a call.
"""

from __future__ import annotations

from core.assistant.plan import END_OF_PLAN
from core.assistant.registry import Param, Tool, ToolRegistry

DEFAULT_MAX_STEPS = 6
MAX_STEPS_LIMIT = 8  # `$N` is one digit: plan.REF_RE reads "$12" as $1 then "2", as the grammar does


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def build_plan_grammar(registry: ToolRegistry | list[Tool], max_steps: int = DEFAULT_MAX_STEPS) -> str:
    tools = list(registry)
    max_steps = max(0, min(max_steps, MAX_STEPS_LIMIT))
    rules: dict[str, str] = {}
    rules["root"] = '"1. " s1'
    rules["join"] = _lit("join()" + END_OF_PLAN)
    # A "$" in text is allowed unless a digit follows: "$N" is only ever a whole value (below).
    rules["chr"] = r'[^"\\$\n\r] | "\\" ["\\n] | "$" [^1-9"\\\n\r]'
    rules["int"] = '"-"? [0-9] [0-9]{0,8}'
    rules["num"] = '"-"? [0-9] [0-9]{0,8} ("." [0-9]{1,6})?'
    rules["bool"] = '"True" | "False"'
    for k in range(1, max_steps + 2):
        if k > max_steps or not tools:
            rules[f"s{k}"] = "join"
            continue
        rules[f"s{k}"] = f'join | call{k} "\\n{k + 1}. " s{k + 1}'
        rules[f"call{k}"] = " | ".join(f"t{i}x{k}" for i in range(len(tools)))
        refs = [f'"${j}"' for j in range(1, k)]
        if refs:
            rules[f"ref{k}"] = " | ".join(refs)
        has_ref = bool(refs)
        # Text, or one reference as the whole value ("$2"), as TinyAgent writes it. References inside
        # text ("Call $1") parse and run, but tiny models looped on them ("$1$1$1..."), so the model is
        # not offered them.
        rules[f"str{k}"] = '"\\"" chr* "\\""' + (f' | "\\"" ref{k} "\\""' if has_ref else "")
        for i, tool in enumerate(tools):
            rules[f"t{i}x{k}"] = _tool_rule(tool, k, has_ref, rules)
    return "\n".join(f"{name} ::= {body}" for name, body in rules.items()) + "\n"


def _tool_rule(tool: Tool, k: int, has_ref: bool, rules: dict[str, str]) -> str:
    required = [p for p in tool.params if p.required]
    optional = [p for p in tool.params if not p.required]
    if not required and optional:
        return _optional_only_rule(tool, k, has_ref, rules)
    parts: list[str] = [_lit(f"{tool.name}(")]
    for i, p in enumerate(required):
        parts.append(_lit(("" if i == 0 else ", ") + f"{p.name}="))
        parts.append(_value_rule(p, k, has_ref, rules))
    for p in optional:  # each may be left out; given, they keep the declared order
        parts.append(f"({_lit(', ' + p.name + '=')} {_value_rule(p, k, has_ref, rules)})?")
    parts.append(_lit(")"))
    return " ".join(parts)


def _optional_only_rule(tool: Tool, k: int, has_ref: bool, rules: dict[str, str]) -> str:
    params = list(tool.params)
    name = f"opt_{tool.name}_{k}"
    # tail_i ::= ", p_i=" v tail_(i+1)? | tail_(i+1): any later parameters, in order, none repeated.
    for i in range(len(params) - 1, 0, -1):
        p = params[i]
        later = f"{name}_{i + 1}" if i + 1 < len(params) else ""
        here = f"{_lit(', ' + p.name + '=')} {_value_rule(p, k, has_ref, rules)}"
        rules[f"{name}_{i}"] = f"{here} {later}? | {later}" if later else here
    starts = []
    for i, p in enumerate(params):
        rest = f" {name}_{i + 1}?" if i + 1 < len(params) else ""
        starts.append(f"{_lit(p.name + '=')} {_value_rule(p, k, has_ref, rules)}{rest}")
    return f"{_lit(tool.name + '(')} ({' | '.join(starts)})? {_lit(')')}"


def _value_rule(p: Param, k: int, has_ref: bool, rules: dict[str, str]) -> str:
    if p.type == "array":
        item = _scalar_rule(p.items or "string", p.enum, k, has_ref)
        return f'"[" ({item} (", " {item}){{0,9}})? "]"'
    return _scalar_rule(p.type, p.enum, k, has_ref)


def _scalar_rule(kind: str, enum: tuple[str, ...], k: int, has_ref: bool) -> str:
    ref = f' | "\\"" ref{k} "\\""' if has_ref else ""
    if enum:
        return "(" + " | ".join(_lit(f'"{v}"') for v in enum) + ref + ")"
    if kind == "string":
        return f"str{k}"
    base = {"integer": "int", "number": "num", "boolean": "bool"}[kind]
    return f"({base}{ref})" if has_ref else base
