"""`hearth voice` on WAV files instead of the microphone: listen, answer, speak, and the latency kept."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from core.cli import main
from core.settings import Settings
from core.store import Store
from core.voice.audio import read_wav
from core.voice.evaluation import word_error_rate
from core.voice.text import sentences
from tests.conftest import TEST_THREADS

REQUEST = "What is the capital of France?"

pytestmark = pytest.mark.model  # the embedded model runs in this process


def test_the_voice_loop_answers_a_spoken_request_out_loud(
    spoken, tmp_path: Path, capsys, hearth_home: Path
) -> None:  # type: ignore[no-untyped-def]
    store = Store()
    settings = Settings(store.settings)
    for key, value in (("n_threads", TEST_THREADS), ("temperature", 0.0), ("max_tokens", 40)):
        settings.set(key, value)
    store.close()
    said = tmp_path / "said.wav"
    args = ["voice", "--input", str(spoken(REQUEST)), "--chat", "--json", "--output", str(said)]
    assert main(args) == 0
    turns = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(turns) == 1
    turn = turns[0]
    # Piper samples its voice afresh each session, so Whisper may mishear a word: one in six at most.
    assert word_error_rate([REQUEST], [turn["transcript"]]) <= 0.2, turn["transcript"]
    assert turn["answer"] and " ".join(turn["spoken"]) == " ".join(sentences(turn["answer"]))
    latency = turn["latency"]
    assert 0 < latency["stt_ms"] < latency["audio_ms"] and latency["tts_ms"] > 0
    audio = read_wav(said)
    assert audio.size > 0.5 * 16000 and float(np.abs(audio).max()) > 0.1, "what was said was written out"
    with sqlite3.connect(hearth_home / "hearth.db") as db:
        stt, heard = db.execute(
            "select voice_stt_ms, voice_audio_ms from messages where role = 'assistant'"
        ).fetchone()
    assert (stt, heard) == (latency["stt_ms"], latency["audio_ms"]), "kept with the answer"
