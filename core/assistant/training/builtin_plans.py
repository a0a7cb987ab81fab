"""Multi-step requests over the built-in tools: dependent chains ($N), coordinated pairs ("timers for 5 and
15 minutes") and independent requests joined in one sentence; plus requests no built-in tool fits."""

from __future__ import annotations

import random

from core.assistant.training import builtin_intents as bi
from core.assistant.training import vocab as v
from core.assistant.training.phrasing import (
    Call,
    Clause,
    capitalise,
    clock_phrase,
    day_phrase,
    join_names,
    minutes_phrase,
    people,
    person,
    pick,
    slot,
    template,
    template_id,
    when_phrase,
)


def _obj(rng: random.Random, n: int) -> str:
    return "them" if n > 1 else pick(rng, ("him", "her", "them"))


def find_then_open(rng: random.Random) -> Clause:
    what, query = bi._file_query(rng)
    text, tid = template(
        rng, "chain_find_open",
        [f"Find {what} and open it", f"Look for {what}, then open it", f"Open {what}", f"Locate {what} and show it to me",
         f"Search for {what} and open what you find", f"Can you find {what} and open it?", f"Dig up {what} and open it"],
    )  # fmt: skip
    return Clause(text, [Call("find_files", {"query": query}), Call("open_file", {"path": "$1"})], tid)


def find_then_summarise(rng: random.Random) -> Clause:
    what, query = bi._file_query(rng)
    text, tid = template(
        rng, "chain_find_sum",
        [f"Find {what} and summarise it", f"Summarise {what}", f"Look up {what} and give me a summary",
         f"Find {what} and tell me what it says", f"Search for {what}, then sum it up", f"What does {what} say? Find it first"],
    )  # fmt: skip
    return Clause(text, [Call("find_files", {"query": query}), Call("summarize_file", {"path": "$1"})], tid)


def find_summarise_email(rng: random.Random) -> Clause:
    topic, _ = pick(rng, v.FILE_TOPICS)
    name = person(rng)
    text, tid = template(
        rng, "chain_find_sum_mail",
        [f"Find the {slot(topic)} file, summarise it and email the summary to {slot(name)}",
         f"Send {slot(name)} a summary of the {slot(topic)}: find it and summarise it first",
         f"Summarise my {slot(topic)} and email it to {slot(name)}",
         f"Look for the {slot(topic)}, sum it up and mail the summary to {slot(name)}"],
    )  # fmt: skip
    calls = [
        Call("find_files", {"query": topic}),
        Call("summarize_file", {"path": "$1"}),
        Call("get_email_address", {"name": name}),
        Call(
            "compose_email", {"recipients": ["$3"], "subject": capitalise(topic) + " summary", "body": "$2"}
        ),
    ]
    return Clause(text, calls, tid)


def email_file(rng: random.Random) -> Clause:
    if rng.random() < 0.4:
        name_file = pick(rng, v.OTHER_FILES + v.FILE_NAMES)
        what, query, subject = (
            slot(name_file),
            name_file,
            capitalise(name_file.rsplit(".", 1)[0].replace("-", " ")),
        )
    else:
        topic, _ = pick(rng, v.FILE_TOPICS)
        what, query, subject = f"the {slot(topic)}", topic, capitalise(topic)
    name = person(rng)
    text, tid = template(
        rng, "chain_mail_file",
        [f"Find {what} and email it to {slot(name)}", f"Email {what} to {slot(name)}", f"Send {what} to {slot(name)} by email",
         f"Look for {what} and mail it to {slot(name)}", f"Get {what} and send it to {slot(name)}"],
    )  # fmt: skip
    calls = [
        Call("find_files", {"query": query}),
        Call("get_email_address", {"name": name}),
        Call("compose_email", {"recipients": ["$2"], "subject": subject, "body": "$1"}),
    ]
    return Clause(text, calls, tid)


