"""The memory adapter tasks: the synthetic generator (deterministic, rendered by prompts.py, every case),
the targets' format and the tasks' validators and scorers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.adapters.data import Example, read_jsonl, write_jsonl
from core.errors import AdapterDataError
from core.memory.adapter_tasks import MemoryTask, memory_tasks
from core.memory.prompts import (
    EXTRACT_SYSTEM,
    OPERATIONS,
    QUOTE_INSTRUCTIONS,
    UPDATE_SYSTEM,
    parse_answer,
    parse_extract,
    parse_update,
)
from core.memory.training import synth, vocab
from core.memory.training.examples import n_memories, parse

REPO = Path(__file__).resolve().parents[3]
EVAL_NAMES = ("Ingrid", "Tomasz", "Aroha", "Kwabena", "Saoirse", "Matteo", "Yuki", "Dmitri")


@pytest.mark.parametrize("op", OPERATIONS)
def test_generator_is_deterministic_per_seed_and_its_labels_parse(op: str) -> None:
    first = synth.generate(op, 120, seed=7)  # type: ignore[arg-type]
    assert first == synth.generate(op, 120, seed=7)  # type: ignore[arg-type]
    assert first != synth.generate(op, 120, seed=8)  # type: ignore[arg-type]
    assert len({json.dumps(e.messages) for e in first}) == len(first), "examples are distinct"
    for ex in first:
        parsed = parse(ex.task, ex.target, n_memories(ex))  # raises MalformedOutput if not
        if op == "extract":
            assert ex.target == json.dumps({"facts": parse_extract(ex.target)}, ensure_ascii=False)
        elif op == "update":
            decision = parse_update(ex.target, n_memories(ex))
            assert decision == parsed
            assert (
                f"Stored memories:\n{'(none)' if not n_memories(ex) else '1. '}" in ex.messages[1]["content"]
            )
        else:
            assert ex.target.startswith('{"used": [') and parse_answer(ex.target, n_memories(ex)) == parsed


def test_examples_are_rendered_by_the_prompts_module_and_cover_every_case() -> None:
    extract = synth.generate("extract", 200, seed=1)
    update = synth.generate("update", 200, seed=1)
    answer = synth.generate("answer", 200, seed=1)
    assert all(e.messages[0]["content"] == EXTRACT_SYSTEM for e in extract)
    assert all(e.messages[0]["content"] == UPDATE_SYSTEM for e in update)
    assert all(e.messages[0]["content"].startswith(QUOTE_INSTRUCTIONS) for e in answer)  # quoted answers

    facts = [parse_extract(e.target) for e in extract]
    assert sum(not f for f in facts) >= 15, "small talk with nothing to keep"
    chats = [
        (e, f) for e, f in zip(extract, facts, strict=True) if "\nUser: " in "\n" + e.messages[1]["content"]
    ]
    assert chats and all(fact.startswith("User") for _, f in chats for fact in f), "chat facts are the User's"
    assert any("Assistant: " in e.messages[1]["content"] for e, _ in chats)
    named = [f for e, f in zip(extract, facts, strict=True) if "User: " not in e.messages[1]["content"] and f]
    assert named and not any(fact.startswith("User") for f in named for fact in f), "two named speakers"

    events = [parse_update(e.target, n_memories(e)).event for e in update]
    assert {ev: events.count(ev) for ev in set(events)} == {"ADD": 50, "UPDATE": 50, "DELETE": 50, "NONE": 50}
    assert all(
        1 <= n_memories(e) <= 5 for e in update if parse_update(e.target, n_memories(e)).event != "ADD"
    )

    answers = [parse_answer(e.target, n_memories(e)) for e in answer]
    assert all(1 <= n_memories(e) <= 6 for e in answer)
    unknown = [a for a in answers if not a.used]
    assert len(unknown) >= 20 and all(a.text == "Not mentioned" for a in unknown)
    assert all(len(a.used) <= 1 for a in answers)  # a quote comes from one memory
    assert any(re.search(r"\[\d{4}-\d\d-\d\d\]", e.messages[0]["content"]) for e in answer), "dated memories"
    assert max(len(a.text.split()) for a in answers) <= 12, "short answers"


def test_generator_names_are_disjoint_from_the_evaluation_sets() -> None:
    ours = set(vocab.NAMES) | set(vocab.PET_NAMES)
    assert not ours & set(EVAL_NAMES)
    eval_files = sorted((REPO / "resources" / "memory" / "eval").glob("*.json"))
    if not eval_files:
        pytest.skip("no memory evaluation files in this checkout")
    words = {w for f in eval_files for w in re.findall(r"[A-Za-z]+", f.read_text(encoding="utf-8"))}
    assert not ours & words, f"names also in the evaluation files: {sorted(ours & words)}"


def test_examples_round_trip_through_jsonl_and_validate(tmp_path: Path) -> None:
    examples = synth.generate("answer", 5) + synth.generate("update", 5)
    assert write_jsonl(tmp_path / "set.jsonl", examples) == 10
    assert read_jsonl(tmp_path / "set.jsonl") == examples
    tasks = {t.name: t for t in memory_tasks()}
    for ex in examples:
        tasks[ex.task].validate(ex)


def test_a_target_off_its_format_is_refused_with_the_line(tmp_path: Path) -> None:
    ex = synth.generate("update", 1)[0]
    bad = Example(ex.task, ex.messages, '{"event": "MAYBE"}', ex.meta)
    path = tmp_path / "bad.jsonl"
    write_jsonl(path, [ex, bad])
    with pytest.raises(AdapterDataError, match=r"bad.jsonl, line 2: the update target does not parse"):
        read_jsonl(path, task="update", validate=MemoryTask("update").validate)


def test_the_scorer_counts_an_answer_that_does_not_parse_as_wrong() -> None:
    task = MemoryTask("update")
    ex = synth.generate("update", 1, seed=3)[0]
    assert task.judge(ex, ex.target) == {**task.judge(ex, ex.target), "parsed": 1.0, "correct": 1.0}
    assert task.judge(ex, "not json")["parsed"] == 0.0
