"""Plain sums worked out from the request; everything else left to the model."""

from __future__ import annotations

import pytest

from core.answers.arithmetic import work_out


@pytest.mark.parametrize(
    ("request_text", "answer"),
    [
        ("What is 2 + 3?", "2 + 3 = 5"),
        ("What is 6 times 7?", "6 × 7 = 42"),
        ("what's 1000 minus 1", "1000 - 1 = 999"),
        ("What is twenty five plus seven?", "25 + 7 = 32"),
        ("Calculate 15% of 80", "15% of 80 = 12"),
        ("12 / 4 =", "12 ÷ 4 = 3"),
        ("What is 1,000 times 3?", "1000 × 3 = 3000"),
        ("What is 7 divided by 2?", "7 ÷ 2 = 3.5"),
        ("What is (2 + 3) * 4?", "(2 + 3) × 4 = 20"),
        ("What is half of 30?", "Half of 30 = 15"),
        ("What is double 16?", "Double 16 = 32"),
        ("Reply with only the number: what is 3 squared?", "3 squared = 9"),
        ("What is the square root of 81?", "The square root of 81 = 9"),
        ("What is 10 divided by 0?", "10 ÷ 0 has no value: it divides by zero."),
    ],
)
def test_a_plain_sum_is_worked_out(request_text: str, answer: str) -> None:
    worked = work_out(request_text)
    assert worked is not None and worked.text == answer


@pytest.mark.parametrize(
    "request_text",
    [
        "What is the capital of France?",
        "If I have 5 apples and eat 2, how many apples are left?",  # a word problem: the model's
        "How many minutes are there in two hours?",
        "What is 7?",
        "Is 5 plus 5 equal to 11?",
        "What is 2 ** 1000?",  # too large to be a pocket calculator's
        "What is __import__('os').system('ls')?",
        "Write a poem about 3 + 4 cats.",
    ],
)
def test_anything_else_is_left_to_the_model(request_text: str) -> None:
    assert work_out(request_text) is None