def _day_of(day: str) -> str:
    """ "on Friday", "tomorrow", "on June 3": how a subject line names the day of an event."""
    words = day.split()
    if words[0].lower() in ("today", "tomorrow", "tonight", "day"):
        return day.lower()
    if words[0].lower() in ("next", "this") and len(words) > 1:
        return "on " + words[1]
    return "on " + day


def event_and_invite(rng: random.Random) -> Clause:
    title, with_person = pick(rng, [e for e in v.EVENTS if e[1]])
    names = people(rng, 1 if rng.random() < 0.8 else 2)
    day_words, day = day_phrase(rng)
    clock_words, clock = clock_phrase(rng)
    when_words, when = f"{day_words} {clock_words}", f"{day} {clock}"
    shown = title.lower() if rng.random() < 0.6 else title
    to = join_names(names, rng)
    obj = _obj(rng, len(names))
    text, tid = template(
        rng, "chain_event_mail",
        [f"Schedule {slot(shown)} with {to} {slot(when_words)} and email {obj} about it",
         f"Set up {slot(shown)} with {to} {slot(when_words)} and send {obj} the invite",
         f"Put {slot(shown)} with {to} in my calendar {slot(when_words)}, then email {obj} the details",
         f"Book {slot(shown)} with {to} {slot(when_words)} and let {obj} know by email",
         f"Add {slot(shown)} with {to} {slot(when_words)} to the calendar and mail {obj} an invitation"],
    )  # fmt: skip
    event = Call(
        "create_calendar_event",
        {"title": f"{title} with {' and '.join(names)}", "start": when, "attendees": names},
    )
    lookups = [Call("get_email_address", {"name": n}) for n in names]
    refs = [f"${i + 2}" for i in range(len(names))]
    subject = f"{title} {_day_of(day)}"
    mail = Call("compose_email", {"recipients": refs, "subject": subject, "body": "$1"})
    return Clause(text, [event, *lookups, mail], tid)


def note_and_email(rng: random.Random) -> Clause:
    title = pick(rng, v.NOTE_TITLES)
    content = pick(rng, v.NOTE_CONTENTS)
    name = person(rng)
    text, tid = template(
        rng, "chain_note_mail",
        [f"Create a note called {slot(title)} with {slot(content)} and email it to {slot(name)}",
         f"Write a note named {slot(title)} saying {slot(content)}, then send it to {slot(name)}",
         f"Make a note {slot(title)}: {slot(content)}, and mail it to {slot(name)}"],
    )  # fmt: skip
    calls = [
        Call("create_note", {"title": title, "content": content}),
        Call("get_email_address", {"name": name}),
        Call("compose_email", {"recipients": ["$2"], "subject": title, "body": "$1"}),
    ]
    return Clause(text, calls, tid)


def phone_and_reminder(rng: random.Random) -> Clause:
    name = person(rng)
    when_words, when = when_phrase(rng)
    pron = pick(rng, ("him", "her", "them"))
    text, tid = template(
        rng, "pair_phone_remind",
        [f"Look up {slot(name)}'s number and remind me to call {pron} {slot(when_words)}",
         f"Remind me to call {slot(name)} {slot(when_words)} and give me the number",
         f"Get {slot(name)}'s phone number and set a reminder {slot(when_words)} to ring {pron}"],
    )  # fmt: skip
    verb = "ring" if "ring" in text else "call"
    calls = [
        Call("get_phone_number", {"name": name}),
        Call("create_reminder", {"text": f"{verb} {name}", "due": when}),
    ]
    return Clause(text, calls, tid)


def summary_to_note(rng: random.Random) -> Clause:
    path = bi._path(rng, text_only=True)
    title = pick(rng, v.NOTE_TITLES)
    text, tid = template(
        rng, "chain_sum_note",
        [f"Summarise {slot(path)} and save the summary in a note called {slot(title)}",
         f"Make a note named {slot(title)} with a summary of {slot(path)}",
         f"Sum up {slot(path)} into a new note {slot(title)}"],
    )  # fmt: skip
    calls = [Call("summarize_file", {"path": path}), Call("create_note", {"title": title, "content": "$1"})]
    return Clause(text, calls, tid)


