"""A trained LoRA's weights (numpy, transformers' layout) and the row order llama.cpp keeps q and k in.

No torch here: exporting, reading back and describing adapters work without the training extra.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# transformers' module name -> the GGUF tensor name of the same weight in block i.
GGUF_NAMES: dict[str, str] = {
    "q_proj": "attn_q",
    "k_proj": "attn_k",
    "v_proj": "attn_v",
    "o_proj": "attn_output",
    "gate_proj": "ffn_gate",
    "up_proj": "ffn_up",
    "down_proj": "ffn_down",
}


@dataclass
class TrainedLora:
    """The adapter's weights in transformers' layout: (layer, module) -> (A (r, n_in), B (n_out, r))."""

    weights: dict[tuple[int, str], tuple[np.ndarray, np.ndarray]]
    rank: int
    alpha: float
    targets: tuple[str, ...]
    steps: int
    final_loss: float  # mean of the last 10% of steps
    seconds: float
    losses: list[float] = field(default_factory=list)


def permute(w: np.ndarray, n_head: int) -> np.ndarray:
    """llama.cpp convert_hf_to_gguf's LlamaModel.permute: each head's rope halves interleaved."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def unpermute(w: np.ndarray, n_head: int) -> np.ndarray:
    return w.reshape(n_head, w.shape[0] // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


@dataclass(frozen=True)
class HeadLayout:
    """What export needs of a base model: its architecture and head counts (for the q/k row order)."""

    architecture: str
    n_head: int
    n_head_kv: int

    def to_gguf_rows(self, module: str, rows: np.ndarray) -> np.ndarray:
        """Rows of a q_proj / k_proj output (e.g. a LoRA B) in the order llama.cpp's tensors use."""
        if module == "q_proj":
            return permute(rows, self.n_head)
        if module == "k_proj":
            return permute(rows, self.n_head_kv)
        return rows

    def from_gguf_rows(self, module: str, rows: np.ndarray) -> np.ndarray:
        """The inverse of to_gguf_rows."""
        if module == "q_proj":
            return unpermute(rows, self.n_head)
        if module == "k_proj":
            return unpermute(rows, self.n_head_kv)
        return rows


def save_checkpoint(lora: TrainedLora, path: str) -> None:
    """The trained weights as .npz (what `hearth adapters export` turns into a GGUF)."""
    arrays: dict[str, np.ndarray] = {}
    for (layer, module), (a, b) in lora.weights.items():
        arrays[f"{layer}.{module}.A"] = a
        arrays[f"{layer}.{module}.B"] = b
    meta = np.array([lora.rank, lora.alpha, lora.steps, lora.final_loss, lora.seconds], dtype=np.float64)
    arrays["__meta__"] = meta
    arrays["__losses__"] = np.array(lora.losses, dtype=np.float32)
    np.savez(path, **arrays)  # type: ignore[arg-type]


def load_checkpoint(path: str) -> TrainedLora:
    data = np.load(path)
    weights: dict[tuple[int, str], tuple[np.ndarray, np.ndarray]] = {}
    for key in data.files:
        if key.endswith(".A"):
            layer, module, _ = key.split(".")
            weights[(int(layer), module)] = (data[key], data[f"{layer}.{module}.B"])
    if "__meta__" in data.files:
        rank, alpha, steps, final, seconds = (float(x) for x in data["__meta__"])
        losses = [float(x) for x in data["__losses__"]]
    else:  # weights only: the rank is A's row count, alpha the usual 2 r
        rank = float(next(iter(weights.values()))[0].shape[0])
        alpha, steps, final, seconds, losses = 2 * rank, 0.0, float("nan"), 0.0, []
    targets = tuple(dict.fromkeys(m for _, m in sorted(weights)))
    return TrainedLora(weights, int(rank), alpha, targets, int(steps), final, seconds, losses)
