"""The engine on the real embedded SmolLM2 model."""

from __future__ import annotations

import json
import threading
from contextlib import closing
from pathlib import Path

import pytest

from core.engine import GenerationOptions, LocalEngine
from core.errors import AdapterError, GrammarError
from core.runtime import open_local
from tests.lora_factory import write_random_lora

GREEDY = GenerationOptions(max_tokens=48, temperature=0.0)
FRANCE = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is the capital of France? Answer in one sentence."},
]


def test_streams_the_answer_with_metrics(engine: LocalEngine) -> None:
    pieces: list[str] = []
    result = engine.chat(FRANCE, GREEDY, on_token=pieces.append)
    assert "Paris" in result.text
    assert "".join(pieces) == result.text
    assert len(pieces) > 3, "tokens arrive one by one, not as one block"
    m = result.metrics
    assert result.finish_reason == "stop"
    assert m.prompt_tokens == engine.count_chat_tokens(FRANCE)
    assert m.completion_tokens >= len(pieces) - 1
    assert 0 < m.ttft_ms < m.total_ms
    assert m.decode_tok_s > 0 and m.prompt_tok_s > 0


def test_greedy_answers_repeat_and_the_prefix_cache_changes_nothing(engine: LocalEngine) -> None:
    first = engine.chat(FRANCE, GREEDY)
    follow_up = [
        *FRANCE,
        {"role": "assistant", "content": first.text},
        {"role": "user", "content": "And Germany?"},
    ]
    warm = engine.chat(follow_up, GREEDY)
    assert warm.metrics.prompt_tokens_evaluated < warm.metrics.prompt_tokens, "the shared prefix was reused"
    engine.reset_cache()
    cold = engine.chat(follow_up, GREEDY)
    assert cold.metrics.prompt_tokens_evaluated == cold.metrics.prompt_tokens
    assert warm.text == cold.text
    assert engine.chat(FRANCE, GREEDY).text == first.text


def test_cancel_mid_stream_keeps_the_partial_answer(engine: LocalEngine) -> None:
    cancel = threading.Event()
    pieces: list[str] = []

    def on_token(piece: str) -> None:
        pieces.append(piece)
        if len(pieces) == 3:
            cancel.set()

    options = GenerationOptions(max_tokens=200, temperature=0.0, ignore_eos=True)
    result = engine.chat(FRANCE, options, on_token=on_token, cancel=cancel)
    assert result.finish_reason == "cancelled"
    assert result.metrics.completion_tokens == 3
    assert result.text == "".join(pieces) and result.text


def test_cancel_before_start_generates_nothing(engine: LocalEngine) -> None:
    cancel = threading.Event()
    cancel.set()
    result = engine.chat(FRANCE, GREEDY, cancel=cancel)
    assert result.finish_reason == "cancelled"
    assert result.text == "" and result.metrics.completion_tokens == 0


def test_max_tokens_ends_with_length(engine: LocalEngine) -> None:
    result = engine.chat(FRANCE, GenerationOptions(max_tokens=5, temperature=0.0, ignore_eos=True))
    assert result.finish_reason == "length"
    assert result.metrics.completion_tokens == 5


def test_stop_string_is_cut_and_never_shown(engine: LocalEngine) -> None:
    # The stop string is a word of the model's own answer on this machine, so it is sure to come.
    free = engine.chat(FRANCE, GREEDY).text
    words = free.split()
    assert len(words) >= 3
    stop = " " + words[len(words) // 2]
    pieces: list[str] = []
    result = engine.chat(
        FRANCE, GenerationOptions(max_tokens=48, temperature=0.0, stop=(stop,)), pieces.append
    )
    assert result.finish_reason == "stop_string"
    assert result.text == free[: free.index(stop)] == "".join(pieces)
    assert stop not in "".join(pieces)


def test_gbnf_grammar_constrains_the_output(engine: LocalEngine) -> None:
    options = GenerationOptions(max_tokens=8, temperature=0.9, grammar='root ::= "yes" | "no"')
    question = [{"role": "user", "content": "Is the sky green? Say yes or no."}]
    assert engine.chat(question, options).text in {"yes", "no"}


def test_json_schema_output_parses_and_has_the_right_types(engine: LocalEngine) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}, "indoor": {"type": "boolean"}},
        "required": ["name", "age", "indoor"],
    }
    ask = [{"role": "user", "content": "Describe a cat as JSON with name, age and indoor."}]
    result = engine.chat(ask, GenerationOptions(max_tokens=64, temperature=0.8, json_schema=schema))
    data = json.loads(result.text)
    assert isinstance(data["name"], str) and isinstance(data["age"], int) and isinstance(data["indoor"], bool)