def search_to_note(rng: random.Random) -> Clause:
    query = pick(rng, v.WEB_QUERIES)
    title = pick(rng, v.NOTE_TITLES)
    text, tid = template(
        rng, "chain_web_note",
        [f"Search the web for {slot(query)} and save the link in a note called {slot(title)}",
         f"Look up {slot(query)} online and put the link in my {slot(title)} note"],
    )  # fmt: skip
    tool = "append_to_note" if "my " in text else "create_note"
    calls = [Call("web_search", {"query": query}), Call(tool, {"title": title, "content": "$1"})]
    return Clause(text, calls, tid)


def event_and_reminder(rng: random.Random) -> Clause:
    title, _ = pick(rng, [e for e in v.EVENTS if not e[1]])
    when_words, when = when_phrase(rng, need_day=True, allow_relative=False)
    r_words, r_when = when_phrase(rng, allow_relative=False)
    shown = title.lower() if rng.random() < 0.5 else title
    text, tid = template(
        rng, "pair_event_remind",
        [f"Add {slot(shown)} {slot(when_words)} to my calendar and remind me {slot(r_words)}",
         f"Schedule {slot(shown)} {slot(when_words)} and set a reminder for it {slot(r_words)}",
         f"Put {slot(shown)} in the calendar {slot(when_words)}, and remind me about it {slot(r_words)}"],
    )  # fmt: skip
    calls = [
        Call("create_calendar_event", {"title": title, "start": when}),
        Call("create_reminder", {"text": shown, "due": r_when}),
    ]
    return Clause(text, calls, tid)


# ---- coordinated pairs: one verb, two objects ----------------------------------------------------------


def two_timers(rng: random.Random) -> Clause:
    a, b = sorted(rng.sample([2, 3, 5, 8, 10, 12, 20, 25, 30, 45, 50], 2))
    text, tid = template(
        rng, "coord_timers",
        [f"Set timers for {slot(a)} and {slot(b)} minutes", f"Start two timers: {slot(a)} minutes and {slot(b)} minutes",
         f"I need a {slot(a)} minute and a {slot(b)} minute timer", f"Timers for {slot(a)} and {slot(b)} mins please"],
    )  # fmt: skip
    return Clause(text, [Call("set_timer", {"minutes": a}), Call("set_timer", {"minutes": b})], tid)


def two_lookups(rng: random.Random) -> Clause:
    names = people(rng, 2)
    both = join_names(names, rng)
    if rng.random() < 0.5:
        text, tid = template(
            rng, "coord_phones",
            [f"Get the phone numbers of {both}", f"What are the numbers for {both}?", f"Look up {both}'s phone numbers",
             f"I need phone numbers for {both}"],
        )  # fmt: skip
        tool = "get_phone_number"
    else:
        text, tid = template(
            rng, "coord_emails",
            [f"Find the email addresses of {both}", f"What are the emails of {both}?", f"Get me {both}'s email addresses"],
        )  # fmt: skip
        tool = "get_email_address"
    return Clause(text, [Call(tool, {"name": n}) for n in names], tid, imperative=not text.endswith("?"))


def email_and_phone(rng: random.Random) -> Clause:
    name = person(rng)
    text, tid = template(
        rng, "coord_contact",
        [f"What are {slot(name)}'s email and phone number?", f"Give me {slot(name)}'s phone number and email address",
         f"Look up both the email and the number of {slot(name)}", f"I need {slot(name)}'s contact details: email and phone"],
    )  # fmt: skip
    calls = [Call("get_email_address", {"name": name}), Call("get_phone_number", {"name": name})]
    return Clause(text, calls, tid, imperative=not text.endswith("?"))


