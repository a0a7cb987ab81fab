"""Tools the planner has never seen: function schemas in OpenAI JSON form, made up per example, with requests.

Two kinds. Archetypes are everyday services (car rental, parking, a pet log...) whose tool name,
description, parameter names and optional parameters are drawn afresh for every example, so the adapter
learns to read a schema rather than remember one. Abstract tools are random verb_noun functions with random
typed parameters (enums, numbers, booleans, lists), asked for in plain template language, so it learns to
copy values into parameters by their names. None of the evaluation's unseen tools (resources/eval/agent/
unseen/) is among them, nor any of their domains.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.assistant.training.phrasing import HELD_OUT_MARK, Call, Clause, pick, slot, template_id

Value = tuple[str, Any]  # (words in the request, value in the call)
Gen = Callable[[random.Random], Value]


def choice(*pairs: str | tuple[str, Any]) -> Gen:
    items = [(p, p) if isinstance(p, str) else p for p in pairs]
    return lambda rng: pick(rng, items)


def integer(lo: int, hi: int, unit: str = "") -> Gen:
    def gen(rng: random.Random) -> Value:
        n = rng.randint(lo, hi)
        return (f"{n} {unit}".strip(), n)

    return gen


def number(lo: float, hi: float, decimals: int = 2, prefix: str = "", unit: str = "") -> Gen:
    def gen(rng: random.Random) -> Value:
        x = round(rng.uniform(lo, hi), rng.choice((0, decimals)))
        text = f"{x:g}" if x == int(x) else f"{x}"
        value: float | int = int(x) if x == int(x) else x
        return (f"{prefix}{text} {unit}".strip(), value)

    return gen


@dataclass(frozen=True)
class P:
    """One parameter of an archetype: its alternative names, JSON type, how its values are written."""

    names: tuple[str, ...]
    type: str  # string | integer | number | boolean | array
    gen: Gen
    description: str
    required: bool = True
    enum: tuple[str, ...] = ()
    items: str = "string"


@dataclass(frozen=True)
class Archetype:
    names: tuple[str, ...]
    descriptions: tuple[str, ...]
    params: dict[str, P]
    # Templates name parameters as {key}; [key=value] sets a value the words imply (not shown).
    templates: tuple[str, ...]
    domain: str
    side_effects: bool = True
    returns_id: str = ""  # the parameter key a dependent tool takes this tool's result as


CITIES = choice("Ljubljana", "Tallinn", "Bologna", "Valencia", "Gdansk", "Antwerp", "Bergen", "Salzburg", "Nantes",
                "Cork", "Graz", "Turin", "Malmo", "Seville", "Leipzig", "Bruges", "Split", "Innsbruck")  # fmt: skip
DATES = choice("tomorrow", "next Monday", "Friday", "June 3", "2026-07-14", "the 21st of August", "Saturday",
               "March 9", "next weekend")  # fmt: skip
TIMES = choice("9am", "10:30", "6pm", "7:15pm", "noon", "8 am", "14:00", "5:45pm")
NAMES = choice("Marta", "Jonas", "Priyanka", "Okan", "Lise", "Bram", "Tove", "Caio", "Rhea", "Duc")
PETS = choice("Biscuit", "Pepper", "Mochi", "Rex", "Luna", "Ziggy", "Olive", "Tofu")
FOODS = choice(
    "apples", "oat milk", "pasta", "eggs", "cheddar", "bread", "yoghurt", "rice", "lemons", "coffee"
)

ARCHETYPES: tuple[Archetype, ...] = (
    Archetype(
        ("rent_car", "book_rental_car", "reserve_car"),
        ("Reserve a rental car.", "Book a car from the rental company for some days."),
        {
            "city": P(("city", "pickup_city", "location"), "string", CITIES, "where the car is picked up"),
            "date": P(("pickup_date", "start_date", "date"), "string", DATES, "the day of pickup"),
            "days": P(("days", "rental_days", "duration_days"), "integer", integer(1, 14), "how many days"),
            "kind": P(
                ("car_type", "category", "vehicle_class"),
                "string",
                choice("economy", "compact", "suv", "van"),
                "the kind of car",
                required=False,
                enum=("economy", "compact", "suv", "van"),
            ),
        },
        (
            "Rent a car in {city} from {date} for {days} days",
            "Book a {kind} rental car in {city} on {date} for {days} days",
            "I need a car in {city} for {days} days starting {date}",
            "Reserve a {kind} in {city}, pickup {date}, {days} days",
        ),
        "car rental",
    ),
    Archetype(
        ("book_hotel", "reserve_room", "hotel_booking"),
        ("Book a hotel room.", "Reserve a room in a hotel for some nights."),
        {
            "city": P(("city", "destination"), "string", CITIES, "the city of the hotel"),
            "date": P(("check_in", "arrival_date", "from_date"), "string", DATES, "the day of arrival"),
            "nights": P(("nights", "num_nights"), "integer", integer(1, 10), "how many nights"),
            "guests": P(
                ("guests", "num_guests", "people"),
                "integer",
                integer(1, 6),
                "how many guests",
                required=False,
            ),
        },
        (
            "Book a hotel in {city} for {nights} nights from {date}",
            "Find me a room in {city} checking in {date} for {nights} nights",
            "Reserve a hotel in {city} on {date}, {nights} nights, {guests} guests",
            "I need a room for {guests} people in {city} from {date} for {nights} nights",
        ),
        "hotel",
    ),
    Archetype(
        ("pay_parking", "start_parking_session", "pay_for_parking"),
        ("Pay for parking in a zone for some hours.",),
        {
            "zone": P(
                ("zone", "zone_code", "area"),
                "string",
                choice("A12", "B4", "C7", "Z1", "M20", "K3"),
                "the parking zone code",
            ),
            "hours": P(
                ("hours", "duration_hours"), "number", number(0.5, 6, 1), "how long to park, in hours"
            ),
            "plate": P(
                ("plate", "licence_plate", "vehicle_plate"),
                "string",
                choice("KX-482", "LM 55 TR", "B-QW-91"),
                "the car's licence plate",
                required=False,
            ),
        },
        (
            "Pay for parking in zone {zone} for {hours} hours",
            "Start parking in {zone} for {hours} hours",
            "Park my car {plate} in zone {zone} for {hours} hours",
            "I'm parking in {zone}, pay {hours} hours",
        ),
        "parking",
    ),
    Archetype(
        ("find_parking", "search_parking_spots"),
        ("Find free parking spaces near a place.",),
        {
            "near": P(
                ("near", "location", "address"),
                "string",
                choice("the cathedral", "Elm Street", "the arena", "the mall"),
                "where to look",
            ),
            "price": P(
                ("max_price", "max_price_per_hour"),
                "number",
                number(1, 5, 1),
                "highest price per hour",
                required=False,
            ),
        },
        (
            "Find parking near {near}",
            "Where can I park near {near}?",
            "Find a parking spot near {near} under {price} per hour",
        ),
        "parking",
        side_effects=False,
    ),
    Archetype(
        ("log_pet_meal", "record_feeding", "feed_log"),
        ("Record a meal given to a pet.",),
        {
            "pet": P(("pet", "pet_name", "animal"), "string", PETS, "the pet's name"),
            "grams": P(
                ("grams", "amount_g", "portion_grams"),
                "integer",
                integer(20, 400, "grams"),
                "how much food, in grams",
            ),
        },
        (
            "Log that {pet} ate {grams}",
            "Record a meal for {pet}: {grams}",
            "I fed {pet} {grams}",
            "Note {grams} of food for {pet}",
        ),
        "pets",
    ),
    Archetype(
        ("book_vet_visit", "schedule_vet"),
        ("Book an appointment at the vet.",),
        {
            "pet": P(("pet", "pet_name"), "string", PETS, "which pet"),
            "date": P(("date", "day"), "string", DATES, "the day"),
            "reason": P(
                ("reason", "notes"),
                "string",
                choice("vaccination", "a limp", "check-up", "dental cleaning"),
                "why",
                required=False,
            ),
        },
        (
            "Book a vet visit for {pet} on {date}",
            "Schedule the vet for {pet} {date} for {reason}",
            "{pet} needs the vet on {date} for {reason}",
        ),
        "pets",
    ),
    Archetype(
        ("renew_library_loan", "renew_book"),
        ("Renew a book borrowed from the library.",),
        {
            "title": P(
                ("title", "book_title"),
                "string",
                choice("The Dispossessed", "Wolf Hall", "Circe", "Educated", "Shogun"),
                "the book",
            )
        },
        (
            "Renew {title} at the library",
            "Extend my loan of {title}",
            "Please renew the library book {title}",
        ),
        "library",
    ),
    Archetype(
        ("search_library_catalog", "find_in_catalog"),
        ("Search the library catalog.",),
        {
            "query": P(
                ("query", "search_terms"),
                "string",
                choice("bird watching", "Roman history", "knitting", "chess openings"),
                "what to look for",
            ),
            "format": P(
                ("format", "media_type"),
                "string",
                choice("book", "ebook", "audiobook"),
                "which format",
                required=False,
                enum=("book", "ebook", "audiobook"),
            ),
        },
        (
            "Search the library for {query}",
            "Does the library have a {format} about {query}?",
            "Find {format}s on {query} in the catalog",
        ),
        "library",
        side_effects=False,
    ),
    Archetype(
        ("book_fitness_class", "reserve_class"),
        ("Book a place in a gym class.",),
        {
            "name": P(
                ("class_name", "activity"),
                "string",
                choice("spin", "pilates", "boxing", "aqua aerobics", "yoga flow"),
                "which class",
            ),
            "day": P(("day", "date"), "string", DATES, "which day"),
            "time": P(("time", "start_time"), "string", TIMES, "the start time", required=False),
        },
        (
            "Book me into {name} on {day}",
            "Reserve a spot in {name} class {day} at {time}",
            "Sign me up for {name} {day} at {time}",
        ),
        "fitness",
    ),
    Archetype(
        ("log_workout", "record_exercise"),
        ("Log a workout in the fitness tracker.",),
        {
            "activity": P(
                ("activity", "exercise", "sport"),
                "string",
                choice("running", "rowing", "cycling", "swimming", "hiking"),
                "what was done",
            ),
            "minutes": P(("minutes", "duration_min"), "integer", integer(10, 120, "minutes"), "how long"),
            "calories": P(
                ("calories", "kcal"), "integer", integer(80, 900, "calories"), "energy burnt", required=False
            ),
        },
        (
            "Log {minutes} of {activity}",
            "I did {activity} for {minutes}, record it",
            "Record a workout: {activity}, {minutes}, {calories}",
        ),
        "fitness",
    ),
    Archetype(
        ("transfer_funds", "send_money", "make_transfer"),
        ("Transfer money to another bank account.",),
        {
            "to": P(
                ("recipient_account", "to_account", "iban"),
                "string",
                choice("DE44 5001 0517", "GB29 NWBK 6016", "ACC-99812"),
                "the account to pay",
            ),
            "amount": P(("amount", "value"), "number", number(5, 900, 2), "how much"),
            "reference": P(
                ("reference", "memo"),
                "string",
                choice("rent March", "concert tickets", "invoice 311"),
                "a note for the payment",
                required=False,
            ),
        },
        (
            "Transfer {amount} to {to}",
            "Send {amount} to account {to} with reference {reference}",
            "Pay {to} {amount} for {reference}",
        ),
        "banking",
    ),
    Archetype(
        ("get_account_balance", "check_balance"),
        ("Show the balance of one of the user's bank accounts.",),
        {
            "account": P(
                ("account", "account_type"),
                "string",
                choice("checking", "savings", "credit"),
                "which account",
                enum=("checking", "savings", "credit"),
            )
        },
        (
            "What's the balance of my {account} account?",
            "Check my {account} balance",
            "How much is in {account}?",
        ),
        "banking",
        side_effects=False,
    ),
    Archetype(
        ("log_expense", "add_expense", "record_spending"),
        ("Add an expense to the budget tracker.",),
        {
            "amount": P(("amount", "cost"), "number", number(2, 300, 2), "how much was spent"),
            "category": P(
                ("category", "kind"),
                "string",
                choice("food", "travel", "rent", "fun", "other"),
                "the budget category",
                enum=("food", "travel", "rent", "fun", "other"),
            ),
            "note": P(
                ("note", "description"),
                "string",
                choice("taxi home", "team lunch", "museum entry", "groceries"),
                "what it was",
                required=False,
            ),
        },
        (
            "Log an expense of {amount} for {category}",
            "I spent {amount} on {category}: {note}",
            "Add {amount} under {category}, {note}",
        ),
        "budget",
    ),
    Archetype(
        ("split_bill", "divide_bill"),
        ("Work out each person's share of a bill.",),
        {
            "total": P(("total", "bill_total", "amount"), "number", number(20, 400, 2), "the whole bill"),
            "people": P(("people", "num_people", "ways"), "integer", integer(2, 9), "how many share it"),
            "tip": P(
                ("tip_percent", "tip"),
                "number",
                choice(("10%", 10), ("15%", 15), ("20%", 20)),
                "tip in percent",
                required=False,
            ),
        },
        (
            "Split a bill of {total} between {people} people",
            "Divide {total} {people} ways with a {tip} tip",
            "We are {people}, the bill is {total}, how much each?",
        ),
        "budget",
        side_effects=False,
    ),
    Archetype(
        ("buy_event_tickets", "order_tickets"),
        ("Buy tickets for an event.",),
        {
            "event": P(
                ("event_name", "event", "show"),
                "string",
                choice("the jazz festival", "Swan Lake", "the derby", "the comedy night"),
                "the event",
            ),
            "quantity": P(("quantity", "count", "num_tickets"), "integer", integer(1, 6), "how many tickets"),
            "section": P(
                ("section", "seat_class"),
                "string",
                choice("standard", "premium", "vip"),
                "the seats",
                required=False,
                enum=("standard", "premium", "vip"),
            ),
        },
        (
            "Buy {quantity} tickets for {event}",
            "Get me {quantity} {section} tickets to {event}",
            "Order {quantity} seats for {event} in {section}",
        ),
        "tickets",
    ),
    Archetype(
        ("search_train_connections", "find_trains"),
        ("Find train connections between two stations.",),
        {
            "origin": P(("origin", "from_station", "departure"), "string", CITIES, "where from"),
            "destination": P(("destination", "to_station", "arrival"), "string", CITIES, "where to"),
            "date": P(("date", "travel_date"), "string", DATES, "the day", required=False),
        },
        (
            "Find trains from {origin} to {destination}",
            "Train connections {origin} to {destination} on {date}",
            "How do I get from {origin} to {destination} by train {date}?",
        ),
        "trains",
        side_effects=False,
    ),
    Archetype(
        ("request_ride", "book_taxi", "call_cab"),
        ("Order a ride from one place to another.",),
        {
            "pickup": P(
                ("pickup", "pickup_location", "from_address"),
                "string",
                choice("the hotel", "Elm Street 4", "the office", "home"),
                "where to be picked up",
            ),
            "dropoff": P(
                ("dropoff", "destination", "to_address"),
                "string",
                choice("the airport", "the station", "Rosa's house", "the arena"),
                "where to go",
            ),
            "ride": P(
                ("ride_type", "service"),
                "string",
                choice("standard", "xl", "shared"),
                "the kind of ride",
                required=False,
                enum=("standard", "xl", "shared"),
            ),
        },
        (
            "Get me a ride from {pickup} to {dropoff}",
            "Book an {ride} ride from {pickup} to {dropoff}",
            "I need a cab to {dropoff} from {pickup}",
        ),
        "rides",
    ),
    Archetype(
        ("water_plant", "log_watering"),
        ("Record that a plant was watered.",),
        {
            "plant": P(
                ("plant", "plant_name"),
                "string",
                choice("the fern", "the basil", "the fig tree", "the orchid"),
                "which plant",
            ),
            "ml": P(
                ("amount_ml", "ml", "water_ml"),
                "integer",
                integer(50, 1000, "ml"),
                "how much water in millilitres",
            ),
        },
        ("I watered {plant} with {ml}", "Log {ml} of water for {plant}", "Record watering {plant}: {ml}"),
        "plants",
    ),
    Archetype(
        ("add_to_basket", "add_grocery_item"),
        ("Add an item to the online grocery basket.",),
        {
            "item": P(("item", "product"), "string", FOODS, "what to add"),
            "quantity": P(("quantity", "count"), "integer", integer(1, 12), "how many", required=False),
        },
        (
            "Add {item} to my basket",
            "Put {quantity} {item} in the grocery basket",
            "I need {quantity} packs of {item} in the basket",
        ),
        "groceries",
    ),
    Archetype(
        ("place_grocery_order", "order_groceries"),
        ("Order groceries for delivery.",),
        {
            "items": P(("items", "products"), "array", lambda rng: _list_value(rng, FOODS), "what to order"),
            "slot": P(
                ("delivery_slot", "delivery_time"),
                "string",
                choice("tomorrow morning", "Friday 6pm", "tonight"),
                "when to deliver",
                required=False,
            ),
        },
        (
            "Order {items} for delivery {slot}",
            "Get {items} delivered",
            "Place a grocery order: {items}, delivery {slot}",
        ),
        "groceries",
    ),
    Archetype(
        ("create_document", "new_document"),
        ("Create a new document from a template.",),
        {
            "title": P(
                ("title", "name"),
                "string",
                choice("Q3 plan", "Cover letter draft", "Trip budget", "Lab report"),
                "the document title",
            ),
            "template": P(
                ("template", "layout"),
                "string",
                choice("blank", "letter", "report", "invoice"),
                "which template",
                required=False,
                enum=("blank", "letter", "report", "invoice"),
            ),
        },
        (
            "Create a document called {title}",
            "Start a new {template} document named {title}",
            "Make a {template} titled {title}",
        ),
        "documents",
    ),
    Archetype(
        ("start_robot_vacuum", "vacuum_room"),
        ("Start the robot vacuum cleaner.",),
        {
            "room": P(
                ("room", "area"),
                "string",
                choice("kitchen", "living room", "hallway", "bedroom"),
                "where to clean",
                required=False,
            ),
            "mode": P(
                ("mode", "power"),
                "string",
                choice("quiet", "standard", "turbo"),
                "suction power",
                required=False,
                enum=("quiet", "standard", "turbo"),
            ),
        },
        (
            "Start the robot vacuum",
            "Vacuum the {room}",
            "Start the robot vacuum in the {room} on {mode}",
            "Run the vacuum in {mode} mode",
            "Clean the {room} with the robot",
        ),
        "home",
    ),
    Archetype(
        ("lock_door", "lock"),
        ("Lock one of the smart locks.",),
        {
            "door": P(
                ("door", "which_door"),
                "string",
                choice("front", "back", "garage"),
                "which door",
                enum=("front", "back", "garage"),
            )
        },
        ("Lock the {door} door", "Make sure the {door} door is locked", "Lock {door}"),
        "security",
    ),
    Archetype(
        ("arm_alarm", "set_alarm_system"),
        ("Arm the home security system.",),
        {
            "mode": P(
                ("mode", "arm_mode"),
                "string",
                choice("home", "away", "night"),
                "how to arm it",
                enum=("home", "away", "night"),
            )
        },
        (
            "Arm the alarm in {mode} mode",
            "Set the security system to {mode}",
            "Turn on the alarm, {mode} mode",
        ),
        "security",
    ),
    Archetype(
        ("start_sprinkler", "water_garden_zone"),
        ("Run the garden sprinklers in one zone.",),
        {
            "zone": P(("zone", "zone_number"), "integer", integer(1, 8), "the sprinkler zone"),
            "minutes": P(("minutes", "run_minutes"), "integer", integer(5, 60, "minutes"), "how long"),
        },
        (
            "Run sprinkler zone {zone} for {minutes}",
            "Water zone {zone} for {minutes}",
            "Turn on the sprinklers in zone {zone} for {minutes}",
        ),
        "garden",
    ),
    Archetype(
        ("set_tv_volume", "tv_volume"),
        ("Set the TV's volume.",),
        {"level": P(("level", "volume"), "integer", integer(0, 60), "volume from 0 to 60")},
        ("Set the TV volume to {level}", "TV volume {level}", "Turn the telly to volume {level}"),
        "tv",
    ),
    Archetype(
        ("change_tv_channel", "tune_channel"),
        ("Switch the TV to a channel.",),
        {"channel": P(("channel", "channel_number"), "integer", integer(1, 120), "the channel number")},
        ("Put on channel {channel}", "Switch the TV to channel {channel}", "Change to {channel} on the TV"),
        "tv",
    ),
    Archetype(
        ("preheat_oven", "oven_on"),
        ("Preheat the smart oven.",),
        {
            "temperature": P(
                ("temperature", "degrees", "temp_c"),
                "integer",
                integer(120, 250, "degrees"),
                "the temperature in °C",
            ),
            "mode": P(
                ("mode", "program"),
                "string",
                choice("bake", "grill", "fan"),
                "the oven mode",
                required=False,
                enum=("bake", "grill", "fan"),
            ),
        },
        (
            "Preheat the oven to {temperature}",
            "Heat the oven to {temperature} on {mode}",
            "Oven on, {mode}, {temperature}",
        ),
        "kitchen",
    ),
    Archetype(
        ("get_news_headlines", "latest_news"),
        ("Get the latest news headlines on a topic.",),
        {
            "topic": P(
                ("topic", "category"),
                "string",
                choice("science", "football", "technology", "local politics"),
                "the topic",
            ),
            "count": P(("count", "limit"), "integer", integer(3, 10), "how many headlines", required=False),
        },
        ("What's the latest news in {topic}?", "Give me {count} headlines about {topic}", "Top {topic} news"),
        "news",
        side_effects=False,
    ),
    Archetype(
        ("define_word", "dictionary_lookup"),
        ("Look up a word in the dictionary.",),
        {
            "word": P(
                ("word", "term"),
                "string",
                choice("ephemeral", "quixotic", "laconic", "ubiquitous", "petrichor"),
                "the word",
            )
        },
        (
            "Define {word}",
            "Look up {word} in the dictionary",
            "What does the word {word} mean? Check the dictionary",
        ),
        "dictionary",
        side_effects=False,
    ),
    Archetype(
        ("calculate_tip", "tip_calculator"),
        ("Calculate the tip for a bill.",),
        {
            "bill": P(("bill_amount", "bill", "subtotal"), "number", number(10, 250, 2), "the bill"),
            "percent": P(
                ("tip_percent", "percentage", "rate"),
                "number",
                choice(("15%", 15), ("18 percent", 18), ("20%", 20), ("12.5%", 12.5)),
                "tip in percent",
            ),
        },
        (
            "What's a {percent} tip on {bill}?",
            "Calculate the tip on a {bill} bill at {percent}",
            "Tip {percent} on {bill}",
        ),
        "math",
        side_effects=False,
    ),
    Archetype(
        ("calculate_loan_payment", "loan_calculator"),
        ("Calculate the monthly payment of a loan.",),
        {
            "principal": P(
                ("principal", "loan_amount"), "number", number(1000, 300000, 0), "how much is borrowed"
            ),
            "rate": P(
                ("annual_rate", "interest_rate"), "number", number(1, 9, 2), "yearly interest in percent"
            ),
            "years": P(("years", "term_years"), "integer", integer(1, 30, "years"), "how many years"),
        },
        (
            "What's the monthly payment on a loan of {principal} at {rate} percent over {years}?",
            "Calculate a {years} loan of {principal} at {rate}% interest",
        ),
        "math",
        side_effects=False,
    ),
    Archetype(
        ("post_message", "send_channel_message", "post_to_channel"),
        ("Post a message in a team chat channel.",),
        {
            "channel": P(
                ("channel", "channel_name"),
                "string",
                choice("#general", "#design", "#random", "#ops"),
                "the channel",
            ),
            "text": P(
                ("text", "message"),
                "string",
                choice("standup in 5 minutes", "deploy is done", "lunch is here", "build is green"),
                "what to post",
            ),
        },
        ("Post '{text}' in {channel}", "Tell {channel} that {text}", "Send {text} to the {channel} channel"),
        "chat",
    ),
    Archetype(
        ("set_blinds", "move_blinds"),
        ("Open or close the window blinds to a position.",),
        {
            "room": P(
                ("room", "location"), "string", choice("study", "living room", "bedroom"), "which room"
            ),
            "position": P(("position", "percent_open"), "integer", integer(0, 100), "how open, in percent"),
        },
        (
            "Open the {room} blinds to {position} percent",
            "Set the blinds in the {room} to {position}%",
            "{room} blinds at {position}",
        ),
        "home",
    ),
    Archetype(
        ("find_charging_station", "ev_chargers_near"),
        ("Find electric car charging stations nearby.",),
        {
            "near": P(
                ("near", "location"),
                "string",
                choice("the motorway exit", "the office", "Rue Verte"),
                "where",
            ),
            "connector": P(
                ("connector", "plug_type"),
                "string",
                choice("ccs", "chademo", "type2"),
                "plug type",
                required=False,
                enum=("ccs", "chademo", "type2"),
            ),
        },
        (
            "Find a charger near {near}",
            "Where can I charge my car near {near} with a {connector} plug?",
            "EV charging near {near}",
        ),
        "ev",
        side_effects=False,
    ),
    Archetype(
        ("find_showtimes", "movie_times"),
        ("Find cinema showtimes for a film.",),
        {
            "movie": P(
                ("movie", "film", "title"),
                "string",
                choice("Dune Part Three", "The Grand Budapest Hotel", "Inside Out 3"),
                "the film",
            ),
            "city": P(("city", "location"), "string", CITIES, "where", required=False),
        },
        (
            "When is {movie} showing?",
            "Showtimes for {movie} in {city}",
            "Find cinemas playing {movie} in {city}",
        ),
        "cinema",
        side_effects=False,
    ),
    Archetype(
        ("add_flashcard", "new_flashcard"),
        ("Add a flashcard to a study deck.",),
        {
            "front": P(
                ("front", "question"), "string", choice("gato", "Hund", "merci", "obrigado"), "the front side"
            ),
            "back": P(
                ("back", "answer"), "string", choice("cat", "dog", "thank you", "thanks"), "the back side"
            ),
            "deck": P(
                ("deck", "deck_name"),
                "string",
                choice("Spanish", "German", "French", "Portuguese"),
                "which deck",
                required=False,
            ),
        },
        (
            "Add a flashcard {front} meaning {back}",
            "New card in my {deck} deck: {front} / {back}",
            "Flashcard: {front} = {back}, deck {deck}",
        ),
        "study",
    ),
    Archetype(
        ("set_alarm", "create_alarm", "wake_me_alarm"),
        ("Set an alarm clock.",),
        {
            "time": P(("time", "alarm_time"), "string", TIMES, "when it rings"),
            "label": P(
                ("label", "name"), "string", choice("gym", "flight", "work"), "what it is for", required=False
            ),
            "repeat": P(
                ("repeat", "recurrence"),
                "string",
                choice("never", "daily", "weekdays"),
                "how it repeats",
                required=False,
                enum=("never", "daily", "weekdays"),
            ),
        },
        (
            "Set an alarm for {time}",
            "Wake me up at {time} {repeat}",
            "Alarm at {time} for {label}",
            "Set a {repeat} alarm at {time}",
        ),
        "alarm",
    ),
    Archetype(
        ("set_do_not_disturb", "toggle_dnd"),
        ("Turn do-not-disturb on or off.",),
        {
            "enabled": P(("enabled", "on"), "boolean", choice(("on", True), ("off", False)), "on or off"),
            "minutes": P(
                ("minutes", "duration"),
                "integer",
                integer(15, 180, "minutes"),
                "for how long",
                required=False,
            ),
        },
        ("Turn do not disturb {enabled}", "Do-not-disturb {enabled} for {minutes}", "Switch DND {enabled}"),
        "phone",
    ),
    Archetype(
        ("toggle_wifi", "set_wifi"),
        ("Switch the computer's wifi on or off.",),
        {
            "enabled": P(
                ("enabled", "on"), "boolean", choice(("on", True), ("off", False)), "whether wifi is on"
            )
        },
        ("Turn wifi {enabled}", "Switch the wifi {enabled}", "Wifi {enabled} please"),
        "device",
    ),
    Archetype(
        ("log_water", "track_water_intake"),
        ("Log a glass of water in the hydration tracker.",),
        {"ml": P(("ml", "amount_ml", "volume_ml"), "integer", integer(100, 750, "ml"), "how much water")},
        ("I drank {ml} of water", "Log {ml} water", "Track {ml} of water for me"),
        "health",
    ),
    Archetype(
        ("get_shipping_quote", "shipping_cost"),
        ("Get a quote for shipping a parcel.",),
        {
            "weight": P(
                ("weight_kg", "weight"), "number", number(0.5, 30, 1, unit="kg"), "parcel weight in kg"
            ),
            "country": P(
                ("destination_country", "country"),
                "string",
                choice("Japan", "Brazil", "Ireland", "Australia"),
                "where to",
            ),
        },
        (
            "How much to ship {weight} to {country}?",
            "Shipping quote for a {weight} parcel to {country}",
            "Quote me postage to {country} for {weight}",
        ),
        "shipping",
        side_effects=False,
    ),
)


def _list_value(rng: random.Random, gen: Gen) -> Value:
    values: list[Any] = []
    while len(values) < rng.randint(2, 3):
        _, x = gen(rng)
        if x not in values:
            values.append(x)
    words = ", ".join(values[:-1]) + " and " + values[-1]
    return words, values


# Tools whose result a second tool needs: look-up then act, over unseen tools.
@dataclass(frozen=True)
class ChainSpec:
    first: tuple[str, str, str, Gen, str]  # (tool names..., description, param name, value, words)
    second: tuple[str, str, str]  # (tool name, description, id param name)
    extra: tuple[str, str, Gen, str] | None  # (param name, type, value, description)
    templates: tuple[str, ...]  # {first} the looked-up value's words, {extra} the extra value's words


CHAINS: tuple[ChainSpec, ...] = (
    ChainSpec(
        (
            "find_customer",
            "Find a customer's id by their e-mail.",
            "email",
            choice("li.wei@shop.example", "ana.p@mail.example"),
            "email",
        ),
        ("create_support_ticket", "Open a support ticket for a customer.", "customer_id"),
        ("issue", "string", choice("refund not received", "broken zip", "wrong size"), "what the problem is"),
        (
            "Open a ticket for the customer {first} about {extra}",
            "Customer {first} says {extra}: find them and open a ticket",
        ),
    ),
    ChainSpec(
        (
            "lookup_order",
            "Find an order's id from its order number.",
            "order_number",
            choice("A-1043", "Z-77", "H-5521"),
            "number",
        ),
        ("cancel_order", "Cancel an order.", "order_id"),
        ("reason", "string", choice("ordered twice", "too slow", "changed my mind"), "why"),
        ("Cancel order {first} because {extra}", "Look up order {first} and cancel it, reason: {extra}"),
    ),
    ChainSpec(
        (
            "search_products",
            "Search the shop for a product and return its id.",
            "query",
            choice("usb-c cable", "desk lamp", "yoga mat"),
            "query",
        ),
        ("add_product_to_cart", "Add a product to the shopping cart.", "product_id"),
        ("quantity", "integer", integer(1, 5), "how many"),
        (
            "Find a {first} and add {extra} to my cart",
            "Search for {first}, then put {extra} of it in the cart",
        ),
    ),
    ChainSpec(
        (
            "get_user_id",
            "Get the id of a user of the forum from their username.",
            "username",
            choice("nightowl", "max_power", "greenthumb"),
            "name",
        ),
        ("send_direct_message", "Send a private message to a user id.", "user_id"),
        (
            "text",
            "string",
            choice("thanks for the tip", "see you at the meetup", "your post was great"),
            "the message",
        ),
        ("Message {first} on the forum: {extra}", "Find user {first} and DM them {extra}"),
    ),
    ChainSpec(
        (
            "find_playlist",
            "Find a podcast's id by its name.",
            "name",
            choice("Night Science", "The Rest Is History", "Deep Dive"),
            "name",
        ),
        ("subscribe_podcast", "Subscribe to a podcast by id.", "podcast_id"),
        None,
        ("Subscribe me to {first}", "Find the podcast {first} and subscribe"),
    ),
)


# ---- abstract tools -------------------------------------------------------------------------------------

_VERBS = ("archive", "sync", "rotate", "index", "flag", "rename", "tag", "export", "validate", "merge", "restore",
          "register", "schedule", "publish", "audit", "pin", "queue", "mute", "resize", "upload", "approve",
          "generate", "compile", "shuffle", "assign", "calibrate", "dispatch", "enroll", "refresh", "label")  # fmt: skip
_NOUNS = ("ledger", "widget", "ticket", "batch", "sensor", "profile", "invoice", "bucket", "shipment", "badge",
          "cluster", "report", "playbook", "roster", "snapshot", "volume", "coupon", "device", "survey", "asset",
          "campaign", "shelf", "pipeline", "voucher", "license", "tile", "fixture", "crate", "beacon", "folder")  # fmt: skip
_PARAM_WORDS = ("region", "count", "label", "mode", "color", "code", "size", "target", "owner", "priority", "level",
                "limit", "tag", "format", "zone", "channel", "version", "weight", "status", "group", "depth", "ratio",
                "title", "reason", "quota", "shard", "tier", "slot", "unit", "batch_size")  # fmt: skip
_WORDS = ("north", "alpha", "blue", "orion", "staging", "delta", "maple", "quartz", "summer", "beta", "crimson",
          "atlas", "nimbus", "kilo", "river", "ember", "zen", "polar", "cobalt", "harbor")  # fmt: skip


@dataclass
class AbstractParam:
    name: str
    type: str
    enum: tuple[str, ...] = ()
    required: bool = True
    items: str = "string"


@dataclass
class AbstractTool:
    name: str
    verb: str
    noun: str
    params: list[AbstractParam] = field(default_factory=list)


def abstract_tool(rng: random.Random) -> AbstractTool:
    verb, noun = pick(rng, _VERBS), pick(rng, _NOUNS)
    tool = AbstractTool(f"{verb}_{noun}", verb, noun)
    names = rng.sample(_PARAM_WORDS, rng.randint(0, 4))
    for i, name in enumerate(names):
        kind = pick(rng, ("string", "string", "integer", "number", "boolean", "enum", "array"))
        required = i < 2 or rng.random() < 0.3
        if kind == "enum":
            tool.params.append(
                AbstractParam(name, "string", tuple(rng.sample(_WORDS, rng.randint(2, 4))), required)
            )
        else:
            tool.params.append(AbstractParam(name, kind, (), required))
    return tool


def abstract_value(rng: random.Random, p: AbstractParam) -> Value:
    if p.enum:
        x = pick(rng, p.enum)
        return x, x
    if p.type == "string":
        x = pick(rng, _WORDS) + (f"-{rng.randint(1, 99)}" if rng.random() < 0.4 else "")
        return x, x
    if p.type == "integer":
        n = rng.randint(1, 500)
        return str(n), n
    if p.type == "number":
        x = round(rng.uniform(0.1, 99), 1)
        return f"{x}", x
    if p.type == "boolean":
        b = rng.random() < 0.5
        return ("true" if b else "false"), b
    values = rng.sample(_WORDS, rng.randint(2, 3))
    return ", ".join(values), values


def _schema_json(
    name: str, description: str, params: list[tuple[str, dict[str, Any], bool]]
) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": {n: prop for n, prop, _ in params},
                "required": [n for n, _, req in params if req],
            },
        },
    }


@dataclass
class CustomTool:
    """One made-up tool: its OpenAI JSON form, and the clause that asks for it."""

    schema: dict[str, Any]
    domain: str


def archetype_clause(rng: random.Random, arch: Archetype) -> tuple[Clause, CustomTool]:
    """A fresh schema of `arch` (names, optional parameters drawn) and a request for it."""
    name = pick(rng, arch.names)
    chosen: dict[str, str] = {}
    props: list[tuple[str, dict[str, Any], bool]] = []
    keys = list(arch.params)
    rng.shuffle(keys) if rng.random() < 0.3 else None
    for key in keys:
        p = arch.params[key]
        if not p.required and rng.random() < 0.3:
            continue  # this instance of the schema has no such parameter
        pname = pick(rng, p.names)
        chosen[key] = pname
        prop: dict[str, Any] = {"type": p.type, "description": p.description}
        if p.enum:
            prop["enum"] = list(p.enum)
        if p.type == "array":
            prop["items"] = {"type": p.items}
        props.append((pname, prop, p.required))
    usable = [t for t in arch.templates if all(k in chosen for k in _keys(t)) and _covers_required(t, arch)]
    text_t = pick(rng, usable) if usable else None
    if text_t is None:  # every template needs a parameter this instance lacks: mention the required only
        text_t = arch.templates[0]
    args: dict[str, Any] = {}
    text = text_t
    for key in _keys(text_t):
        if key not in chosen:
            continue
        words, value = arch.params[key].gen(rng)
        args[chosen[key]] = value
        text = text.replace("{" + key + "}", slot(words), 1)
    schema = _schema_json(name, pick(rng, arch.descriptions), props)
    i, n = arch.templates.index(text_t), len(arch.templates)
    # An archetype's last phrasing is held out when it has three or more.
    tid = f"arch.{arch.names[0]}.{i}" + (HELD_OUT_MARK if n >= 3 and i == n - 1 else "")
    return Clause(text, [Call(name, args)], tid, imperative=not text.endswith("?")), CustomTool(
        schema, arch.domain
    )


def _keys(template_text: str) -> list[str]:
    import re

    return re.findall(r"\{(\w+)\}", template_text)


def _covers_required(template_text: str, arch: Archetype) -> bool:
    return all(k in _keys(template_text) for k, p in arch.params.items() if p.required)


def chain_clause(rng: random.Random, spec: ChainSpec) -> tuple[Clause, list[CustomTool]]:
    first_name, first_desc, first_param, first_gen, _ = spec.first
    second_name, second_desc, id_param = spec.second
    words, value = first_gen(rng)
    first_schema = _schema_json(
        first_name,
        first_desc,
        [(first_param, {"type": "string", "description": f"the {first_param.replace('_', ' ')}"}, True)],
    )
    params = [(id_param, {"type": "string", "description": "the id returned by the look-up"}, True)]
    args: dict[str, Any] = {id_param: "$1"}
    text = pick(rng, spec.templates)
    tid = template_id(f"chain.{first_name}", spec.templates.index(text), 1)
    text = text.replace("{first}", slot(words))
    if spec.extra is not None:
        ename, etype, egen, edesc = spec.extra
        ewords, evalue = egen(rng)
        params.append((ename, {"type": etype, "description": edesc}, True))
        args[ename] = evalue
        text = text.replace("{extra}", slot(ewords))
    second_schema = _schema_json(second_name, second_desc, params)
    calls = [Call(first_name, {first_param: value}), Call(second_name, args)]
    return Clause(text, calls, tid), [CustomTool(first_schema, "chain"), CustomTool(second_schema, "chain")]


def abstract_clause(rng: random.Random) -> tuple[Clause, CustomTool]:
    tool = abstract_tool(rng)
    props: list[tuple[str, dict[str, Any], bool]] = []
    for p in tool.params:
        prop: dict[str, Any] = {"type": p.type, "description": f"the {p.name.replace('_', ' ')}"}
        if p.enum:
            prop["enum"] = list(p.enum)
        if p.type == "array":
            prop["items"] = {"type": "string"}
        props.append((p.name, prop, p.required))
    description = f"{tool.verb.capitalize()} a {tool.noun}."
    mentioned = [p for p in tool.params if p.required or rng.random() < 0.5]
    args: dict[str, Any] = {}
    parts: list[str] = []
    for p in mentioned:
        words, value = abstract_value(rng, p)
        args[p.name] = value
        parts.append(f"{p.name.replace('_', ' ')} {slot(words)}")
    said = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + (parts[-1] if parts else "")
    options = [
        f"{tool.verb.capitalize()} the {tool.noun}" + (f" with {said}" if said else ""),
        f"Please {tool.verb} a {tool.noun}" + (f": {said}" if said else ""),
        f"{tool.verb.capitalize()} {tool.noun}" + (f", {said}" if said else " now"),
        f"I want to {tool.verb} the {tool.noun}" + (f" using {said}" if said else ""),
    ]
    i = rng.randrange(len(options))
    schema = _schema_json(tool.name, description, props)
    return Clause(options[i], [Call(tool.name, args)], template_id("abstract", i, len(options))), CustomTool(
        schema, "abstract"
    )
