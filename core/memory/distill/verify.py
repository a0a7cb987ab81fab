"""Checks of exported adapters: llama.cpp with the adapter decodes as the trained torch model does, and on
held-out prompts the adapter beats the bare model (answers that parse, and answers that are right).
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch

from core.engine import GenerationOptions, LocalEngine
from core.memory.distill import synth
from core.memory.distill.base import BaseModel, load_base
from core.memory.distill.dataset import Example, constrained, parse
from core.memory.distill.train import TrainedLora
from core.memory.prompts import Answer, Decision, MalformedOutput, Operation
from core.runtime import open_local


def prompt_key(example: Example) -> str:
    return json.dumps(example.messages, sort_keys=True)


# ---- export check ---------------------------------------------------------------------------------------


@contextmanager
def merged(base: BaseModel, lora: TrainedLora) -> Iterator[None]:
    """The base model with the adapter's delta (alpha / r * B A) added to its weights, for the block."""
    scale = lora.alpha / lora.rank
    saved: list[tuple[torch.Tensor, torch.Tensor]] = []
    layers = base.model.model.layers
    try:
        for (i, module), (a, b) in lora.weights.items():
            parent = (
                layers[i].self_attn
                if module.endswith(("q_proj", "k_proj", "v_proj", "o_proj"))
                else layers[i].mlp
            )
            weight = getattr(parent, module).weight
            saved.append((weight, weight.data.clone()))
            weight.data += scale * torch.from_numpy(b) @ torch.from_numpy(a)
        yield
    finally:
        for weight, original in saved:
            weight.data.copy_(original)


def torch_greedy(base: BaseModel, prompt: Sequence[int], n: int, stop: Sequence[int] = ()) -> list[int]:
    """Greedy continuation of `prompt` by the torch model (n tokens, or up to a stop token)."""
    model = base.model
    out: list[int] = []
    with torch.no_grad():
        result = model(torch.tensor([list(prompt)]), use_cache=True)
        for _ in range(n):
            tok = int(result.logits[0, -1].argmax())
            if tok in stop:
                break
            out.append(tok)
            result = model(torch.tensor([[tok]]), past_key_values=result.past_key_values, use_cache=True)
    return out


def torch_logprobs(base: BaseModel, tokens: Sequence[int], first: int) -> list[float]:
    """log p(tokens[i] | tokens[:i]) for i >= first under the torch model."""
    with torch.no_grad():
        logits = base.model(torch.tensor([list(tokens)])).logits[0].double()
    logp = torch.log_softmax(logits[first - 1 : len(tokens) - 1], dim=-1)
    return logp[torch.arange(len(tokens) - first), torch.tensor(tokens[first:])].tolist()


@dataclass(frozen=True)
class ExportCheck:
    """One held-out example scored by the trained torch model and by llama.cpp with the exported file.

    The target's per-token log-probabilities must agree as closely with the adapter as without it (where
    only llama.cpp's quantized arithmetic differs), and the adapter must make the target more likely.
    """

    max_diff: float  # max |log p torch - log p llama.cpp| over the target's tokens, adapter applied
    base_max_diff: float  # the same without the adapter
    nll_torch: float  # mean -log p of the target's tokens: torch with the adapter merged
    nll_adapter: float  # llama.cpp with the adapter file
    nll_base: float  # llama.cpp without it
    torch_text: str  # greedy answers (no grammar): torch with the adapter
    engine_text: str  # llama.cpp with the adapter
    base_text: str  # llama.cpp without

    @property
    def agree(self) -> bool:
        return self.max_diff <= max(0.05, 2 * self.base_max_diff)

    @property
    def adapter_helps(self) -> bool:
        return self.nll_adapter < self.nll_base


