"""A llama-architecture GGUF as a float32 transformers LlamaForCausalLM, to train LoRA adapters on.

The weights are the GGUF's own, dequantized with the gguf package, so training sees what llama.cpp
computes with. llama.cpp's converter permutes the rows of attn_q and attn_k (rope pairs interleaved per
head); they are permuted back here, and `to_gguf_rows` applies the converter's permutation again to a
LoRA's B matrix on export (weights.HeadLayout). The header is read with core.models.gguf_info (transformers' own GGUF loader
builds the 49k-token vocabulary twice, about 15 s, and hides the permutation).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from gguf import GGMLQuantizationType
from gguf.quants import dequantize
from transformers import LlamaConfig, LlamaForCausalLM

from core.adapters.weights import HeadLayout, unpermute
from core.errors import AdapterTrainingError
from core.models.gguf_info import GGUFInfo, read_gguf

log = logging.getLogger(__name__)

_LAYER_NAMES = {
    "attn_norm": "input_layernorm",
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "ffn_norm": "post_attention_layernorm",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
}


@dataclass(frozen=True)
class BaseModel(HeadLayout):
    """The loaded model, the file it came from, and (HeadLayout) what export needs to know of it."""

    model: LlamaForCausalLM = field(default=None, repr=False)  # type: ignore[assignment]
    path: Path = Path()
    n_layers: int = 0


def load_base(path: Path) -> BaseModel:
    """Load a llama-architecture GGUF (any quantization the gguf package can dequantize) in float32."""
    info = read_gguf(path)
    if info.architecture != "llama":
        raise AdapterTrainingError(
            f"Adapters can be trained only for llama-architecture models; '{path.name}' is "
            f"'{info.architecture}'."
        )
    meta = info.metadata
    if "rope_freqs.weight" in {t.name for t in info.tensors} or meta.get("llama.rope.scaling.type") not in (
        None,
        "none",
    ):
        raise AdapterTrainingError(
            f"'{path.name}' uses rope scaling, which adapter training does not support."
        )
    config = _config(info)
    n_head = int(config.num_attention_heads)
    n_head_kv = int(config.num_key_value_heads or n_head)
    weights = _read_tensors(path, info)
    state: dict[str, np.ndarray] = {
        "model.embed_tokens.weight": weights.pop("token_embd.weight"),
        "model.norm.weight": weights.pop("output_norm.weight"),
    }
    if "output.weight" in weights:
        state["lm_head.weight"] = weights.pop("output.weight")
    for name, w in weights.items():
        blk, i, kind, _ = name.split(".")
        if blk != "blk" or kind not in _LAYER_NAMES:
            raise AdapterTrainingError(f"'{path.name}' has a tensor adapter training does not know: {name}")
        if kind == "attn_q":
            w = unpermute(w, n_head)
        elif kind == "attn_k":
            w = unpermute(w, n_head_kv)
        state[f"model.layers.{i}.{_LAYER_NAMES[kind]}.weight"] = w
    model = LlamaForCausalLM(config)
    missing, unexpected = model.load_state_dict(
        {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}, strict=False
    )
    missing = [m for m in missing if not (config.tie_word_embeddings and m == "lm_head.weight")]
    if missing or unexpected:
        raise AdapterTrainingError(f"'{path.name}' does not map onto a llama model: {missing or unexpected}")
    if config.tie_word_embeddings:
        model.tie_weights()
    model.eval()
    model.requires_grad_(False)
    return BaseModel(info.architecture, n_head, n_head_kv, model, path, int(config.num_hidden_layers))


def _config(info: GGUFInfo) -> LlamaConfig:
    meta = info.metadata

    def arch(key: str, default: float | None = None) -> float:
        value = meta.get(f"llama.{key}", default)
        if not isinstance(value, int | float):
            raise AdapterTrainingError(f"'{Path(info.path).name}' has no usable llama.{key} in its header.")
        return value

    names = {t.name for t in info.tensors}
    n_embd, n_head = int(info.n_embd), int(info.n_head)
    embd = next(t for t in info.tensors if t.name == "token_embd.weight")
    return LlamaConfig(
        vocab_size=int(embd.shape[1]),
        hidden_size=n_embd,
        intermediate_size=int(arch("feed_forward_length")),
        num_hidden_layers=int(info.n_layers),
        num_attention_heads=n_head,
        num_key_value_heads=int(info.n_head_kv),
        head_dim=int(arch("attention.key_length", n_embd // n_head)),
        max_position_embeddings=int(info.context_length or 2048),
        rms_norm_eps=float(arch("attention.layer_norm_rms_eps", 1e-5)),
        rope_parameters={"rope_type": "default", "rope_theta": float(arch("rope.freq_base", 10000.0))},
        tie_word_embeddings="output.weight" not in names,
        bos_token_id=meta.get("tokenizer.ggml.bos_token_id"),
        eos_token_id=meta.get("tokenizer.ggml.eos_token_id"),
        pad_token_id=meta.get("tokenizer.ggml.padding_token_id"),
        attn_implementation="sdpa",  # type: ignore[call-arg]
        dtype="float32",
    )


def _read_tensors(path: Path, info: GGUFInfo) -> dict[str, np.ndarray]:
    """Every tensor as float32 in numpy order (rows first), dequantized where needed."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    out: dict[str, np.ndarray] = {}
    for t in info.tensors:
        start = info.data_offset + t.offset
        data = raw[start : start + t.n_bytes]
        qtype = GGMLQuantizationType[t.type]
        shape = tuple(reversed(t.shape))
        if qtype == GGMLQuantizationType.F32:
            w = data.view(np.float32)
        elif qtype == GGMLQuantizationType.F16:
            w = data.view(np.float16).astype(np.float32)
        else:
            try:
                w = dequantize(data, qtype).astype(np.float32)
            except NotImplementedError as e:
                raise AdapterTrainingError(f"The gguf package cannot dequantize {t.type} ({t.name}).") from e
        out[t.name] = w.reshape(shape).copy()
    return out
