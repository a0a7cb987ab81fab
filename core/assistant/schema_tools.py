"""Tools described by JSON schema (OpenAI function-calling objects, MCP tool listings) as registry Tools."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.assistant.registry import Param, ParamType, Tool
from core.errors import ToolDefinitionError

_SIMPLE: dict[str, ParamType] = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
}


def params_from_schema(schema: dict[str, Any], where: str) -> tuple[Param, ...]:
    if schema.get("type", "object") != "object":
        raise ToolDefinitionError(f"{where}: parameters must be a JSON schema of type object.")
    required = set(schema.get("required", []))
    out: list[Param] = []
    for name, prop in (schema.get("properties") or {}).items():
        kind = prop.get("type")
        if isinstance(kind, list):  # ["string", "null"]: nullable is the same as optional here
            kind = next((k for k in kind if k != "null"), None)
        if kind is None and "enum" in prop:
            kind = "string"
        items: ParamType | None = None
        if kind == "array":
            inner = (prop.get("items") or {}).get("type", "string")
            if inner not in _SIMPLE:
                raise ToolDefinitionError(f"{where}.{name}: arrays of {inner} are not supported.")
            items = _SIMPLE[inner]
        elif kind not in _SIMPLE:
            raise ToolDefinitionError(
                f"{where}.{name}: type {kind!r} is not supported (string, integer, number, boolean, array)."
            )
        enum = tuple(str(v) for v in prop.get("enum", [])) if kind == "string" else ()
        out.append(
            Param(
                name=name,
                type="array" if kind == "array" else _SIMPLE[kind],
                description=prop.get("description", ""),
                required=name in required,
                default=prop.get("default"),
                items=items,
                enum=enum,
            )
        )
    # Required first: the grammar writes arguments in this order.
    return tuple(sorted(out, key=lambda p: not p.required))


def tool_from_schema(
    name: str,
    description: str,
    parameters: dict[str, Any],
    *,
    side_effects: bool,
    func: Callable[..., Any] | None,
    source: str,
    timeout_s: float = 20.0,
) -> Tool:
    if not description.strip():
        raise ToolDefinitionError(
            f"Tool '{name}' needs a description: it is how the model knows what it does."
        )
    return Tool(
        name=name,
        description=" ".join(description.split()),
        params=params_from_schema(parameters or {"type": "object"}, name),
        side_effects=side_effects,
        func=func,
        source=source,
        timeout_s=timeout_s,
    )
