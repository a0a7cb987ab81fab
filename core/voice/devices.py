"""Audio devices: the sound card through sounddevice (PortAudio), or WAV files and a recording, one interface.

sounddevice is imported only when devices are asked for, and a missing PortAudio library is a reason
shown to the user, not a crash: Hearth starts on a machine with no sound at all (a server, CI).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from core.errors import VoiceDeviceError
from core.voice.audio import (
    FRAME,
    PLAYBACK_BLOCK_S,
    SAMPLE_RATE,
    AudioSink,
    AudioSource,
    FileSource,
    FramesCallback,
    Playback,
    RecordingSink,
    Resampler,
    StartCallback,
    resample,
    to_float32,
)

log = logging.getLogger(__name__)

OUTPUT_RATE = 22_050  # Piper's medium voices and espeak-ng both speak at 22.05 kHz
NO_PORTAUDIO = (
    "Voice needs the PortAudio library, which is not installed (Debian and Ubuntu: "
    "sudo apt-get install libportaudio2)."
)


@dataclass(frozen=True)
class DeviceStatus:
    """What voice can use here, and why not when it cannot (a sentence for a tooltip or stderr)."""

    input_ok: bool
    output_ok: bool
    reason: str = ""
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


class AudioDevices(Protocol):
    """Opens the audio source and sink voice uses: the sound card, or files in tests and benchmarks."""

    def status(self) -> DeviceStatus: ...

    def source(self) -> AudioSource:
        """The input (raises VoiceDeviceError with the reason when there is none)."""

    def sink(self) -> AudioSink:
        """The output (raises VoiceDeviceError with the reason when there is none)."""


def _sounddevice() -> Any:
    """The sounddevice module, or VoiceDeviceError when PortAudio cannot be loaded."""
    try:
        import sounddevice
    except OSError as e:  # sounddevice raises OSError when libportaudio is missing
        raise VoiceDeviceError(NO_PORTAUDIO) from e
    except ImportError as e:  # a build of Hearth without its voice packages
        raise VoiceDeviceError(f"Voice is not part of this installation ({e.name} is missing).") from e
    return sounddevice


class SystemAudio:
    """The computer's microphone and speaker, by name from Settings ('' for the system's default)."""

    def __init__(self, input_device: str = "", output_device: str = "") -> None:
        self.input_device = input_device
        self.output_device = output_device
        self._sink: SpeakerSink | None = None
        self._lock = threading.Lock()

    def status(self) -> DeviceStatus:
        try:
            sd = _sounddevice()
            devices = list(sd.query_devices())
        except VoiceDeviceError as e:
            return DeviceStatus(False, False, str(e))
        except Exception as e:  # PortAudio could not even list devices
            return DeviceStatus(False, False, f"The sound system cannot be reached: {e}")
        inputs = [d["name"] for d in devices if d["max_input_channels"] > 0]
        outputs = [d["name"] for d in devices if d["max_output_channels"] > 0]
        reasons = []
        if not inputs:
            reasons.append("No microphone was found on this computer.")
        if not outputs:
            reasons.append("No speaker or headphones were found.")
        return DeviceStatus(bool(inputs), bool(outputs), " ".join(reasons), inputs, outputs)

    def source(self) -> AudioSource:
        sd = _sounddevice()
        return MicrophoneSource(sd, _find(sd, self.input_device, "input"))

    def sink(self) -> AudioSink:
        with self._lock:
            if self._sink is None:
                sd = _sounddevice()
                self._sink = SpeakerSink(sd, _find(sd, self.output_device, "output"))
            return self._sink


def _find(sd: Any, wanted: str, kind: str) -> int | None:
    """The device index for a name chosen in Settings; None for the default. Raises if there is none."""
    try:
        devices = list(sd.query_devices())
    except Exception as e:
        raise VoiceDeviceError(f"The sound system cannot be reached: {e}") from e
    channels = "max_input_channels" if kind == "input" else "max_output_channels"
    usable = [(i, d["name"]) for i, d in enumerate(devices) if d[channels] > 0]
    what = "microphone" if kind == "input" else "speaker"
    if not usable:
        raise VoiceDeviceError(f"No {what} was found on this computer.")
    if not wanted:
        return None
    for i, name in usable:
        if name == wanted:
            return i
    for i, name in usable:
        if wanted.lower() in name.lower():
            return i
    raise VoiceDeviceError(
        f"The {what} '{wanted}' chosen in Settings is not connected. Connected: {', '.join(n for _i, n in usable)}."
    )


class MicrophoneSource:
    """A PortAudio input stream at 16 kHz; its callback only copies the frames on."""

    def __init__(self, sd: Any, device: int | None) -> None:
        self._sd = sd
        self._device = device
        self._stream: Any = None
        try:
            info = sd.query_devices(device, "input")
        except Exception as e:  # no default input chosen in the sound settings
            raise VoiceDeviceError(f"No microphone can be used: {e}") from e
        self.name = str(info["name"])
        self._native_rate = int(info["default_samplerate"])

    def start(self, on_frames: FramesCallback) -> None:
        self.stop()
        rate = SAMPLE_RATE
        try:
            self._sd.check_input_settings(
                device=self._device, channels=1, samplerate=SAMPLE_RATE, dtype="float32"
            )
        except Exception:
            rate = self._native_rate  # the device cannot do 16 kHz itself: take its rate and convert

        convert = None if rate == SAMPLE_RATE else Resampler(rate, SAMPLE_RATE)

        def callback(indata: np.ndarray, frames: int, _time: Any, status: Any) -> None:
            samples = indata[:, 0].copy()
            on_frames(samples if convert is None else convert(samples))

        try:
            self._stream = self._sd.InputStream(
                device=self._device,
                channels=1,
                samplerate=rate,
                dtype="float32",
                blocksize=FRAME * rate // SAMPLE_RATE,
                callback=callback,
            )
            self._stream.start()
        except Exception as e:
            self._stream = None
            raise VoiceDeviceError(f"The microphone '{self.name}' cannot be opened: {e}") from e

    def stop(self) -> None:
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            finally:
                self._stream = None


class SpeakerSink:
    """A PortAudio output stream whose callback drains the Playback queue one short block at a time."""

    def __init__(self, sd: Any, device: int | None, sample_rate: int = OUTPUT_RATE) -> None:
        self._sd = sd
        self._device = device
        self.sample_rate = sample_rate
        try:
            self.name = str(sd.query_devices(device, "output")["name"])
        except Exception as e:
            raise VoiceDeviceError(f"No speaker can be used: {e}") from e
        self._playback = Playback(sample_rate)
        self._stream: Any = None
        self._lock = threading.Lock()

    def _ensure_stream(self) -> None:
        with self._lock:
            if self._stream is not None:
                return

            def callback(outdata: np.ndarray, frames: int, _time: Any, status: Any) -> None:
                self._playback.fill(outdata[:, 0])

            try:
                self._stream = self._sd.OutputStream(
                    device=self._device,
                    channels=1,
                    samplerate=self.sample_rate,
                    dtype="float32",
                    blocksize=int(self.sample_rate * PLAYBACK_BLOCK_S),
                    latency="low",
                    callback=callback,
                )
                self._stream.start()
            except Exception as e:
                self._stream = None
                raise VoiceDeviceError(f"The speaker '{self.name}' cannot be opened: {e}") from e

    def play(self, samples: np.ndarray, sample_rate: int, on_start: StartCallback | None = None) -> None:
        self._ensure_stream()
        self._playback.add(resample(to_float32(samples), sample_rate, self.sample_rate), on_start)

    def stop(self) -> None:
        self._playback.clear()

    @property
    def playing(self) -> bool:
        return self._playback.busy

    def close(self) -> None:
        self._playback.clear()
        with self._lock:
            if self._stream is not None:
                try:
                    self._stream.stop()
                    self._stream.close()
                finally:
                    self._stream = None


class FileAudio:
    """WAV files in, a recording out: the same pipeline as the sound card, for tests, benchmarks and the CLI."""

    def __init__(self, source: FileSource | None = None, sink: RecordingSink | None = None) -> None:
        self.file_source = source or FileSource()
        self.recording = sink or RecordingSink()

    def status(self) -> DeviceStatus:
        return DeviceStatus(True, True, "", [self.file_source.name], [self.recording.name])

    def source(self) -> AudioSource:
        return self.file_source

    def sink(self) -> AudioSink:
        return self.recording
