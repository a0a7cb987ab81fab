"""The adapters' training data shares no conversation with the evaluation: no person of the evaluation
sets, no question of them, and no run of ten words from any of their turns."""

from __future__ import annotations

import json
import re

from core.memory import locomo
from core.memory.prompts import OPERATIONS
from core.memory.training.synth import generate
from core.resources import resource_path

SHINGLE = 10  # generic phrases ("is learning to play the cello") are shorter


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def _evaluation_texts() -> list[str]:
    texts: list[str] = []
    for conv in locomo.load_locomo(locomo.default_locomo_path()):
        texts += [t.text for t in conv.turns()] + [q.question for q in conv.questions]
    cases = locomo.load_op_cases(locomo.default_op_cases_path())
    texts += [t.text for c in cases.extract for t in c.turns] + [u.fact for u in cases.update]
    stale = json.loads(resource_path("memory", "eval", "stale-facts.json").read_text())["cases"]
    texts += [c[k] for c in stale for k in ("first", "then", "question")]
    impersonal = json.loads(resource_path("memory", "eval", "no-personal.json").read_text())["exchanges"]
    texts += [e[k] for e in impersonal for k in ("user", "assistant")]
    return texts


def test_training_data_shares_no_person_question_or_turn_with_the_evaluation() -> None:
    names = locomo.eval_names()
    eval_shingles = set().union(*(_shingles(t) for t in _evaluation_texts()))
    questions = {
        q.question.lower() for c in locomo.load_locomo(locomo.default_locomo_path()) for q in c.questions
    }
    for op in OPERATIONS:
        for ex in generate(op, 150, seed=0):
            text = " ".join(m["content"] for m in ex.messages) + " " + ex.target
            words = set(re.findall(r"\w+", text))
            assert not names & words, (op, names & words)
            assert not _shingles(text) & eval_shingles, (op, _shingles(text) & eval_shingles)
            assert ex.messages[-1]["content"].lower() not in questions
