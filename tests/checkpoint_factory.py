"""Writes a tiny Hugging Face llama checkpoint: config.json, model.safetensors with random weights, and a
SentencePiece tokenizer trained here on Hearth's bundled text (so no tokenizer files need downloading)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import sentencepiece as spm
import torch
from safetensors.torch import save_file

from core.bench.quants import bundled_text


def write_tiny_hf_llama(
    folder: Path, *, n_layers: int = 2, hidden: int = 64, ff: int = 128, heads: int = 4, kv_heads: int = 2
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(bundled_text().splitlines()),
        model_writer=model,
        vocab_size=320,
        model_type="bpe",
        character_coverage=1.0,
        minloglevel=2,
    )
    (folder / "tokenizer.model").write_bytes(model.getvalue())
    vocab = 320
    (folder / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "LlamaTokenizer",
                "bos_token": "<s>",
                "eos_token": "</s>",
                "unk_token": "<unk>",
            }
        )
    )
    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": hidden,
        "intermediate_size": ff,
        "num_hidden_layers": n_layers,
        "num_attention_heads": heads,
        "num_key_value_heads": kv_heads,
        "vocab_size": vocab,
        "max_position_embeddings": 512,
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "tie_word_embeddings": False,
        "torch_dtype": "float32",
        "hidden_act": "silu",
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2))
    g = torch.Generator().manual_seed(0)
    kv = kv_heads * (hidden // heads)

    def w(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=g) / shape[-1] ** 0.5

    tensors = {
        "model.embed_tokens.weight": w(vocab, hidden),
        "model.norm.weight": torch.ones(hidden),
        "lm_head.weight": w(vocab, hidden),
    }
    for i in range(n_layers):
        p = f"model.layers.{i}"
        tensors |= {
            f"{p}.input_layernorm.weight": torch.ones(hidden),
            f"{p}.post_attention_layernorm.weight": torch.ones(hidden),
            f"{p}.self_attn.q_proj.weight": w(hidden, hidden),
            f"{p}.self_attn.k_proj.weight": w(kv, hidden),
            f"{p}.self_attn.v_proj.weight": w(kv, hidden),
            f"{p}.self_attn.o_proj.weight": w(hidden, hidden),
            f"{p}.mlp.gate_proj.weight": w(ff, hidden),
            f"{p}.mlp.up_proj.weight": w(ff, hidden),
            f"{p}.mlp.down_proj.weight": w(hidden, ff),
        }
    save_file(tensors, str(folder / "model.safetensors"), metadata={"format": "pt"})
    return folder
