"""Cut sections of text into overlapping windows of tokens, keeping where each window sits in the text.

Tokens are the embedding model's own (WordPiece for all-MiniLM-L6-v2), not the chat model's: a chunk must
fit the embedder's window or its end is silently cut off before embedding and can never be found by meaning.
The answer model's budget is checked separately, with its own tokenizer, when sources go into a prompt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.documents.extract import Section
from core.store import Place

# Characters (start, end) of each token in a text, special tokens left out.
TokenOffsets = Callable[[str], list[tuple[int, int]]]

# A window may move back this many tokens so as not to start inside a word.
_MAX_BACKTRACK = 8


@dataclass(frozen=True)
class Span:
    """One chunk: `text` is exactly `section text[place.char_start:place.char_end]`."""

    text: str
    place: Place
    n_tokens: int


def chunk_sections(
    sections: Sequence[Section],
    offsets: TokenOffsets,
    chunk_tokens: int,
    overlap_tokens: int,
    *,
    with_lines: bool = False,
) -> list[Span]:
    """Windows of at most `chunk_tokens` tokens, each sharing about `overlap_tokens` with the one before.

    Args:
        sections: the file's text, a section per page.
        offsets: the embedding model's tokenizer, as character offsets.
        chunk_tokens: the longest window.
        overlap_tokens: how far each window reaches back into the previous one, so that a sentence cut at
            one window's end is whole in the next.
        with_lines: record the 1-based line each chunk starts on (plain text and code).
    """
    if chunk_tokens < 1 or not 0 <= overlap_tokens < chunk_tokens:
        raise ValueError("chunk_tokens must be positive and overlap_tokens smaller than it.")
    spans: list[Span] = []
    for section in sections:
        spans.extend(_chunk_text(section, offsets(section.text), chunk_tokens, overlap_tokens, with_lines))
    return spans


def _chunk_text(
    section: Section,
    tokens: list[tuple[int, int]],
    chunk_tokens: int,
    overlap_tokens: int,
    with_lines: bool,
) -> list[Span]:
    text = section.text
    out: list[Span] = []
    stride = chunk_tokens - overlap_tokens
    start = 0
    line, line_pos = 1, 0
    while start < len(tokens):
        first = _word_start(text, tokens, start, floor=start - stride + 1 if start else 0)
        end = min(first + chunk_tokens, len(tokens))
        char_start, char_end = tokens[first][0], tokens[end - 1][1]
        if with_lines:
            line += text.count("\n", line_pos, char_start)
            line_pos = char_start
        out.append(
            Span(
                text=text[char_start:char_end],
                place=Place(section.page, line if with_lines else None, char_start, char_end),
                n_tokens=end - first,
            )
        )
        if end == len(tokens):
            break
        start = first + stride
    return out


def _word_start(text: str, tokens: list[tuple[int, int]], i: int, floor: int) -> int:
    """Move back from token `i` to the first token of its word (WordPiece splits words into pieces)."""
    lowest = max(floor, i - _MAX_BACKTRACK, 0)
    while i > lowest and tokens[i][0] == tokens[i - 1][1] and _joined(text, tokens[i][0]):
        i -= 1
    return i


def _joined(text: str, pos: int) -> bool:
    """Whether the characters on both sides of `pos` are letters or digits (one word, not word + comma)."""
    return 0 < pos < len(text) and text[pos - 1].isalnum() and text[pos].isalnum()
