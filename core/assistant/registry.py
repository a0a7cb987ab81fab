"""The tool registry: every tool the planner may call, with a JSON schema made from its Python signature.

A tool is a typed Python function; its docstring's first paragraph is the description and its `Args:`
section describes each parameter. Tools from OpenAI JSON files and MCP servers are turned into the same
`Tool` record, so the planner, grammar and executor see one kind of thing.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from core.errors import ToolDefinitionError

ParamType = Literal["string", "integer", "number", "boolean", "array"]
_NO_DEFAULT = object()
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Param:
    name: str
    type: ParamType
    description: str = ""
    required: bool = True
    default: Any = None
    items: ParamType | None = None  # element type of an array
    enum: tuple[str, ...] = ()  # allowed values of a string

    def schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        if self.description:
            out["description"] = self.description
        if self.items:
            out["items"] = {"type": self.items}
        if self.enum:
            out["enum"] = list(self.enum)
        if not self.required:
            out["default"] = self.default
        return out

    def signature_text(self) -> str:
        kind = f"list[{_PY_NAMES[self.items or 'string']}]" if self.type == "array" else _PY_NAMES[self.type]
        if self.enum:
            kind = " | ".join(f'"{v}"' for v in self.enum)
        return f"{self.name}: {kind}" + ("" if self.required else f" = {self.default!r}")


_PY_NAMES: dict[str, str] = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "array": "list",
}


@dataclass
class Tool:
    """One callable tool. `func` takes the arguments as keywords and returns a ToolResult or a plain value.

    `func` is None for a tool that is only described (an OpenAI JSON function with no binding): it can be
    planned (dry runs) but not run.
    """

    name: str
    description: str
    params: tuple[Param, ...]
    side_effects: bool
    func: Callable[..., Any] | None = None
    source: str = "builtin"  # builtin | openai-json | mcp:<server>
    timeout_s: float = 20.0
    returns: str = ""  # what the result holds, for the planner prompt

    def __post_init__(self) -> None:
        if not NAME_RE.match(self.name) or self.name == "join":
            raise ToolDefinitionError(f"'{self.name}' cannot be a tool name (letters, digits and _ only).")

    def schema(self) -> dict[str, Any]:
        """The OpenAI function-calling form of this tool."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": {
                    "type": "object",
                    "properties": {p.name: p.schema() for p in self.params},
                    "required": [p.name for p in self.params if p.required],
                },
            },
        }

    def signature_text(self) -> str:
        args = ", ".join(p.signature_text() for p in self.params)
        ret = f" -> {self.returns}" if self.returns else ""
        return f"{self.name}({args}){ret}"

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


class ToolRegistry:
    """An ordered set of tools by name. Not global: each assistant run gets the registry it is given."""

    def __init__(self, tools: Iterable[Tool] = ()) -> None:
        self._tools: dict[str, Tool] = {}
        for t in tools:
            self.add(t)

    def add(self, tool: Tool) -> None:
        if tool.name in self._tools:
            raise ToolDefinitionError(f"Two tools are called '{tool.name}'.")
        self._tools[tool.name] = tool

    def get(self, name: str) -> Tool:
        try:
            return self._tools[name]
        except KeyError:
            raise ToolDefinitionError(f"No tool called '{name}'.") from None

    def subset(self, names: Iterable[str]) -> ToolRegistry:
        return ToolRegistry(self._tools[n] for n in names if n in self._tools)

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __iter__(self) -> Iterator[Tool]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    @property
    def names(self) -> list[str]:
        return list(self._tools)


# ---- Python functions to tools -------------------------------------------------------------------------


def tool_from_function(
    func: Callable[..., Any],
    *,
    side_effects: bool,
    name: str | None = None,
    timeout_s: float = 20.0,
    returns: str = "",
) -> Tool:
    """Build a Tool from a typed function. Every parameter needs a type hint the grammar can express."""
    doc = inspect.getdoc(func) or ""
    description, arg_docs = _parse_docstring(doc)
    if not description:
        raise ToolDefinitionError(f"Tool '{func.__name__}' needs a docstring: it is the model's description.")
    hints = typing.get_type_hints(func)
    params: list[Param] = []
    for p in inspect.signature(func).parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise ToolDefinitionError(f"Tool '{func.__name__}' cannot take *args or **kwargs.")
        if p.name not in hints:
            raise ToolDefinitionError(f"Parameter '{p.name}' of tool '{func.__name__}' has no type hint.")
        kind, items, enum = _param_type(hints[p.name], f"{func.__name__}.{p.name}")
        has_default = p.default is not inspect.Parameter.empty
        params.append(
            Param(
                name=p.name,
                type=kind,
                description=arg_docs.get(p.name, ""),
                required=not has_default,
                default=p.default if has_default else None,
                items=items,
                enum=enum,
            )
        )
    return Tool(
        name=name or func.__name__,
        description=description,
        params=tuple(params),
        side_effects=side_effects,
        func=func,
        timeout_s=timeout_s,
        returns=returns,
    )


def _param_type(hint: Any, where: str) -> tuple[ParamType, ParamType | None, tuple[str, ...]]:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(options) == 1:
            return _param_type(options[0], where)
    if origin is Literal:
        values = typing.get_args(hint)
        if all(isinstance(v, str) for v in values):
            return "string", None, tuple(values)
    if origin is list:
        (inner,) = typing.get_args(hint) or (str,)
        kind, _, _ = _param_type(inner, where)
        if kind == "array":
            raise ToolDefinitionError(f"{where}: lists of lists are not supported.")
        return "array", kind, ()
    simple: dict[Any, ParamType] = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if hint in simple:
        return simple[hint], None, ()
    raise ToolDefinitionError(
        f"{where}: type {hint!r} cannot be a tool argument (str, int, float, bool, list)."
    )


def _parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """Google style: the text before `Args:` is the description; `name: text` lines under it describe args."""
    description_lines: list[str] = []
    args: dict[str, str] = {}
    section = "description"
    current: str | None = None
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped in ("Args:", "Arguments:", "Parameters:"):
            section, current = "args", None
            continue
        if stripped in ("Returns:", "Raises:", "Examples:"):
            section = "other"
            continue
        if section == "description":
            description_lines.append(stripped)
        elif section == "args" and stripped:
            m = re.match(r"^(\w+)(?:\s*\([^)]*\))?:\s*(.*)$", stripped)
            indent = len(line) - len(line.lstrip())
            if m and indent <= 4:  # `    name: text` starts an argument; deeper lines continue it
                current = m.group(1)
                args[current] = m.group(2)
            elif current:
                args[current] = f"{args[current]} {stripped}".strip()
    description = " ".join(" ".join(description_lines).split())
    return description, args
