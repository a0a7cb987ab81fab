"""The model manager: the catalog of model files, the hub, downloads, fit checks, quantization, conversion
and side-by-side comparison of quantizations.

`list_models` and `resolve_model` are what the engine host and the commands use to turn a model reference
(a catalog id such as "smollm2-135m-instruct", or a path) into a file. Everything else is in the modules:
catalog, gguf_info, hub, download, fit, quantize, convert, compare, starters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.engine import EMBEDDED_MODEL_ID, EMBEDDED_MODEL_NAME, embedded_model_path
from core.errors import StoreError, UnknownModelError
from core.models.catalog import ModelCatalog, Provenance, SyncReport
from core.store import ModelRecord


@dataclass(frozen=True)
class ModelEntry:
    id: str
    name: str
    path: Path
    embedded: bool
    record: ModelRecord | None = None  # the catalog row; None only when the data dir is unusable


def list_models(root: Path | None = None) -> list[ModelEntry]:
    """Every model in the catalog, the embedded one first."""
    try:
        catalog = ModelCatalog.open(root)
    except StoreError:  # no usable data dir: the embedded model still works
        return [ModelEntry(EMBEDDED_MODEL_ID, EMBEDDED_MODEL_NAME, embedded_model_path(), True)]
    try:
        return [ModelEntry(r.id, r.name, Path(r.path), r.embedded, r) for r in catalog.list()]
    finally:
        catalog.close()


def resolve_model(ref: str, root: Path | None = None) -> Path:
    """A catalog id or a path to a file. Paths are returned even if broken: the engine explains what is wrong."""
    try:
        catalog = ModelCatalog.open(root)
    except StoreError:
        if ref == EMBEDDED_MODEL_ID:
            return embedded_model_path()
        candidate = Path(ref).expanduser()
        if candidate.suffix.lower() == ".gguf" or candidate.exists() or "/" in ref:
            return candidate
        raise UnknownModelError(
            f"No model called '{ref}' (the catalog is unavailable); give a path to a .gguf file."
        ) from None
    try:
        return catalog.resolve(ref)
    finally:
        catalog.close()


__all__ = [
    "ModelCatalog",
    "ModelEntry",
    "Provenance",
    "SyncReport",
    "list_models",
    "resolve_model",
]
