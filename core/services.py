"""Everything a front end needs, opened together and closed together.

Each service lives in its own package as `service.py` (chat, assistant, documents, memory, telemetry);
this container only wires them to one store, one settings table, one engine host and one embedder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.assistant.service import AssistantService
from core.chat.service import ChatService
from core.documents.service import DocumentsService
from core.embeddings import SharedEmbedder
from core.memory.service import MemoryService
from core.runtime import EngineHost
from core.runtime.routing import Router
from core.settings import Settings
from core.store import Store
from core.telemetry.service import Telemetry
from core.voice.service import VoiceService


@dataclass
class Services:
    store: Store
    settings: Settings
    host: EngineHost
    chat: ChatService
    telemetry: Telemetry
    documents: DocumentsService
    assistant: AssistantService
    memory: MemoryService
    router: Router  # the local host, and remote engines on a host of their own (routing)
    voice: VoiceService

    @classmethod
    def open(cls, root: Path | None = None) -> Services:
        """Open the store under `root` (default: the data dir). Raises StoreError with a user-facing message."""
        store = Store(root)
        settings = Settings(store.settings)
        host = EngineHost(store.root)
        router = Router(host, root=store.root)
        telemetry = Telemetry(settings)
        documents = DocumentsService(store)
        # One copy of the embedding model for documents, memory and the assistant.
        memory = MemoryService(store, host, settings, SharedEmbedder(documents.embedders))
        chat = ChatService(
            store, host, settings, telemetry=telemetry, documents=documents, memory=memory, router=router
        )
        return cls(
            store=store,
            settings=settings,
            host=host,
            chat=chat,
            telemetry=telemetry,
            documents=documents,
            assistant=AssistantService(
                store, host, settings, embedder=SharedEmbedder(documents.embedders), router=router
            ),
            memory=memory,
            router=router,
            # Cheap to open: devices are looked at, and the speech models loaded, when voice is first used.
            voice=VoiceService(store, settings),
        )

    def close(self) -> None:
        self.voice.close()
        self.memory.close()
        self.assistant.close()
        self.telemetry.close()
        self.router.close()
        self.host.close()
        self.store.close()
