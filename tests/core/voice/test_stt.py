"""Whisper from the two PyPI wheels, and `hearth listen` on Piper's voice: the word error rate."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from core.cli import main
from core.voice import stt
from core.voice.evaluation import load_cases, normalize, word_error_rate

WER_TARGET = 0.1


def test_the_model_is_joined_from_its_two_wheels_once(tmp_path: Path) -> None:
    parts = [stt._package_data(pkg) / name for pkg, name in stt._PARTS]
    folder = stt.embedded_model_dir(tmp_path)
    model = folder / "model.bin"
    assert model.stat().st_size == sum(p.stat().st_size for p in parts)
    with model.open("rb") as f, parts[1].open("rb") as second:
        f.seek(parts[0].stat().st_size)
        assert f.read(4096) == second.read(4096), "part 2 follows part 1"
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        assert (folder / name).is_file()
    stamp = model.stat().st_mtime_ns
    assert stt.embedded_model_dir(tmp_path) == folder and model.stat().st_mtime_ns == stamp, (
        "not joined again"
    )
    os.truncate(model, 1000)  # damaged (a full disk, a killed copy): joined again
    stt.embedded_model_dir(tmp_path)
    assert model.stat().st_size == sum(p.stat().st_size for p in parts)


def test_hearth_listen_hears_pipers_short_requests(spoken, capsys, hearth_home) -> None:  # type: ignore[no-untyped-def]
    cases = load_cases()
    assert 10 <= len(cases) <= 20
    files = [spoken(c.text) for c in cases]
    assert main(["listen", *map(str, files), "--json"]) == 0
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [set(r) for r in results] == [{"transcript", "language", "duration_s", "stt_ms"}] * len(cases)
    assert all(r["language"] == "en" and r["duration_s"] > 0.5 and r["stt_ms"] > 0 for r in results)
    wer = word_error_rate([c.text for c in cases], [r["transcript"] for r in results])
    wrong = [
        (c.text, r["transcript"])
        for c, r in zip(cases, results, strict=True)
        if normalize(c.text) != normalize(r["transcript"])
    ]
    print(f"WER {wer:.3f} over {len(cases)} requests; misheard: {wrong}")
    assert wer <= WER_TARGET, wrong


def test_listening_to_a_missing_or_broken_file_says_so(tmp_path: Path, capsys, hearth_home) -> None:  # type: ignore[no-untyped-def]
    assert main(["listen", str(tmp_path / "nothing.wav")]) == 2
    assert "No audio file" in capsys.readouterr().err
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not really a wav")
    assert main(["listen", str(broken)]) == 2
    assert "cannot be read as audio" in capsys.readouterr().err


def test_normalising_numbers_and_times_before_scoring() -> None:
    assert normalize("Remind me at six pm, twenty-five minutes!") == normalize(
        "Remind me at 6 p.m., 25 minutes."
    )
    assert normalize("6pm") == "6 pm"
    assert word_error_rate(["set a timer"], ["set the timer"]) == pytest.approx(1 / 3)
