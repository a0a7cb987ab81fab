"""The voice worker: listen, cut the utterance at silence, transcribe, speak the answer, stop when talked over.

A long-lived object with its own threads, started once and driven by calls (listen, toggle, reply) and
by what the microphone hears. It never touches the model that answers: a front end (the app's adapter,
`hearth voice`) takes each transcript, gets the answer as it likes, and feeds it back through a Reply.

Threads, none of which waits on another's work:
    the source's      PortAudio's callback (or a file source's clock): only queues the frames
    hearth-capture    VAD and end-pointing per 32 ms frame, the level meter, barge-in
    hearth-stt        Whisper: partial transcripts while speaking, ahead at a pause, final at the end
    hearth-speaker    Piper, one sentence after another, onto the sink
Events go to `on_event` from those threads; a GUI hands them to its own thread and returns at once.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from core.errors import HearthError
from core.voice.audio import FRAME, SAMPLE_RATE, AudioSource, rms_level
from core.voice.devices import AudioDevices
from core.voice.latency import TurnLatency
from core.voice.speaker import Speaker
from core.voice.stt import Transcriber, Transcript
from core.voice.text import SentenceSplitter
from core.voice.tts import Synthesizer
from core.voice.vad import EndpointConfig, Endpointer, SileroVad

log = logging.getLogger(__name__)

VoiceState = Literal["idle", "listening", "hearing", "transcribing", "answering", "speaking"]
EventKind = Literal[
    "state",  # state: the worker's new state
    "level",  # level: 0..1 loudness of the microphone, about 15 times a second while listening
    "partial",  # text: the words so far, while the user is still speaking
    "transcript",  # text, transcript: what the user said, final
    "no_speech",  # text: why nothing was taken (nobody spoke, nothing recognisable)
    "barge_in",  # the user spoke or pressed the button over the answer: it was silenced
    "spoken",  # text: a sentence whose audio just went to the speaker
    "latency",  # latency: the finished turn's figures
    "error",  # text: a message for the user
]
_LEVEL_EVERY = 2  # frames between level events (64 ms)
_PARTIAL_EVERY_S = 1.0  # new speech between partial transcripts


@dataclass(frozen=True)
class VoiceEvent:
    kind: EventKind
    state: VoiceState | None = None
    text: str = ""
    level: float = 0.0
    transcript: Transcript | None = None
    latency: TurnLatency | None = None
    t: float = field(default_factory=time.perf_counter)


@dataclass(frozen=True)
class VoiceConfig:
    endpoint: EndpointConfig = field(default_factory=EndpointConfig)
    listen_timeout_s: float = 8.0  # listening with nobody speaking ends after this
    barge_in: bool = True  # speech over the answer silences it and is taken as the next request
    partials: bool = True  # transcribe while the user speaks, so the words appear as they are said


EventCallback = Callable[[VoiceEvent], None]


class Reply:
    """One answer being spoken. Feed it the streamed text; each sentence is spoken once complete.

    Made by `VoiceWorker.reply()`; `finish()` when the answer is over. A barge-in cancels it: what is fed
    after that is not spoken.
    """

    def __init__(self, worker: VoiceWorker, latency: TurnLatency | None, message_id: int | None) -> None:
        self._worker = worker
        self.latency = latency
        self.message_id = message_id
        self._splitter = SentenceSplitter()
        self.cancelled = False
        self._closed = False
        self.finished = threading.Event()  # everything it said has been heard (or it was cancelled)
        self.spoken: list[str] = []

    def feed(self, piece: str) -> None:
        for sentence in self._splitter.feed(piece):
            self._say(sentence)

    def say(self, text: str) -> None:
        """A whole text (the assistant's summary): its sentences, after what was fed."""
        for sentence in self._splitter.feed(text + " ") + self._splitter.flush():
            self._say(sentence)

    def mark_tool_call(self) -> None:
        if self.latency is not None and self.latency.first_tool_call is None:
            self.latency.first_tool_call = time.perf_counter()

    @property
    def closed(self) -> bool:
        """Finished or cancelled: nothing more will be spoken."""
        return self._closed or self.cancelled

    def finish(self) -> None:
        """No more text. Safe to call twice."""
        if self._closed:
            return
        for sentence in self._splitter.flush():
            self._say(sentence)
        self._closed = True
        if not self.cancelled:
            self._worker._speaker.end(lambda: self._worker._reply_heard(self))

    def _say(self, sentence: str) -> None:
        if self.closed:
            return
        if self.latency is not None and self.latency.first_sentence is None:
            self.latency.first_sentence = time.perf_counter()
        self._worker._speaker.say(sentence, on_audio=functools.partial(self._on_audio, sentence))

    def _on_audio(self, sentence: str, t: float) -> None:
        if self.cancelled:
            return
        if self.latency is not None and self.latency.first_audio is None:
            self.latency.first_audio = t
        self.spoken.append(sentence)
        self._worker._spoken(self, sentence)


class VoiceWorker:
    def __init__(
        self,
        devices: AudioDevices,
        transcriber: Transcriber | Callable[[], Transcriber],
        synthesizer: Synthesizer | Callable[[], Synthesizer],
        *,
        on_event: EventCallback = lambda e: None,
        on_latency: Callable[[Reply], None] = lambda r: None,
        config: VoiceConfig | None = None,
    ) -> None:
        self.devices = devices
        self.config = config or VoiceConfig()
        self.on_event = on_event
        self._on_latency = on_latency
        self._transcriber_source = transcriber
        self._transcriber: Transcriber | None = transcriber if isinstance(transcriber, Transcriber) else None
        self._speaker = Speaker(synthesizer, devices.sink, on_error=self._error)
        self._lock = threading.RLock()
        self._state: VoiceState = "idle"
        self._source: AudioSource | None = None
        self._frames: queue.SimpleQueue[np.ndarray | None] = queue.SimpleQueue()
        self._capture: threading.Thread | None = None
        self._vad = SileroVad()
        self._endpointer = Endpointer(self.config.endpoint)
        self._utterance = 0  # id of the current utterance: results for older ones are dropped
        self._latency = TurnLatency()
        self._reply: Reply | None = None
        self._listen_started = 0.0
        self._last_voiced = 0.0
        self._last_partial_s = 0.0
        # STT: one job waiting at most (newest wins), the final one never replaced by a partial.
        self._stt_cv = threading.Condition()
        self._stt_job: tuple[str, int, np.ndarray] | None = None
        self._stt_busy = False
        self._candidate: tuple[int, int, Transcript | None] | None = None  # (utterance, samples, result)
        self._awaiting_candidate = False
        self._closed = False
        self._stt_thread = threading.Thread(target=self._stt_loop, name="hearth-stt", daemon=True)
        self._stt_thread.start()

    # ---- what callers do ----

    @property
    def state(self) -> VoiceState:
        return self._state

    def preload(self) -> None:
        """Load Whisper and the voice now, on their threads, so the first request does not wait for them."""
        self._speaker.preload()
        with self._stt_cv:
            if self._stt_job is None:
                self._stt_job = ("load", -1, np.zeros(0, np.float32))
                self._stt_cv.notify()

    def listen(self) -> None:
        """Open the microphone and take the next utterance; over an answer, this is a barge-in."""
        with self._lock:
            if self._state in ("answering", "speaking"):
                self._barge_in()
                return
            if self._state != "idle":
                return
            self._open_source()
            self._begin_listening()

    def toggle(self) -> None:
        """The microphone button: listen; stop listening; end the utterance now; or talk over the answer."""
        with self._lock:
            state = self._state
            if state == "idle":
                self.listen()
            elif state == "listening":
                self._close_source()
                self._set_state("idle")
            elif state == "hearing":
                self._end_utterance(time.perf_counter())
            elif state in ("answering", "speaking"):
                self._barge_in()

    def reply(self, message_id: int | None = None) -> Reply:
        """The answer to the transcript just given, to be fed as it streams."""
        with self._lock:
            reply = Reply(self, self._latency if self._state == "answering" else None, message_id)
            if self._reply is not None and not self._reply.finished.is_set():
                self._cancel_reply()
            self._reply = reply
            if self._state == "idle":
                if self.config.barge_in:
                    self._open_source_for_barge_in()
                self._set_state("answering")
            return reply

    def say(self, text: str) -> Reply:
        """Speak `text` outside a turn (read a message aloud)."""
        reply = self.reply()
        reply.say(text)
        reply.finish()
        return reply

    def stop_speaking(self) -> None:
        with self._lock:
            if self._state in ("answering", "speaking"):
                self._cancel_reply()
                self._close_source()
                self._set_state("idle")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._close_source()
        with self._stt_cv:
            self._stt_cv.notify_all()
        self._speaker.close()
        self._stt_thread.join(timeout=10)

    # ---- states ----

    def _set_state(self, state: VoiceState) -> None:
        if state != self._state:
            self._state = state
            self.on_event(VoiceEvent("state", state=state))

    def _begin_listening(self) -> None:
        self._endpointer.reset()
        self._vad.reset()
        self._utterance += 1
        self._latency = TurnLatency()
        self._candidate = None
        self._awaiting_candidate = False
        self._listen_started = time.perf_counter()
        self._set_state("listening")

    def _barge_in(self) -> None:
        t = self._speaker.stop()
        self._cancel_reply()
        self.on_event(VoiceEvent("barge_in", t=t))
        if self._source is None:
            self._open_source()
        if self._endpointer.in_speech:  # the voice that barged in is the start of the next request
            self._utterance += 1
            self._latency = TurnLatency()
            self._candidate = None
            self._set_state("hearing")
        else:
            self._begin_listening()

    def _cancel_reply(self) -> None:
        if self._reply is not None:
            self._reply.cancelled = True
            self._reply.finished.set()
            self._reply = None
        self._speaker.stop()

    def _spoken(self, reply: Reply, sentence: str) -> None:
        with self._lock:
            if reply is self._reply and self._state == "answering":
                self._set_state("speaking")
        self.on_event(VoiceEvent("spoken", text=sentence))

    def _reply_heard(self, reply: Reply) -> None:
        with self._lock:
            current = reply is self._reply
            if current:
                self._reply = None
                if self._state in ("answering", "speaking"):
                    self._close_source()
                    self._set_state("idle")
        reply.finished.set()
        if current and reply.latency is not None and not reply.cancelled:
            self._on_latency(reply)
            self.on_event(VoiceEvent("latency", latency=reply.latency))

    def _error(self, message: str) -> None:
        self.on_event(VoiceEvent("error", text=message))

    # ---- capture ----

    def _open_source(self) -> None:
        if self._source is not None:
            return
        source = self.devices.source()  # raises VoiceDeviceError, for the caller to show
        frames: queue.SimpleQueue[np.ndarray | None] = queue.SimpleQueue()
        self._frames = frames
        self._capture = threading.Thread(
            target=self._capture_loop, args=(frames,), name="hearth-capture", daemon=True
        )
        self._capture.start()
        try:
            source.start(frames.put)  # the callback only queues: it never waits on the worker
        except HearthError:
            frames.put(None)
            raise
        self._source = source

    def _open_source_for_barge_in(self) -> None:
        """Listen over the answer if there is a microphone; speaking does not need one."""
        try:
            self._open_source()
        except HearthError as e:
            log.info("no barge-in by voice: %s", e)
            return
        self._endpointer.reset()

    def _close_source(self) -> None:
        source, self._source = self._source, None
        if source is not None:
            source.stop()
            self._frames.put(None)

    def _capture_loop(self, frames: queue.SimpleQueue[np.ndarray | None]) -> None:
        pending = np.zeros(0, np.float32)
        count = 0
        while (chunk := frames.get()) is not None:
            pending = np.concatenate([pending, chunk]) if pending.size else chunk
            while pending.size >= FRAME:
                frame, pending = pending[:FRAME], pending[FRAME:]
                count += 1
                try:
                    self._on_frame(frame, count)
                except Exception as e:
                    log.exception("voice capture failed")
                    self._error(f"Listening failed: {e}")

    def _on_frame(self, frame: np.ndarray, count: int) -> None:
        prob = self._vad(frame)
        now = time.perf_counter()
        with self._lock:
            state = self._state
            if state in ("listening", "hearing") and count % _LEVEL_EVERY == 0:
                self.on_event(VoiceEvent("level", level=rms_level(frame)))
            if state in ("answering", "speaking"):
                if self.config.barge_in and self._endpointer.push(frame, prob) == "start":
                    self._barge_in()
                return
            if state not in ("listening", "hearing"):
                return
            event = self._endpointer.push(frame, prob)
            if self._endpointer.in_speech and prob >= self.config.endpoint.threshold:
                self._last_voiced = now
            if event == "start":
                self._last_partial_s = 0.0
                self._set_state("hearing")
            elif state == "listening" and now - self._listen_started > self.config.listen_timeout_s:
                self._close_source()
                self._set_state("idle")
                self.on_event(VoiceEvent("no_speech", text="I didn't hear anything."))
            elif event == "pause":
                audio = self._endpointer.audio()
                self._candidate = (self._utterance, audio.size, None)
                self._submit("candidate", audio)
            elif event == "resume":
                self._candidate = None
            elif event == "end":
                self._end_utterance(self._last_voiced or now)
            elif self._state == "hearing" and self.config.partials:
                speech = self._endpointer.speech_s
                if speech - self._last_partial_s >= _PARTIAL_EVERY_S and self._endpointer.silent_ms == 0:
                    self._last_partial_s = speech
                    self._submit("partial", self._endpointer.audio(), replace_only_partials=True)

    def _end_utterance(self, speech_end: float) -> None:
        audio = self._endpointer.audio()
        self._endpointer.reset()
        self._latency.speech_end = speech_end
        self._latency.utterance_s = audio.size / SAMPLE_RATE
        self._set_state("transcribing")
        if not self.config.barge_in:
            self._close_source()
        c = self._candidate
        if c is not None and c[0] == self._utterance and c[1] == audio.size:
            if c[2] is not None:
                self._finish_transcript(c[2])
            else:
                self._awaiting_candidate = True  # the transcript taken at the pause is this one
            return
        self._submit("final", audio)

    # ---- transcription ----

    def _submit(self, kind: str, audio: np.ndarray, *, replace_only_partials: bool = False) -> None:
        with self._stt_cv:
            if replace_only_partials and (
                self._stt_busy or (self._stt_job and self._stt_job[0] != "partial")
            ):
                return  # never delay a candidate or final transcript for a partial one
            self._stt_job = (kind, self._utterance, audio)
            self._stt_cv.notify()

    def transcriber(self) -> Transcriber:
        if self._transcriber is None:
            source = self._transcriber_source
            assert callable(source)
            self._transcriber = source()
        return self._transcriber

    def _stt_loop(self) -> None:
        while True:
            with self._stt_cv:
                while self._stt_job is None and not self._closed:
                    self._stt_cv.wait()
                if self._closed:
                    return
                job, self._stt_job = self._stt_job, None
                assert job is not None
                kind, utterance, audio = job
                self._stt_busy = True
            try:
                model = self.transcriber()
                result = None if kind == "load" else model.transcribe(audio)
            except Exception as e:
                log.exception("transcription failed")
                self._error(str(e) if isinstance(e, HearthError) else f"Speech recognition failed: {e}")
                with self._lock:
                    if utterance == self._utterance and self._state == "transcribing":
                        self._close_source()
                        self._set_state("idle")
                result = None
            finally:
                with self._stt_cv:
                    self._stt_busy = False
            if result is not None:
                self._on_transcript(kind, utterance, result)

    def _on_transcript(self, kind: str, utterance: int, result: Transcript) -> None:
        with self._lock:
            if utterance != self._utterance:
                return
            if kind == "partial":
                # Still worth showing after the end: the final transcript replaces it when it comes.
                if self._state in ("hearing", "transcribing") and result.text:
                    self.on_event(VoiceEvent("partial", text=result.text))
            elif kind == "candidate":
                c = self._candidate
                if c is not None and c[0] == utterance:
                    self._candidate = (c[0], c[1], result)
                    if self._awaiting_candidate:
                        self._awaiting_candidate = False
                        self._finish_transcript(result)
                    elif self._state == "hearing" and result.text:
                        self.on_event(VoiceEvent("partial", text=result.text))
            elif kind == "final" and self._state == "transcribing":
                self._finish_transcript(result)

    def _finish_transcript(self, result: Transcript) -> None:
        self._latency.transcript = time.perf_counter()
        self._candidate = None
        if not result.text.strip():
            self._close_source()
            self._set_state("idle")
            self.on_event(VoiceEvent("no_speech", text="I couldn't make out any words."))
            return
        self._endpointer.reset()
        self._set_state("answering")
        self.on_event(VoiceEvent("transcript", text=result.text, transcript=result))
