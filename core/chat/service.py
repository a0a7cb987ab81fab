"""Chat: a user message in, a streamed answer out, everything kept in the store as it happens.

A turn has two halves: `begin` records the user's message and an empty answer marked 'streaming' (fast,
any thread); `run` generates into that answer (slow, a worker thread). The partial answer is written to
the store every `persist_interval_s`, so if the app dies mid-answer the text so far survives and the next
start marks it 'incomplete'.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace

from core.answers.compose import answer, calculated
from core.chat.grounding import citations_json, ground
from core.chat.options import answer_options
from core.chat.options import system_prompt as default_system_prompt
from core.documents.service import DocumentsService
from core.engine import (
    EMBEDDED_MODEL_ID,
    ChatMessage,
    GenerationOptions,
    GenerationResult,
    embedded_model_path,
    prompt_budget,
)
from core.errors import EmptyMessageError, HearthError
from core.memory.service import MemoryService, Recalled, memories_json
from core.models import resolve_model
from core.models.profiles import ModelDefaults, defaults_for
from core.runtime import EngineHost, EngineSpec, spec_from_settings
from core.runtime.remotes import is_remote
from core.runtime.routing import REMOTE, Router, doubt_reason, in_doubt, kept_reason, route_policy
from core.settings import Settings
from core.store import Conversation, Message, Store, Turn
from core.telemetry.service import Telemetry

DEFAULT_TITLE = "New chat"
_TITLE_CHARS = 48


class ChatService:
    def __init__(
        self,
        store: Store,
        host: EngineHost,
        settings: Settings,
        *,
        persist_interval_s: float = 0.5,
        telemetry: Telemetry | None = None,
        documents: DocumentsService | None = None,
        memory: MemoryService | None = None,
        router: Router | None = None,
    ) -> None:
        self.store = store
        self.host = host
        # Remote engines (routing) on a host of their own: asking one never retires the local model.
        self.router = router or Router(host, root=store.root)
        self.settings = settings
        self.telemetry = telemetry  # when given, each answer is stored with its energy and memory
        self.documents = documents  # when given, conversations with collections get grounded answers
        self.memory = memory  # when given, answers use what is remembered, and each exchange teaches it
        self._persist_interval_s = persist_interval_s

    # ---- conversations ----

    def new_conversation(self, title: str = DEFAULT_TITLE, system_prompt: str | None = None) -> Conversation:
        """A new conversation; its system prompt is `system_prompt`, else the user's setting, else the
        measured default of the model the settings choose."""
        if system_prompt is None:
            system_prompt = default_system_prompt(self.settings, self.model_defaults())
        return self.store.conversations.create(title=title, system_prompt=system_prompt)

    # ---- settings to engine ----

    def engine_spec(self, model: str | None = None) -> EngineSpec:
        return spec_from_settings(self.settings, model)

    def model_defaults(self, model: str | None = None) -> ModelDefaults:
        """The measured defaults (core.models.profiles) of `model`, or of the model the settings choose."""
        ref = model or self.settings.get("model")
        try:
            path = embedded_model_path() if ref == EMBEDDED_MODEL_ID else resolve_model(ref, self.store.root)
        except HearthError:  # an unknown model fails later, where its error is shown; the generic defaults
            path = None
        return defaults_for(path)

    def generation_options(self, model: str | None = None, **overrides: object) -> GenerationOptions:
        return answer_options(self.settings, self.model_defaults(model), **overrides)

    # ---- a turn ----

    def begin(self, conversation_id: int, text: str) -> Turn:
        text = text.strip()
        if not text:
            raise EmptyMessageError()
        convs = self.store.conversations
        conversation = convs.get(conversation_id)
        user = convs.add_message(conversation_id, "user", text)
        if conversation.title == DEFAULT_TITLE:
            convs.update(conversation_id, title=_title_from(text))
        model = conversation.model or self.settings.get("model")
        answer = convs.add_message(conversation_id, "assistant", "", status="streaming", model=model)
        return Turn(conversation_id, user, answer)

    def run(
        self,
        turn: Turn,
        on_token: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
        options: GenerationOptions | None = None,
        on_restart: Callable[[str], None] | None = None,
    ) -> Message:
        """Generate the answer of `turn`. Returns it as stored: complete, stopped, or (on error) error.

        With local-first routing an answer the local model is unsure of is asked again of the remote
        engine: `on_restart(reason)` is called first, and the text streamed so far is to be replaced.
        """
        convs = self.store.conversations
        conversation = convs.get(turn.conversation_id)
        answer_id = turn.answer.id
        worked_out = self._calculated(turn, on_token)  # a plain sum needs no model, so none is loaded
        if worked_out is not None:
            return worked_out
        pieces: list[str] = []
        last_saved = time.monotonic()

        def on_piece(piece: str) -> None:
            nonlocal last_saved
            pieces.append(piece)
            if on_token is not None:
                on_token(piece)
            now = time.monotonic()
            if now - last_saved >= self._persist_interval_s:
                convs.update_message(answer_id, content="".join(pieces))
                last_saved = now

        try:
            policy = route_policy(self.settings, conversation)
            spec = self.engine_spec(conversation.model or None)
            if is_remote(spec.model):
                engine, route = self.router.engine(spec), "the conversation's model"
            elif policy.mode == REMOTE:
                engine, route = self.router.remote(policy), "remote only"
            else:
                engine, route = self.router.engine(spec), "local only"
            defaults = defaults_for(engine.info.path)
            options = options or answer_options(self.settings, defaults)
            if policy.local_first and engine.capabilities.local:
                options = replace(options, logprobs=True)  # how sure the model is: the fallback's test
            messages = self.history(conversation, before=answer_id)
            grounding = None
            if self.documents is not None:
                budget = prompt_budget(engine.n_ctx, options.max_tokens)
                grounding = ground(self.documents, conversation.id, turn.user.content, engine, budget // 2)
                if grounding is not None:
                    messages = grounding.apply(messages)
            recalled: list[Recalled] = []
            if self.memory is not None and grounding is None:
                recalled = self.memory.recall_for(conversation, turn.user.content)
            used = None
            result: GenerationResult
            meter = self.telemetry.begin_request() if self.telemetry is not None else None
            try:
                if recalled:
                    assert self.memory is not None
                    answered = self.memory.answer_in_chat(
                        engine, messages, recalled, options, on_piece, cancel
                    )
                    result, used = answered.result, answered.used
                else:
                    # The profile's example turns show a small model how to answer (not stored, and not
                    # given to grounded or memory answers, whose prompts have their own instructions).
                    if grounding is None:
                        messages = defaults.with_examples(messages)
                    # A foreground request: memory learning in flight yields to it at its next token.
                    if grounding is None:  # in the shape asked for ("only the number"), core.answers
                        result = answer(engine, messages, options, on_token=on_piece, cancel=cancel)
                    else:  # a grounded answer keeps its sources' markers
                        result = engine.chat(messages, options, on_token=on_piece, cancel=cancel)
                if policy.local_first and engine.capabilities.local and result.finish_reason != "cancelled":
                    if in_doubt(result.mean_logprob, policy):
                        assert result.mean_logprob is not None
                        reason = doubt_reason(result.mean_logprob, policy)
                        try:
                            remote = self.router.remote(policy)
                            if on_restart is not None:
                                on_restart(reason)
                            pieces.clear()
                            result = remote.chat(
                                messages, replace(options, logprobs=False), on_token=on_piece, cancel=cancel
                            )
                            engine, route, used = remote, reason, None
                        except HearthError as e:
                            # The local answer stands; the remote engine's failure is said, not raised.
                            route = f"local first: the remote engine failed ({e}); the local answer is kept"
                            if pieces and "".join(pieces) != result.text:
                                pieces[:] = [result.text]
                    else:
                        route = kept_reason(result.mean_logprob, policy)
            finally:
                energy = meter.finish() if meter is not None else None
        except Exception as e:
            convs.update_message(answer_id, content="".join(pieces), status="error", error=str(e))
            raise
        metrics: dict[str, object] = {
            **result.metrics.as_dict(),
            "engine": engine.info.engine,
            "route": route,
        }
        ran_here = engine.capabilities.local or route.startswith("fallback")  # a fallback ran here first
        if energy is not None and self.telemetry is not None and ran_here:
            metrics.update(energy.as_metrics(result.metrics.completion_tokens))
            metrics["device"] = self.telemetry.device.id
        convs.update_message(
            answer_id,
            content=result.text,
            status="stopped" if result.finish_reason == "cancelled" else "complete",
            finish_reason=result.finish_reason,
            metrics=metrics,
            citations=citations_json(grounding.citations(result.text)) if grounding is not None else None,
            memories=memories_json(used) if used else None,
        )
        if self.memory is not None and result.finish_reason != "cancelled":
            self.memory.after_exchange(conversation.id)
        return convs.get_message(answer_id)

    def _calculated(self, turn: Turn, on_token: Callable[[str], None] | None) -> Message | None:
        """A plain sum ("What is 6 times 7?") answered by working it out, with no model call; None for
        any other request. In the asked shape: "only the number" gets the number alone."""
        t0 = time.perf_counter()
        text = calculated(turn.user.content)
        if text is None:
            return None
        if on_token is not None:
            on_token(text)
        ms = round((time.perf_counter() - t0) * 1000, 2)
        metrics = {"total_ms": ms, "ttft_ms": ms, "completion_tokens": 0, "engine": "calculator"}
        self.store.conversations.update_message(
            turn.answer.id, content=text, status="complete", finish_reason="stop", metrics=metrics
        )
        return self.store.conversations.get_message(turn.answer.id)

    def send(
        self,
        conversation_id: int,
        text: str,
        on_token: Callable[[str], None] | None = None,
        cancel: threading.Event | None = None,
        options: GenerationOptions | None = None,
        on_restart: Callable[[str], None] | None = None,
    ) -> Message:
        """begin + run, for callers that are already off the GUI thread (CLI, tests)."""
        return self.run(self.begin(conversation_id, text), on_token, cancel, options, on_restart)

    def history(self, conversation: Conversation, before: int) -> list[ChatMessage]:
        """What the model sees: the system prompt, then every kept message before the answer being written."""
        out: list[ChatMessage] = []
        if conversation.system_prompt.strip():
            out.append({"role": "system", "content": conversation.system_prompt})
        for m in self.store.conversations.messages(conversation.id):
            if m.id >= before:
                break
            if m.role in ("user", "assistant") and m.content and m.status != "error":
                out.append({"role": m.role, "content": m.content})  # type: ignore[typeddict-item]
        return out


def _title_from(text: str) -> str:
    line = text.strip().splitlines()[0]
    return line if len(line) <= _TITLE_CHARS else line[: _TITLE_CHARS - 1].rstrip() + "…"
