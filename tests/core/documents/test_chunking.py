"""Token chunking with overlap, with the real all-MiniLM-L6-v2 tokenizer."""

from __future__ import annotations

import pytest

from core.documents import Embedder
from core.documents.chunking import chunk_sections
from core.documents.extract import Section

PROSE = " ".join(
    f"Sentence {i} tells how the ferry-boat Marigold{i} crossed the unfathomably wide estuary at dawn."
    for i in range(60)
)


def test_windows_fit_overlap_and_cover_the_text(doc_embedder: Embedder) -> None:
    spans = chunk_sections([Section(PROSE)], doc_embedder.token_offsets, 64, 16)
    assert len(spans) > 5
    assert spans[0].place.char_start == 0 and spans[-1].place.char_end == len(PROSE)
    for s in spans:
        assert s.text == PROSE[s.place.char_start : s.place.char_end], "offsets point at the chunk's own text"
        assert s.n_tokens <= 64
        assert len(doc_embedder.token_offsets(s.text)) <= 64, "re-tokenized, the chunk still fits"
        inside_word = (
            s.place.char_start > 0 and PROSE[s.place.char_start - 1].isalnum() and s.text[0].isalnum()
        )
        assert not inside_word, "no chunk starts inside a word"
    for a, b in zip(spans, spans[1:], strict=False):
        assert a.place.char_start < b.place.char_start < a.place.char_end, (
            "each chunk overlaps the one before"
        )
        shared = len(doc_embedder.token_offsets(PROSE[b.place.char_start : a.place.char_end]))
        assert 16 <= shared <= 16 + 8, "about overlap_tokens are shared (a little more to start on a word)"


def test_pages_and_lines_are_kept() -> None:
    def words(text: str) -> list[tuple[int, int]]:  # whitespace tokens, to know exactly where windows fall
        out, pos = [], 0
        for w in text.split():
            start = text.index(w, pos)
            out.append((start, start + len(w)))
            pos = start + len(w)
        return out

    text = "\n".join(f"line{i} alpha beta" for i in range(1, 11))  # 3 tokens per line
    spans = chunk_sections([Section(text)], words, 6, 3, with_lines=True)
    assert [s.place.line for s in spans] == [1 + i for i in range(len(spans))]  # a window every 3 tokens
    for s in spans:
        assert s.text.startswith(f"line{s.place.line} ")
    paged = chunk_sections([Section("one two", 1), Section("three", 4)], words, 6, 3)
    assert [(s.place.page, s.text, s.place.line) for s in paged] == [(1, "one two", None), (4, "three", None)]


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        chunk_sections([Section("x")], lambda t: [(0, 1)], 8, 8)
