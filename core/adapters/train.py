"""LoRA training (peft) of one task's adapter on the base model's float weights.

Examples are tokenised by the engine that will serve them (its chat template, its tokenizer, the template's
end of turn), so the token ids match inference exactly; the loss counts the target's tokens only. A batch's
examples share their task's system prompt: that prefix is evaluated once per batch and its keys and values
repeated for every example (gradients flow through it as through the rest), which saves about half the
work of memory extraction and update batches. Logits are computed for target positions only.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import cast

import numpy as np
import torch
from peft import LoraConfig, get_peft_model
from peft.tuners.lora import LoraLayer

from core.adapters.base import BaseModel
from core.adapters.data import Example
from core.adapters.weights import TrainedLora
from core.engine import LocalEngine
from core.errors import AdapterTrainingError, OperationCancelled

log = logging.getLogger(__name__)

ALL_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
_MIN_SHARED = 8  # a shorter common prefix is not worth a second forward call


@dataclass(frozen=True)
class TrainConfig:
    rank: int = 16
    alpha: float = 32.0
    targets: tuple[str, ...] = ALL_TARGETS
    # Which layers get the adapter (None: all). Only the top ones: backpropagation stops below the lowest,
    # so training is cheaper, and fewer adapted matrices cost less decode speed at inference.
    layers: tuple[int, ...] | None = None
    steps: int = 100
    batch_size: int = 8
    lr: float = 1e-3
    warmup: float = 0.06  # share of the steps with a linearly rising learning rate; cosine decay after
    max_tokens: int = 448  # longer examples are left out
    seed: int = 0
    threads: int = 2
    share_prefix: bool = True
    # Loss weight of the tokens that hold the decision (an update's event and id, an answer's cited
    # memories) against the rest, mostly copied text: a pointer to the right memory is one or two tokens.
    key_weight: float = 1.0


@dataclass(frozen=True)
class Encoded:
    ids: list[int]
    n_prompt: int  # the first n_prompt ids are the prompt; the rest are the target and the end of turn
    n_key: int = 0  # the first n_key target tokens hold the decision (AdapterTask.key_span)


@dataclass(frozen=True)
class TrainProgress:
    step: int
    steps: int
    loss: float  # mean target-token loss of the last step
    elapsed_s: float


ProgressCallback = Callable[[TrainProgress], None]


def encode(
    engine: LocalEngine,
    examples: Sequence[Example],
    max_tokens: int,
    key_span: Callable[[Example], int] = lambda ex: 0,
) -> list[Encoded]:
    """Token ids of each example as the engine would see them; over-long examples are left out.

    key_span(example) is how many characters at the start of the target hold its decision (the task's
    AdapterTask.key_span): their tokens get TrainConfig.key_weight in the loss.
    """
    end = engine.tokenize(engine.turn_end, special=True)
    out: list[Encoded] = []
    for ex in examples:
        prompt = engine.chat_tokens(ex.messages)
        target = engine.tokenize(ex.target, special=False)
        if len(prompt) + len(target) + len(end) > max_tokens:
            continue
        span, n_key, chars = key_span(ex), 0, 0
        while chars < span:  # the decision comes first and is ASCII: token pieces add up to characters
            chars += len(engine.detokenize(target[n_key : n_key + 1]))
            n_key += 1
        out.append(Encoded(prompt + target + end, len(prompt), n_key))
    if len(out) < len(examples):
        log.info(
            "Left out %d of %d examples longer than %d tokens",
            len(examples) - len(out),
            len(examples),
            max_tokens,
        )
    return out


def batches(encoded: Sequence[Encoded], size: int, rng: random.Random) -> list[list[Encoded]]:
    """One epoch of batches of similar lengths (little padding), in random order."""
    order = list(encoded)
    rng.shuffle(order)
    out: list[list[Encoded]] = []
    pool = size * 8
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda e: len(e.ids))
        out += [chunk[i : i + size] for i in range(0, len(chunk), size)]
    rng.shuffle(out)
    return out


def batch_loss(
    model: torch.nn.Module, batch: Sequence[Encoded], share_prefix: bool = True, key_weight: float = 1.0
) -> torch.Tensor:
    """Mean cross-entropy of the batch's target tokens under `model` (a LlamaForCausalLM), the decision's
    tokens weighted `key_weight` times the others."""
    shared = _shared_prefix(batch) if share_prefix and len(batch) > 1 else 0
    llama = cast(torch.nn.Module, model.model)
    head = cast(torch.nn.Module, model.lm_head)
    n = len(batch)
    width = max(len(e.ids) for e in batch) - shared
    ids = torch.zeros((n, width), dtype=torch.long)
    mask = torch.zeros((n, shared + width), dtype=torch.long)
    mask[:, :shared] = 1
    rows: list[int] = []
    cols: list[int] = []
    labels: list[int] = []
    weights: list[float] = []
    for b, e in enumerate(batch):
        rest = e.ids[shared:]
        ids[b, : len(rest)] = torch.tensor(rest)
        mask[b, shared : shared + len(rest)] = 1
        for pos in range(e.n_prompt, len(e.ids)):  # hidden state at pos - 1 predicts token pos
            rows.append(b)
            cols.append(pos - 1 - shared)
            labels.append(e.ids[pos])
            weights.append(key_weight if pos - e.n_prompt < e.n_key else 1.0)
    if shared:
        prefix = torch.tensor([batch[0].ids[:shared]])
        cache = llama(input_ids=prefix, use_cache=True).past_key_values
        cache.batch_repeat_interleave(n)
        positions = torch.arange(shared, shared + width).expand(n, width)
        hidden = llama(
            input_ids=ids, attention_mask=mask, past_key_values=cache, position_ids=positions, use_cache=True
        ).last_hidden_state
    else:
        hidden = llama(input_ids=ids, attention_mask=mask, use_cache=False).last_hidden_state
    logits = head(hidden[torch.tensor(rows), torch.tensor(cols)])
    losses = torch.nn.functional.cross_entropy(logits.float(), torch.tensor(labels), reduction="none")
    w = torch.tensor(weights)
    return (losses * w).sum() / w.sum()


def _shared_prefix(batch: Sequence[Encoded]) -> int:
    first = batch[0].ids
    limit = (
        min(e.n_prompt for e in batch) - 1
    )  # the last prompt token predicts the target: keep it per example
    n = 0
    while n < limit and all(e.ids[n] == first[n] for e in batch):
        n += 1
    return n if n >= _MIN_SHARED else 0


def _lr_at(step: int, config: TrainConfig) -> float:
    warm = max(1, int(config.steps * config.warmup))
    if step < warm:
        return config.lr * (step + 1) / warm
    t = (step - warm) / max(1, config.steps - warm)
    return config.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t)))


def train_lora(
    base: BaseModel,
    encoded: Sequence[Encoded],
    config: TrainConfig,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    checkpoint: Callable[[TrainedLora], None] | None = None,
    checkpoint_every: int = 100,
    init: TrainedLora | None = None,
) -> TrainedLora:
    """Train one adapter; the base model is left as it was (the LoRA layers are taken out again).
    `checkpoint` gets the weights so far every `checkpoint_every` steps. With `init` (an adapter trained
    before) training goes on from its weights, with its rank, modules and layers; the optimizer starts
    afresh, and the result counts init's steps and losses as its own first ones.

    Raises:
        OperationCancelled: `cancel` was set (checked before every step).
        AdapterTrainingError: there is nothing to train on, or `init` does not fit the base model.
    """
    if not encoded:
        raise AdapterTrainingError("There are no training examples that fit.")
    if init is not None:
        config = resume_config(config, init)
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    lora = LoraConfig(
        r=config.rank,
        lora_alpha=int(config.alpha),
        target_modules=list(config.targets),
        lora_dropout=0.0,
        bias="none",
        layers_to_transform=list(config.layers) if config.layers is not None else None,
    )
    peft_model = get_peft_model(base.model, lora)
    model = cast(torch.nn.Module, peft_model.base_model.model)
    if init is not None:
        _load_weights(model, init)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=config.lr, weight_decay=0.0)
    losses: list[float] = []
    t0 = time.perf_counter()
    queue: list[list[Encoded]] = []
    try:
        for step in range(config.steps):
            if cancel is not None and cancel.is_set():
                raise OperationCancelled("Training the adapter")
            if not queue:
                queue = batches(encoded, config.batch_size, rng)
            batch = queue.pop()
            for group in opt.param_groups:
                group["lr"] = _lr_at(step, config)
            loss = batch_loss(model, batch, config.share_prefix, config.key_weight)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            losses.append(float(loss.detach()))
            if progress is not None:
                progress(TrainProgress(step + 1, config.steps, losses[-1], time.perf_counter() - t0))
            if checkpoint is not None and (step + 1) % checkpoint_every == 0 and step + 1 < config.steps:
                checkpoint(_trained(model, config, losses, time.perf_counter() - t0, init))
        trained = _trained(model, config, losses, time.perf_counter() - t0, init)
    finally:
        model.eval()
        peft_model.unload()  # the base model without LoRA layers, for the next task
        base.model.requires_grad_(False)
    return trained


def resume_config(config: TrainConfig, init: TrainedLora) -> TrainConfig:
    """`config` with the rank, alpha, modules and layers of the adapter training goes on from."""
    layers = tuple(sorted({layer for layer, _ in init.weights}))
    return replace(config, rank=init.rank, alpha=init.alpha, targets=init.targets, layers=layers)


def _load_weights(model: torch.nn.Module, init: TrainedLora) -> None:
    """Copy init's A and B into the fresh LoRA layers, which must be exactly the ones init has."""
    found: set[tuple[int, str]] = set()
    for key, lora_a, lora_b in _lora_modules(model):
        if key not in init.weights:
            raise AdapterTrainingError(f"The adapter to resume from has no weights for {key}.")
        a, b = init.weights[key]
        if tuple(lora_a.shape) != a.shape or tuple(lora_b.shape) != b.shape:
            raise AdapterTrainingError(
                f"The adapter to resume from does not fit this base model ({key}: {a.shape}, {b.shape})."
            )
        with torch.no_grad():
            lora_a.copy_(torch.from_numpy(np.asarray(a, dtype=np.float32)))
            lora_b.copy_(torch.from_numpy(np.asarray(b, dtype=np.float32)))
        found.add(key)
    if found != set(init.weights):
        raise AdapterTrainingError("The adapter to resume from adapts modules this base model lacks.")


