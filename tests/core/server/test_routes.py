"""The official openai client against `hearth serve`'s app on 127.0.0.1 with the real embedded model."""

from __future__ import annotations

import json

import httpx2 as httpx
import jsonschema
import numpy as np
import openai
import pytest

from tests.core.server.conftest import Served

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather forecast for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city"],
        },
    },
}
NOTE = {
    "type": "function",
    "function": {
        "name": "make_note",
        "description": "Write a note",
        "parameters": {"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]},
    },
}
ASK = [{"role": "user", "content": "What will the weather be in Paris tomorrow?"}]


def test_models_lists_the_served_model_and_the_embedder(served: Served) -> None:
    ids = [m.id for m in served.client().models.list().data]
    assert ids[0] == "hearth" and "all-minilm-l6-v2" in ids


def test_chat_answers_with_usage_and_measured_figures(served: Served) -> None:
    reply = served.client().chat.completions.create(
        model="hearth",
        messages=[{"role": "user", "content": "What is the capital of France?"}],
        max_tokens=24,
        temperature=0,
    )
    choice = reply.choices[0]
    assert choice.message.role == "assistant" and choice.message.content
    assert choice.finish_reason in ("stop", "length")
    assert reply.usage is not None and 0 < reply.usage.completion_tokens <= 24
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    figures = (reply.model_extra or {})["hearth"]
    assert figures["engine"] == "llama.cpp" and figures["ttft_ms"] > 0 and figures["queue_ms"] >= 0
    assert figures["energy_j"] > 0 and figures["power_source"], "joules and where they come from"
    assert figures["j_per_token"] == pytest.approx(
        figures["energy_j"] / reply.usage.completion_tokens, rel=1e-3
    )


def test_stream_sends_the_same_answer_piece_by_piece_and_its_usage(served: Served) -> None:
    client = served.client()
    ask = {"model": "hearth", "messages": ASK, "max_tokens": 16, "temperature": 0, "seed": 7}
    # Both compared answers run from the same KV cache (the prompt kept from the one before): a prompt
    # evaluated whole and one evaluated from a cached prefix differ in float rounding, and on some CPUs
    # the greedy path with them.
    client.chat.completions.create(**ask)  # type: ignore[call-overload]
    whole = client.chat.completions.create(**ask).choices[0].message.content  # type: ignore[call-overload]
    pieces, finish, used, figures = [], None, None, None
    for chunk in client.chat.completions.create(**ask, stream=True, stream_options={"include_usage": True}):  # type: ignore[call-overload]
        if chunk.usage is not None:
            used = chunk.usage
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
            finish = chunk.choices[0].finish_reason or finish
            figures = (chunk.model_extra or {}).get("hearth", figures)
    assert len([p for p in pieces if p]) > 1, "streamed in pieces"
    assert "".join(pieces) == whole, "greedy: the stream is the same answer"
    assert finish in ("stop", "length") and used is not None and used.completion_tokens <= 16
    assert figures is not None and figures["ttft_ms"] > 0


def test_max_tokens_and_stop_end_the_answer(served: Served) -> None:
    client = served.client()
    short = client.chat.completions.create(model="hearth", messages=ASK, max_tokens=3, temperature=0)
    assert short.choices[0].finish_reason == "length" and short.usage is not None
    assert short.usage.completion_tokens == 3
    # Under a grammar the answer is known: "a b c d e ..." stops before the stop string.
    stopped = client.chat.completions.create(
        model="hearth",
        messages=ASK,
        max_tokens=40,
        temperature=0,
        stop=["d"],
        extra_body={"grammar": 'root ::= "a b c d e f"'},
    )
    assert stopped.choices[0].message.content == "a b c " and stopped.choices[0].finish_reason == "stop"


@pytest.mark.parametrize("choice", ["required", {"type": "function", "function": {"name": "get_weather"}}])
def test_tool_calls_always_parse_and_name_a_real_function(served: Served, choice: object) -> None:
    reply = served.client().chat.completions.create(
        model="hearth",
        messages=ASK,
        tools=[WEATHER, NOTE],  # type: ignore[list-item]
        tool_choice=choice,  # type: ignore[arg-type]
        parallel_tool_calls=False,  # one call: fewer tokens on a slow machine
        max_tokens=80,
        temperature=0,
    )
    choice0 = reply.choices[0]
    assert choice0.finish_reason == "tool_calls" and choice0.message.tool_calls
    for call in choice0.message.tool_calls:
        assert call.type == "function" and call.id.startswith("call_")
        schema = {"get_weather": WEATHER, "make_note": NOTE}[call.function.name]["function"]["parameters"]  # type: ignore[index]
        jsonschema.validate(json.loads(call.function.arguments), schema)
    if isinstance(choice, dict):
        assert {c.function.name for c in choice0.message.tool_calls} == {"get_weather"}


def test_tool_calls_stream_as_openai_deltas(served: Served) -> None:
    calls = []
    for chunk in served.client().chat.completions.create(
        model="hearth",
        messages=ASK,
        tools=[WEATHER],  # type: ignore[list-item]
        tool_choice="required",
        parallel_tool_calls=False,
        max_tokens=80,
        temperature=0,
        stream=True,
    ):
        if chunk.choices and chunk.choices[0].delta.tool_calls:
            calls.extend(chunk.choices[0].delta.tool_calls)
    assert calls and calls[0].function is not None and calls[0].function.name == "get_weather"
    assert isinstance(json.loads(calls[0].function.arguments or ""), dict)


def test_json_schema_and_json_object_answers_parse(served: Served) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
        "additionalProperties": False,
    }
    client = served.client()
    reply = client.chat.completions.create(
        model="hearth",
        messages=[{"role": "user", "content": "Describe a person as JSON."}],
        max_tokens=60,
        temperature=0,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "person", "schema": schema, "strict": True},
        },
    )
    jsonschema.validate(json.loads(reply.choices[0].message.content or ""), schema)
    anything = client.chat.completions.create(
        model="hearth",
        messages=[{"role": "user", "content": "Give me a JSON object."}],
        max_tokens=60,
        temperature=0,
        response_format={"type": "json_object"},
    )
    content = anything.choices[0].message.content or ""
    if anything.choices[0].finish_reason == "stop":
        assert isinstance(json.loads(content), dict)
    else:
        assert content.lstrip().startswith("{")


