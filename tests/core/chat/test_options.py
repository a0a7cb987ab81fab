"""Answer options and the system prompt: the model's measured defaults unless the user set a value."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.chat.options import answer_options, system_prompt
from core.engine import embedded_model_path
from core.models.profiles import SMOLLM2, defaults_for
from core.settings import OLD_SYSTEM_PROMPT, SETTINGS, Settings
from core.store import Store


@pytest.fixture
def settings(hearth_home: Path) -> Iterator[Settings]:
    store = Store(hearth_home)
    yield Settings(store.settings)
    store.close()


def test_untouched_settings_give_the_profile_values(settings: Settings) -> None:
    defaults = defaults_for(embedded_model_path())
    options = answer_options(settings, defaults)
    assert (options.temperature, options.repeat_penalty, options.max_tokens) == (
        SMOLLM2.temperature,
        SMOLLM2.repeat_penalty,
        SMOLLM2.max_tokens,
    )
    assert (options.top_p, options.min_p, options.top_k) == (SMOLLM2.top_p, SMOLLM2.min_p, SMOLLM2.top_k)
    assert system_prompt(settings, defaults) == SMOLLM2.system_prompt
    assert all(
        settings.get(k) is None for k in ("temperature", "repeat_penalty", "max_tokens", "system_prompt")
    )


def test_values_the_user_set_win_and_overrides_win_over_both(settings: Settings) -> None:
    defaults = defaults_for(embedded_model_path())
    settings.set("temperature", 1.3)
    settings.set("max_tokens", 77)
    settings.set("system_prompt", "Be brief.")
    options = answer_options(settings, defaults)
    assert (options.temperature, options.max_tokens) == (1.3, 77)
    assert options.repeat_penalty == SMOLLM2.repeat_penalty, "a setting left alone keeps the profile's"
    assert system_prompt(settings, defaults) == "Be brief."
    assert answer_options(settings, defaults, max_tokens=5, temperature=None).max_tokens == 5
    settings.set("temperature", None)  # back to the model's default
    assert answer_options(settings, defaults).temperature == SMOLLM2.temperature


def test_old_databases_keep_their_choices_and_lose_the_old_defaults(hearth_home: Path) -> None:
    store = Store(hearth_home)
    try:
        # What Hearth 0.1's Settings dialog stored on Save: every field, the defaults included.
        store.settings.set("temperature", 0.7)
        store.settings.set("system_prompt", OLD_SYSTEM_PROMPT)
        store.settings.set("max_tokens", 300)
        store.settings.set("repeat_penalty", "junk")
        settings = Settings(store.settings)
        assert settings.get("temperature") is None and settings.get("system_prompt") is None
        assert settings.get("max_tokens") == 300, "a value the user chose is kept"
        assert settings.get("repeat_penalty") is None, "an unreadable value falls back to the default"
    finally:
        store.close()


def test_auto_settings_take_none_and_others_do_not() -> None:
    assert SETTINGS["temperature"].validate(None) is None
    with pytest.raises(ValueError):
        SETTINGS["n_ctx"].validate(None)
    with pytest.raises(ValueError):
        SETTINGS["temperature"].validate(5.0)
