"""The memory evaluation sets: conversations in LoCoMo's JSON format, and hand-labelled cases of the two
memory operations (extraction, update).

The LoCoMo loader reads the real benchmark file (snap-research/LoCoMo, data/locomo10.json) as well as
Hearth's own set, resources/memory/eval/locomo-hearth.json: answers may be numbers, adversarial
(category 5) questions carry `adversarial_answer` instead of `answer`, sessions may be numbered with gaps,
and keys it does not know are ignored. Hearth's set adds one key per sample, `people`: the first names of
everyone in it, speakers or mentioned, which `eval_names` gathers so that synthetic training data can
avoid them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from core.errors import HearthError
from core.memory.prompts import EVENTS, MAX_FACTS, Decision, Event, Remembered, Turn
from core.resources import resource_path

CATEGORIES: dict[int, str] = {
    1: "multi-hop",
    2: "temporal",
    3: "open-domain",
    4: "single-hop",
    5: "adversarial",
}
ADVERSARIAL = 5
# What a right reply to an adversarial question says: the conversation does not hold the answer.
NOT_MENTIONED = "Not mentioned in the conversation"

_SESSION_KEY = re.compile(r"session_(\d+)")
_EVIDENCE_SPLIT = re.compile(r"[;,\s]+")  # the real file has "D8:6; D9:17" and "D9:1 D4:4" in places


class EvalDataError(HearthError):
    """An evaluation file is missing, is not JSON, or does not have the shape its format requires."""


# ---- default files --------------------------------------------------------------------------------------


def eval_dir() -> Path:
    """The shipped set, resources/memory/eval."""
    return resource_path("memory", "eval")


def default_locomo_path() -> Path:
    return eval_dir() / "locomo-hearth.json"


def default_op_cases_path() -> Path:
    return eval_dir() / "op-cases.json"


# ---- LoCoMo ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DialogTurn(Turn):
    """One turn of a LoCoMo session: a `prompts.Turn`, so it can be passed to extraction as it is.

    When the turn shared an image, its caption is appended to `text` ("[shared an image: ...]") because
    the memory models only read text; `image_caption` keeps it apart.
    """

    dia_id: str
    image_caption: str = ""


@dataclass(frozen=True)
class Session:
    number: int
    date: str  # as the file writes it, e.g. "1:56 pm on 8 May, 2023"; "" when missing
    turns: list[DialogTurn]


@dataclass(frozen=True)
class Question:
    question: str
    answer: str  # for adversarial questions, NOT_MENTIONED unless the file gives an answer
    category: int
    evidence: list[str]  # dia_ids of the turns that hold the answer
    adversarial: bool = False
    adversarial_answer: str = ""  # the tempting wrong answer of an adversarial question

    @property
    def category_name(self) -> str:
        return CATEGORIES.get(self.category, f"category {self.category}")


@dataclass(frozen=True)
class Conversation:
    sample_id: str
    speakers: tuple[str, str]
    sessions: list[Session]  # sorted by number
    questions: list[Question]
    people: tuple[str, ...]  # the speakers, then anyone else the sample's `people` key names

    def turns(self) -> Iterator[DialogTurn]:
        for session in self.sessions:
            yield from session.turns

    def turn(self, dia_id: str) -> DialogTurn | None:
        return next((t for t in self.turns() if t.dia_id == dia_id), None)


def load_locomo(path: Path) -> list[Conversation]:
    """Every sample of a LoCoMo-format file, or EvalDataError saying which sample and what is wrong."""
    data = _read_json(path, "LoCoMo file")
    if not isinstance(data, list):
        raise EvalDataError(f"LoCoMo file '{path}' is not a JSON list of samples.")
    return [_conversation(path, n, sample) for n, sample in enumerate(data, 1)]


def _conversation(path: Path, n: int, sample: Any) -> Conversation:
    where = f"LoCoMo file '{path}', sample {n}"
    if not isinstance(sample, dict):
        raise EvalDataError(f"{where} is not a JSON object.")
    sample_id = str(sample.get("sample_id", n))
    where = f"LoCoMo file '{path}', sample {n} ('{sample_id}')"
    conv = sample.get("conversation")
    if not isinstance(conv, dict):
        raise EvalDataError(f"{where} has no 'conversation' object.")
    speakers = (conv.get("speaker_a"), conv.get("speaker_b"))
    if not all(isinstance(s, str) and s.strip() for s in speakers):
        raise EvalDataError(f"{where}: the conversation needs 'speaker_a' and 'speaker_b' names.")
    a, b = (str(s).strip() for s in speakers)

    sessions = []
    for key, turns in conv.items():
        match = _SESSION_KEY.fullmatch(key)
        if match is None:
            continue  # speaker_a, session_N_date_time, and anything else
        number = int(match.group(1))
        if not isinstance(turns, list):
            raise EvalDataError(f"{where}: {key} is not a list of turns.")
        date = conv.get(f"{key}_date_time", "")
        if not isinstance(date, str):
            raise EvalDataError(f"{where}: {key}_date_time is not a string.")
        sessions.append(
            Session(number, date.strip(), [_turn(f"{where}, {key}", i, t) for i, t in enumerate(turns, 1)])
        )
    if not sessions:
        raise EvalDataError(f"{where}: the conversation has no sessions (session_1, session_2, ...).")
    sessions.sort(key=lambda s: s.number)

    qa = sample.get("qa", [])
    if not isinstance(qa, list):
        raise EvalDataError(f"{where}: 'qa' is not a list of questions.")
    questions = [_question(f"{where}, question {i}", q) for i, q in enumerate(qa, 1)]

    listed = sample.get("people", [])
    if not isinstance(listed, list) or not all(isinstance(p, str) and p.strip() for p in listed):
        raise EvalDataError(f"{where}: 'people' is not a list of names.")
    people = tuple(dict.fromkeys([a, b, *(p.strip() for p in listed)]))
    return Conversation(sample_id, (a, b), sessions, questions, people)


def _turn(where: str, i: int, turn: Any) -> DialogTurn:
    if not isinstance(turn, dict):
        raise EvalDataError(f"{where}: turn {i} is not a JSON object.")
    speaker, dia_id, text = turn.get("speaker"), turn.get("dia_id"), turn.get("text", "")
    if not isinstance(speaker, str) or not speaker.strip():
        raise EvalDataError(f"{where}: turn {i} has no speaker.")
    if not isinstance(dia_id, str) or not dia_id.strip():
        raise EvalDataError(f"{where}: turn {i} has no dia_id.")
    if not isinstance(text, str):
        raise EvalDataError(f"{where}: turn {i} ({dia_id}) has a text that is not a string.")
    caption = turn.get("blip_caption")
    caption = caption.strip() if isinstance(caption, str) else ""
    if caption:
        text = f"{text} [shared an image: {caption}]".strip()
    return DialogTurn(speaker=speaker.strip(), text=text, dia_id=dia_id.strip(), image_caption=caption)


def _question(where: str, item: Any) -> Question:
    if not isinstance(item, dict):
        raise EvalDataError(f"{where} is not a JSON object.")
    question, category = item.get("question"), item.get("category")
    if not isinstance(question, str) or not question.strip():
        raise EvalDataError(f"{where} has no question text.")
    if not isinstance(category, int) or isinstance(category, bool) or category not in CATEGORIES:
        raise EvalDataError(f"{where} ({question!r}): category must be a number from 1 to 5.")
    adversarial = category == ADVERSARIAL
    answer = _scalar(item.get("answer"))
    trap = _scalar(item.get("adversarial_answer"))
    if answer is None and not adversarial:
        raise EvalDataError(f"{where} ({question!r}) has no answer.")
    evidence = item.get("evidence", [])
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        raise EvalDataError(f"{where} ({question!r}): evidence is not a list of dia_ids.")
    return Question(
        question=question.strip(),
        answer=answer if answer is not None else NOT_MENTIONED,
        category=category,
        evidence=[e for raw in evidence for e in _EVIDENCE_SPLIT.split(raw) if e],
        adversarial=adversarial,
        adversarial_answer=trap or "",
    )


def _scalar(value: Any) -> str | None:
    """An answer as text: the real file has a few numeric answers (years, counts)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


