"""Answers quoted from memory: a grammar built per request from the recalled memories, so the answer is a
span copied from one memory (or its date), a yes/no with such a span, or "Not mentioned".

The JSON is the answer operation's (`{"used": [i], "answer": "..."}`), but `used` and `answer` are tied:
the answer can only be a run of consecutive words of the one memory named in `used`, so a reply cannot
name a person, place or date that no recalled memory says. `{"used": [], "answer": "Not mentioned"}` is
LoCoMo's answer to a question the memories do not answer. The same functions give the training target
(`best_span`), so the adapter learns exactly what the grammar lets it write.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.engine import ChatMessage
from core.memory.prompts import Answer, Remembered, parse_answer, quote_messages
from core.memory.scoring import answer_f1

NOT_MENTIONED = "Not mentioned"
YES_NO = ("Yes", "No", "Likely yes", "Likely no")
QUOTE_MAX_TOKENS = 48

_TRAILING = re.compile(r"[.,;:!?]+$")
_TIME_QUESTION = re.compile(
    r"^\s*(?:when\b|what (?:date|day|year|month|time)\b|which (?:date|day|year|month)\b|how long ago\b)",
    re.IGNORECASE,
)
_YES_NO_QUESTION = re.compile(
    r"^\s*(?:is|are|was|were|do|does|did|has|have|had|can|could|would|will|should)\b", re.IGNORECASE
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


_WH = re.compile(r"^\s*(?:what|when|where|who|whom|whose|which|why|how)\b", re.IGNORECASE)


def is_question(text: str) -> bool:
    """Whether a chat message asks something (what memory may answer) rather than asks for something."""
    return text.strip().endswith("?") or bool(_WH.search(text)) or is_yes_no_question(text)


def is_time_question(question: str) -> bool:
    return _TIME_QUESTION.search(question) is not None


def is_yes_no_question(question: str) -> bool:
    return _YES_NO_QUESTION.search(question) is not None


@dataclass(frozen=True)
class Word:
    core: str  # the word without its trailing punctuation
    tail: str  # its trailing punctuation ("" for most words)


def words_of(text: str) -> list[Word]:
    out = []
    for raw in text.split():
        core = _TRAILING.sub("", raw)
        if core:
            out.append(Word(core, raw[len(core) :]))
    return out


def span_text(words: Sequence[Word], start: int, end: int) -> str:
    """Words start..end-1 as the grammar writes them: inner words with their punctuation, the last without."""
    inner = [w.core + w.tail for w in words[start : end - 1]]
    return " ".join([*inner, words[end - 1].core])


def spans(text: str, max_words: int = 12) -> list[str]:
    """Every span the grammar allows from `text` (in canonical form), up to `max_words` words long."""
    ws = words_of(text)
    return [
        span_text(ws, a, b) for a in range(len(ws)) for b in range(a + 1, min(len(ws), a + max_words) + 1)
    ]


def best_span(text: str, answer: str) -> tuple[str, float]:
    """The span of `text` with the best token F1 against `answer` (the shorter one on a tie)."""
    best, best_f1 = "", 0.0
    for s in spans(text):
        f1 = answer_f1(s, answer)
        if f1 > best_f1 or (f1 == best_f1 and f1 > 0 and len(s) < len(best)):
            best, best_f1 = s, f1
    return best, best_f1


# ---- the grammar ----------------------------------------------------------------------------------------


def _lit(text: str) -> str:
    """A GBNF string literal holding `text` as it appears inside a JSON string."""
    inner = json.dumps(text, ensure_ascii=False)[1:-1]
    return '"' + inner.replace("\\", "\\\\").replace('"', '\\"') + '"'


def quote_grammar(question: str, memories: Sequence[Remembered]) -> str:
    """GBNF for the quoted answer to `question` from `memories` (numbered from 1, as the prompt lists them)."""
    head = '"{\\"used\\": ["'
    mid = '"], \\"answer\\": \\""'
    tail = '"\\"}"'
    alts = [f"{head} {mid} {_lit(NOT_MENTIONED)} {tail}"]
    rules: list[str] = []
    time_q, yes_no = is_time_question(question), is_yes_no_question(question)
    if yes_no:
        rules.append("yn ::= " + " | ".join(_lit(y) for y in YES_NO))
    for i, memory in enumerate(memories, 1):
        ws = words_of(memory.text)
        if not ws:
            continue
        options = [f"s{i}"]
        if time_q and memory.date:
            options.append(_lit(memory.date))
        if yes_no:
            options = ["yn", f'yn ", " s{i}', *options]
        rules.append(f"a{i} ::= " + " | ".join(options))
        rules.append(f"s{i} ::= " + " | ".join(f"w{i}x{k}" for k in range(len(ws))))
        for k, w in enumerate(ws):
            word = _lit(w.core) + (f" {_lit(w.tail)}?" if w.tail else "")
            rest = f' (" " w{i}x{k + 1})?' if k + 1 < len(ws) else ""
            rules.append(f"w{i}x{k} ::= {word}{rest}")
        alts.append(f'{head} "{i}" {mid} a{i} {tail}')
    return "root ::= " + " | ".join(alts) + "\n" + "\n".join(rules) + "\n"


def finish(question: str, answer: Answer, memories: Sequence[Remembered]) -> Answer:
    """The quoted answer as it is shown: a time question's quote gets its memory's date when it has no year
    of its own ("in January" -> "in January, 3 March, 2023"); "Not mentioned" gets a full stop."""
    if not answer.used:
        return Answer((), NOT_MENTIONED + ".") if answer.text == NOT_MENTIONED else answer
    memory = memories[answer.used[0] - 1]
    text = answer.text
    if (
        is_time_question(question)
        and memory.date
        and text != memory.date
        and not _YEAR.search(text)
        and not text.startswith(YES_NO)
    ):
        text = f"{text}, {memory.date}"
    return Answer(answer.used, text)


def best_last(memories: Sequence[Remembered]) -> list[Remembered]:
    """Recall's memories (best first) in the order the prompt lists them: best last, next to the question.

    The small model quotes the memories listed last far more often than the first ones (given 3, the
    third 64 times in 98 questions; the best-ranked one held the answer in 32 of the 52 where any did), so
    listing the best last makes that bias work with recall's ranking instead of against it.
    """
    return list(reversed(memories))


def from_listing(answer: Answer, n: int) -> Answer:
    """An answer's memory numbers as `best_last` listed them, back to recall's order (1 = best)."""
    return Answer(tuple(n + 1 - i for i in answer.used), answer.text)


def quote_prompt(question: str, memories: Sequence[Remembered]) -> tuple[list[ChatMessage], str]:
    """The messages and grammar that ask for a quote from `memories` (recall's, best first), listed best last."""
    listed = best_last(memories)
    return quote_messages(question, listed), quote_grammar(question, listed)


def read_quote(question: str, text: str, memories: Sequence[Remembered]) -> Answer:
    """The reply to `quote_prompt` as it is shown: its memory numbers in `memories`' order, finished.
    Raises MalformedOutput for a reply cut off before its JSON ends."""
    n = len(memories)
    return finish(question, from_listing(parse_answer(text, n), n), memories)


def is_not_mentioned(answer: Answer) -> bool:
    return not answer.used and answer.text.rstrip(".") == NOT_MENTIONED
