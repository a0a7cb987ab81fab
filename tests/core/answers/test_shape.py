"""Answers in the asked shape: the rules on fixed replies, and the real model's reply shaped."""

from __future__ import annotations

import re

import pytest

from core.answers.shape import Shape, answer_in_shape, candidates, requested_shape, shape_reply
from core.engine import ChatMessage, GenerationOptions, LocalEngine


@pytest.mark.parametrize(
    ("request_text", "shape"),
    [
        ("Reply with only the number: how many days are there in a week?", Shape.NUMBER),
        ("How many legs does a spider have? Just the number, please.", Shape.NUMBER),
        ("Answer with a single number: 3 squared?", Shape.NUMBER),
        ("In one word: what colour is the sky?", Shape.WORD),
        ("Answer with one word: which animal says moo?", Shape.WORD),
        ("Reply with a single word: what is the opposite of day?", Shape.WORD),
        ("Give me a one-word answer: the capital of Peru?", Shape.WORD),
        ("What is the capital of France?", None),
        ("Write one word of advice and then explain it at length.", None),
        ("Which number is bigger, 3 or 5?", None),
    ],
)
def test_a_request_names_its_shape_only_when_it_asks_for_one(request_text: str, shape: Shape | None) -> None:
    assert requested_shape(request_text) == shape


def test_candidates_are_what_the_reply_adds_to_the_question() -> None:
    q = "Reply with only the number: what is 5 times 4?"
    assert candidates(Shape.NUMBER, "5 * 4 = 20.", q) == ["20"]
    assert candidates(Shape.NUMBER, "There are seven days in a week.", "how many days in a week?") == ["7"]
    assert candidates(Shape.NUMBER, "I am not sure.", q) == []
    hot = "In one word: what is the opposite of hot?"
    assert candidates(Shape.WORD, "The opposite of hot is cold.", hot) == ["cold"]
    assert (
        candidates(
            Shape.WORD, "The season comes after winter.", "In one word: which season comes after winter?"
        )
        == []
    )


@pytest.mark.parametrize(
    ("reply", "question", "shape", "short"),
    [
        ("There are 7 days in a week.", "Reply with only the number: days in a week?", Shape.NUMBER, "7"),
        (
            "A baby dog is a small furry creature called a puppy.",
            "In one word: a baby dog?",
            Shape.WORD,
            "Puppy.",
        ),
        (
            "The sky on a clear day is blue.",
            "In one word: what colour is the sky on a clear day?",
            Shape.WORD,
            "Blue.",
        ),
        # No answer in the reply, or a reply that declines: kept whole (None), not a word picked from it.
        ("Which day comes after Sunday?", "In one word: which day comes after Sunday?", Shape.WORD, None),
        (
            "It is not possible to give a single answer.",
            "In one word: what colour is grass?",
            Shape.WORD,
            None,
        ),
        ("I don't know how many.", "Reply with only the number: how many stars?", Shape.NUMBER, None),
    ],
)
def test_the_short_answer_is_the_replys_last_new_word(
    reply: str, question: str, shape: Shape, short: str | None
) -> None:
    assert shape_reply(reply, question, shape) == short


def test_the_models_reply_comes_back_as_one_number_or_whole(engine: LocalEngine) -> None:
    question = "Reply with only the number: how many hours are there in a day?"
    messages: list[ChatMessage] = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": question},
    ]
    options = GenerationOptions(temperature=0.0, max_tokens=48, repeat_penalty=1.1)
    result = answer_in_shape(engine, messages, Shape.NUMBER, options)
    # Whatever this CPU's greedy reply is: the number it wrote, or the whole reply when it wrote none.
    assert (
        re.fullmatch(r"-?\d+(?:\.\d+)?", result.text)
        or shape_reply(result.text, question, Shape.NUMBER) is None
    )
    assert result.finish_reason in ("stop", "length") and result.metrics.completion_tokens > 0
