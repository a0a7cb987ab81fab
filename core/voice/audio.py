"""Audio in and out as interfaces: sources deliver frames from their own thread, sinks play clips.

A source calls `on_frames` from its own thread (PortAudio's, or a file source's) with float32 mono samples
at `SAMPLE_RATE`; the callback must only hand the frames on (the voice worker queues them), never block.
A sink takes clips and plays them in the background; `stop()` silences it within one block (barge-in).
Both have a second implementation besides the sound card: a file source that speaks WAV files at the
pace of a microphone, and a recording sink that plays in real time on a clock and keeps what it played.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

SAMPLE_RATE = 16_000  # capture rate: what Whisper and the Silero VAD take
FRAME = 512  # 32 ms at 16 kHz: the Silero VAD's frame
PLAYBACK_BLOCK_S = 0.01  # a sink's block: how long a barge-in can take to reach the speaker

FramesCallback = Callable[[np.ndarray], None]
StartCallback = Callable[[float], None]


class AudioSource(Protocol):
    """Where speech comes from: a microphone, or WAV files spoken at a microphone's pace."""

    name: str

    def start(self, on_frames: FramesCallback) -> None:
        """Start delivering frames (float32, mono, SAMPLE_RATE) to `on_frames`, from the source's thread."""

    def stop(self) -> None:
        """Stop delivering; `start` may be called again later."""


class AudioSink(Protocol):
    """Where speech goes: a speaker, or a recording that plays on a clock."""

    name: str

    def play(self, samples: np.ndarray, sample_rate: int, on_start: StartCallback | None = None) -> None:
        """Queue a clip (float32 mono in [-1, 1]); returns at once.

        `on_start(t)` is called (on the playing thread, t from perf_counter) when its first samples go out,
        never if a stop drops it first: what was queued is not what was heard.
        """

    def stop(self) -> None:
        """Silence now and drop everything queued (barge-in)."""

    @property
    def playing(self) -> bool:
        """Something is queued or sounding."""

    def close(self) -> None:
        """Release the device."""


def to_float32(samples: np.ndarray) -> np.ndarray:
    """Mono float32 in [-1, 1] from int16 or float input of any shape (channels averaged)."""
    a = np.asarray(samples)
    if a.ndim > 1:
        a = a.mean(axis=1)
    if a.dtype == np.int16:
        return (a.astype(np.float32) / 32768.0).astype(np.float32)
    return a.astype(np.float32, copy=False)


class Resampler:
    """Streaming sample-rate conversion, mono float32 (FFmpeg's swresample through PyAV, which Whisper's
    audio decoding already brings): blocks in, blocks out, filter state kept between them."""

    def __init__(self, rate_in: int, rate_out: int) -> None:
        import av

        self.rate_in = rate_in
        self.rate_out = rate_out
        self._av = av
        self._resampler = av.AudioResampler(format="flt", layout="mono", rate=rate_out)

    def __call__(self, samples: np.ndarray, *, last: bool = False) -> np.ndarray:
        frame = self._av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples, np.float32)[None, :], format="flt", layout="mono"
        )
        frame.sample_rate = self.rate_in
        out = list(self._resampler.resample(frame))
        if last:
            out += self._resampler.resample(None)
        if not out:
            return np.zeros(0, np.float32)
        return np.concatenate([f.to_ndarray()[0] for f in out]).astype(np.float32, copy=False)


def resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """One whole clip at another rate (a voice's clip for a sink at another rate)."""
    if rate_in == rate_out or samples.size == 0:
        return samples
    return Resampler(rate_in, rate_out)(samples, last=True)


def rms_level(frame: np.ndarray) -> float:
    """0..1 loudness for a level meter: RMS in dBFS mapped from [-60, 0] dB."""
    rms = float(np.sqrt(np.mean(np.square(frame), dtype=np.float64))) if frame.size else 0.0
    if rms <= 1e-6:
        return 0.0
    return float(min(1.0, max(0.0, (20 * np.log10(rms) + 60) / 60)))


def read_wav(path: Path) -> np.ndarray:
    """Any audio file as float32 mono at SAMPLE_RATE (decoded and resampled by PyAV, as Whisper reads it)."""
    from faster_whisper.audio import decode_audio

    return np.asarray(decode_audio(str(path), sampling_rate=SAMPLE_RATE), dtype=np.float32)


def write_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    """16-bit PCM mono WAV (the standard library's writer: every player reads it)."""
    import wave

    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())


# ---- playback: the queue every sink's driver pulls blocks from ----


class Playback:
    """Clips waiting to be heard, drained one block at a time by a driver (PortAudio's callback, a clock).

    `fill` runs on the audio thread: it holds the lock only to copy samples, so `stop` from any thread
    takes effect at the next block. A clip's start callback runs after the lock is let go.
    """

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self._clips: deque[tuple[np.ndarray, StartCallback | None]] = deque()
        self._offset = 0
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()

    def add(self, samples: np.ndarray, on_start: StartCallback | None = None) -> None:
        if samples.size == 0:
            return
        with self._lock:
            self._clips.append((samples.astype(np.float32, copy=False), on_start))
            self._idle.clear()

    def clear(self) -> None:
        with self._lock:
            self._clips.clear()
            self._offset = 0
            self._idle.set()

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    def wait_idle(self, timeout: float | None = None) -> bool:
        return self._idle.wait(timeout)

    def fill(self, out: np.ndarray) -> int:
        """Write the next len(out) samples into `out` (silence past the end); returns how many were audio."""
        written = 0
        started: list[StartCallback] = []
        t = time.perf_counter()
        with self._lock:
            while written < out.size and self._clips:
                clip, on_start = self._clips[0]
                if self._offset == 0 and on_start is not None:
                    started.append(on_start)
                n = min(out.size - written, clip.size - self._offset)
                out[written : written + n] = clip[self._offset : self._offset + n]
                written += n
                self._offset += n
                if self._offset >= clip.size:
                    self._clips.popleft()
                    self._offset = 0
            if not self._clips:
                self._idle.set()
        out[written:] = 0.0
        for on_start in started:
            on_start(t)
        return written


