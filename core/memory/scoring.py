"""Scores for the memory evaluation: LoCoMo's answer F1, fact extraction matched one to one, and update
decisions.

Answers are scored as LoCoMo's own evaluation does (snap-research/LoCoMo, task_eval/evaluation.py):
normalised token-overlap F1; multi-hop references are comma-separated lists scored part by part; for
open-domain questions only the reference before ";" counts (after it comes the reasoning); an adversarial
question is answered right when the reply says the information is not there. LoCoMo also stems tokens
(Porter); Hearth does not, so its F1 is a little stricter on word forms ("runs" vs "running").
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from core.memory.locomo import ADVERSARIAL, Question, UpdateCase
from core.memory.prompts import Decision

# A fact counts as found when its best unused prediction reaches this token F1.
FACT_MATCH_F1 = 0.5

_DROPPED_WORDS = re.compile(r"\b(a|an|the|and)\b")
# Ways to say "I do not know": checked on the normalised reply, so apostrophes are gone ("dont").
_ABSTENTION = re.compile(
    r"\b(?:"
    r"not (?:mentioned|available|known|stated|specified|recorded|said|provided|given)"
    r"|never (?:mentioned|said|stated|came up)"
    r"|no (?:information|mention|record|details?|memory|memories|data|indication)"
    r"|(?:do not|dont|does not|doesnt|did not|didnt|cannot|cant|can not|could not|couldnt)"
    r" (?:know|say|mention|remember|recall|find|tell|have (?:any )?(?:information|record|details?|memory))"
    r"|(?:is|are|was|were|isnt|arent|wasnt|werent) not (?:in|part of)"
    r"|unclear from"
    r")\b"
)


def normalize_answer(text: str) -> str:
    """LoCoMo's normalisation: lower case, punctuation removed (not spaced: "don't" -> "dont"), the words
    a, an, the and "and" dropped, one space between words."""
    text = str(text).lower()
    text = "".join(c for c in text if not unicodedata.category(c).startswith("P"))
    text = _DROPPED_WORDS.sub(" ", text)
    return " ".join(text.split())


def answer_f1(prediction: str, reference: str) -> float:
    """Token-overlap F1 of the normalised texts (each token counts as often as it occurs)."""
    return _token_f1(normalize_answer(prediction).split(), normalize_answer(reference).split())


def multi_answer_f1(prediction: str, reference: str) -> float:
    """LoCoMo's multi-hop score: the reference is a comma-separated list; each of its parts scores the F1
    of its best-matching part of the prediction (also split on commas), and the parts are averaged."""
    predictions = [p for p in prediction.split(",") if p.strip()] or [""]
    parts = [r for r in reference.split(",") if r.strip()] or [reference]
    return sum(max(answer_f1(p, r) for p in predictions) for r in parts) / len(parts)


def says_not_available(prediction: str) -> bool:
    """Whether a reply says the information is not there ("not mentioned", "I don't know", ...)."""
    return _ABSTENTION.search(normalize_answer(prediction)) is not None


def answer_score(prediction: str, question: Question) -> float:
    """The LoCoMo score of one reply, by the question's category (0 to 1)."""
    if question.category == ADVERSARIAL:
        return 1.0 if says_not_available(prediction) else 0.0
    if question.category == 1:
        return multi_answer_f1(prediction, question.answer)
    reference = question.answer.split(";")[0] if question.category == 3 else question.answer
    return answer_f1(prediction, reference)


def holds_answer(text: str, question: Question, share: float = 0.5) -> bool:
    """Whether `text` (a memory and its date) holds the answer: at least `share` of the reference's words
    (of one part, for a multi-hop list) are in it. Adversarial questions have no answer to hold."""
    if question.category == ADVERSARIAL:
        return False
    reference = question.answer.split(";")[0]
    have = set(normalize_answer(text).split())
    for part in reference.split(",") if question.category == 1 else [reference]:
        words = [w for w in normalize_answer(part).split() if w not in _VAGUE]
        if words and sum(w in have for w in words) >= share * len(words):
            return True
    return False


_VAGUE = frozenset({"likely", "yes", "no", "about", "in", "on", "of", "to", "she", "he", "her", "his"})


# ---- extraction -----------------------------------------------------------------------------------------


def match_facts(
    predicted: Sequence[str], expected: Sequence[str], threshold: float = FACT_MATCH_F1
) -> list[tuple[int, int, float]]:
    """Pairs (predicted index, expected index, F1), one to one: the best-scoring pair first, then the best
    among the facts still unpaired, while the F1 stays at or above `threshold`."""
    pairs = sorted(
        ((answer_f1(p, e), i, j) for i, p in enumerate(predicted) for j, e in enumerate(expected)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    used_p: set[int] = set()
    used_e: set[int] = set()
    matched = []
    for f1, i, j in pairs:
        if f1 < threshold:
            break
        if i not in used_p and j not in used_e:
            used_p.add(i)
            used_e.add(j)
            matched.append((i, j, f1))
    return matched


def extraction_scores(predicted: Sequence[str], expected: Sequence[str]) -> tuple[float, float, float]:
    """(precision, recall, F1) of extracted facts against the expected ones, matched by `match_facts`.

    Nothing predicted has precision 1 (nothing wrong was kept) and nothing expected has recall 1, so an
    empty prediction for a conversation with nothing worth keeping scores (1, 1, 1), while a missed or an
    invented fact gives F1 0 there.
    """
    return prf(len(match_facts(predicted, expected)), len(predicted), len(expected))


def prf(matched: int, n_predicted: int, n_expected: int) -> tuple[float, float, float]:
    """(precision, recall, F1) from counts; sum the counts over cases first for micro-averaged figures."""
    precision = matched / n_predicted if n_predicted else 1.0
    recall = matched / n_expected if n_expected else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# ---- update ---------------------------------------------------------------------------------------------


def update_correct(expected: UpdateCase, decision: Decision) -> tuple[bool, bool]:
    """(the event is right, the event and the memory it names are right).

    The id only matters for UPDATE and DELETE: ADD has none, and NONE changes nothing whichever memory
    already holds the fact. The text of an ADD or UPDATE is not judged here (see `update_text_f1`).
    """
    event_ok = decision.event == expected.event
    if expected.event in ("UPDATE", "DELETE"):
        return event_ok, event_ok and decision.index == expected.index
    return event_ok, event_ok


def update_text_f1(expected: UpdateCase, decision: Decision) -> float | None:
    """Token F1 of the memory text an ADD or UPDATE stores, when the decision's event is the expected
    one; None for other events or a wrong one."""
    if expected.event not in ("ADD", "UPDATE") or decision.event != expected.event:
        return None
    return answer_f1(decision.text, expected.text)


def _token_f1(predicted: list[str], reference: list[str]) -> float:
    if not predicted and not reference:
        return 1.0
    same = sum((Counter(predicted) & Counter(reference)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(predicted), same / len(reference)
    return 2 * precision * recall / (precision + recall)
