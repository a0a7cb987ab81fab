"""Building blocks of generated requests: marked slot values, times and durations in many forms, politeness,
typos, and the clause type every intent returns.

A slot value is written between SLOT_OPEN and SLOT_CLOSE while a request is assembled, so that typos and
case changes touch only the template's own words, never a value the plan must copy; `finish` removes the
marks.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.assistant.training import vocab as v

SLOT_OPEN, SLOT_CLOSE = "\u27e6", "\u27e7"
# A fixed "now" against which every generated time is checked to mean what it says.
CHECK_NOW = datetime(2026, 3, 2, 8, 30).astimezone()


def slot(value: object) -> str:
    return f"{SLOT_OPEN}{value}{SLOT_CLOSE}"


@dataclass
class Call:
    """One call of a plan: a tool and its arguments (values, lists, or `$N` strings for earlier calls)."""

    tool: str
    args: dict[str, Any]


@dataclass
class Clause:
    """A piece of a request and the calls it asks for; `template` names the phrasing (the hold-out unit)."""

    text: str
    calls: list[Call]
    template: str
    # Calls of the same clause may depend on each other: `$N` inside refers to the clause's own calls
    # (1-based), renumbered when clauses are put together.
    imperative: bool = True  # "Remind me..." (joins with "and"), not "What is...?"
    entities: tuple[str, ...] = field(default_factory=tuple)


def pick(rng: random.Random, options: tuple[Any, ...] | list[Any]) -> Any:
    return options[rng.randrange(len(options))]


HELD_OUT_MARK = "*"


def template_id(name: str, i: int, n: int) -> str:
    """`name.i`, marked held out ("name.i*") for the last phrasing of an intent that has at least four:
    the held-out split is made of whole phrasings training never saw (the first, most common ones stay in
    training)."""
    return f"{name}.{i}" + (HELD_OUT_MARK if n >= 4 and i == n - 1 else "")


def template(rng: random.Random, name: str, options: list[str]) -> tuple[str, str]:
    """One phrasing of `options` and its id (template_id)."""
    i = rng.randrange(len(options))
    return options[i], template_id(name, i, len(options))


# ---- times ----------------------------------------------------------------------------------------------

_DAYS_OF_WEEK = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip


def _ordinal(n: int) -> str:
    suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def day_phrase(rng: random.Random) -> tuple[str, str]:
    """(words in the request, the value a call gets) for a day."""
    r = rng.random()
    if r < 0.16:
        return pick(rng, (("today", "today"), ("tomorrow", "tomorrow"), ("tomorrow", "tomorrow"),
                          ("the day after tomorrow", "day after tomorrow")))  # fmt: skip
    if r < 0.55:
        d = pick(rng, _DAYS_OF_WEEK)
        d = d if rng.random() < 0.85 else d.lower()
        return pick(rng, ((f"on {d}", d), (d, d), (f"next {d}", f"next {d}"), (f"this {d}", f"this {d}")))
    month = pick(rng, _MONTHS)
    day = rng.randint(1, 28)
    short = month[:3]
    return pick(
        rng,
        (
            (f"on {month} {day}", f"{month} {day}"),
            (f"on {day} {month}", f"{day} {month}"),
            (f"on the {_ordinal(day)} of {month}", f"{_ordinal(day)} of {month}"),
            (f"on {short} {day}", f"{short} {day}"),
            (f"{month} {_ordinal(day)}", f"{month} {_ordinal(day)}"),
        ),
    )


def clock_phrase(rng: random.Random) -> tuple[str, str]:
    """(words, value) for a time of day."""
    r = rng.random()
    hour = rng.randint(1, 12)
    if r < 0.45:
        ampm = pick(rng, ("am", "pm", "pm"))
        return f"at {hour}{ampm}", f"{hour}{ampm}"
    if r < 0.6:
        ampm = pick(rng, ("am", "pm"))
        return f"at {hour} {ampm}", f"{hour} {ampm}"
    if r < 0.72:
        minute = pick(rng, ("15", "30", "45", "05", "20", "40"))
        ampm = pick(rng, ("am", "pm"))
        return f"at {hour}:{minute}{ampm}", f"{hour}:{minute}{ampm}"
    if r < 0.84:
        h24 = rng.randint(7, 22)
        minute = pick(rng, ("00", "30", "15", "45"))
        return f"at {h24}:{minute}", f"{h24}:{minute}"
    return pick(
        rng,
        (("at noon", "noon"), ("at midday", "midday"), ("in the morning", "morning"),
         ("in the evening", "evening"), ("in the afternoon", "afternoon"), ("at midnight", "midnight")),
    )  # fmt: skip


def when_phrase(
    rng: random.Random, *, need_day: bool = False, allow_relative: bool = True
) -> tuple[str, str]:
    """(words in the request, value) for a point in time, day first in the value: "tomorrow 3pm"."""
    r = rng.random()
    if allow_relative and r < 0.12:
        n = pick(rng, (5, 10, 15, 20, 25, 30, 40, 45, 90))
        unit = pick(rng, (("minutes", "minutes"), ("mins", "mins"), ("min", "min")))
        hours = pick(rng, (("in an hour", "in an hour"), ("in 2 hours", "in 2 hours"),
                           ("in 3 hours", "in 3 hours"), ("in half an hour", "in half an hour")))  # fmt: skip
        return pick(rng, ((f"in {n} {unit[0]}", f"in {n} {unit[1]}"), hours))
    if r < 0.2 and not need_day:
        return clock_phrase(rng)
    if r < 0.27:
        return day_phrase(rng)
    if r < 0.31:
        month, day = pick(rng, _MONTHS), rng.randint(1, 28)
        iso = f"2026-{_MONTHS.index(month) + 1:02d}-{day:02d} {rng.randint(7, 21):02d}:{pick(rng, ('00', '30'))}"
        return f"on {iso}", iso
    day_words, day_value = day_phrase(rng)
    clock_words, clock_value = clock_phrase(rng)
    if (
        day_words.startswith("on ")
        and rng.random() < 0.5
        or rng.random() < 0.3
        and day_words in ("today", "tomorrow")
    ):
        words = f"{clock_words} {day_words}"
    else:
        words = f"{day_words} {clock_words}"
    return words, f"{day_value} {clock_value}"


def duration_phrase(rng: random.Random) -> tuple[str, int, str]:
    """(words after "for", minutes, adjective form) for how long something lasts."""
    minutes = pick(rng, (15, 20, 30, 45, 60, 90, 120, 180, 240, 480))
    hours = minutes // 60
    forms: list[tuple[str, str]] = [
        (f"{minutes} minutes", f"{minutes} minute"),
        (f"{minutes} mins", f"{minutes}-minute"),
    ]
    if minutes == 60:
        forms += [("an hour", "one hour"), ("1 hour", "1 hour")]
    elif minutes % 60 == 0:
        forms += [(f"{hours} hours", f"{hours} hour"), (f"{hours} hrs", f"{hours}-hour")]
    elif minutes == 30:
        forms += [("half an hour", "half-hour")]
    elif minutes == 90:
        forms += [("an hour and a half", "90 minute"), ("1.5 hours", "90-minute")]
    words, adjective = pick(rng, forms)
    return words, minutes, adjective


def minutes_phrase(rng: random.Random) -> tuple[str, int, str]:
    """(words, minutes, adjective form) for a timer: "12 minutes", "an hour", "a 5 minute"."""
    n = pick(rng, (1, 2, 3, 4, 5, 6, 7, 8, 12, 15, 18, 20, 25, 35, 40, 50, 55, 60, 75, 90, 120))
    if n == 60 and rng.random() < 0.5:
        return "an hour", 60, "one hour"
    if n in (90, 120) and rng.random() < 0.5:
        return ("an hour and a half", 90, "90 minute") if n == 90 else ("2 hours", 120, "two hour")
    if n in v.WORD_NUMBERS and rng.random() < 0.2:
        word = v.WORD_NUMBERS[n]
        return f"{word} minutes", n, f"{word} minute"
    unit = pick(rng, ("minutes", "minutes", "mins", "min")) if n > 1 else "minute"
    return f"{n} {unit}", n, pick(rng, (f"{n} minute", f"{n}-minute", f"{n} min"))


# ---- people ---------------------------------------------------------------------------------------------


def person(rng: random.Random) -> str:
    r = rng.random()
    first = pick(rng, v.FIRST_NAMES)
    if r < 0.2:
        return f"{first} {pick(rng, v.LAST_NAMES)}"
    if r < 0.25:
        return pick(rng, v.FAMILY_NAMES)
    return first


def people(rng: random.Random, n: int) -> list[str]:
    out: list[str] = []
    while len(out) < n:
        p = person(rng)
        if p not in out and all(p.split()[0] != q.split()[0] for q in out):
            out.append(p)
    return out


def email_address(rng: random.Random) -> str:
    local = pick(rng, v.FIRST_NAMES).lower().replace("-", "")
    if rng.random() < 0.4:
        local += "." + pick(rng, v.LAST_NAMES).lower()
    return f"{local}@{pick(rng, v.EMAIL_DOMAINS)}"


def join_names(names: list[str], rng: random.Random) -> str:
    if len(names) == 1:
        return slot(names[0])
    marked = [slot(n) for n in names]
    last = pick(rng, (" and ", " & ", ", and ")) if len(names) > 2 else pick(rng, (" and ", " and ", " & "))
    return ", ".join(marked[:-1]) + last + marked[-1]


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---- whole requests --------------------------------------------------------------------------------------

_POLITE_PREFIX = (
    "Please ", "Can you ", "Could you ", "Hey, ", "Hi Hearth, ", "I need you to ", "Would you ", "Quick one: ",
    "Could you please ", "Hearth, ", "Can you please ", "Pls ", "I'd like you to ", "Go ahead and ",
)  # fmt: skip
_POLITE_SUFFIX = (" please", ", please", " thanks", ", thank you", " thx", "!", " for me", ", cheers")
_TYPO_SKIP = re.compile(rf"{SLOT_OPEN}[^{SLOT_CLOSE}]*{SLOT_CLOSE}")


def politeness(rng: random.Random, text: str, imperative: bool) -> str:
    r = rng.random()
    if imperative and r < 0.25:
        prefix = pick(rng, _POLITE_PREFIX)
        body = text[:1].lower() + text[1:] if not text.startswith(SLOT_OPEN) else text
        text = prefix + body
        if prefix.rstrip().endswith(("you", "please")) and rng.random() < 0.6:
            text = text.rstrip(".!") + "?"
    elif r < 0.4:
        text = text.rstrip(".!?") + pick(rng, _POLITE_SUFFIX)
    return text


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swap
    if kind < 0.7:
        return word[:i] + word[i + 1 :]  # drop
    return word[:i] + word[i] + word[i:]  # double


def noise(rng: random.Random, text: str) -> str:
    """Typos, case and punctuation changes in the template's words (never inside a slot)."""
    parts = _TYPO_SKIP.split(text)
    slots = _TYPO_SKIP.findall(text)
    if rng.random() < 0.12:
        n = 1 if rng.random() < 0.8 else 2
        for _ in range(n):
            k = rng.randrange(len(parts))
            words = parts[k].split(" ")
            candidates = [j for j, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
            if candidates:
                j = pick(rng, candidates)
                words[j] = _typo(words[j], rng)
                parts[k] = " ".join(words)
    r = rng.random()
    if r < 0.1:
        parts = [p.lower() for p in parts]
    if rng.random() < 0.15:
        parts[-1] = parts[-1].rstrip(".!?")
    out = parts[0]
    for s, p in zip(slots, parts[1:], strict=True):
        out += s + p
    return out


def finish(text: str) -> str:
    """The request as the user typed it: marks removed, spaces tidied."""
    text = text.replace(SLOT_OPEN, "").replace(SLOT_CLOSE, "")
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\s+([,.?!:])", r"\1", text)
