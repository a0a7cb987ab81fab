"""RAG evaluation: retrieval (hit@k, MRR) and answers (does the answer hold the reference?) on a QA set.

The QA set is JSON lines: {"id", "question", "answer", "source", "evidence"}. `source` is a file name in the
set's docs/ folder; `evidence` is a short phrase of that file that a relevant chunk must contain, so that a
hit means the right passage, not only the right file. The shipped set (resources/eval/rag) is fiction
written for Hearth, so a model cannot answer it from what it learned in training.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from core.documents import DocumentsService, EmbedderHost, Hit
from core.documents.service import SearchMode
from core.engine import ChatEngine
from core.errors import DocumentError
from core.models.profiles import defaults_for
from core.resources import resource_path
from core.store import Store

EVAL_COLLECTION = "eval-rag"


def default_data_dir() -> Path:
    """The shipped set, resources/eval/rag."""
    return resource_path("eval", "rag")


@dataclass(frozen=True)
class QAItem:
    id: str
    question: str
    answer: str
    source: str
    evidence: str


@dataclass
class QuestionResult:
    id: str
    question: str
    reference: str
    rank: int | None  # 1-based rank of the first relevant chunk within k, None if none
    ranks_by_mode: dict[str, int | None] = field(default_factory=dict)
    answer: str | None = None
    holds_reference: bool | None = None
    cited: list[int] = field(default_factory=list)


@dataclass
class RagEvalReport:
    k: int
    questions: int
    hit_at_k: float
    mrr: float
    by_mode: dict[str, dict[str, float]]  # vector-only and lexical-only retrieval, for comparison
    answer_holds_rate: float | None
    index_seconds: float
    search_ms_mean: float
    answer_seconds_mean: float | None
    results: list[QuestionResult]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def load_qa(path: Path) -> list[QAItem]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(QAItem(**json.loads(line)))
        except (json.JSONDecodeError, TypeError) as e:
            raise DocumentError(f"{path}, line {n}: not a QA item ({e}).") from e
    return items


def normalize(text: str) -> str:
    """Lower case, punctuation to spaces (but '6:40' kept whole), one space between words."""
    text = re.sub(r"(?<=\d):(?=\d)", "\0", text.lower())
    text = re.sub(r"[^\w\0]+", " ", text).replace("\0", ":")
    return " ".join(text.split())


def holds(answer: str, reference: str) -> bool:
    """Whether the reference's words appear together, as whole words, in the answer."""
    return f" {normalize(reference)} " in f" {normalize(answer)} "


def is_relevant(hit: Hit, item: QAItem) -> bool:
    return os.path.basename(hit.file) == item.source and normalize(item.evidence) in normalize(hit.text)


def first_relevant(hits: list[Hit], item: QAItem) -> int | None:
    return next((h.rank for h in hits if is_relevant(h, item)), None)


def run_rag_eval(
    data_dir: Path,
    *,
    k: int = 5,
    engine: ChatEngine | None = None,
    answer_k: int = 3,
    embedders: EmbedderHost | None = None,
    limit: int | None = None,
    on_result: Callable[[QuestionResult], None] | None = None,
) -> RagEvalReport:
    """Index `data_dir`/docs in a throwaway data dir, then ask every question of `data_dir`/qa.jsonl.

    Args:
        k: retrieval depth for hit@k and MRR.
        engine: answers the questions when given (temperature 0); retrieval only without one.
        answer_k: how many chunks the answering model reads.
        limit: only the first `limit` questions.
    """
    items = load_qa(data_dir / "qa.jsonl")[:limit]
    with tempfile.TemporaryDirectory(prefix="hearth-eval-") as tmp:
        store = Store(Path(tmp))
        try:
            service = DocumentsService(store, embedders)
            t0 = time.perf_counter()
            report = service.add([data_dir / "docs"], EVAL_COLLECTION)
            if report.skipped:
                raise DocumentError(f"Evaluation documents were skipped: {report.skipped}")
            index_seconds = time.perf_counter() - t0
            return _evaluate(service, items, k, engine, answer_k, index_seconds, on_result)
        finally:
            store.close()


def _evaluate(
    service: DocumentsService,
    items: list[QAItem],
    k: int,
    engine: ChatEngine | None,
    answer_k: int,
    index_seconds: float,
    on_result: Callable[[QuestionResult], None] | None,
) -> RagEvalReport:
    results: list[QuestionResult] = []
    search_s = 0.0
    answer_s = 0.0
    # The model's measured defaults (as `docs ask` and the chat use them), at the set's answer length.
    options = replace(defaults_for(engine.info.path).options(), max_tokens=96) if engine is not None else None
    for item in items:
        t = time.perf_counter()
        hits = service.search(item.question, [EVAL_COLLECTION], k)
        search_s += time.perf_counter() - t
        result = QuestionResult(item.id, item.question, item.answer, first_relevant(hits, item))
        modes: tuple[SearchMode, ...] = ("vector", "lexical")
        for mode in modes:
            only = service.search(item.question, [EVAL_COLLECTION], k, mode=mode)
            result.ranks_by_mode[mode] = first_relevant(only, item)
        if engine is not None:
            t = time.perf_counter()
            answer = service.ask(item.question, engine, [EVAL_COLLECTION], k=answer_k, options=options)
            answer_s += time.perf_counter() - t
            result.answer = answer.text
            result.holds_reference = holds(answer.text, item.answer)
            result.cited = [c.n for c in answer.citations if c.cited]
        results.append(result)
        if on_result is not None:
            on_result(result)
    n = max(len(results), 1)
    by_mode = {
        mode: _retrieval_scores([r.ranks_by_mode[mode] for r in results]) for mode in ("vector", "lexical")
    }
    scores = _retrieval_scores([r.rank for r in results])
    return RagEvalReport(
        k=k,
        questions=len(results),
        hit_at_k=scores["hit_at_k"],
        mrr=scores["mrr"],
        by_mode=by_mode,
        answer_holds_rate=(
            round(sum(bool(r.holds_reference) for r in results) / n, 4) if engine is not None else None
        ),
        index_seconds=round(index_seconds, 3),
        search_ms_mean=round(search_s / n * 1000, 2),
        answer_seconds_mean=round(answer_s / n, 3) if engine is not None else None,
        results=results,
    )


def _retrieval_scores(ranks: list[int | None]) -> dict[str, float]:
    n = max(len(ranks), 1)
    return {
        "hit_at_k": round(sum(r is not None for r in ranks) / n, 4),
        "mrr": round(sum(1.0 / r for r in ranks if r is not None) / n, 4),
    }
