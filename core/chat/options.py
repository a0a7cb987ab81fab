"""The options an answer is generated with, from the user's settings: one definition for every caller."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from core.engine import GenerationOptions
from core.settings import Settings


def answer_options(settings: Settings, **overrides: Any) -> GenerationOptions:
    """Chat-answer options from `settings`; keyword arguments override single fields (None is ignored)."""
    options = GenerationOptions(
        max_tokens=settings.get("max_tokens"),
        temperature=settings.get("temperature"),
        repeat_penalty=settings.get("repeat_penalty"),
    )
    given = {k: v for k, v in overrides.items() if v is not None}
    return replace(options, **given) if given else options
