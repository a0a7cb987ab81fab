"""`hearth eval memory`: the memory pipeline scored on a LoCoMo-format set and on labelled operation cases.

For each configuration (operations with their adapters, and the bare base model with the same prompts):
  - extraction: facts from labelled turns, matched one-to-one to the expected facts (precision, recall, F1);
  - update: the decision on labelled (memories, fact) cases (event accuracy; event and memory id accuracy);
  - answers: each LoCoMo conversation is ingested into a fresh store (extract, then update per fact), then
    every question is answered from the recalled memories and scored with LoCoMo's token F1;
  - each stage apart, per category: extraction (a memory learnt from an evidence turn holds the answer),
    retrieval (recall@k: such a memory is among those recalled) and answering given recall (F1 when it
    was recalled, and when not);
  - stale facts: a fact the user changes, then a question about now (the new value, not the old);
  - false memories: exchanges with nothing personal in them (stories, code, trivia): what gets stored;
  - latency per operation (p50, p95), recall + answer together, and the adapter switch time.
Both configurations run on one loaded engine, one after the other, so their figures compare directly.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.embeddings import TextEncoder
from core.engine import ChatEngine
from core.memory import entities, locomo, scoring
from core.memory.adapters import AdapterSet, load_adapters
from core.memory.operations import MemoryOps, Timings
from core.memory.prompts import Turn
from core.memory.service import MemoryService
from core.resources import resource_path
from core.runtime import EngineHost
from core.settings import Settings
from core.store import Memory, Store

Progress = Callable[[str], None]


@dataclass
class QuestionResult:
    sample_id: str
    question: str
    reference: str
    category: int
    prediction: str
    f1: float
    recalled: int
    used: int
    ms: float  # recall and answer together
    evidence_stored: bool | None = None  # None: adversarial (no answer to hold)
    evidence_recalled: bool | None = None
    recalled_texts: list[str] = field(default_factory=list)
    used_text: str = ""


@dataclass
class ConfigReport:
    name: str  # "adapters" | "base"
    adapters: dict[str, str]  # operation -> adapter file, for the operations that had one
    extraction: dict[str, float] = field(default_factory=dict)
    update: dict[str, float] = field(default_factory=dict)
    answer_f1: float = 0.0
    answer_f1_by_category: dict[str, float] = field(default_factory=dict)
    stages: dict[str, dict[str, float]] = field(default_factory=dict)  # per category, and "all"
    stale: dict[str, Any] = field(default_factory=dict)
    false_memories: dict[str, Any] = field(default_factory=dict)
    questions: list[QuestionResult] = field(default_factory=list)
    memories_per_conversation: list[int] = field(default_factory=list)
    skipped_outputs: int = 0
    latency_ms: dict[str, dict[str, float]] = field(default_factory=dict)
    adapter_switch_ms: float | None = None
    seconds: float = 0.0

    def as_dict(self, with_questions: bool = True) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "questions"}
        if with_questions:
            out["questions"] = [q.__dict__ for q in self.questions]
        return out


def run_memory_eval(
    engine: ChatEngine,
    encoder: TextEncoder,
    *,
    locomo_path: Path | None = None,
    cases_path: Path | None = None,
    configs: Sequence[str] = ("adapters", "base"),
    limit_conversations: int | None = None,
    limit_questions: int | None = None,
    limit_cases: int | None = None,
    recall_k: int = 6,
    recall_threshold: float = 0.2,
    progress: Progress | None = None,
    learning: str = "linked",
    with_stale: bool = True,
    with_false_memories: bool = True,
    with_op_cases: bool = True,
    memories_from: str = "extraction",
) -> list[ConfigReport]:
    conversations = locomo.load_locomo(locomo_path or locomo.default_locomo_path())[:limit_conversations]
    cases = locomo.load_op_cases(cases_path or locomo.default_op_cases_path())
    if not with_op_cases:
        cases = locomo.OpCases([], [], cases.names)
    extra = _Extra(
        learning,
        _load(STALE_PATH)["cases"][:limit_cases] if with_stale else [],
        _load(NO_PERSONAL_PATH)["exchanges"] if with_false_memories else [],  # cheap: most need no model
        memories_from,
    )
    say = progress or (lambda _m: None)
    reports = []
    for name in configs:
        adapters = load_adapters(engine) if name == "adapters" else None
        if name == "adapters" and not (adapters and adapters.names):
            say("adapters: none for this model; skipped")
            continue
        reports.append(
            _run_config(
                name,
                engine,
                adapters,
                encoder,
                conversations,
                cases,
                limit_questions,
                limit_cases,
                recall_k,
                recall_threshold,
                say,
                extra,
            )
        )
    return reports


STALE_PATH = resource_path("memory", "eval", "stale-facts.json")
NO_PERSONAL_PATH = resource_path("memory", "eval", "no-personal.json")


@dataclass(frozen=True)
class _Extra:
    learning: str
    stale: list[dict[str, str]]
    no_personal: list[dict[str, str]]
    memories_from: str = "extraction"  # or "turns": each dialogue turn stored as a memory, no model call


def _store_turns(service: MemoryService, conversation: locomo.Conversation) -> None:
    """Each turn as a memory ("Tomasz: my daughter Zofia..."), dated by its session: the recall and answer
    stages measured without extraction's errors."""
    for session in conversation.sessions:
        day = session.date.split(" on ", 1)[-1].strip()
        for t in session.turns:
            text = f"{t.speaker}: {' '.join(t.text.split())}"
            vector = service.index.embed([text])[0]
            m = service.memories.add(
                text,
                vector.tobytes(),
                embed_model=service.index.embed_model,
                source="ingest",
                source_ids=[t.dia_id],
                happened_at=day,
                subject=t.speaker,
                names=entities.names_field(text, day),
            )
            service.index.add(m.id, vector)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _run_config(
    name: str,
    engine: ChatEngine,
    adapters: AdapterSet | None,
    encoder: TextEncoder,
    conversations: list[locomo.Conversation],
    cases: locomo.OpCases,
    limit_questions: int | None,
    limit_cases: int | None,
    recall_k: int,
    recall_threshold: float,
    say: Progress,
    extra: _Extra | None = None,
) -> ConfigReport:
    extra = extra or _Extra("linked", [], [])
    t0 = time.perf_counter()
    ops = MemoryOps(engine, adapters)
    files = {op: str(path) for op, path in _adapter_files(adapters, engine).items()}
    report = ConfigReport(name, files)

    # Extraction on labelled turns.
    scores = []
    for case in cases.extract[:limit_cases]:
        got = ops.extract(case.turns, case.date)
        report.skipped_outputs += got.value is None
        scores.append(scoring.extraction_scores(got.value or [], case.facts))
    report.extraction = _mean_prf(scores)
    say(f"{name}: extraction F1 {report.extraction['f1']:.3f} on {len(scores)} cases")

    # Update decisions on labelled cases.
    event_ok = full_ok = 0
    update_cases = cases.update[:limit_cases]
    for update_case in update_cases:
        decided = ops.decide(update_case.fact, update_case.remembered)
        report.skipped_outputs += decided.value is None
        if decided.value is not None:
            e_ok, f_ok = scoring.update_correct(update_case, decided.value)
            event_ok += e_ok
            full_ok += f_ok
    n = max(len(update_cases), 1)
    report.update = {"event_accuracy": event_ok / n, "accuracy": full_ok / n, "cases": len(update_cases)}
    say(f"{name}: update accuracy {report.update['accuracy']:.3f} on {len(update_cases)} cases")

    if extra.stale:
        report.stale = _stale(ops, encoder, extra.stale, recall_k, recall_threshold, extra.learning, say)
        say(f"{name}: stale facts: the new fact in {report.stale['new_fact_rate']:.2f} of 'now' questions")
    if extra.no_personal:
        report.false_memories = _false_memories(ops, encoder, extra.no_personal)
        say(f"{name}: false memories from {len(extra.no_personal)} impersonal exchanges: "
            f"{report.false_memories['memories']}")  # fmt: skip

    # LoCoMo: ingest each conversation into a fresh store, then answer its questions from memory.
    asked = 0
    for conversation in conversations:
        with tempfile.TemporaryDirectory(prefix="hearth-memeval-") as tmp:
            store = Store(Path(tmp))
            service = MemoryService(
                store, EngineHost(Path(tmp)), Settings(store.settings), encoder, learning=extra.learning
            )
            try:
                if extra.memories_from == "turns":  # recall and answer alone, on the dialogue itself
                    _store_turns(service, conversation)
                else:
                    run = service.ingest(sessions_of(conversation), ops=ops)
                    report.skipped_outputs += run.skipped
                learnt = store.memories.list()
                report.memories_per_conversation.append(store.memories.count())
                say(f"{name}: {conversation.sample_id}: {store.memories.count()} memories")
                for q in conversation.questions:
                    if limit_questions is not None and asked >= limit_questions:
                        break
                    asked += 1
                    report.questions.append(
                        _ask(service, ops, conversation, q, recall_k, recall_threshold, learnt)
                    )
            finally:
                service.close()
                store.close()
    report.answer_f1 = _mean([r.f1 for r in report.questions])
    by_cat: dict[str, list[float]] = {}
    for r in report.questions:
        by_cat.setdefault(locomo.CATEGORIES.get(r.category, str(r.category)), []).append(r.f1)
    report.answer_f1_by_category = {k: round(_mean(v), 4) for k, v in sorted(by_cat.items())}
    report.stages = stage_table(report.questions)
    say(f"{name}: answer F1 {report.answer_f1:.3f} on {len(report.questions)} questions")

    report.latency_ms = _latency(ops.timings)
    report.adapter_switch_ms = (
        round(statistics.fmean(ops.timings.switches), 3) if ops.timings.switches else None
    )
    report.seconds = round(time.perf_counter() - t0, 1)
    return report


