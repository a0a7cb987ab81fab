"""Hearth's engine against raw llama-cpp-python, same model, same threads, same prompt, in one process.

Three runners, interleaved run by run so machine load hits all alike:
- hearth: Hearth's llama.cpp engine (its own decode loop, sampling in C), threads chosen per request;
- raw: llama_cpp.Llama.create_chat_completion(stream=True), the library's public chat API;
- eval: a bare Llama.eval loop that decodes the same number of tokens with no sampling at all (a ceiling).
With `busy`, another process holds one core all the while (as a compile or a second app would), and a
fourth runner shows Hearth's engine held at every core, as it was before it chose its threads.

All decode greedily a fixed number of tokens (end-of-generation banned), from a cold KV cache.
This module is a measuring harness, so it is the one place besides core.engine that calls llama_cpp.
"""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field

from core.bench.raw import raw_llama
from core.engine import ChatMessage, GenerationOptions, LocalEngine, physical_cores
from core.runtime import open_local

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
    threads: int = 0


@dataclass
class BenchReport:
    model: str
    threads: int
    max_tokens: int
    runs: int
    busy: bool = False
    hearth: list[RunFigures] = field(default_factory=list)
    raw: list[RunFigures] = field(default_factory=list)
    eval_loop: list[RunFigures] = field(default_factory=list)
    hearth_all_cores: list[RunFigures] = field(default_factory=list)  # only with busy

    def median(self, runner: str, key: str) -> float:
        return statistics.median(getattr(r, key) for r in getattr(self, runner))

    def summary(self) -> dict[str, float]:
        h, r, e = (self.median(x, "decode_tok_s") for x in ("hearth", "raw", "eval_loop"))
        out = {
            "hearth_decode_tok_s": round(h, 1),
            "raw_decode_tok_s": round(r, 1),
            "eval_loop_decode_tok_s": round(e, 1),
            "decode_ratio_vs_raw": round(h / r, 3),
            "decode_ratio_vs_eval_loop": round(h / e, 3),
            "hearth_ttft_ms": round(self.median("hearth", "ttft_ms"), 1),
            "raw_ttft_ms": round(self.median("raw", "ttft_ms"), 1),
            "added_ttft_ms": round(self.median("hearth", "ttft_ms") - self.median("raw", "ttft_ms"), 1),
            "hearth_threads": self.median("hearth", "threads"),
        }
        if self.hearth_all_cores:
            a = self.median("hearth_all_cores", "decode_tok_s")
            out["hearth_all_cores_decode_tok_s"] = round(a, 1)
            out["decode_ratio_chosen_vs_all_cores"] = round(h / a, 3)
        return out

    def as_dict(self) -> dict[str, object]:
        return {**{k: v for k, v in asdict(self).items()}, "summary": self.summary()}


def _time_stream(start: Callable[[Callable[[], None]], tuple[int, int]]) -> RunFigures:
    """`start(mark)` runs a generation, calling mark() at each token; returns (tokens, threads used)."""
    stamps: list[float] = []
    t0 = time.perf_counter()
    n, threads = start(lambda: stamps.append(time.perf_counter()))
    t_end = time.perf_counter()
    ttft = (stamps[0] - t0) * 1000 if stamps else float("nan")
    decode = (n - 1) / (t_end - stamps[0]) if n > 1 else float("nan")
    return RunFigures(ttft_ms=ttft, decode_tok_s=decode, tokens=n, threads=threads)


@contextlib.contextmanager
def holding_a_core(settle_s: float = 1.5) -> Iterator[None]:
    """Another process spinning on one core for the block (bounded: it ends with the block, or in 30 min)."""
    spinner = subprocess.Popen(
        [sys.executable, "-c", "import time\nend = time.time() + 1800\nwhile time.time() < end: pass"]
    )
    try:
        time.sleep(settle_s)  # the engine's load probe averages over the last second
        yield
    finally:
        spinner.kill()
        spinner.wait()


