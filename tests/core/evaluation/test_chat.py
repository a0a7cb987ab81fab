"""The chat evaluation: the scorer's rules on fixed answers, the shipped set, and a slice on the real model."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from core.commands.eval import chat_table
from core.engine import LocalEngine
from core.evaluation.chat import (
    CATEGORIES,
    ChatCase,
    ChatConfig,
    ChatEvalError,
    grid_for,
    interleave_categories,
    list_items,
    load_cases,
    load_configs,
    numbers_in,
    run_chat_eval,
    score,
)
from core.models.profiles import GEMMA3_BASE, SMOLLM2


def case(expect: dict[str, Any], prompt: str = "Q?", turns: list[dict[str, str]] | None = None) -> ChatCase:
    messages = tuple(turns or ()) + ({"role": "user", "content": prompt},)
    return ChatCase("t-01", "facts", messages, expect)  # type: ignore[arg-type]


def passes(expect: dict[str, Any], answer: str, prompt: str = "Q?") -> bool:
    return score(case(expect, prompt), answer).passed


# ---- the rules --------------------------------------------------------------------------------------


def test_any_counts_the_word_anywhere_in_a_short_answer_but_not_inside_another_word() -> None:
    capital = {"any": ["paris"]}
    assert passes(capital, "The capital of France is Paris.")
    assert passes(capital, "PARIS")
    assert passes(capital, "L'Alma, the capital of France is Paris.")
    assert not passes(capital, "L'Alma, la France, est une langue française.")
    assert not passes(capital, "Parisian food is good.")
    assert not passes(capital, "")


def test_accents_and_subscripts_are_folded() -> None:
    assert passes({"any": ["adios"]}, "¡Adiós!")
    assert passes({"any": ["h2o"]}, "Water is H₂O.")
    assert passes({"any": ["guten morgen"]}, "Guten Morgen!")


def test_all_and_none() -> None:
    assert passes({"all": ["red", "blue"]}, "Red and blue.")
    assert not passes({"all": ["red", "blue"]}, "Red.")
    assert not passes({"any": ["canberra"], "none": ["sydney"]}, "Sydney or Canberra")


def test_number_is_right_only_without_a_wrong_number_beside_it() -> None:
    q = "What is 6 times 7?"
    assert passes({"number": 42}, "6 times 7 is 42.", q)
    assert passes({"number": 42}, "42", q)
    assert passes({"number": 42}, "The answer is 42, because 6 x 7 = 42.", q)
    assert not passes({"number": 42}, "6 times 7 is 48.", q)
    assert not passes({"number": 42}, "It is 42 or maybe 48.", q)
    assert passes({"number": 2}, "A bicycle has two wheels.")
    assert not passes({"number": 2}, "A bicycle has 5 wheels.")
    assert numbers_in("1,000 and -2.5") == [1000.0, -2.5]


def test_number_only_and_one_word_are_strict_about_the_form() -> None:
    rule = {"number_only": True, "number": 7}
    assert passes(rule, "7")
    assert passes(rule, "7.")
    assert not passes(rule, "A week has 7 days.")
    word = {"one_word": True, "any": ["blue"]}
    assert passes(word, "Blue.")
    assert passes(word, "The blue")  # an article before the word is allowed
    assert not passes(word, "The sky is blue.")


def test_yes_no_takes_the_first_yes_or_no() -> None:
    assert passes({"yes_no": "yes"}, "Yes, the Sun is a star.")
    assert not passes({"yes_no": "yes"}, "No, the sun is not a star.")
    assert not passes({"yes_no": "no"}, "The Earth is round.")  # neither word: not an answer
    assert passes({"yes_no": "no"}, "No. Whales are mammals, and yes, they live in the sea.")


def test_lists_are_checked_for_format_count_and_items() -> None:
    comma = {"list": {"count": 3, "style": "comma", "items": ["red", "blue", "yellow"]}}
    assert passes(comma, "Red, blue, yellow")
    assert passes(comma, "Here they are: red, blue and yellow.")
    assert not passes(comma, "Red, blue")
    assert not passes(comma, "Red, blue, purple")
    numbered = {"list": {"count": 2, "style": "numbered"}}
    assert passes(numbered, "Two birds:\n1. Eagle\n2. Owl")
    assert not passes(numbered, "Eagle, owl")
    assert list_items("- a\n- b\n* c", "bullets") == ["a", "b", "c"]
    assert list_items("Three animals:\nShark\nWhale\nSeal", "lines") == ["Shark", "Whale", "Seal"]
    rhymes = {"list": {"count": 3, "style": "comma", "item_regex": "at$"}}
    assert passes(rhymes, "bat, hat, mat")
    assert not passes(rhymes, "bat, hat, dog")


def test_declines_need_a_refusal_or_an_admission() -> None:
    rule = {"declines": True}
    assert passes(rule, "I'm sorry, I can't know what number you are thinking of.")
    assert passes(rule, "I don't know what you ate.")
    assert passes(rule, "I cannot help with that.")
    assert not passes(rule, "You are thinking of 7.")


def test_a_failed_case_names_the_rules_it_broke() -> None:
    s = score(case({"one_word": True, "any": ["blue"]}), "The sky is green.")
    assert not s.passed and set(s.failed) == {"one_word", "any"}
    runaway = score(
        case({"any": ["paris"]}), "The capital of France is Paris. la Femme, la Femme", cut_off=True
    )
    assert not runaway.passed and runaway.failed == ("cut_off",)


def test_follow_ups_may_repeat_numbers_of_the_earlier_turns() -> None:
    turns = [{"role": "user", "content": "What is 4 plus 4?"}, {"role": "assistant", "content": "8."}]
    c = case({"number": 10}, "Now add 2 to that.", turns)
    assert score(c, "8 plus 2 is 10.").passed
    assert not score(c, "8 plus 2 is 11.").passed


# ---- the shipped set and configuration files -------------------------------------------------------


def test_the_shipped_set_covers_every_category_with_valid_rules() -> None:
    cases = load_cases()
    assert len(cases) >= 150
    assert len({c.id for c in cases}) == len(cases)
    counts = Counter(c.category for c in cases)
    assert set(counts) == set(CATEGORIES) and min(counts.values()) >= 15
    assert all(len(c.messages) >= 3 for c in cases if c.category == "multi_turn")
    # Every rule is checkable: scoring an empty and a junk answer fails without raising.
    assert not any(score(c, "zzz").passed for c in cases if c.category != "decline")
    mixed = interleave_categories(cases)
    assert sorted(c.id for c in mixed) == sorted(c.id for c in cases)
    assert [c.category for c in mixed[: len(CATEGORIES)]] == list(CATEGORIES)


def test_bad_files_are_refused_with_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "cases.jsonl"
    bad.write_text('{"id": "x", "category": "facts", "prompt": "Q", "expect": {"maybe": 1}}\n')
    with pytest.raises(ChatEvalError, match="line 1"):
        load_cases(bad)
    configs = tmp_path / "configs.json"
    configs.write_text(json.dumps([{"name": "a"}, {"name": "a"}]))
    with pytest.raises(ChatEvalError, match="own name"):
        load_configs(configs)
    configs.write_text(json.dumps([{"name": "a", "temperature": 0.2, "stop": ["\n"]}]))
    assert load_configs(configs)[0].stop == ("\n",)


def test_the_grid_compares_prompts_and_sampling_per_family() -> None:
    smol = grid_for(SMOLLM2)
    assert len({c.name for c in smol}) == len(smol) >= 4
    assert {c.system_prompt for c in smol} >= {None, "You are a helpful assistant."}
    assert {c.temperature for c in smol} >= {0.0, 0.7}
    assert any(c.examples for c in smol) and any(not c.examples for c in smol)
    default = ChatConfig.from_profile("default", SMOLLM2)
    assert default.examples == SMOLLM2.example_turns and default.system_prompt == SMOLLM2.system_prompt
    gemma = grid_for(GEMMA3_BASE)
    assert gemma and all(c.template is not None and c.stop for c in gemma)


# ---- a slice on the real model ---------------------------------------------------------------------


def test_a_slice_of_the_eval_reports_every_figure_per_configuration(engine: LocalEngine) -> None:
    cases = [c for c in load_cases() if c.id in ("facts-01", "multi_turn-01")]
    configs = [
        ChatConfig("plain", "You are a helpful assistant.", max_tokens=8),
        ChatConfig(
            "sampled", None, temperature=0.7, top_p=0.95, min_p=0.05, repeat_penalty=1.1, max_tokens=8
        ),
    ]
    seen: list[str] = []
    report = run_chat_eval(engine, cases, configs, on_result=lambda r: seen.append(r.config))
    assert len(report.results) == len(seen) == 4 and set(seen) == {"plain", "sampled"}
    assert [r.name for r in report.configs] == ["plain", "sampled"]
    for r in report.configs:
        assert r.cases == 2 and 0.0 <= r.accuracy <= 1.0
        assert set(r.by_category) == {"facts", "multi_turn"}
        assert 0 < r.tokens_mean <= 8 and r.words_mean > 0
        assert 0 < r.ttft_ms_p50 <= r.total_ms_p50 <= r.total_ms_p95
        assert r.decode_tok_s_mean > 0
        assert sum(r.failed_rules.values()) >= round((1 - r.accuracy) * r.cases)
    assert report.threads > 0 and report.model.endswith(".gguf")
    first = report.results[0]
    assert (first.id, first.config) == ("facts-01", "plain"), "results come back in case, then config order"
    table = chat_table(report)
    assert "plain" in table and "sampled" in table and "facts" in table
