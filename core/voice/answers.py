"""Answers to spoken requests, spoken: an assistant run or a chat answer fed into a Reply as it streams."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from core.assistant.consent import ConsentCallback, deny_all
from core.assistant.events import AgentEvent
from core.assistant.service import AssistantService
from core.store import Message, Turn
from core.voice.text import spoken_summary
from core.voice.worker import Reply


class AgentSpeech:
    """Speaks an assistant run as its events come: a plain answer as it streams; after tool calls, the
    one-sentence summary of what was done (the tools' own sentences), not the whole listing."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.steps: list[AgentEvent] = []

    def on_event(self, e: AgentEvent) -> None:
        if e.kind in ("consent_needed", "step_started"):
            self.reply.mark_tool_call()
        elif e.kind == "step_finished":
            self.steps.append(e)
        elif e.kind == "answer_token" and e.data.get("plain"):
            self.reply.feed(e.text)
        elif e.kind == "done":
            self.end()

    def end(self) -> None:
        """The run is over (also after a failure, which sends no 'done')."""
        if self.steps and not self.reply.closed:
            self.reply.say(spoken_summary(self.steps))
        self.reply.finish()


class ChatRunner(Protocol):
    def run(
        self, turn: Turn, on_token: Callable[[str], None] | None = None, cancel: threading.Event | None = None
    ) -> Message: ...


def speak_assistant_turn(
    assistant: AssistantService,
    turn: Turn,
    reply: Reply,
    *,
    consent: ConsentCallback = deny_all,
    cancel: threading.Event | None = None,
    on_event: Callable[[AgentEvent], None] = lambda e: None,
) -> Message:
    """Run the assistant on the turn's request, speaking as it goes; the answer is stored as typed ones are."""
    speech = AgentSpeech(reply)

    def events(e: AgentEvent) -> None:
        speech.on_event(e)
        on_event(e)

    try:
        return assistant.run_turn(turn, consent=consent, on_event=events, cancel=cancel)
    finally:
        speech.end()


def speak_chat_turn(
    chat: ChatRunner, turn: Turn, reply: Reply, *, cancel: threading.Event | None = None
) -> Message:
    """A chat answer, each sentence spoken as soon as it is written."""
    try:
        return chat.run(turn, on_token=reply.feed, cancel=cancel)
    finally:
        reply.finish()
