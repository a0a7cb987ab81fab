"""LocalEngine.perplexity: a trained model is far less surprised by real text than random weights are."""

from __future__ import annotations

import math
from contextlib import closing
from pathlib import Path

import pytest

from core.bench.quants import bundled_text
from core.engine import LocalEngine
from core.errors import GenerationError
from core.runtime import open_local
from tests.model_factory import write_tiny_llama


def test_trained_model_beats_random_weights_on_the_bundled_text(engine: LocalEngine, tmp_path: Path) -> None:
    text = bundled_text()[:900]
    trained = engine.perplexity(text, window=96)
    assert trained.tokens_scored >= 96 and trained.windows >= 2
    with closing(open_local(Path(write_tiny_llama(tmp_path / "t.gguf")), n_ctx=256, n_threads=2)) as e:
        random = e.perplexity(text, window=96)
    assert random.tokens_scored == trained.tokens_scored  # same tokenizer, same windows
    # Random weights over a 49k vocabulary are lost; SmolLM2 guesses plain English well.
    assert 1 < trained.perplexity < 60 < 5000 < random.perplexity
    assert math.isfinite(random.perplexity)


def test_scoring_is_deterministic_and_leaves_generation_untouched(engine: LocalEngine) -> None:
    text = bundled_text()[:250]
    a, b = engine.perplexity(text, window=48), engine.perplexity(text, window=48)
    assert a.perplexity == pytest.approx(b.perplexity, rel=1e-6)
    with pytest.raises(GenerationError, match="too short"):
        engine.perplexity("Hi", window=48)
