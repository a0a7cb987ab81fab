"""Which quantization for this device: measure the quants of one model side by side.

For each file: perplexity on a small bundled text (core/models/data/perplexity.txt, written for Hearth),
time to first token of a short chat question from a cold cache, decode tokens/s over a fixed-length answer,
and the file size. Each model is loaded through the engine, one at a time.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

from core.engine import GenerationOptions
from core.models.catalog import ModelCatalog
from core.models.gguf_info import read_gguf
from core.models.progress import ProgressCallback, Reporter, check_cancel
from core.runtime import open_local

QUESTION = "Explain in a few sentences why the sky is blue."


def bundled_text() -> str:
    return resources.files("core.models").joinpath("data/perplexity.txt").read_text(encoding="utf-8")


@dataclass(frozen=True)
class QuantMeasurement:
    model: str  # catalog id or path as given
    quant_type: str
    size_bytes: int
    perplexity: float
    tokens_scored: int
    ttft_ms: float
    decode_tok_s: float
    prompt_tok_s: float

    def as_dict(self) -> dict[str, float | int | str]:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def measure(
    path: Path,
    label: str,
    *,
    text: str,
    n_ctx: int = 1024,
    threads: int = 0,
    window: int = 256,
    decode_tokens: int = 64,
) -> QuantMeasurement:
    info = read_gguf(path)
    engine = open_local(Path(path), n_ctx=n_ctx, n_threads=threads)
    with contextlib.closing(engine):
        ppl = engine.perplexity(text, window=window)
        engine.reset_cache()
        options = GenerationOptions(max_tokens=decode_tokens, temperature=0.0, ignore_eos=True)
        result = engine.chat([{"role": "user", "content": QUESTION}], options)
    m = result.metrics
    return QuantMeasurement(
        model=label,
        quant_type=info.quant_type,
        size_bytes=info.size_bytes,
        perplexity=ppl.perplexity,
        tokens_scored=ppl.tokens_scored,
        ttft_ms=m.ttft_ms,
        decode_tok_s=m.decode_tok_s,
        prompt_tok_s=m.prompt_tok_s,
    )


def compare_quants(
    catalog: ModelCatalog,
    models: list[str],
    *,
    text: str | None = None,
    n_ctx: int = 1024,
    threads: int = 0,
    decode_tokens: int = 64,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> list[QuantMeasurement]:
    """Measure each model (catalog id or path); results in the order given. Cancel stops between models."""
    text = text or bundled_text()
    reporter = Reporter(progress, "compare", len(models), "models")
    results = []
    for i, ref in enumerate(models):
        check_cancel(cancel, "The comparison")
        reporter.update(i, f"measuring {ref}", force=True)
        path = catalog.resolve(ref)
        results.append(
            measure(path, ref, text=text, n_ctx=n_ctx, threads=threads, decode_tokens=decode_tokens)
        )
    reporter.update(len(models), "done", force=True)
    return results


def format_table(rows: list[QuantMeasurement]) -> str:
    base = min((r.perplexity for r in rows), default=0.0)
    head = f"{'model':<34} {'quant':<8} {'size MB':>8} {'perplexity':>11} {'vs best':>8} {'TTFT ms':>8} {'tok/s':>7}"
    lines = [head, "-" * len(head)]
    for r in rows:
        delta = f"+{(r.perplexity / base - 1) * 100:.1f}%" if base else ""
        lines.append(
            f"{r.model[-34:]:<34} {r.quant_type:<8} {r.size_bytes / 1e6:>8.1f} {r.perplexity:>11.3f} "
            f"{delta:>8} {r.ttft_ms:>8.0f} {r.decode_tok_s:>7.1f}"
        )
    return "\n".join(lines)
