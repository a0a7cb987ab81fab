"""Reads the times people and small models write: "tomorrow 3pm", "in 20 minutes", "2025-05-02 14:30".

Plain rules, no model: the planner copies the user's words into the call and this turns them into a time.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from core.errors import ToolError

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = [
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
]  # fmt: skip
_PARTS = {"morning": time(9), "noon": time(12), "midday": time(12), "afternoon": time(15),
          "evening": time(18), "tonight": time(20), "night": time(20), "midnight": time(0)}  # fmt: skip
DEFAULT_TIME = time(9)
_UNITS = {"min": 60, "minute": 60, "minutes": 60, "mins": 60, "m": 60, "hour": 3600, "hours": 3600,
          "h": 3600, "hr": 3600, "hrs": 3600, "day": 86400, "days": 86400, "week": 604800,
          "weeks": 604800, "second": 1, "seconds": 1, "sec": 1, "secs": 1, "s": 1}  # fmt: skip


def parse_when(text: str, now: datetime) -> datetime:
    """A local, timezone-aware time for `text`, relative to `now`. Raises ToolError if it cannot tell."""
    now = now.astimezone()
    s = " ".join(text.lower().replace(",", " ").split())
    if not s:
        raise ToolError("No time was given.")
    try:  # ISO forms first: "2025-05-02", "2025-05-02 14:30", "2025-05-02T14:30:00"
        parsed = datetime.fromisoformat(
            s.upper().replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", s) else s
        )
        if re.fullmatch(r"\d{4}-\d\d-\d\d", s):
            parsed = datetime.combine(parsed.date(), DEFAULT_TIME)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=now.tzinfo)
    except ValueError:
        pass
    m = re.fullmatch(r"(?:in\s+)?(\d+(?:\.\d+)?|an?|one|half an?)\s*([a-z]+)(?:\s+from now)?", s)
    if m and m.group(2) in _UNITS:
        amount = {"a": 1.0, "an": 1.0, "one": 1.0}.get(m.group(1))
        if amount is None:
            amount = 0.5 if m.group(1).startswith("half") else float(m.group(1))
        return now + timedelta(seconds=amount * _UNITS[m.group(2)])

    day: date | None = None
    rest = s
    for word, offset in (("day after tomorrow", 2), ("tomorrow", 1), ("today", 0), ("tonight", 0)):
        if word in rest:
            day = now.date() + timedelta(days=offset)
            if word != "tonight":
                rest = rest.replace(word, " ")
            break
    if day is None:
        for i, name in enumerate(_WEEKDAYS):
            m = re.search(rf"\b(next\s+)?{name[:3]}(?:{name[3:]})?\b", rest)
            if m:
                # The coming one, "next" or not: "next friday" said on a monday mostly means this week's.
                ahead = (i - now.weekday()) % 7 or 7
                day = now.date() + timedelta(days=ahead)
                rest = rest[: m.start()] + " " + rest[m.end() :]
                break
    if day is None:
        day, rest = _month_day(rest, now.date())
    t, rest = _clock(rest)
    leftover = re.sub(r"\b(at|on|the|by|in|of|this|next|around|about)\b", " ", rest).strip()
    if leftover and day is None and t is None:
        raise ToolError(f"Cannot tell what time '{text}' means; try 'tomorrow 3pm' or '2025-05-02 14:30'.")
    if day is None:
        if t is None:
            raise ToolError(f"Cannot tell what time '{text}' means.")
        candidate = datetime.combine(now.date(), t, tzinfo=now.tzinfo)
        return candidate if candidate > now else candidate + timedelta(days=1)
    return datetime.combine(day, t or DEFAULT_TIME, tzinfo=now.tzinfo)


def _month_day(s: str, today: date) -> tuple[date | None, str]:
    for i, name in enumerate(_MONTHS):
        pat = rf"\b{name[:3]}(?:{name[3:]})?\.?\b"
        m = re.search(rf"{pat}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+(\d{{4}}))?", s) or re.search(
            rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{pat}(?:\s+(\d{{4}}))?", s
        )
        if m:
            day_n, year = int(m.group(1)), int(m.group(2)) if m.group(2) else None
            try:
                d = date(year or today.year, i + 1, day_n)
            except ValueError as e:
                raise ToolError(f"There is no {name.title()} {day_n}.") from e
            if year is None and d < today:
                d = d.replace(year=today.year + 1)
            return d, s[: m.start()] + " " + s[m.end() :]
    return None, s


def _clock(s: str) -> tuple[time | None, str]:
    m = re.search(r"\b(\d{1,2})(?::(\d\d))?\s*(am|pm|a\.m\.|p\.m\.)", s) or re.search(
        r"\b(\d{1,2}):(\d\d)\b", s
    )
    if m:
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        suffix = m.group(3) if m.lastindex and m.lastindex >= 3 else None
        if suffix:
            if not 1 <= hour <= 12:
                raise ToolError(f"'{m.group(0)}' is not a time.")
            hour = hour % 12 + (12 if suffix.startswith("p") else 0)
        if hour > 23 or minute > 59:
            raise ToolError(f"'{m.group(0)}' is not a time.")
        return time(hour, minute), s[: m.start()] + " " + s[m.end() :]
    for word, t in _PARTS.items():
        if re.search(rf"\b{word}\b", s):
            return t, re.sub(rf"\b{word}\b", " ", s)
    return None, s


def parse_duration_minutes(text: str) -> float:
    """ "20 minutes", "1.5 hours", "90" -> minutes."""
    s = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return float(s)
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]+)", s)
    if m and m.group(2) in _UNITS:
        return float(m.group(1)) * _UNITS[m.group(2)] / 60
    raise ToolError(f"Cannot tell how long '{text}' is.")