def run_bench(
    model_path: str, threads: int = 0, max_tokens: int = 128, runs: int = 5, busy: bool = False
) -> BenchReport:
    """`threads` 0: Hearth chooses per request, raw llama-cpp-python takes every physical core."""
    cores = threads or physical_cores()
    engine = open_local(model_path, n_threads=threads or None)
    all_cores = open_local(model_path, n_threads=cores) if busy else None
    raw = raw_llama(model_path, n_ctx=2048, n_threads=cores, n_threads_batch=cores, verbose=False)
    report = BenchReport(model=engine.info.name, threads=cores, max_tokens=max_tokens, runs=runs, busy=busy)
    ban = {t: -100.0 for t in engine.eog_tokens}
    options = GenerationOptions(max_tokens=max_tokens, temperature=0.0, ignore_eos=True)

    def hearth_on(e: LocalEngine) -> Callable[[Callable[[], None]], tuple[int, int]]:
        def run(mark: Callable[[], None]) -> tuple[int, int]:
            e.reset_cache()
            result = e.chat(PROMPT, options, on_token=lambda _t: mark())
            return result.metrics.completion_tokens, result.metrics.threads

        return run

    hearth = hearth_on(engine)

    def raw_chat(mark: Callable[[], None]) -> tuple[int, int]:
        raw.reset()
        n = 0
        for chunk in raw.create_chat_completion(
            messages=list(PROMPT),  # type: ignore[arg-type]
            max_tokens=max_tokens,
            temperature=0.0,
            repeat_penalty=1.0,
            logit_bias=ban,
            stream=True,
        ):
            if chunk["choices"][0]["delta"].get("content"):  # type: ignore[index,union-attr]
                n += 1
                mark()
        return n, cores

    tokens = engine.tokenize(engine.render_chat(PROMPT), add_special=False, special=True)

    def eval_loop(mark: Callable[[], None]) -> tuple[int, int]:
        raw.reset()
        raw.eval(tokens)
        mark()  # the first token would be sampled here
        for i in range(max_tokens - 1):
            raw.eval([tokens[i % len(tokens)]])
            mark()
        return max_tokens, cores

    runners: list[tuple[list[RunFigures], Callable[[Callable[[], None]], tuple[int, int]]]] = [
        (report.hearth, hearth),
        (report.raw, raw_chat),
        (report.eval_loop, eval_loop),
    ]
    if all_cores is not None:
        runners.append((report.hearth_all_cores, hearth_on(all_cores)))
    try:
        with holding_a_core() if busy else contextlib.nullcontext():
            for _, runner in runners:  # warm-up: page in weights, build graphs
                runner(lambda: None)
            for _ in range(runs):
                for figures, runner in runners:
                    figures.append(_time_stream(runner))
    finally:
        engine.close()
        if all_cores is not None:
            all_cores.close()
        raw.close()
    return report


def format_report(report: BenchReport) -> str:
    s = report.summary()
    busy = ", one core held by another process" if report.busy else ""
    lines = [
        f"model {report.model}, {report.threads} cores{busy}, {report.max_tokens} tokens, "
        f"median of {report.runs} runs",
        f"{'runner':<42}{'decode tok/s':>14}{'TTFT ms':>10}",
        f"{'hearth engine (' + format(s['hearth_threads'], '.0f') + ' threads, chosen)':<42}"
        f"{s['hearth_decode_tok_s']:>14.1f}{s['hearth_ttft_ms']:>10.1f}",
        f"{'llama-cpp-python create_chat_completion':<42}{s['raw_decode_tok_s']:>14.1f}{s['raw_ttft_ms']:>10.1f}",
        f"{'bare Llama.eval loop (no sampling)':<42}{s['eval_loop_decode_tok_s']:>14.1f}{'':>10}",
        f"decode ratio hearth/raw       {s['decode_ratio_vs_raw']:.3f}  (target >= 0.95)",
        f"decode ratio hearth/eval loop {s['decode_ratio_vs_eval_loop']:.3f}",
        f"added time to first token     {s['added_ttft_ms']:+.1f} ms",
    ]
    if "hearth_all_cores_decode_tok_s" in s:
        lines.insert(
            5, f"{'hearth engine held at every core':<42}{s['hearth_all_cores_decode_tok_s']:>14.1f}{'':>10}"
        )
        lines.append(f"decode ratio chosen threads / every core {s['decode_ratio_chosen_vs_all_cores']:.3f}")
    return "\n".join(lines)
