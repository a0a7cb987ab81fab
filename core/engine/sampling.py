"""Builds llama.cpp's native sampler chain, so a token is chosen in C rather than in Python."""

from __future__ import annotations

import json
from collections.abc import Sequence

import llama_cpp
from llama_cpp.llama_grammar import json_schema_to_gbnf

from core.engine.types import GenerationOptions
from core.errors import GrammarError


def grammar_text(options: GenerationOptions) -> str | None:
    if options.grammar and options.json_schema:
        raise GrammarError("Give either a grammar or a JSON schema, not both.")
    if options.json_schema is not None:
        try:
            return json_schema_to_gbnf(json.dumps(options.json_schema))
        except Exception as e:
            raise GrammarError(f"The JSON schema cannot be turned into a grammar: {e}") from e
    return options.grammar


class SamplerChain:
    """Owns one llama_sampler chain; free it with close()."""

    def __init__(
        self, vocab: llama_cpp.llama_vocab_p, options: GenerationOptions, eog_tokens: Sequence[int] = ()
    ) -> None:
        params = llama_cpp.llama_sampler_chain_default_params()
        params.no_perf = True
        self.ptr = llama_cpp.llama_sampler_chain_init(params)
        try:
            if options.ignore_eos and eog_tokens:
                self._ban(vocab, eog_tokens)
            self._build(vocab, options)
        except BaseException:
            self.close()
            raise

    def _add(self, sampler: llama_cpp.llama_sampler_p | None, what: str) -> None:
        if not sampler:
            raise GrammarError(f"llama.cpp could not create the {what} sampler.")
        llama_cpp.llama_sampler_chain_add(self.ptr, sampler)

    def _ban(self, vocab: llama_cpp.llama_vocab_p, tokens: Sequence[int]) -> None:
        biases = (llama_cpp.llama_logit_bias * len(tokens))()
        for i, tok in enumerate(tokens):
            biases[i].token = llama_cpp.llama_token(tok)
            biases[i].bias = float("-inf")
        n_vocab = llama_cpp.llama_vocab_n_tokens(vocab)
        self._add(llama_cpp.llama_sampler_init_logit_bias(n_vocab, len(tokens), biases), "logit bias")

    def _build(self, vocab: llama_cpp.llama_vocab_p, o: GenerationOptions) -> None:
        gbnf = grammar_text(o)
        if gbnf is not None:
            # First in the chain: it masks every token the grammar forbids before anything is chosen.
            sampler = llama_cpp.llama_sampler_init_grammar(vocab, gbnf.encode("utf-8"), b"root")
            if not sampler:
                raise GrammarError("The grammar does not parse (llama.cpp rejected it).")
            llama_cpp.llama_sampler_chain_add(self.ptr, sampler)
        n_vocab = llama_cpp.llama_vocab_n_tokens(vocab)
        if o.temperature > 0 and o.top_k > 0:
            # Before the penalty: llama.cpp warns that penalising the whole vocabulary is slow.
            self._add(llama_cpp.llama_sampler_init_top_k(o.top_k), "top-k")
        if o.repeat_penalty != 1.0:
            self._add(
                llama_cpp.llama_sampler_init_penalties(n_vocab, o.repeat_last_n, o.repeat_penalty, 0.0, 0.0),
                "penalty",
            )
        if o.temperature <= 0:
            self._add(llama_cpp.llama_sampler_init_greedy(), "greedy")
            return
        if o.top_p < 1.0:
            self._add(llama_cpp.llama_sampler_init_top_p(o.top_p, 1), "top-p")
        if o.min_p > 0.0:
            self._add(llama_cpp.llama_sampler_init_min_p(o.min_p, 1), "min-p")
        self._add(llama_cpp.llama_sampler_init_temp(o.temperature), "temperature")
        self._add(llama_cpp.llama_sampler_init_dist(o.seed & 0xFFFFFFFF), "distribution")

    def close(self) -> None:
        if self.ptr:
            llama_cpp.llama_sampler_free(self.ptr)
            self.ptr = None
