"""What a chat exchange may teach memory: only what the user says about themselves.

The assistant's turns are context, never a source of facts about the user (a story the model wrote is not
the user's life). In the user's own turns, requests and questions ("Write a story about a lighthouse
keeper", "How do I reverse a list?") and quoted text ("translate 'I love my cat'") say nothing about them:
only sentences in the first person that are statements go to extraction. Every extracted fact must then be
grounded in those sentences: the names, numbers and most of the words it holds were said by the user.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.memory.entities import USER, names_in
from core.memory.prompts import Turn

ASSISTANT_CONTEXT_CHARS = 160  # of the assistant's last turn, so a short "yes, two" can be understood
GROUNDED_SHARE = 0.5  # of a fact's content words that the user's sentences must hold

_QUOTED = re.compile(r"```.*?```|`[^`]*`|\"[^\"]*\"|“[^”]*”|'[^'\n]{2,}'(?!\w)", re.DOTALL)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_FIRST_PERSON = re.compile(
    r"\b(?:i|i'm|i've|i'd|i'll|me|my|mine|myself|we|we're|our|ours|us)\b", re.IGNORECASE
)
_REQUEST = re.compile(
    r"^\s*(?:please\b|(?:can|could|would|will) you\b|write\b|tell\b|give\b|show\b|make\b|create\b|"
    r"translate\b|explain\b|help\b|list\b|summari[sz]e\b|generate\b|draft\b|fix\b|find\b|describe\b|"
    r"compose\b|suggest\b|recommend\b|convert\b|calculate\b|imagine\b|pretend\b|let'?s\b|"
    r"i (?:need|want|would like|'d like) (?:you|a|an|the|some|to know|to see|help)\b|"
    r"i'd like (?:you|a|an|the|some)\b)",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[a-z0-9]+")
_FUNCTION_WORDS_TEXT = """user users a an the and or but of to in on at for from with by about is are was were be been being has
    have had do does did will would can could should may might their they them his her he she its it this
    that these those who which what named called also very really now currently recently there as into"""
_FUNCTION_WORDS = frozenset(_FUNCTION_WORDS_TEXT.split())


def personal_sentences(text: str) -> str:
    """The user's statements about themselves in `text` (first person, not a request or a question)."""
    kept = []
    for sentence in _SENTENCE.findall(_QUOTED.sub(" ", text)):
        s = sentence.strip()
        if not s or s.endswith("?") or _REQUEST.match(s) or not _FIRST_PERSON.search(s):
            continue
        kept.append(s)
    return " ".join(kept)


def chat_turns(turns: Sequence[Turn]) -> tuple[list[tuple[int, Turn]], str]:
    """The turns of a chat exchange as extraction sees them (with their index in `turns`), and the user's
    words that facts must come from.

    The user's turns keep only their personal sentences; an assistant turn is shown, clipped, only just
    before a user turn that remains. No personal sentence at all: nothing to extract ([], "").
    """
    out: list[tuple[int, Turn]] = []
    said: list[str] = []
    for i, turn in enumerate(turns):
        if turn.speaker != USER:
            continue
        personal = personal_sentences(turn.text)
        if not personal:
            continue
        before = turns[i - 1] if i > 0 and turns[i - 1].speaker != USER else None
        if before is not None and before.text.strip():
            out.append((i - 1, Turn(before.speaker, _clip(before.text, ASSISTANT_CONTEXT_CHARS))))
        out.append((i, Turn(USER, personal)))
        said.append(personal)
    return out, " ".join(said)


def grounded(fact: str, said: str, *, names_only: bool = False) -> bool:
    """Whether `fact` comes from `said`: each name and number it holds, and (unless `names_only`) most of
    its other words, are there (compared on their first four letters, so "lives" matches "live")."""
    heard = {w[:4] for w in _WORDS.findall(said.lower())}
    for name in names_in(fact):
        if name != USER and name.lower()[:4] not in heard:
            return False
    if names_only:
        return True
    words = [w for w in _WORDS.findall(fact.lower()) if w not in _FUNCTION_WORDS and len(w) > 2]
    if not words:
        return False
    return sum(w[:4] in heard for w in words) >= GROUNDED_SHARE * len(words)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
