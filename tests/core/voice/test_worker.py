"""The voice worker on real threads: WAV files spoken at a microphone's pace, Piper into a playback sink
that plays on a clock, barge-in measured on that sink. Nothing here fakes time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from core.voice.devices import FileAudio
from core.voice.evaluation import normalize, word_error_rate
from core.voice.worker import VoiceConfig, VoiceEvent, VoiceWorker

BARGE_IN_LIMIT_S = 0.100
LONG_ANSWER = (
    "Here is a long answer. It goes on for a while, so that there is time to talk over it. "
    "The first part is about the weather, which is mild today. The second part is about the news. "
    "The third part is about nothing at all."
)


class Recorder:
    def __init__(self) -> None:
        self.events: list[VoiceEvent] = []
        self._cv = threading.Condition()

    def __call__(self, e: VoiceEvent) -> None:
        with self._cv:
            self.events.append(e)
            self._cv.notify_all()

    def wait(self, kind: str, timeout: float = 60.0, after: int = 0) -> VoiceEvent:
        def found() -> VoiceEvent | None:
            return next((e for e in self.events[after:] if e.kind == kind), None)

        with self._cv:
            assert self._cv.wait_for(lambda: found() is not None, timeout), (
                f"no {kind!r} event; got {[e.kind for e in self.events if e.kind != 'level']}"
            )
            event = found()
            assert event is not None
            return event

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events if e.kind != "level"]


@pytest.fixture
def voice(whisper, piper) -> Iterator[Callable[..., tuple[VoiceWorker, FileAudio, Recorder]]]:  # type: ignore[no-untyped-def]
    made: list[tuple[VoiceWorker, FileAudio]] = []

    def make(**config: object) -> tuple[VoiceWorker, FileAudio, Recorder]:
        audio, recorder = FileAudio(), Recorder()
        worker = VoiceWorker(audio, whisper, piper, on_event=recorder, config=VoiceConfig(**config))  # type: ignore[arg-type]
        made.append((worker, audio))
        return worker, audio, recorder

    yield make
    for worker, audio in made:
        worker.close()
        audio.recording.close()


def _wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_spoken_request_is_cut_at_silence_and_transcribed(voice, spoken) -> None:  # type: ignore[no-untyped-def]
    worker, audio, events = voice()
    worker.listen()
    assert worker.state == "listening"
    request = "Remind me to call mom tomorrow at six pm about the birthday party."
    audio.file_source.speak(spoken(request))
    transcript = events.wait("transcript")
    assert word_error_rate([request], [transcript.text]) <= 0.25, transcript.text  # Piper's rendering varies
    kinds = events.kinds()
    # The words so far were shown while the request was still being spoken (a second into it).
    assert "partial" in kinds and kinds.index("partial") < kinds.index("transcript")
    assert normalize(events.wait("partial").text).startswith("remind")
    states = [e.state for e in events.events if e.kind == "state"]
    assert states[:4] == ["listening", "hearing", "transcribing", "answering"]
    assert any(e.kind == "level" and e.level > 0.3 for e in events.events), "the meter moved while speaking"
    assert worker.state == "answering"

    reply = worker.reply(None)
    for piece in ["Sure", ", I will remind you", " tomorrow at six.", " Anything", " else?"]:
        reply.feed(piece)
    reply.finish()
    assert reply.finished.wait(60)
    assert reply.spoken == ["Sure, I will remind you tomorrow at six.", "Anything else?"]
    latency = events.wait("latency").latency
    assert latency is not None and latency.stt_ms and latency.audio_ms and latency.tts_ms
    assert 0 < latency.stt_ms < latency.audio_ms
    print(f"latency (real time, on this machine now): {latency.as_dict()}")
    assert len(audio.recording.clips) == 2 and audio.recording.heard().size > 22050
    assert worker.state == "idle"


def test_nobody_speaking_ends_listening(voice) -> None:  # type: ignore[no-untyped-def]
    worker, _audio, events = voice(listen_timeout_s=0.5)
    worker.listen()
    assert "hear" in events.wait("no_speech", timeout=10).text
    assert worker.state == "idle"


def _played_after(audio: FileAudio, t: float) -> float:
    """How long after `t` the sink still sent audio out (0 if it did not)."""
    return max((b.t - t for b in audio.recording.played), default=0.0)


def test_speaking_over_the_answer_silences_it_within_100_ms(voice, spoken) -> None:  # type: ignore[no-untyped-def]
    worker, audio, events = voice(partials=False)
    reply = worker.say(LONG_ANSWER)
    _wait_until(lambda: len(audio.recording.played) > 20)  # 0.2 s of the answer heard
    assert worker.state == "speaking"
    audio.file_source.speak(spoken("What time is it?"))
    spoke_at = time.perf_counter()
    barge = events.wait("barge_in", timeout=10)
    time.sleep(0.3)  # the sink's clock runs on: anything still queued would be played by now
    late = _played_after(audio, barge.t)
    print(
        f"barge-in: speech reached the microphone -> detected {barge.t - spoke_at:.3f} s; detected -> silent {late * 1000:.1f} ms"
    )
    assert late <= BARGE_IN_LIMIT_S
    assert reply.cancelled and reply.finished.is_set()
    # What barged in is the next request: heard to its end and transcribed.
    transcript = events.wait("transcript", timeout=60)
    assert "time" in normalize(transcript.text)
    # A sentence counts as spoken when it is heard: synthesis runs ahead (all of it, on a fast CPU), but
    # what the barge-in dropped from the queue was never said.
    assert len(reply.spoken) < 5, "the rest of the answer was never spoken"
    assert reply.spoken == [e.text for e in events.events if e.kind == "spoken"]


def test_pressing_the_button_over_the_answer_silences_it_within_100_ms(voice) -> None:  # type: ignore[no-untyped-def]
    worker, audio, events = voice()
    worker.say(LONG_ANSWER)
    _wait_until(lambda: len(audio.recording.played) > 20)
    pressed = time.perf_counter()
    worker.toggle()
    time.sleep(0.3)
    late = _played_after(audio, pressed)
    print(f"barge-in by the button: silent {late * 1000:.1f} ms after the press")
    assert late <= BARGE_IN_LIMIT_S
    assert "barge_in" in events.kinds() and worker.state == "listening"