# ---- the second implementations: files in, recording out ----


class FileSource:
    """Speaks WAV files into the pipeline at a microphone's pace, with silence between them (a quiet room).

    Frames come from the source's own thread every FRAME samples of real time, as PortAudio's do, so
    everything downstream (queue, VAD, end of utterance, barge-in) runs as it does on a microphone.
    `speak()` queues a file or an array to be "said" from the next frame on.
    """

    def __init__(self, clips: list[Path | np.ndarray] | None = None, *, name: str = "WAV files") -> None:
        self.name = name
        self._queue: deque[np.ndarray] = deque()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.started_at: float | None = None  # perf_counter of the first frame of the current run
        self.delivered = 0  # samples delivered in the current run
        self.speech_log: list[tuple[float, int]] = []  # (perf_counter when a clip began, its length)
        for clip in clips or []:
            self.speak(clip)

    def speak(self, clip: Path | np.ndarray) -> None:
        audio = read_wav(clip) if isinstance(clip, Path) else to_float32(clip)
        with self._lock:
            self._queue.append(audio)

    @property
    def pending(self) -> bool:
        with self._lock:
            return bool(self._queue)

    def start(self, on_frames: FramesCallback) -> None:
        self.stop()
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(on_frames,), name="hearth-file-source", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
        self._thread = None

    def _run(self, on_frames: FramesCallback) -> None:
        current = np.zeros(0, np.float32)
        pos = 0
        self.delivered = 0
        t0 = self.started_at = time.perf_counter()
        while not self._stop.is_set():
            frame = np.zeros(FRAME, np.float32)
            filled = 0
            while filled < FRAME:
                if pos >= current.size:
                    with self._lock:
                        nxt = self._queue.popleft() if self._queue else None
                    if nxt is None:
                        break
                    current, pos = nxt, 0
                    self.speech_log.append((t0 + (self.delivered + filled) / SAMPLE_RATE, current.size))
                n = min(FRAME - filled, current.size - pos)
                frame[filled : filled + n] = current[pos : pos + n]
                filled += n
                pos += n
            # A microphone delivers a frame once it has been spoken: wait for the frame's end in real time.
            self.delivered += FRAME
            delay = t0 + self.delivered / SAMPLE_RATE - time.perf_counter()
            if delay > 0 and self._stop.wait(delay):
                break
            on_frames(frame)


@dataclass
class PlayedBlock:
    t: float  # perf_counter when the block went out
    samples: int  # how many of its samples were audio (not silence)


class RecordingSink:
    """Plays in real time on a clock thread, as a sound card would, and keeps what it was given and played.

    The clock drains the same Playback queue a speaker's callback does, one block every PLAYBACK_BLOCK_S, so
    a stop lands at the next block exactly as it would on a device.
    """

    def __init__(self, sample_rate: int = 22_050, *, name: str = "recording") -> None:
        self.sample_rate = sample_rate
        self.name = name
        self.clips: list[np.ndarray] = []  # every clip given, at sample_rate
        self.played: list[PlayedBlock] = []  # every block that held audio
        self.stops: list[float] = []  # perf_counter of each stop()
        self._playback = Playback(sample_rate)
        self._block = int(sample_rate * PLAYBACK_BLOCK_S)
        self._heard: list[np.ndarray] = []
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._clock, name="hearth-recording-sink", daemon=True)
        self._thread.start()

    def play(self, samples: np.ndarray, sample_rate: int, on_start: StartCallback | None = None) -> None:
        clip = resample(to_float32(samples), sample_rate, self.sample_rate)
        self.clips.append(clip)
        self._playback.add(clip, on_start)

    def stop(self) -> None:
        self.stops.append(time.perf_counter())
        self._playback.clear()

    @property
    def playing(self) -> bool:
        return self._playback.busy

    def wait_idle(self, timeout: float | None = None) -> bool:
        return self._playback.wait_idle(timeout)

    def heard(self) -> np.ndarray:
        """Everything that went out as audio, in order (silence between clips left out)."""
        return np.concatenate(self._heard) if self._heard else np.zeros(0, np.float32)

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=2)

    def _clock(self) -> None:
        out = np.zeros(self._block, np.float32)
        t0 = time.perf_counter()
        n = 0
        while not self._closed.is_set():
            # Stamped before the fill: a block filled before a stop never looks as if it came after it.
            t = time.perf_counter()
            written = self._playback.fill(out)
            if written:
                self.played.append(PlayedBlock(t, written))
                self._heard.append(out[:written].copy())
            n += 1
            delay = t0 + n * PLAYBACK_BLOCK_S - time.perf_counter()
            if delay > 0:
                self._closed.wait(delay)
