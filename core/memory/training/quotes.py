"""Synthetic examples of the quoted answer (core.memory.quoting): the answer is the span of the one memory
that answers the question, its date for a time question, or "Not mentioned".

Built from the same topics as the other operations (names from vocab, never the evaluation's); the span
is found by `quoting.best_span` against the topic's short answer, so every target is one the per-request
grammar allows. A quarter of the questions have no answer among the memories shown: most often because
the asked kind of fact is there, but about someone else ("Tomasz's daughter" is not Ingrid's).
"""

from __future__ import annotations

import random

from core.adapters.data import Example
from core.memory import quoting
from core.memory.prompts import Answer, Remembered, answer_target, quote_messages
from core.memory.training import synth
from core.memory.training import topics as tp
from core.memory.training import vocab as v
from core.memory.training.examples import memory_example
from core.memory.training.topics import USER, Who, fill

NOT_ANSWERED_SHARE = 0.25
NAMED_SHARE = 0.6  # LoCoMo asks about named people; a chat asks about the user
# Recall ranks the memory that answers first more often than second, and so on: its rank r is drawn with
# weight RANK_DECAY**r, and the prompt lists the memories best last (quoting.best_last), as answers do.
RANK_DECAY = 0.5


def quote_example(rng: random.Random, i: int = 0) -> Example:
    """One quoted-answer example (tries again until the topic's answer is a span of its memory)."""
    while True:
        made = _try(rng)
        if made is not None:
            return made


def _try(rng: random.Random) -> Example | None:
    who = Who.of(rng.choice(v.NAMES)) if rng.random() < NAMED_SHARE else USER
    n = rng.randint(1, 6)
    asked = tp.topics_for(rng, 1)[0]
    keys = {asked.key}
    question, short = synth._qa(rng, asked, who)
    if rng.random() < NOT_ANSWERED_SHARE:
        shown = synth._answer_distractors(rng, [asked], who, n, keys)
        if rng.random() < 0.7:  # the asked fact, about someone else
            shown[rng.randrange(len(shown))] = synth._someone_elses(rng, asked.kind, who)
        memories = [Remembered(text, synth._maybe_date(rng)) for text in shown]
        return _example(question, memories, Answer((), quoting.NOT_MENTIONED))
    text = fill(rng.choice(asked.memory), who)
    date = synth._day(synth._date(rng)[0]) if asked.kind == "event" or rng.random() < 0.3 else ""
    answer, f1 = quoting.best_span(text, short.rstrip(".")) if short else ("", 0.0)
    if f1 < 0.5:  # a time question whose memory holds no date of its own is answered with its date
        if not (quoting.is_time_question(question) and date):
            return None
        answer = date
    shown = synth._answer_distractors(rng, [asked], who, n - 1, keys)
    memories = [Remembered(t, synth._maybe_date(rng)) for t in shown]
    rank = rng.choices(range(n), weights=[RANK_DECAY**r for r in range(n)])[0]
    at = n - 1 - rank  # best last
    memories.insert(at, Remembered(text, date))
    return _example(question, memories, Answer((at + 1,), answer))


def _example(question: str, memories: list[Remembered], answer: Answer) -> Example:
    return memory_example("answer", quote_messages(question, memories), answer_target(answer), len(memories))
