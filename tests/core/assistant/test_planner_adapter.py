"""The planner adapter shipped for the embedded model: it fits the model, the Assistant plans with it by
default (and without it when told), and its plans hold to the plan grammar and the offered tools."""

from __future__ import annotations

from pathlib import Path

from core.adapters.manifest import AdapterManifest
from core.adapters.store import find_adapter, shipped_adapters_dir
from core.assistant.agent import PLANNER_ADAPTER, PLANNER_TASK, Assistant
from core.assistant.evaluation import load_cases, match
from core.assistant.tools import builtin_registry
from core.embeddings import TextEncoder
from core.engine import LocalEngine, embedded_model_path
from core.models.gguf_info import sha256_file
from core.store import Store
from tests.core.assistant.helpers import make_context

REQUESTS = [
    "Remind me to call mom tomorrow at 6pm",
    "Set a timer for 10 minutes and add eggs to my groceries note",
    "What is the capital of France?",
]


def test_the_shipped_planner_adapter_fits_the_embedded_model() -> None:
    base = embedded_model_path()
    folder = shipped_adapters_dir(base)
    manifest = AdapterManifest.read(folder / f"{PLANNER_TASK}.json")
    assert (manifest.task, manifest.base_model, manifest.base_sha256) == (
        "planner",
        base.name,
        sha256_file(base),
    )
    assert (folder / manifest.adapter_file).stat().st_size == manifest.size_bytes < 16_000_000
    assert manifest.steps > 0 and manifest.examples > 0 and manifest.loss_curve
    assert manifest.loss_curve[-1] < manifest.loss_curve[0], "training lowered the loss"


def test_the_assistant_plans_with_the_adapter_by_default(
    hearth_home: Path, engine: LocalEngine, embedder: TextEncoder
) -> None:
    # A user-trained adapter would come first; this home has none, so the shipped one is found.
    assert find_adapter(embedded_model_path(), PLANNER_TASK, hearth_home) == (
        shipped_adapters_dir(embedded_model_path()) / "planner.gguf"
    )
    store = Store(hearth_home)
    ctx, _ = make_context(hearth_home, store)
    registry = builtin_registry(ctx)
    tuned = Assistant(engine=engine, registry=registry, store=store, embedder=embedder)
    bare = Assistant(engine=engine, registry=registry, store=store, embedder=embedder, use_adapter=False)
    assert tuned.planner_adapter == PLANNER_ADAPTER and bare.planner_adapter is None
    assert engine.adapters is not None and PLANNER_ADAPTER in engine.adapters.names
    for request in REQUESTS:
        with_adapter, without = tuned.plan(request), bare.plan(request)
        for report in (with_adapter, without):
            assert report.planner.valid, (request, report.planner.text)
            assert {s.tool for s in report.planner.plan.steps} <= set(report.selection.names)
        # The adapter learnt the format in training: its prompt carries no in-context examples.
        assert with_adapter.planner.prompt_tokens < without.planner.prompt_tokens, request
    store.close()


# Requests of the shipped evaluation set the bare model planned wrong and the adapter right, side by side
# (docs/planner-eval/): a status question, a look-up, directions, two look-ups at once, the same tool twice.
HARD = ["single-29", "single-36", "single-52", "multi-05", "multi-21", "multi-29"]


def test_the_adapter_plans_right_what_the_bare_model_gets_wrong(
    hearth_home: Path, engine: LocalEngine, embedder: TextEncoder
) -> None:
    # Greedy plans differ between CPUs, so the test asks for a clear majority, not every single one.
    cases = [c for c in load_cases() if c.id in HARD]
    store = Store(hearth_home)
    ctx, _ = make_context(hearth_home, store)
    registry = builtin_registry(ctx)
    tuned = Assistant(engine=engine, registry=registry, store=store, embedder=embedder)
    bare = Assistant(engine=engine, registry=registry, store=store, embedder=embedder, use_adapter=False)
    right = {"tuned": 0, "bare": 0}
    for case in cases:
        for name, assistant in (("tuned", tuned), ("bare", bare)):
            right[name] += match(case.plan, assistant.plan(case.request).planner.plan)["args"]
    store.close()
    assert len(cases) == len(HARD)
    assert right["tuned"] >= 4 and right["bare"] <= 2, right
