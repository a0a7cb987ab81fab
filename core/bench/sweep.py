"""`hearth bench sweep`: models (and their quants) x threads x device x prompt length, Hearth's engine and
raw llama-cpp-python side by side, with latency, throughput, power, energy per token and peak memory.

Each point is the median of `runs` runs; Hearth and raw alternate run by run so a change in machine load
hits both. Energy comes from the telemetry sampler of the point's device (measured where a sensor exists,
else the labelled estimate). Memory is the whole process's (both runners share it): the peak RSS and VRAM
seen during the run. Like engine_vs_raw, this harness calls llama_cpp directly for the raw side.
"""

from __future__ import annotations

import csv
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import llama_cpp

from core.bench.raw import raw_llama
from core.engine import ChatMessage, GenerationOptions, LocalEngine
from core.runtime import open_local
from core.telemetry.devices import Device, choose_source
from core.telemetry.estimate import PowerModel
from core.telemetry.nvml import NvmlSource
from core.telemetry.sampler import RequestEnergy, Sampler

_FILLER = (
    "The lighthouse stood on a rock at the edge of the bay, and every night its keeper climbed the spiral "
    "stairs to light the lamp, counting the steps and listening to the sea below. "
)


@dataclass
class SweepPoint:
    model: str
    device: str
    threads: int
    prompt_tokens: int
    runner: str  # "hearth" | "raw"
    ttft_ms: float
    prompt_tok_s: float
    decode_tok_s: float
    avg_power_w: float
    j_per_token: float
    peak_rss_mb: float
    vram_mb: float | None
    power_source: str
    measured: bool


@dataclass
class _Run:
    ttft_ms: float
    prompt_tok_s: float
    decode_tok_s: float
    tokens: int
    energy: RequestEnergy


