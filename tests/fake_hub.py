"""A local HTTP server that plays the Hugging Face hub for the endpoints huggingface-hub calls:

- GET  /api/models?search=&filter=&pipeline_tag=&sort=&limit=      model search
- GET  /api/models/{owner}/{name}/tree/{revision}?recursive=        a repo's files, with LFS sha256 and size
- HEAD /{owner}/{name}/resolve/{revision}/{file}                    X-Repo-Commit, ETag/X-Linked-Etag, sizes
- GET  the same, honouring `Range: bytes=N-` with 206 Partial Content

It serves files the test writes, on 127.0.0.1 only. Each file can lie about its sha256 or size, or be
sent slowly, so tests can exercise checksum refusal, the free-space check and interrupted downloads.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@dataclass
class HubFile:
    path: Path
    sha256: str = ""  # what the hub claims; the real hash unless a test overrides it
    declared_size: int | None = None  # what the hub claims; the real size unless overridden
    seconds_per_mb: float = 0.0  # throttle, so a test can interrupt a transfer


@dataclass
class HubRepo:
    id: str
    downloads: int = 0
    likes: int = 0
    tags: list[str] = field(default_factory=lambda: ["gguf", "text-generation"])
    files: dict[str, HubFile] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up mid-file (an interrupted download) is expected here


class FakeHub:
    def __init__(self) -> None:
        self.repos: dict[str, HubRepo] = {}
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, Range header)
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add_repo(self, repo_id: str, downloads: int = 0, likes: int = 0) -> HubRepo:
        repo = HubRepo(repo_id, downloads, likes)
        self.repos[repo_id] = repo
        return repo

    def add_file(self, repo_id: str, name: str, path: Path, **overrides: object) -> HubFile:
        f = HubFile(path, sha256=hashlib.sha256(path.read_bytes()).hexdigest())
        for k, v in overrides.items():
            setattr(f, k, v)
        self.repos[repo_id].files[name] = f
        return f

    def ranges(self, name: str) -> list[str | None]:
        """The Range headers of the GET requests for one file."""
        return [r for m, p, r in self.requests if m == "GET" and p.endswith("/" + name)]

    def start(self) -> FakeHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def running_hub() -> Iterator[FakeHub]:
    hub = FakeHub().start()
    try:
        yield hub
    finally:
        hub.stop()


def _handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def _json(self, data: object, status: int = 200) -> None:
            body = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _not_found(self, what: str) -> None:
            body = json.dumps({"error": f"{what} not found"}).encode()
            self.send_response(404)
            self.send_header("X-Error-Code", "RepoNotFound" if "repo" in what else "EntryNotFound")
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._serve(head=False)

        def do_HEAD(self) -> None:
            self._serve(head=True)

        def _serve(self, head: bool) -> None:
            url = urlparse(self.path)
            path = unquote(url.path)
            hub.requests.append(("HEAD" if head else "GET", path, self.headers.get("Range")))
            query = parse_qs(url.query)
            if path == "/api/models":
                return self._search(query)
            m = re.fullmatch(r"/api/models/([^/]+/[^/]+)/tree/([^/]+)(/.*)?", path)
            if m:
                return self._tree(m.group(1))
            m = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
            if m:
                return self._file(m.group(1), m.group(3), head)
            self._not_found("route")

        def _search(self, query: dict[str, list[str]]) -> None:
            words = query.get("search", [""])[0].lower()
            wanted_tags = set(query.get("filter", [])) | set(query.get("pipeline_tag", []))
            sort = query.get("sort", ["downloads"])[0]
            limit = int(query.get("limit", ["1000"])[0])
            found = [r for r in hub.repos.values() if words in r.id.lower() and wanted_tags <= set(r.tags)]
            found.sort(key=lambda r: getattr(r, sort, 0), reverse=True)
            self._json(
                [
                    {
                        "id": r.id,
                        "_id": r.id,
                        "downloads": r.downloads,
                        "likes": r.likes,
                        "tags": r.tags,
                        "pipeline_tag": "text-generation",
                        "library_name": "gguf",
                        "private": False,
                        "gated": False,
                        "lastModified": "2026-01-01T00:00:00.000Z",
                    }
                    for r in found[:limit]
                ]
            )

        def _tree(self, repo_id: str) -> None:
            repo = hub.repos.get(repo_id)
            if repo is None:
                return self._not_found("repo")
            entries = []
            for name, f in repo.files.items():
                size = f.declared_size or f.path.stat().st_size
                entries.append(
                    {
                        "type": "file",
                        "oid": hashlib.sha1(name.encode()).hexdigest(),
                        "size": size,
                        "path": name,
                        "lfs": {"oid": f.sha256, "size": size, "pointerSize": 134},
                    }
                )
            entries.append({"type": "file", "oid": "0" * 40, "size": 12, "path": "README.md"})
            self._json(entries)

        def _file(self, repo_id: str, name: str, head: bool) -> None:
            repo = hub.repos.get(repo_id)
            if repo is None:
                return self._not_found("repo")
            f = repo.files.get(name)
            if f is None:
                return self._not_found("entry")
            data = f.path.read_bytes()
            size = f.declared_size or len(data)
            start = 0
            rng = self.headers.get("Range")
            if rng and not head:
                start = int(re.match(r"bytes=(\d+)-", rng).group(1))  # type: ignore[union-attr]
            body = data[start:]
            self.send_response(206 if start else 200)
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("ETag", f'"{f.sha256}"')
            self.send_header("X-Linked-Etag", f'"{f.sha256}"')
            self.send_header("X-Linked-Size", str(size))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(size if head else len(body)))
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.end_headers()
            if head:
                return
            step = 256 * 1024
            try:
                for i in range(0, len(body), step):
                    self.wfile.write(body[i : i + step])
                    if f.seconds_per_mb:
                        time.sleep(f.seconds_per_mb * step / 1e6)
            except (BrokenPipeError, ConnectionResetError):  # the client went away: an interrupted download
                pass

    return Handler