def two_notes(rng: random.Random) -> Clause:
    a, b = rng.sample(v.NOTE_TITLES, 2)
    text, tid = template(
        rng, "coord_open_notes",
        [f"Open my notes called {slot(a)} and {slot(b)}", f"Show me the {slot(a)} and {slot(b)} notes",
         f"Open both {slot(a)} and {slot(b)}"],
    )  # fmt: skip
    return Clause(text, [Call("open_note", {"title": a}), Call("open_note", {"title": b})], tid)


def two_summaries(rng: random.Random) -> Clause:
    a, b = bi._path(rng, text_only=True), bi._path(rng, text_only=True)
    if a == b:
        return two_timers(rng)
    text, tid = template(
        rng, "coord_summaries",
        [f"Summarise {slot(a)} and {slot(b)}", f"Give me summaries of {slot(a)} and {slot(b)}",
         f"Sum up both {slot(a)} and {slot(b)}"],
    )  # fmt: skip
    return Clause(text, [Call("summarize_file", {"path": a}), Call("summarize_file", {"path": b})], tid)


def two_reminders(rng: random.Random) -> Clause:
    e1, e2 = rng.sample(v.ERRANDS, 2)
    w1, t1 = when_phrase(rng)
    w2, t2 = when_phrase(rng)
    text, tid = template(
        rng, "coord_reminders",
        [f"Remind me to {slot(e1)} {slot(w1)} and to {slot(e2)} {slot(w2)}",
         f"Set two reminders: {slot(e1)} {slot(w1)}, and {slot(e2)} {slot(w2)}",
         f"Remind me {slot(w1)} to {slot(e1)}, and {slot(w2)} to {slot(e2)}"],
    )  # fmt: skip
    return Clause(
        text,
        [Call("create_reminder", {"text": e1, "due": t1}), Call("create_reminder", {"text": e2, "due": t2})],
        tid,
    )


def two_maps(rng: random.Random) -> Clause:
    a, b = rng.sample(v.PLACES, 2)
    text, tid = template(
        rng, "coord_maps",
        [f"Show {slot(a)} and {slot(b)} on a map", f"Open maps of {slot(a)} and {slot(b)}"],
    )  # fmt: skip
    return Clause(text, [Call("open_map", {"location": a}), Call("open_map", {"location": b})], tid)


def two_appends(rng: random.Random) -> Clause:
    (n1, items1), (n2, items2) = rng.sample(v.NOTE_LISTS, 2)
    i1, i2 = pick(rng, items1), pick(rng, items2)
    text, tid = template(
        rng, "coord_appends",
        [f"Add {slot(i1)} to my {slot(n1)} and {slot(i2)} to my {slot(n2)}",
         f"Put {slot(i1)} on the {slot(n1)} and add {slot(i2)} to the {slot(n2)} note"],
    )  # fmt: skip
    calls = [
        Call("append_to_note", {"title": n1, "content": i1}),
        Call("append_to_note", {"title": n2, "content": i2}),
    ]
    return Clause(text, calls, tid)


def timer_and_label(rng: random.Random) -> Clause:
    words, minutes, _ = minutes_phrase(rng)
    place = pick(rng, v.PLACES)
    text, tid = template(
        rng,
        "pair_timer_map",
        [f"Set a timer for {slot(words)} and show {slot(place)} on the map"],
    )
    return Clause(text, [Call("set_timer", {"minutes": minutes}), Call("open_map", {"location": place})], tid)


CHAINS = (
    (find_then_open, 1.2), (find_then_summarise, 1.2), (find_summarise_email, 0.6), (email_file, 0.8),
    (event_and_invite, 1.0), (note_and_email, 0.7), (phone_and_reminder, 0.6), (summary_to_note, 0.5),
    (search_to_note, 0.4), (event_and_reminder, 0.6),
)  # fmt: skip
COORDINATED = (
    (two_timers, 0.5), (two_lookups, 0.8), (email_and_phone, 0.5), (two_notes, 0.4), (two_summaries, 0.4),
    (two_reminders, 0.5), (two_maps, 0.3), (two_appends, 0.4), (timer_and_label, 0.2),
)  # fmt: skip


