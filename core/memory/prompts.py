"""The three memory operations' prompts, output grammars and parsers: one contract for inference,
distillation (the adapters are trained on exactly these prompts and targets) and evaluation.

Each operation answers in JSON under a grammar, so a well-formed answer always parses. The training
target of each operation is the canonical `json.dumps` of its answer, which its grammar accepts.

Numbering is 1-based in every prompt; `0` in an update decision means "no stored memory".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from core.engine import ChatMessage
from core.errors import HearthError

Operation = Literal["extract", "update", "answer"]
OPERATIONS: tuple[Operation, ...] = ("extract", "update", "answer")
Event = Literal["ADD", "UPDATE", "DELETE", "NONE"]
EVENTS: tuple[Event, ...] = ("ADD", "UPDATE", "DELETE", "NONE")

# Longest text of one turn shown to extraction: an assistant's long answer holds few facts about the user.
TURN_CHARS = 600
MAX_FACTS = 8

EXTRACT_SYSTEM = (
    "You pick out facts worth remembering about the people in a conversation. Keep personal details, "
    "preferences, plans, relationships, work, places and events, each as one short sentence that names the "
    "person. Skip greetings, questions and small talk, and never record facts about the Assistant. "
    'Reply with JSON: {"facts": [...]}, or {"facts": []} when there is nothing to keep.'
)

UPDATE_SYSTEM = (
    "You keep a memory of facts about people. Compare the new fact with the stored memories and choose one "
    "event. ADD: the fact is new. UPDATE: it changes or adds detail to stored memory id; text is the merged "
    "memory. DELETE: it shows stored memory id is no longer true. NONE: it is already stored. "
    'Reply with JSON: {"event": ..., "id": ..., "text": ...}; id is 0 for ADD.'
)

ANSWER_INSTRUCTIONS = (
    "Use these memories when they help, and say so when they do not hold the answer. "
    'Reply with JSON: {"used": [numbers of the memories you used], "answer": "..."}.'
)


QUOTE_INSTRUCTIONS = (
    "Answer the question with words copied from the one memory that answers it, as few as answer it. "
    "A memory about someone else does not answer it. When no memory answers it, reply Not mentioned. "
    'Reply with JSON: {"used": [the memory\'s number], "answer": "..."}.'
)


class MalformedOutput(HearthError):
    """A model's reply that does not parse as its operation's JSON (cut off, or off the schema)."""


@dataclass(frozen=True)
class Turn:
    speaker: str  # "User" / "Assistant" in Hearth's chats; the speaker's name in an ingested conversation
    text: str


@dataclass(frozen=True)
class Remembered:
    """A memory as a prompt shows it: its text and, when known, the date it is about."""

    text: str
    date: str = ""


@dataclass(frozen=True)
class Decision:
    event: Event
    index: int  # 1-based position in the memories shown; 0 for ADD
    text: str


@dataclass(frozen=True)
class Answer:
    used: tuple[int, ...]  # 1-based positions in the memories shown
    text: str


# ---- extraction -----------------------------------------------------------------------------------------


def extract_messages(turns: Sequence[Turn], date: str = "") -> list[ChatMessage]:
    lines = [f"{t.speaker}: {_clip(t.text, TURN_CHARS)}" for t in turns if t.text.strip()]
    head = f"Date: {date}\n\n" if date else ""
    return [
        {"role": "system", "content": EXTRACT_SYSTEM},
        {"role": "user", "content": head + "\n".join(lines)},
    ]


EXTRACT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"facts": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_FACTS}},
    "required": ["facts"],
    "additionalProperties": False,
}


def extract_target(facts: Sequence[str]) -> str:
    return json.dumps({"facts": list(facts)}, ensure_ascii=False)


def parse_extract(text: str) -> list[str]:
    data = _load(text)
    facts = data.get("facts")
    if not isinstance(facts, list) or not all(isinstance(f, str) for f in facts):
        raise MalformedOutput(f"Extraction did not return a list of facts: {text[:200]!r}")
    seen: set[str] = set()
    out: list[str] = []
    for fact in facts:
        fact = " ".join(fact.split())
        if len(fact) >= 3 and fact.lower() not in seen:
            seen.add(fact.lower())
            out.append(fact)
    return out


# ---- update ---------------------------------------------------------------------------------------------


def update_messages(fact: str, memories: Sequence[Remembered]) -> list[ChatMessage]:
    listed = "\n".join(f"{i}. {m.text}" for i, m in enumerate(memories, 1)) or "(none)"
    return [
        {"role": "system", "content": UPDATE_SYSTEM},
        {"role": "user", "content": f"Stored memories:\n{listed}\n\nNew fact: {fact}"},
    ]


def update_schema(n_memories: int) -> dict[str, Any]:
    """The decision's schema; `id` can only name a memory that was shown."""
    return {
        "type": "object",
        "properties": {
            "event": {"enum": list(EVENTS) if n_memories else ["ADD"]},
            "id": {"enum": list(range(n_memories + 1))},
            "text": {"type": "string"},
        },
        "required": ["event", "id", "text"],
        "additionalProperties": False,
    }


def update_target(decision: Decision) -> str:
    return json.dumps(
        {"event": decision.event, "id": decision.index, "text": decision.text}, ensure_ascii=False
    )


