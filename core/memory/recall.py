"""Hybrid recall over memories: vectors, BM25 over the text and what it names, the people a question names,
and the dates it asks about, fused by reciprocal rank (core.documents.search.fuse), as Mem0's 2026
retrieval fuses semantic, BM25, entity and time scores.

Two rules come after the fusion. A question that names people the memories know is answered from
memories about or naming them ("Tomasz's daughter" never recalls Ingrid's district). A question about
now never sees a superseded memory; one about the past ("when did...", "has had...") does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.documents.search import fts_match, fuse
from core.memory import entities
from core.memory.index import MemoryIndex
from core.store import Memory, MemoryStore

POOL = 50  # candidates per ranking before fusion

_PAST = re.compile(
    r"\b(?:when|did|was|were|had|has|have|used to|before|previous(?:ly)?|former(?:ly)?|ever|ago|first)\b",
    re.IGNORECASE,
)
_NOW = re.compile(r"\b(?:now|current(?:ly)?|these days|still|at the moment|today)\b", re.IGNORECASE)

_FIRST_PERSON = [
    (re.compile(p, re.IGNORECASE), r)
    for p, r in (
        (r"\bI'm\b|\bI am\b", "User is"),
        (r"\bI've\b", "User has"),
        (r"\bI'd\b", "User would"),
        (r"\bI'll\b", "User will"),
        (r"\bmy\b|\bmine\b", "User's"),
        (r"\bI\b|\bme\b|\bmyself\b", "User"),
    )
]


def in_third_person(text: str) -> str:
    """The user's words about themselves as memories say them ("my dog" -> "User's dog").

    Memories are stored in the third person; with MiniLM, "What is my dog called?" scores 0.52 against
    "User has a dog named Rex." and 0.74 once rewritten, while unrelated memories stay below 0.35.
    """
    for pattern, replacement in _FIRST_PERSON:
        text = pattern.sub(replacement, text)
    return text


def asks_about_now(question: str) -> bool:
    """Whether a question is about how things are now (so superseded memories stay out of its answer)."""
    return _NOW.search(question) is not None or _PAST.search(question) is None


@dataclass(frozen=True)
class Found:
    memory: Memory
    score: float  # cosine similarity to the question (what the threshold applies to)
    fused: float  # the fused rank score the order comes from
    how: tuple[str, ...]  # which rankings found it: vector, bm25, entity, time


class HybridRecall:
    def __init__(self, store: MemoryStore, index: MemoryIndex) -> None:
        self._store = store
        self._index = index

    def recall(self, text: str, k: int, threshold: float) -> list[Found]:
        """The `k` memories that best answer `text`, best first.

        A memory found only by its vector must reach `threshold`; one that BM25, a named person or a date
        also found is kept below it (names and dates are what embeddings blur)."""
        query = in_third_person(text)
        total = self._store.count()
        if not query.strip() or total == 0:
            return []
        vector = self._index.embed([query])[0]
        near = self._index.search(vector, min(total, max(POOL, k)))
        cosine = {m.id: s for m, s in near}
        by_id = {m.id: m for m, _ in near}

        everyone = self._store.list()
        known = {n for m in everyone for n in self._keys(m)}
        people = {p for p in entities.people_named(query, known) - set(entities.MONTHS) if not p.isdigit()}

        # BM25 over what the question asks, without the people it names: those the entity ranking
        # and the gate below take care of, and in every memory about them they would drown the rest.
        match = fts_match(_lexical(query, people))
        lexical = list(dict.fromkeys(i for i, _ in self._store.search_fts(match, POOL))) if match else []
        about = fts_match(" ".join(sorted(people))) if people else None
        theirs = [i for i, _ in self._store.search_fts(about, POOL)] if about else []
        missing = self._store.get_many([i for i in dict.fromkeys(lexical + theirs) if i not in by_id])
        if missing:  # beyond the vector pool: their cosines, for the threshold and the orders below
            vectors = self._index.embed([m.text for m in missing])
            for m, v in zip(missing, vectors, strict=True):
                by_id[m.id] = m
                cosine[m.id] = float(vector @ v)

        # Memories about the people named, in BM25's order, then by similarity.
        lexical_rank = {i: r for r, i in enumerate(lexical)}
        named = sorted(
            (i for i in by_id if people & self._keys(by_id[i])),
            key=lambda i: (lexical_rank.get(i, len(lexical)), -cosine[i]),
        )

        times = entities.months_and_years(query)
        dated = [
            i
            for i in _by_score(by_id, cosine)
            if times and times & entities.months_and_years(f"{by_id[i].happened_at} {by_id[i].text}")
        ]

        rankings = {
            "vector": list(dict.fromkeys(m.id for m, _ in near)),
            "bm25": lexical,
            "entity": named,
            "time": dated,
        }
        now = asks_about_now(text)
        out: list[Found] = []
        for memory_id, fused in fuse(list(rankings.values())):
            memory = by_id[memory_id]
            how = tuple(name for name, ids in rankings.items() if memory_id in ids)
            if people and not people & self._keys(memory):
                continue  # about someone else
            if now and not memory.current:
                continue  # no longer true
            if how == ("vector",) and cosine[memory_id] < threshold:
                continue
            out.append(Found(memory, cosine[memory_id], fused, how))
            if len(out) == k:
                break
        return out

    @staticmethod
    def _keys(memory: Memory) -> set[str]:
        names = memory.names if memory.names is not None else entities.names_field(memory.text)
        return {memory.subject, *names.split()} - {""}


_POSSESSIVE = re.compile(r"['’]s\b")
# Words every memory of a kind shares ("User's dog is named Rex"): they would rank by form, not content.
_GENERIC = re.compile(r"\b(?:name|names|named|call|called|user|users|thing|things|kind)\b", re.IGNORECASE)


def _lexical(query: str, people: set[str]) -> str:
    """The question's words that BM25 should weigh: no possessive "'s", no words all memories share, and
    not the names of the people it asks about."""
    text = _GENERIC.sub(" ", _POSSESSIVE.sub("", query))
    for person in people:
        text = re.sub(rf"\b{re.escape(person)}\b", " ", text, flags=re.IGNORECASE)
    return text if text.strip(" ?.!,") else query


def _by_score(by_id: dict[int, Memory], cosine: dict[int, float]) -> list[int]:
    return sorted(by_id, key=lambda i: -cosine[i])
