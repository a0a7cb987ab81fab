"""`hearth listen FILE.wav...`: what was said in audio files; with --act, the assistant does it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.commands import agent
from core.commands.common import load_settings, print_json
from core.errors import EmptyMessageError, HearthError
from core.voice.service import VoiceService


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("listen", help="transcribe a spoken request from an audio file (WAV, MP3, ...)")
    p.add_argument(
        "files", type=Path, nargs="+", metavar="FILE", help="the audio file (several: one line each)"
    )
    p.add_argument(
        "--json",
        action="store_true",
        help='print {"transcript", "language", "duration_s", "stt_ms"} per file',
    )
    p.add_argument("--act", action="store_true", help="send the transcript to the assistant, as typed text")
    p.add_argument("--dry-run", action="store_true", help="with --act: only plan, run nothing")
    p.add_argument("--yes", "-y", action="store_true", help="with --act: allow side effects without asking")
    p.add_argument("--no-open", action="store_true", help="with --act: open nothing on the desktop")
    p.add_argument("--model", "-m", help="with --act: catalog id or GGUF path for the assistant")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.act and len(args.files) > 1:
        raise HearthError("--act takes one file: one request.")
    voice = VoiceService(None, load_settings())
    if not args.act:
        for path in args.files:  # Whisper loads once for all of them
            transcript = voice.transcribe_file(path)
            if args.json:
                print_json(transcript.as_dict())
            else:
                print(transcript.text, flush=True)
        return 0
    transcript = voice.transcribe_file(args.files[0])
    if not transcript.text.strip():
        raise EmptyMessageError()
    if not args.json:
        print(f"heard: {transcript.text}", file=sys.stderr)
    agent_args = argparse.Namespace(
        request=transcript.text,
        dry_run=args.dry_run,
        yes=args.yes,
        json=args.json,
        tools=None,
        model=args.model,
        no_toolrag=False,
        no_open=args.no_open,
    )
    return agent.act(agent_args, transcript.text, {"transcript": transcript.as_dict()})
