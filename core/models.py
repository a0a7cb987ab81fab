"""Which models Hearth can load: the embedded one and the GGUF files in the data dir's models folder.

Model references are catalog ids ("smollm2-135m-instruct", or the file stem of a user model) or paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core import paths
from core.engine import EMBEDDED_MODEL_ID, EMBEDDED_MODEL_NAME, embedded_model_path
from core.errors import UnknownModelError


@dataclass(frozen=True)
class ModelEntry:
    id: str
    name: str
    path: Path
    embedded: bool


def list_models(root: Path | None = None) -> list[ModelEntry]:
    entries = [ModelEntry(EMBEDDED_MODEL_ID, EMBEDDED_MODEL_NAME, embedded_model_path(), True)]
    folder = paths.models_dir(root)
    if folder.is_dir():
        for f in sorted(folder.glob("*.gguf")):
            entries.append(ModelEntry(f.stem, f.stem, f, False))
    return entries


def resolve_model(ref: str, root: Path | None = None) -> Path:
    """A catalog id or a path to a file. Paths are returned even if broken: the engine explains what is wrong."""
    for entry in list_models(root):
        if ref == entry.id:
            return entry.path
    candidate = Path(ref).expanduser()
    if candidate.suffix.lower() == ".gguf" or candidate.exists() or "/" in ref:
        return candidate
    known = ", ".join(e.id for e in list_models(root))
    raise UnknownModelError(
        f"No model called '{ref}'. Known models: {known}; or give a path to a .gguf file."
    )
