"""The assistant as a service: builds the registry, context and Assistant from the app's settings.

The GUI uses it like this, off the GUI thread through app/jobs.py; the CLI the same way:

    svc = services.assistant                             # AssistantService
    turn = services.chat.begin(conversation_id, text)    # the request and an empty answer, stored
    message = svc.run_turn(turn, consent=ask_card, on_event=post_to_gui, cancel=flag)  # stored, as it ended
    svc.action_log.list(); svc.action_log.undo(action_id)
    fired = svc.fire_due_reminders()                     # on a timer: due reminders and timers
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path

from core.assistant.action_log import ActionLog
from core.assistant.agent import AgentRun, Assistant, PlanReport
from core.assistant.consent import ConsentCallback, deny_all
from core.assistant.custom_tools import ToolFile, load_tool_file
from core.assistant.desktop import Desktop, SystemDesktop
from core.assistant.events import EventCallback, ignore
from core.assistant.examples import ExampleBank
from core.assistant.registry import ToolRegistry
from core.assistant.router import Route
from core.assistant.router import Router as RequestRouter
from core.assistant.summary import assistant_summary
from core.assistant.toolrag import ToolExemplars, ToolRAG
from core.assistant.tools import ToolContext, builtin_tools
from core.assistant.tools.reminders import fire_due
from core.embeddings import SharedEmbedder, TextEncoder
from core.engine import ChatEngine
from core.errors import HearthError
from core.runtime import EngineHost, EngineSpec, spec_from_settings
from core.runtime.routing import REMOTE, Router, route_policy
from core.settings import Settings
from core.store import Message, Reminder, Store, Turn


class AssistantService:
    def __init__(
        self,
        store: Store,
        host: EngineHost,
        settings: Settings,
        *,
        desktop: Desktop | None = None,
        embedder: TextEncoder | None = None,
        router: Router | None = None,
    ) -> None:
        self.store = store
        self.host = host
        self.router = router or Router(host, root=store.root)
        self.settings = settings
        self.desktop = desktop or SystemDesktop()
        self.embedder = embedder or SharedEmbedder()
        self.action_log = ActionLog(store)
        self._lock = threading.Lock()
        self._assistant: Assistant | None = None
        self._key: tuple[object, ...] | None = None
        self._tool_files: list[ToolFile] = []
        self._route: RequestRouter | None = None
        self._routing: tuple[tuple[str, ...], ToolRegistry] | None = None

    def engine_spec(self, model: str | None = None) -> EngineSpec:
        return spec_from_settings(self.settings, model)

    def context(self) -> ToolContext:
        files_dir = self.settings.get("assistant_files_dir") or str(self.store.root)
        return ToolContext(
            files_dir=Path(files_dir).expanduser(),
            store=self.store,
            desktop=self.desktop,
            engine=lambda: self.host.get(self.engine_spec()),
        )

    def assistant(self, model: str | None = None, *, extra_tool_files: list[Path] | None = None) -> Assistant:
        """The Assistant for the current settings, rebuilt only when the model or the tool files change."""
        files = [Path(p) for p in self.settings.get("assistant_tool_files").split(os.pathsep) if p.strip()]
        files += extra_tool_files or []
        spec = self.engine_spec(model)
        key = (
            spec,
            route_policy(self.settings, assistant=True),
            tuple(files),
            self.settings.get("assistant_files_dir"),
        )
        with self._lock:
            if self._assistant is None or key != self._key or self._assistant.engine.closed:
                self._close_tool_files()
                registry = ToolRegistry(builtin_tools(self.context()))
                for f in files:
                    tool_file = load_tool_file(f)
                    self._tool_files.append(tool_file)
                    for tool in tool_file.tools:
                        registry.add(tool)
                self._assistant = self.build(registry, model)
                self._key = key
            return self._assistant

    def build(
        self, registry: ToolRegistry, model: str | None = None, *, use_toolrag: bool = True
    ) -> Assistant:
        """An Assistant over `registry` (e.g. one tools file's functions only) with the user's settings,
        planning where the assistant's routing says (local only unless the user chose otherwise)."""
        policy = route_policy(self.settings, assistant=True)
        fallback = None
        engine: ChatEngine
        if policy.mode == REMOTE:
            engine, route = self.router.remote(policy), "remote only"
        else:
            engine = self.router.engine(self.engine_spec(model))
            route = "local first" if policy.local_first else "local only"
            if policy.local_first:
                fallback = lambda: self.router.remote(policy)  # noqa: E731 - asked for only when needed
        return Assistant(
            engine=engine,
            registry=registry,
            store=self.store,
            embedder=self.embedder,
            use_toolrag=use_toolrag,
            top_k=self.settings.get("assistant_toolrag_top_k"),
            threshold=self.settings.get("assistant_toolrag_threshold"),
            use_adapter=self.settings.get("assistant_adapter"),
            adapter_root=self.store.root,
            fallback=fallback,
            route=route,
        )

    def route(
        self, message: str, mode: str = "auto", model: str | None = None, *, grounded: bool = False
    ) -> Route:
        """Where a message from the one composer goes: "auto" lets the router decide (a tool request to
        the assistant, a plain question to chat); "assistant" and "chat" force either. `grounded`: the
        conversation has documents attached, so a question goes to chat, which answers from them."""
        if mode == "assistant":
            return Route("assistant", 1.0, 0.0, "", 0.0)
        if mode == "chat":
            return Route("chat", 0.0, 1.0, "", 0.0)
        return self._request_router().route(message, self._routing_registry(), grounded=grounded)

    def _request_router(self) -> RequestRouter:
        # The router needs only the embedder and the tools' descriptions: routing never loads the model.
        with self._lock:
            if self._route is None:
                examples = ExampleBank(self.embedder)
                rag = ToolRAG(self.embedder, examples, bank=ToolExemplars(self.embedder))
                self._route = RequestRouter(rag)
            return self._route

    def _routing_registry(self) -> ToolRegistry:
        files = tuple(p for p in self.settings.get("assistant_tool_files").split(os.pathsep) if p.strip())
        with self._lock:
            if self._routing is None or self._routing[0] != files:
                registry = ToolRegistry(builtin_tools(self.context()))
                for f in files:
                    try:
                        for tool in load_tool_file(Path(f), bind=False).tools:
                            if tool.name not in registry:
                                registry.add(tool)
                    except HearthError:
                        continue  # a broken tools file is reported when the assistant loads it
                self._routing = (files, registry)
            return self._routing[1]

    def plan(self, request: str, *, on_event: EventCallback = ignore, model: str | None = None) -> PlanReport:
        return self.assistant(model).plan(request, on_event=on_event)

    def run(
        self,
        request: str,
        *,
        consent: ConsentCallback = deny_all,
        on_event: EventCallback = ignore,
        cancel: threading.Event | None = None,
        model: str | None = None,
    ) -> AgentRun:
        return self.assistant(model).run(request, consent=consent, on_event=on_event, cancel=cancel)

    def run_turn(
        self,
        turn: Turn,
        *,
        consent: ConsentCallback = deny_all,
        on_event: EventCallback = ignore,
        cancel: threading.Event | None = None,
        model: str | None = None,
    ) -> Message:
        """Run the request of `turn` and store the answer as the run ended: complete (what was done, and
        what failed), stopped when cancelled, error when the run itself failed. Returns the stored answer."""
        convs = self.store.conversations
        try:
            run = self.run(turn.user.content, consent=consent, on_event=on_event, cancel=cancel, model=model)
        except Exception as e:
            convs.update_message(turn.answer.id, status="error", error=str(e), finish_reason="error")
            raise
        cancelled = cancel is not None and cancel.is_set()
        convs.update_message(
            turn.answer.id,
            content=assistant_summary(run),
            status="stopped" if cancelled else "complete",
            finish_reason="cancelled" if cancelled else ("failed" if run.all_failed else "stop"),
            metrics=run.metrics(),
        )
        return convs.get_message(turn.answer.id)

    def fire_due_reminders(self, now: datetime | None = None) -> list[Reminder]:
        return fire_due(self.store, self.desktop, now)

    def _close_tool_files(self) -> None:
        for f in self._tool_files:
            f.close()
        self._tool_files = []

    def close(self) -> None:
        with self._lock:
            self._close_tool_files()
