"""The speaker: sentences in, audio out, in order, on its own thread; stopped at once by a barge-in."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.voice.audio import AudioSink, StartCallback
from core.voice.tts import Synthesizer

log = logging.getLogger(__name__)

_POLL_S = 0.01


@dataclass
class _Item:
    generation: int
    text: str | None  # None: the end of a reply
    on_audio: StartCallback | None = None  # called with perf_counter when it begins to sound
    on_done: Callable[[], None] | None = None  # the end was heard


class Speaker:
    """Synthesises each queued sentence and queues its audio on the sink.

    `stop()` drops every queued sentence and silences the sink; a sentence being synthesised when it
    comes is thrown away when done. Synthesis runs ahead of playback, so the sentences follow each other
    without gaps while the answer is still being written.
    """

    def __init__(
        self,
        synthesizer: Synthesizer | Callable[[], Synthesizer],
        sink: AudioSink | Callable[[], AudioSink],
        on_error: Callable[[str], None] = lambda message: None,
    ) -> None:
        self._synth_source = synthesizer
        self._synth: Synthesizer | None = None
        self._sink_source = sink
        self._sink: AudioSink | None = None
        self._on_error = on_error
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._generation = 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="hearth-speaker", daemon=True)
        self._thread.start()

    @property
    def synthesizer(self) -> Synthesizer:
        if self._synth is None:
            s = self._synth_source
            self._synth = s() if callable(s) else s
        return self._synth

    @property
    def sink(self) -> AudioSink:
        if self._sink is None:
            s = self._sink_source
            self._sink = s() if callable(s) else s
        return self._sink

    def preload(self) -> None:
        """Load the voice on the speaker's thread now, not when the first sentence comes."""
        self._queue.put(_Item(-1, ""))

    def say(self, text: str, on_audio: StartCallback | None = None) -> None:
        with self._lock:
            self._queue.put(_Item(self._generation, text, on_audio=on_audio))

    def end(self, on_done: Callable[[], None]) -> None:
        """Call `on_done` (on the speaker's thread) once everything said so far has been heard."""
        with self._lock:
            self._queue.put(_Item(self._generation, None, on_done=on_done))

    def stop(self) -> float:
        """Barge-in: silence now, forget what is queued. Returns when (perf_counter) it was asked."""
        t = time.perf_counter()
        with self._lock:
            self._generation += 1
        if self._sink is not None:
            self._sink.stop()
        return t

    @property
    def speaking(self) -> bool:
        return self._sink is not None and self._sink.playing

    def close(self) -> None:
        self.stop()
        self._queue.put(None)
        self._thread.join(timeout=5)
        if self._sink is not None:
            self._sink.close()

    def _current(self, item: _Item) -> bool:
        with self._lock:
            return item.generation == self._generation

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                if item.generation < 0:
                    _ = self.synthesizer, self.sink
                elif item.text is None:
                    self._drain(item)
                elif self._current(item):
                    self._speak(item)
            except Exception as e:  # a voice that fails must not end the thread: the next sentence may work
                log.exception("speaking failed")
                self._on_error(f"Speaking failed: {e}")
                if item.on_done is not None:
                    item.on_done()

    def _speak(self, item: _Item) -> None:
        assert item.text is not None
        synth = self.synthesizer
        # Synthesis runs ahead of playback: a sentence counts as spoken when its first clip is heard, so one
        # dropped by a barge-in while still queued never does.
        on_start = item.on_audio
        for clip in synth.synthesize(item.text):
            if not self._current(item):
                return  # stopped while synthesising: this sentence is not wanted any more
            self.sink.play(clip, synth.sample_rate, on_start=on_start)
            on_start = None

    def _drain(self, item: _Item) -> None:
        sink = self.sink
        while sink.playing and self._current(item):
            time.sleep(_POLL_S)
        if item.on_done is not None:
            item.on_done()
