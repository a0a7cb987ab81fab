"""`hearth eval memory`: the memory pipeline scored on a LoCoMo-format set and on labelled operation cases.

For each configuration (operations with their adapters, and the bare base model with the same prompts):
  - extraction: facts from labelled turns, matched one-to-one to the expected facts (precision, recall, F1);
  - update: the decision on labelled (memories, fact) cases (event accuracy; event and memory id accuracy);
  - answers: each LoCoMo conversation is ingested into a fresh store (extract, then update per fact), then
    every question is answered from the recalled memories and scored with LoCoMo's token F1;
  - latency per operation (p50, p95) and the adapter switch time.
Both configurations run on one loaded engine, one after the other, so their figures compare directly.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.embeddings import TextEncoder
from core.engine import ChatEngine
from core.memory import locomo, scoring
from core.memory.adapters import AdapterSet, load_adapters
from core.memory.operations import MemoryOps, Timings
from core.memory.prompts import Turn
from core.memory.service import MemoryService
from core.runtime import EngineHost
from core.settings import Settings
from core.store import Store

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
    ms: float


@dataclass
class ConfigReport:
    name: str  # "adapters" | "base"
    adapters: dict[str, str]  # operation -> adapter file, for the operations that had one
    extraction: dict[str, float] = field(default_factory=dict)
    update: dict[str, float] = field(default_factory=dict)
    answer_f1: float = 0.0
    answer_f1_by_category: dict[str, float] = field(default_factory=dict)
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
) -> list[ConfigReport]:
    conversations = locomo.load_locomo(locomo_path or locomo.default_locomo_path())[:limit_conversations]
    cases = locomo.load_op_cases(cases_path or locomo.default_op_cases_path())
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
            )
        )
    return reports


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
) -> ConfigReport:
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

    # LoCoMo: ingest each conversation into a fresh store, then answer its questions from memory.
    asked = 0
    for conversation in conversations:
        with tempfile.TemporaryDirectory(prefix="hearth-memeval-") as tmp:
            store = Store(Path(tmp))
            service = MemoryService(store, EngineHost(Path(tmp)), Settings(store.settings), encoder)
            try:
                run = service.ingest(sessions_of(conversation), ops=ops)
                report.skipped_outputs += run.skipped
                report.memories_per_conversation.append(store.memories.count())
                say(
                    f"{name}: {conversation.sample_id}: {store.memories.count()} memories from {run.facts} facts"
                )
                for q in conversation.questions:
                    if limit_questions is not None and asked >= limit_questions:
                        break
                    asked += 1
                    report.questions.append(_ask(service, ops, conversation, q, recall_k, recall_threshold))
            finally:
                service.close()
                store.close()
    report.answer_f1 = _mean([r.f1 for r in report.questions])
    by_cat: dict[str, list[float]] = {}
    for r in report.questions:
        by_cat.setdefault(locomo.CATEGORIES.get(r.category, str(r.category)), []).append(r.f1)
    report.answer_f1_by_category = {k: round(_mean(v), 4) for k, v in sorted(by_cat.items())}
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
) -> QuestionResult:
    recalled = service.recall(q.question, k, threshold)
    got = ops.answer(q.question, [r.remembered() for r in recalled], max_tokens=64)
    prediction = got.value.text if got.value is not None else ""
    return QuestionResult(
        sample_id=conversation.sample_id,
        question=q.question,
        reference=q.answer,
        category=q.category,
        prediction=prediction,
        f1=round(scoring.answer_score(prediction, q), 4),
        recalled=len(recalled),
        used=len(got.value.used) if got.value is not None else 0,
        ms=round(got.ms, 1),
    )


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