# ---- no tool fits --------------------------------------------------------------------------------------

_COUNTRIES = ("Peru", "Kenya", "Norway", "Vietnam", "Chile", "Egypt", "Hungary", "Morocco", "Finland", "Ghana",
              "Portugal", "Thailand", "Canada", "Greece", "Iceland", "Mongolia", "Nepal", "Cuba")  # fmt: skip
_BOOKS = ("War and Peace", "The Hobbit", "Don Quixote", "One Hundred Years of Solitude", "Frankenstein",
          "The Odyssey", "Moby-Dick", "Things Fall Apart", "The Little Prince", "Brave New World")  # fmt: skip
_CONCEPTS = ("gravity", "blockchain", "compound interest", "plate tectonics", "the water cycle", "evolution",
             "quantum computing", "supply and demand", "climate change", "the immune system", "electricity",
             "a neural network", "democracy", "an eclipse", "jet lag", "a sonnet")  # fmt: skip
_FORMS = ("limerick", "short poem", "haiku", "two-sentence story", "tongue twister", "toast")
_SUBJECTS = (
    "my cat",
    "rainy Mondays",
    "the ocean",
    "coffee",
    "a lighthouse",
    "friendship",
    "spring",
    "robots",
)
_ACTIVITIES = (
    "studying",
    "running a first 5k",
    "saving money",
    "public speaking",
    "staying focused",
    "gardening",
)
_PHRASES = ("good morning", "where is the station", "I love you", "cheers", "excuse me", "happy birthday")
_LANGUAGES = ("Spanish", "Japanese", "German", "Swahili", "Portuguese", "Korean", "Dutch", "Greek")
_ACRONYMS = ("NASA", "HTML", "GDP", "UNESCO", "RAM", "PDF", "LED", "FAQ", "ATM", "WHO")


def plain_question(rng: random.Random) -> Clause:
    r = rng.random()
    if r < 0.35:
        return Clause(pick(rng, v.PLAIN_QUESTIONS), [], "plain.fixed", imperative=False)
    if r < 0.45:
        return Clause(pick(rng, v.NO_TOOL_ACTIONS), [], "plain.no_tool", imperative=False)
    a, b = rng.randint(2, 19), rng.randint(2, 19)
    forms = [
        f"What is the capital of {pick(rng, _COUNTRIES)}?", f"Who wrote {pick(rng, _BOOKS)}?",
        f"Explain {pick(rng, _CONCEPTS)} in simple terms", f"What is {pick(rng, _CONCEPTS)}?",
        f"Write a {pick(rng, _FORMS)} about {pick(rng, _SUBJECTS)}", f"Give me {pick(rng, ('two', 'three', 'five'))} tips for {pick(rng, _ACTIVITIES)}",
        f"How do you say {pick(rng, _PHRASES)} in {pick(rng, _LANGUAGES)}?", f"What does {pick(rng, _ACRONYMS)} stand for?",
        f"What's {a} plus {b}?", f"How much is {a} times {b}?", f"Is {pick(rng, _COUNTRIES)} bigger than {pick(rng, _COUNTRIES)}?",
        f"Tell me a joke about {pick(rng, _SUBJECTS)}", f"What language do they speak in {pick(rng, _COUNTRIES)}?",
        f"Can you tell me something about {pick(rng, _CONCEPTS)}?", f"Why does {pick(rng, _CONCEPTS)} matter?",
    ]  # fmt: skip
    i = rng.randrange(len(forms))
    return Clause(forms[i], [], template_id("plain.t", i, len(forms)), imperative=False)
