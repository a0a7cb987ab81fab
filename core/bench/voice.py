"""`hearth bench voice`: word error rate, and a spoken turn's latency, measured on this machine.

1. Recognition: each request of the voice set, spoken by Piper, transcribed with the short encoder window
   Hearth uses and with Whisper's full 30 s window, interleaved request by request: WER and time of both.
2. Turns: requests spoken through the whole pipeline at a microphone's pace (file source, VAD end of
   utterance, transcript, the assistant on the embedded model, Piper onto a real-time playback sink):
   end of speech -> transcript, -> first tool call, -> first audio; first sentence -> first audio.
Wall times depend on what else the machine runs: the load average is printed with them, and the CPU
seconds a transcription used (all its threads) beside its wall time.
"""

from __future__ import annotations

import os
import queue
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from core.assistant.consent import allow_all
from core.assistant.desktop import RecordingDesktop
from core.assistant.events import AgentEvent
from core.assistant.service import AssistantService
from core.runtime import EngineHost
from core.settings import Settings
from core.store import Store
from core.store import Turn as StoreTurn
from core.voice.answers import speak_assistant_turn
from core.voice.audio import SAMPLE_RATE, read_wav
from core.voice.devices import FileAudio
from core.voice.evaluation import VoiceCase, load_cases, normalize, render_cases, word_error_rate
from core.voice.stt import Transcriber
from core.voice.tts import PiperSynthesizer
from core.voice.worker import VoiceEvent, VoiceWorker

# About three seconds spoken: the length the latency target is set for.
THREE_SECOND_REQUEST = VoiceCase(
    "long", "Remind me to call mom tomorrow at six pm about the birthday party.", ["create_reminder"]
)


@dataclass
class Recognition:
    window: str
    wer: float
    median_ms: float
    median_cpu_s: float
    misheard: list[tuple[str, str]]


@dataclass
class Turn:
    request: str
    transcript: str
    heard_right: bool
    utterance_s: float
    stt_ms: float | None
    tool_ms: float | None
    audio_ms: float | None
    tts_ms: float | None
    tools: list[str]
    spoken: list[str]