# ---- operation cases ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtractCase:
    date: str
    turns: list[Turn]
    facts: list[str]  # what extraction should return; [] when nothing is worth keeping


@dataclass(frozen=True)
class UpdateCase:
    memories: list[str]
    fact: str
    event: Event
    index: (
        int  # the file's "id": 1-based memory for UPDATE/DELETE (and NONE: the memory holding it), 0 for ADD
    )
    text: str  # the memory to store for ADD/UPDATE; "" otherwise

    @property
    def remembered(self) -> list[Remembered]:
        return [Remembered(m) for m in self.memories]

    @property
    def decision(self) -> Decision:
        """The expected decision as `prompts.parse_update` would return it (id 0 unless UPDATE/DELETE)."""
        index = self.index if self.event in ("UPDATE", "DELETE") else 0
        return Decision(event=self.event, index=index, text=self.text)


@dataclass(frozen=True)
class OpCases:
    extract: list[ExtractCase]
    update: list[UpdateCase]
    names: tuple[str, ...]  # everyone named in the file, speakers or mentioned


def load_op_cases(path: Path) -> OpCases:
    """The operation cases of `path`, or EvalDataError saying which case and what is wrong."""
    data = _read_json(path, "Memory operation cases")
    what = f"Memory operation cases '{path}'"
    if not isinstance(data, dict):
        raise EvalDataError(f"{what} is not a JSON object with 'extract' and 'update' lists.")
    extract, update, names = data.get("extract"), data.get("update"), data.get("names", [])
    if not isinstance(extract, list) or not isinstance(update, list):
        raise EvalDataError(f"{what} needs an 'extract' list and an 'update' list.")
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        raise EvalDataError(f"{what}: 'names' is not a list of names.")
    return OpCases(
        extract=[_extract_case(f"{what}, extract case {i}", c) for i, c in enumerate(extract, 1)],
        update=[_update_case(f"{what}, update case {i}", c) for i, c in enumerate(update, 1)],
        names=tuple(dict.fromkeys(n.strip() for n in names)),
    )