def _ask(
    service: MemoryService,
    ops: MemoryOps,
    conversation: locomo.Conversation,
    q: locomo.Question,
    k: int,
    threshold: float,
    learnt: Sequence[Memory] = (),
) -> QuestionResult:
    t0 = time.perf_counter()
    recalled = service.recall(q.question, k, threshold)
    got = ops.quote(q.question, [r.remembered() for r in recalled])
    ms = (time.perf_counter() - t0) * 1000
    ops.timings.add("recall+answer", ms)
    prediction = got.value.text if got.value is not None else ""
    adversarial = q.category == locomo.ADVERSARIAL
    used = [recalled[i - 1].memory for i in got.value.used] if got.value is not None else []
    return QuestionResult(
        sample_id=conversation.sample_id,
        question=q.question,
        reference=q.answer,
        category=q.category,
        prediction=prediction,
        f1=round(scoring.answer_score(prediction, q), 4),
        recalled=len(recalled),
        used=len(used),
        ms=round(ms, 1),
        evidence_stored=None if adversarial else any(_holds(m, q) for m in learnt),
        evidence_recalled=None if adversarial else any(_holds(r.memory, q) for r in recalled),
        recalled_texts=[r.memory.text for r in recalled],
        used_text=used[0].text if used else "",
    )


