"""Answers in the shape the user asked for: "Reply with only the number", "In one word".

A 135M model knows that a week has seven days but answers "There are 7 days in a week." however plainly it
is asked for the number alone (docs/chat-defaults.md: 28 of the default's 102 failures broke the format
rule alone). So when a request names a shape, the model answers freely first, and the short answer is then
taken *from its own reply*: the last number or word it wrote that the question did not already hold.
Nothing the reply did not say can come out, so shaping can fix a format, never invent a fact; a reply
with no such word, or one that declines, is kept as it is. (Yes/no requests are not shaped: the model's
own odds of "Yes" against "No" do not tell true statements from false ones, see docs/chat-defaults.md.)
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import replace
from enum import StrEnum

from core.engine import ChatEngine, ChatMessage, GenerationOptions, GenerationResult
from core.number_words import NUMBER_WORDS


class Shape(StrEnum):
    NUMBER = "number"
    WORD = "word"


_NUMBER_REQUEST = re.compile(
    r"\b(?:(?:with|give|reply|answer|respond|write|say)\s+(?:me\s+)?(?:only|just)\s+(?:the|a|one)\s+number"
    r"|(?:only|just)\s+(?:the|a)\s+number|number\s+only|a\s+single\s+number|nothing\s+but\s+the\s+number)\b",
    re.IGNORECASE,
)
_WORD_REQUEST = re.compile(
    r"\b(?:in|with|using)\s+(?:just\s+|only\s+)?(?:one|a\s+single)\s+word\b|\bone[- ]word\s+answer\b"
    r"|\b(?:only|just)\s+one\s+word\b|\bsingle[- ]word\b",
    re.IGNORECASE,
)

# Words that never answer a one-word question on their own.
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "it",
        "its",
        "it's",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "and",
        "or",
        "but",
        "not",
        "no",
        "yes",
        "so",
        "as",
        "if",
        "than",
        "then",
        "too",
        "very",
        "also",
        "just",
        "only",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "me",
        "him",
        "her",
        "us",
        "them",
        "my",
        "your",
        "his",
        "our",
        "their",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "do",
        "does",
        "did",
        "done",
        "has",
        "have",
        "had",
        "can",
        "could",
        "will",
        "would",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "called",
        "call",
        "named",
        "known",
        "answer",
        "word",
        "one",
        "single",
        "good",
        "great",
        "question",
        "that's",
        "thats",
        "well",
        "sure",
        "okay",
        "ok",
    ]
)

# A reply that does not answer: shaping would turn "it is not possible to give a single answer" into "give".
_DECLINES = re.compile(
    r"\b(?:i\s+don'?t\s+know|i\s+do\s+not\s+know|not\s+sure|not\s+possible|i\s+can(?:not|'t)|unable"
    r"|i'?m\s+sorry|no\s+way\s+to\s+know|impossible\s+to)\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+(?:['’-][A-Za-zÀ-ÖØ-öø-ÿ]+)*|-?\d+(?:[.,]\d+)?")
_DIGITS = re.compile(r"^-?\d+(?:[.,]\d+)?$")


def last_request(messages: Sequence[ChatMessage]) -> str:
    """The text of the last user message: the request an answer is shaped for."""
    return next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")


def requested_shape(text: str) -> Shape | None:
    """The shape the request asks its answer to have, or None when it names none."""
    if _NUMBER_REQUEST.search(text):
        return Shape.NUMBER
    if _WORD_REQUEST.search(text):
        return Shape.WORD
    return None


def _as_number(token: str) -> str | None:
    if _DIGITS.match(token):
        return token.replace(",", ".") if token.count(",") == 1 and len(token.split(",")[1]) != 3 else token
    value = NUMBER_WORDS.get(token.lower())
    return None if value is None else str(value)


def _stem(word: str) -> str:
    return word.lower()[:5]


def candidates(shape: Shape, reply: str, question: str) -> list[str]:
    """What the reply adds to the question that could be its short answer, in order, without repeats.

    Numbers (digits, or number words written as digits) for NUMBER; words that are not function words for
    WORD. What the question itself holds is left out: "What is 5 times 4?" answered "5 * 4 = 20." is 20,
    and "The opposite of hot is cold." is "cold". A reply that only repeats the question ("The season
    comes after winter.") has no candidate.
    """
    tokens = _TOKEN.findall(reply)
    asked = _TOKEN.findall(question)
    if shape is Shape.NUMBER:
        given = {n for n in (_as_number(t) for t in asked) if n is not None}
        found = [n for n in (_as_number(t) for t in tokens) if n is not None and n not in given]
    else:
        seen = {_stem(t) for t in asked}
        found = [
            t for t in tokens if t.lower() not in _STOPWORDS and not _DIGITS.match(t) and _stem(t) not in seen
        ]
    return list(dict.fromkeys(found))


def shape_reply(reply: str, question: str, shape: Shape) -> str | None:
    """The short answer `reply` holds, or None when it holds none (the reply is then kept whole).

    Among several candidates the last is taken: English puts the new information at the end of a sentence
    ("A baby dog is a small furry creature called a puppy."). On the chat set this chose right where
    letting the model choose under a grammar of the candidates did not (docs/chat-defaults.md).
    """
    if _DECLINES.search(reply):  # "I don't know" stays what it is, not a word picked from it
        return None
    found = candidates(shape, reply, question)
    if not found:
        return None
    short = found[-1]
    return short[:1].upper() + short[1:] + "." if shape is Shape.WORD else short


def answer_in_shape(
    engine: ChatEngine,
    messages: Sequence[ChatMessage],
    shape: Shape,
    options: GenerationOptions,
    cancel: threading.Event | None = None,
) -> GenerationResult:
    """Answer `messages` (whose last request asked for `shape`) and return the answer in that shape.

    The free reply is not streamed: the user asked for a number or a word, and sees only that.
    """
    result = engine.chat(messages, options, cancel=cancel)
    if result.finish_reason == "cancelled":
        return result
    short = shape_reply(result.text, last_request(messages), shape)
    return result if short is None else replace(result, text=short)
