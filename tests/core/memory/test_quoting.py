"""Quoted answers: the per-request grammar lets the model write only a span of the memory it names, that
memory's date, or "Not mentioned"; the training targets are all such answers."""

from __future__ import annotations

import json

import pytest

from core.engine import GenerationOptions, LocalEngine
from core.memory import quoting
from core.memory.operations import MemoryOps
from core.memory.prompts import Answer, Remembered, parse_answer, quote_messages
from core.memory.training.examples import n_memories
from core.memory.training.quotes import quote_example
from core.memory.training.synth import generate

MEMORIES = [
    Remembered("Tomasz's daughter Zofia started violin lessons in January.", "3 March, 2023"),
    Remembered("Tomasz lives in Leeds, near the river."),
    Remembered('Ingrid calls her bike "the Blue Whale".', "8 May, 2023"),
]


def _is_span(text: str, memory_text: str) -> bool:
    """Whether `text` is a run of consecutive words of `memory_text` (punctuation aside)."""
    tw = [w.core for w in quoting.words_of(text)]
    mw = [w.core for w in quoting.words_of(memory_text)]
    return bool(tw) and any(mw[i : i + len(tw)] == tw for i in range(len(mw)))


def _allowed(question: str, answer: Answer, memories: list[Remembered]) -> bool:
    if not answer.used:
        return answer.text == quoting.NOT_MENTIONED
    memory = memories[answer.used[0] - 1]
    text = answer.text
    if quoting.is_yes_no_question(question):
        for yn in sorted(quoting.YES_NO, key=len, reverse=True):
            if text == yn:
                return True
            if text.startswith(yn + ", "):
                text = text[len(yn) + 2 :]
                break
    return text == memory.date or _is_span(text, memory.text)


def test_spans_and_the_best_span() -> None:
    assert "Zofia" in quoting.spans(MEMORIES[0].text)
    assert "Leeds" in quoting.spans(MEMORIES[1].text)  # without its comma at the end of the span
    assert quoting.best_span(MEMORIES[0].text, "January")[0] == "January"
    assert quoting.best_span(MEMORIES[1].text, "Leeds")[0] == "Leeds"


def test_a_time_quote_gets_its_memorys_date_and_not_mentioned_its_full_stop() -> None:
    q = "When did Zofia start violin lessons?"
    assert quoting.finish(q, Answer((1,), "in January"), MEMORIES).text == "in January, 3 March, 2023"
    assert quoting.finish(q, Answer((1,), "3 March, 2023"), MEMORIES).text == "3 March, 2023"
    assert quoting.finish(q, Answer((), "Not mentioned"), MEMORIES).text == "Not mentioned."


def test_every_training_target_is_an_answer_the_grammar_allows() -> None:
    for ex in generate("answer", 200, seed=3):
        listed = ex.messages[0]["content"].split("What you remember:\n", 1)[1].splitlines()
        memories = []
        for line in listed:
            body = line.split(". ", 1)[1]
            date, _, text = body[1:].partition("] ") if body.startswith("[") else ("", "", body)
            memories.append(Remembered(text, date))
        target = parse_answer(ex.target, n_memories(ex))
        if target.used:
            memory = memories[target.used[0] - 1]
            assert target.text in quoting.spans(memory.text, 40) or target.text == memory.date, ex.target
        else:
            assert target.text == quoting.NOT_MENTIONED


@pytest.mark.parametrize(
    "question",
    [
        "When did Zofia start violin lessons?",
        "Does Tomasz live in Leeds?",
        "What is the name of Ingrid's dog?",
    ],
)
def test_the_model_can_only_quote_a_memory_or_say_not_mentioned(engine: LocalEngine, question: str) -> None:
    # Sampled, not greedy: the property holds for whatever the model picks.
    result = engine.chat(
        quote_messages(question, MEMORIES),
        GenerationOptions(
            max_tokens=48, grammar=quoting.quote_grammar(question, MEMORIES), temperature=0.8, seed=7
        ),
    )
    answer = parse_answer(result.text, len(MEMORIES))  # always parses: the grammar is the JSON
    assert _allowed(question, answer, MEMORIES), result.text


def test_not_mentioned_when_no_memory_is_recalled(engine: LocalEngine) -> None:
    got = MemoryOps(engine).quote("What is the name of Ingrid's dog?", [])
    assert got.value == Answer((), "Not mentioned.") and got.attempts == 0


def test_the_quote_examples_are_the_answer_operations_training_set() -> None:
    import random

    ex = quote_example(random.Random(0))
    assert ex.task == "answer" and json.loads(ex.target).keys() == {"used", "answer"}


def test_the_prompt_lists_the_best_memory_last_and_the_answer_counts_in_recalls_order(
    engine: LocalEngine,
) -> None:
    listed = quoting.best_last(MEMORIES)
    system = quote_messages("Which city does Tomasz live in?", listed)[0]["content"]
    assert system.rindex(MEMORIES[0].text) > system.rindex(MEMORIES[2].text)  # best (first recalled) last
    assert quoting.from_listing(Answer((3,), "Zofia"), 3) == Answer((1,), "Zofia")
    assert quoting.from_listing(Answer((), quoting.NOT_MENTIONED), 3).used == ()
    # Whatever the model picks, the number it gives back names the memory its words come from.
    for question in ("Which city does Tomasz live in?", "What did Zofia start in January?"):
        got = MemoryOps(engine).quote(question, MEMORIES).value
        assert got is not None
        text = got.text.split(", 3 March")[0]  # a time quote's date, added after decoding
        text = text if got.used else text.rstrip(".")
        assert _allowed(question, Answer(got.used, text), MEMORIES), got


def test_training_lists_the_answering_memory_best_last_as_answers_do() -> None:
    # Recall's rank r of the answering memory is drawn with weight RANK_DECAY**r, and the prompt lists
    # the memories best last: the last-listed memory answers most often, one listed 4th from the end rarely.
    from_end: list[int] = []
    for ex in generate("answer", 400, seed=5):
        used = parse_answer(ex.target, n_memories(ex)).used
        if used and n_memories(ex) >= 3:
            from_end.append(n_memories(ex) - used[0])  # 0: listed last
    assert len(from_end) > 150
    last, far = from_end.count(0), sum(1 for r in from_end if r >= 3)
    assert last > 0.4 * len(from_end) and far < 0.15 * len(from_end)
