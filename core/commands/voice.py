"""`hearth voice`: the listen-answer-speak loop on the default microphone and speaker (Ctrl+C ends it)."""

from __future__ import annotations

import argparse
import json
import queue
import sys
from pathlib import Path

from core.assistant.consent import ConsentCallback, TerminalConsent, allow_all, deny_all
from core.services import Services
from core.voice.answers import speak_assistant_turn, speak_chat_turn
from core.voice.audio import write_wav
from core.voice.devices import FileAudio
from core.voice.service import VoiceService
from core.voice.worker import VoiceEvent


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("voice", help="talk to Hearth: listen, answer, speak, until Ctrl+C")
    p.add_argument(
        "--chat", action="store_true", help="answer as the chat does (default: the assistant, with tools)"
    )
    p.add_argument(
        "--yes", "-y", action="store_true", help="allow the assistant's side effects without asking"
    )
    p.add_argument(
        "--input",
        type=Path,
        action="append",
        help="speak these WAV files, one per turn, instead of the microphone",
    )
    p.add_argument("--output", type=Path, help="with --input: write what Hearth said to this WAV file")
    p.add_argument("--json", action="store_true", help="one JSON object per turn on stdout")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    files = FileAudio() if args.input else None
    services = Services.open()
    try:
        if files is not None:
            services.voice = VoiceService(services.store, services.settings, devices=files)
        services.voice.check()  # no microphone or speaker: exit 2 with the reason
        return _loop(args, services, files)
    finally:
        services.close()
        if files is not None:
            files.recording.close()


def _loop(args: argparse.Namespace, services: Services, files: FileAudio | None) -> int:
    events: queue.Queue[VoiceEvent] = queue.Queue()
    worker = services.voice.worker(on_event=lambda e: events.put(e) if e.kind != "level" else None)
    consent: ConsentCallback = allow_all if args.yes else (deny_all if files else TerminalConsent())
    conversation = services.chat.new_conversation("Voice")
    pending = list(args.input or [])
    if files is None:
        print("Listening… (Ctrl+C to stop)", file=sys.stderr)
    while True:
        if files is not None:
            if not pending:
                break
            files.file_source.speak(pending.pop(0))
        worker.listen()
        event = _next(events, ("transcript", "no_speech", "error"))
        if event.kind != "transcript":
            print(f"({event.text})", file=sys.stderr)
            if event.kind == "error":
                return 2
            continue
        if not args.json:
            print(f"you: {event.text}", file=sys.stderr)
        turn = services.chat.begin(conversation.id, event.text)
        reply = worker.reply(turn.answer.id)
        if args.chat:
            message = speak_chat_turn(services.chat, turn, reply)
        else:
            message = speak_assistant_turn(services.assistant, turn, reply, consent=consent)
        reply.finished.wait()
        latency = reply.latency
        if args.json:
            print(
                json.dumps(
                    {
                        "transcript": event.text,
                        "answer": message.content,
                        "spoken": reply.spoken,
                        "latency": latency.as_dict() if latency else None,
                    },
                    ensure_ascii=False,
                ),
                flush=True,
            )
        else:
            print(f"hearth: {' '.join(reply.spoken) or message.content}")
            if latency is not None:
                print(f"  ({latency.describe()})", file=sys.stderr)
    if files is not None and args.output:
        write_wav(args.output, files.recording.heard(), files.recording.sample_rate)
    return 0


def _next(events: queue.Queue[VoiceEvent], kinds: tuple[str, ...]) -> VoiceEvent:
    while True:
        event = events.get()
        if event.kind in kinds:
            return event
