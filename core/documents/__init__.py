"""Documents: RAG over the user's files (ingest, chunk, embed, hybrid search, cited answers).

Uses the engine, the store and an embedder; never another service's insides.
"""

from core.documents.answer import Answer, Citation
from core.documents.indexer import IndexOptions, IndexReport
from core.documents.search import Hit
from core.documents.service import DEFAULT_COLLECTION, CollectionInfo, DocumentsService
from core.embeddings import DEFAULT_EMBED_MODEL, Embedder, EmbedderHost, embedded_embedder_path

__all__ = [
    "DEFAULT_COLLECTION",
    "DEFAULT_EMBED_MODEL",
    "Answer",
    "Citation",
    "CollectionInfo",
    "DocumentsService",
    "Embedder",
    "EmbedderHost",
    "Hit",
    "IndexOptions",
    "IndexReport",
    "embedded_embedder_path",
]
