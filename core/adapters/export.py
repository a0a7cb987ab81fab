"""A trained LoRA as a llama.cpp adapter GGUF (the manifest beside it: manifest.py). No torch needed.

The layout is llama.cpp's convert_lora_to_gguf's: per adapted weight `blk.{i}.{tensor}.weight.lora_a`
(ggml ne = [n_in, r]) and `.lora_b` (ne = [r, n_out]), general.type=adapter, adapter.type=lora and
adapter.lora.alpha; llama.cpp scales the product by alpha / r, as peft does. B's rows of q and k are
permuted into llama.cpp's rope order (weights.HeadLayout.to_gguf_rows).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from gguf import GGUFReader, GGUFWriter

from core.adapters.weights import GGUF_NAMES, HeadLayout, TrainedLora


def write_lora_gguf(
    lora: TrainedLora, base: HeadLayout, out: Path, *, name: str = "", dtype: type = np.float16
) -> Path:
    """Write the adapter; float16 halves the file at no visible cost (A and B are small numbers)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = GGUFWriter(str(out), base.architecture)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(lora.alpha))
    if name:
        writer.add_name(name)
    for (layer, module), (a, b) in sorted(lora.weights.items()):
        tensor = f"blk.{layer}.{GGUF_NAMES[module]}.weight"
        writer.add_tensor(f"{tensor}.lora_a", np.ascontiguousarray(a.astype(dtype)))
        writer.add_tensor(
            f"{tensor}.lora_b", np.ascontiguousarray(base.to_gguf_rows(module, b).astype(dtype))
        )
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out


def read_lora_gguf(path: Path, base: HeadLayout) -> TrainedLora:
    """An adapter file's weights back in transformers' layout (the inverse of write_lora_gguf), e.g. to
    check a shipped adapter against the torch model without training it again."""
    reader = GGUFReader(str(path))
    alpha = float(reader.fields["adapter.lora.alpha"].contents())
    modules = {gguf: hf for hf, gguf in GGUF_NAMES.items()}
    pairs: dict[tuple[int, str], dict[str, np.ndarray]] = {}
    for t in reader.tensors:
        _, layer, kind, _, part = t.name.split(".")
        shape = tuple(int(x) for x in reversed(t.shape))
        pairs.setdefault((int(layer), modules[kind]), {})[part] = np.asarray(
            t.data, dtype=np.float32
        ).reshape(shape)
    weights = {
        key: (ab["lora_a"], base.from_gguf_rows(key[1], ab["lora_b"])) for key, ab in sorted(pairs.items())
    }
    rank = next(iter(weights.values()))[0].shape[0]
    targets = tuple(dict.fromkeys(module for _, module in weights))
    return TrainedLora(weights, rank, alpha, targets, steps=0, final_loss=float("nan"), seconds=0.0)
