"""Seedable synthetic training examples for the three memory operations, with gold labels.

Every prompt is rendered by core.memory.prompts (extract_messages, update_messages, answer_messages) and
every target by its *_target function, so what the adapters learn is exactly what they are asked at
inference. The same seed always gives the same examples.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

from core.adapters.data import Example
from core.engine import ChatMessage
from core.memory.prompts import (
    EVENTS,
    Answer,
    Decision,
    Event,
    Operation,
    Remembered,
    Turn,
    answer_messages,
    answer_target,
    extract_messages,
    extract_target,
    update_messages,
    update_target,
)
from core.memory.training import topics as tp
from core.memory.training import vocab as v
from core.memory.training.examples import memory_example
from core.memory.training.topics import USER, Topic, Who, fill

NOT_IN_MEMORY = (
    "I don't have that in my memory.",
    "I don't have that in my memory.",
    "That isn't in my memory.",
    "Nothing about that is in my memory.",
)

# Kinds whose questions stay unambiguous when the same person has another fact of the kind.
_SPECIFIC_KINDS = frozenset({"event", "relative"})

_USER_SMALL_TALK = (
    "Hi there!", "Hey, how's it going?", "Good morning!", "Thanks, that's really helpful.",
    "Can you tell me a joke?", "What's the capital of Australia?", "How do I boil an egg?",
    "Haha, that's funny.", "Ok cool.", "Can you help me write an email?", "What does 'ephemeral' mean?",
    "Any tips for sleeping better?", "Tell me something interesting.", "How many grams are in a pound?",
    "What should I watch tonight?", "lol", "Never mind.", "What time zone is Tokyo in?",
    "Could you summarise that for me?", "Is it going to rain tomorrow?", "That makes sense.",
    "Hmm, let me think about it.", "Can you recommend a good book?", "What's 15% of 80?",
    "How do you say thank you in French?", "Good night!", "What's a good name for a band?",
    "Why is the sky blue?", "Can you explain how vaccines work?", "I'm bored.", "Thanks!",
    "How long should I steep green tea?", "What year did the Berlin Wall fall?", "Tell me a fun fact.",
    "Can you write a haiku about autumn?", "That's not what I meant.", "Sure, go on.", "Interesting!",
)  # fmt: skip

_ASSISTANT_REPLIES = (
    "That sounds wonderful!", "Nice! How long have you been doing that?", "Thanks for sharing that with me.",
    "Got it.", "Sure, here's one: why did the scarecrow win an award? Because he was outstanding in his field.",
    "Canberra is the capital of Australia.", "I'm an AI, so I don't have a home, but I'd love to hear about yours.",
    "I love hearing about pets! What breed is it?", "As an assistant I don't eat, but that sounds delicious.",
    "Oh no, I'm sorry to hear that.", "That's exciting! When do you leave?", "How are you feeling about it?",
    "Of course, happy to help.", "Most adults need seven to nine hours of sleep.", "Interesting! Tell me more.",
    "I live in the cloud, so no city for me!", "I don't have hobbies, but I enjoy our chats.",
    "Good morning! What can I do for you today?", "Hi! How can I help?", "Happy to help anytime.",
    "That must keep you busy.", "What a great plan!", "I'm not able to check the weather, sorry.",
    "Try 'The Night Circus', it's a lovely read.", "You're welcome!", "Sounds like a lot of fun.",
    "I'm a language model, so I don't have a family, but yours sounds lovely.", "Congratulations!",
    "Sure! What would you like the email to say?", "Good night, sleep well!",
)  # fmt: skip

_ASSISTANT_GREETINGS = (
    "Good morning! What can I do for you today?",
    "Hi! How can I help?",
    "Happy to help anytime.",
)

_CHAT_SMALL_TALK = (
    "Hey {other}! Long time no see.", "How was your weekend?", "Haha, that's great.",
    "Did you catch the game last night?", "I can't believe how fast this year is going.",
    "Want to grab coffee sometime?", "Oh wow, tell me more!", "That sounds amazing.", "Same here, honestly.",
    "Good to hear from you, {other}!", "How's everything going?", "Congrats!!", "Oh no, that's rough.",
    "What have you been up to?", "No way, really?", "That's so cool.", "Hope you're doing well.",
    "Talk soon!", "Ha, I know what you mean.", "How are you holding up?", "Sounds fun!", "See you soon, {other}.",
)  # fmt: skip

_OPENERS = ("", "", "", "", "Oh, ", "Well, ", "Actually, ", "So ", "By the way, ", "Honestly, ", "Yeah, ")
_ENDINGS = (".", ".", ".", "!", " :)", ". What about you?", "!!", ". Anyway.", ", just so you know.")
_JOINERS = (", and ", ". Also, ", " and ", ". Oh and ", "; ")

_BASE_PROMPTS = (
    "",
    "",
    "",
    "You are Hearth, a friendly assistant that runs on this computer.",
    "You are a helpful assistant.",
    "You are Hearth. Keep answers short and kind.",
    "You are a private assistant. Answer briefly.",
)


def generate(op: Operation, n: int, seed: int = 0) -> list[Example]:
    """n distinct examples of one operation; the same (op, n, seed) always gives the same list."""
    from core.memory.training.quotes import (
        quote_example,  # the quoted answer (issue 18) replaces answer_example
    )

    rng = random.Random(f"{op}:{seed}")
    make: Callable[[random.Random, int], Example] = {
        "extract": extract_example,
        "update": update_example,
        "answer": quote_example,
    }[op]
    out: list[Example] = []
    seen: set[str] = set()
    i = 0
    while len(out) < n:
        ex = make(rng, i)
        i += 1
        key = repr(ex.messages)
        if key not in seen:
            seen.add(key)
            out.append(ex)
    return out


# ---- shared pieces --------------------------------------------------------------------------------------


def _date(rng: random.Random) -> tuple[str, int, int]:
    """A date as memories and conversations show it (ISO, written out, or LoCoMo's "1:56 pm on 8 May,
    2023"), with its year and month."""
    y, m, d = rng.randint(2022, 2026), rng.randint(1, 12), rng.randint(1, 28)
    style = rng.random()
    if style < 0.45:
        return f"{y}-{m:02d}-{d:02d}", y, m
    if style < 0.6:
        return f"{d} {v.MONTHS[m - 1]} {y}", y, m
    if style < 0.7:
        return f"{v.MONTHS[m - 1]} {d}, {y}", y, m
    hour, minute = rng.randint(1, 12), rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50))
    return f"{hour}:{minute:02d} {rng.choice(('am', 'pm'))} on {d} {v.MONTHS[m - 1]}, {y}", y, m


