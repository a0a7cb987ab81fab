"""Checks of exported adapters: llama.cpp with the adapter decodes as the trained torch model does, and on
held-out prompts the adapter beats the bare model (scoring.py: outputs that parse, and outputs that are
right, by the task's scorer).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from core.adapters.base import BaseModel, load_base
from core.adapters.data import Example
from core.adapters.export import read_lora_gguf
from core.adapters.scoring import Score, evaluate
from core.adapters.task import AdapterTask
from core.adapters.weights import TrainedLora
from core.engine import GenerationOptions, LocalEngine
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


# ---- all of it, for a training run ----------------------------------------------------------------------


@dataclass(frozen=True)
class AdapterReport:
    task: str
    export: ExportCheck
    with_adapter: Score
    without_adapter: Score

    def as_dict(self) -> dict[str, object]:
        return {
            "task": self.task,
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


def held_out(task: AdapterTask, n: int, seed: int = 10_000, exclude: Collection[str] = ()) -> list[Example]:
    """n examples the task's generator draws from its held-out split, none with a prompt in `exclude`."""
    examples = [e for e in task.generate(2 * n, seed, "heldout") if prompt_key(e) not in exclude]
    return examples[:n]


def verify_adapters(
    base_model: Path,
    adapters: Sequence[tuple[AdapterTask, Path, TrainedLora | None]],
    n_held_out: int,
    seed: int = 10_000,
    threads: int = 2,
    log: Callable[[str], None] | None = None,
    exclude: Collection[str] = (),
) -> list[AdapterReport]:
    """For each adapter: the export check on one held-out prompt, then held-out scores with and without it.

    Held-out prompts come from the task's generator (its held-out split, another seed than training's);
    any whose prompt is in `exclude` (the training prompts, as prompt_key gives them) is skipped. An
    adapter given without its trained weights is checked against the weights read back from its file.
    """
    base = load_base(base_model)
    reports: list[AdapterReport] = []
    engine = open_local(base_model, n_threads=threads)
    with contextlib.closing(engine):
        for task, path, lora in adapters:
            engine.adapters.load(task.adapter_name, path)
            examples = held_out(task, n_held_out, seed, exclude)
            export = check_export(
                base, lora or read_lora_gguf(path, base), engine, task.adapter_name, examples[0]
            )
            with_adapter = evaluate(engine, task, examples, task.adapter_name)
            without = evaluate(engine, task, examples, None)
            report = AdapterReport(task.name, export, with_adapter, without)
            if log is not None:
                log(json.dumps(report.as_dict()))
            reports.append(report)
    return reports
