"""The CPU checks that decide how llama.cpp loads weights (the AMX crash, core/engine/cpu.py)."""

from __future__ import annotations

import pytest

from core.engine.cpu import has_amx, use_extra_buffers


def test_amx_cpus_load_without_extra_buffers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEARTH_EXTRA_BUFFERS", raising=False)
    amx = frozenset({"avx512f", "amx_tile", "amx_int8"})
    plain = frozenset({"avx2", "avx512f"})
    assert has_amx(amx) and not has_amx(plain)
    assert not use_extra_buffers(amx)
    assert use_extra_buffers(plain)


def test_the_environment_overrides_the_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARTH_EXTRA_BUFFERS", "1")
    assert use_extra_buffers(frozenset({"amx_tile"}))
    monkeypatch.setenv("HEARTH_EXTRA_BUFFERS", "0")
    assert not use_extra_buffers(frozenset({"avx2"}))


def test_a_multi_token_prompt_decodes_on_this_cpu(engine) -> None:  # type: ignore[no-untyped-def]
    # On an AMX Xeon with the extra buffers on, this prompt killed the process (SIGSEGV).
    tokens = engine.tokenize("The quick brown fox jumps over the lazy dog.")
    assert len(tokens) > 5
    logprobs = engine.token_logprobs(tokens, 1)
    assert len(logprobs) == len(tokens) - 1 and all(lp <= 0 for lp in logprobs)
