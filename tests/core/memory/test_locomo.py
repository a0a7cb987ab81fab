"""The shipped memory evaluation sets (LoCoMo conversations, operation cases), their loaders, and scoring."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from core.errors import HearthError
from core.memory.locomo import (
    NOT_MENTIONED,
    EvalDataError,
    Question,
    UpdateCase,
    default_locomo_path,
    default_op_cases_path,
    eval_names,
    load_locomo,
    load_op_cases,
)
from core.memory.prompts import MAX_FACTS, Decision, Turn, parse_update, update_target
from core.memory.scoring import (
    answer_f1,
    answer_score,
    extraction_scores,
    match_facts,
    multi_answer_f1,
    normalize_answer,
    prf,
    says_not_available,
    update_correct,
    update_text_f1,
)

LOCOMO_DATE = "%I:%M %p on %d %B, %Y"


# ---- the shipped LoCoMo set -----------------------------------------------------------------------------


def test_the_shipped_conversations_are_sound() -> None:
    convs = load_locomo(default_locomo_path())
    assert len(convs) >= 4 and len({c.sample_id for c in convs}) == len(convs)
    for conv in convs:
        assert 3 <= len(conv.sessions) <= 5, conv.sample_id
        assert [s.number for s in conv.sessions] == list(range(1, len(conv.sessions) + 1))
        dates = [datetime.strptime(s.date, LOCOMO_DATE) for s in conv.sessions]
        assert dates == sorted(dates), f"{conv.sample_id}: sessions run forward in time"
        for session in conv.sessions:
            assert 8 <= len(session.turns) <= 14, f"{conv.sample_id} session {session.number}"
            assert [t.dia_id for t in session.turns] == [
                f"D{session.number}:{i}" for i in range(1, len(session.turns) + 1)
            ]
            assert {t.speaker for t in session.turns} == set(conv.speakers)
            assert all(a.speaker != b.speaker for a, b in zip(session.turns, session.turns[1:], strict=False))
        for q in conv.questions:
            assert q.evidence, f"{q.question!r} names its evidence"
            for dia_id in q.evidence:
                assert conv.turn(dia_id) is not None, f"{conv.sample_id}: {q.question!r} cites {dia_id}"


def test_the_shipped_questions_cover_the_categories() -> None:
    questions = [q for c in load_locomo(default_locomo_path()) for q in c.questions]
    assert len(questions) >= 64 and len({q.question for q in questions}) == len(questions)
    by_category = Counter(q.category for q in questions)
    assert set(by_category) == {1, 2, 3, 4, 5}
    # Mostly single-hop, multi-hop and temporal, as in LoCoMo; some open-domain and adversarial.
    assert by_category[1] + by_category[2] + by_category[4] >= 0.75 * len(questions)
    assert by_category[3] >= 4 and by_category[5] >= 4
    for q in questions:
        assert len(q.answer.split()) <= 10, f"{q.question!r}: a short reference answer"
        assert q.adversarial == (q.category == 5)
        if q.adversarial:
            assert q.answer == NOT_MENTIONED and q.adversarial_answer
            assert not says_not_available(q.adversarial_answer)
        else:
            assert not says_not_available(q.answer), f"{q.question!r}: the answer is not an abstention"


def test_the_shipped_file_is_in_locomo_format() -> None:
    samples = json.loads(default_locomo_path().read_text(encoding="utf-8"))
    for sample in samples:
        assert {"sample_id", "conversation", "qa"} <= set(sample)
        conv = sample["conversation"]
        sessions = [k for k in conv if re.fullmatch(r"session_\d+", k)]
        assert set(conv) == {"speaker_a", "speaker_b", *sessions, *(f"{s}_date_time" for s in sessions)}
        for turn in (t for s in sessions for t in conv[s]):
            assert set(turn) == {"speaker", "dia_id", "text"}
        for item in sample["qa"]:
            answer_key = "adversarial_answer" if item["category"] == 5 else "answer"
            assert set(item) == {"question", answer_key, "evidence", "category"}


def test_facts_change_across_sessions() -> None:
    """Some questions ask for the latest state: their evidence spans sessions."""
    convs = load_locomo(default_locomo_path())
    spanning = [q for c in convs for q in c.questions if len({e.split(":")[0] for e in q.evidence}) > 1]
    assert len(spanning) >= 12
    assert all(any(len({e.split(":")[0] for e in q.evidence}) > 1 for q in c.questions) for c in convs)


# ---- the shipped operation cases ------------------------------------------------------------------------


def test_the_shipped_extraction_cases_are_sound() -> None:
    cases = load_op_cases(default_op_cases_path()).extract
    assert len(cases) >= 30
    chat = [c for c in cases if {t.speaker for t in c.turns} == {"User", "Assistant"}]
    named = [c for c in cases if not {t.speaker for t in c.turns} & {"User", "Assistant"}]
    assert len(chat) + len(named) == len(cases), "a case is a chat or a conversation between two people"
    assert len(chat) >= 12 and len(named) >= 8
    assert sum(not c.facts for c in chat) >= 4 and sum(not c.facts for c in named) >= 2
    for case in chat:
        assert all(f.startswith("User") for f in case.facts), "chat facts are about the user"
    for case in named:
        speakers = {t.speaker for t in case.turns}
        assert len(speakers) == 2
        assert all(any(s in f for s in speakers) for f in case.facts), "each fact names its person"
    for case in cases:
        datetime.strptime(case.date, LOCOMO_DATE)
        assert len(case.facts) <= MAX_FACTS and len(set(case.facts)) == len(case.facts)


def test_the_shipped_update_cases_are_sound() -> None:
    cases = load_op_cases(default_op_cases_path()).update
    assert len(cases) >= 48
    events = Counter(c.event for c in cases)
    assert set(events) == {"ADD", "UPDATE", "DELETE", "NONE"} and min(events.values()) >= 12
    for case in cases:
        assert 1 <= len(case.memories) <= 5 and len(set(case.memories)) == len(case.memories)
        assert case.fact not in case.memories or case.event == "NONE"
        decision = case.decision
        # The expected decision survives the answer's JSON round trip, as a trained model's would.
        assert parse_update(update_target(decision), len(case.memories)) == decision
    for event in ("UPDATE", "DELETE", "NONE"):
        ids = Counter(c.index for c in cases if c.event == event)
        assert max(ids.values()) <= 0.6 * sum(ids.values()), f"{event}'s target is not always memory {ids}"


def test_eval_names_cover_both_files_and_they_share_no_one() -> None:
    convs = load_locomo(default_locomo_path())
    cases = load_op_cases(default_op_cases_path())
    names = eval_names()
    locomo_people = {p for c in convs for p in c.people}
    assert {s for c in convs for s in c.speakers} <= locomo_people <= names
    speakers = {t.speaker for c in cases.extract for t in c.turns} - {"User", "Assistant"}
    assert speakers <= set(cases.names) <= names
    assert not locomo_people & set(cases.names), "the two files are about different people"
    texts = " ".join(
        [f"{t.speaker} {t.text}" for c in convs for t in c.turns()]
        + [f"{t.speaker} {t.text}" for c in cases.extract for t in c.turns]
        + [m for c in cases.update for m in [*c.memories, c.fact]]
    )
    for name in names:
        assert re.search(rf"\b{name}\b", texts), f"{name} is listed but never appears"
    assert {"Ingrid", "Kwabena", "Saoirse", "Yuki", "Radek", "Thandiwe"} <= names


# ---- loaders on other and malformed files ---------------------------------------------------------------


def _write(tmp_path: Path, data: Any, name: str = "set.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _sample(**changes: Any) -> dict[str, Any]:
    conv = {
        "speaker_a": "Caroline",
        "speaker_b": "Melanie",
        "session_1_date_time": "1:56 pm on 8 May, 2023",
        "session_1": [
            {"speaker": "Caroline", "dia_id": "D1:1", "text": "Hey Mel!"},
            {"speaker": "Melanie", "dia_id": "D1:2", "text": "Hi!"},
        ],
    }
    sample = {
        "sample_id": "conv-1",
        "conversation": conv,
        "qa": [{"question": "Who?", "answer": "Mel", "evidence": ["D1:2"], "category": 4}],
    }
    for key, value in changes.items():
        (conv if key in conv or key.startswith(("session", "speaker")) else sample)[key] = value
    return sample


def test_the_loader_reads_locomos_quirks(tmp_path: Path) -> None:
    sample = _sample(
        session_10_date_time="9:00 am on 1 June, 2023",
        session_10=[
            {
                "speaker": "Melanie",
                "dia_id": "D10:1",
                "text": "Look!",
                "img_url": ["https://example.org/a.jpg"],
                "blip_caption": "a photo of a sunset",
                "re-download": True,
            }
        ],
        session_3=[{"speaker": "Caroline", "dia_id": "D3:1", "text": "Back again."}],
        qa=[
            {"question": "When?", "answer": 2022, "evidence": ["D8:6; D9:17"], "category": 2},
            {"question": "What did Mel lose?", "adversarial_answer": "a ring", "evidence": [], "category": 5},
        ],
        observation={"ignored": True},
        event_summary={},
    )
    (conv,) = load_locomo(_write(tmp_path, [sample]))
    assert [s.number for s in conv.sessions] == [1, 3, 10], "sorted by number, gaps allowed"
    assert conv.sessions[1].date == "" and conv.sessions[2].date == "9:00 am on 1 June, 2023"
    shared = conv.turn("D10:1")
    assert shared is not None and isinstance(shared, Turn)
    assert shared.text == "Look! [shared an image: a photo of a sunset]"
    assert shared.image_caption == "a photo of a sunset"
    when, trap = conv.questions
    assert (when.answer, when.evidence, when.adversarial) == ("2022", ["D8:6", "D9:17"], False)
    assert (trap.answer, trap.adversarial_answer, trap.adversarial) == (NOT_MENTIONED, "a ring", True)
    assert conv.people == ("Caroline", "Melanie")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[{not json", "is not valid JSON (line 1"),
        ({"sample_id": "x"}, "is not a JSON list of samples"),
        ([{"sample_id": "conv-9", "qa": []}], "sample 1 ('conv-9') has no 'conversation' object"),
        ([_sample(speaker_b="")], "needs 'speaker_a' and 'speaker_b' names"),
        ([_sample(session_2="hello")], "session_2 is not a list of turns"),
        ([_sample(session_2=[{"speaker": "Melanie", "text": "Hi"}])], "session_2: turn 1 has no dia_id"),
        ([_sample(session_2=[["Melanie", "Hi"]])], "session_2: turn 1 is not a JSON object"),
        (
            [_sample(qa=[{"question": "Who?", "evidence": [], "category": 4}])],
            "question 1 ('Who?') has no answer",
        ),
        ([_sample(qa=[{"question": "Who?", "answer": "Mel", "category": "4"}])], "category must be a number"),
        (
            [_sample(qa=[{"question": "Who?", "answer": "Mel", "evidence": "D1:1", "category": 4}])],
            "evidence is",
        ),
        ([_sample(qa={"question": "Who?"})], "'qa' is not a list of questions"),
    ],
)
def test_malformed_locomo_files_say_what_is_wrong(tmp_path: Path, content: Any, message: str) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(EvalDataError) as info:
        load_locomo(path)
    assert isinstance(info.value, HearthError)
    assert str(path) in str(info.value) and message in str(info.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(EvalDataError, match="does not exist"):
        load_locomo(tmp_path / "nope.json")


_TURNS = [{"speaker": "User", "text": "I have a cat."}]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ([], "is not a JSON object with 'extract' and 'update' lists"),
        ({"extract": []}, "needs an 'extract' list and an 'update' list"),
        ({"extract": [{"turns": [], "facts": []}], "update": []}, "extract case 1: turns is not a non-empty"),
        (
            {"extract": [{"turns": [{"speaker": "User"}], "facts": []}], "update": []},
            "turn 1 needs a speaker",
        ),
        ({"extract": [{"turns": _TURNS, "facts": "User has a cat."}], "update": []}, "facts is not a list"),
        ({"extract": [{"turns": _TURNS, "facts": ["User has a cat."] * 9}], "update": []}, "9 facts"),
        (
            {"extract": [], "update": [{"memories": ["a b"], "fact": "c d", "event": "MERGE", "id": 0}]},
            "update case 1: event must be one of ADD, UPDATE, DELETE, NONE, not 'MERGE'",
        ),
        (
            {"extract": [], "update": [{"memories": ["a b"], "fact": "c d", "event": "DELETE", "id": 2}]},
            "DELETE names memory 2, but the case has 1",
        ),
        (
            {
                "extract": [],
                "update": [{"memories": ["a b"], "fact": "c d", "event": "ADD", "id": 1, "text": "c"}],
            },
            "an ADD has id 0, not 1",
        ),
        (
            {"extract": [], "update": [{"memories": ["a b"], "fact": "c d", "event": "UPDATE", "id": 1}]},
            "an UPDATE needs the text of the memory to store",
        ),
    ],
)
def test_malformed_op_cases_say_what_is_wrong(tmp_path: Path, content: Any, message: str) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(EvalDataError) as info:
        load_op_cases(path)
    assert str(path) in str(info.value) and message in str(info.value)


@pytest.mark.skipif(not os.environ.get("HEARTH_LOCOMO"), reason="set HEARTH_LOCOMO to LoCoMo's locomo10.json")
def test_the_real_locomo_file_loads() -> None:
    convs = load_locomo(Path(os.environ["HEARTH_LOCOMO"]))
    assert len(convs) == 10 and sum(len(c.questions) for c in convs) == 1986


# ---- scoring --------------------------------------------------------------------------------------------


def test_normalisation_follows_locomo() -> None:
    assert normalize_answer("The Sunday before 25 May, 2023!") == "sunday before 25 may 2023"
    assert normalize_answer("Pierogi and Bursztyn") == "pierogi bursztyn"
    assert normalize_answer("I don’t know") == "i dont know"
    assert normalize_answer("An apple, a pear") == "apple pear"


def test_answer_f1_on_worked_examples() -> None:
    assert answer_f1("a violin", "Violin") == 1.0
    # 1 shared token of 6 predicted and 2 expected: P 1/6, R 1/2, F1 = 2PR / (P + R) = 0.25.
    assert answer_f1("She moved to Rotorua in September", "September 2023") == pytest.approx(0.25)
    assert answer_f1("Leeds", "York") == 0.0
    # Repeated tokens count as often as they occur in both: "two two" vs "two weeks" shares one.
    assert answer_f1("two two", "two weeks") == pytest.approx(0.5)


def test_multi_hop_answers_are_scored_part_by_part() -> None:
    assert multi_answer_f1("Bursztyn", "Pierogi, Bursztyn") == pytest.approx(0.5)
    assert multi_answer_f1("Bursztyn, Pierogi", "Pierogi, Bursztyn") == 1.0
    # Each reference part takes its best prediction part: "osaka" 1.0, "fukuoka" vs "fukuoka japan" 2/3.
    assert multi_answer_f1("Osaka, Fukuoka Japan", "Osaka, Fukuoka") == pytest.approx((1 + 2 / 3) / 2)


def test_adversarial_answers_must_say_the_information_is_not_there() -> None:
    for reply in (
        "Not mentioned in the conversation.",
        "I don't know.",
        "I do not have any information about that.",
        "There is no mention of Ingrid having a daughter.",
        "That was never mentioned.",
        "It's not available in what I remember.",
        "I can't find that in my memories.",
    ):
        assert says_not_available(reply), reply
    for reply in ("Violin", "She plays the violin.", "6 August 2023", "Kanazawa, I think"):
        assert not says_not_available(reply), reply


def test_answer_score_dispatches_on_the_category() -> None:
    trap = Question("What does Ingrid's daughter play?", NOT_MENTIONED, 5, ["D1:7"], True, "Violin")
    assert answer_score("Violin", trap) == 0.0
    assert answer_score("Nothing says Ingrid has a daughter; not mentioned.", trap) == 1.0
    multi = Question("What dogs?", "Pierogi, Bursztyn", 1, [])
    assert answer_score("Pierogi", multi) == pytest.approx(0.5)
    open_domain = Question("Another cat?", "Likely no; she is allergic to cats", 3, [])
    assert answer_score("likely no", open_domain) == 1.0, "only the part before ';' counts"
    single = Question("Where?", "Hamilton", 4, [])
    assert answer_score("In Hamilton", single) == pytest.approx(2 / 3)


def test_extracted_facts_are_matched_one_to_one() -> None:
    expected = ["Radek sold his old car.", "Radek cycles to work."]
    predicted = ["Radek cycles to work every day.", "Radek has a dog."]
    # "radek cycles to work every day" vs "radek cycles to work": 4 shared, P 4/6, R 1 -> F1 0.8.
    ((i, j, f1),) = match_facts(predicted, expected)
    assert (i, j) == (0, 1) and f1 == pytest.approx(0.8)
    assert extraction_scores(predicted, expected) == (0.5, 0.5, 0.5)
    # Two predictions of one fact: only one of them is matched.
    twice = ["Radek cycles to work.", "Radek cycles to work daily."]
    assert extraction_scores(twice, ["Radek cycles to work."]) == pytest.approx((0.5, 1.0, 2 / 3))


def test_matching_takes_the_best_pairs_first() -> None:
    expected = ["Zainab is revising for the bar exam.", "Zainab's bar exam is in July."]
    predicted = ["Zainab is revising for the bar exam in July.", "Zainab is revising hard for the bar exam."]
    # Prediction 0 fits fact 0 (F1 6/7) better than fact 1 (5/7); prediction 1 fits only fact 0 (12/13).
    # Giving each prediction in turn its best fact would pair 0 with 0 and leave 1 unmatched.
    matched = match_facts(predicted, expected)
    assert [(i, j) for i, j, _ in matched] == [(1, 0), (0, 1)]
    assert [f1 for _, _, f1 in matched] == pytest.approx([12 / 13, 5 / 7])
    assert extraction_scores(predicted, expected) == (1.0, 1.0, 1.0)


def test_extraction_scores_of_empty_lists() -> None:
    assert extraction_scores([], []) == (1.0, 1.0, 1.0)
    assert extraction_scores([], ["User has a cat."]) == (1.0, 0.0, 0.0)
    assert extraction_scores(["User has a cat."], []) == (0.0, 1.0, 0.0)
    assert prf(3, 4, 6) == pytest.approx((0.75, 0.5, 0.6))


def test_update_decisions_are_judged_on_event_and_memory() -> None:
    memories = ["User lives in Cardiff.", "User has a cat named Mochi."]
    update = UpdateCase(memories, "Mochi is ginger.", "UPDATE", 2, "User has a ginger cat named Mochi.")
    assert update_correct(update, Decision("UPDATE", 2, "User has a ginger cat named Mochi.")) == (True, True)
    assert update_correct(update, Decision("UPDATE", 1, "User has a ginger cat named Mochi.")) == (
        True,
        False,
    )
    assert update_correct(update, Decision("ADD", 0, "Mochi is ginger.")) == (False, False)
    none = UpdateCase(memories, "User's home is in Cardiff.", "NONE", 1, "")
    assert update_correct(none, Decision("NONE", 0, "")) == (True, True), "NONE needs no id"
    add = UpdateCase(memories, "User plays the ukulele.", "ADD", 0, "User plays the ukulele.")
    assert update_correct(add, Decision("ADD", 0, "User plays the ukulele.")) == (True, True)
    assert update_correct(add, Decision("NONE", 0, "")) == (False, False)
    assert update_text_f1(update, Decision("UPDATE", 2, "User has a cat named Mochi.")) == pytest.approx(
        10 / 11
    )
    assert update_text_f1(update, Decision("DELETE", 2, "")) is None
