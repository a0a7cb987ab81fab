"""The planner: one model call writes the whole plan (LLMCompiler), under a grammar built from the tools.

The prompt follows TinyAgent's planner prompt (tool signatures with descriptions, rules, examples split by
`###`, the plan format `1. tool(arg="x")` ... `join()<END_OF_PLAN>`), so TinyAgent-1.1B and general
instruct models read it as they were trained or prompted to; the model's own chat template wraps it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from core.assistant.examples import Example
from core.assistant.plan import END_OF_PLAN, Plan, parse_call, parse_plan
from core.assistant.plan_grammar import DEFAULT_MAX_STEPS, build_plan_grammar
from core.assistant.registry import ToolRegistry
from core.engine import ChatEngine, ChatMessage, GenerationOptions, GenerationResult
from core.errors import PlanError

PLAN_MAX_TOKENS = 256
# A call longer than this is a model looping inside a string: stop there and keep the complete calls.
MAX_CALL_CHARS = 240

SYSTEM_HEAD = (
    "Given a user request, make a plan of function calls that fulfils it, with as many calls as possible "
    "able to run in parallel."
)
FUNCTIONS_HEAD = "Each call must be one of the following {n} functions:\n"
RULES = """Rules:
- Write one call per line: its number, then the function with named arguments, e.g. 1. name(arg="value").
- Follow each function's argument types exactly. Copy names, times and texts from the request as written.
- To use the result of an earlier call, write "$N" where N is that call's number.
- Only use the functions below. If none of them fits the request, the whole plan is: 1. join()<END_OF_PLAN>
- Always end the plan with join()<END_OF_PLAN>. Never add comments.
"""


@dataclass
class PlannerOutput:
    plan: Plan
    text: str
    prompt_tokens: int
    latency_ms: float
    ttft_ms: float
    finish_reason: str
    examples: list[Example]
    valid: bool  # False: the model stopped before join() (too long); the complete calls were kept
    error: str = ""
    queue_ms: float = 0.0  # waited for the model behind other requests


def describe_tools(tools: ToolRegistry) -> str:
    lines = []
    for i, t in enumerate(tools, 1):
        lines.append(f"{i}. {t.signature_text()}")
        lines.append(f"   - {t.description}")
        for p in t.params:
            if p.description:
                lines.append(f"   - {p.name}: {p.description}")
    lines.append(f"{len(tools) + 1}. join()")
    lines.append("   - Ends the plan; the results of the calls are then gathered into the answer.")
    return "\n".join(lines)


def build_messages(
    request: str,
    tools: ToolRegistry,
    examples: Sequence[Example],
    feedback: str | None = None,
    *,
    examples_as_turns: bool = True,
) -> list[ChatMessage]:
    """The planner's conversation. The fixed instructions come first, so the engine's KV cache keeps them
    from one request to the next; the tools and examples, which change per request, follow.

    With examples_as_turns each example is a user/assistant exchange (small chat models copy the form of
    a previous answer far better than of text in the system prompt); otherwise they sit in the system
    prompt after "Here are some examples:", split by ###, as in TinyAgent's own prompt.
    """
    system = (
        SYSTEM_HEAD + "\n" + RULES + "\n" + FUNCTIONS_HEAD.format(n=len(tools) + 1) + describe_tools(tools)
    )
    turns: list[ChatMessage] = []
    if examples and examples_as_turns:
        for e in examples:
            turns.append({"role": "user", "content": f"Question: {e.request}"})
            turns.append({"role": "assistant", "content": e.plan})
    elif examples:
        shots = "\n###\n".join(f"Question: {e.request}\n{e.plan}" for e in examples)
        system += "\n\nHere are some examples:\n" + shots + "\n###"
    user = f"Question: {request}"
    if feedback:
        user += f"\n\nA first plan was run and did not fully work:\n{feedback}\nWrite a corrected plan."
    return [{"role": "system", "content": system}, *turns, {"role": "user", "content": user}]


ADAPTER_SYSTEM = (
    "Plan the function calls that fulfil the request, one numbered call per line, then join()"
    + END_OF_PLAN
    + '. Use "$N" for the result of call N. If no function fits, the plan is 1. join()'
    + END_OF_PLAN
    + "\nFunctions:\n"
)


def describe_tools_compact(tools: ToolRegistry) -> str:
    """One line per tool, signature and description: what the planner adapter was trained to read."""
    return "\n".join(f"{t.signature_text()}: {t.description}" for t in tools)


def adapter_messages(request: str, tools: ToolRegistry, feedback: str | None = None) -> list[ChatMessage]:
    """The planner adapter's prompt: the fixed instruction first (kept in the KV cache from one request to
    the next), the offered tools, the request. About half the tokens of build_messages' prompt, with no
    examples: the adapter learnt the format and conventions in training."""
    user = request
    if feedback:
        user += f"\n\nA first plan was run and did not fully work:\n{feedback}\nWrite a corrected plan."
    return [
        {"role": "system", "content": ADAPTER_SYSTEM + describe_tools_compact(tools)},
        {"role": "user", "content": user},
    ]


class Planner:
    """Plans on `engine`; with `adapter` (the planner adapter's name, loaded on the engine) every plan,
    replans included, is decoded with it, from the prompt it was trained on: no in-context examples (it
    learnt the format and the conventions from thousands), which also keeps the prompt short. With
    `copy_args` (the default) the grammar makes free-text arguments of the request's words."""

    def __init__(
        self,
        engine: ChatEngine,
        *,
        max_steps: int = DEFAULT_MAX_STEPS,
        max_tokens: int = PLAN_MAX_TOKENS,
        examples_as_turns: bool = True,
        adapter: str | None = None,
        copy_args: bool = True,
    ) -> None:
        self.engine = engine
        self.copy_args = copy_args  # string arguments made of the request's words (plan_grammar)
        self.examples_as_turns = examples_as_turns
        self.max_steps = max_steps
        self.max_tokens = max_tokens
        self.adapter = adapter

    def plan(
        self,
        request: str,
        tools: ToolRegistry,
        examples: Sequence[Example] = (),
        *,
        feedback: str | None = None,
        on_token: Callable[[str], None] | None = None,
        on_step: Callable[[int, str, dict[str, Any], list[int]], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> PlannerOutput:
        # Without a grammar (an engine that cannot take one) the plan is checked after decoding, and a plan
        # that does not parse is asked for once more with the error.
        constrained = self.engine.capabilities.grammar
        options = GenerationOptions(
            grammar=build_plan_grammar(tools, self.max_steps, request if self.copy_args else None)
            if constrained
            else None,
            temperature=0.0,
            max_tokens=self.max_tokens,
            repeat_penalty=1.0,  # a plan repeats names and quotes by nature; a penalty bends them
            stop=() if constrained else (END_OF_PLAN,),
            adapter=self.adapter,
        )
        t0 = time.perf_counter()
        attempts = 1 if constrained else 2
        for attempt in range(1, attempts + 1):
            messages = self.messages(request, tools, examples, feedback)
            text, result = self._decode(messages, options, tools, on_token, on_step, cancel)
            valid, error = True, ""
            try:
                plan = parse_plan(text if constrained else _ended(text), tools)
            except PlanError as e:
                # Under the grammar only a cut-off plan gets here: keep its complete calls. Decoded free
                # (no grammar), any line may be malformed: keep the calls before the first bad one.
                valid, error = False, str(e)
                plan = _salvage(text, tools)
                if attempt < attempts and not (cancel is not None and cancel.is_set()):
                    feedback = f"The plan did not parse ({error}); write it again in the format shown."
                    continue
            break
        latency = (time.perf_counter() - t0) * 1000
        return PlannerOutput(
            plan=plan,
            text=text,
            prompt_tokens=result.metrics.prompt_tokens,
            latency_ms=latency,
            ttft_ms=result.metrics.ttft_ms,
            finish_reason=result.finish_reason,
            examples=list(examples),
            valid=valid,
            error=error,
            queue_ms=result.metrics.queue_ms,
        )

    def _decode(
        self,
        messages: list[ChatMessage],
        options: GenerationOptions,
        tools: ToolRegistry,
        on_token: Callable[[str], None] | None,
        on_step: Callable[[int, str, dict[str, Any], list[int]], None] | None,
        cancel: threading.Event | None,
    ) -> tuple[str, GenerationResult]:
        watcher = _StepWatcher(tools, on_step)
        stop = threading.Event()  # set by the caller's cancel or by a runaway call

        def feed(piece: str) -> None:
            if on_token is not None:
                on_token(piece)
            watcher.feed(piece)
            if (cancel is not None and cancel.is_set()) or len(watcher.buffer) > MAX_CALL_CHARS:
                stop.set()

        result = self.engine.chat(messages, options, on_token=feed, cancel=stop)
        return result.text, result

    def messages(
        self, request: str, tools: ToolRegistry, examples: Sequence[Example], feedback: str | None = None
    ) -> list[ChatMessage]:
        """The prompt: the adapter's own with the planner adapter, TinyAgent's with examples without."""
        if self.adapter is not None:
            return adapter_messages(request, tools, feedback)
        return build_messages(request, tools, examples, feedback, examples_as_turns=self.examples_as_turns)

    def prompt_tokens(self, request: str, tools: ToolRegistry, examples: Sequence[Example]) -> int:
        return self.engine.count_chat_tokens(self.messages(request, tools, examples))


def _ended(text: str) -> str:
    """Free text stopped at END_OF_PLAN (the stop string is not kept): put the end marker back."""
    return text if END_OF_PLAN in text else text.rstrip() + END_OF_PLAN


class _StepWatcher:
    """Parses each plan line as soon as its newline arrives, so the GUI can show calls while they are written."""

    def __init__(self, tools: ToolRegistry, on_step: Callable[[int, str, dict, list[int]], None] | None):
        self.tools = tools
        self.on_step = on_step
        self.buffer = ""

    def feed(self, piece: str) -> None:
        self.buffer += piece
        while "\n" in self.buffer:
            line, self.buffer = self.buffer.split("\n", 1)
            self._line(line)

    def _line(self, line: str) -> None:
        import re

        m = re.match(r"^(\d+)\.\s*([A-Za-z_]\w*)\((.*)\)$", line.replace(END_OF_PLAN, "").strip())
        if m is None or m.group(2) == "join" or self.on_step is None:
            return
        try:
            step = parse_call(int(m.group(1)), m.group(2), m.group(3), self.tools)
        except PlanError:
            return
        self.on_step(step.id, step.tool, step.as_dict()["args"], step.deps)


def _salvage(text: str, tools: ToolRegistry) -> Plan:
    """The valid calls at the start of a plan that did not parse: the longest prefix of its lines that
    parses (non-strict: an unfinished last line is dropped). Never raises: malformed output is a result."""
    lines = text.replace(END_OF_PLAN, "").splitlines()
    for end in range(len(lines), 0, -1):
        try:
            return parse_plan("\n".join(lines[:end]), tools, strict=False)
        except PlanError:
            continue
    return Plan(steps=[], text=text, complete=False)