def prompt_of_length(engine: LocalEngine, n_tokens: int) -> list[ChatMessage]:
    """A user message whose rendered chat prompt is about n_tokens long."""
    ask = "\n\nSummarise the story above in one long paragraph."
    text = _FILLER * (n_tokens // 20 + 2)
    tokens = engine.tokenize(text)
    overhead = engine.count_chat_tokens([{"role": "user", "content": ask}])
    body = engine.detokenize(tokens[: max(n_tokens - overhead, 1)])
    return [{"role": "user", "content": body + ask}]


def _median_point(runs: list[_Run], **keys: object) -> SweepPoint:
    med = statistics.median
    energy = [r.energy for r in runs]
    j_per_token = med(e.energy_j / max(r.tokens, 1) for e, r in zip(energy, runs, strict=True))
    vram = [e.vram_bytes for e in energy if e.vram_bytes is not None]
    return SweepPoint(
        **keys,  # type: ignore[arg-type]
        ttft_ms=round(med(r.ttft_ms for r in runs), 1),
        prompt_tok_s=round(med(r.prompt_tok_s for r in runs), 1),
        decode_tok_s=round(med(r.decode_tok_s for r in runs), 1),
        avg_power_w=round(med(e.avg_power_w for e in energy), 2),
        j_per_token=round(j_per_token, 4),
        peak_rss_mb=round(max(e.peak_rss_bytes for e in energy) / 2**20, 1),
        vram_mb=round(max(vram) / 2**20, 1) if vram else None,
        power_source=energy[0].source,
        measured=energy[0].measured,
    )


def run_sweep(
    models: Iterable[tuple[str, str]],
    devices: Iterable[Device],
    threads: Iterable[int],
    prompt_lengths: Iterable[int],
    max_tokens: int = 64,
    runs: int = 3,
    progress: Callable[[str], None] = lambda _m: None,
) -> list[SweepPoint]:
    """`models` are (label, path) pairs: several quants of one model are several pairs."""
    points: list[SweepPoint] = []
    options = GenerationOptions(max_tokens=max_tokens, temperature=0.0, ignore_eos=True)
    for device in devices:
        gpu_layers = -1 if device.kind == "gpu" else 0
        main_gpu = int(device.id.split(":")[1]) if device.kind == "gpu" else 0
        choice = choose_source(device, PowerModel.default_for(device.cores))
        vram = choice.source.vram_bytes if isinstance(choice.source, NvmlSource) else None
        sampler = Sampler(choice.source, interval_s=0.2, vram_reader=vram)
        sampler.start()
        try:
            for label, path in models:
                for n_threads in threads:
                    engine = open_local(
                        Path(path),
                        n_ctx=4096,
                        n_threads=n_threads,
                        n_gpu_layers=gpu_layers,
                        main_gpu=main_gpu,
                    )
                    raw = raw_llama(
                        path,
                        n_ctx=4096,
                        n_threads=n_threads,
                        n_threads_batch=n_threads,
                        n_gpu_layers=gpu_layers,
                        main_gpu=main_gpu,
                        verbose=False,
                    )
                    ban = {t: -100.0 for t in engine.eog_tokens}
                    try:
                        for length in prompt_lengths:
                            messages = prompt_of_length(engine, length)
                            n_prompt = engine.count_chat_tokens(messages)
                            hearth_runs: list[_Run] = []
                            raw_runs: list[_Run] = []
                            _hearth_run(engine, messages, options, sampler)  # warm-up
                            for _ in range(runs):
                                hearth_runs.append(_hearth_run(engine, messages, options, sampler))
                                raw_runs.append(_raw_run(raw, messages, max_tokens, ban, n_prompt, sampler))
                            keys = {
                                "model": label,
                                "device": device.id,
                                "threads": n_threads,
                                "prompt_tokens": n_prompt,
                            }
                            points.append(_median_point(hearth_runs, runner="hearth", **keys))
                            points.append(_median_point(raw_runs, runner="raw", **keys))
                            progress(f"{label} {device.id} {n_threads} threads {n_prompt} prompt tokens done")
                    finally:
                        engine.close()
                        raw.close()
        finally:
            sampler.stop()
    return points


def _hearth_run(
    engine: LocalEngine, messages: list[ChatMessage], options: GenerationOptions, sampler: Sampler
) -> _Run:
    engine.reset_cache()
    meter = sampler.begin_request()
    result = engine.chat(messages, options)
    energy = meter.finish()
    m = result.metrics
    # Prompt speed as prompt tokens over time to first token: the same proxy the raw side can measure.
    return _Run(m.ttft_ms, m.prompt_tokens / (m.ttft_ms / 1000), m.decode_tok_s, m.completion_tokens, energy)


def _raw_run(
    raw: llama_cpp.Llama,
    messages: list[ChatMessage],
    max_tokens: int,
    ban: dict[int, float],
    n_prompt: int,
    sampler: Sampler,
) -> _Run:
    raw.reset()
    stamps: list[float] = []
    meter = sampler.begin_request()
    t0 = time.perf_counter()
    for chunk in raw.create_chat_completion(
        messages=list(messages),  # type: ignore[arg-type]
        max_tokens=max_tokens,
        temperature=0.0,
        repeat_penalty=1.0,
        logit_bias=ban,
        stream=True,
    ):
        if chunk["choices"][0]["delta"].get("content"):  # type: ignore[index,union-attr]
            stamps.append(time.perf_counter())
    t_end = time.perf_counter()
    energy = meter.finish()
    ttft = stamps[0] - t0 if stamps else t_end - t0
    n = len(stamps)
    decode = (n - 1) / (t_end - stamps[0]) if n > 1 else 0.0
    # The first token's latency is mostly the prompt: the same proxy for both runners' prompt speed.
    return _Run(ttft * 1000, n_prompt / ttft if ttft > 0 else 0.0, decode, n, energy)


# ---- output ----

_TABLE = [
    ("model", "{:<28}"),
    ("device", "{:<7}"),
    ("threads", "{:>7}"),
    ("prompt_tokens", "{:>7}"),
    ("runner", "{:<7}"),
    ("ttft_ms", "{:>9.1f}"),
    ("prompt_tok_s", "{:>10.1f}"),
    ("decode_tok_s", "{:>10.1f}"),
    ("avg_power_w", "{:>8.2f}"),
    ("j_per_token", "{:>9.4f}"),
    ("peak_rss_mb", "{:>8.1f}"),
]
_HEADERS = [
    "model",
    "device",
    "threads",
    "prompt",
    "runner",
    "TTFT ms",
    "prompt t/s",
    "decode t/s",
    "avg W",
    "J/token",
    "RSS MB",
]


def format_table(points: list[SweepPoint]) -> str:
    widths = [len(fmt.format(getattr(points[0], key))) if points else 8 for key, fmt in _TABLE]
    head = "  ".join(
        h.rjust(w) if i >= 2 else h.ljust(w) for i, (h, w) in enumerate(zip(_HEADERS, widths, strict=True))
    )
    lines = [head]
    for p in points:
        lines.append("  ".join(fmt.format(getattr(p, key)) for key, fmt in _TABLE))
    for hearth, raw in zip(points[::2], points[1::2], strict=False):
        if raw.decode_tok_s:
            lines.append(
                f"hearth/raw decode {hearth.decode_tok_s / raw.decode_tok_s:.3f}, TTFT "
                f"{hearth.ttft_ms - raw.ttft_ms:+.1f} ms, J/token {hearth.j_per_token / max(raw.j_per_token, 1e-12):.3f}"
                f"  ({hearth.model}, {hearth.device}, {hearth.threads} threads, {hearth.prompt_tokens} prompt tokens)"
            )
    sources = sorted({(p.power_source, p.measured) for p in points})
    for label, measured in sources:
        lines.append(f"power: {'measured' if measured else 'ESTIMATE'}: {label}")
    return "\n".join(lines)


def write_csv(points: list[SweepPoint], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(asdict(points[0])))
        writer.writeheader()
        writer.writerows(asdict(p) for p in points)


def write_plot(points: list[SweepPoint], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only: no screen needed
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for ax, key, title in zip(
        axes,
        ("decode_tok_s", "ttft_ms", "j_per_token"),
        ("Decode tokens/s", "Time to first token (ms)", "J/token"),
        strict=True,
    ):
        series: dict[str, list[tuple[int, float]]] = {}
        for p in points:
            name = f"{p.runner} {p.model} {p.device} {p.threads}t"
            series.setdefault(name, []).append((p.prompt_tokens, getattr(p, key)))
        for name, xy in series.items():
            xy.sort()
            ax.plot(
                [x for x, _ in xy],
                [y for _, y in xy],
                marker="o",
                linestyle="-" if name.startswith("hearth") else "--",
                label=name,
            )
        ax.set_title(title)
        ax.set_xlabel("prompt tokens")
        ax.grid(alpha=0.3)
    estimate = any(not p.measured for p in points)
    fig.suptitle("Hearth vs raw llama-cpp-python" + (" (power: estimate)" if estimate else ""))
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
