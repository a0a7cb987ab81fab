"""Audio devices: none here is a reason, not a crash; the playback queue a sink's driver drains."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.cli import main
from core.voice.audio import Playback
from core.voice.devices import SystemAudio


def test_no_sound_device_is_a_reason_for_the_user() -> None:
    status = SystemAudio().status()
    if status.input_ok and status.output_ok:
        pytest.skip("this machine has a microphone and a speaker")
    assert status.reason and ("microphone" in status.reason or "PortAudio" in status.reason)


def test_hearth_voice_without_devices_exits_2_and_says_why(capsys, hearth_home) -> None:  # type: ignore[no-untyped-def]
    status = SystemAudio().status()
    if status.input_ok and status.output_ok:
        pytest.skip("this machine has a microphone and a speaker")
    assert main(["voice"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hearth: Voice cannot run here:") and status.reason in err


def test_playback_is_drained_block_by_block_and_a_stop_empties_it() -> None:
    playback = Playback(16000)
    playback.add(np.ones(250, np.float32))
    playback.add(np.full(100, 0.5, np.float32))
    out = np.empty(200, np.float32)
    assert playback.fill(out) == 200 and playback.busy
    assert playback.fill(out) == 150 and out[49] == 1.0 and out[50] == 0.5 and out[150:].max() == 0.0
    assert not playback.busy
    playback.add(np.ones(1000, np.float32))
    playback.clear()
    assert playback.fill(out) == 0 and out.max() == 0.0 and not playback.busy


def test_a_clip_counts_as_started_when_it_sounds_and_never_if_dropped_first() -> None:
    playback = Playback(16000)
    started: list[str] = []
    playback.add(np.ones(300, np.float32), on_start=lambda t: started.append("first"))
    playback.add(np.ones(300, np.float32), on_start=lambda t: started.append("second"))
    playback.add(np.ones(300, np.float32), on_start=lambda t: started.append("third"))
    out = np.empty(200, np.float32)
    assert started == []  # queued is not heard
    playback.fill(out)
    assert started == ["first"]
    playback.fill(out)  # samples 200..400: the second clip begins
    assert started == ["first", "second"]
    playback.clear()  # a barge-in: the third was queued, never heard
    playback.fill(out)
    assert started == ["first", "second"]


_NULL_ALSA = """pcm.!default { type plug slave.pcm "nullpcm" }
pcm.nullpcm { type null hint { show on description "Null device" } }
"""
_PROBE = """
import time, numpy as np
from core.voice.devices import SystemAudio
audio = SystemAudio()
status = audio.status()
assert status.input_ok and status.output_ok, status
source, frames = audio.source(), []
source.start(lambda f: frames.append(f.size))
time.sleep(0.3)
source.stop()
assert frames and set(frames) == {512}, frames[:5]
sink = audio.sink()
sink.play(np.full(2205, 0.1, np.float32), 22050)
deadline = time.monotonic() + 5
while sink.playing and time.monotonic() < deadline:
    time.sleep(0.01)
assert not sink.playing
sink.close()
print("ok", status.inputs)
"""


def test_the_sound_card_path_runs_on_alsas_null_device(tmp_path: Path) -> None:
    """PortAudio streams opened, fed and drained for real, on a device that is there on every Linux with
    ALSA: the null PCM, made the default in a private ~/.asoundrc (the machine's sound set-up untouched)."""
    try:
        import sounddevice  # noqa: F401
    except OSError:
        pytest.skip("PortAudio is not installed")
    if not sys.platform.startswith("linux"):
        pytest.skip("ALSA's null device is Linux's")
    (tmp_path / ".asoundrc").write_text(_NULL_ALSA)
    env = {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and "ok" in done.stdout, done.stderr[-2000:]
