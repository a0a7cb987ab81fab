"""Text for speaking: streamed answers cut into sentences as they arrive, Markdown made sayable, and the
assistant's one-sentence account of what it did."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

# Words whose trailing period does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "e.g", "i.e", "eg", "ie", "no", "fig", "approx",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "a.m", "p.m",
}  # fmt: skip
_END = re.compile(r"[.!?…]+[\"')\]]*(?=\s)|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")
_FIRST_CLAUSE_WORDS = 7  # a first sentence longer than this is spoken from its first clause on


class SentenceSplitter:
    """Feed streamed pieces; get back each sentence once it is complete (its end and the space after it).

    The first sentence of an answer is cut at its first clause (a comma or semicolon after a few words) when
    it is long: the first audio then waits for a short clause to be synthesised, not a whole sentence.
    """

    def __init__(self, *, split_first_clause: bool = True) -> None:
        self._buffer = ""
        self._first = split_first_clause

    def feed(self, piece: str) -> list[str]:
        self._buffer += piece
        out: list[str] = []
        start = 0
        for m in _END.finditer(self._buffer):
            candidate = self._buffer[start : m.end()]
            if _ends_in_abbreviation(candidate) or _ends_in_number(self._buffer, m.start()):
                continue
            out.extend(self._emit(candidate))
            start = m.end()
        self._buffer = self._buffer[start:]
        if self._first and not out:
            clause = _first_clause(self._buffer)
            if clause:
                self._buffer = self._buffer[len(clause) :]
                out.extend(self._emit(clause))
        return out

    def flush(self) -> list[str]:
        rest, self._buffer = self._buffer, ""
        return self._emit(rest)

    def _emit(self, text: str) -> list[str]:
        spoken = speakable(text)
        if not spoken:
            return []
        if self._first:
            self._first = False
            clause = _first_clause(spoken)
            if clause and spoken[len(clause) :].strip():
                return [clause, spoken[len(clause) :].strip()]
        return [spoken]


def _ends_in_abbreviation(text: str) -> bool:
    m = re.search(r"([A-Za-z][A-Za-z.]*)\.\W*$", text.strip())
    if m is None:
        return False
    word = m.group(1)
    return word.lower() in _ABBREVIATIONS or len(word) == 1  # "Dr.", "e.g.", an initial


def _ends_in_number(buffer: str, dot: int) -> bool:
    # "3.5": a period between digits; the digit after may not have arrived yet, so a trailing "3." waits.
    return dot > 0 and buffer[dot - 1].isdigit() and dot + 1 < len(buffer) and buffer[dot + 1].isdigit()


def _first_clause(buffer: str) -> str:
    m = re.search(r"[,;:](?=\s)", buffer)
    if m and len(buffer[: m.start()].split()) >= _FIRST_CLAUSE_WORDS:
        return buffer[: m.end()]
    return ""


_MARKDOWN = [
    (re.compile(r"```.*?(```|$)", re.S), " "),  # code blocks are not read out
    (re.compile(r"\[([^\]]+)\]\([^)]+\)"), r"\1"),  # [text](url) -> text
    (re.compile(r"https?://\S+"), "a link"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"(\*\*|__|\*|_|~~)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"^\s{0,3}(#{1,6}|[-*•]|\d+[.)]|>)\s+", re.M), ""),
    (re.compile(r"[✓✗⊘⏱⏹⌛■–·|]"), " "),
    (re.compile(r"\s+"), " "),
]


def speakable(text: str) -> str:
    """Text as it should be said: Markdown marks, links and code left out, white space collapsed."""
    for pattern, replacement in _MARKDOWN:
        text = pattern.sub(replacement, text)
    text = text.strip()
    return text if re.search(r"\w", text) else ""


def sentences(text: str) -> list[str]:
    """A whole text cut the way a stream of it would be."""
    splitter = SentenceSplitter(split_first_clause=False)
    return splitter.feed(text + " ") + splitter.flush()


class StepResult(Protocol):
    """What a finished assistant call says about itself: a StepOutcome, or a 'step_finished' AgentEvent."""

    @property
    def tool(self) -> str | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def text(self) -> str: ...
    @property
    def error(self) -> str: ...


def spoken_summary(steps: Iterable[StepResult]) -> str:
    """One sentence saying what the assistant did: each call's own first sentence, joined."""
    done: list[str] = []
    other: list[str] = []
    for s in steps:
        tool = (s.tool or "a tool").replace("_", " ")
        if s.status == "done":
            first = sentences(s.text)[:1]
            done.append(first[0].rstrip(".!") if first else f"I ran {tool}")
        elif s.status == "declined":
            other.append(f"{tool} not done, as you chose")
        elif s.status in ("failed", "timeout"):
            other.append(f"{tool} did not work")
        elif s.status == "skipped":
            other.append(f"{tool} was skipped")
    parts = done + other
    if not parts:
        return "I did nothing."
    if len(parts) == 1:
        return parts[0] + "."
    return "; ".join(parts[:-1]) + "; and " + parts[-1] + "."
