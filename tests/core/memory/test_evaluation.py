"""`hearth eval memory` on a slice of the shipped set: every figure it reports is computed, not assumed."""

from __future__ import annotations

from core.embeddings import EmbedderHost, SharedEmbedder
from core.engine import LocalEngine
from core.memory import locomo
from core.memory.evaluation import QuestionResult, run_memory_eval, stage_table

STAGE_KEYS = {
    "n", "f1", "extraction", "recall_at_k", "recall_given_stored", "f1_given_recalled",
    "f1_given_not_recalled", "not_mentioned",
}  # fmt: skip


def test_a_slice_of_the_evaluation_reports_each_stage_scores_and_latency(
    engine: LocalEngine, embedders: EmbedderHost
) -> None:
    (report,) = run_memory_eval(
        engine,
        SharedEmbedder(embedders),
        configs=("base",),
        limit_conversations=1,
        limit_questions=3,
        limit_cases=2,
        with_stale=False,
    )
    assert report.name == "base" and report.adapters == {}
    assert report.extraction["cases"] == 2 and 0.0 <= report.extraction["f1"] <= 1.0
    assert report.update["cases"] == 2
    first = locomo.load_locomo(locomo.default_locomo_path())[0]
    assert [q.question for q in report.questions] == [q.question for q in first.questions[:3]]
    for q in report.questions:
        # With nothing learnt or recalled (another CPU's greedy path may learn nothing), no model runs.
        assert 0.0 <= q.f1 <= 1.0 and q.ms >= 0.0 and (q.ms > 0 or q.recalled == 0)
        assert q.evidence_stored is not None and q.evidence_recalled is not None  # none is adversarial
        assert len(q.recalled_texts) == q.recalled
    assert report.latency_ms["extract"]["n"] >= 2 and report.latency_ms["recall+answer"]["n"] == 3
    assert len(report.memories_per_conversation) == 1
    cats = {locomo.CATEGORIES[q.category] for q in first.questions[:3]}
    assert set(report.stages) == {"all", *cats}
    for row in report.stages.values():
        assert set(row) == STAGE_KEYS and all(0.0 <= v <= 1.0 for k, v in row.items() if k != "n")
    assert report.stages["all"]["n"] == 3
    # Nothing personal in the impersonal exchanges: no memory is learnt from them.
    assert report.false_memories["exchanges"] == 30 and report.false_memories["memories"] == 0


def test_the_stage_table_splits_answers_by_what_was_stored_and_recalled() -> None:
    def r(
        category: int, f1: float, stored: bool | None, recalled: bool | None, said: str = "x"
    ) -> QuestionResult:
        return QuestionResult("s", "q", "a", category, said, f1, 1, 1, 1.0, stored, recalled)

    table = stage_table(
        [
            r(4, 1.0, True, True),
            r(4, 0.0, True, False),
            r(4, 0.0, False, False),
            r(5, 1.0, None, None, "Not mentioned."),
        ]
    )
    single = table["single-hop"]
    assert single["extraction"] == round(2 / 3, 4) and single["recall_at_k"] == round(1 / 3, 4)
    assert single["recall_given_stored"] == 0.5
    assert single["f1_given_recalled"] == 1.0 and single["f1_given_not_recalled"] == 0.0
    assert table["adversarial"]["not_mentioned"] == 1.0 and table["all"]["n"] == 4
