"""Answers from retrieved chunks: a short prompt with numbered sources, and the citations that go with it.

The citations are the sources put in the prompt, numbered as the model saw them; the model's text only
marks which of them it cited. A number the model invents cites nothing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from core.documents.search import Hit
from core.engine import ChatMessage, Metrics
from core.store import Place

# Kept short: the embedded model has 135M parameters and follows brief instructions best. Tried on the
# eval set: file names beside the sources, or a worked example turn, made its answers worse, not better.
SYSTEM_PROMPT = (
    "You answer questions from the sources below. Give a short answer, then the number of the source "
    "in brackets, like [1]."
)


@dataclass(frozen=True)
class Citation:
    """Source [n] of an answer: where to open it, and whether the answer's text cites it."""

    n: int
    file: str  # absolute path
    place: Place
    text: str
    score: float
    cited: bool

    def label(self) -> str:
        return f"[{self.n}] {os.path.basename(self.file)}{self.place.label()}"

    def as_dict(self) -> dict[str, Any]:
        """Flat, as answers store it (and as Hearth always has): the place's fields beside the others."""
        out = asdict(self)
        return {**{k: v for k, v in out.items() if k != "place"}, **out["place"]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Citation:
        return cls(d["n"], d["file"], Place.of(d), d["text"], d["score"], d["cited"])


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation]
    finish_reason: str = "stop"
    metrics: Metrics = field(default_factory=Metrics)

    def as_dict(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answer": self.text,
            "citations": [c.as_dict() for c in self.citations],
            "finish_reason": self.finish_reason,
            "metrics": self.metrics.as_dict(),
        }


def system_prompt(base_prompt: str = "") -> str:
    """The answer's instruction after the model's own system prompt (core.models.profiles), if any."""
    return f"{base_prompt.strip()}\n\n{SYSTEM_PROMPT}" if base_prompt.strip() else SYSTEM_PROMPT


def build_messages(
    question: str,
    hits: Sequence[Hit],
    count_tokens: Callable[[str], int],
    budget: int,
    base_prompt: str = "",
) -> tuple[list[ChatMessage], list[Hit]]:
    """The chat messages for `question` with as many of `hits` (best first) as fit in `budget` tokens.

    Returns the messages and the hits they hold, in the order numbered [1], [2]...
    """
    head = f"Question: {question}"
    used: list[Hit] = []
    blocks: list[str] = []
    system = system_prompt(base_prompt)
    room = budget - count_tokens(system) - count_tokens(head) - 16  # 16: the template's markers
    for hit in hits:
        block = f"[{len(used) + 1}] {hit.text.strip()}"
        cost = count_tokens(block) + 2
        if cost > room:
            break
        blocks.append(block)
        used.append(hit)
        room -= cost
    user = "\n\n".join([*blocks, head])
    return [{"role": "system", "content": system}, {"role": "user", "content": user}], used


def cited_numbers(text: str) -> set[int]:
    """Numbers cited as [n] or [n, m] in the answer's text."""
    out: set[int] = set()
    for group in re.findall(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]", text):
        out.update(int(n) for n in re.findall(r"\d+", group))
    return out


def citations_for(text: str, used: Sequence[Hit]) -> list[Citation]:
    cited = cited_numbers(text)
    return [
        Citation(
            n=n,
            file=h.file,
            place=h.place,
            text=h.text,
            score=h.score,
            cited=n in cited,
        )
        for n, h in enumerate(used, 1)
    ]
