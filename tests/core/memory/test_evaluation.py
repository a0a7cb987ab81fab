"""`hearth eval memory` on a slice of the shipped set: every figure it reports is computed, not assumed."""

from __future__ import annotations

from core.embeddings import EmbedderHost, SharedEmbedder
from core.engine import LocalEngine
from core.memory import locomo
from core.memory.evaluation import run_memory_eval


def test_a_slice_of_the_evaluation_reports_scores_and_latency(
    engine: LocalEngine, embedders: EmbedderHost
) -> None:
    (report,) = run_memory_eval(
        engine,
        SharedEmbedder(embedders),
        configs=("base",),
        limit_conversations=1,
        limit_questions=3,
        limit_cases=2,
    )
    assert report.name == "base" and report.adapters == {}
    assert report.extraction["cases"] == 2 and 0.0 <= report.extraction["f1"] <= 1.0
    assert report.update["cases"] == 2
    first = locomo.load_locomo(locomo.default_locomo_path())[0]
    assert [q.question for q in report.questions] == [q.question for q in first.questions[:3]]
    for q in report.questions:
        assert 0.0 <= q.f1 <= 1.0 and q.ms > 0
    assert report.latency_ms["extract"]["n"] >= 2 and report.latency_ms["answer"]["n"] == 3
    assert len(report.memories_per_conversation) == 1
