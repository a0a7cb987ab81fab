"""Chat answers grounded in the user's documents: for a conversation with collections chosen, the best
chunks go into the newest message as numbered sources, and the answer keeps them as its citations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from core.documents.answer import SYSTEM_PROMPT, Citation, build_messages, citations_for
from core.documents.search import Hit
from core.documents.service import DocumentsService
from core.engine import ChatEngine, ChatMessage

SOURCES_K = 3


@dataclass(frozen=True)
class Grounding:
    used: list[Hit]  # the sources in the prompt, numbered [1], [2]... in this order
    user_content: str  # the newest message, with the sources above the question

    def apply(self, history: Sequence[ChatMessage]) -> list[ChatMessage]:
        """The conversation as the model sees it: the instruction to cite, and the sources in the last turn."""
        out = [dict(m) for m in history]
        if out and out[0]["role"] == "system":
            out[0]["content"] = f"{out[0]['content']}\n\n{SYSTEM_PROMPT}"
        else:
            out.insert(0, {"role": "system", "content": SYSTEM_PROMPT})
        out[-1]["content"] = self.user_content
        return out  # type: ignore[return-value]

    def citations(self, answer: str) -> list[Citation]:
        return citations_for(answer, self.used)


def ground(
    documents: DocumentsService, conversation_id: int, question: str, engine: ChatEngine, budget: int
) -> Grounding | None:
    """None when the conversation uses no collection, or nothing in them matches."""
    names = [c.name for c in documents.conversation_collections(conversation_id)]
    if not names:
        return None
    hits = documents.search(question, names, SOURCES_K)
    if not hits:
        return None
    messages, used = build_messages(question, hits, engine.count_tokens, budget)
    if not used:
        return None
    return Grounding(used, messages[-1]["content"])


def citations_json(citations: Sequence[Citation]) -> str:
    return json.dumps([c.as_dict() for c in citations], ensure_ascii=False)


def citations_from_json(text: str | None) -> list[Citation]:
    return [Citation.from_dict(c) for c in json.loads(text)] if text else []
