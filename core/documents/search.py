"""Hybrid retrieval: BM25 over SQLite FTS5 and cosine over FAISS, merged by reciprocal rank fusion.

Lexical search finds exact names, numbers and rare words that embeddings blur; vector search finds
paraphrases that share no word with the question. Reciprocal rank fusion merges the two rankings without
having to put BM25 scores and cosines on one scale.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from core.store import Place

# Reciprocal rank fusion's constant: 60 in the original paper (Cormack et al., 2009), and most tools since.
RRF_C = 60

# Words too common to help BM25 find anything; left out so that matching them does not cost time.
_STOPWORDS = """a about an and are as at be been but by can could did do does for from had has have how i if in
into is it its me my no not of on or our she should so than that the their them then there these they this
to was we were what when where which who whom why will with would you your"""
STOPWORDS = frozenset(_STOPWORDS.split())


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk and its place in its file."""

    rank: int
    chunk_id: int
    collection: str
    file: str  # absolute path
    place: Place
    text: str
    score: float  # fused (RRF): higher is better
    vector_score: float | None  # cosine similarity, when vector search found it
    lexical_score: float | None  # BM25, when lexical search found it

    def as_dict(self) -> dict[str, object]:
        """Flat, as `hearth docs search --json` prints it: the place's fields beside the others."""
        out = asdict(self)
        return {**{k: v for k, v in out.items() if k != "place"}, **out["place"]}


def fts_match(query: str) -> str | None:
    """An FTS5 expression matching chunks with any of the query's words; None when it has none worth it.

    Every word is quoted, so FTS5's own syntax in a query (AND, quotes, parentheses) is taken literally.
    """
    words = [w for w in re.findall(r"\w+", query.lower()) if w not in STOPWORDS]
    if not words:
        words = re.findall(r"\w+", query.lower())  # a query of stop words only: search them anyway
    if not words:
        return None
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in dict.fromkeys(words))


def fuse(rankings: Sequence[Sequence[int]], c: int = RRF_C) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: each id scores sum(1 / (c + rank)) over the rankings it is in, best first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, 1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (c + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
