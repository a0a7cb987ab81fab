"""The Hugging Face hub, through huggingface-hub: search GGUF models, list a repo's GGUF files, read a file's
metadata (commit, LFS sha256, size) before downloading it.

The endpoint is HF_ENDPOINT (huggingface-hub reads it) unless one is given; HF_HUB_OFFLINE turns every
call into a HubError that says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import httpx2
from huggingface_hub import HfApi, constants, get_hf_file_metadata, hf_hub_url
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    OfflineModeIsEnabled,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import build_hf_headers

from core.errors import HubError
from core.models.quant_types import quant_from_filename

SortKey = Literal["downloads", "likes"]
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class HubModel:
    id: str
    downloads: int
    likes: int
    last_modified: str
    gated: bool


@dataclass(frozen=True)
class HubFile:
    path: str
    size: int
    sha256: str  # the LFS hash, "" for files not in LFS
    quant_type: str | None  # read from the file name; None if it names none

    @property
    def is_split(self) -> bool:
        """Part of a model split over several files (…-00001-of-00003.gguf): Hearth loads single files."""
        return bool(re.search(r"-\d{5}-of-\d{5}\.gguf$", self.path))


@dataclass(frozen=True)
class RemoteFile:
    """What a HEAD request tells about a file before it is downloaded."""

    repo: str
    filename: str
    revision: str
    url: str  # where to GET it (after the hub's redirects)
    commit: str
    sha256: str  # "" when the hub gives no LFS hash
    size: int


class HubClient:
    def __init__(self, endpoint: str | None = None, token: str | bool | None = None) -> None:
        self.endpoint = (endpoint or constants.ENDPOINT).rstrip("/")
        self.token = token
        self._api = HfApi(endpoint=self.endpoint, token=token)

    def search(self, query: str = "", sort: SortKey = "downloads", limit: int = 20) -> list[HubModel]:
        """GGUF text-generation models whose name contains `query`, most downloaded (or liked) first."""
        if sort not in ("downloads", "likes"):
            raise HubError(f"Sort by 'downloads' or 'likes', not '{sort}'.")
        with _hub_errors("search the hub"):
            found = self._api.list_models(
                search=query or None,
                filter="gguf",
                pipeline_tag="text-generation",
                sort=sort,
                limit=limit,
            )
            return [
                HubModel(
                    id=m.id,
                    downloads=int(m.downloads or 0),
                    likes=int(m.likes or 0),
                    last_modified=m.last_modified.isoformat() if m.last_modified else "",
                    gated=bool(m.gated),
                )
                for m in found
            ]

    def files(self, repo: str, revision: str = "main") -> list[HubFile]:
        """The repo's GGUF files with sizes, LFS hashes and quantization types, smallest first."""
        with _hub_errors(f"list the files of '{repo}'"):
            entries = self._api.list_repo_tree(repo, recursive=True, revision=revision)
            files = []
            for e in entries:
                path = getattr(e, "path", "")
                if not path.lower().endswith(".gguf") or not hasattr(e, "size"):
                    continue
                lfs = getattr(e, "lfs", None)
                files.append(
                    HubFile(
                        path=path,
                        size=int(lfs.size if lfs else e.size),
                        sha256=lfs.sha256 if lfs else "",
                        quant_type=quant_from_filename(path.rsplit("/", 1)[-1]),
                    )
                )
        return sorted(files, key=lambda f: (f.size, f.path))

    def file(self, repo: str, filename: str, revision: str = "main") -> RemoteFile:
        """HEAD the file: the commit it resolves to, its LFS sha256 and size."""
        url = hf_hub_url(repo, filename, revision=revision, endpoint=self.endpoint)
        with _hub_errors(f"find '{filename}' in '{repo}'"):
            meta = get_hf_file_metadata(url, token=self.token, endpoint=self.endpoint)
        etag = (meta.etag or "").lower()
        if meta.size is None:
            raise HubError(f"The hub did not say how large '{filename}' is; it cannot be downloaded safely.")
        return RemoteFile(
            repo=repo,
            filename=filename,
            revision=revision,
            url=meta.location or url,
            commit=meta.commit_hash or "",
            sha256=etag if _SHA256.match(etag) else "",
            size=int(meta.size),
        )

    def headers(self) -> dict[str, str]:
        return build_hf_headers(token=self.token)


class _hub_errors:
    """Turns huggingface-hub and network errors into HubError with a message for the user."""

    def __init__(self, doing: str) -> None:
        self.doing = doing

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> Literal[False]:
        if exc is None or isinstance(exc, HubError):
            return False
        doing = self.doing
        if isinstance(exc, OfflineModeIsEnabled):
            raise HubError(f"Cannot {doing}: offline mode is on (HF_HUB_OFFLINE).") from exc
        if isinstance(exc, GatedRepoError):
            raise HubError(
                f"Cannot {doing}: the repo is gated; accept its license on the hub first."
            ) from exc
        if isinstance(exc, RepositoryNotFoundError):
            raise HubError(f"Cannot {doing}: no such repo on the hub (or it is private).") from exc
        if isinstance(exc, RevisionNotFoundError):
            raise HubError(f"Cannot {doing}: no such revision.") from exc
        if isinstance(exc, EntryNotFoundError):
            raise HubError(f"Cannot {doing}: no such file.") from exc
        if isinstance(exc, HfHubHTTPError):
            status = exc.response.status_code if exc.response is not None else "?"
            raise HubError(f"Cannot {doing}: the hub answered HTTP {status}.") from exc
        if isinstance(exc, httpx2.HTTPError | OSError):
            raise HubError(f"Cannot {doing}: the hub cannot be reached ({exc}).") from exc
        return False
