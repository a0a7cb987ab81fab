"""Downloading a GGUF from the hub into the models folder, safely.

- Free disk space is checked before the first byte.
- Bytes go to `models/.downloads/<name>.part`, with a small JSON note of what is being fetched (repo, file,
  commit, sha256, size). Cancelling (a pause), a lost connection or a quit keeps both, and the next
  download of the same file resumes with an HTTP Range request; a changed file upstream starts over.
- The finished file's sha256 must equal the hub's LFS hash, else it is deleted and the download refused.
- Only then is it moved into the models folder (an atomic rename) and registered in the catalog.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx2
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.file_download import http_get

from core.errors import ChecksumMismatchError, DownloadError, NotEnoughSpaceError, OperationCancelled
from core.models.catalog import ModelCatalog, Provenance
from core.models.gguf_info import sha256_file
from core.models.hub import HubClient, RemoteFile
from core.models.progress import ProgressCallback, Reporter, check_cancel
from core.store import ModelRecord

PARTIAL_DIR = ".downloads"
# Room kept free beyond the file itself, so a download never fills the disk to the last byte.
SPARE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class PartialDownload:
    """A download that stopped before the end; `hearth models download` of the same file resumes it."""

    repo: str
    filename: str
    revision: str
    commit: str
    sha256: str
    size: int
    done: int = 0  # bytes on disk


class _Cancelled(Exception):
    """Raised inside huggingface-hub's transfer loop to stop it; turned into OperationCancelled."""


def _progress_bar_class(reporter: Reporter, cancel: threading.Event | None) -> type:
    """A stand-in for tqdm that http_get drives: forwards bytes to the reporter, stops on cancel."""

    class Bar:
        def __init__(self, *, initial: int = 0, **_: Any) -> None:
            self.n = initial
            reporter.update(initial, force=True)

        def update(self, n: int) -> None:
            # Called before each chunk is written: stopping here keeps the chunks written so far.
            if cancel is not None and cancel.is_set():
                raise _Cancelled
            self.n += n
            reporter.update(self.n)

        def close(self) -> None:
            pass

        def __enter__(self) -> Bar:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

    return Bar


def partial_dir(catalog: ModelCatalog) -> Path:
    return catalog.models_dir / PARTIAL_DIR


def _safe_name(filename: str) -> str:
    return filename.replace("/", "__")


def pending_downloads(catalog: ModelCatalog) -> list[PartialDownload]:
    """Downloads that were paused or interrupted, for the GUI to offer resuming."""
    folder = partial_dir(catalog)
    found = []
    for note in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(note.read_text())
            part = note.with_suffix(".part")
            data["done"] = part.stat().st_size if part.exists() else 0
            found.append(PartialDownload(**data))
        except (OSError, ValueError, TypeError):
            continue
    return found


def discard_download(catalog: ModelCatalog, filename: str) -> None:
    """Forget a paused download and delete its bytes."""
    base = partial_dir(catalog) / _safe_name(Path(filename).name)
    base.with_suffix(".part").unlink(missing_ok=True)
    base.with_suffix(".json").unlink(missing_ok=True)


def download_model(
    catalog: ModelCatalog,
    hub: HubClient,
    repo: str,
    filename: str,
    *,
    revision: str = "main",
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> ModelRecord:
    """Download one GGUF file of a hub repo into the models folder and register it.

    Raises:
        HubError: the hub cannot be reached or has no such file.
        NotEnoughSpaceError: the disk cannot hold the file; nothing was downloaded.
        ChecksumMismatchError: the bytes differ from the hub's sha256; they were deleted.
        OperationCancelled: `cancel` was set; the bytes so far are kept for resuming.
        DownloadError: the transfer failed; the bytes so far are kept for resuming.
    """
    remote = hub.file(repo, filename, revision)
    name = Path(filename).name
    target = catalog.models_dir / name
    existing = catalog.store.catalog.find_path(str(target.resolve())) if target.exists() else None
    if existing is not None and remote.sha256 and existing.sha256 == remote.sha256:
        return existing  # already here, same bytes
    if target.exists():
        raise DownloadError(
            f"'{target}' already exists and is a different file; remove it first (hearth models remove)."
        )

    folder = partial_dir(catalog)
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / _safe_name(name)
    part, note = base.with_suffix(".part"), base.with_suffix(".json")
    done = _resume_point(part, note, remote)
    check_free_space(folder, remote.size - done, name)
    note.write_text(json.dumps(asdict(_partial(remote))))

    check_cancel(cancel, "The download")
    reporter = Reporter(progress, "download", remote.size, "B", start=done)
    try:
        with part.open("ab") as f:
            http_get(
                remote.url,
                f,
                resume_size=done,
                headers=hub.headers(),
                expected_size=remote.size,
                displayed_filename=name,
                tqdm_class=_progress_bar_class(reporter, cancel),
            )
    except _Cancelled:
        raise OperationCancelled("The download (paused: download it again to resume)") from None
    except (HfHubHTTPError, httpx2.HTTPError, OSError) as e:
        raise DownloadError(f"The download of '{name}' failed: {e}. Download it again to resume.") from e

    verify = Reporter(progress, "verify", remote.size, "B")
    digest = sha256_file(part, verify.advance)
    if remote.sha256 and digest != remote.sha256:
        part.unlink(missing_ok=True)
        note.unlink(missing_ok=True)
        raise ChecksumMismatchError(
            f"'{name}' arrived damaged: its sha256 is {digest[:12]}… but the hub says {remote.sha256[:12]}…. "
            "The file was deleted; try again."
        )
    os.replace(part, target)  # same folder tree, same filesystem: atomic
    note.unlink(missing_ok=True)
    try:
        return catalog.register(
            target,
            Provenance(source_repo=repo, source_revision=remote.commit, source_file=filename),
            sha256=digest,
        )
    except Exception:
        target.unlink(missing_ok=True)  # not a model we can use: leave nothing behind
        raise


def check_free_space(folder: Path, needed: int, name: str) -> None:
    """Refuse before starting when the disk under `folder` cannot hold `needed` more bytes."""
    free = shutil.disk_usage(folder).free
    if needed + SPARE_BYTES > free:
        raise NotEnoughSpaceError(
            f"Not enough disk space for '{name}': it needs {_gb(needed)} and only {_gb(free)} is free "
            f"on the disk holding '{folder}'. Free some space, or remove models you no longer use."
        )


def _resume_point(part: Path, note: Path, remote: RemoteFile) -> int:
    """Bytes already on disk for this very file, or 0 (and a clean slate) if they belong to another."""
    if not part.exists():
        return 0
    try:
        old = json.loads(note.read_text())
    except (OSError, ValueError):
        old = {}
    same = old.get("size") == remote.size and (old.get("sha256") or old.get("commit")) == (
        remote.sha256 or remote.commit
    )
    done = part.stat().st_size
    if not same or done > remote.size:
        part.unlink()
        return 0
    return done


def _partial(remote: RemoteFile) -> PartialDownload:
    return PartialDownload(
        repo=remote.repo,
        filename=remote.filename,
        revision=remote.revision,
        commit=remote.commit,
        sha256=remote.sha256,
        size=remote.size,
    )


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e8 else f"{n / 1e6:.1f} MB"
