"""The memory adapters' distillation: the synthetic generator, the teacher, LoRA training and its llama.cpp
export (on a tiny llama), and the adapters shipped for the embedded model."""

from __future__ import annotations

import json
import re
import threading
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from core.memory.distill import synth, vocab
from core.memory.distill.base import BaseModel, load_base
from core.memory.distill.dataset import Example, parse, read_jsonl, write_jsonl
from core.memory.distill.export import AdapterManifest, read_lora_gguf, write_lora_gguf
from core.memory.distill.pipeline import adapters_dir, distil
from core.memory.distill.teacher import label_with_model, make_training_set
from core.memory.distill.train import (
    TrainConfig,
    TrainedLora,
    batch_loss,
    batches,
    decision_span,
    encode,
    train_lora,
)
from core.memory.distill.verify import check_export, evaluate

from core.engine import GenerationOptions, LocalEngine, embedded_model_path
from core.errors import OperationCancelled
from core.memory.prompts import (
    ANSWER_INSTRUCTIONS,
    EXTRACT_SYSTEM,
    OPERATIONS,
    UPDATE_SYSTEM,
    Decision,
    parse_answer,
    parse_extract,
    parse_update,
)
from core.runtime import open_local
from tests.model_factory import write_tiny_llama

REPO = Path(__file__).resolve().parents[4]
EVAL_NAMES = ("Ingrid", "Tomasz", "Aroha", "Kwabena", "Saoirse", "Matteo", "Yuki", "Dmitri")
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


# ---- the generator --------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", OPERATIONS)
def test_generator_is_deterministic_per_seed_and_its_labels_parse(op: str) -> None:
    first = synth.generate(op, 120, seed=7)  # type: ignore[arg-type]
    assert first == synth.generate(op, 120, seed=7)  # type: ignore[arg-type]
    assert first != synth.generate(op, 120, seed=8)  # type: ignore[arg-type]
    assert len({json.dumps(e.messages) for e in first}) == len(first), "examples are distinct"
    for ex in first:
        parsed = parse(ex.op, ex.target, ex.n_memories)  # raises MalformedOutput if not
        if op == "extract":
            assert ex.target == json.dumps({"facts": parse_extract(ex.target)}, ensure_ascii=False)
        elif op == "update":
            decision = parse_update(ex.target, ex.n_memories)
            assert decision == parsed
            assert (
                f"Stored memories:\n{'(none)' if not ex.n_memories else '1. '}" in ex.messages[1]["content"]
            )
        else:
            assert ex.target.startswith('{"used": [') and parse_answer(ex.target, ex.n_memories) == parsed


def test_examples_are_rendered_by_the_prompts_module_and_cover_every_case() -> None:
    extract = synth.generate("extract", 200, seed=1)
    update = synth.generate("update", 200, seed=1)
    answer = synth.generate("answer", 200, seed=1)
    assert all(e.messages[0]["content"] == EXTRACT_SYSTEM for e in extract)
    assert all(e.messages[0]["content"] == UPDATE_SYSTEM for e in update)
    assert all(e.messages[0]["content"].endswith(ANSWER_INSTRUCTIONS) for e in answer)

    facts = [parse_extract(e.target) for e in extract]
    assert sum(not f for f in facts) >= 15, "small talk with nothing to keep"
    chats = [
        (e, f) for e, f in zip(extract, facts, strict=True) if "\nUser: " in "\n" + e.messages[1]["content"]
    ]
    assert chats and all(fact.startswith("User") for _, f in chats for fact in f), "chat facts are the User's"
    assert any("Assistant: " in e.messages[1]["content"] for e, _ in chats)
    named = [f for e, f in zip(extract, facts, strict=True) if "User: " not in e.messages[1]["content"] and f]
    assert named and not any(fact.startswith("User") for f in named for fact in f), "two named speakers"

    events = [parse_update(e.target, e.n_memories).event for e in update]
    assert {ev: events.count(ev) for ev in set(events)} == {"ADD": 50, "UPDATE": 50, "DELETE": 50, "NONE": 50}
    assert all(1 <= e.n_memories <= 5 for e in update if parse_update(e.target, e.n_memories).event != "ADD")

    answers = [parse_answer(e.target, e.n_memories) for e in answer]
    assert all(1 <= e.n_memories <= 6 for e in answer)
    unknown = [a for a in answers if not a.used]
    assert len(unknown) >= 20 and all("memory" in a.text for a in unknown)
    assert any(len(a.used) == 2 for a in answers)
    assert any(re.search(r"\[\d{4}-\d\d-\d\d\]", e.messages[0]["content"]) for e in answer), "dated memories"
    assert max(len(a.text.split()) for a in answers) <= 12, "short answers"