def test_bad_grammar_is_a_clear_error(engine: LocalEngine) -> None:
    with pytest.raises(GrammarError):
        engine.chat(FRANCE, GenerationOptions(grammar="root ::= (unclosed"))
    with pytest.raises(GrammarError):
        engine.chat(FRANCE, GenerationOptions(grammar='root ::= "a"', json_schema={"type": "string"}))
    assert engine.chat(FRANCE, GREEDY).text, "the engine still works after a refused grammar"


def test_token_counting(engine: LocalEngine) -> None:
    text = "Hearth runs a small model on your own machine."
    tokens = engine.tokenize(text)
    assert engine.count_tokens(text) == len(tokens) > 5
    assert engine.detokenize(tokens) == text


def test_raw_completion_without_template(engine: LocalEngine) -> None:
    result = engine.complete(
        "The three primary colours are", GenerationOptions(max_tokens=12, temperature=0.0)
    )
    assert result.text.strip() and result.metrics.prompt_tokens > 3


def test_lora_adapters_switch_per_request_without_reloading(
    engine: LocalEngine, model_path: Path, tmp_path: Path
) -> None:
    base = engine.chat(FRANCE, GREEDY).text
    engine.adapters.load("strong", write_random_lora(model_path, tmp_path / "strong.gguf", scale=2.0, seed=1))
    engine.adapters.load("other", write_random_lora(model_path, tmp_path / "other.gguf", scale=2.0, seed=2))
    strong = engine.chat(FRANCE, GenerationOptions(max_tokens=48, temperature=0.0, adapter="strong")).text
    other = engine.chat(FRANCE, GenerationOptions(max_tokens=48, temperature=0.0, adapter="other")).text
    assert strong != base and other != base and strong != other
    assert engine.chat(FRANCE, GREEDY).text == base, "with no adapter the base model answers as before"
    assert (
        engine.chat(FRANCE, GenerationOptions(max_tokens=48, temperature=0.0, adapter="strong")).text
        == strong
    )
    assert set(engine.adapters.names) >= {"strong", "other"}
    with pytest.raises(AdapterError, match="No adapter named 'missing'"):
        engine.chat(FRANCE, GenerationOptions(adapter="missing"))


def test_adapter_errors_name_the_problem(engine: LocalEngine, model_path: Path, tmp_path: Path) -> None:
    not_gguf = tmp_path / "notes.gguf"
    not_gguf.write_text("not an adapter")
    with pytest.raises(AdapterError, match="not a GGUF"):
        engine.adapters.load("bad", not_gguf)
    wrong = write_random_lora(model_path, tmp_path / "wrong.gguf", wrong_shape=True)
    with pytest.raises(AdapterError, match="wrong.gguf"):
        engine.adapters.load("wrong", wrong)
    with pytest.raises(AdapterError, match="does not exist"):
        engine.adapters.load("gone", tmp_path / "gone.gguf")


def test_conversation_longer_than_the_context_is_trimmed_not_crashed(model_path: Path) -> None:
    with closing(open_local(Path(model_path), n_ctx=256, n_threads=2)) as small:
        long_chat = [{"role": "system", "content": "You are terse."}]
        for i in range(30):
            long_chat.append({"role": "user", "content": f"Remember the number {i} and the word apple{i}."})
            long_chat.append({"role": "assistant", "content": f"Noted: {i} and apple{i}."})
        long_chat.append({"role": "user", "content": "What was the last number?"})
        options = GenerationOptions(max_tokens=32, temperature=0.0)
        result = small.chat(long_chat, options)
        assert result.metrics.trimmed_messages > 0
        assert result.metrics.prompt_tokens + result.metrics.completion_tokens <= 256

        huge = [{"role": "user", "content": "word " * 2000 + "What is the capital of France?"}]
        result = small.chat(huge, options)
        assert result.metrics.trimmed_messages == 1
        assert result.metrics.prompt_tokens <= 256 - 32
