"""Deterministic stand-ins for the unseen-tools evaluation's functions (tools.json binds each to this
script): each checks its arguments as a real service would and answers with made-up but plausible data,
so `hearth eval agent --tools` can run the planned calls and count the ones that fail."""

from __future__ import annotations

import json
import sys

CONTACTS = {"tobias": "+49 151 2345678", "beatriz": "+351 912 345 678", "hamid": "+33 6 12 34 56 78",
            "ottilie": "+44 7700 900456", "ravi": "+91 98765 43210", "imogen": "+61 412 345 678"}  # fmt: skip
RATES = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "JPY": 151.0, "CHF": 0.88, "SEK": 10.4, "NOK": 10.6}
UNITS = {"miles": 1609.344, "kilometers": 1000.0, "km": 1000.0, "meters": 1.0, "m": 1.0, "feet": 0.3048,
         "kilograms": 1000.0, "kg": 1000.0, "grams": 1.0, "g": 1.0, "ounces": 28.349523, "oz": 28.349523,
         "pounds": 453.59237, "lb": 453.59237}  # fmt: skip
MASS = {"kilograms", "kg", "grams", "g", "ounces", "oz", "pounds", "lb"}


def fail(message: str) -> None:
    print(message, file=sys.stderr)
    sys.exit(1)


def need(args: dict, key: str, kind: type | tuple[type, ...]) -> object:
    if key not in args:
        fail(f"missing argument {key}")
    value = args[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        fail(f"{key} has the wrong type: {value!r}")
    if isinstance(value, str) and not value.strip():
        fail(f"{key} is empty")
    return value


def run(name: str, a: dict) -> object:
    num = (int, float)
    if name == "calculate_triangle_area":
        base, height = need(a, "base", num), need(a, "height", num)
        if base <= 0 or height <= 0:
            fail("base and height must be positive")
        return {"area": base * height / 2, "unit": f"{a.get('unit') or 'units'}^2"}
    if name == "convert_currency":
        amount = need(a, "amount", num)
        src, dst = str(need(a, "from_currency", str)).upper(), str(need(a, "to_currency", str)).upper()
        for code in (src, dst):
            if code not in RATES:
                fail(f"unknown currency code {code}")
        return {"amount": round(amount / RATES[src] * RATES[dst], 2), "currency": dst}
    if name == "get_weather_forecast":
        city = need(a, "city", str)
        days = a.get("days", 1)
        if not isinstance(days, int) or not 1 <= days <= 7:
            fail("days must be 1 to 7")
        return {"city": city, "forecast": ["mild, light wind"] * days}
    if name == "set_lights":
        need(a, "room", str)
        if need(a, "state", str) not in ("on", "off"):
            fail("state must be on or off")
        if "brightness" in a and not (isinstance(a["brightness"], int) and 0 <= a["brightness"] <= 100):
            fail("brightness must be 0 to 100")
        return "ok"
    if name == "set_thermostat":
        t = need(a, "temperature", num)
        if not 5 <= t <= 30:
            fail("temperature must be 5 to 30 degrees")
        return "ok"
    if name == "play_music":
        need(a, "query", str)
        return "playing"
    if name == "track_package":
        number = str(need(a, "tracking_number", str))
        if len(number.replace(" ", "")) < 8:
            fail("that is not a tracking number")
        return {"status": "in transit"}
    if name == "book_restaurant":
        need(a, "restaurant", str), need(a, "time", str)
        size = need(a, "party_size", int)
        if not 1 <= size <= 20:
            fail("party size must be 1 to 20")
        return {"booking": "confirmed"}
    if name == "translate_text":
        text, lang = need(a, "text", str), need(a, "target_language", str)
        return f"[{lang}] {text}"
    if name == "get_stock_price":
        symbol = str(need(a, "symbol", str))
        if not symbol.isalpha() or not symbol.isupper() or len(symbol) > 5:
            fail(f"unknown ticker {symbol}")
        return {"symbol": symbol, "price": 100.0 + len(symbol)}
    if name == "add_todo":
        need(a, "task", str)
        if a.get("priority", "medium") not in ("low", "medium", "high"):
            fail("priority must be low, medium or high")
        return "added"
    if name == "get_flight_status":
        number = str(need(a, "flight_number", str)).replace(" ", "")
        if not (number[:2].isalpha() and number[2:].isdigit()):
            fail(f"{number} is not a flight number")
        return {"flight": number, "status": "on time"}
    if name == "search_recipes":
        items = need(a, "ingredients", list)
        if not items:
            fail("no ingredients")
        return [f"{' and '.join(items)} stew"]
    if name == "convert_units":
        value = need(a, "value", num)
        src, dst = str(need(a, "from_unit", str)).lower(), str(need(a, "to_unit", str)).lower()
        if src not in UNITS or dst not in UNITS or (src in MASS) != (dst in MASS):
            fail(f"cannot convert {src} to {dst}")
        return round(value * UNITS[src] / UNITS[dst], 3)
    if name == "lookup_contact_phone":
        who = str(need(a, "name", str)).lower()
        if who not in CONTACTS:
            fail(f"No contact named {who}")
        return CONTACTS[who]
    if name == "send_sms":
        phone = str(need(a, "phone_number", str))
        need(a, "message", str)
        if sum(ch.isdigit() for ch in phone) < 7:
            fail(f"{phone} is not a phone number")
        return "sent"
    if name == "get_local_time":
        need(a, "city", str)
        return "14:05"
    fail(f"unknown tool {name}")
    return None


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], json.loads(sys.stdin.read() or "{}"))))