@dataclass
class VoiceBench:
    threads: int
    loadavg_start: float
    loadavg_end: float = 0.0
    whisper_load_s: float = 0.0
    piper_load_s: float = 0.0
    three_second_stt_ms: float = 0.0  # direct transcription, short window
    three_second_stt_cpu_s: float = 0.0
    recognition: list[Recognition] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    # The first piece each turn spoke, synthesised again alone: (text, audio s, wall ms, CPU s).
    first_audio: list[tuple[str, float, float, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 1) if present else None


def run_bench(*, turns: int = 6, threads: int = 2, log: Callable[[str], None] = print) -> VoiceBench:
    report = VoiceBench(threads=threads, loadavg_start=os.getloadavg()[0])
    t0 = time.perf_counter()
    piper = PiperSynthesizer(threads=1)
    report.piper_load_s = round(time.perf_counter() - t0, 2)
    whisper = Transcriber(threads=threads)
    report.whisper_load_s = round(whisper.load_s, 2)
    log(f"loaded: Whisper {report.whisper_load_s} s, Piper {report.piper_load_s} s")
    cases = load_cases()
    with tempfile.TemporaryDirectory(prefix="hearth-bench-voice-") as tmp:
        files = render_cases([*cases, THREE_SECOND_REQUEST], piper, Path(tmp) / "spoken")
        _recognition(report, whisper, cases, files, log)
        long_audio = read_wav(files[THREE_SECOND_REQUEST.id])
        whisper.transcribe(long_audio)  # warm
        c0 = time.process_time()
        r = whisper.transcribe(long_audio)
        report.three_second_stt_ms = round(r.stt_ms, 1)
        report.three_second_stt_cpu_s = round(time.process_time() - c0, 2)
        log(
            f"{long_audio.size / SAMPLE_RATE:.2f} s request: {r.stt_ms:.0f} ms, "
            f"{report.three_second_stt_cpu_s} CPU s ({r.text!r})"
        )
        chosen = [
            THREE_SECOND_REQUEST,
            *[c for c in cases if c.tools][: max(0, turns - 2)],
            *[c for c in cases if not c.tools][:1],
        ]
        _turns(report, whisper, piper, chosen[:turns], files, Path(tmp) / "home", threads, log)
        _first_audio(report, piper)
    report.loadavg_end = os.getloadavg()[0]
    return report


def _first_audio(report: VoiceBench, piper: PiperSynthesizer) -> None:
    """What the first audio of each answer cost Piper: wall time beside CPU time (one thread)."""
    for turn in report.turns:
        if not turn.spoken:
            continue
        text = turn.spoken[0]
        t0, c0 = time.perf_counter(), time.process_time()
        clips = list(piper.synthesize(text))
        wall, cpu = (time.perf_counter() - t0) * 1000, time.process_time() - c0
        seconds = sum(c.size for c in clips) / piper.sample_rate
        report.first_audio.append((text, round(seconds, 2), round(wall, 1), round(cpu, 3)))


def _recognition(
    report: VoiceBench,
    whisper: Transcriber,
    cases: list[VoiceCase],
    files: dict[str, Path],
    log: Callable[[str], None],
) -> None:
    audios = {c.id: read_wav(files[c.id]) for c in cases}
    whisper.transcribe(audios[cases[0].id])  # the first run pays for allocation: not counted
    results: dict[str, list[tuple[str, float, float]]] = {"short": [], "full": []}
    for case in cases:
        for window in ("short", "full"):  # interleaved: both see the same machine
            whisper.short_window = window == "short"
            c0 = time.process_time()
            r = whisper.transcribe(audios[case.id])
            results[window].append((r.text, r.stt_ms, time.process_time() - c0))
    whisper.short_window = True
    for window, rows in results.items():
        hyps = [text for text, _ms, _cpu in rows]
        misheard = [
            (c.text, h) for c, h in zip(cases, hyps, strict=True) if normalize(c.text) != normalize(h)
        ]
        rec = Recognition(
            window,
            round(word_error_rate([c.text for c in cases], hyps), 4),
            round(statistics.median(ms for _t, ms, _c in rows), 1),
            round(statistics.median(cpu for _t, _m, cpu in rows), 3),
            misheard,
        )
        report.recognition.append(rec)
        log(f"window {window}: WER {rec.wer:.3f}, median {rec.median_ms:.0f} ms, {rec.median_cpu_s} CPU s")


def _turns(
    report: VoiceBench,
    whisper: Transcriber,
    piper: PiperSynthesizer,
    cases: list[VoiceCase],
    files: dict[str, Path],
    home: Path,
    threads: int,
    log: Callable[[str], None],
) -> None:
    store = Store(home)
    settings = Settings(store.settings)
    settings.set("n_threads", threads)
    host = EngineHost(store.root)
    assistant = AssistantService(store, host, settings, desktop=RecordingDesktop())
    audio = FileAudio()
    events: queue.Queue[VoiceEvent] = queue.Queue()
    worker = VoiceWorker(
        audio, whisper, piper, on_event=lambda e: events.put(e) if e.kind != "level" else None
    )
    try:
        assistant.plan("Set a timer for one minute.")  # loads the model and the embedder: not counted
        conversation = store.conversations.create("bench")
        for case in cases:
            worker.listen()
            audio.file_source.speak(files[case.id])
            event = _next(events, ("transcript", "no_speech", "error"))
            if event.kind != "transcript":
                log(f"  {case.text!r}: {event.text}")
                continue
            user = store.conversations.add_message(conversation.id, "user", event.text)
            answer = store.conversations.add_message(conversation.id, "assistant", "", status="streaming")
            turn = StoreTurn(conversation.id, user, answer)
            reply = worker.reply(turn.answer.id)
            tools: list[str] = []

            def note_tool(e: AgentEvent, tools: list[str] = tools) -> None:
                if e.kind == "step_started":
                    tools.append(e.tool or "")

            speak_assistant_turn(assistant, turn, reply, consent=allow_all, on_event=note_tool)
            reply.finished.wait(120)
            lat = reply.latency
            assert lat is not None
            t = Turn(
                case.text,
                event.text,
                normalize(event.text) == normalize(case.text),
                round(lat.utterance_s, 2),
                lat.stt_ms,
                lat.tool_ms,
                lat.audio_ms,
                lat.tts_ms,
                tools,
                reply.spoken,
            )
            report.turns.append(t)
            log(f"  {case.text!r}: {lat.describe()}; tools {tools or 'none'}")
    finally:
        worker.close()
        audio.recording.close()
        assistant.close()
        host.close()
        store.close()


def _next(events: queue.Queue[VoiceEvent], kinds: tuple[str, ...]) -> VoiceEvent:
    while True:
        event = events.get(timeout=300)
        if event.kind in kinds:
            return event


def format_report(r: VoiceBench) -> str:
    lines = [
        f"voice bench: {r.threads} threads; load average {r.loadavg_start:.1f} at the start, {r.loadavg_end:.1f} at the end",
        f"loading: Whisper base {r.whisper_load_s} s, Piper {r.piper_load_s} s",
        "",
        "recognition of the voice set (Piper's voice, 18 short requests)",
    ]
    for rec in r.recognition:
        lines.append(
            f"  encoder window {rec.window:5}: WER {rec.wer:.3f}, median {rec.median_ms:.0f} ms ({rec.median_cpu_s} CPU s)"
        )
    if len(r.recognition) == 2:
        short, full = r.recognition
        lines.append(f"  short / full window time: {short.median_ms / full.median_ms:.2f}")
        for ref, hyp in short.misheard:
            lines.append(f"    misheard: {ref!r} -> {hyp!r}")
    lines.append(
        f"  a 3-second request alone: {r.three_second_stt_ms:.0f} ms ({r.three_second_stt_cpu_s} CPU s); target <= 1500 ms"
    )
    lines += ["", "spoken turns (real time; the assistant on the embedded model), ms after the end of speech"]
    lines.append(f"  {'request':58} {'utt s':>5} {'text':>6} {'tool':>6} {'audio':>6} {'tts':>5}")
    for t in r.turns:
        lines.append(
            f"  {t.request[:58]:58} {t.utterance_s:5.2f} {_ms(t.stt_ms):>6} {_ms(t.tool_ms):>6} {_ms(t.audio_ms):>6} {_ms(t.tts_ms):>5}"
        )
    lines.append(
        f"  median: transcript {_ms(_median([t.stt_ms for t in r.turns]))}, first tool call "
        f"{_ms(_median([t.tool_ms for t in r.turns]))}, first audio {_ms(_median([t.audio_ms for t in r.turns]))}, "
        f"first sentence -> audio {_ms(_median([t.tts_ms for t in r.turns]))} (target <= 1000)"
    )
    heard = sum(t.heard_right for t in r.turns)
    lines.append(f"  requests heard word for word: {heard}/{len(r.turns)}")
    if r.first_audio:
        lines += ["", "the first piece of each answer, synthesised again alone (Piper, one thread)"]
        for text, seconds, wall, cpu in r.first_audio:
            lines.append(f"  {text[:58]:58} {seconds:4.1f} s of speech: {wall:5.0f} ms ({cpu} CPU s)")
    return "\n".join(lines)


def _ms(v: float | None) -> str:
    return "–" if v is None else f"{v:.0f}"