def _day(date: str) -> str:
    """The day of a date, without a time of day: "1:56 pm on 8 May, 2023" -> "8 May, 2023"."""
    return date.split(" on ", 1)[-1]


_IN_MONTH = re.compile(r" in (" + "|".join(v.MONTHS) + r")\.$")


def _with_year(fact: str, year: int, month: int) -> str:
    """ "... in July." said on a dated day -> "... in July 2025." (the next July from that day)."""
    found = _IN_MONTH.search(fact)
    if not found:
        return fact
    later = v.MONTHS.index(found.group(1)) + 1 >= month
    return fact[: found.start()] + f" in {found.group(1)} {year if later else year + 1}."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _sentence(rng: random.Random, clauses: Sequence[str], *, opener: bool = True) -> str:
    """First-person clauses joined into one chat message."""
    body = clauses[0]
    for c in clauses[1:]:
        body += rng.choice(_JOINERS) + c
    body = (rng.choice(_OPENERS) if opener else "") + body
    return body[:1].upper() + body[1:] + rng.choice(_ENDINGS)


def _relative_topic(rng: random.Random, keys: set[str]) -> tuple[str, Topic]:
    while True:
        rel = rng.choice(v.RELATIVES)
        t = tp.topics_for(rng, 1, kinds=tp.RELATIVE_KINDS)[0]
        if f"{rel}/{t.key}" not in keys:
            keys.add(f"{rel}/{t.key}")
            return rel, t