def _extract_case(where: str, case: Any) -> ExtractCase:
    if not isinstance(case, dict):
        raise EvalDataError(f"{where} is not a JSON object.")
    date, turns, facts = case.get("date", ""), case.get("turns"), case.get("facts")
    if not isinstance(date, str):
        raise EvalDataError(f"{where}: date is not a string.")
    if not isinstance(turns, list) or not turns:
        raise EvalDataError(f"{where}: turns is not a non-empty list.")
    parsed = []
    for i, t in enumerate(turns, 1):
        if not (isinstance(t, dict) and _text(t.get("speaker")) and _text(t.get("text"))):
            raise EvalDataError(f"{where}: turn {i} needs a speaker and a text.")
        parsed.append(Turn(t["speaker"].strip(), t["text"].strip()))
    if not isinstance(facts, list) or not all(_text(f) for f in facts):
        raise EvalDataError(f"{where}: facts is not a list of sentences.")
    if len(facts) > MAX_FACTS:
        raise EvalDataError(f"{where}: {len(facts)} facts, but extraction returns at most {MAX_FACTS}.")
    return ExtractCase(date.strip(), parsed, [f.strip() for f in facts])


def _update_case(where: str, case: Any) -> UpdateCase:
    if not isinstance(case, dict):
        raise EvalDataError(f"{where} is not a JSON object.")
    memories, fact, event = case.get("memories"), case.get("fact"), case.get("event")
    index, text = case.get("id"), case.get("text", "")
    if not isinstance(memories, list) or not all(_text(m) for m in memories):
        raise EvalDataError(f"{where}: memories is not a list of sentences.")
    if not _text(fact):
        raise EvalDataError(f"{where} has no fact.")
    if event not in EVENTS:
        raise EvalDataError(f"{where}: event must be one of {', '.join(EVENTS)}, not {event!r}.")
    if not isinstance(index, int) or isinstance(index, bool):
        raise EvalDataError(f"{where}: id must be a whole number.")
    if event == "ADD" and index != 0:
        raise EvalDataError(f"{where}: an ADD has id 0, not {index}.")
    low = 1 if event in ("UPDATE", "DELETE") else 0
    if event != "ADD" and not low <= index <= len(memories):
        raise EvalDataError(f"{where}: {event} names memory {index}, but the case has {len(memories)}.")
    if not isinstance(text, str):
        raise EvalDataError(f"{where}: text is not a string.")
    if event in ("ADD", "UPDATE") and not text.strip():
        raise EvalDataError(f"{where}: an {event} needs the text of the memory to store.")
    return UpdateCase([m.strip() for m in memories], fact.strip(), event, index, text.strip())


# ---- names ----------------------------------------------------------------------------------------------


def eval_names(locomo_path: Path | None = None, op_cases_path: Path | None = None) -> set[str]:
    """First names of everyone in the evaluation files (default: the shipped ones), so that synthetic
    training data can be kept disjoint from them."""
    names: set[str] = set()
    for conv in load_locomo(locomo_path or default_locomo_path()):
        names.update(conv.people)
    cases = load_op_cases(op_cases_path or default_op_cases_path())
    names.update(cases.names)
    names.update(t.speaker for c in cases.extract for t in c.turns if t.speaker not in ("User", "Assistant"))
    return {n.split()[0] for n in names}


# ---- helpers --------------------------------------------------------------------------------------------


def _read_json(path: Path, what: str) -> Any:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise EvalDataError(f"{what} '{path}' does not exist.") from e
    except (OSError, UnicodeDecodeError) as e:
        raise EvalDataError(f"{what} '{path}' cannot be read: {e}.") from e
    try:
        return json.loads(raw)
    except json.JSONDecodeError as e:
        raise EvalDataError(f"{what} '{path}' is not valid JSON (line {e.lineno}: {e.msg}).") from e


def _text(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())
