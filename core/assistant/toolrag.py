"""ToolRAG: offer the planner only the tools a request needs, so the prompt stays short.

A tool's score is the best cosine similarity between the request and either the tool's description, an
in-context example whose plan uses the tool, or an exemplar of the ToolRAG bank (generated requests for
each built-in tool, resources/assistant/toolrag_bank.jsonl), so "email Marco" also brings
get_email_address, which the description alone would not. The top k tools scoring at least `threshold`
are offered. The bank also holds plain questions: `plain_score` is a request's best similarity to them
(the router compares the two).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.assistant.examples import ExampleBank
from core.assistant.registry import Tool, ToolRegistry
from core.embeddings import TextEncoder
from core.resources import resource_path

log = logging.getLogger(__name__)

BANK_FILE = resource_path("assistant", "toolrag_bank.jsonl")
BANK_VECTORS = resource_path("assistant", "toolrag_bank.npz")  # for the embedded all-MiniLM-L6-v2
_PROBE = "Remind me to call the plumber tomorrow at noon"

DEFAULT_TOP_K = 5
DEFAULT_THRESHOLD = 0.25
MIN_OFFERED = 3  # the best tools offered even below the threshold, if at least FLOOR similar
FLOOR = 0.1


@dataclass(frozen=True)
class ToolSelection:
    offered: ToolRegistry
    scores: dict[str, float]  # every tool's score, best first
    query_vector: np.ndarray

    @property
    def names(self) -> list[str]:
        return self.offered.names


def tool_text(tool: Tool) -> str:
    return f"{tool.name.replace('_', ' ')}: {tool.description}"


def bank_key(requests: list[str]) -> str:
    return hashlib.sha256("\n".join(requests).encode("utf-8")).hexdigest()[:16]


class ToolExemplars:
    """The bank's requests, the tools each one's plan uses (none: a plain question), and their vectors.

    The vectors shipped beside the bank are used when the embedder is the one they were made with (a
    probe sentence embeds the same) and the bank is unchanged; otherwise they are computed once.
    """

    def __init__(
        self, embedder: TextEncoder, path: Path = BANK_FILE, vectors_path: Path = BANK_VECTORS
    ) -> None:
        self.embedder = embedder
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        self.requests = [str(r["request"]) for r in rows]
        self.tools = [frozenset(r["tools"]) for r in rows]
        self._vectors_path = vectors_path
        self._vectors: np.ndarray | None = None

    @property
    def vectors(self) -> np.ndarray:
        if self._vectors is None:
            shipped = self._shipped()
            self._vectors = shipped if shipped is not None else self.embedder.encode(self.requests)
        return self._vectors

    def _shipped(self) -> np.ndarray | None:
        try:
            data = np.load(self._vectors_path)
        except OSError:
            return None
        if str(data["key"]) != bank_key(self.requests):
            return None
        probe = self.embedder.encode([_PROBE])[0]
        if float(probe @ data["probe"].astype(np.float32)) < 0.999:
            return None
        return np.asarray(data["vectors"], dtype=np.float32)

    def save_vectors(self, path: Path) -> None:
        probe = self.embedder.encode([_PROBE])[0]
        np.savez(path, key=np.array(bank_key(self.requests)), probe=probe.astype(np.float16),
                 vectors=self.vectors.astype(np.float16))  # fmt: skip

    def similarities(self, query_vector: np.ndarray) -> np.ndarray:
        return self.vectors @ query_vector

    def plain_score(self, query_vector: np.ndarray) -> float:
        """The best similarity to a plain question (a request no tool fits)."""
        sims = self.similarities(query_vector)
        plain = [i for i, t in enumerate(self.tools) if not t]
        return float(sims[plain].max()) if plain else 0.0


class ToolRAG:
    def __init__(
        self,
        embedder: TextEncoder,
        examples: ExampleBank | None = None,
        *,
        top_k: int = DEFAULT_TOP_K,
        threshold: float = DEFAULT_THRESHOLD,
        bank: ToolExemplars | None = None,
    ) -> None:
        self.embedder = embedder
        self.examples = examples
        self.bank = bank
        self.top_k = top_k
        self.threshold = threshold
        self._cache: dict[str, np.ndarray] = {}

    def _tool_vectors(self, registry: ToolRegistry) -> np.ndarray:
        texts = [tool_text(t) for t in registry]
        missing = [t for t in texts if t not in self._cache]
        if missing:
            for text, vec in zip(missing, self.embedder.encode(missing), strict=True):
                self._cache[text] = vec
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 1), np.float32)

    def scores(self, query_vector: np.ndarray, registry: ToolRegistry) -> dict[str, float]:
        if len(registry) == 0:
            return {}
        direct = self._tool_vectors(registry) @ query_vector
        best = {t.name: float(s) for t, s in zip(registry, direct, strict=True)}
        pairs: list[tuple[frozenset[str], float]] = []
        if self.examples is not None:
            pairs += list(
                zip(
                    (e.tools for e in self.examples.examples),
                    self.examples.similarities(query_vector),
                    strict=True,
                )
            )
        if self.bank is not None:
            pairs += list(zip(self.bank.tools, self.bank.similarities(query_vector), strict=True))
        for tools, sim in pairs:
            for name in tools:
                if name in best and sim > best[name]:
                    best[name] = float(sim)
        return dict(sorted(best.items(), key=lambda kv: -kv[1]))

    def select(self, request: str, registry: ToolRegistry) -> ToolSelection:
        """The tools to offer. A request of several parts ("... and ...") is also scored part by part, each
        tool keeping its best score: the whole sentence's embedding blurs the parts it joins."""
        parts = clauses(request)
        vectors = self.embedder.encode([request, *parts] if len(parts) > 1 else [request])
        query = vectors[0]
        per_vector = [self.scores(v, registry) for v in vectors]
        scores = {name: max(sc[name] for sc in per_vector) for name in per_vector[0]}
        scores = dict(sorted(scores.items(), key=lambda kv: -kv[1]))
        ranked = [n for n, s in scores.items() if s >= self.threshold]
        # Each part's best tool first (a part's tool must not lose its place to a second tool of another
        # part), then the best of the rest; at least MIN_OFFERED when any is near (a plan of join() alone
        # stays possible: offering a tool never forces a call).
        chosen: list[str] = []
        for sc in per_vector[1:]:
            best = next(iter(sc), None)
            if best is not None and sc[best] >= self.threshold and best not in chosen:
                chosen.append(best)
        limit = max(self.top_k, len(chosen))
        for name in ranked:
            if len(chosen) >= limit:
                break
            if name not in chosen:
                chosen.append(name)
        for name, score in scores.items():
            if len(chosen) >= min(MIN_OFFERED, len(registry)) or score < FLOOR:
                break
            if name not in chosen:
                chosen.append(name)
        # Keep the registry's order, so the same tools always read the same in the prompt.
        offered = registry.subset(n for n in registry.names if n in chosen)
        return ToolSelection(offered=offered, scores=scores, query_vector=query)


_SPLIT = re.compile(r"(?:,\s*(?:and\s+|then\s+)?|\s+and\s+(?:then\s+|also\s+)?|\s+then\s+|[.;!?]\s+)", re.I)


def clauses(request: str) -> list[str]:
    """The parts of a request that joins several ("Set a timer and remind me..."), each of 2+ words."""
    parts = [p.strip() for p in _SPLIT.split(request) if p and len(p.split()) >= 2]
    return parts if len(parts) > 1 else [request]
