"""Kinds of facts about a person, each in every form the synthetic generator needs.

A Topic is one fact (she works as a nurse) written as a person says it ("I work as a nurse"), as a memory
("@S works as a nurse.", canonical first, paraphrases after), as questions it answers, and with what can
happen to it later: more detail (an UPDATE merging both), a new value (an UPDATE replacing it) or its end
(a DELETE). Memory texts name their subject with the placeholders @S (subject) and @P (its possessive), so
one topic serves "User", "Priya" and "User's sister" alike.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from core.memory.training import vocab as v


@dataclass(frozen=True)
class Who:
    """Whom a memory is about: "User", "Priya", "User's sister"; `said` is how its speaker names it."""

    s: str
    p: str

    @classmethod
    def of(cls, name: str) -> Who:
        return cls(name, name + "'s")

    def relative(self, relation: str) -> Who:
        return Who.of(f"{self.p} {relation}")


USER = Who.of("User")


def fill(template: str, who: Who) -> str:
    """A memory template about `who`, starting with a capital letter."""
    text = template.replace("@P", who.p).replace("@S", who.s)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Change:
    """Something that happens to a topic: as said in first person, as a new fact, and the memory after it."""

    said: tuple[str, ...]
    news: tuple[str, ...]  # [0] is what extraction writes down
    result: str  # the merged memory ("" when the stored memory stops being true)


@dataclass(frozen=True)
class Topic:
    kind: str
    key: str  # what the fact is about; two exclusive topics with one key cannot both hold
    exclusive: bool
    said: tuple[str, ...]  # first-person clauses, no final punctuation
    memory: tuple[str, ...]  # [0] canonical, the rest paraphrases
    qa: tuple[tuple[str, str, str], ...] = ()  # (asked by the person, asked about them, short answer)
    detail: Change | None = None
    change: Change | None = None
    end: Change | None = None


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _a(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _bare(phrase: str) -> str:
    """ "a nurse" -> "nurse"."""
    for article in ("a ", "an ", "the "):
        if phrase.startswith(article):
            return phrase[len(article) :]
    return phrase


def _other(rng: random.Random, pool: tuple[str, ...], not_this: str) -> str:
    while True:
        pick = rng.choice(pool)
        if pick != not_this:
            return pick


# ---- kinds ----------------------------------------------------------------------------------------------


def job(rng: random.Random) -> Topic:
    j, place = rng.choice(v.JOBS), rng.choice(v.WORKPLACES)
    new = _other(rng, v.JOBS, j)
    years = rng.randint(2, 15)
    return Topic(
        "job",
        "job",
        True,
        said=(
            f"I work as {j}",
            f"I'm {j}",
            f"I've been working as {j} for {years} years",
            f"I'm {j}, so my days are long",
            f"I work as {j} these days",
            f"my job is being {j}",
        ),
        memory=(f"@S works as {j}.", f"@S is {j}.", f"@S has a job as {j}.", f"@S earns a living as {j}."),
        qa=(
            ("What do I do for work?", "What does @S do for work?", _cap(j) + "."),
            ("What's my job?", "What is @P job?", f"You're {j}."),
            ("What is my profession?", "What is @P profession?", _cap(_bare(j)) + "."),
        ),
        detail=Change(
            said=(f"I work as {j} at {place}", f"I'm {j} at {place}"),
            news=(f"@S works as {j} at {place}.", f"@S works at {place}.", f"@S is employed at {place}."),
            result=f"@S works as {j} at {place}.",
        ),
        change=Change(
            said=(f"I just started a new job as {new}", f"I changed careers and I'm {new} now"),
            news=(
                f"@S now works as {new}.",
                f"@S changed jobs and is now {new}.",
                f"@S started a job as {new}.",
            ),
            result=f"@S works as {new}.",
        ),
        end=Change(
            said=(f"I quit my job as {j}", "I retired last month", "I lost my job last week"),
            news=(f"@S quit their job as {j}.", f"@S no longer works as {j}.", f"@S retired from being {j}."),
            result="",
        ),
    )


def home(rng: random.Random) -> Topic:
    city, rel = rng.choice(v.CITIES), rng.choice(v.RELATIVES)
    new = _other(rng, v.CITIES, city)
    years = rng.randint(2, 20)
    return Topic(
        "home",
        "home",
        True,
        said=(
            f"I live in {city}",
            f"I'm based in {city}",
            f"home for me is {city}",
            f"I've lived in {city} for {years} years",
            f"I live over in {city}",
        ),
        memory=(
            f"@S lives in {city}.",
            f"@S is based in {city}.",
            f"@P home is in {city}.",
            f"@S resides in {city}.",
        ),
        qa=(
            ("Where do I live?", "Where does @S live?", f"In {city}."),
            ("Which city am I based in?", "Which city is @S based in?", f"{city}."),
            ("Where's home for me?", "Where is @P home?", f"{city}."),
        ),
        detail=Change(
            said=(f"I live in {city} with my {rel}",),
            news=(f"@S lives in {city} with their {rel}.", f"@S shares a home in {city} with their {rel}."),
            result=f"@S lives in {city} with their {rel}.",
        ),
        change=Change(
            said=(
                f"I just moved to {new}",
                f"I relocated to {new} last month",
                f"I packed up and moved to {new}",
            ),
            news=(f"@S moved to {new}.", f"@S has relocated to {new}.", f"@S now lives in {new}."),
            result=f"@S lives in {new}.",
        ),
        end=Change(
            said=(f"I moved out of {city}", f"I don't live in {city} anymore"),
            news=(f"@S moved away from {city}.", f"@S no longer lives in {city}."),
            result="",
        ),
    )


def origin(rng: random.Random) -> Topic:
    country = rng.choice(v.COUNTRIES)
    return Topic(
        "origin",
        "origin",
        True,
        said=(f"I'm originally from {country}", f"I grew up in {country}", f"I was born in {country}"),
        memory=(f"@S is from {country}.", f"@S grew up in {country}.", f"@S was born in {country}."),
        qa=(
            ("Where am I from?", "Where is @S from?", f"{country}."),
            ("Where did I grow up?", "Where did @S grow up?", f"In {country}."),
        ),
    )


def pet(rng: random.Random) -> Topic:
    kind, name, age = rng.choice(v.PET_KINDS), rng.choice(v.PET_NAMES), rng.randint(2, 12)
    gone = Change(
        said=(f"my {kind} {name} passed away", f"I had to give {name} away"),
        news=(
            f"@P {kind} {name} passed away.",
            f"@S no longer has their {kind} {name}.",
            f"@S gave away {name}.",
        ),
        result="",
    )
    if rng.random() < 0.35:  # a pet without a name yet: its name is detail
        return Topic(
            "pet",
            f"pet:{kind}",
            False,
            said=(f"I have a {kind}", f"I've got a {kind} at home", f"I just adopted a {kind}"),
            memory=(f"@S has a {kind}.", f"@S owns a {kind}.", f"@S keeps a {kind}."),
            qa=(
                ("Do I have any pets?", "Does @S have any pets?", f"Yes, a {kind}."),
                ("What kind of pet do I have?", "What kind of pet does @S have?", f"A {kind}."),
            ),
            detail=Change(
                said=(f"my {kind} is called {name}", f"I named my {kind} {name}"),
                news=(f"@P {kind} is named {name}.", f"@P {kind} is called {name}."),
                result=f"@S has a {kind} named {name}.",
            ),
            end=Change(
                said=(f"I had to rehome my {kind}",),
                news=(f"@S rehomed their {kind}.", f"@S no longer has a {kind}."),
                result="",
            ),
        )
    return Topic(
        "pet",
        f"pet:{kind}",
        False,
        said=(
            f"I have a {kind} named {name}",
            f"I've got a {kind} called {name}",
            f"my {kind} {name} keeps me busy",
            f"{name}, my {kind}, is the best",
        ),
        memory=(
            f"@S has a {kind} named {name}.",
            f"@S owns a {kind} called {name}.",
            f"@P {kind} is named {name}.",
            f"@P {kind} is called {name}.",
        ),
        qa=(
            (f"What's my {kind}'s name?", f"What is @P {kind}'s name?", f"{name}."),
            (f"What is my {kind} called?", f"What is @P {kind} called?", f"{name}."),
            ("What pet do I have?", "What pet does @S have?", f"A {kind} named {name}."),
        ),
        detail=Change(
            said=(f"{name} is {age} years old now",),
            news=(f"@P {kind} {name} is {age} years old.", f"{name} is {age} years old."),
            result=f"@S has a {age}-year-old {kind} named {name}.",
        ),
        end=gone,
    )


def hobby(rng: random.Random) -> Topic:
    act, extra = rng.choice(v.HOBBIES)
    new, _ = rng.choice([h for h in v.HOBBIES if h[0] != act])
    return Topic(
        "hobby",
        f"hobby:{act}",
        False,
        said=(
            f"I love {act}",
            f"I'm really into {act}",
            f"I spend most weekends {act}",
            f"{act} is how I relax",
            f"I've picked up {act} recently",
        ),
        memory=(
            f"@S enjoys {act}.",
            f"@S likes {act}.",
            f"@S is into {act}.",
            f"One of @P hobbies is {act}.",
        ),
        qa=(
            ("What do I do for fun?", "What does @S do for fun?", f"{_cap(act)}."),
            ("What's one of my hobbies?", "What is one of @P hobbies?", f"{_cap(act)}."),
            ("How do I like to spend my free time?", "How does @S spend their free time?", f"{_cap(act)}."),
        ),
        detail=Change(
            said=(f"I've been {act} {extra} lately", f"I mostly do my {act} {extra}"),
            news=(f"@S enjoys {act} {extra}.", f"@S likes {act} {extra}."),
            result=f"@S enjoys {act} {extra}.",
        ),
        change=Change(
            said=(f"I gave up {act} and started {new}",),
            news=(f"@S gave up {act} and took up {new}.", f"@S switched from {act} to {new}."),
            result=f"@S enjoys {new}.",
        ),
        end=Change(
            said=(f"I stopped {act}", f"I don't really do {act} anymore"),
            news=(f"@S stopped {act}.", f"@S no longer enjoys {act}.", f"@S gave up {act}."),
            result="",
        ),
    )


def food(rng: random.Random) -> Topic:
    f = rng.choice(v.FOODS)
    if rng.random() < 0.6:
        return Topic(
            "food",
            f"food:{f}",
            False,
            said=(
                f"I love {f}",
                f"{f} is my favourite",
                f"I could eat {f} every day",
                f"I'm obsessed with {f}",
            ),
            memory=(
                f"@S loves {f}.",
                f"@S likes {f}.",
                f"@P favourite food is {f}.",
                f"@S is a big fan of {f}.",
            ),
            qa=(
                ("What food do I love?", "What food does @S love?", f"{_cap(f)}."),
                ("What's my favourite food?", "What is @P favourite food?", f"{_cap(f)}."),
            ),
            end=Change(
                said=(f"I can't stand {f} anymore", f"I've gone off {f}"),
                news=(f"@S no longer likes {f}.", f"@S has gone off {f}."),
                result="",
            ),
        )
    return Topic(
        "food",
        f"food:{f}",
        False,
        said=(f"I hate {f}", f"I can't stand {f}", f"I really don't like {f}", f"{f} is just not for me"),
        memory=(f"@S dislikes {f}.", f"@S hates {f}.", f"@S can't stand {f}.", f"@S does not like {f}."),
        qa=(
            ("Is there a food I dislike?", "Is there a food @S dislikes?", f"{_cap(f)}."),
            ("What food do I hate?", "What food does @S hate?", f"{_cap(f)}."),
        ),
        change=Change(
            said=(f"I actually like {f} now",),
            news=(f"@S now likes {f}.", f"@S has started to enjoy {f}."),
            result=f"@S likes {f}.",
        ),
    )


def diet(rng: random.Random) -> Topic:
    d = rng.choice(v.DIETS)
    new = _other(rng, v.DIETS, d)
    years = rng.randint(2, 10)
    return Topic(
        "diet",
        "diet",
        True,
        said=(f"I'm {d}", f"I've been {d} for {years} years", f"I eat {d}, so that rules out a lot"),
        memory=(f"@S is {d}.", f"@S follows a {d} diet.", f"@S eats a {d} diet."),
        qa=(
            ("Do I have any dietary restrictions?", "Does @S have any dietary restrictions?", f"You're {d}."),
            ("What diet do I follow?", "What diet does @S follow?", f"{_cap(d)}."),
        ),
        change=Change(
            said=(f"I've switched to being {new}",),
            news=(f"@S has switched to a {new} diet.", f"@S is now {new}."),
            result=f"@S is {new}.",
        ),
        end=Change(
            said=(f"I'm not {d} anymore",),
            news=(f"@S is no longer {d}.", f"@S stopped following a {d} diet."),
            result="",
        ),
    )


def allergy(rng: random.Random) -> Topic:
    a = rng.choice(v.ALLERGENS)
    return Topic(
        "allergy",
        f"allergy:{a}",
        False,
        said=(f"I'm allergic to {a}", f"I can't go near {a}, I'm allergic", f"I react badly to {a}"),
        memory=(f"@S is allergic to {a}.", f"@S has an allergy to {a}.", f"@S reacts badly to {a}."),
        qa=(
            ("What am I allergic to?", "What is @S allergic to?", f"{_cap(a)}."),
            ("Do I have any allergies?", "Does @S have any allergies?", f"Yes, to {a}."),
        ),
        detail=Change(
            said=(f"my {a} allergy is severe, I carry an EpiPen",),
            news=(f"@P allergy to {a} is severe.", f"@S carries an EpiPen for their {a} allergy."),
            result=f"@S has a severe allergy to {a} and carries an EpiPen.",
        ),
        end=Change(
            said=(f"I outgrew my {a} allergy",),
            news=(f"@S is no longer allergic to {a}.", f"@S outgrew their allergy to {a}."),
            result="",
        ),
    )


def health(rng: random.Random) -> Topic:
    c = rng.choice(v.CONDITIONS)
    return Topic(
        "health",
        f"health:{c}",
        False,
        said=(f"I have {c}", f"I've been dealing with {c}", f"I've had {c} for a while"),
        memory=(f"@S has {c}.", f"@S suffers from {c}.", f"@S deals with {c}."),
        qa=(
            ("Do I have any health issues?", "Does @S have any health issues?", f"{_cap(c)}."),
            ("What health problem do I have?", "What health problem does @S have?", f"{_cap(c)}."),
        ),
        detail=Change(
            said=(f"I take medication for my {_bare(c)}",),
            news=(f"@S takes medication for {c}.", f"@S is on medication for their {_bare(c)}."),
            result=f"@S has {c} and takes medication for it.",
        ),
        end=Change(
            said=(f"I've fully recovered from {c}", f"my {_bare(c)} is gone"),
            news=(f"@S has recovered from {c}.", f"@S no longer has {c}."),
            result="",
        ),
    )


def relative(rng: random.Random) -> Topic:
    rel, name, city, j = (
        rng.choice(v.RELATIVES),
        rng.choice(v.NAMES),
        rng.choice(v.CITIES),
        rng.choice(v.JOBS),
    )
    single = rel in ("mother", "father", "partner", "wife", "husband")
    where = Change(
        said=(f"my {rel} {name} lives in {city}", f"my {rel} {name} works as {j}"),
        news=(f"@P {rel} {name} lives in {city}.", f"@P {rel} {name} works as {j}."),
        result=f"@P {rel} {name} lives in {city}.",
    )
    if rng.random() < 0.5:
        where = Change(where.said[1:], where.news[1:], f"@P {rel} {name} works as {j}.")
    end = None
    if rel in ("partner", "roommate", "best friend"):
        end = Change(
            said=(f"{name} and I aren't together anymore" if rel == "partner" else f"{name} moved out",),
            news=(f"@S split up with {name}." if rel == "partner" else f"@P {rel} {name} moved out.",),
            result="",
        )
    return Topic(
        "relative",
        f"rel:{rel}",
        single,
        said=(
            f"my {rel}'s name is {name}",
            f"I have {_a(rel)} named {name}" if not single else f"my {rel} is called {name}",
            f"my {rel} {name} is visiting this weekend",
            f"{name}, my {rel}, always makes me laugh",
        ),
        memory=(f"@P {rel} is named {name}.", f"@P {rel} is called {name}.", f"@P {rel}'s name is {name}."),
        qa=(
            (f"What's my {rel}'s name?", f"What is @P {rel}'s name?", f"{name}."),
            (f"What is my {rel} called?", f"What is @P {rel} called?", f"{name}."),
            (f"Who is my {rel}?", f"Who is @P {rel}?", f"{name}."),
        ),
        detail=where,
        end=end,
    )


def trip(rng: random.Random) -> Topic:
    country, month, rel = rng.choice(v.COUNTRIES), rng.choice(v.MONTHS), rng.choice(v.RELATIVES)
    later = _other(rng, v.MONTHS, month)
    return Topic(
        "plan",
        f"trip:{country}",
        False,
        said=(
            f"I'm planning a trip to {country} in {month}",
            f"I'm going to {country} in {month}",
            f"I booked flights to {country} for {month}",
        ),
        memory=(
            f"@S plans to visit {country} in {month}.",
            f"@S is going to {country} in {month}.",
            f"@S has a trip to {country} planned for {month}.",
        ),
        qa=(
            (f"Where am I travelling in {month}?", f"Where is @S travelling in {month}?", f"To {country}."),
            (f"When is my trip to {country}?", f"When is @P trip to {country}?", f"In {month}."),
        ),
        detail=Change(
            said=(f"my {rel} is coming with me to {country}",),
            news=(f"@S is travelling to {country} with their {rel}.",),
            result=f"@S plans to visit {country} in {month} with their {rel}.",
        ),
        change=Change(
            said=(f"I moved my {country} trip to {later}",),
            news=(
                f"@S moved their trip to {country} to {later}.",
                f"@P trip to {country} is now in {later}.",
            ),
            result=f"@S plans to visit {country} in {later}.",
        ),
        end=Change(
            said=(f"I had to cancel my trip to {country}",),
            news=(f"@S cancelled their trip to {country}.", f"@S is no longer going to {country}."),
            result="",
        ),
    )


def goal(rng: random.Random) -> Topic:
    month, inst = rng.choice(v.MONTHS), rng.choice(v.INSTRUMENTS)
    doing, short, q = rng.choice(
        (
            (f"training for a marathon in {month}", "training for a marathon", "What am I training for?"),
            ("saving up to buy a house", "saving for a house", "What am I saving up for?"),
            (f"learning to play {inst}", f"learning {inst}", "What instrument am I learning?"),
            ("studying for a pilot's licence", "studying for a pilot's licence", "What am I studying for?"),
            ("writing a novel", "writing a novel", "What am I writing?"),
            ("renovating their kitchen", "renovating the kitchen", "What am I renovating?"),
        )
    )
    first = doing.replace("their", "my")
    answer = {
        "What am I training for?": f"A marathon in {month}.",
        "What am I saving up for?": "A house.",
        "What instrument am I learning?": f"{_cap(_bare(inst))}.",
        "What am I studying for?": "A pilot's licence.",
        "What am I writing?": "A novel.",
        "What am I renovating?": "The kitchen.",
    }[q]
    about = q.replace("am I", "is @S")
    return Topic(
        "goal",
        f"goal:{short}",
        False,
        said=(f"I'm {first}", f"I've started {first}", f"right now I'm busy {first}"),
        memory=(f"@S is {doing}.", f"@S has been {doing}.", f"@S is currently {doing}."),
        qa=((q, about, answer),),
        end=Change(
            said=(f"I gave up on {short.replace('their', 'my')}",),
            news=(f"@S gave up {short}.", f"@S is no longer {doing}."),
            result="",
        ),
    )


def language(rng: random.Random) -> Topic:
    lang = rng.choice(v.LANGUAGES)
    day = rng.choice(("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Saturdays"))
    if rng.random() < 0.5:
        return Topic(
            "language",
            f"speaks:{lang}",
            False,
            said=(f"I speak {lang}", f"I'm fluent in {lang}", f"{lang} is my first language"),
            memory=(f"@S speaks {lang}.", f"@S is fluent in {lang}.", f"@S can speak {lang}."),
            qa=(("What languages do I speak?", "What languages does @S speak?", f"{lang}."),),
        )
    return Topic(
        "language",
        f"learns:{lang}",
        False,
        said=(f"I'm learning {lang}", f"I've started {lang} lessons", f"I'm trying to learn {lang}"),
        memory=(f"@S is learning {lang}.", f"@S is studying {lang}.", f"@S takes {lang} lessons."),
        qa=(("What language am I learning?", "What language is @S learning?", f"{lang}."),),
        detail=Change(
            said=(f"my {lang} class is on {day}",),
            news=(f"@S has {lang} classes on {day}.", f"@P {lang} lessons are on {day}."),
            result=f"@S is learning {lang} with classes on {day}.",
        ),
        end=Change(
            said=(f"I stopped learning {lang}",),
            news=(f"@S stopped learning {lang}.", f"@S quit their {lang} lessons."),
            result="",
        ),
    )


def study(rng: random.Random) -> Topic:
    subj = rng.choice(v.SUBJECTS)
    new = _other(rng, v.SUBJECTS, subj)
    city = rng.choice(v.CITIES)
    return Topic(
        "study",
        "study",
        True,
        said=(f"I study {subj} at university", f"I'm doing a degree in {subj}", f"I'm {_a(subj)} student"),
        memory=(f"@S studies {subj}.", f"@S is {_a(subj)} student.", f"@S is doing a degree in {subj}."),
        qa=(
            ("What do I study?", "What does @S study?", f"{_cap(subj)}."),
            ("What is my degree in?", "What is @P degree in?", f"{_cap(subj)}."),
        ),
        detail=Change(
            said=(f"I study {subj} at the university in {city}",),
            news=(f"@S studies {subj} in {city}.", f"@S is at university in {city}."),
            result=f"@S studies {subj} at university in {city}.",
        ),
        change=Change(
            said=(f"I switched my degree to {new}",),
            news=(f"@S switched their degree to {new}.", f"@S now studies {new}."),
            result=f"@S studies {new}.",
        ),
        end=Change(
            said=(f"I dropped out of my {subj} degree",),
            news=(f"@S dropped out of their {subj} degree.", f"@S no longer studies {subj}."),
            result="",
        ),
    )


def car(rng: random.Random) -> Topic:
    c = rng.choice(v.CARS)
    new = _other(rng, v.CARS, c)
    return Topic(
        "car",
        "car",
        True,
        said=(f"I drive {c}", f"I've got {c}", f"my car is {c}"),
        memory=(f"@S drives {c}.", f"@S owns {c}.", f"@P car is {c}."),
        qa=(
            ("What car do I drive?", "What car does @S drive?", f"{_cap(c)}."),
            ("What do I drive?", "What does @S drive?", f"{_cap(c)}."),
        ),
        change=Change(
            said=(f"I sold my car and bought {new}",),
            news=(f"@S sold their car and now drives {new}.", f"@S now drives {new}."),
            result=f"@S drives {new}.",
        ),
        end=Change(
            said=("I sold my car", "I don't have a car anymore"),
            news=("@S sold their car.", "@S no longer owns a car."),
            result="",
        ),
    )


def team(rng: random.Random) -> Topic:
    t = rng.choice(v.TEAMS)
    return Topic(
        "team",
        f"team:{t}",
        False,
        said=(f"I support {t}", f"I'm a huge {_bare(t)} fan", f"I never miss {_a(_bare(t))} game"),
        memory=(f"@S supports {t}.", f"@S is a fan of {t}.", f"@S follows {t}."),
        qa=(("Which team do I support?", "Which team does @S support?", f"{_cap(t)}."),),
        end=Change(
            said=(f"I stopped following {t}",),
            news=(f"@S stopped supporting {t}.", f"@S is no longer {_a(_bare(t))} fan."),
            result="",
        ),
    )


def birthday(rng: random.Random) -> Topic:
    month, day = rng.choice(v.MONTHS), rng.randint(1, 28)
    return Topic(
        "birthday",
        "birthday",
        True,
        said=(
            f"my birthday is on {month} {day}",
            f"I was born on {month} {day}",
            f"my birthday's {month} {day}",
        ),
        memory=(
            f"@P birthday is on {month} {day}.",
            f"@S was born on {month} {day}.",
            f"@S's birthday falls on {month} {day}.",
        ),
        qa=(("When is my birthday?", "When is @P birthday?", f"On {month} {day}."),),
    )


def age(rng: random.Random) -> Topic:
    n = rng.randint(19, 75)
    return Topic(
        "age",
        "age",
        True,
        said=(f"I'm {n} years old", f"I just turned {n}", f"I'm {n}"),
        memory=(f"@S is {n} years old.", f"@S is {n}.", f"@S's age is {n}."),
        qa=(("How old am I?", "How old is @S?", f"{n}."),),
        change=Change(
            said=(f"I turned {n + 1} yesterday",),
            news=(f"@S just turned {n + 1}.", f"@S is now {n + 1}."),
            result=f"@S is {n + 1} years old.",
        ),
    )


def event(rng: random.Random) -> Topic:
    said, pred, ask = rng.choice(v.EVENTS)
    return Topic(
        "event",
        f"event:{pred}",
        False,
        said=(f"I {said} today", f"I finally {said}", f"guess what, I {said}", f"I {said} this morning"),
        memory=(f"@S {pred}.", f"@S recently {pred}.", f"@S has {_participle(pred)}."),
        qa=(
            (f"When did I {ask}?", f"When did @S {ask.replace('my', 'their')}?", ""),
        ),  # answered with its date
    )


def _participle(pred: str) -> str:
    head, _, rest = pred.partition(" ")
    irregular = {
        "ran": "run", "got": "got", "started": "started", "adopted": "adopted", "moved": "moved",
        "passed": "passed", "had": "had", "graduated": "graduated", "went": "gone", "planted": "planted",
        "bought": "bought", "visited": "visited", "finished": "finished", "hosted": "hosted",
        "broke": "broken", "joined": "joined",
    }  # fmt: skip
    return f"{irregular.get(head, head)} {rest}"


KINDS: tuple[Callable[[random.Random], Topic], ...] = (
    job, home, origin, pet, hobby, food, diet, allergy, health, relative, trip, goal, language, study, car,
    team, birthday, age, event,
)  # fmt: skip
BY_KIND: dict[str, Callable[[random.Random], Topic]] = {
    "job": job, "home": home, "origin": origin, "pet": pet, "hobby": hobby, "food": food, "diet": diet,
    "allergy": allergy, "health": health, "relative": relative, "plan": trip, "goal": goal,
    "language": language, "study": study, "car": car, "team": team, "birthday": birthday, "age": age,
    "event": event,
}  # fmt: skip
# Kinds that also describe the people someone talks about ("my sister lives in Lyon").
RELATIVE_KINDS = ("job", "home", "pet", "hobby", "food", "allergy", "study", "car", "team", "origin")


def topics_for(
    rng: random.Random, n: int, keys: set[str] | None = None, kinds: tuple[str, ...] = tuple(BY_KIND)
) -> list[Topic]:
    """n topics of distinct keys (also distinct from `keys`), in random kinds among `kinds`."""
    taken = set(keys or ())
    out: list[Topic] = []
    for _ in range(1000 * n):
        t = BY_KIND[rng.choice(kinds)](rng)
        if t.key not in taken:
            taken.add(t.key)
            out.append(t)
            if len(out) == n:
                return out
    raise ValueError(f"Cannot find {n} new topics among {kinds}")