def check_export(
    base: BaseModel, lora: TrainedLora, engine: LocalEngine, adapter: str, example: Example, n: int = 48
) -> ExportCheck:
    """Compare the torch model with `lora` merged and llama.cpp with the adapter file on one example."""
    prompt = engine.chat_tokens(example.messages)
    tokens = prompt + engine.tokenize(example.target) + engine.tokenize(engine.turn_end, special=True)
    first = len(prompt)
    plain = torch_logprobs(base, tokens, first)
    with merged(base, lora):
        trained = torch_logprobs(base, tokens, first)
        greedy = torch_greedy(base, prompt, n, engine.eog_tokens)
    with_file = engine.token_logprobs(tokens, first, adapter)
    without = engine.token_logprobs(tokens, first, None)
    options = GenerationOptions(temperature=0.0, max_tokens=n)
    return ExportCheck(
        max_diff=max(abs(a - b) for a, b in zip(trained, with_file, strict=True)),
        base_max_diff=max(abs(a - b) for a, b in zip(plain, without, strict=True)),
        nll_torch=-sum(trained) / len(trained),
        nll_adapter=-sum(with_file) / len(with_file),
        nll_base=-sum(without) / len(without),
        torch_text=engine.detokenize(greedy),
        engine_text=engine.chat(example.messages, replace(options, adapter=adapter)).text,
        base_text=engine.chat(example.messages, options).text,
    )


# ---- held-out scores ------------------------------------------------------------------------------------


@dataclass
class Score:
    """How one model (with one adapter, or none) does on held-out examples of one operation.

    accuracy: extraction, the same facts as the gold (normalised, any order); update, the same event and
    memory; answer, the same memories cited and the gold answer's words in the answer.
    """

    op: Operation
    adapter: str | None
    n: int = 0
    parsed: int = 0
    correct: int = 0
    extra: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def parse_rate(self) -> float:
        return self.parsed / self.n if self.n else 0.0

    @property
    def accuracy(self) -> float:
        return self.correct / self.n if self.n else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "op": self.op,
            "adapter": self.adapter,
            "n": self.n,
            "parse_rate": round(self.parse_rate, 3),
            "accuracy": round(self.accuracy, 3),
            **{k: round(v, 3) for k, v in self.extra.items()},
            "seconds": round(self.seconds, 1),
        }


def evaluate(
    engine: LocalEngine,
    examples: Sequence[Example],
    adapter: str | None,
    on_example: Callable[[int, int], None] | None = None,
) -> Score:
    """Greedy answers under each operation's grammar, scored against the examples' targets."""
    if not examples:
        raise ValueError("No examples to evaluate")
    op = examples[0].op
    score = Score(op, adapter)
    tally: dict[str, float] = {}
    t0 = time.perf_counter()
    for i, ex in enumerate(examples):
        text = engine.chat(ex.messages, constrained(op, ex.n_memories, adapter=adapter)).text
        gold = parse(op, ex.target, ex.n_memories)
        score.n += 1
        try:
            got = parse(op, text, ex.n_memories)
        except MalformedOutput:
            got = None
        if got is not None:
            score.parsed += 1
        ok, parts = _judge(gold, got)
        score.correct += int(ok)
        for k, val in parts.items():
            tally[k] = tally.get(k, 0.0) + val
        if on_example is not None:
            on_example(i + 1, len(examples))
    score.seconds = time.perf_counter() - t0
    score.extra = _summarise(op, tally, score.n)
    return score


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s-]", " ", text.lower()).split())


_FILLER = {"in", "on", "to", "a", "an", "the", "yes", "you", "you're", "youre", "re", "are", "is"}


def answer_key(text: str) -> str:
    """The gold answer's words that matter: "In Lisbon." -> "lisbon", "You're a nurse." -> "nurse"."""
    words = _norm(text.replace("'", "")).split()
    while words and words[0] in _FILLER:
        words = words[1:]
    return " ".join(words)