def _holds(memory: Memory, q: locomo.Question) -> bool:
    """Whether `memory` was learnt from an evidence turn of `q` and holds its answer."""
    sources = {str(i) for i in json.loads(memory.source_ids or "[]")}
    return bool(sources & set(q.evidence)) and scoring.holds_answer(f"{memory.text} {memory.happened_at}", q)


def stage_table(questions: Sequence[QuestionResult]) -> dict[str, dict[str, float]]:
    """Each stage apart, per category and for all questions: answer F1; extraction (a memory from an
    evidence turn holds the answer); recall@k (such a memory was recalled), also among the questions
    whose answer was stored; F1 when it was recalled and when not; "Not mentioned" replies."""
    groups: dict[str, list[QuestionResult]] = {"all": list(questions)}
    for r in questions:
        groups.setdefault(locomo.CATEGORIES.get(r.category, str(r.category)), []).append(r)
    table: dict[str, dict[str, float]] = {}
    for name, rs in sorted(groups.items()):
        answerable = [r for r in rs if r.evidence_stored is not None]
        stored = [r for r in answerable if r.evidence_stored]
        hit = [r for r in answerable if r.evidence_recalled]
        missed = [r for r in answerable if not r.evidence_recalled]
        table[name] = {
            "n": len(rs),
            "f1": _mean([r.f1 for r in rs]),
            "extraction": _share(len(stored), len(answerable)),
            "recall_at_k": _share(len(hit), len(answerable)),
            "recall_given_stored": _share(sum(bool(r.evidence_recalled) for r in stored), len(stored)),
            "f1_given_recalled": _mean([r.f1 for r in hit]),
            "f1_given_not_recalled": _mean([r.f1 for r in missed]),
            "not_mentioned": _share(sum(scoring.says_not_available(r.prediction) for r in rs), len(rs)),
        }
    return table


def _share(n: int, total: int) -> float:
    return round(n / total, 4) if total else 0.0