def _statement(rng: random.Random, who: Who, keys: set[str]) -> tuple[str, str]:
    """Something a speaker says about themselves or a relative, and the fact extraction keeps of it."""
    if rng.random() < 0.22:
        rel, t = _relative_topic(rng, keys)
        said = fill(rng.choice(t.memory), Who.of(f"my {rel}")).rstrip(".")
        return _lower_first(said), fill(t.memory[0], who.relative(rel))
    t = tp.topics_for(rng, 1, keys)[0]
    keys.add(t.key)
    roll = rng.random()
    for change in (t.change, t.end, t.detail):
        if change is not None and roll < 0.1:
            return rng.choice(change.said), fill(change.news[0], who)
        roll -= 0.1 if change is not None else 0.0
    return rng.choice(t.said), fill(t.memory[0], who)


def _clause_count(rng: random.Random) -> int:
    r = rng.random()
    return 0 if r < 0.28 else 1 if r < 0.8 else 2


# ---- extraction -----------------------------------------------------------------------------------------


def extract_example(rng: random.Random, i: int = 0) -> Example:
    style = rng.random()
    date, year, month = _date(rng) if rng.random() < 0.45 else ("", 0, 0)
    if style < 0.52:
        turns, facts = _chat(rng, facts_wanted=True)
    elif style < 0.84:
        turns, facts = _conversation(rng, facts_wanted=True)
    elif style < 0.93:
        turns, facts = _chat(rng, facts_wanted=False)
    else:
        turns, facts = _conversation(rng, facts_wanted=False)
    if date:
        facts = [_with_year(f, year, month) for f in facts]
    return memory_example("extract", extract_messages(turns, date), extract_target(facts))


def _chat(rng: random.Random, *, facts_wanted: bool) -> tuple[list[Turn], list[str]]:
    """A Hearth chat: facts come from the User's turns only, and only about the User."""
    turns: list[Turn] = []
    facts: list[str] = []
    keys: set[str] = set()
    if rng.random() < 0.25:
        turns.append(Turn("Assistant", rng.choice(_ASSISTANT_GREETINGS)))
    n_user = rng.randint(1, 4)
    for k in range(n_user):
        n = _clause_count(rng) if facts_wanted else 0
        if facts_wanted and k == n_user - 1 and not facts:
            n = max(n, 1)
        n = min(n, 6 - len(facts))
        if n == 0:
            turns.append(Turn("User", rng.choice(_USER_SMALL_TALK)))
        else:
            clauses = []
            for _ in range(n):
                said, fact = _statement(rng, USER, keys)
                clauses.append(said)
                facts.append(fact)
            text = _sentence(rng, clauses)
            if rng.random() < 0.2:
                text = rng.choice(_USER_SMALL_TALK) + " " + text
            turns.append(Turn("User", text))
        if k < n_user - 1 or rng.random() < 0.5:
            turns.append(Turn("Assistant", rng.choice(_ASSISTANT_REPLIES)))
    return turns, facts


def _conversation(rng: random.Random, *, facts_wanted: bool) -> tuple[list[Turn], list[str]]:
    """Two named people talking; each says things about themselves (and their families)."""
    a, b = rng.sample(v.NAMES, 2)
    keys: dict[str, set[str]] = {a: set(), b: set()}
    turns: list[Turn] = []
    facts: list[str] = []
    n_turns = rng.randint(2, 6)
    for k in range(n_turns):
        me, other = (a, b) if k % 2 == 0 else (b, a)
        n = _clause_count(rng) if facts_wanted else 0
        if facts_wanted and k == n_turns - 1 and not facts:
            n = max(n, 1)
        n = min(n, 6 - len(facts))
        if n == 0:
            turns.append(Turn(me, rng.choice(_CHAT_SMALL_TALK).format(other=other)))
            continue
        clauses = []
        for _ in range(n):
            said, fact = _statement(rng, Who.of(me), keys[me])
            clauses.append(said)
            facts.append(fact)
        text = _sentence(rng, clauses)
        if rng.random() < 0.25:
            text = rng.choice(_CHAT_SMALL_TALK).format(other=other) + " " + text
        turns.append(Turn(me, text))
    return turns, facts


