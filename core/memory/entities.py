"""Whom a memory is about and which people, places and dates it names: the keys of entity and time recall.

Plain rules over the memory's own words (memories are short third-person sentences that start with their
subject: "User's sister lives in Lyon.", "Tomasz's daughter Zofia plays the violin."), so they cost no
model call and give the same answer for the same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

USER = "User"

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip
_MONTHS_LOWER = {m.lower(): m for m in MONTHS}

# Capitalised words that name nobody: sentence openers, pronouns, days and the like.
_NOT_NAMES_TEXT = """a an the and but or so if when where what which who whom whose why how is are was were be been do
    does did has have had can could would will should may might must i me my mine we our us you your he him
    his she her hers they them their it its this that these those there here then than also just not no yes
    on in at of to for from with by about after before during since until over under into onto
    monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday last next now
    mr mrs ms dr mum mom dad"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿĀ-ž][\w'’-]*")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_POSSESSIVE = re.compile(r"['’]s?$")


def _bare(word: str) -> str:
    return _POSSESSIVE.sub("", word)


def names_in(text: str) -> list[str]:
    """The people, places, months and years `text` names, in order, once each ("Tomasz", "Leeds", "March",
    "2023"); "User" counts as a name (the user is a person memories are about)."""
    out: list[str] = []
    for m in _WORD.finditer(text):
        word = _bare(m.group())
        if not word:
            continue
        if word.lower() in _MONTHS_LOWER:
            out.append(_MONTHS_LOWER[word.lower()])
        elif word[0].isupper() and word.lower() not in _NOT_NAMES:
            out.append(word)
    out += _YEAR.findall(text)
    return list(dict.fromkeys(out))


def subject_of(text: str) -> str:
    """Whom the memory is about: its first word when that is a name ("User's dog..." -> "User"), else
    the first person it names, else ""."""
    first = _WORD.search(text)
    if first is not None:
        word = _bare(first.group())
        if word[:1].isupper() and word.lower() not in _NOT_NAMES and word.lower() not in _MONTHS_LOWER:
            return word
    people = [n for n in names_in(text) if n not in MONTHS and not n.isdigit()]
    return people[0] if people else ""


def names_field(text: str, date: str = "") -> str:
    """What FTS5 indexes beside a memory's text: its subject, the names it holds and its date's words."""
    return " ".join(dict.fromkeys([*names_in(text), *names_in(date), *re.findall(r"\b\d{1,2}\b", date)]))


def people_named(question: str, known: Iterable[str]) -> set[str]:
    """The `known` people (subjects and names of stored memories) that `question` names."""
    known_lower = {k.lower(): k for k in known}
    return {known_lower[n.lower()] for n in names_in(question) if n.lower() in known_lower}


def months_and_years(text: str) -> set[str]:
    """The months and years a question or a date mentions: what time recall matches on."""
    return {n for n in names_in(text) if n in MONTHS or n.isdigit()}
