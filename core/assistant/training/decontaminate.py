"""Keeping evaluation requests out of the training data: near copies of a request, and its entities.

A training request is a near copy of an evaluation request when their normalised texts are equal, nearly
equal (difflib ratio >= NEAR_RATIO) or share most word 4-grams (>= NGRAM_SHARE of the shorter's). The
entities are the evaluation plans' string arguments (names, titles, places, queries; not times or modes):
a training plan that uses one is dropped too, so evaluation sees only entities training never did.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from core.assistant.training.phrasing import Call
from core.resources import resource_path

NEAR_RATIO = 0.85
NGRAM_SHARE = 0.5
N = 4
# Arguments whose values are not entities: times, modes, flags and numbers recur by nature.
_NOT_ENTITIES = {"start", "due", "mode", "minutes", "duration_minutes", "unit", "enabled", "state"}
# Words so common in requests that sharing them says nothing.
_GENERIC_VALUES = {"", "home", "todo", "ideas", "the office", "recipes", "work"}


def eval_sets() -> list[Path]:
    """Every request set under resources/eval/agent (the shipped set and the unseen-tools set)."""
    root = resource_path("eval", "agent")
    return sorted(p for p in root.rglob("*.jsonl") if "results" not in p.parts)


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w$@./~+-]+", " ", text.lower()).split())


def _grams(words: Sequence[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + N]) for i in range(len(words) - N + 1)}


def load_requests(paths: Iterable[Path]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in paths:
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line))
    return out


def _values(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        if not value.startswith("$"):
            yield value
    elif isinstance(value, list):
        for v in value:
            yield from _values(v)


class NearCopyFilter:
    def __init__(self, cases: Sequence[dict[str, Any]]) -> None:
        self.texts = [normalise(c["request"]) for c in cases]
        self.grams = [_grams(t.split()) for t in self.texts]
        self.words = [set(t.split()) for t in self.texts]
        self.exact = set(self.texts)
        self.entities: set[str] = set()
        for c in cases:
            for step in c.get("steps", []):
                for key, value in step.get("args", {}).items():
                    if key not in _NOT_ENTITIES:
                        self.entities.update(normalise(v) for v in _values(value))
        self.entities -= _GENERIC_VALUES

    @classmethod
    def from_eval_sets(cls) -> NearCopyFilter:
        return cls(load_requests(eval_sets()))

    def nearest(self, text: str, *, min_shared: float = 0.0) -> tuple[float, str]:
        """The closest evaluation request by difflib ratio, and the ratio. With min_shared, only requests
        sharing at least that share of their words are compared (a ratio >= 0.85 needs most words)."""
        t = normalise(text)
        words = set(t.split())
        best, which = 0.0, ""
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(t)
        for other, other_words in zip(self.texts, self.words, strict=True):
            if min_shared and len(words & other_words) < min_shared * max(
                1, min(len(words), len(other_words))
            ):
                continue
            matcher.set_seq1(other)
            if matcher.real_quick_ratio() <= best or matcher.quick_ratio() <= best:
                continue
            r = matcher.ratio()
            if r > best:
                best, which = r, other
        return best, which

    def is_near(self, text: str) -> bool:
        t = normalise(text)
        if t in self.exact:
            return True
        grams = _grams(t.split())
        if grams:
            for other in self.grams:
                if other and len(grams & other) / min(len(grams), len(other)) >= NGRAM_SHARE:
                    return True
        return self.nearest(text, min_shared=0.5)[0] >= NEAR_RATIO

    def uses_held_out_entity(self, calls: Sequence[Call]) -> bool:
        for c in calls:
            for key, value in c.args.items():
                if key not in _NOT_ENTITIES and any(normalise(v) in self.entities for v in _values(value)):
                    return True
        return False