def test_generator_names_are_disjoint_from_the_evaluation_sets() -> None:
    ours = set(vocab.NAMES) | set(vocab.PET_NAMES)
    assert not ours & set(EVAL_NAMES)
    eval_files = sorted((REPO / "resources" / "memory" / "eval").glob("*.json"))
    if not eval_files:
        pytest.skip("no memory evaluation files in this checkout")
    words = {w for f in eval_files for w in re.findall(r"[A-Za-z]+", f.read_text(encoding="utf-8"))}
    assert not ours & words, f"names also in the evaluation files: {sorted(ours & words)}"


def test_examples_round_trip_through_jsonl(tmp_path: Path) -> None:
    examples = synth.generate("answer", 5) + synth.generate("update", 5)
    assert write_jsonl(tmp_path / "set.jsonl", examples) == 10
    assert read_jsonl(tmp_path / "set.jsonl") == examples


# ---- teacher, training, export --------------------------------------------------------------------------


def test_a_teacher_model_labels_under_the_grammar_and_unparsable_answers_are_counted(
    tiny_engine: LocalEngine,
) -> None:
    prompts = synth.generate("update", 3, seed=2)
    kept, dropped = label_with_model(tiny_engine, prompts)
    assert len(kept) + dropped == 3
    for ex in kept:
        assert isinstance(parse(ex.op, ex.target, ex.n_memories), Decision)
    labels = make_training_set("update", 3, seed=2)
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
    encoded = encode(tiny_engine, examples, 448)
    for ex, enc in zip(examples, encoded, strict=True):
        key = tiny_engine.detokenize(enc.ids[enc.n_prompt : enc.n_prompt + enc.n_key])
        # The key tokens cover the decision; the last may run a character past it ("]," is one token).
        assert key.startswith(ex.target[: decision_span(ex)]) and len(key) - decision_span(ex) <= 2
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

    wrong = Unpermuted(**{k: getattr(tiny_base, k) for k in tiny_base.__dataclass_fields__})
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


def test_distil_end_to_end_on_a_tiny_llama(tiny: Path, tiny_base: BaseModel, tmp_path: Path) -> None:
    seen: list[tuple[str, str]] = []
    results = distil(
        tiny, tmp_path / "out", examples_per_op=16, steps=4, config=FAST, data_dir=tmp_path / "data",
        progress=lambda p: seen.append((p.op, p.stage)),
    )  # fmt: skip
    assert [r.op for r in results] == list(OPERATIONS)
    assert {("extract", "train"), ("answer", "export")} <= set(seen)
    with closing(open_local(Path(tiny), n_ctx=512, n_threads=2)) as engine:
        for r in results:
            assert r.path == tmp_path / "out" / f"{r.op}.gguf"
            manifest = AdapterManifest.read(tmp_path / "out" / f"{r.op}.json")
            assert manifest == r.manifest
            assert (manifest.op, manifest.base_model, manifest.rank, manifest.steps) == (
                r.op,
                "tiny.gguf",
                4,
                4,
            )
            assert (
                manifest.examples == 16 and manifest.teacher == "labels" and len(manifest.base_sha256) == 64
            )
            assert len(read_jsonl(tmp_path / "data" / f"{r.op}.train.jsonl")) == 16
            engine.adapters.load(r.op, r.path)
            example = synth.generate(r.op, 1, seed=99)[0]
            check = check_export(tiny_base, r.lora, engine, r.op, example, n=8)
            assert check.agree and check.max_diff < 0.01, "llama.cpp with the file scores as torch did"
            assert check.nll_adapter < check.nll_base, "training made the target more likely"
            with_adapter = engine.chat(
                example.messages, GenerationOptions(temperature=0, max_tokens=8, adapter=r.op)
            )
            assert (
                with_adapter.text
                != engine.chat(example.messages, GenerationOptions(temperature=0, max_tokens=8)).text
            )


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


def test_the_embedded_models_adapters_load_and_answer_in_their_format() -> None:
    from core.models.gguf_info import sha256_file

    base = embedded_model_path()
    folder = adapters_dir(base)
    sha = sha256_file(base)
    with closing(open_local(Path(base), n_ctx=1024, n_threads=2)) as engine:
        for op in OPERATIONS:
            manifest = AdapterManifest.read(folder / f"{op}.json")
            assert (manifest.op, manifest.base_model, manifest.base_sha256) == (op, base.name, sha)
            assert (folder / f"{op}.gguf").stat().st_size == manifest.size_bytes < 16_000_000
            engine.adapters.load(op, folder / f"{op}.gguf")
        for op in OPERATIONS:
            score = evaluate(engine, synth.generate(op, 2, seed=4242), op)
            assert score.parse_rate == 1.0, f"{op}: every answer parses"


def test_examples_rebuild_from_json() -> None:
    ex = synth.generate("update", 1)[0]
    assert Example.from_json(json.loads(json.dumps(ex.to_json()))) == ex
