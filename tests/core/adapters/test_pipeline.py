"""The adapter pipeline on a tiny llama, for the memory and planner tasks: the teacher, LoRA training, its
llama.cpp export, the whole run; and the memory adapters shipped for the embedded model."""

from __future__ import annotations

import json
import threading
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from core.adapters.base import BaseModel, load_base
from core.adapters.data import Example, read_jsonl
from core.adapters.export import read_lora_gguf, write_lora_gguf
from core.adapters.manifest import AdapterManifest
from core.adapters.pipeline import TrainJob, train_adapters
from core.adapters.scoring import evaluate
from core.adapters.store import shipped_adapters_dir
from core.adapters.teacher import label_with_model, make_training_set
from core.adapters.train import TrainConfig, batch_loss, batches, encode, train_lora
from core.adapters.verify import check_export
from core.adapters.weights import TrainedLora
from core.assistant.plan import parse_plan
from core.assistant.plan_grammar import build_plan_grammar
from core.assistant.training.task import PlannerTask, offered_registry
from core.engine import GenerationOptions, LocalEngine, embedded_model_path
from core.errors import OperationCancelled
from core.memory.adapter_tasks import memory_tasks
from core.memory.prompts import OPERATIONS, Decision
from core.memory.training import synth
from core.memory.training.examples import n_memories, parse
from core.runtime import open_local
from tests.model_factory import write_tiny_llama

TASKS = {t.name: t for t in memory_tasks()}
FAST = TrainConfig(rank=4, alpha=8.0, batch_size=4, lr=2e-2, steps=4)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_llama(tmp_path_factory.mktemp("distil") / "tiny.gguf")


@pytest.fixture(scope="module")
def tiny_base(tiny: Path) -> BaseModel:
    return load_base(tiny)


@pytest.fixture(scope="module")
def tiny_engine(tiny: Path):  # type: ignore[no-untyped-def]
    with closing(open_local(Path(tiny), n_ctx=512, n_threads=2)) as e:
        yield e


# ---- teacher, training, export --------------------------------------------------------------------------


def test_a_teacher_model_labels_under_the_grammar_and_unparsable_answers_are_counted(
    tiny_engine: LocalEngine,
) -> None:
    prompts = synth.generate("update", 3, seed=2)
    kept, dropped = label_with_model(tiny_engine, TASKS["update"], prompts)
    assert len(kept) + dropped == 3
    for ex in kept:
        assert isinstance(parse("update", ex.target, n_memories(ex)), Decision)
    labels = make_training_set(TASKS["update"], 3, seed=2)
    assert labels.examples == prompts and labels.dropped == 0 and labels.teacher == "labels"


def test_sharing_the_system_prompt_in_a_batch_gives_the_same_loss(
    tiny_engine: LocalEngine, tiny_base: BaseModel
) -> None:
    import random

    import torch
    from peft import LoraConfig, get_peft_model

    encoded = encode(tiny_engine, synth.generate("extract", 8, seed=3), 448)
    batch = batches(encoded, 4, random.Random(0))[0]
    peft_model = get_peft_model(tiny_base.model, LoraConfig(r=4, target_modules=["q_proj", "down_proj"]))
    try:
        for name, p in peft_model.named_parameters():
            if "lora_B" in name:
                torch.nn.init.normal_(p, std=0.5)
        with torch.no_grad():
            shared = batch_loss(peft_model.base_model.model, batch, share_prefix=True)
            plain = batch_loss(peft_model.base_model.model, batch, share_prefix=False)
    finally:
        peft_model.unload()
    assert abs(float(shared) - float(plain)) < 1e-4


def test_the_decision_tokens_are_found_and_can_weigh_more(
    tiny_engine: LocalEngine, tiny_base: BaseModel
) -> None:
    import torch

    examples = [synth.generate(op, 1, seed=5)[0] for op in OPERATIONS]
    encoded = [encode(tiny_engine, [ex], 448, TASKS[ex.task].key_span)[0] for ex in examples]
    for ex, enc in zip(examples, encoded, strict=True):
        key = tiny_engine.detokenize(enc.ids[enc.n_prompt : enc.n_prompt + enc.n_key])
        span = TASKS[ex.task].key_span(ex)
        # The key tokens cover the decision; the last may run a character past it ("]," is one token).
        assert key.startswith(ex.target[:span]) and len(key) - span <= 2
    assert [e.n_key > 0 for e in encoded] == [False, True, True]  # extract, update, answer
    with torch.no_grad():
        plain = batch_loss(tiny_base.model, encoded[1:], key_weight=1.0)
        weighted = batch_loss(tiny_base.model, encoded[1:], key_weight=5.0)
    assert abs(float(plain) - float(weighted)) > 1e-3