# ---- update ---------------------------------------------------------------------------------------------


def update_example(rng: random.Random, i: int = 0) -> Example:
    """Cycles ADD, UPDATE, DELETE, NONE so each decision is a quarter of the examples."""
    event: Event = EVENTS[i % len(EVENTS)]
    who = USER if rng.random() < 0.75 else Who.of(rng.choice(v.NAMES))
    fact, memories, decision = _decide(rng, event, who)
    return memory_example(
        "update",
        update_messages(fact, [Remembered(m) for m in memories]),
        update_target(decision),
        len(memories),
    )


def _supports(t: Topic, event: Event) -> bool:
    if event == "UPDATE":
        return t.change is not None or t.detail is not None
    if event == "DELETE":
        return t.end is not None
    return True


def _decide(rng: random.Random, event: Event, who: Who) -> tuple[str, list[str], Decision]:
    while True:
        t = rng.choice(tp.KINDS)(rng)
        if _supports(t, event):
            break
    n = rng.randint(1, 5) if event != "ADD" else (0 if rng.random() < 0.06 else rng.randint(1, 5))
    others = _distractors(rng, t, who, n - (event != "ADD"))
    if event == "ADD":
        fact = fill(rng.choice(t.memory), who)
        return fact, others, Decision("ADD", 0, fact)

    at = rng.randint(0, len(others))
    if event == "NONE" and t.detail is not None and rng.random() < 0.3:
        stored = fill(t.detail.result, who)  # the stored memory says more than the new fact
        fact = fill(rng.choice(t.memory), who)
    else:
        stored = fill(rng.choice(t.memory), who)
        fact = stored if event == "NONE" and rng.random() < 0.2 else ""
    memories = [*others[:at], stored, *others[at:]]
    if event == "NONE":
        if not fact:
            fact = fill(rng.choice([m for m in t.memory if fill(m, who) != stored] or t.memory), who)
        return fact, memories, Decision("NONE", at + 1, "")
    if event == "DELETE":
        assert t.end is not None
        return fill(rng.choice(t.end.news), who), memories, Decision("DELETE", at + 1, "")
    options = [c for c in (t.change, t.detail) if c is not None]
    change = rng.choice(options)
    return fill(rng.choice(change.news), who), memories, Decision("UPDATE", at + 1, fill(change.result, who))


def _distractors(rng: random.Random, t: Topic, who: Who, n: int) -> list[str]:
    """Stored memories that must not be picked: other topics of the same person, and often the same kind of
    fact about someone else (their sister's city when the new fact is about their own)."""
    out: list[str] = []
    keys = {t.key}
    for _ in range(max(n, 0)):
        r = rng.random()
        if r < 0.3:  # the same kind of fact about someone else
            out.append(_someone_elses(rng, t.kind, who))
            continue
        if r < 0.45 and not t.exclusive:  # the same kind, another value, the same person ("enjoys running")
            u = tp.topics_for(rng, 1, keys, kinds=(t.kind,))[0]
        else:
            u = tp.topics_for(rng, 1, keys)[0]
        keys.add(u.key)
        out.append(fill(rng.choice(u.memory), who))
    return out


def _someone_elses(rng: random.Random, kind: str, who: Who) -> str:
    """A memory of this kind about a relative of `who` or another named person."""
    if kind in tp.RELATIVE_KINDS and rng.random() < 0.65:
        other = who.relative(rng.choice(v.RELATIVES))
    else:
        other = Who.of(rng.choice([n for n in v.NAMES if n != who.s]))
    return fill(rng.choice(tp.BY_KIND[kind](rng).memory), other)


