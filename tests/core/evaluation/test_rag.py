"""The shipped RAG evaluation set, and retrieval measured on it with the real embedding model."""

from __future__ import annotations

from pathlib import Path

from core.documents import EmbedderHost
from core.documents.extract import extract, kind_of
from core.evaluation.rag import default_data_dir, holds, load_qa, normalize, run_rag_eval


def test_the_qa_set_is_sound() -> None:
    data = default_data_dir()
    items = load_qa(data / "qa.jsonl")
    assert len(items) >= 30 and len({i.id for i in items}) == len(items)
    sources = {p.name for p in (data / "docs").iterdir()}
    assert {i.source for i in items} == sources, "every document is asked about"
    for item in items:
        path = data / "docs" / item.source
        text = normalize(" ".join(s.text for s in extract(path.read_bytes(), kind_of(path))))
        assert normalize(item.evidence) in text, f"{item.id}: its evidence is in its source"
        assert normalize(item.answer) in normalize(item.evidence), f"{item.id}: the evidence holds the answer"


def test_answer_matching_is_by_whole_words() -> None:
    assert holds("The first ferry leaves at 6:40.", "6:40")
    assert holds("It costs 3 Euros, 20 cents", "3 euros 20")
    assert holds("Vents open above 27.0 degrees [1]", "27")
    assert not holds("It holds 270 litres", "27")
    assert not holds("at 16:40", "6:40")


def test_retrieval_on_the_shipped_set(embedders: EmbedderHost, tmp_path: Path) -> None:
    report = run_rag_eval(default_data_dir(), k=5, embedders=embedders)
    assert report.questions >= 30
    # Quality bars for the default pipeline; `hearth eval rag` prints the figures.
    assert report.hit_at_k >= 0.9 and report.mrr >= 0.75
    assert report.hit_at_k >= report.by_mode["vector"]["hit_at_k"] - 0.05, "fusion is not worse than vectors"
    assert report.answer_holds_rate is None, "no engine, no answers"
    ranks = [r.rank for r in report.results]
    assert all(r is None or 1 <= r <= 5 for r in ranks)
    assert report.mrr == round(sum(1 / r for r in ranks if r) / len(ranks), 4)
