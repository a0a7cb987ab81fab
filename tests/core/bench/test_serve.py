"""`hearth bench serve` on a small load: both servers answer every client its own number, completely."""

from __future__ import annotations

from tests.conftest import TEST_THREADS


def test_every_client_gets_its_own_complete_answer_from_both_servers() -> None:
    from core.bench.serve import format_report, run_bench

    report = run_bench(threads=TEST_THREADS, clients=(3,), rounds=1, max_tokens=16, time_limit_s=300)
    phases = report["phases"]
    assert {p["server"] for p in phases} == {"hearth", "llama-cpp-python"}
    for p in phases:
        assert p["requests"] == 3 and p["errors"] == 0, p
        assert p["correct"] == 3, p["wrong"]
        assert p["ttft_p50_ms"] <= p["total_p50_ms"] and p["tok_s"] > 0
    (ratio,) = report["hearth_over_llama_cpp"]
    assert ratio["clients"] == 3 and ratio["throughput"] > 0
    assert "Hearth / llama-cpp-python" in format_report(report)
