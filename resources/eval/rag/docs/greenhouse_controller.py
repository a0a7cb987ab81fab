"""Controller for the community greenhouse at Pell Street allotments.

Reads the sensors every minute and opens vents, runs the misting pump and switches the heater so that the
tomatoes and chillies stay within their comfortable range.
"""

from dataclasses import dataclass

# Vents open when the air is warmer than this (degrees Celsius) and close again 2 degrees below it.
VENT_OPEN_TEMP_C = 27.0
VENT_HYSTERESIS_C = 2.0

# The heater keeps frost away: it starts below this night-time minimum.
HEATER_ON_BELOW_C = 8.0

# Misting runs for this many seconds when the relative humidity drops under MIN_HUMIDITY_PERCENT.
MISTING_SECONDS = 45
MIN_HUMIDITY_PERCENT = 55

# The water butt holds 1200 litres; below 15 percent the pump stops to protect itself from running dry.
WATER_BUTT_LITRES = 1200
PUMP_CUTOFF_PERCENT = 15

# Sensors are read once a minute; a sensor silent for 5 readings raises an alarm by text message.
READ_INTERVAL_SECONDS = 60
SILENT_READINGS_ALARM = 5


@dataclass
class Reading:
    air_temp_c: float
    humidity_percent: float
    water_level_percent: float


def should_open_vents(reading: Reading, vents_open: bool) -> bool:
    """Open above VENT_OPEN_TEMP_C; once open, stay open until the air cools by VENT_HYSTERESIS_C."""
    if vents_open:
        return reading.air_temp_c > VENT_OPEN_TEMP_C - VENT_HYSTERESIS_C
    return reading.air_temp_c > VENT_OPEN_TEMP_C


def should_mist(reading: Reading) -> bool:
    """Mist when the air is dry, but never when the water butt is nearly empty."""
    if reading.water_level_percent < PUMP_CUTOFF_PERCENT:
        return False
    return reading.humidity_percent < MIN_HUMIDITY_PERCENT


def should_heat(reading: Reading) -> bool:
    """The heater is a frost guard, not a tropical house: it only fights the cold nights."""
    return reading.air_temp_c < HEATER_ON_BELOW_C


def alarm_contact() -> str:
    """Alarms go by text message to the allotment warden, Rosa Delgado."""
    return "Rosa Delgado"