def test_embeddings_are_the_bundled_minilm(served: Served) -> None:
    reply = served.client().embeddings.create(
        model="all-minilm-l6-v2", input=["a cat sat on the mat", "a kitten on a rug", "stock market prices"]
    )
    vectors = np.array([d.embedding for d in reply.data])
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert reply.usage.prompt_tokens > 0


def _error(served: Served, path: str, **kwargs: object) -> httpx.Response:
    return httpx.post(served.url + path, timeout=30, **kwargs)  # type: ignore[arg-type]


def test_bad_requests_get_the_right_status_and_an_openai_error_body(served: Served) -> None:
    client = served.client()
    malformed = _error(served, "/chat/completions", content=b'{"model": "hearth", "messages": [')
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "invalid_json"
    too_big = _error(served, "/chat/completions", content=b'{"x": "' + b"a" * 1_200_000 + b'"}')
    assert too_big.status_code == 413 and too_big.json()["error"]["message"]
    with pytest.raises(openai.NotFoundError) as unknown:
        client.chat.completions.create(model="no-such-model", messages=ASK)
    assert unknown.value.code == "model_not_found"
    with pytest.raises(openai.BadRequestError) as long_prompt:
        client.chat.completions.create(model="hearth", messages=[{"role": "user", "content": "word " * 3000}])
    assert long_prompt.value.code == "context_length_exceeded"
    with pytest.raises(openai.BadRequestError) as answer_too_long:
        client.chat.completions.create(model="hearth", messages=ASK, max_tokens=5000)
    assert answer_too_long.value.code == "context_length_exceeded"
    bad_tool = {
        "type": "function",
        "function": {
            "name": "f",
            "parameters": {"type": "object", "properties": {"a": {"type": "no-such-type"}}},
        },
    }
    with pytest.raises(openai.BadRequestError) as invalid_tools:
        client.chat.completions.create(model="hearth", messages=ASK, tools=[bad_tool])  # type: ignore[list-item]
    assert invalid_tools.value.code == "invalid_schema" and "tools[0]" in str(invalid_tools.value.param)
    with pytest.raises(openai.BadRequestError) as missing_field:
        client.chat.completions.create(model="hearth", messages=[])
    assert missing_field.value.param == "messages"
    wrong_method = httpx.delete(served.url + "/models", timeout=30)
    assert wrong_method.status_code == 405 and "error" in wrong_method.json()
    # And the server still answers.
    assert (
        client.chat.completions.create(model="hearth", messages=ASK, max_tokens=2).choices[0].message.content
    )
