"""Writes real GGUF models for tests: a tiny llama with SmolLM2's tokenizer and random F32 weights, and an F16
copy of the embedded SmolLM2 (dequantized with the gguf package).

llama.cpp loads and runs both exactly as it would a downloaded model; the tiny one's answers are noise,
the F16 SmolLM2 answers like the original.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np
from gguf import GGMLQuantizationType, GGUFReader, GGUFWriter, LlamaFileType
from gguf.quants import dequantize

from core.engine import embedded_model_path
from core.models.gguf_info import read_gguf

_TOKENIZER_ARRAYS = ("tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.merges")


@functools.cache
def smol_tokenizer() -> dict[str, Any]:
    """SmolLM2's tokenizer metadata (49152 byte-level BPE tokens, merges, special ids, chat template)."""
    meta = read_gguf(embedded_model_path(), keep_arrays=_TOKENIZER_ARRAYS).metadata
    return {k: v for k, v in meta.items() if k.startswith("tokenizer.")}


def _add_tokenizer(w: GGUFWriter, tok: dict[str, Any]) -> None:
    w.add_tokenizer_model(tok["tokenizer.ggml.model"])
    w.add_tokenizer_pre(tok["tokenizer.ggml.pre"])
    w.add_token_list(tok["tokenizer.ggml.tokens"])
    w.add_token_types(tok["tokenizer.ggml.token_type"])
    w.add_token_merges(tok["tokenizer.ggml.merges"])
    w.add_bos_token_id(tok["tokenizer.ggml.bos_token_id"])
    w.add_eos_token_id(tok["tokenizer.ggml.eos_token_id"])
    w.add_unk_token_id(tok["tokenizer.ggml.unknown_token_id"])
    w.add_pad_token_id(tok["tokenizer.ggml.padding_token_id"])
    w.add_add_bos_token(bool(tok["tokenizer.ggml.add_bos_token"]))
    w.add_chat_template(tok["tokenizer.chat_template"])


def write_tiny_llama(
    path: Path,
    *,
    n_layers: int = 2,
    n_embd: int = 64,
    n_ff: int = 128,
    n_head: int = 4,
    n_head_kv: int = 2,
    n_ctx: int = 512,
    seed: int = 0,
    name: str = "Tiny Llama (test)",
) -> Path:
    """A llama-architecture F32 model with random weights; dims are multiples of 32 so it quantizes."""
    tok = smol_tokenizer()
    n_vocab = len(tok["tokenizer.ggml.tokens"])
    head_dim = n_embd // n_head
    rng = np.random.default_rng(seed)

    def mat(rows: int, cols: int) -> np.ndarray:
        return (rng.standard_normal((rows, cols)) / np.sqrt(cols)).astype(np.float32)

    w = GGUFWriter(str(path), "llama")
    w.add_name(name)
    w.add_context_length(n_ctx)
    w.add_embedding_length(n_embd)
    w.add_block_count(n_layers)
    w.add_feed_forward_length(n_ff)
    w.add_head_count(n_head)
    w.add_head_count_kv(n_head_kv)
    w.add_rope_dimension_count(head_dim)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(n_vocab)
    w.add_file_type(LlamaFileType.ALL_F32)
    _add_tokenizer(w, tok)
    w.add_tensor("token_embd.weight", mat(n_vocab, n_embd))  # tied: llama.cpp reuses it as the output
    w.add_tensor("output_norm.weight", np.ones(n_embd, dtype=np.float32))
    for i in range(n_layers):
        b = f"blk.{i}"
        w.add_tensor(f"{b}.attn_norm.weight", np.ones(n_embd, dtype=np.float32))
        w.add_tensor(f"{b}.attn_q.weight", mat(n_embd, n_embd))
        w.add_tensor(f"{b}.attn_k.weight", mat(n_head_kv * head_dim, n_embd))
        w.add_tensor(f"{b}.attn_v.weight", mat(n_head_kv * head_dim, n_embd))
        w.add_tensor(f"{b}.attn_output.weight", mat(n_embd, n_embd))
        w.add_tensor(f"{b}.ffn_norm.weight", np.ones(n_embd, dtype=np.float32))
        w.add_tensor(f"{b}.ffn_gate.weight", mat(n_ff, n_embd))
        w.add_tensor(f"{b}.ffn_up.weight", mat(n_ff, n_embd))
        w.add_tensor(f"{b}.ffn_down.weight", mat(n_embd, n_ff))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def dequantize_to_f16(source: Path, out: Path) -> Path:
    """Copy a quantized GGUF with every quantized tensor dequantized to F16 (1-D tensors stay F32)."""
    r = GGUFReader(str(source))
    arch = str(r.fields["general.architecture"].contents())
    w = GGUFWriter(str(out), arch)
    for name, f in r.fields.items():
        if name.startswith("GGUF.") or name == "general.architecture":
            continue
        if name == "general.file_type":
            w.add_uint32(name, int(LlamaFileType.MOSTLY_F16))
            continue
        vtype = f.types[0]
        sub = f.types[-1] if len(f.types) > 1 else None
        w.add_key_value(name, f.contents(), vtype, sub_type=sub)
    for t in r.tensors:
        if t.tensor_type in (GGMLQuantizationType.F32, GGMLQuantizationType.F16):
            data = np.asarray(t.data)
        else:
            data = dequantize(t.data, t.tensor_type)
            data = data.astype(np.float16 if data.ndim >= 2 else np.float32)
        shape = tuple(int(x) for x in reversed(t.shape))
        w.add_tensor(t.name, np.ascontiguousarray(data.reshape(shape)))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return out
