"""In-context examples for the planner, chosen per request by similarity (TinyAgent's example retrieval)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.embeddings import TextEncoder

EXAMPLES_FILE = Path(__file__).with_name("examples.jsonl")
_CALL_RE = re.compile(r"^\d+\.\s*([A-Za-z_][A-Za-z0-9_]*)\(", re.M)


@dataclass(frozen=True)
class Example:
    request: str
    plan: str  # LLMCompiler text, ending with join()<END_OF_PLAN>

    @property
    def tools(self) -> frozenset[str]:
        return frozenset(n for n in _CALL_RE.findall(self.plan) if n != "join")


def load_examples(path: Path = EXAMPLES_FILE) -> list[Example]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append(Example(request=d["request"], plan=d["plan"]))
    return out


class ExampleBank:
    """Examples with their request embeddings, computed once."""

    def __init__(self, embedder: TextEncoder, examples: list[Example] | None = None) -> None:
        self.embedder = embedder
        self.examples = examples if examples is not None else load_examples()
        self._vectors: np.ndarray | None = None

    @property
    def vectors(self) -> np.ndarray:
        if self._vectors is None:
            self._vectors = self.embedder.encode([e.request for e in self.examples])
        return self._vectors

    def similarities(self, query_vector: np.ndarray) -> np.ndarray:
        return self.vectors @ query_vector

    def choose(self, query_vector: np.ndarray, offered: set[str], k: int = 3) -> list[Example]:
        """The k most similar examples that use only offered tools (an example calling a tool the model
        cannot call would teach it a call the grammar then forbids). Most similar last: nearest the request."""
        sims = self.similarities(query_vector)
        order = np.argsort(-sims)
        chosen = [self.examples[i] for i in order if self.examples[i].tools <= offered][:k]
        return list(reversed(chosen))
