"""Voice activity: the Silero VAD run frame by frame, and the end-pointer that cuts utterances at silence.

The model is the Silero VAD that faster-whisper ships (ONNX, ~2 MB). faster-whisper runs it over a whole
file; here it runs as a stream, one 32 ms frame at a time, carrying the LSTM state and the 64-sample
context between calls, which gives exactly the probabilities of the batch run.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

import numpy as np

from core.voice.audio import FRAME, SAMPLE_RATE

FRAME_MS = FRAME * 1000 // SAMPLE_RATE  # 32
_CONTEXT = 64  # samples of the previous frame the model sees before each frame


class SileroVad:
    """Speech probability (0..1) of each FRAME-sample frame, in order."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session  # one shared ONNX session: state is passed in and out
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self._context = np.zeros(_CONTEXT, np.float32)

    def __call__(self, frame: np.ndarray) -> float:
        x = np.concatenate([self._context, frame])[None, :]
        out, self._h, self._c = self._session.run(None, {"input": x, "h": self._h, "c": self._c})
        self._context = frame[-_CONTEXT:]
        return float(np.asarray(out).ravel()[0])


@dataclass(frozen=True)
class EndpointConfig:
    threshold: float = 0.5  # a frame at or above this is speech
    neg_threshold: float = 0.35  # below this it is silence; in between, whatever it was before
    start_ms: int = 96  # this much speech starts an utterance (a click or a cough does not)
    pause_ms: int = 224  # this much silence is a pause: worth transcribing ahead, in case it is the end
    end_ms: int = 640  # this much silence ends the utterance
    pre_roll_ms: int = 320  # audio kept from before the start, so the first syllable is not cut
    max_utterance_s: float = 30.0  # Whisper's window: a longer monologue is cut here


EndpointEvent = Literal["start", "pause", "resume", "end"]


class Endpointer:
    """Frames and their speech probability in; utterance start, pause, resume and end out.

    The utterance audio is the pre-roll, the speech and `pause_ms` of what followed it: the audio a
    transcript taken at a pause sees is the audio the end hands on, so that transcript can be used.
    """

    def __init__(self, config: EndpointConfig | None = None) -> None:
        self.config = c = config or EndpointConfig()
        self._start_frames = max(1, c.start_ms // FRAME_MS)
        self._pause_frames = max(1, c.pause_ms // FRAME_MS)
        self._end_frames = max(self._pause_frames + 1, c.end_ms // FRAME_MS)
        self._max_frames = int(c.max_utterance_s * 1000 / FRAME_MS)
        self._ring: deque[np.ndarray] = deque(maxlen=max(self._start_frames, c.pre_roll_ms // FRAME_MS))
        self.reset()

    def reset(self) -> None:
        self._ring.clear()
        self.in_speech = False
        self._voiced = 0
        self._silent = 0
        self._speaking = False  # within an utterance: the last decided frame was speech
        self._frames: list[np.ndarray] = []
        self._speech_end = 0  # frames of the utterance up to the end of its last speech

    def push(self, frame: np.ndarray, prob: float) -> EndpointEvent | None:
        c = self.config
        if not self.in_speech:
            self._ring.append(frame)
            self._voiced = self._voiced + 1 if prob >= c.threshold else 0
            if self._voiced >= self._start_frames:
                self.in_speech = self._speaking = True
                self._frames = list(self._ring)
                self._speech_end = len(self._frames)
                self._silent = 0
                return "start"
            return None
        self._frames.append(frame)
        if prob >= c.threshold or (self._speaking and prob >= c.neg_threshold):
            was_paused = self._silent >= self._pause_frames
            self._speaking = True
            self._silent = 0
            self._speech_end = len(self._frames)
            if len(self._frames) >= self._max_frames:
                return self._end()
            return "resume" if was_paused else None
        self._speaking = False
        self._silent += 1
        if self._silent == self._pause_frames:
            return "pause"
        if self._silent >= self._end_frames or len(self._frames) >= self._max_frames:
            return self._end()
        return None

    def _end(self) -> EndpointEvent:
        self.in_speech = False
        self._voiced = 0
        self._ring.clear()
        return "end"

    def audio(self) -> np.ndarray:
        """The utterance: pre-roll, speech, and up to `pause_ms` after its last speech."""
        keep = min(len(self._frames), self._speech_end + self._pause_frames)
        return np.concatenate(self._frames[:keep]) if keep else np.zeros(0, np.float32)

    @property
    def speech_s(self) -> float:
        """Seconds of the utterance up to the end of its last speech."""
        return self._speech_end * FRAME / SAMPLE_RATE

    @property
    def silent_ms(self) -> int:
        """How long the current silence inside the utterance has lasted."""
        return self._silent * FRAME_MS
