"""Voice as a service: the devices from Settings, the models loaded once, the worker, the latency kept.

voice = services.voice                      # VoiceService
voice.status()                              # DeviceStatus: can it listen here, and why not
worker = voice.worker(on_event=post_to_gui) # the long-lived VoiceWorker (one per service)
worker.listen(); reply = worker.reply(answer_id); reply.feed(piece); reply.finish()
voice.transcribe_file(path)                 # Transcript: `hearth listen`
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import replace
from pathlib import Path

from core.errors import VoiceDeviceError
from core.settings import Settings
from core.store import Store
from core.voice.devices import AudioDevices, DeviceStatus, SystemAudio
from core.voice.stt import Transcriber, Transcript
from core.voice.tts import Synthesizer, load_synthesizer
from core.voice.vad import EndpointConfig
from core.voice.worker import EventCallback, Reply, VoiceConfig, VoiceWorker

# Imported only when voice runs; a bundle may leave them out.
_VOICE_MODULES = ("faster_whisper", "ctranslate2", "onnxruntime", "av", "piper")


class VoiceService:
    def __init__(
        self,
        store: Store | None,
        settings: Settings,
        *,
        devices: AudioDevices | None = None,
        transcriber: Transcriber | None = None,
        synthesizer: Synthesizer | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.devices: AudioDevices = devices or SystemAudio(
            settings.get("voice_input_device"), settings.get("voice_output_device")
        )
        self._transcriber = transcriber
        self._synthesizer = synthesizer
        self._worker: VoiceWorker | None = None
        self._lock = threading.Lock()

    def status(self) -> DeviceStatus:
        missing = [m for m in _VOICE_MODULES if importlib.util.find_spec(m) is None]
        if missing:  # a build without the voice packages: say so, as for a missing microphone
            return DeviceStatus(
                False, False, f"Voice is not part of this installation ({', '.join(missing)} missing)."
            )
        return self.devices.status()

    def check(self) -> None:
        """Raise VoiceDeviceError, with the reason, unless a microphone and a speaker can be used."""
        status = self.status()
        if not (status.input_ok and status.output_ok):
            raise VoiceDeviceError(f"Voice cannot run here: {status.reason}")

    def transcriber(self) -> Transcriber:
        """Whisper, loaded once (seconds): on the first call, from any thread."""
        with self._lock:
            if self._transcriber is None:
                self._transcriber = Transcriber(self.settings.get("voice_stt_model") or None)
            return self._transcriber

    def synthesizer(self) -> Synthesizer:
        with self._lock:
            if self._synthesizer is None:
                self._synthesizer = load_synthesizer()
            return self._synthesizer

    def transcribe_file(self, path: Path) -> Transcript:
        return self.transcriber().transcribe_file(path)

    def config(self) -> VoiceConfig:
        endpoint = replace(EndpointConfig(), end_ms=self.settings.get("voice_silence_ms"))
        return VoiceConfig(endpoint=endpoint, barge_in=self.settings.get("voice_barge_in"))

    def worker(self, on_event: EventCallback) -> VoiceWorker:
        """The voice worker, started on first use; its models load in its own threads."""
        with self._lock:
            if self._worker is None:
                self._worker = VoiceWorker(
                    self.devices,
                    self.transcriber,
                    self.synthesizer,
                    on_event=on_event,
                    on_latency=self.record_latency,
                    config=self.config(),
                )
                self._worker.preload()
            return self._worker

    def record_latency(self, reply: Reply) -> None:
        """Keep a spoken turn's latency with the answer it was for."""
        if self.store is None or reply.message_id is None or reply.latency is None:
            return
        self.store.conversations.update_message(reply.message_id, metrics=reply.latency.as_metrics())

    def close(self) -> None:
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.close()
