"""The streaming VAD and the end-pointer, on Piper's voice with real silence around it."""

from __future__ import annotations

import numpy as np

from core.voice.audio import FRAME, SAMPLE_RATE, read_wav
from core.voice.vad import FRAME_MS, EndpointConfig, Endpointer, SileroVad


def _frames(audio: np.ndarray) -> list[np.ndarray]:
    n = audio.size // FRAME * FRAME
    return list(audio[:n].reshape(-1, FRAME))


def _padded(speech: np.ndarray, before_s: float, after_s: float) -> np.ndarray:
    return np.concatenate(
        [
            np.zeros(int(before_s * SAMPLE_RATE), np.float32),
            speech,
            np.zeros(int(after_s * SAMPLE_RATE), np.float32),
        ]
    )


def test_frame_by_frame_gives_the_batch_probabilities(spoken) -> None:  # type: ignore[no-untyped-def]
    from faster_whisper.vad import get_vad_model

    audio = _padded(read_wav(spoken("Hello there. This is a test.")), 0.5, 0.5)
    audio = audio[: audio.size // FRAME * FRAME]
    batch = np.asarray(get_vad_model()(audio)).ravel()
    vad = SileroVad()
    stream = np.array([vad(f) for f in _frames(audio)])
    assert np.allclose(stream, batch, atol=1e-5)
    assert stream[:10].max() < 0.5 < stream.max(), "silence first, then speech"


def test_the_utterance_is_cut_at_the_silence_after_it_with_its_pre_roll(spoken) -> None:  # type: ignore[no-untyped-def]
    speech = read_wav(spoken("Set a timer for ten minutes."))
    audio = _padded(speech, 1.0, 2.0)
    vad, ends = SileroVad(), Endpointer(EndpointConfig(end_ms=640, pause_ms=224, pre_roll_ms=320))
    events: list[tuple[int, str]] = []
    cut = None
    for i, frame in enumerate(_frames(audio)):
        event = ends.push(frame, vad(frame))
        if event:
            events.append((i, event))
        if event == "end":
            cut = ends.audio()
            break
    kinds = [e for _i, e in events]
    assert kinds[0] == "start" and kinds[-1] == "end" and "pause" in kinds
    start_s = events[0][0] * FRAME_MS / 1000
    end_s = events[-1][0] * FRAME_MS / 1000
    assert 0.9 <= start_s <= 1.5, "speech starts about where it was put"
    speech_end_s = 1.0 + speech.size / SAMPLE_RATE
    assert speech_end_s + 0.5 <= end_s <= speech_end_s + 1.0, "ended by 640 ms of silence, not before"
    assert cut is not None
    # The cut holds the speech (and the pre-roll before it), not the 2 s of silence after.
    assert speech.size * 0.8 <= cut.size <= speech.size + int(1.0 * SAMPLE_RATE)


def test_a_short_pause_inside_a_sentence_does_not_end_it(spoken) -> None:  # type: ignore[no-untyped-def]
    one, two = read_wav(spoken("Remind me to call mom.")), read_wav(spoken("Tomorrow at six."))
    gap = np.zeros(int(0.4 * SAMPLE_RATE), np.float32)
    audio = _padded(np.concatenate([one, gap, two]), 0.5, 1.5)
    vad, ends = SileroVad(), Endpointer(EndpointConfig(end_ms=640))
    kinds = [e for f in _frames(audio) if (e := ends.push(f, vad(f)))]
    assert kinds.count("start") == 1 and kinds.count("end") == 1
    assert kinds.index("end") == len(kinds) - 1
