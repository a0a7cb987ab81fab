"""Requests for Hearth's built-in tools, with their exact calls: many phrasings of each intent.

Conventions the plans follow (the same as core/assistant/examples.jsonl and the evaluation set): values
are copied from the request as written (a time without "at"/"on", day first: "tomorrow 3pm"); an event
"with X" has X as attendee and "... with X" in its title; an e-mail's subject is its topic and its body
the message; a file query is the words of the file name, without generic words like "files" or "photos";
a pronoun is resolved to the name or place it stands for, and `$N` is used only where a call needs what
an earlier call returns (an address, a file path, a summary).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from core.assistant.training import vocab as v
from core.assistant.training.phrasing import (
    Call,
    Clause,
    capitalise,
    duration_phrase,
    email_address,
    join_names,
    minutes_phrase,
    people,
    person,
    pick,
    slot,
    template,
    when_phrase,
)

Intent = Callable[[random.Random], Clause]


def _event_title(rng: random.Random) -> tuple[str, list[str], str]:
    """(title, attendees, how the request names the event)."""
    title, with_person = pick(rng, v.EVENTS)
    if with_person and rng.random() < 0.8:
        names = people(rng, 1 if rng.random() < 0.75 else 2)
        full = f"{title} with {' and '.join(names)}"
        words = f"{slot(title.lower() if rng.random() < 0.5 else title)} with {join_names(names, rng)}"
        return full, names, words
    lowered = title[0].lower() + title[1:] if rng.random() < 0.5 else title
    return title, [], slot(lowered)


def calendar_event(rng: random.Random) -> Clause:
    title, attendees, what = _event_title(rng)
    when_words, when = when_phrase(rng, need_day=True, allow_relative=False)
    args: dict[str, object] = {"title": title, "start": when}
    extra = ""
    r = rng.random()
    if r < 0.25:
        words, minutes, _ = duration_phrase(rng)
        args["duration_minutes"] = minutes
        extra = f" for {slot(words)}"
    elif r < 0.45:
        place = pick(rng, v.EVENT_PLACES)
        args["location"] = place
        extra = f" at {slot(place)}"
    if attendees:
        args["attendees"] = attendees
    text, tid = template(
        rng,
        "event",
        [
            f"Add {what} {slot(when_words)}{extra} to my calendar",
            f"Put {what} in my calendar {slot(when_words)}{extra}",
            f"Schedule {what} {slot(when_words)}{extra}",
            f"Book {what} {slot(when_words)}{extra}",
            f"Create an event: {what} {slot(when_words)}{extra}",
            f"New calendar event {what} {slot(when_words)}{extra}",
            f"I have {what} {slot(when_words)}{extra}, add it to the calendar",
            f"Set up {what} {slot(when_words)}{extra}",
            f"Pencil in {what} {slot(when_words)}{extra}",
            f"Make a calendar entry for {what} {slot(when_words)}{extra}",
            f"Block {slot(when_words)} for {what}{extra}",
            f"Can you add {what}{extra} on the calendar {slot(when_words)}",
        ],
    )
    if "duration_minutes" in args and rng.random() < 0.3:
        _, minutes, adjective = duration_phrase(rng)
        args["duration_minutes"] = minutes
        text, tid = (
            f"Schedule a {slot(adjective)} {what[:1].lower() + what[1:]} {slot(when_words)}",
            "event.dur",
        )
    return Clause(text, [Call("create_calendar_event", args)], tid)


def open_calendar(rng: random.Random) -> Clause:
    text, tid = template(
        rng,
        "open_calendar",
        ["Show me the calendar", "Open the calendar app", "Bring up my calendar", "Let me see my calendar",
         "Display my calendar", "Open up the calendar", "Pull up my schedule in the calendar",
         "Can I see my calendar?", "Launch the calendar", "Go to my calendar"],
    )  # fmt: skip
    return Clause(text, [Call("open_calendar", {})], tid)


def create_note(rng: random.Random) -> Clause:
    title = pick(rng, v.NOTE_TITLES)
    content = pick(rng, v.NOTE_CONTENTS)
    if rng.random() < 0.1:
        text, tid = template(
            rng, "note_empty", [f"Create an empty note called {slot(title)}", f"Start a new note named {slot(title)}",
                                f"Make a note titled {slot(title)}", f"Create a note {slot(title)}"],
        )  # fmt: skip
        return Clause(text, [Call("create_note", {"title": title, "content": ""})], tid)
    text, tid = template(
        rng,
        "note",
        [
            f"Create a note called {slot(title)} with {slot(content)}",
            f"Make a note named {slot(title)}: {slot(content)}",
            f"Write a note titled {slot(title)} that says {slot(content)}",
            f"New note {slot(title)}, content: {slot(content)}",
            f"Save a note called {slot(title)} saying {slot(content)}",
            f"Jot down {slot(content)} in a new note called {slot(title)}",
            f"Start a note named {slot(title)} and put {slot(content)} in it",
            f"Note titled {slot(title)}: {slot(content)}",
            f"Make a new note, title {slot(title)}, text {slot(content)}",
            f"Could you write {slot(content)} down in a note named {slot(title)}",
        ],
    )
    return Clause(text, [Call("create_note", {"title": title, "content": content})], tid)


def append_note(rng: random.Random) -> Clause:
    note, items = pick(rng, v.NOTE_LISTS)
    item = pick(rng, items)
    text, tid = template(
        rng,
        "append",
        [
            f"Add {slot(item)} to my {slot(note)}",
            f"Put {slot(item)} on the {slot(note)}",
            f"Append {slot(item)} to the {slot(note)} note",
            f"Add {slot(item)} to the note called {slot(note)}",
            f"Stick {slot(item)} on my {slot(note)} note",
            f"Include {slot(item)} in my {slot(note)}",
            f"Write {slot(item)} at the end of my {slot(note)} note",
            f"My {slot(note)} needs {slot(item)}, add it",
            f'Append "{slot(item)}" to {slot(note)}',
        ],
    )
    return Clause(text, [Call("append_to_note", {"title": note, "content": item})], tid)


def open_note(rng: random.Random) -> Clause:
    title = pick(rng, v.NOTE_TITLES + tuple(n for n, _ in v.NOTE_LISTS))
    shown = title if rng.random() < 0.6 else title.lower()
    text, tid = template(
        rng,
        "open_note",
        [f"Open my {slot(shown)} note", f"Show the note called {slot(shown)}", f"Open the note {slot(shown)}",
         f"Pull up my note about {slot(shown)}", f"Let me see the {slot(shown)} note",
         f"Bring up the note named {slot(shown)}", f"Display my {slot(shown)}", f"Open {slot(shown)} in my notes"],
    )  # fmt: skip
    return Clause(text, [Call("open_note", {"title": shown})], tid)


def reminder(rng: random.Random) -> Clause:
    errand = pick(rng, v.ERRANDS)
    when_words, when = when_phrase(rng)
    text, tid = template(
        rng,
        "reminder",
        [
            f"Remind me to {slot(errand)} {slot(when_words)}",
            f"Remind me {slot(when_words)} to {slot(errand)}",
            f"Set a reminder to {slot(errand)} {slot(when_words)}",
            f"Make sure I {slot(errand)} {slot(when_words)}",
            f"Don't let me forget to {slot(errand)} {slot(when_words)}",
            f"{capitalise(slot(when_words))} remind me to {slot(errand)}",
            f"I need a reminder {slot(when_words)} to {slot(errand)}",
            f"Ping me {slot(when_words)} to {slot(errand)}",
            f"Create a reminder: {slot(errand)}, {slot(when_words)}",
            f"Nudge me to {slot(errand)} {slot(when_words)}",
            f"I have to {slot(errand)} {slot(when_words)}, remind me",
            f"Reminder {slot(when_words)}: {slot(errand)}",
        ],
    )
    return Clause(text, [Call("create_reminder", {"text": errand, "due": when})], tid)


def timer(rng: random.Random) -> Clause:
    words, minutes, adjective = minutes_phrase(rng)
    if rng.random() < 0.5:
        label = pick(rng, v.TIMER_LABELS)
        text, tid = template(
            rng,
            "timer_label",
            [
                f"Set a timer for {slot(words)} for {slot(label)}",
                f"Start a {slot(adjective)} timer for {slot(label)}",
                f"Timer: {slot(words)}, {slot(label)}",
                f"Give me {slot(words)} for {slot(label)}",
                f"Count down {slot(words)} for {slot(label)}",
                f"Set {slot(words)} on the timer for {slot(label)}",
                f"{capitalise(slot(label))} timer, {slot(words)}",
                f"Start a timer for {slot(label)}, {slot(words)}",
            ],
        )
        return Clause(text, [Call("set_timer", {"minutes": minutes, "label": label})], tid)
    text, tid = template(
        rng,
        "timer",
        [f"Set a timer for {slot(words)}", f"Start a {slot(adjective)} timer", f"Timer {slot(words)}",
         f"Count down {slot(words)}", f"Start the timer for {slot(words)}", f"Set a {slot(adjective)} countdown",
         f"I need a {slot(adjective)} timer", f"Put a timer on for {slot(words)}"],
    )  # fmt: skip
    return Clause(text, [Call("set_timer", {"minutes": minutes})], tid)


def list_reminders(rng: random.Random) -> Clause:
    text, tid = template(
        rng,
        "list_reminders",
        ["List my reminders", "What do I need to remember?", "Show me my upcoming reminders",
         "What reminders have I set?", "Any reminders coming up?", "Read me my reminders",
         "Which timers and reminders are pending?", "Tell me my reminders", "What am I supposed to remember today?"],
    )  # fmt: skip
    return Clause(text, [Call("list_reminders", {})], tid, imperative=not text.endswith("?"))


def import_contacts(rng: random.Random) -> Clause:
    path = pick(rng, v.VCF_FILES)
    text, tid = template(
        rng,
        "import",
        [f"Import the contacts from {slot(path)}", f"Add the contacts in {slot(path)}", f"Load {slot(path)} into my contacts",
         f"Import {slot(path)}", f"Please import this vCard: {slot(path)}", f"Bring in the contacts file {slot(path)}",
         f"Read the contacts from {slot(path)} into my address book"],
    )  # fmt: skip
    return Clause(text, [Call("import_contacts", {"path": path})], tid)


def email_lookup(rng: random.Random) -> Clause:
    name = person(rng)
    text, tid = template(
        rng,
        "email_of",
        [f"What is {slot(name)}'s email address?", f"Get me {slot(name)}'s email", f"Find {slot(name)}'s e-mail address",
         f"Look up the email of {slot(name)}", f"Which address does {slot(name)} use for email?",
         f"I need {slot(name)}'s email", f"Email address for {slot(name)}?", f"Tell me {slot(name)}'s mail address"],
    )  # fmt: skip
    return Clause(text, [Call("get_email_address", {"name": name})], tid, imperative=not text.endswith("?"))


def phone_lookup(rng: random.Random) -> Clause:
    name = person(rng)
    text, tid = template(
        rng,
        "phone_of",
        [f"What's {slot(name)}'s phone number?", f"Give me the number of {slot(name)}", f"Find {slot(name)}'s number",
         f"Look up {slot(name)}'s phone", f"How do I reach {slot(name)} by phone?", f"Get {slot(name)}'s mobile number",
         f"I need to call {slot(name)}, what's the number?", f"Phone number for {slot(name)}"],
    )  # fmt: skip
    return Clause(text, [Call("get_phone_number", {"name": name})], tid, imperative=not text.endswith("?"))


_MESSAGES = (
    # (subject, what the message says)
    ("Dinner", "dinner is at 8 tonight"), ("Rent", "the rent is paid"), ("Delivery", "the delivery arrives on Friday"),
    ("Party", "the party starts at 7"), ("Invoice", "the invoice was sent"), ("Train", "my train is delayed"),
    ("Keys", "I left the keys with the neighbour"), ("Concert", "the concert is sold out"),
    ("Interview", "the interview went well"), ("Car", "the car is ready to collect"),
    ("Holiday", "I'm off next week"), ("Workshop", "the workshop is moved to Tuesday"),
    ("Match", "the match is cancelled"), ("Deadline", "the deadline is tomorrow"), ("Bike", "your bike is fixed"),
    ("Tickets", "I got the tickets"), ("Report", "the report is ready"), ("Flight", "my flight lands at 6"),
    ("Class", "class is cancelled today"), ("Payment", "the payment went through"),
)  # fmt: skip
_TOPICS = (
    "the quarterly numbers", "the school trip", "the new office", "the offsite", "the garden party",
    "the hiking plan", "the contract renewal", "the book club", "Saturday's barbecue", "the budget",
    "the launch", "the move", "the reunion", "the football schedule", "the kitchen quote",
)  # fmt: skip


def _subject_of(topic: str) -> str:
    words = topic.split()
    if words[0].lower() == "the":
        words = words[1:]
    return capitalise(" ".join(words))


def compose_email(rng: random.Random) -> Clause:
    """An e-mail to literal addresses (no look-up needed)."""
    n = 1 if rng.random() < 0.8 else 2
    addresses = [email_address(rng) for _ in range(n)]
    to = " and ".join(slot(a) for a in addresses)
    r = rng.random()
    if r < 0.45:
        subject, message = pick(rng, _MESSAGES)
        text, tid = template(
            rng,
            "mail_to",
            [f"Send an email to {to} saying {slot(message)}", f"Email {to} that {slot(message)}",
             f"Write to {to}: {slot(message)}", f"Draft a mail to {to} to say {slot(message)}",
             f"Let {to} know by email that {slot(message)}"],
        )  # fmt: skip
        args: dict[str, object] = {
            "recipients": addresses,
            "subject": subject,
            "body": capitalise(message) + ".",
        }
    elif r < 0.75:
        topic = pick(rng, _TOPICS)
        subject = _subject_of(topic)
        text, tid = template(
            rng,
            "mail_about",
            [f"Write an email to {to} about {slot(topic)}", f"Draft an email to {to} regarding {slot(topic)}",
             f"Email {to} about {slot(topic)}", f"Start a mail to {to} on {slot(topic)}"],
        )  # fmt: skip
        args = {"recipients": addresses, "subject": subject}
    else:
        subject, message = pick(rng, _MESSAGES)
        text, tid = template(
            rng,
            "mail_subject",
            [f"Send {to} an email with the subject {slot(subject)} saying {slot(message)}",
             f"Email {to}, subject {slot(subject)}, body: {slot(message)}",
             f"Compose an email to {to} titled {slot(subject)}: {slot(message)}"],
        )  # fmt: skip
        args = {"recipients": addresses, "subject": subject, "body": message}
    return Clause(text, [Call("compose_email", args)], tid)


def email_person(rng: random.Random) -> Clause:
    """An e-mail to people by name: their addresses first ($N), then the mail."""
    names = people(rng, 1 if rng.random() < 0.7 else (2 if rng.random() < 0.8 else 3))
    to = join_names(names, rng)
    lookups = [Call("get_email_address", {"name": n}) for n in names]
    refs = [f"${i + 1}" for i in range(len(names))]
    r = rng.random()
    if r < 0.5:
        subject, message = pick(rng, _MESSAGES)
        text, tid = template(
            rng,
            "mail_person_msg",
            [f"Email {to} that {slot(message)}", f"Send {to} an email saying {slot(message)}",
             f"Write to {to} that {slot(message)}", f"Let {to} know by email that {slot(message)}",
             f"Drop {to} a mail: {slot(message)}", f"Tell {to} in an email that {slot(message)}",
             f"Mail {to} to say {slot(message)}"],
        )  # fmt: skip
        mail = Call(
            "compose_email", {"recipients": refs, "subject": subject, "body": capitalise(message) + "."}
        )
    else:
        topic = pick(rng, _TOPICS)
        text, tid = template(
            rng,
            "mail_person_topic",
            [f"Email {to} about {slot(topic)}", f"Write an email to {to} about {slot(topic)}",
             f"Send {to} a message by email about {slot(topic)}", f"Draft a mail to {to} regarding {slot(topic)}",
             f"Email {to} {slot(topic)}", f"Get in touch with {to} by email about {slot(topic)}"],
        )  # fmt: skip
        mail = Call("compose_email", {"recipients": refs, "subject": _subject_of(topic)})
    return Clause(text, [*lookups, mail], tid)


def _file_query(rng: random.Random) -> tuple[str, str]:
    """(how the request names the file, the query)."""
    if rng.random() < 0.25:
        name = pick(rng, v.FILE_NAMES + v.OTHER_FILES)
        return pick(rng, (f"the file {slot(name)}", slot(name), f"{slot(name)}")), name
    topic, kind = pick(rng, v.FILE_TOPICS)
    return pick(rng, (f"my {slot(topic)} {kind}", f"the {slot(topic)} {kind}", f"my {slot(topic)}",
                      f"the {slot(topic)}")), topic  # fmt: skip


def find_files(rng: random.Random) -> Clause:
    what, query = _file_query(rng)
    if rng.random() < 0.2:
        folder = pick(rng, v.FOLDERS)
        text, tid = template(
            rng, "find_in", [f"Find {what} in {slot(folder)}", f"Look in {slot(folder)} for {what}",
                             f"Search {slot(folder)} for {what}"],
        )  # fmt: skip
        return Clause(text, [Call("find_files", {"query": query, "folder": folder})], tid)
    text, tid = template(
        rng,
        "find",
        [f"Find {what}", f"Where is {what}?", f"Search my computer for {what}", f"Locate {what}",
         f"Can you find {what}?", f"Look for {what} on my computer", f"Dig up {what}", f"I can't find {what}, search for it"],
    )  # fmt: skip
    return Clause(text, [Call("find_files", {"query": query})], tid, imperative=not text.endswith("?"))


def _path(rng: random.Random, text_only: bool = False) -> str:
    name = pick(rng, v.FILE_NAMES if text_only else v.FILE_NAMES + v.OTHER_FILES)
    return f"{pick(rng, v.FOLDERS)}/{name}"


def open_file(rng: random.Random) -> Clause:
    path = _path(rng)
    text, tid = template(
        rng, "open_file",
        [f"Open {slot(path)}", f"Open the file {slot(path)}", f"Show me {slot(path)}", f"Launch {slot(path)}",
         f"Bring up {slot(path)}", f"Open up the document at {slot(path)}"],
    )  # fmt: skip
    return Clause(text, [Call("open_file", {"path": path})], tid)


def summarize_file(rng: random.Random) -> Clause:
    path = _path(rng, text_only=True)
    text, tid = template(
        rng, "summarise",
        [f"Summarise {slot(path)}", f"Summarize the file {slot(path)}", f"What does {slot(path)} say?",
         f"Give me the gist of {slot(path)}", f"Sum up {slot(path)} for me", f"TL;DR of {slot(path)}",
         f"Can you summarize {slot(path)}?", f"Tell me briefly what's in {slot(path)}"],
    )  # fmt: skip
    return Clause(text, [Call("summarize_file", {"path": path})], tid, imperative=not text.endswith("?"))


def open_map(rng: random.Random) -> Clause:
    place = pick(rng, v.PLACES)
    text, tid = template(
        rng, "map",
        [f"Show {slot(place)} on a map", f"Open a map of {slot(place)}", f"Where is {slot(place)}? Show me on the map",
         f"Map {slot(place)}", f"Pull up {slot(place)} on the map", f"Let me see {slot(place)} on a map",
         f"Find {slot(place)} on the map"],
    )  # fmt: skip
    return Clause(text, [Call("open_map", {"location": place})], tid)


def directions(rng: random.Random) -> Clause:
    place = pick(rng, v.PLACES)
    args: dict[str, object] = {"destination": place}
    r = rng.random()
    mode_word = ""
    if r < 0.35:
        mode, mode_word = pick(rng, (("walking", "walking"), ("walking", "on foot"), ("cycling", "cycling"),
                                     ("cycling", "by bike"), ("driving", "driving"), ("driving", "by car")))  # fmt: skip
        args["mode"] = mode
    origin = pick(rng, v.ORIGINS) if rng.random() < 0.35 else ""
    if origin:
        args["origin"] = origin
    src = f" from {slot(origin)}" if origin else ""
    if mode_word in ("walking", "cycling", "driving"):
        text, tid = template(
            rng, "directions_mode",
            [f"{capitalise(mode_word)} directions{src} to {slot(place)}", f"Give me {mode_word} directions{src} to {slot(place)}",
             f"Show me the {mode_word} route{src} to {slot(place)}"],
        )  # fmt: skip
    elif mode_word:
        text, tid = template(
            rng, "directions_by",
            [f"How do I get to {slot(place)} {mode_word}{src}?", f"Directions to {slot(place)} {mode_word}{src}",
             f"Route{src} to {slot(place)} {mode_word}"],
        )  # fmt: skip
    else:
        text, tid = template(
            rng, "directions",
            [f"Directions{src} to {slot(place)}", f"How do I get{src} to {slot(place)}?", f"Navigate{src} to {slot(place)}",
             f"Show me the way{src} to {slot(place)}", f"Get me directions{src} to {slot(place)}",
             f"What's the route{src} to {slot(place)}?", f"Take me{src} to {slot(place)}"],
        )  # fmt: skip
    return Clause(text, [Call("get_directions", args)], tid)


def web_search(rng: random.Random) -> Clause:
    query = pick(rng, v.WEB_QUERIES)
    text, tid = template(
        rng, "web",
        [f"Search the web for {slot(query)}", f"Look up {slot(query)} online", f"Google {slot(query)}",
         f"Search online for {slot(query)}", f"Do a web search for {slot(query)}", f"Find {slot(query)} on the internet",
         f"Can you search the internet for {slot(query)}?", f"Web search: {slot(query)}", f"Look online for {slot(query)}"],
    )  # fmt: skip
    return Clause(text, [Call("web_search", {"query": query})], tid)


# How often each intent is drawn for single requests (roughly how often people ask for it).
SINGLE_INTENTS: dict[str, tuple[Intent, float]] = {
    "create_calendar_event": (calendar_event, 3.0),
    "open_calendar": (open_calendar, 0.6),
    "create_note": (create_note, 2.0),
    "append_to_note": (append_note, 1.5),
    "open_note": (open_note, 1.0),
    "create_reminder": (reminder, 3.0),
    "set_timer": (timer, 1.5),
    "list_reminders": (list_reminders, 0.6),
    "import_contacts": (import_contacts, 0.6),
    "get_email_address": (email_lookup, 1.0),
    "get_phone_number": (phone_lookup, 1.0),
    "compose_email": (compose_email, 1.5),
    "email_person": (email_person, 2.5),
    "find_files": (find_files, 1.5),
    "open_file": (open_file, 0.8),
    "summarize_file": (summarize_file, 0.8),
    "open_map": (open_map, 1.0),
    "get_directions": (directions, 1.5),
    "web_search": (web_search, 1.5),
}
