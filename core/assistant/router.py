"""Chat or assistant: which one a message goes to, decided before any planning, from embeddings alone.

A message goes to the assistant when a tool is near it and nearer than any plain question (its best
ToolRAG score, from the tools' descriptions and the bank's exemplars of each built-in tool, against its
best similarity to the bank's plain questions), or when a probe on its embedding says it asks for
something to be done and some tool is not far (the user's own tools have descriptions, no exemplars). The planner's own verdict stays the last word: a plan of
join() alone is answered as chat (Assistant.run), so a message routed wrongly to the assistant still
gets a plain answer, at the cost of one planning pass. The router costs one embedding of the message
(milliseconds), never a model call, so a plain question does not pay for a plan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from core.assistant.registry import ToolRegistry
from core.assistant.toolrag import _PROBE, ToolRAG, clauses
from core.resources import resource_path

PROBE_FILE = resource_path("assistant", "router_probe.npz")
# A tool this near, and nearer than any plain question, means the assistant.
MIN_TOOL_SCORE = 0.45
# Or: the probe says the message asks for something to be done, and some tool is at least this near
# (the user's own tools have no exemplars: their descriptions alone score lower).
MIN_PROBE = 0.5
PROBE_TOOL_FLOOR = 0.25

Target = Literal["assistant", "chat"]


@dataclass(frozen=True)
class Route:
    target: Target
    tool_score: float  # the best tool's score
    plain_score: float  # the best plain question's similarity
    tool: str  # the best tool
    ms: float  # what deciding cost
    p_action: float | None = None  # the probe's P(the message asks for an action)

    def as_dict(self) -> dict[str, object]:
        return {
            "target": self.target,
            "tool": self.tool,
            "tool_score": round(self.tool_score, 3),
            "plain_score": round(self.plain_score, 3),
            "p_action": None if self.p_action is None else round(self.p_action, 3),
            "ms": round(self.ms, 1),
        }


class ActionProbe:
    """A logistic probe on the message's embedding: P(it asks for an action rather than an answer).
    Its weights (resources/assistant/router_probe.npz) hold for the embedder they were fitted with; with
    another one (a probe sentence embeds differently) it is left out and ToolRAG's scores decide alone."""

    def __init__(self, path: Path = PROBE_FILE) -> None:
        data = np.load(path)
        self.w = np.asarray(data["w"], dtype=np.float32)
        self.b = float(data["b"])
        self._probe = np.asarray(data["probe"], dtype=np.float32)
        self._usable: bool | None = None

    def usable(self, toolrag: ToolRAG) -> bool:
        if self._usable is None:
            v = toolrag.embedder.encode([_PROBE])[0]
            self._usable = v.shape == self._probe.shape and float(v @ self._probe) >= 0.999
        return self._usable

    def p_action(self, vector: np.ndarray) -> float:
        return float(1 / (1 + np.exp(-(vector @ self.w + self.b))))


class Router:
    def __init__(
        self, toolrag: ToolRAG, probe: ActionProbe | None = None, *, min_tool_score: float = MIN_TOOL_SCORE
    ) -> None:
        self.toolrag = toolrag
        self.probe = probe if probe is not None else ActionProbe()
        self.min_tool_score = min_tool_score

    def route(self, message: str, registry: ToolRegistry, *, grounded: bool = False) -> Route:
        """`grounded`: the conversation has documents attached, which answer its questions. Then only a
        tool nearer than any plain question sends a message to the assistant; the probe alone does not
        (it calls many questions requests: "How often does the lighthouse flash?" scores 0.72)."""
        t0 = time.perf_counter()
        parts = clauses(message)
        vectors = self.toolrag.embedder.encode([message, *parts] if len(parts) > 1 else [message])
        best_tool, tool_score = "", 0.0
        for v in vectors:
            for name, score in self.toolrag.scores(v, registry).items():
                if score > tool_score:
                    best_tool, tool_score = name, score
        bank = self.toolrag.bank
        plain = bank.plain_score(vectors[0]) if bank is not None else 0.0
        p_action = self.probe.p_action(vectors[0]) if self.probe.usable(self.toolrag) else None
        near = tool_score >= self.min_tool_score and tool_score >= plain
        asks = (
            not grounded and p_action is not None and p_action >= MIN_PROBE and tool_score >= PROBE_TOOL_FLOOR
        )
        return Route(
            "assistant" if near or asks else "chat",
            tool_score,
            plain,
            best_tool,
            (time.perf_counter() - t0) * 1000,
            p_action,
        )