# ---- answer ---------------------------------------------------------------------------------------------


def answer_example(rng: random.Random, i: int = 0) -> Example:
    who = USER if rng.random() < 0.85 else Who.of(rng.choice(v.NAMES))
    mode = rng.random()
    n = rng.randint(1, 6)
    keys: set[str] = set()
    if mode < 0.2:  # the memories cannot answer it
        asked = tp.topics_for(rng, 1)[0]
        keys.add(asked.key)
        shown = _answer_distractors(rng, [asked], who, n, keys)
        question = _question(rng, asked, who)
        memories = [Remembered(text, _maybe_date(rng)) for text in shown]
        target = Answer((), rng.choice(NOT_IN_MEMORY))
    else:
        n_used = 2 if mode > 0.88 and n >= 2 else 1
        asked_topics = tp.topics_for(rng, 1)
        if n_used == 2:
            kinds = tuple(k for k in tp.BY_KIND if k != asked_topics[0].kind)
            asked_topics += tp.topics_for(rng, 1, kinds=kinds)
        keys.update(t.key for t in asked_topics)
        shown = _answer_distractors(rng, asked_topics, who, n - n_used, keys)
        memories = [Remembered(text, _maybe_date(rng)) for text in shown]
        picks = sorted(rng.sample(range(n), n_used))
        parts: list[tuple[str, str]] = []
        for t, at in zip(asked_topics, picks, strict=True):
            date = _date(rng)[0] if t.kind == "event" or rng.random() < 0.3 else ""
            memories.insert(at, Remembered(fill(rng.choice(t.memory), who), date))
            q, ans = _qa(rng, t, who)
            parts.append((q, ans or f"On {_day(date)}."))
        question = " ".join(q for q, _ in parts)
        answer = " ".join(a for _, a in parts)
        target = Answer(tuple(p + 1 for p in picks), answer)
    history: list[ChatMessage] = []
    if rng.random() < 0.2:
        history = [
            {"role": "user", "content": rng.choice(_USER_SMALL_TALK)},
            {"role": "assistant", "content": rng.choice(_ASSISTANT_REPLIES)},
        ]
    messages = answer_messages(question, memories, history, rng.choice(_BASE_PROMPTS))
    return memory_example("answer", messages, answer_target(target), len(memories))


def _maybe_date(rng: random.Random) -> str:
    return _date(rng)[0] if rng.random() < 0.35 else ""


def _qa(rng: random.Random, t: Topic, who: Who) -> tuple[str, str]:
    mine, theirs, answer = rng.choice(t.qa)
    if who == USER:
        q = mine
        r = rng.random()
        if r < 0.1:
            q = "Remind me, " + q[:1].lower() + q[1:]
        elif r < 0.18:
            q = "Hey, " + q[:1].lower() + q[1:]
        elif r < 0.24:
            q = q + " I forgot."
        return q, answer
    return fill(theirs, who), answer


def _question(rng: random.Random, t: Topic, who: Who) -> str:
    return _qa(rng, t, who)[0]


def _answer_distractors(
    rng: random.Random, asked: Sequence[Topic], who: Who, n: int, keys: set[str]
) -> list[str]:
    """Memories beside the ones that answer: the person's facts of other kinds, and the asked kind of fact
    about someone else (so the answer must check whose fact it is)."""
    asked_kinds = {t.kind for t in asked} - _SPECIFIC_KINDS
    kinds = tuple(k for k in tp.BY_KIND if k not in asked_kinds)
    out: list[str] = []
    for _ in range(max(n, 0)):
        if rng.random() < 0.3:
            out.append(_someone_elses(rng, rng.choice(asked).kind, who))
        else:
            u = tp.topics_for(rng, 1, keys, kinds=kinds)[0]
            keys.add(u.key)
            out.append(fill(rng.choice(u.memory), who))
    return out
