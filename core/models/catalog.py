"""The model catalog: every GGUF file Hearth knows, kept in the store with what its header says.

The embedded model is always in it; files dropped into the data dir's models folder are picked up by
`sync()`, files that vanished are dropped. A file that is not a usable GGUF never gets a row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from core import paths
from core.engine import EMBEDDED_MODEL_ID, EMBEDDED_MODEL_NAME, embedded_model_path
from core.errors import ModelFileError, NotFoundError, UnknownModelError
from core.models.gguf_info import read_gguf, sha256_file
from core.store import ModelRecord, Store


@dataclass(frozen=True)
class Provenance:
    """Where a model file came from, recorded beside it."""

    source_repo: str = ""
    source_revision: str = ""
    source_file: str = ""
    parent_id: str = ""


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # files in the models folder that are not usable


def slug(text: str) -> str:
    """A catalog id made from a file name: lower case, runs of other characters turned into '-'."""
    return re.sub(r"[^a-z0-9._]+", "-", text.lower()).strip("-.") or "model"


class ModelCatalog:
    """The catalog service: registers, lists, resolves and removes model files."""

    def __init__(self, store: Store, models_dir: Path | None = None) -> None:
        self.store = store
        self.models_dir = models_dir or paths.models_dir(store.root)

    @classmethod
    def open(cls, root: Path | None = None) -> ModelCatalog:
        """A catalog on its own store handle; it leaves crash recovery to the app's store."""
        return cls(Store(root, recover=False))

    def close(self) -> None:
        self.store.close()

    # ---- reading ----

    def list(self) -> list[ModelRecord]:
        self.sync()
        return self.store.catalog.list()

    def get(self, model_id: str) -> ModelRecord:
        self.sync()
        try:
            return self.store.catalog.get(model_id)
        except NotFoundError:
            raise UnknownModelError(self._unknown(model_id)) from None

    def resolve(self, ref: str) -> Path:
        """A catalog id or a path to a file. Paths are returned even if broken: the engine explains why."""
        self.sync()
        try:
            return Path(self.store.catalog.get(ref).path)
        except NotFoundError:
            pass
        candidate = Path(ref).expanduser()
        if candidate.suffix.lower() == ".gguf" or candidate.exists() or "/" in ref:
            return candidate
        raise UnknownModelError(self._unknown(ref) + "; or give a path to a .gguf file.")

    def _unknown(self, ref: str) -> str:
        known = ", ".join(r.id for r in self.store.catalog.list())
        return f"No model called '{ref}'. Known models: {known}"

    # ---- writing ----

    def sync(self) -> SyncReport:
        """Bring the catalog in line with the disk: the embedded model, the models folder, vanished files."""
        report = SyncReport()
        embedded = embedded_model_path()
        self._register(embedded, model_id=EMBEDDED_MODEL_ID, name=EMBEDDED_MODEL_NAME, embedded=True)
        known_paths = {r.path for r in self.store.catalog.list()}
        if self.models_dir.is_dir():
            for f in sorted(p.resolve() for p in self.models_dir.glob("*.gguf")):
                if str(f) in known_paths and self._unchanged(f):
                    continue
                try:
                    record = self.register(f)
                    report.added.append(record.id)
                except ModelFileError as e:
                    report.problems.append(str(e))
        for record in self.store.catalog.list():
            if not record.embedded and not Path(record.path).is_file():
                self.store.catalog.delete(record.id)
                report.removed.append(record.id)
        return report

    def register(
        self,
        path: Path,
        provenance: Provenance | None = None,
        *,
        sha256: str | None = None,
        model_id: str | None = None,
        on_hash_bytes: Callable[[int], None] | None = None,
    ) -> ModelRecord:
        """Read a GGUF's header and record it. Raises ModelFileError, writing nothing, for a bad file.

        Args:
            path: the model file (anywhere; files outside the models folder stay where they are).
            provenance: hub repo, revision and file, or the parent model, when known.
            sha256: the file's hash when the caller already checked it (downloads), to skip re-reading.
            model_id: the id to use; by default one made from the file name, kept unique.
            on_hash_bytes: progress of hashing, in bytes read.
        """
        return self._register(
            path.resolve(),
            provenance=provenance,
            sha256=sha256,
            model_id=model_id,
            on_hash_bytes=on_hash_bytes,
        )

    def _register(
        self,
        path: Path,
        *,
        provenance: Provenance | None = None,
        sha256: str | None = None,
        model_id: str | None = None,
        name: str | None = None,
        embedded: bool = False,
        on_hash_bytes: Callable[[int], None] | None = None,
    ) -> ModelRecord:
        existing = self.store.catalog.find_path(str(path))
        if existing is not None and self._unchanged(path, existing) and provenance is None:
            return existing
        info = read_gguf(path)  # raises before anything is written
        stat = path.stat()
        if sha256 is None:
            same_file = existing is not None and self._unchanged(path, existing)
            sha256 = existing.sha256 if same_file and existing else sha256_file(path, on_hash_bytes)
        if model_id is None:
            model_id = existing.id if existing else self._free_id(slug(path.stem))
        prov = provenance or (
            Provenance(
                existing.source_repo, existing.source_revision, existing.source_file, existing.parent_id
            )
            if existing
            else Provenance()
        )
        record = ModelRecord(
            id=model_id,
            name=name or (existing.name if existing else path.stem),
            path=str(path),
            size_bytes=stat.st_size,
            mtime_ns=stat.st_mtime_ns,
            sha256=sha256,
            architecture=info.architecture,
            n_params=info.n_params,
            quant_type=info.quant_type,
            context_length=info.context_length,
            has_chat_template=info.has_chat_template,
            embedded=embedded,
            source_repo=prov.source_repo,
            source_revision=prov.source_revision,
            source_file=prov.source_file,
            parent_id=prov.parent_id,
        )
        if existing is not None and existing.id != model_id:
            self.store.catalog.delete(existing.id)
        return self.store.catalog.upsert(record)

    def remove(self, model_id: str, delete_file: bool = False) -> ModelRecord:
        """Forget a model; with delete_file, also delete its file. The embedded model cannot be removed."""
        record = self.get(model_id)
        if record.embedded:
            raise UnknownModelError(f"'{model_id}' is the embedded model: it ships with Hearth and stays.")
        if delete_file:
            Path(record.path).unlink(missing_ok=True)
        self.store.catalog.delete(model_id)
        return record

    def rename(self, model_id: str, name: str) -> ModelRecord:
        record = self.get(model_id)
        return self.store.catalog.upsert(replace(record, name=name))

    def _free_id(self, base: str) -> str:
        taken = self.store.catalog.ids()
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def _unchanged(self, path: Path, record: ModelRecord | None = None) -> bool:
        record = record or self.store.catalog.find_path(str(path))
        if record is None:
            return False
        try:
            st = path.stat()
        except OSError:
            return False
        return st.st_size == record.size_bytes and st.st_mtime_ns == record.mtime_ns
