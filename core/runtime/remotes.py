"""The remote engines the user added: named OpenAI-compatible endpoints, their keys, tests and opening.

A spec's model names one as "remote:NAME" (its first model) or "remote:NAME/MODEL". The endpoint's URL
and what its last test found live in the store; its key in the key store (core.runtime.keys).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from core.engine.remote import RemoteConfig, RemoteProbe, health, probe
from core.errors import RemoteEngineError
from core.runtime.keys import KeyStore, Where
from core.store import RemoteEngineRecord, Store

REMOTE_PREFIX = "remote:"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def is_remote(model: str) -> bool:
    return model.startswith(REMOTE_PREFIX)


def parse_remote(model: str) -> tuple[str, str]:
    """("NAME", "MODEL") of "remote:NAME/MODEL" ("MODEL" may be "": the server's first)."""
    rest = model[len(REMOTE_PREFIX) :] if is_remote(model) else model
    name, _, chosen = rest.partition("/")
    return name, chosen


def remote_spec_model(ref: str) -> str:
    """ "NAME", "NAME/MODEL" or "remote:..." as a spec's model."""
    return ref if is_remote(ref) else REMOTE_PREFIX + ref


@dataclass(frozen=True)
class RemoteListing:
    record: RemoteEngineRecord
    key: Where | None  # where its key is kept, or None when it has none

    @property
    def probe(self) -> RemoteProbe | None:
        return RemoteProbe.from_json(self.record.probe) if self.record.probe else None


@dataclass(frozen=True)
class TestReport:
    name: str
    healthy: bool
    probe: RemoteProbe
    latency_ms: float
    model: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "healthy": self.healthy,
            "model": self.model,
            "models": list(self.probe.models),
            "kind": self.probe.kind,
            "n_ctx": self.probe.n_ctx,
            "grammar": self.probe.grammar,
            "json_schema": self.probe.json_schema,
            "embeddings": self.probe.embeddings,
            "latency_ms": round(self.latency_ms, 1),
        }


class RemoteEngines:
    def __init__(self, store: Store, keys: KeyStore | None = None) -> None:
        self.store = store
        self.keys = keys or KeyStore(store.root)

    def add(self, name: str, url: str, key: str | None = None) -> RemoteListing:
        if not _NAME.match(name):
            raise RemoteEngineError(
                f"'{name}' cannot name an engine: use letters, digits, '.', '_' or '-' (64 at most)."
            )
        parsed = urlparse(url.strip())
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise RemoteEngineError(f"'{url}' is not an http:// or https:// address.")
        record = self.store.remote_engines.add(name, url.strip().rstrip("/"))
        if key:
            self.keys.set(name, key)
        else:
            self.keys.delete(name)
        return RemoteListing(record, self.keys.where(name))

    def list(self) -> list[RemoteListing]:
        return [RemoteListing(r, self.keys.where(r.name)) for r in self.store.remote_engines.list()]

    def remove(self, name: str) -> None:
        self.store.remote_engines.remove(name)
        self.keys.delete(name)

    def config(self, ref: str) -> RemoteConfig:
        """The connection for "NAME", "NAME/MODEL" or "remote:NAME/MODEL"."""
        name, model = parse_remote(ref)
        try:
            record = self.store.remote_engines.get(name)
        except Exception as e:
            raise RemoteEngineError(
                f"No remote engine called '{name}': add it with `hearth engines add {name} URL`."
            ) from e
        known = RemoteProbe.from_json(record.probe) if record.probe else None
        return RemoteConfig(name=name, url=record.url, model=model, api_key=self.keys.get(name), known=known)

    def test(self, ref: str) -> TestReport:
        """Health, models, context and capabilities, a JSON-schema answer and an embedding tried; stored."""
        config = self.config(ref)
        t0 = time.perf_counter()
        healthy = health(config)
        if not healthy:
            raise RemoteEngineError(f"The remote engine '{config.name}' ({config.url}) does not answer.")
        found = probe(config, thorough=True)
        latency = (time.perf_counter() - t0) * 1000
        self.store.remote_engines.set_probe(config.name, found.to_json())
        model = config.model or (found.models[0] if found.models else "")
        return TestReport(config.name, healthy, found, latency, model)


def remote_config(ref: str, root: Path | None = None) -> RemoteConfig:
    """The connection for a remote engine by name, read from the data dir (opened for this, closed again)."""
    store = Store(root, recover=False)
    try:
        return RemoteEngines(store).config(ref)
    finally:
        store.close()
