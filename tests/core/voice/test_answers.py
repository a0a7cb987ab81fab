"""An assistant run spoken: after tool calls, its one-sentence summary; a plain answer as it streams."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.assistant.consent import allow_all
from core.services import Services
from core.voice.answers import speak_assistant_turn
from core.voice.devices import FileAudio
from core.voice.text import sentences, spoken_summary
from core.voice.worker import VoiceConfig, VoiceWorker
from tests.conftest import TEST_THREADS

pytestmark = pytest.mark.model  # the embedded model runs in this process


def test_the_assistant_speaks_what_it_did_in_one_sentence(hearth_home: Path, whisper, piper) -> None:  # type: ignore[no-untyped-def]
    services = Services.open(hearth_home)
    services.settings.set("n_threads", TEST_THREADS)
    audio = FileAudio()
    worker = VoiceWorker(audio, whisper, piper, config=VoiceConfig(barge_in=False))
    try:
        conversation = services.chat.new_conversation()
        turn = services.chat.begin(conversation.id, "Set a timer for ten minutes.")
        reply = worker.reply(turn.answer.id)
        steps = []
        message = speak_assistant_turn(
            services.assistant,
            turn,
            reply,
            consent=allow_all,
            on_event=lambda e: steps.append(e) if e.kind == "step_finished" else None,
        )
        assert reply.finished.wait(60)
        assert message.status == "complete"
        if steps:  # it called tools: one sentence about them, not the Markdown listing stored
            summary = spoken_summary(steps)
            assert len(sentences(summary)) == 1
            assert " ".join(reply.spoken) == " ".join(sentences(summary))
            assert "**" not in " ".join(reply.spoken)
        else:  # no tool fitted: the plain answer, spoken as it streamed
            assert " ".join(reply.spoken) == " ".join(sentences(message.content))
        assert audio.recording.heard().size > 0.3 * audio.recording.sample_rate
    finally:
        worker.close()
        audio.recording.close()
        services.close()