def parse_update(text: str, n_memories: int) -> Decision:
    data = _load(text)
    event, index, new_text = data.get("event"), data.get("id"), data.get("text")
    if event not in EVENTS or not isinstance(index, int) or not isinstance(new_text, str):
        raise MalformedOutput(f"Update did not return an event, an id and a text: {text[:200]!r}")
    new_text = " ".join(new_text.split())
    if event in ("UPDATE", "DELETE") and not 1 <= index <= n_memories:
        raise MalformedOutput(f"{event} names memory {index}, but {n_memories} were shown.")
    if event in ("ADD", "UPDATE") and len(new_text) < 3:
        raise MalformedOutput(f"{event} came without the memory's text.")
    return Decision(event=event, index=index if event in ("UPDATE", "DELETE") else 0, text=new_text)


# ---- memory-augmented answer ----------------------------------------------------------------------------


def answer_system(memories: Sequence[Remembered], base_prompt: str = "") -> str:
    listed = "\n".join(
        f"{i}. [{m.date}] {m.text}" if m.date else f"{i}. {m.text}" for i, m in enumerate(memories, 1)
    )
    head = (base_prompt.strip() + "\n\n") if base_prompt.strip() else ""
    return f"{head}What you remember:\n{listed or '(nothing)'}\n\n{ANSWER_INSTRUCTIONS}"


def quote_messages(question: str, memories: Sequence[Remembered]) -> list[ChatMessage]:
    """The quoted answer's prompt (core.memory.quoting holds its grammar): the memories, then the question."""
    listed = "\n".join(
        f"{i}. [{m.date}] {m.text}" if m.date else f"{i}. {m.text}" for i, m in enumerate(memories, 1)
    )
    # The instructions first: every request shares that prefix (the engine's KV cache keeps it, and
    # training evaluates it once per batch).
    system = f"{QUOTE_INSTRUCTIONS}\n\nWhat you remember:\n{listed or '(nothing)'}"
    return [{"role": "system", "content": system}, {"role": "user", "content": question}]


def answer_messages(
    question: str,
    memories: Sequence[Remembered],
    history: Sequence[ChatMessage] = (),
    base_prompt: str = "",
) -> list[ChatMessage]:
    """The conversation so far (without its system prompt), the memories in the system prompt."""
    system: ChatMessage = {"role": "system", "content": answer_system(memories, base_prompt)}
    past = [m for m in history if m["role"] != "system"]
    return [system, *past, {"role": "user", "content": question}]


def answer_grammar(n_memories: int) -> str:
    """GBNF for exactly `{"used": [i, ...], "answer": "..."}` with canonical spacing, so the answer's text
    can be streamed as it is decoded (AnswerStream) and the list names only memories that were shown."""
    used = (
        ""
        if n_memories == 0
        else 'used ::= idx (", " idx)*\nidx ::= ' + " | ".join(f'"{i}"' for i in range(1, n_memories + 1))
    )
    used_ref = "" if n_memories == 0 else " used?"
    return (
        f'root ::= "{{\\"used\\": ["{used_ref} "], \\"answer\\": \\"" char+ "\\"}}"\n'
        'char ::= [^"\\\\\\x7F\\x00-\\x1F] | "\\\\" (["\\\\/bfnrt] | "u" [0-9a-fA-F]{4})\n' + used
    )


def answer_target(answer: Answer) -> str:
    return json.dumps({"used": list(answer.used), "answer": answer.text}, ensure_ascii=False)


def parse_answer(text: str, n_memories: int) -> Answer:
    data = _load(text)
    used, answer = data.get("used"), data.get("answer")
    if not isinstance(used, list) or not isinstance(answer, str) or not answer.strip():
        raise MalformedOutput(f"The answer did not come as JSON with 'used' and 'answer': {text[:200]!r}")
    picked = tuple(dict.fromkeys(i for i in used if isinstance(i, int) and 1 <= i <= n_memories))
    return Answer(used=picked, text=answer.strip())


class AnswerStream:
    """Turns the streamed JSON of an answer into the streamed text of its "answer" field.

    `feed` takes the model's pieces and returns the newly decoded answer text (possibly empty).
    """

    _KEY = '"answer": "'
    _ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}

    def __init__(self) -> None:
        self._raw = ""
        self._pos = -1  # where the answer's characters start in _raw, once seen
        self._done = False

    def feed(self, piece: str) -> str:
        self._raw += piece
        if self._done:
            return ""
        if self._pos < 0:
            at = self._raw.find(self._KEY)
            if at < 0:
                return ""
            self._pos = at + len(self._KEY)
        out: list[str] = []
        raw, i = self._raw, self._pos
        while i < len(raw):
            c = raw[i]
            if c == '"':
                self._done = True
                i += 1
                break
            if c != "\\":
                out.append(c)
                i += 1
                continue
            if i + 1 >= len(raw):
                break  # the escape's second half has not arrived yet
            e = raw[i + 1]
            if e == "u":
                if i + 6 > len(raw):
                    break
                code = int(raw[i + 2 : i + 6], 16)
                if 0xD800 <= code < 0xDC00:  # a surrogate pair needs its second half
                    if i + 12 > len(raw):
                        break
                    low = int(raw[i + 8 : i + 12], 16)
                    out.append(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
                    i += 12
                    continue
                out.append(chr(code))
                i += 6
                continue
            out.append(self._ESCAPES.get(e, e))
            i += 2
        self._pos = i
        return "".join(out)

    @property
    def raw(self) -> str:
        return self._raw


# ---- helpers --------------------------------------------------------------------------------------------


def _load(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise MalformedOutput(f"Not JSON ({e.msg}): {text[:200]!r}") from e
    if not isinstance(data, dict):
        raise MalformedOutput(f"Not a JSON object: {text[:200]!r}")
    return data


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
