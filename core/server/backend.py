"""What the server serves: the models of the engine host (through its one scheduler), embeddings, and each
request's measured energy. The app's server switch hands it the app's own host, so the server's requests
queue with the chat's."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np

from core.embeddings import DEFAULT_EMBED_MODEL, EmbedderHost
from core.engine import ChatEngine, ChatMessage, GenerationOptions, GenerationResult, ScheduledEngine
from core.models import list_models
from core.runtime import EngineHost, EngineSpec, HostState, spec_from_settings
from core.server.errors import APIError, loading
from core.settings import Settings
from core.telemetry.sampler import RequestEnergy
from core.telemetry.service import Telemetry

log = logging.getLogger(__name__)

ALIAS = "hearth"  # always served: the model the settings choose
EMBEDDING_MODELS = (DEFAULT_EMBED_MODEL, "text-embedding-3-small")  # the second: clients that hard-code it


@dataclass
class Outcome:
    result: GenerationResult
    energy: RequestEnergy | None
    engine: str


class Backend:
    """Args:
    host: the engine host (its scheduler orders every request to the loaded model).
    settings: the user's settings (model, context, threads).
    telemetry: measures each request's energy, when given.
    embedders: the embedding models (loaded on first use).
    model: the model served by default (default: the model setting).
    """

    def __init__(
        self,
        host: EngineHost,
        settings: Settings,
        *,
        telemetry: Telemetry | None = None,
        embedders: EmbedderHost | None = None,
        root: Path | None = None,
        model: str | None = None,
        spec: EngineSpec | None = None,
    ) -> None:
        self.host = host
        self.settings = settings
        self.telemetry = telemetry
        self.embedders = embedders or EmbedderHost()
        self.root = root
        self._spec = spec
        self._model = model
        self.created = int(time.time())
        self._stats_lock = threading.Lock()
        self.finished: Counter[str] = Counter()  # answers by finish reason ("cancelled": the client left)

    # ---- models ----

    @property
    def default_spec(self) -> EngineSpec:
        """What "hearth" means now: the given spec, else the settings' (the app's model picker may change it)."""
        return self._spec or spec_from_settings(self.settings, self._model)

    def model_ids(self) -> list[str]:
        ids = [ALIAS]
        for entry in list_models(self.root):
            if entry.id not in ids:
                ids.append(entry.id)
        if self.default_spec.model not in ids:
            ids.append(self.default_spec.model)
        return ids

    def spec_for(self, model: str, known: list[str] | None = None) -> EngineSpec:
        default = self.default_spec
        if model in (ALIAS, default.model):
            return default
        if model in (known if known is not None else self.model_ids()):
            return replace(default, model=model)
        raise APIError(
            404,
            f"The model '{model}' does not exist here; GET /v1/models lists those served.",
            param="model",
            code="model_not_found",
        )

    def engine(self, spec: EngineSpec) -> ChatEngine:
        """The engine for `spec` (loading it if it is not the loaded one); 503 while another request loads
        a model, rather than a wait nobody asked for."""
        if self.host.state == HostState.LOADING:
            raise loading()
        return self.host.get(spec)

    def loaded_context(self, spec: EngineSpec) -> int | None:
        current = self.host.current
        return current.n_ctx if current is not None and self.host.loaded == spec else None

    def preload(self) -> threading.Thread:
        """Load the default model in the background: requests meanwhile get 503 with Retry-After."""

        def load() -> None:
            try:
                self.host.get(self.default_spec)
            except Exception:
                log.exception("The served model could not be loaded")

        thread = threading.Thread(target=load, name="hearth-server-load", daemon=True)
        thread.start()
        return thread

    # ---- generation ----

    def generate(
        self,
        engine: ChatEngine,
        kind: Literal["chat", "complete"],
        payload: Sequence[ChatMessage] | str,
        options: GenerationOptions,
        *,
        on_start: Callable[[], None],
        on_token: Callable[[str], None] | None,
        cancel: threading.Event,
    ) -> Outcome:
        """Run one request through the engine's scheduler; its energy is measured while it holds the model
        (not while it queues behind others)."""
        energy: RequestEnergy | None = None
        measure = self.telemetry is not None and engine.capabilities.local

        def call(inner: ChatEngine, flag: object, sink: Callable[[str], None] | None) -> GenerationResult:
            nonlocal energy
            on_start()
            meter = self.telemetry.begin_request() if measure and self.telemetry is not None else None
            try:
                if kind == "chat":
                    assert not isinstance(payload, str)
                    return inner.chat(payload, options, sink, flag)  # type: ignore[arg-type]
                assert isinstance(payload, str)
                return inner.complete(payload, options, sink, flag)  # type: ignore[arg-type]
            finally:
                if meter is not None:
                    energy = meter.finish()

        if isinstance(engine, ScheduledEngine):
            inner = engine.engine
            result = engine.scheduler.run(
                engine.priority, lambda flag, sink: call(inner, flag, sink), on_token, cancel
            )
        else:
            result = call(engine, cancel, on_token)
        with self._stats_lock:
            self.finished[result.finish_reason] += 1
        return Outcome(result, energy, engine.info.engine)

    # ---- embeddings ----

    def embed(self, model: str, texts: list[str]) -> tuple[np.ndarray, int]:
        """Vectors of `texts` and the tokens they took, with the bundled MiniLM."""
        if model not in EMBEDDING_MODELS:
            raise APIError(
                404,
                f"The embedding model '{model}' does not exist here; use '{DEFAULT_EMBED_MODEL}'.",
                param="model",
                code="model_not_found",
            )
        embedder = self.embedders.get(DEFAULT_EMBED_MODEL)
        tokens = sum(len(embedder.token_offsets(t)) for t in texts)
        return embedder.embed(texts), tokens