def test_export_puts_q_and_k_rows_in_llama_cpp_rope_order(
    tiny_engine: LocalEngine, tiny_base: BaseModel, tmp_path: Path
) -> None:
    rng = np.random.default_rng(0)
    weights = {
        (i, m): (
            rng.standard_normal((4, 64)).astype(np.float32),
            rng.standard_normal((n, 4)).astype(np.float32),
        )
        for i in range(2)
        for m, n in (("q_proj", 64), ("k_proj", 32))
    }
    lora = TrainedLora(
        weights, rank=4, alpha=2.0, targets=("q_proj", "k_proj"), steps=0, final_loss=0.0, seconds=0.0
    )

    class Unpermuted(BaseModel):
        def to_gguf_rows(self, module: str, rows: np.ndarray) -> np.ndarray:
            return rows

    wrong = Unpermuted(**{k: getattr(tiny_base, k) for k in tiny_base.__dataclass_fields__})  # type: ignore[arg-type]
    path = write_lora_gguf(lora, tiny_base, tmp_path / "qk.gguf", dtype=np.float32)
    back = read_lora_gguf(path, tiny_base)
    assert (back.rank, back.alpha, set(back.targets)) == (4, 2.0, {"q_proj", "k_proj"})
    assert all(np.array_equal(back.weights[k][j], weights[k][j]) for k in weights for j in (0, 1))
    tiny_engine.adapters.load("qk", path)
    tiny_engine.adapters.load(
        "qk-wrong", write_lora_gguf(lora, wrong, tmp_path / "bad.gguf", dtype=np.float32)
    )
    example = synth.generate("answer", 1, seed=4)[0]
    right = check_export(tiny_base, lora, tiny_engine, "qk", example, n=4)
    # f16 logits of random weights: agreement within 0.1 nats; rows in the wrong order miss by far more.
    assert right.max_diff < 0.1 and right.base_max_diff < 0.01
    assert abs(right.nll_adapter - right.nll_base) > 0.01, "the adapter changes the model"
    assert check_export(tiny_base, lora, tiny_engine, "qk-wrong", example, n=4).max_diff > 10 * right.max_diff


def test_memory_adapters_train_end_to_end_on_a_tiny_llama(
    tiny: Path, tiny_base: BaseModel, tmp_path: Path
) -> None:
    seen: list[tuple[str, str]] = []
    jobs = [TrainJob(task, examples=16, steps=4) for task in memory_tasks()]
    results = train_adapters(
        tiny, tmp_path / "out", jobs, lambda p: seen.append((p.task, p.stage)), config=FAST,
        data_dir=tmp_path / "data",
    )  # fmt: skip
    assert [r.task for r in results] == list(OPERATIONS)
    assert {("extract", "train"), ("answer", "export")} <= set(seen)
    with closing(open_local(Path(tiny), n_ctx=512, n_threads=2)) as engine:
        for r in results:
            assert r.path == tmp_path / "out" / f"{r.task}.gguf"
            assert (tmp_path / "out" / f"{r.task}.npz").is_file(), "the checkpoint export can be re-run from"
            manifest = AdapterManifest.read(tmp_path / "out" / f"{r.task}.json")
            assert manifest == r.manifest
            assert (manifest.task, manifest.base_model, manifest.rank, manifest.steps) == (
                r.task,
                "tiny.gguf",
                4,
                4,
            )
            assert (
                manifest.examples == 16 and manifest.teacher == "labels" and len(manifest.base_sha256) == 64
            )
            assert len(manifest.loss_curve) >= 2
            assert len(read_jsonl(tmp_path / "data" / f"{r.task}.train.jsonl")) == 16
            name = TASKS[r.task].adapter_name
            engine.adapters.load(name, r.path)
            example = synth.generate(r.task, 1, seed=99)[0]  # type: ignore[arg-type]
            check = check_export(tiny_base, r.lora, engine, name, example, n=8)
            assert check.agree and check.max_diff < 0.01, "llama.cpp with the file scores as torch did"
            assert check.nll_adapter < check.nll_base, "training made the target more likely"
            with_adapter = engine.chat(
                example.messages, GenerationOptions(temperature=0, max_tokens=8, adapter=name)
            )
            assert (
                with_adapter.text
                != engine.chat(example.messages, GenerationOptions(temperature=0, max_tokens=8)).text
            )