def _fresh_service(tmp: str, encoder: TextEncoder, learning: str) -> tuple[Store, MemoryService]:
    store = Store(Path(tmp))
    return store, MemoryService(
        store, EngineHost(Path(tmp)), Settings(store.settings), encoder, learning=learning
    )


def _exchange(service: MemoryService, ops: MemoryOps, conversation_id: int, user: str, reply: str) -> None:
    convs = service.store.conversations
    convs.add_message(conversation_id, "user", user)
    convs.add_message(conversation_id, "assistant", reply)
    service.remember_exchange(conversation_id, ops=ops)


def _stale(
    ops: MemoryOps,
    encoder: TextEncoder,
    cases: Sequence[dict[str, str]],
    k: int,
    threshold: float,
    learning: str,
    say: Progress | None = None,
) -> dict[str, Any]:
    """Each case in a fresh store: the first fact said, then the new one, then the question about now."""
    rows = []
    for case in cases:
        with tempfile.TemporaryDirectory(prefix="hearth-memstale-") as tmp:
            store, service = _fresh_service(tmp, encoder, learning)
            try:
                conversation = store.conversations.create("stale")
                _exchange(service, ops, conversation.id, case["first"], "Noted, thanks for telling me.")
                _exchange(service, ops, conversation.id, case["then"], "Thanks for the update!")
                recalled = service.recall(case["question"], k, threshold)
                got = ops.quote(case["question"], [r.remembered() for r in recalled])
                answer = got.value.text if got.value is not None else ""
                words = set(scoring.normalize_answer(answer).split())
                new_ok = scoring.answer_f1(answer, case["new"]) > 0
                old_named = set(scoring.normalize_answer(case["old"]).split()) <= words
                rows.append(
                    {
                        "question": case["question"],
                        "answer": answer,
                        "new": case["new"],
                        "old": case["old"],
                        "right": new_ok and not old_named,
                        "memories": [(m.text, m.current) for m in store.memories.list()],
                    }
                )
                if say is not None:
                    say(f"stale: {case['question']} -> {answer!r} (new {case['new']!r}): {rows[-1]['right']}")
            finally:
                service.close()
                store.close()
    n = max(len(rows), 1)
    return {
        "cases": len(rows),
        "new_fact_rate": round(sum(bool(r["right"]) for r in rows) / n, 4),
        "answers": rows,
    }


def _false_memories(
    ops: MemoryOps, encoder: TextEncoder, exchanges: Sequence[dict[str, str]]
) -> dict[str, Any]:
    """Learn from exchanges with nothing personal in them: every memory stored is a false one."""
    with tempfile.TemporaryDirectory(prefix="hearth-memfalse-") as tmp:
        store, service = _fresh_service(tmp, encoder, "linked")
        try:
            for ex in exchanges:
                conversation = store.conversations.create("impersonal")
                _exchange(service, ops, conversation.id, ex["user"], ex["assistant"])
            texts = [m.text for m in store.memories.list()]
        finally:
            service.close()
            store.close()
    return {
        "exchanges": len(exchanges),
        "memories": len(texts),
        "rate": round(len(texts) / max(len(exchanges), 1), 4),
        "texts": texts,
    }


def sessions_of(conversation: locomo.Conversation) -> list[tuple[str, list[tuple[str, Turn]]]]:
    """A LoCoMo conversation as MemoryService.ingest takes it: (date, [(dialogue id, turn)]) per session."""
    return [(s.date, [(t.dia_id, t) for t in s.turns]) for s in conversation.sessions]


def _adapter_files(adapters: AdapterSet | None, engine: ChatEngine) -> dict[str, Path]:
    from core.memory.adapters import find_adapters

    if adapters is None or engine.adapters is None:
        return {}
    found = find_adapters(engine.adapters.base_model)
    return {op: found[op] for op in adapters.names if op in found}


def _mean(values: Sequence[float]) -> float:
    return round(statistics.fmean(values), 4) if values else 0.0


def _mean_prf(scores: Sequence[tuple[float, float, float]]) -> dict[str, float]:
    if not scores:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0, "cases": 0}
    p, r, f = zip(*scores, strict=True)
    return {"precision": _mean(p), "recall": _mean(r), "f1": _mean(f), "cases": len(scores)}


def _latency(timings: Timings) -> dict[str, dict[str, float]]:
    out = {}
    for op, values in timings.ops.items():
        ordered = sorted(values)
        out[op] = {
            "n": len(ordered),
            "p50": round(statistics.median(ordered), 1),
            "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        }
    return out
