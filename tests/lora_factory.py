"""Writes a real LoRA adapter GGUF for a base model, with random weights, as llama.cpp's converter lays it out.

For tests of per-request adapter switching: the adapter is not trained, but llama.cpp loads and applies it
exactly as it would a trained one, and a strong random delta changes greedy output visibly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from gguf import GGUFReader, GGUFWriter


def write_random_lora(
    base: Path,
    out: Path,
    *,
    rank: int = 8,
    scale: float = 1.0,
    targets: tuple[str, ...] = ("attn_q", "attn_v"),
    seed: int = 0,
    wrong_shape: bool = False,
) -> Path:
    reader = GGUFReader(str(base))
    arch = bytes(reader.fields["general.architecture"].parts[-1]).decode()
    writer = GGUFWriter(str(out), arch)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(rank))
    rng = np.random.default_rng(seed)
    for tensor in reader.tensors:
        parts = tensor.name.split(".")
        if len(parts) != 4 or parts[2] not in targets or parts[3] != "weight":
            continue
        n_in, n_out = int(tensor.shape[0]), int(tensor.shape[1])  # ggml order: ne[0] is the input size
        if wrong_shape:
            n_in += 1
        a = (rng.standard_normal((rank, n_in)) * scale / np.sqrt(n_in)).astype(np.float32)  # ne = [n_in, r]
        b = (rng.standard_normal((n_out, rank)) * scale).astype(np.float32)  # ne = [r, n_out]
        writer.add_tensor(f"{tensor.name}.lora_a", a)
        writer.add_tensor(f"{tensor.name}.lora_b", b)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out
