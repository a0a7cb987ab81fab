"""Training data is checked before any training: its shape here, its target by the task's validator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.adapters.data import Example, read_jsonl, write_jsonl
from core.assistant.training.task import PlannerTask
from core.errors import AdapterDataError


def _planner_example() -> Example:
    return PlannerTask().generate(1, seed=11)[0]


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(AdapterDataError, match="holds no examples"):
        read_jsonl(path)


def test_a_missing_file_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(AdapterDataError, match="Cannot read the training data"):
        read_jsonl(tmp_path / "nowhere.jsonl")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 1: not valid JSON"),
        ('["a list"]', "line 1: an example must be a JSON object"),
        ('{"task": "planner", "target": "x"}', "line 1: the example has no messages"),
        ('{"task": "planner", "messages": [], "target": "x"}', "non-empty list of chat messages"),
        ('{"task": "planner", "messages": [{"role": "robot", "content": "hi"}], "target": "x"}', "needs a role"),
        ('{"task": "planner", "messages": [{"role": "assistant", "content": "hi"}], "target": "x"}', "must be the user's"),
        ('{"task": "planner", "messages": [{"role": "user", "content": "hi"}], "target": " "}', "non-empty text"),
    ],
)  # fmt: skip
def test_a_line_off_the_schema_is_refused_with_its_number(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(AdapterDataError, match=message):
        read_jsonl(path)


def test_examples_of_another_task_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    write_jsonl(path, [_planner_example()])
    with pytest.raises(AdapterDataError, match="an example of 'planner', not of 'extract'"):
        read_jsonl(path, task="extract")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("1. no_such_tool()\n2. join()<END_OF_PLAN>", "the plan does not parse: Call 1 names no known tool"),
        ("1. join()", "the plan does not end with join"),
        ("create a reminder please<END_OF_PLAN>", "the plan does not parse"),
    ],
)
def test_a_plan_that_does_not_parse_is_refused(tmp_path: Path, target: str, message: str) -> None:
    good = _planner_example()
    path = tmp_path / "plans.jsonl"
    write_jsonl(path, [good, Example(good.task, good.messages, target, good.meta)])
    with pytest.raises(AdapterDataError, match=f"plans.jsonl, line 2: {message}"):
        read_jsonl(path, task="planner", validate=PlannerTask().validate)


def test_a_planner_example_without_its_tools_is_refused(tmp_path: Path) -> None:
    good = _planner_example()
    path = tmp_path / "plans.jsonl"
    write_jsonl(path, [Example(good.task, good.messages, good.target, {"kind": "single"})])
    with pytest.raises(AdapterDataError, match="needs meta.tools"):
        read_jsonl(path, task="planner", validate=PlannerTask().validate)


def test_good_planner_data_round_trips(tmp_path: Path) -> None:
    examples = PlannerTask().generate(20, seed=2)
    path = tmp_path / "plans.jsonl"
    assert write_jsonl(path, examples) == 20
    back = read_jsonl(path, task="planner", validate=PlannerTask().validate)
    assert back == examples
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[0])["task"] == "planner"
