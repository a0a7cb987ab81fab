"""How likely the loaded model finds given tokens: per-token log-probabilities, and perplexity from them.

As llama.cpp's perplexity tool does, a text is cut into windows of `window` tokens, each evaluated from
an empty KV cache, and only the second half of each window is scored, so every scored token has at least
half a window of context. Lower is better; comparing quantizations of one model on the same text shows
what each quantization lost.
"""

from __future__ import annotations

import ctypes
import math

import llama_cpp
import numpy as np

from core.engine.types import PerplexityResult
from core.errors import GenerationError

__all__ = ["PerplexityResult", "perplexity_from", "token_logprobs", "window_nll"]


def token_logprobs(
    ctx: llama_cpp.llama_context_p, n_vocab: int, tokens: list[int], first: int, n_batch: int
) -> list[float]:
    """log p(tokens[i] | tokens[:i]) for every i >= first (first >= 1), from one pass over `tokens`.

    The caller clears the KV cache before and after: positions start at 0 here.
    """
    batch = llama_cpp.llama_batch_init(n_batch, 0, 1)
    out: list[float] = []
    try:
        for start in range(0, len(tokens), n_batch):
            chunk = tokens[start : start + n_batch]
            wanted: list[int] = []  # positions whose logits are read: each predicts the token after it
            for i, tok in enumerate(chunk):
                pos = start + i
                batch.token[i] = tok
                batch.pos[i] = pos
                batch.n_seq_id[i] = 1
                batch.seq_id[i][0] = 0
                read = first - 1 <= pos < len(tokens) - 1
                batch.logits[i] = read
                if read:
                    wanted.append(pos)
            batch.n_tokens = len(chunk)
            rc = llama_cpp.llama_decode(ctx, batch)
            if rc != 0:
                raise GenerationError(f"llama.cpp failed to evaluate the tokens (code {rc}).")
            if not wanted:
                continue
            ptr = llama_cpp.llama_get_logits(ctx)
            logits = np.ctypeslib.as_array(
                ctypes.cast(ptr, ctypes.POINTER(ctypes.c_float)), shape=(len(wanted), n_vocab)
            ).astype(np.float64)
            top = logits.max(axis=1, keepdims=True)
            log_z = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
            targets = np.array([tokens[p + 1] for p in wanted])
            out += (logits[np.arange(len(wanted)), targets] - log_z).tolist()
    finally:
        llama_cpp.llama_batch_free(batch)
    return out


def window_nll(
    ctx: llama_cpp.llama_context_p, n_vocab: int, tokens: list[int], n_batch: int
) -> tuple[float, int]:
    """Sum of -log p(token | previous) over the second half of `tokens`, and how many were scored.

    The caller clears the KV cache before and after: positions start at 0 here.
    """
    scores = token_logprobs(ctx, n_vocab, tokens, max(1, len(tokens) // 2), n_batch)
    return -math.fsum(scores), len(scores)


def perplexity_from(total_nll: float, count: int) -> float:
    if count == 0:
        raise GenerationError("The text is too short to measure perplexity.")
    return math.exp(total_nll / count)
