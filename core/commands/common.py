"""Small helpers the commands share."""

from __future__ import annotations

import json
import sys
from typing import Any

from core.errors import HearthError
from core.settings import Settings


def load_settings() -> Settings:
    """The user's settings if the data dir is usable; the declared defaults otherwise."""
    from core.store import Store

    try:
        return Settings(Store().settings)
    except HearthError as e:
        print(f"hearth: using default settings: {e}", file=sys.stderr)
        return Settings(None)


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False))
