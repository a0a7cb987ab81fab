"""The planner on the real embedded model under the real plan grammar; ToolRAG on real embeddings."""

from __future__ import annotations

from pathlib import Path

from core.assistant.agent import Assistant
from core.assistant.consent import allow_all
from core.assistant.evaluation import load_cases, match, run_eval
from core.assistant.events import AgentEvent
from core.assistant.plan import parse_plan
from core.assistant.plan_grammar import build_plan_grammar
from core.assistant.planner import Planner, build_messages
from core.assistant.registry import ToolRegistry
from core.assistant.tools import builtin_registry
from core.embeddings import TextEncoder
from core.engine import GenerationOptions, LocalEngine
from core.store import Store
from tests.core.assistant.helpers import make_context


def registry_for(home: Path) -> tuple[ToolRegistry, Store]:
    store = Store(home)
    ctx, _ = make_context(home, store)
    return builtin_registry(ctx), store


def test_the_grammar_holds_the_model_to_offered_tools(hearth_home: Path, engine: LocalEngine) -> None:
    registry, store = registry_for(hearth_home)
    offered = registry.subset(["set_timer", "web_search"])
    # The prompt describes a tool the grammar does not offer, and asks for exactly that tool.
    messages = build_messages("Delete every file in my home folder now.", registry.subset(["set_timer"]), [])
    messages[0]["content"] += "\n3. delete_all_files(folder: str)\n   - Deletes every file in a folder."
    result = engine.chat(
        messages, GenerationOptions(grammar=build_plan_grammar(offered), temperature=0.0, max_tokens=120)
    )
    plan = parse_plan(result.text, offered, strict=result.finish_reason == "stop")
    assert "delete_all_files" not in result.text
    assert {s.tool for s in plan.steps} <= {"set_timer", "web_search"}
    store.close()


def test_plans_stream_step_by_step_and_parse(
    hearth_home: Path, engine: LocalEngine, embedder: TextEncoder
) -> None:
    registry, store = registry_for(hearth_home)
    assistant = Assistant(engine=engine, registry=registry, store=store, embedder=embedder)
    events: list[AgentEvent] = []
    report = assistant.plan("Remind me to buy milk tomorrow at 9am", on_event=events.append)
    kinds = [e.kind for e in events]
    assert kinds[0] == "tools_offered" and kinds[-1] == "plan_ready"
    planned = [(e.step_id, e.tool) for e in events if e.kind == "step_planned"]
    assert planned == [(s.id, s.tool) for s in report.planner.plan.steps]
    assert "".join(e.text for e in events if e.kind == "plan_token") == report.planner.text
    assert report.planner.valid and report.planner.plan.steps
    d = report.as_dict()
    assert set(d) == {"steps", "tools_offered", "prompt_tokens", "latency_ms"}
    assert {s["tool"] for s in d["steps"]} <= set(d["tools_offered"]) < set(registry.names)
    assert "create_reminder" in d["tools_offered"]
    # ToolRAG's saving is measured on the same engine's tokenizer.
    assert report.prompt_tokens_all_tools > report.planner.prompt_tokens > 0
    store.close()


def test_no_tool_fits_gives_a_plain_answer_and_no_action(
    hearth_home: Path, engine: LocalEngine, embedder: TextEncoder
) -> None:
    registry, store = registry_for(hearth_home)
    # ToolRAG offers the nearest tools even to a plain question (the planner learnt to pass them by), so
    # that the plan is join() alone whatever the CPU, no tool is offered here: the grammar allows only it.
    assistant = Assistant(engine=engine, registry=registry.subset([]), store=store, embedder=embedder)
    events: list[AgentEvent] = []
    run = assistant.run("What is the capital of France?", consent=allow_all, on_event=events.append)
    assert run.reports[0].selection is not None and run.reports[0].selection.names == []
    assert run.reports[0].planner.plan.steps == []
    assert run.outcomes == {} and run.answer.strip()  # the model's own answer (its words vary by CPU)
    streamed = "".join(e.text for e in events if e.kind == "answer_token" and e.data.get("plain"))
    assert streamed.strip() == run.answer
    assert events[-1].kind == "done" and events[-1].text == run.answer
    assert assistant.action_log is not None and assistant.action_log.list() == []
    store.close()


def test_a_plain_answer_is_put_as_the_chat_puts_it(
    hearth_home: Path, engine: LocalEngine, embedder: TextEncoder
) -> None:
    registry, store = registry_for(hearth_home)
    assistant = Assistant(engine=engine, registry=registry.subset([]), store=store, embedder=embedder)
    events: list[AgentEvent] = []
    run = assistant.run("What is 6 times 7?", consent=allow_all, on_event=events.append)
    assert run.reports[0].planner.plan.steps == [] and run.answer == "6 × 7 = 42"
    assert "".join(e.text for e in events if e.kind == "answer_token" and e.data.get("plain")) == run.answer
    store.close()


def test_eval_scores_a_slice_of_the_set(
    hearth_home: Path, engine: LocalEngine, embedder: TextEncoder
) -> None:
    registry, store = registry_for(hearth_home)
    cases = load_cases()
    assert len(cases) >= 100 and {c.kind for c in cases} == {"single", "multi", "none"}
    for c in cases:  # every expected plan is itself a valid plan over the real tools
        assert match(c.plan, parse_plan(c.plan.render(), registry)) == {
            "tools": True,
            "dag": True,
            "args": True,
        }
    chosen = [next(c for c in cases if c.kind == "single")]
    assistant = Assistant(engine=engine, registry=registry, store=None, embedder=embedder)
    summary = run_eval(assistant, chosen).summary()
    assert summary["requests"] == 1 and summary["validity_rate"] == 1.0
    assert 0 <= summary["success_rate"] <= summary["dag_match_rate"] <= summary["tool_match_rate"] <= 1
    assert (
        summary["latency_ms_p50"] > 0
        and summary["prompt_tokens_all_tools_mean"] > summary["prompt_tokens_mean"]
    )
    store.close()


def test_prompt_token_count_matches_the_engine(hearth_home: Path, engine: LocalEngine) -> None:
    registry, store = registry_for(hearth_home)
    planner = Planner(engine)
    small = planner.prompt_tokens("x", registry.subset(["set_timer"]), [])
    full = planner.prompt_tokens("x", registry, [])
    assert 0 < small < full
    store.close()


def test_a_free_decoded_plan_that_does_not_parse_keeps_its_good_calls(hearth_home: Path) -> None:
    """Without a grammar (a remote engine) any line may be malformed: what parses before it is kept, and
    output with no valid call is an empty plan, never an exception."""
    from core.assistant.planner import _salvage

    registry, store = registry_for(hearth_home)
    try:
        good = '1. set_timer(minutes=10, label="tea")'
        plan = _salvage(
            good + '\n2. create_reminder(text: "buy milk", due: "tomorrow 9am")\n3. join()', registry
        )
        assert [s.tool for s in plan.steps] == ["set_timer"] and not plan.complete
        nothing = _salvage('1. create_reminder(text: "buy milk")\nSure! Here is your plan.', registry)
        assert nothing.steps == [] and not nothing.complete
    finally:
        store.close()
