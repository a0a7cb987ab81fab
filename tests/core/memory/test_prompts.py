"""The memory operations' contract: prompts, grammars that always parse, parsers that refuse bad output."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from core.engine import GenerationOptions, LocalEngine
from core.memory import prompts
from core.memory.prompts import Answer, AnswerStream, Decision, MalformedOutput, Remembered, Turn


def test_answer_stream_decodes_the_answer_field_across_any_split() -> None:
    text = 'Rex, "the" dog\n\\ café ✓ 😀'
    raw = prompts.answer_target(Answer((1, 2), text)).replace("😀", "\\ud83d\\ude00")
    for size in (1, 2, 3, 7):
        stream = AnswerStream()
        out = "".join(stream.feed(raw[i : i + size]) for i in range(0, len(raw), size))
        assert out == text, size


def test_answer_stream_shows_nothing_before_the_answer_starts() -> None:
    stream = AnswerStream()
    assert stream.feed('{"used": [1], "ans') == ""
    assert stream.feed('wer": "Hi') == "Hi"
    assert stream.feed('"}') == ""


def test_targets_round_trip_through_their_parsers() -> None:
    assert prompts.parse_extract(prompts.extract_target(["User has a cat.", "user has a cat."])) == [
        "User has a cat."
    ]
    decision = Decision("UPDATE", 2, "User lives in Porto.")
    assert prompts.parse_update(prompts.update_target(decision), 3) == decision
    assert prompts.parse_answer(prompts.answer_target(Answer((2,), "Porto")), 3) == Answer((2,), "Porto")


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (prompts.parse_extract, '{"facts": ["cut off'),
        (prompts.parse_extract, '["User has a cat."]'),
        (lambda t: prompts.parse_update(t, 3), '{"event": "UPDATE", "id": 4, "text": "x y z"}'),  # not shown
        (lambda t: prompts.parse_update(t, 3), '{"event": "ADD", "id": 0, "text": ""}'),  # ADD without text
        (lambda t: prompts.parse_update(t, 3), '{"event": "MERGE", "id": 1, "text": "x y z"}'),
        (lambda t: prompts.parse_answer(t, 1), '{"used": [1], "answer": "  "}'),
    ],
)
def test_malformed_outputs_are_refused(parse: Callable[[str], object], text: str) -> None:
    with pytest.raises(MalformedOutput):
        parse(text)


def test_answer_uses_only_memories_that_were_shown() -> None:
    assert prompts.parse_answer('{"used": [0, 2, 2, 9], "answer": "Porto"}', 2).used == (2,)


def test_extraction_prompt_dates_and_clips_turns() -> None:
    messages = prompts.extract_messages([Turn("User", "word " * 500), Turn("Assistant", "")], "8 May 2023")
    user = messages[1]["content"]
    assert user.startswith("Date: 8 May 2023\n\nUser: ")
    assert len(user) < prompts.TURN_CHARS + 40 and "Assistant:" not in user


def test_grammars_make_the_real_model_answer_in_shape(engine: LocalEngine) -> None:
    """The bare model, greedy, under each operation's grammar: the output always has the right shape."""
    memories = [Remembered("User lives in Lisbon."), Remembered("User has a dog named Rex.", "8 May 2023")]
    greedy = {"temperature": 0.0, "repeat_penalty": 1.2}
    extract = engine.chat(
        prompts.extract_messages([Turn("User", "I moved to Porto last week.")]),
        GenerationOptions(max_tokens=160, json_schema=prompts.EXTRACT_SCHEMA, **greedy),
    )
    assert extract.text.startswith("{") and '"facts"' in extract.text
    update = engine.chat(
        prompts.update_messages("User moved to Porto.", memories),
        GenerationOptions(max_tokens=96, json_schema=prompts.update_schema(2), **greedy),
    )
    decision = json.loads(update.text)
    assert decision["event"] in prompts.EVENTS and decision["id"] in (0, 1, 2)
    answer = engine.chat(
        prompts.answer_messages("What is my dog called?", memories),
        GenerationOptions(max_tokens=64, grammar=prompts.answer_grammar(2), **greedy),
    )
    assert answer.text.startswith('{"used": [')
    if answer.finish_reason != "length":
        parsed = prompts.parse_answer(answer.text, 2)
        assert parsed.text and set(parsed.used) <= {1, 2}
