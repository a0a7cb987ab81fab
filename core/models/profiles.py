"""Chat defaults per model family, chosen by measurement (`hearth eval chat --grid`, docs/chat-defaults.md).

A profile is data: the system prompt, sampling, the answer length, and for base models (no chat template in
the GGUF) the few-shot chat template Hearth renders for them. The profile of a model is found from its GGUF
metadata (architecture, name, chat template), so every caller that renders a prompt for a model asks here
once: chat, the assistant's plain answers, documents answers, memory answers.

`measured` says where a profile's figures come from; "unmeasured" profiles (models no hub could be reached
for here) hold the model makers' published recommendations until someone measures them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from core.engine import ChatMessage, GenerationOptions
from core.engine.chat_template import ChatTemplate
from core.errors import ModelFileError

UNMEASURED = "unmeasured"

# The system prompt None means: the chat template's own default system message ("" where it has none).
TEMPLATE_DEFAULT = None

HEARTH_IDENTITY = "You are Hearth, a helpful assistant that runs privately on this computer."


@dataclass(frozen=True)
class ChatProfile:
    """Measured chat defaults of one model family.

    Attributes:
        family: short id ("smollm2", "gemma3-base"...).
        architectures: GGUF `general.architecture` values it applies to.
        name_pattern: regex on the GGUF's general.name/basename (case-insensitive); "" matches any name.
        base_model: applies only to GGUFs without a chat template (True), only with one (False), or both (None).
        system_prompt: the default system prompt; None uses the chat template's own default message.
        chat_template: for base models, the Jinja template Hearth renders (few-shot turns built in).
        example_turns: for chat models, (user, assistant) turns put after the system prompt of a chat, so
            the model sees how Hearth wants it to answer before the conversation starts.
        stop: strings that end an answer besides the template's own end of turn.
        measured: how the figures were chosen ("unmeasured", or the date and set of the measurement).
    """

    family: str
    architectures: tuple[str, ...]
    name_pattern: str = ""
    base_model: bool | None = None
    system_prompt: str | None = TEMPLATE_DEFAULT
    temperature: float = 0.0
    top_p: float = 1.0
    min_p: float = 0.0
    top_k: int = 40
    repeat_penalty: float = 1.0
    max_tokens: int = 512
    chat_template: str | None = None
    example_turns: tuple[tuple[str, str], ...] = ()
    stop: tuple[str, ...] = ()
    measured: str = UNMEASURED
    note: str = ""

    def matches(self, meta: Mapping[str, Any]) -> bool:
        arch = str(meta.get("general.architecture", "")).lower()
        if self.architectures and arch not in self.architectures:
            return False
        has_template = bool(meta.get("tokenizer.chat_template"))
        if self.base_model is not None and self.base_model == has_template:
            return False
        if not self.name_pattern:
            return True
        names = " ".join(
            str(meta.get(k, "")) for k in ("general.name", "general.basename", "general.finetune")
        )
        return re.search(self.name_pattern, names, re.IGNORECASE) is not None


# ---- few-shot chat for base models ----------------------------------------------------------------------

# General-purpose turns, none of them from the evaluation set: a brief fact, a format followed, and
# "I don't know" where nobody could know. A base model continues the transcript in the same manner.
FEW_SHOT_TURNS: tuple[tuple[str, str], ...] = (
    ("Hello! Who are you?", "Hello! I am a helpful assistant. How can I help you today?"),
    ("What is the capital of Norway?", "The capital of Norway is Oslo."),
    ("Name two kinds of tree, separated by commas.", "Oak, pine"),
    ("What is my neighbour's name?", "I don't know: you have not told me your neighbour's name."),
)


def few_shot_template(
    default_system: str,
    user: str,
    model: str,
    turn_end: str,
    turns: tuple[tuple[str, str], ...] = FEW_SHOT_TURNS,
    system_wrap: tuple[str, str] = ("", "\n\n"),
) -> str:
    """A Jinja chat template: the system text, the few-shot turns, then the conversation.

    Args:
        user / model: what opens a user's and the model's turn ("User: ", "<start_of_turn>user\\n").
        turn_end: what ends a turn ("\\n", "<end_of_turn>\\n").
        system_wrap: what goes before and after the system text.
    """

    def lit(s: str) -> str:
        return "{{ " + repr(s) + " }}"

    shots = "".join(lit(f"{user}{q}{turn_end}{model}{a}{turn_end}") for q, a in turns)
    system = (
        lit(system_wrap[0])
        + "{% if messages and messages[0]['role'] == 'system' %}{{ messages[0]['content'] }}{% else %}"
        + lit(default_system)
        + "{% endif %}"
    )
    return (
        system
        + lit(system_wrap[1])
        + shots
        + "{% for m in messages %}{% if m['role'] == 'user' %}"
        + lit(user)
        + "{{ m['content'] }}"
        + lit(turn_end)
        + "{% elif m['role'] == 'assistant' %}"
        + lit(model)
        + "{{ m['content'] }}"
        + lit(turn_end)
        + "{% endif %}{% endfor %}"
        + lit(model.rstrip(" "))
    )


PLAIN_FEW_SHOT = few_shot_template("A conversation with a helpful assistant.", "User: ", "Assistant: ", "\n")
GEMMA_TURNS_FEW_SHOT = few_shot_template(
    "A conversation with a helpful assistant.",
    "<start_of_turn>user\n",
    "<start_of_turn>model\n",
    "<end_of_turn>\n",
)
PLAIN_STOPS = ("\nUser:", "\n\n\n")
# The same turns in ChatML (SmolLM2's format), for a chat model shown examples before the conversation.
CHATML_FEW_SHOT = few_shot_template(
    "You are a helpful assistant.",
    "<|im_start|>user\n",
    "<|im_start|>assistant\n",
    "<|im_end|>\n",
    system_wrap=("<|im_start|>system\n", "<|im_end|>\n"),
)
CHATML_STOPS = ("<|im_end|>", "<|im_start|>")
GEMMA_TURN_STOPS = ("<end_of_turn>", "<start_of_turn>")


# ---- the profiles ---------------------------------------------------------------------------------------

SMOLLM2 = ChatProfile(
    family="smollm2",
    architectures=("llama",),
    name_pattern=r"smollm2",
    base_model=False,
    system_prompt="You are a helpful assistant.",
    temperature=0.0,
    repeat_penalty=1.1,
    max_tokens=256,
    example_turns=FEW_SHOT_TURNS,
    measured="2026-12-02: 38.6% of the chat set (Hearth 0.1's defaults: 29.5%), docs/chat-defaults.md",
    note="greedy with a light repeat penalty and four example turns: see docs/chat-defaults.md",
)

GEMMA3_BASE = ChatProfile(
    family="gemma3-base",
    architectures=("gemma3",),
    base_model=True,
    system_prompt="A conversation with a helpful assistant.",
    temperature=0.0,
    repeat_penalty=1.1,
    max_tokens=256,
    chat_template=PLAIN_FEW_SHOT,
    stop=PLAIN_STOPS,
    measured="2026-12-02: 34.3% of the chat set, half SmolLM2's speed, docs/chat-defaults.md",
    note="a base model: chat through a few-shot transcript",
)

# Instruct models Hearth offers as starters, not measured here (no hub reachable): their makers'
# recommended sampling, the template's own system prompt.
UNMEASURED_PROFILES: tuple[ChatProfile, ...] = (
    # Named fine-tunes first: they share an architecture with the families below.
    ChatProfile(
        "functiongemma",
        ("gemma3",),
        r"functiongemma",
        base_model=False,
        note="a function caller, not a chat model",
    ),
    ChatProfile("xlam2", ("qwen2", "llama"), r"xlam", note="a function caller"),
    ChatProfile("tinyagent", ("llama",), r"tinyagent", note="the assistant's reference planner"),
    ChatProfile(
        "tinyllama", ("llama",), r"tinyllama", temperature=0.7, top_p=0.95, min_p=0.05, repeat_penalty=1.1
    ),
    ChatProfile("phi4", ("phi3",), r"phi.?4"),
    ChatProfile(
        "qwen3", ("qwen3",), temperature=0.7, top_p=0.8, top_k=20, note="Qwen's non-thinking settings"
    ),
    ChatProfile("qwen2.5", ("qwen2",), temperature=0.7, top_p=0.8, top_k=20, repeat_penalty=1.05),
    ChatProfile("gemma3", ("gemma3",), base_model=False, temperature=1.0, top_p=0.95, top_k=64),
    ChatProfile("smollm3", ("smollm3",), temperature=0.6, top_p=0.95),
    ChatProfile("phi3", ("phi3",)),
    ChatProfile("llama3", ("llama",), r"llama.?3", temperature=0.6, top_p=0.9),
    ChatProfile("gemma2", ("gemma2",), temperature=0.7, top_p=0.95, min_p=0.05),
)

GENERIC = ChatProfile(
    "generic",
    (),
    temperature=0.7,
    top_p=0.95,
    min_p=0.05,
    repeat_penalty=1.1,
    note="any other model: llama.cpp-style defaults",
)
GENERIC_BASE = replace(
    GENERIC,
    family="generic-base",
    base_model=True,
    system_prompt=GEMMA3_BASE.system_prompt,
    temperature=0.0,
    chat_template=PLAIN_FEW_SHOT,
    stop=PLAIN_STOPS,
    note="any other base model: the few-shot transcript",
)

PROFILES: tuple[ChatProfile, ...] = (SMOLLM2, GEMMA3_BASE, *UNMEASURED_PROFILES, GENERIC_BASE, GENERIC)


def profile_named(family: str) -> ChatProfile:
    """The profile of `family` (KeyError if none)."""
    for p in PROFILES:
        if p.family == family:
            return p
    raise KeyError(family)


def profile_for(meta: Mapping[str, Any]) -> ChatProfile:
    """The profile of a model from its GGUF metadata (the first that matches; GENERIC at worst)."""
    return next((p for p in PROFILES if p.matches(meta)), GENERIC)


def template_default_system(template: str | None) -> str:
    """The system message a chat template puts in when the conversation has none ("" if it puts none).

    Found by rendering: with a marker system message, and with none; what the template wrote in place of
    the marker is its default.
    """
    if not template:
        return ""
    marker, user = "\x01SYSTEM\x01", "\x01USER\x01"
    t = ChatTemplate(template, bos_token="", eos_token="")
    try:
        with_system = t.render(
            [{"role": "system", "content": marker}, {"role": "user", "content": user}]
        ).text
        without = t.render([{"role": "user", "content": user}]).text
    except Exception:  # a template that refuses a system message, or any message order: no default known
        return ""
    if marker not in with_system:
        return ""
    head, rest = with_system.split(marker, 1)
    between = rest.split(user, 1)[0]
    if not without.startswith(head) or not between:
        return ""
    tail = without[len(head) :]
    end = tail.find(between)
    return tail[:end].strip() if end > 0 else ""


@dataclass(frozen=True)
class ModelDefaults:
    """A profile resolved for one model file: the actual system prompt text, and the options it implies."""

    profile: ChatProfile
    system_prompt: str

    def with_examples(self, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        """`messages` with the profile's example turns after the system prompt (if any), before the rest."""
        head = [m for m in messages[:1] if m["role"] == "system"]
        examples: list[ChatMessage] = []
        for q, a in self.profile.example_turns:
            examples += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
        return [*head, *examples, *messages[len(head) :]]

    def chat_messages(self, request: str) -> list[ChatMessage]:
        """A one-question chat as Hearth asks it: the system prompt, the example turns, the request."""
        system: list[ChatMessage] = (
            [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        )
        return self.with_examples([*system, {"role": "user", "content": request}])

    def options(self) -> GenerationOptions:
        p = self.profile
        return GenerationOptions(
            max_tokens=p.max_tokens,
            temperature=p.temperature,
            top_p=p.top_p,
            min_p=p.min_p,
            top_k=p.top_k,
            repeat_penalty=p.repeat_penalty,
            stop=p.stop,
        )


def defaults_for_metadata(meta: Mapping[str, Any]) -> ModelDefaults:
    profile = profile_for(meta)
    template = meta.get("tokenizer.chat_template")
    system = profile.system_prompt
    if system is None:
        system = template_default_system(template if isinstance(template, str) else None)
    return ModelDefaults(profile, system)


def defaults_for(path: str | Path | None) -> ModelDefaults:
    """The defaults of the model in this GGUF file; GENERIC's for no path or an unreadable file."""
    if not path:
        return ModelDefaults(GENERIC, "")
    p = Path(path)
    try:
        mtime = p.stat().st_mtime_ns
    except OSError:
        return ModelDefaults(GENERIC, "")
    return _defaults_cached(str(p), mtime)


@functools.lru_cache(maxsize=32)
def _defaults_cached(path: str, mtime: int) -> ModelDefaults:
    from core.models.gguf_info import read_gguf

    try:
        info = read_gguf(Path(path))
    except ModelFileError:
        return ModelDefaults(GENERIC, "")
    return defaults_for_metadata(info.metadata)
