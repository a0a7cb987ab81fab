"""Everything a front end needs, opened together and closed together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.services.assistant import AssistantService
from core.services.chat import ChatService
from core.services.engine_host import EngineHost
from core.settings import Settings
from core.store import Store


@dataclass
class Services:
    store: Store
    settings: Settings
    host: EngineHost
    chat: ChatService
    assistant: AssistantService

    @classmethod
    def open(cls, root: Path | None = None) -> Services:
        """Open the store under `root` (default: the data dir). Raises StoreError with a user-facing message."""
        store = Store(root)
        settings = Settings(store.settings)
        host = EngineHost(store.root)
        return cls(
            store=store,
            settings=settings,
            host=host,
            chat=ChatService(store, host, settings),
            assistant=AssistantService(store, host, settings),
        )

    def close(self) -> None:
        self.assistant.close()
        self.host.close()
        self.store.close()