def _judge(gold: object, got: object) -> tuple[bool, dict[str, float]]:
    if isinstance(gold, list):  # extraction
        want = {_norm(f) for f in gold}
        have = {_norm(f) for f in got} if isinstance(got, list) else set()
        hit = len(want & have)
        return want == have and got is not None, {"tp": hit, "n_gold": len(want), "n_pred": len(have)}
    if isinstance(gold, Decision):
        event_ok = isinstance(got, Decision) and got.event == gold.event
        ok = event_ok and isinstance(got, Decision) and got.index == gold.index
        return ok, {"event_ok": float(event_ok)}
    assert isinstance(gold, Answer)
    if not isinstance(got, Answer):
        return False, {"used_ok": 0.0, "text_ok": 0.0}
    used_ok = set(got.used) == set(gold.used)
    if gold.used:
        text_ok = answer_key(gold.text) in _norm(got.text.replace("'", ""))
    else:
        text_ok = "memory" in got.text.lower() or "don't" in got.text.lower() or "not" in got.text.lower()
    return used_ok and text_ok, {"used_ok": float(used_ok), "text_ok": float(text_ok)}


def _summarise(op: Operation, tally: dict[str, float], n: int) -> dict[str, float]:
    if op == "extract":
        tp, n_gold, n_pred = tally.get("tp", 0.0), tally.get("n_gold", 0.0), tally.get("n_pred", 0.0)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"fact_precision": precision, "fact_recall": recall, "fact_f1": f1}
    if op == "update":
        return {"event_accuracy": tally.get("event_ok", 0.0) / n}
    return {
        "used_accuracy": tally.get("used_ok", 0.0) / n,
        "answer_text_accuracy": tally.get("text_ok", 0.0) / n,
    }


# ---- all of it, for a distillation run ------------------------------------------------------------------


@dataclass(frozen=True)
class AdapterReport:
    op: Operation
    export: ExportCheck
    with_adapter: Score
    without_adapter: Score

    def as_dict(self) -> dict[str, object]:
        return {
            "op": self.op,
            "export_check": {
                "torch_and_llama_cpp_agree": self.export.agree,
                "max_logprob_diff_with_adapter": round(self.export.max_diff, 4),
                "max_logprob_diff_without_adapter": round(self.export.base_max_diff, 4),
                "target_nll_torch_with_adapter": round(self.export.nll_torch, 4),
                "target_nll_llama_cpp_with_adapter": round(self.export.nll_adapter, 4),
                "target_nll_llama_cpp_without_adapter": round(self.export.nll_base, 4),
                "greedy_torch_with_adapter": self.export.torch_text,
                "greedy_llama_cpp_with_adapter": self.export.engine_text,
                "greedy_llama_cpp_without_adapter": self.export.base_text,
            },
            "with_adapter": self.with_adapter.as_dict(),
            "without_adapter": self.without_adapter.as_dict(),
        }


def verify_adapters(
    base_model: Path,
    adapters: Sequence[tuple[Operation, Path, TrainedLora | None]],
    held_out: int,
    seed: int = 10_000,
    threads: int = 2,
    log: Callable[[str], None] | None = None,
    exclude: Collection[str] = (),
) -> list[AdapterReport]:
    """For each adapter: the export check on one held-out prompt, then held-out scores with and without it.

    Held-out prompts come from the generator with another seed than training's; any whose prompt is in
    `exclude` (the training prompts, as prompt_key gives them) is skipped. An adapter given without its
    trained weights is checked against the weights read back from its file.
    """
    from core.memory.distill.export import read_lora_gguf

    base = load_base(base_model)
    reports: list[AdapterReport] = []
    engine = open_local(base_model, n_threads=threads)
    with contextlib.closing(engine):
        for op, path, lora in adapters:
            engine.adapters.load(op, path)
            examples = [e for e in synth.generate(op, 2 * held_out, seed) if prompt_key(e) not in exclude]
            examples = examples[:held_out]
            export = check_export(base, lora or read_lora_gguf(path, base), engine, op, examples[0])
            with_adapter = evaluate(engine, examples, op)
            without = evaluate(engine, examples, None)
            report = AdapterReport(op, export, with_adapter, without)
            if log is not None:
                log(json.dumps(report.as_dict()))
            reports.append(report)
    return reports
