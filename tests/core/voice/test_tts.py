"""`hearth say`: Piper's voice into a WAV file, not silent, as long as the text asks; espeak-ng as fallback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from core.cli import main
from core.voice.audio import read_wav
from core.voice.tts import EspeakSynthesizer, speak_to_array


def _say(text: str, out: Path, capsys, *extra: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    assert main(["say", text, "--out", str(out), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_hearth_say_writes_speech_whose_length_fits_the_text(tmp_path: Path, capsys, hearth_home) -> None:  # type: ignore[no-untyped-def]
    short, long = tmp_path / "short.wav", tmp_path / "long.wav"
    a = _say("Hello.", short, capsys)
    text = "The kitchen timer is set for ten minutes. I will tell you when it rings."
    b = _say(text, long, capsys)
    assert a["voice"].startswith("Piper") and a["sample_rate"] == 22050
    audio = read_wav(long)
    assert float(np.sqrt(np.mean(audio**2))) > 0.02, "not silent"
    assert abs(audio.size / 16000 - b["duration_s"]) < 0.05
    # Speech runs at 10-20 characters a second.
    assert len(text) / 20 <= b["duration_s"] <= len(text) / 10
    assert b["duration_s"] > 3 * a["duration_s"]


def test_an_empty_text_is_refused(tmp_path: Path, capsys, hearth_home) -> None:  # type: ignore[no-untyped-def]
    assert main(["say", "  ** ", "--out", str(tmp_path / "x.wav")]) == 2
    assert "empty" in capsys.readouterr().err


def test_without_a_speaker_say_exits_2_with_the_reason(capsys, hearth_home) -> None:  # type: ignore[no-untyped-def]
    from core.voice.devices import SystemAudio

    if SystemAudio().status().output_ok:
        pytest.skip("this machine has a speaker")
    assert main(["say", "Hello."]) == 2
    err = capsys.readouterr().err
    assert "speaker" in err or "PortAudio" in err


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_ng_speaks_where_piper_cannot() -> None:
    audio = speak_to_array(EspeakSynthesizer(), "Hello there.")
    assert audio.size > 0.3 * 22050 and float(np.abs(audio).max()) > 0.1
