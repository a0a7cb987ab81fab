"""The options an answer is generated with: the model's measured defaults, with what the user set on top.

One definition for every caller. A setting left at None ("auto", core.settings) takes the model's profile
value (core.models.profiles); a value the user set wins; keyword overrides win over both.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from core.engine import GenerationOptions
from core.models.profiles import GENERIC, ModelDefaults
from core.settings import Settings

# The settings that override a profile's option of the same name when the user has set them.
SAMPLING_SETTINGS = ("max_tokens", "temperature", "repeat_penalty")


def answer_options(
    settings: Settings, defaults: ModelDefaults | None = None, **overrides: Any
) -> GenerationOptions:
    """Chat-answer options for the model of `defaults` (a generic profile without one).

    Keyword arguments override single fields; None is ignored.
    """
    base = (defaults or ModelDefaults(GENERIC, "")).options()
    chosen = {k: settings.get(k) for k in SAMPLING_SETTINGS}
    given = {k: v for k, v in {**chosen, **overrides}.items() if v is not None}
    return replace(base, **given) if given else base


def system_prompt(settings: Settings, defaults: ModelDefaults | None) -> str:
    """The system prompt for a new conversation: the user's setting, else the model's measured default."""
    chosen = settings.get("system_prompt")
    if chosen is not None:
        return str(chosen)
    return defaults.system_prompt if defaults is not None else ""
