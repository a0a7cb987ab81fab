"""A spoken turn's latency: from the end of the user's speech to the transcript, the first tool call and the
first audio of the answer, and from the answer's first sentence to its first audio."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TurnLatency:
    """perf_counter() instants of one turn; None where the turn had no such moment (no tool was called)."""

    speech_end: float | None = None  # the last voiced frame of the request
    transcript: float | None = None
    first_tool_call: float | None = None
    first_sentence: float | None = None  # the answer's first sentence was complete (written)
    first_audio: float | None = None  # its audio went to the speaker
    utterance_s: float = 0.0  # how long the request was

    @staticmethod
    def _ms(start: float | None, end: float | None) -> float | None:
        return None if start is None or end is None else round((end - start) * 1000, 1)

    @property
    def stt_ms(self) -> float | None:
        return self._ms(self.speech_end, self.transcript)

    @property
    def tool_ms(self) -> float | None:
        return self._ms(self.speech_end, self.first_tool_call)

    @property
    def audio_ms(self) -> float | None:
        return self._ms(self.speech_end, self.first_audio)

    @property
    def tts_ms(self) -> float | None:
        return self._ms(self.first_sentence, self.first_audio)

    def as_metrics(self) -> dict[str, float]:
        """The message columns the figures are stored in (see core/store/migrations.py)."""
        values = {
            "voice_stt_ms": self.stt_ms,
            "voice_tool_ms": self.tool_ms,
            "voice_audio_ms": self.audio_ms,
            "voice_tts_ms": self.tts_ms,
        }
        return {k: v for k, v in values.items() if v is not None}

    def as_dict(self) -> dict[str, float | None]:
        return {
            "utterance_s": round(self.utterance_s, 2),
            "stt_ms": self.stt_ms,
            "tool_ms": self.tool_ms,
            "audio_ms": self.audio_ms,
            "tts_ms": self.tts_ms,
        }

    def describe(self) -> str:
        """One line for a status bar or stderr."""
        parts = [f"transcript {_fmt(self.stt_ms)}"]
        if self.tool_ms is not None:
            parts.append(f"first tool call {_fmt(self.tool_ms)}")
        parts.append(f"first audio {_fmt(self.audio_ms)}")
        if self.tts_ms is not None:
            parts.append(f"(speech {_fmt(self.tts_ms)} after the first sentence)")
        return "after you stopped speaking: " + ", ".join(parts)


def _fmt(ms: float | None) -> str:
    return "–" if ms is None else f"{ms / 1000:.2f} s"
