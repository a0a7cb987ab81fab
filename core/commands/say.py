"""`hearth say "text"`: Hearth's voice, into a WAV file or out of the speaker."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from core.commands.common import load_settings, print_json
from core.errors import EmptyMessageError
from core.voice.audio import write_wav
from core.voice.service import VoiceService
from core.voice.text import sentences
from core.voice.tts import load_synthesizer, speak_to_array


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("say", help="speak a text with Hearth's voice (to a WAV file, or the speaker)")
    p.add_argument("text", help="what to say")
    p.add_argument("--out", "-o", type=Path, help="write a WAV file instead of playing it")
    p.add_argument("--voice", choices=["piper", "espeak"], default="piper", help="espeak: the fallback voice")
    p.add_argument(
        "--json", action="store_true", help='print {"out", "duration_s", "sample_rate", "voice", ...}'
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    text = " ".join(sentences(args.text))
    if not text:
        raise EmptyMessageError()
    service = VoiceService(None, load_settings())
    sink = None if args.out else service.devices.sink()  # no speaker: exit 2 before the voice loads
    synth = load_synthesizer(args.voice)
    t0 = time.perf_counter()
    audio = speak_to_array(synth, text)
    tts_ms = (time.perf_counter() - t0) * 1000
    if args.out:
        write_wav(args.out, audio, synth.sample_rate)
    else:
        assert sink is not None
        sink.play(audio, synth.sample_rate)
        time.sleep(audio.size / synth.sample_rate)
        while sink.playing:
            time.sleep(0.05)
        sink.close()
    if args.json:
        print_json(
            {
                "out": str(args.out) if args.out else None,
                "duration_s": round(audio.size / synth.sample_rate, 3),
                "sample_rate": synth.sample_rate,
                "voice": synth.name,
                "tts_ms": round(tts_ms, 1),
            }
        )
    return 0