def test_a_short_planner_run_converges_and_its_gguf_changes_the_plan(
    tiny: Path, tiny_base: BaseModel, tmp_path: Path
) -> None:
    """Four planner examples, trained on until the loss falls; the GGUF loads in llama.cpp and the plan
    decoded under the plan grammar with it differs from the bare model's, and parses."""
    task = PlannerTask()
    examples = task.generate(4, seed=3)
    data = tmp_path / "planner.jsonl"
    from core.adapters.data import write_jsonl

    write_jsonl(data, examples)
    config = TrainConfig(rank=8, alpha=16.0, batch_size=4, lr=3e-2, steps=12)
    (made,) = train_adapters(
        tiny, tmp_path / "out", [TrainJob(task, data_file=data, steps=12)], config=config
    )
    losses = made.lora.losses
    assert len(losses) == 12 and np.mean(losses[-3:]) < 0.7 * np.mean(losses[:3]), f"the loss falls: {losses}"
    ex = examples[0]
    registry = offered_registry(ex)
    with closing(open_local(Path(tiny), n_ctx=1024, n_threads=2)) as engine:
        engine.adapters.load("planner", made.path)
        options = GenerationOptions(grammar=build_plan_grammar(registry), temperature=0, max_tokens=64)
        bare = engine.chat(ex.messages, options).text
        adapted = engine.chat(ex.messages, replace(options, adapter="planner")).text
    assert adapted != bare, "the adapter changes the plan"
    parse_plan(adapted, registry, strict=False)  # the grammar held: what was written parses


def test_training_goes_on_from_an_adapter_file(tiny: Path, tmp_path: Path) -> None:
    """A run resumed from an exported adapter starts where the first left off (its loss, not the bare
    model's), keeps the first run's rank and modules, and counts its steps and time on from the manifest;
    a missing or broken adapter file is refused with a clear message."""
    from core.adapters.data import write_jsonl
    from core.errors import AdapterDataError

    task = PlannerTask()
    data = tmp_path / "planner.jsonl"
    write_jsonl(data, task.generate(4, seed=5))
    config = TrainConfig(rank=8, alpha=16.0, batch_size=4, lr=3e-2, steps=12, targets=("q_proj", "v_proj"))
    (first,) = train_adapters(tiny, tmp_path / "a", [TrainJob(task, data_file=data, steps=12)], config=config)
    other = replace(config, rank=4, alpha=8.0, targets=("down_proj",), lr=1e-3)  # ignored: init's are kept
    (resumed,) = train_adapters(
        tiny, tmp_path / "b", [TrainJob(task, data_file=data, steps=3, init=first.path)], config=other
    )
    assert (resumed.lora.rank, resumed.lora.targets) == (8, ("q_proj", "v_proj"))
    assert resumed.lora.steps == 15 and resumed.manifest.steps == 15
    assert resumed.lora.seconds >= first.manifest.seconds
    # The first resumed step scores near where the first run ended, far below where it began.
    start, end, again = first.lora.losses[0], first.lora.losses[-1], resumed.lora.losses[-3]
    assert abs(again - end) < 0.25 * (start - end), (
        f"it went on from the trained weights: {start}, {end}, {again}"
    )
    with pytest.raises(AdapterDataError, match="no adapter"):
        train_adapters(
            tiny, tmp_path / "c", [TrainJob(task, data_file=data, steps=1, init=tmp_path / "x.gguf")]
        )
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(AdapterDataError, match="not a LoRA adapter"):
        train_adapters(tiny, tmp_path / "d", [TrainJob(task, data_file=data, steps=1, init=broken)])


def test_training_stops_when_cancelled_and_leaves_the_base_model_bare(
    tiny_engine: LocalEngine, tiny_base: BaseModel
) -> None:
    from peft.tuners.lora import LoraLayer

    encoded = encode(tiny_engine, synth.generate("answer", 4), 448)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(OperationCancelled):
        train_lora(tiny_base, encoded, FAST, cancel=cancel)
    assert not any(isinstance(m, LoraLayer) for m in tiny_base.model.modules())
    assert not any(p.requires_grad for p in tiny_base.model.parameters())


# ---- the shipped adapters -------------------------------------------------------------------------------


def test_the_embedded_models_memory_adapters_load_and_answer_in_their_format() -> None:
    from core.models.gguf_info import sha256_file

    base = embedded_model_path()
    folder = shipped_adapters_dir(base)
    sha = sha256_file(base)
    with closing(open_local(Path(base), n_ctx=1024, n_threads=2)) as engine:
        for op in OPERATIONS:
            manifest = AdapterManifest.read(folder / f"{op}.json")
            assert (manifest.task, manifest.base_model, manifest.base_sha256) == (op, base.name, sha)
            assert (folder / f"{op}.gguf").stat().st_size == manifest.size_bytes < 16_000_000
            engine.adapters.load(TASKS[op].adapter_name, folder / f"{op}.gguf")
        for op in OPERATIONS:
            task = TASKS[op]
            score = evaluate(engine, task, synth.generate(op, 2, seed=4242), task.adapter_name)
            assert score.parse_rate == 1.0, f"{op}: every answer parses"


def test_examples_rebuild_from_json() -> None:
    ex = synth.generate("update", 1)[0]
    assert Example.from_json(json.loads(json.dumps(ex.to_json()))) == ex
