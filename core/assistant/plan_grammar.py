"""A GBNF grammar, built per request from the tools offered, that only admits valid plans.

Under it the model can only write numbered calls (1., 2., ...) to the offered tools, with every required
argument in order, values of the declared types, `$N` references to earlier calls only, and must end
with `join()<END_OF_PLAN>`. `1. join()` alone is always allowed: "no tool fits" is a plan too, so a
small model is never forced into a call.

Given the request, free-text arguments are made of its words: every word of a string value is a word of
the request (its first letter in either case), or the value is empty or a `$N` reference. A small model
otherwise misspells or invents values ("grocery" for "groceries", "e eggs", "$/pictures"); nearly every
argument a request means is made of its words (171 of 177 string arguments of the shipped evaluation set
are even spans of it, 94 of 96 over unseen tools; the rest are inferred, as "the day before" -> "Sunday").
"""

from __future__ import annotations

import re

from core.assistant.plan import END_OF_PLAN
from core.assistant.registry import Param, Tool, ToolRegistry

DEFAULT_MAX_STEPS = 6
MAX_STEPS_LIMIT = 8  # `$N` is one digit: plan.REF_RE reads "$12" as $1 then "2", as the grammar does
MAX_COPY_UNITS = 400  # a longer request (a pasted text) leaves its arguments free: the grammar stays small
_UNIT_RE = re.compile(r"\w+|[^\w\s]")
_BREAKS = {'"', "\\", "$"}  # a copied value never holds these (quotes, escapes, references)


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def build_plan_grammar(
    registry: ToolRegistry | list[Tool], max_steps: int = DEFAULT_MAX_STEPS, request: str | None = None
) -> str:
    """The grammar of every valid plan over `registry`; with `request`, string arguments use its words."""
    tools = list(registry)
    max_steps = max(0, min(max_steps, MAX_STEPS_LIMIT))
    rules: dict[str, str] = {}
    copy = _copy_rules(request, rules) if request is not None else None
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
        text = f"{copy}?" if copy is not None else "chr*"
        rules[f"str{k}"] = f'"\\"" {text} "\\""' + (f' | "\\"" ref{k} "\\""' if has_ref else "")
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


def _copy_rules(request: str, rules: dict[str, str]) -> str | None:
    """Rules admitting the values made of the request's own words and punctuation marks: each word with
    its first letter in either case, in any order, words one space apart, a mark joined to its neighbours
    or spaced ("Mum's", "contract.pdf", "2025-05-20 14:00"), after an optional space (the planner adapter
    often writes one). So "call Noah" from "call him" in "Look up Noah's number and remind me to call
    him", and "Dinner on Thursday" from "Schedule dinner with Raj on Thursday", but never a word the user
    did not say. Returns the start rule's name, or None when the request is too long or has no words."""
    units = [m.group() for m in _UNIT_RE.finditer(request)]
    if len(units) > MAX_COPY_UNITS:
        return None
    words: dict[tuple[str, str], str] = {}
    marks: dict[str, str] = {}
    for unit in units:
        if unit in _BREAKS:
            continue
        if not unit[0].isalnum() and unit[0] != "_":
            marks.setdefault(unit, _lit(unit))
            continue
        first = unit[0]
        head = f"[{first.lower()}{first.upper()}]" if first.lower() != first.upper() else _lit(first)
        words.setdefault((first.lower(), unit[1:]), head + (" " + _lit(unit[1:]) if len(unit) > 1 else ""))
    if not words:
        return None
    rules["cword"] = " | ".join(f"({w})" for w in words.values())
    if marks:
        rules["cmark"] = " | ".join(marks.values())
        rules["cw"] = 'cword (" " (cw | cm) | cm)?'
        rules["cm"] = 'cmark (" "? (cw | cm))?'
        rules["copy"] = '" "? (cw | cm)'
    else:
        rules["cw"] = 'cword (" " cw)?'
        rules["copy"] = '" "? cw'
    return "copy"
