"""ToolRAG: offer the planner only the tools a request needs, so the prompt stays short.

A tool's score is the best cosine similarity between the request and either the tool's description or an
example request whose plan uses the tool (so "email Marco" also brings get_email_address, which the
description alone would not). The top k tools scoring at least `threshold` are offered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.assistant.examples import ExampleBank
from core.assistant.registry import Tool, ToolRegistry
from core.embeddings import TextEncoder

DEFAULT_TOP_K = 5
DEFAULT_THRESHOLD = 0.30


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


class ToolRAG:
    def __init__(
        self,
        embedder: TextEncoder,
        examples: ExampleBank | None = None,
        *,
        top_k: int = DEFAULT_TOP_K,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        self.embedder = embedder
        self.examples = examples
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
        if self.examples is not None:
            for ex, sim in zip(self.examples.examples, self.examples.similarities(query_vector), strict=True):
                for name in ex.tools:
                    if name in best and sim > best[name]:
                        best[name] = float(sim)
        return dict(sorted(best.items(), key=lambda kv: -kv[1]))

    def select(self, request: str, registry: ToolRegistry) -> ToolSelection:
        query = self.embedder.encode([request])[0]
        scores = self.scores(query, registry)
        chosen = [n for n, s in scores.items() if s >= self.threshold][: self.top_k]
        # Keep the registry's order, so the same tools always read the same in the prompt.
        offered = registry.subset(n for n in registry.names if n in chosen)
        return ToolSelection(offered=offered, scores=scores, query_vector=query)