def _trained(
    model: torch.nn.Module,
    config: TrainConfig,
    losses: list[float],
    seconds: float,
    init: TrainedLora | None = None,
) -> TrainedLora:
    tail = losses[-max(1, len(losses) // 10) :]
    before = init if init is not None else TrainedLora({}, config.rank, config.alpha, (), 0, 0.0, 0.0)
    return TrainedLora(
        weights=_lora_weights(model),
        rank=config.rank,
        alpha=config.alpha,
        targets=config.targets,
        steps=before.steps + len(losses),
        final_loss=float(np.mean(tail)) if tail else float("nan"),
        seconds=before.seconds + seconds,
        losses=[*before.losses, *losses],
    )


def _lora_modules(model: torch.nn.Module) -> Iterator[tuple[tuple[int, str], torch.Tensor, torch.Tensor]]:
    """Each LoRA layer of the peft-wrapped model: ((layer, module name), A's weight, B's weight)."""
    for name, module in model.named_modules():
        if isinstance(module, LoraLayer) and "default" in module.lora_A:
            parts = name.split(".")
            key = (int(parts[parts.index("layers") + 1]), parts[-1])
            a = cast(torch.nn.Linear, module.lora_A["default"]).weight
            b = cast(torch.nn.Linear, module.lora_B["default"]).weight
            yield key, a, b


def _lora_weights(model: torch.nn.Module) -> dict[tuple[int, str], tuple[np.ndarray, np.ndarray]]:
    return {
        key: (a.detach().float().numpy().copy(), b.detach().float().numpy().copy())
        for key, a, b in _lora_modules(model)
    }
