"""Hearth's engine against raw llama-cpp-python, same model, same threads, same prompt, in one process.

Three runners, interleaved run by run so machine load hits all alike:
- hearth: core.engine.Engine.chat (Hearth's own decode loop, sampling in C);
- raw: llama_cpp.Llama.create_chat_completion(stream=True), the library's public chat API;
- eval: a bare Llama.eval loop that decodes the same number of tokens with no sampling at all (a ceiling).

All decode greedily a fixed number of tokens (end-of-generation banned), from a cold KV cache.
This module is a measuring harness, so it is the one place besides core.engine that calls llama_cpp.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import llama_cpp

from core.engine import ChatMessage, Engine, EngineConfig, GenerationOptions, default_threads

PROMPT: list[ChatMessage] = [
    {"role": "system", "content": "You are a helpful assistant."},
    {
        "role": "user",
        "content": "Write a long story about a lighthouse keeper who finds a message in a bottle.",
    },
]


@dataclass
class RunFigures:
    ttft_ms: float
    decode_tok_s: float
    tokens: int


@dataclass
class BenchReport:
    model: str
    threads: int
    max_tokens: int
    runs: int
    hearth: list[RunFigures] = field(default_factory=list)
    raw: list[RunFigures] = field(default_factory=list)
    eval_loop: list[RunFigures] = field(default_factory=list)

    def median(self, runner: str, key: str) -> float:
        return statistics.median(getattr(r, key) for r in getattr(self, runner))

    def summary(self) -> dict[str, float]:
        h, r, e = (self.median(x, "decode_tok_s") for x in ("hearth", "raw", "eval_loop"))
        return {
            "hearth_decode_tok_s": round(h, 1),
            "raw_decode_tok_s": round(r, 1),
            "eval_loop_decode_tok_s": round(e, 1),
            "decode_ratio_vs_raw": round(h / r, 3),
            "decode_ratio_vs_eval_loop": round(h / e, 3),
            "hearth_ttft_ms": round(self.median("hearth", "ttft_ms"), 1),
            "raw_ttft_ms": round(self.median("raw", "ttft_ms"), 1),
            "added_ttft_ms": round(self.median("hearth", "ttft_ms") - self.median("raw", "ttft_ms"), 1),
        }

    def as_dict(self) -> dict[str, object]:
        return {**{k: v for k, v in asdict(self).items()}, "summary": self.summary()}


def _time_stream(start: Callable[[Callable[[], None]], int]) -> RunFigures:
    """`start(mark)` runs a generation, calling mark() at each token, and returns the token count."""
    stamps: list[float] = []
    t0 = time.perf_counter()
    n = start(lambda: stamps.append(time.perf_counter()))
    t_end = time.perf_counter()
    ttft = (stamps[0] - t0) * 1000 if stamps else float("nan")
    decode = (n - 1) / (t_end - stamps[0]) if n > 1 else float("nan")
    return RunFigures(ttft_ms=ttft, decode_tok_s=decode, tokens=n)


def run_bench(model_path: str, threads: int = 0, max_tokens: int = 128, runs: int = 5) -> BenchReport:
    threads = threads or default_threads()
    engine = Engine(EngineConfig(model_path=model_path, n_ctx=2048, n_threads=threads))
    raw = llama_cpp.Llama(
        model_path=model_path, n_ctx=2048, n_threads=threads, n_threads_batch=threads, verbose=False
    )
    report = BenchReport(model=engine.info.name, threads=engine.n_threads, max_tokens=max_tokens, runs=runs)
    ban = {t: -100.0 for t in engine.eog_tokens}
    options = GenerationOptions(max_tokens=max_tokens, temperature=0.0, ignore_eos=True)

    def hearth(mark: Callable[[], None]) -> int:
        engine.reset_cache()
        result = engine.chat(PROMPT, options, on_token=lambda _t: mark())
        return result.metrics.completion_tokens

    def raw_chat(mark: Callable[[], None]) -> int:
        raw.reset()
        n = 0
        for chunk in raw.create_chat_completion(
            messages=list(PROMPT),  # type: ignore[arg-type]
            max_tokens=max_tokens,
            temperature=0.0,
            repeat_penalty=1.0,
            logit_bias=ban,  # type: ignore[arg-type]
            stream=True,
        ):
            if chunk["choices"][0]["delta"].get("content"):  # type: ignore[index,union-attr]
                n += 1
                mark()
        return n

    tokens = engine.tokenize(engine.render_chat(PROMPT), add_special=False, special=True)

    def eval_loop(mark: Callable[[], None]) -> int:
        raw.reset()
        raw.eval(tokens)
        mark()  # the first token would be sampled here
        for i in range(max_tokens - 1):
            raw.eval([tokens[i % len(tokens)]])
            mark()
        return max_tokens

    for runner in (hearth, raw_chat, eval_loop):  # warm-up: page in weights, build graphs
        runner(lambda: None)
    for _ in range(runs):
        report.hearth.append(_time_stream(hearth))
        report.raw.append(_time_stream(raw_chat))
        report.eval_loop.append(_time_stream(eval_loop))
    engine.close()
    raw.close()
    return report


def format_report(report: BenchReport) -> str:
    s = report.summary()
    lines = [
        f"model {report.model}, {report.threads} threads, {report.max_tokens} tokens, median of {report.runs} runs",
        f"{'runner':<42}{'decode tok/s':>14}{'TTFT ms':>10}",
        f"{'hearth Engine.chat':<42}{s['hearth_decode_tok_s']:>14.1f}{s['hearth_ttft_ms']:>10.1f}",
        f"{'llama-cpp-python create_chat_completion':<42}{s['raw_decode_tok_s']:>14.1f}{s['raw_ttft_ms']:>10.1f}",
        f"{'bare Llama.eval loop (no sampling)':<42}{s['eval_loop_decode_tok_s']:>14.1f}{'':>10}",
        f"decode ratio hearth/raw       {s['decode_ratio_vs_raw']:.3f}  (target >= 0.95)",
        f"decode ratio hearth/eval loop {s['decode_ratio_vs_eval_loop']:.3f}",
        f"added time to first token     {s['added_ttft_ms']:+.1f} ms",
    ]
    return "\n".join(lines)
