"""A chat turn in a conversation that uses a document collection: grounded, with citations stored."""

from __future__ import annotations

from pathlib import Path

from core.chat.grounding import citations_from_json
from core.chat.service import ChatService
from core.documents.service import DocumentsService
from core.embeddings import EmbedderHost
from core.runtime import EngineHost
from core.settings import Settings
from core.store import Store


def test_a_conversation_with_a_collection_gets_cited_answers(
    hearth_home: Path, tmp_path: Path, embedders: EmbedderHost
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "lighthouse.md").write_text(
        "# Skerry lighthouse\n\nThe Skerry lighthouse flashes white every ten seconds. "
        "Its keeper, Mara Quill, climbs 112 steps each night.\n"
    )
    (notes / "bakery.txt").write_text("The Hearthvale bakery opens at six and sells rye bread on Fridays.\n")
    store = Store()
    settings = Settings(store.settings)
    settings.set("temperature", 0.0)
    settings.set("max_tokens", 48)
    documents = DocumentsService(store, embedders)
    documents.add([notes], "notes")
    chat = ChatService(store, EngineHost(), settings, documents=documents)

    plain = chat.new_conversation()
    answer = chat.send(plain.id, "How often does the Skerry lighthouse flash?")
    assert answer.citations is None, "a conversation without collections is not grounded"

    grounded = chat.new_conversation()
    documents.set_conversation_collections(grounded.id, ["notes"])
    answer = chat.send(grounded.id, "How often does the Skerry lighthouse flash?")
    citations = citations_from_json(answer.citations)
    assert citations and citations[0].file == str(notes / "lighthouse.md")
    assert "ten seconds" in citations[0].text
    assert [c.n for c in citations] == list(range(1, len(citations) + 1))
    history = chat.history(store.conversations.get(grounded.id), before=10**9)
    assert history[1]["content"] == "How often does the Skerry lighthouse flash?", (
        "the stored question stays clean"
    )
