"""Function calling: the request's tools shown to the model, its answer decoded under a GBNF grammar built
from their JSON schemas (so every call parses, names a real function and has arguments of the declared
types), and read back as OpenAI `tool_calls`.

A call is written `<tool_call>{"name": ..., "arguments": {...}}</tool_call>`, the Hermes/Qwen form many
small instruct models were trained on. With tool_choice "auto" the grammar also allows a plain answer
(anything not opening with "<"); "required" or a named function allows calls only.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

from llama_cpp.llama_grammar import SchemaConverter

from core.server.errors import APIError
from core.server.schemas import ChatRequest, NamedToolChoice, Tool, check_schema

OPEN, CLOSE = "<tool_call>", "</tool_call>"
MAX_PARALLEL_CALLS = 4
_CALL = re.compile(re.escape(OPEN) + r"(.*?)" + re.escape(CLOSE), re.DOTALL)


@dataclass(frozen=True)
class ToolPlan:
    """How one request uses its tools: the ones offered, whether a call is required, and its grammar."""

    tools: list[Tool]
    required: bool
    grammar: str

    def instructions(self) -> str:
        listing = "\n".join(
            json.dumps(
                {
                    "name": t.function.name,
                    "description": t.function.description,
                    "parameters": t.function.parameters,
                },
                ensure_ascii=False,
            )
            for t in self.tools
        )
        how = f'To call a function, answer with {OPEN}{{"name": <function name>, "arguments": <arguments>}}{CLOSE}.'
        when = (
            "You must call one of them."
            if self.required
            else "Call one when it helps answer; otherwise answer the user directly."
        )
        return f"You can call these functions:\n{listing}\n{how} {when}"


def plan_tools(request: ChatRequest) -> ToolPlan | None:
    """The tool plan of a request, None when it offers no tools or says tool_choice "none".
    Raises APIError 400 for invalid tool schemas or a named function that is not among the tools."""
    tools = request.tools or []
    choice = request.tool_choice
    if not tools or choice == "none":
        if isinstance(choice, NamedToolChoice) or choice == "required":
            raise APIError(
                400, "tool_choice asks for a tool, but the request has no tools.", param="tool_choice"
            )
        return None
    names = [t.function.name for t in tools]
    if len(set(names)) != len(names):
        raise APIError(400, "Two tools have the same name.", param="tools", code="invalid_tools")
    for i, t in enumerate(tools):
        schema = t.function.parameters
        check_schema(schema, f"tools[{i}].function.parameters")
        if schema.get("type", "object") != "object":
            raise APIError(
                400,
                f"tools[{i}].function.parameters must describe an object.",
                param=f"tools[{i}].function.parameters",
                code="invalid_schema",
            )
    offered = tools
    if isinstance(choice, NamedToolChoice):
        offered = [t for t in tools if t.function.name == choice.function.name]
        if not offered:
            raise APIError(
                400,
                f"tool_choice names '{choice.function.name}', which is not among the tools.",
                param="tool_choice",
            )
    required = choice == "required" or isinstance(choice, NamedToolChoice)
    grammar = build_grammar(offered, required, MAX_PARALLEL_CALLS if request.parallel_tool_calls else 1)
    return ToolPlan(offered, required, grammar)


def build_grammar(tools: list[Tool], required: bool, max_calls: int) -> str:
    converter = SchemaConverter(prop_order={}, allow_fetch=False, dotall=False, raw_pattern=False)
    alternatives = []
    for i, t in enumerate(tools):
        try:
            schema = converter.resolve_refs(t.function.parameters, "")
            args_rule = converter.visit(schema, f"fn{i}-arguments")
        except Exception as e:  # the converter's own errors are plain exceptions
            raise APIError(
                400,
                f"tools[{i}].function.parameters cannot be decoded under a grammar: {e}",
                param=f"tools[{i}].function.parameters",
                code="invalid_schema",
            ) from e
        head = json.dumps(f'{{"name": "{t.function.name}", "arguments": ')
        alternatives.append(f'{head} {args_rule} "}}"')
    rules = [
        f"tool-call ::= {json.dumps(OPEN)} ( {' | '.join(alternatives)} ) {json.dumps(CLOSE)}",
        f'tool-calls ::= tool-call ( "\\n" tool-call ){{0,{max_calls - 1}}}',
        # A plain answer: anything that does not open a call.
        "plain-answer ::= [^<\\x00] [^\\x00]*",
        "root ::= tool-calls" if required else "root ::= tool-calls | plain-answer",
    ]
    return converter.format_grammar() + "\n" + "\n".join(rules) + "\n"


def render_call(name: str, arguments: str) -> str:
    """An earlier call of the conversation, as the model would have written it."""
    try:
        args: Any = json.loads(arguments or "{}")
    except ValueError:
        args = {}
    return OPEN + json.dumps({"name": name, "arguments": args}, ensure_ascii=False) + CLOSE


def parse_calls(text: str) -> tuple[str | None, list[dict[str, Any]]]:
    """(content, tool_calls) of an answer: the text outside calls (None if empty) and each call in
    OpenAI's form, with its arguments as a JSON string."""
    calls = []
    for m in _CALL.finditer(text):
        try:
            value = json.loads(m.group(1))
        except ValueError:
            continue  # only a cut-off answer (max_tokens) gets here: the grammar admits no other
        if not isinstance(value, dict) or not isinstance(value.get("name"), str):
            continue
        calls.append(
            {
                "id": "call_" + uuid.uuid4().hex[:24],
                "type": "function",
                "function": {
                    "name": value["name"],
                    "arguments": json.dumps(value.get("arguments", {}), ensure_ascii=False),
                },
            }
        )
    if not calls:
        return text, []
    # What is left besides the calls: a call cut off by max_tokens is not content.
    rest = _CALL.sub("", text).split(OPEN, 1)[0].strip()
    return (rest or None), calls
