"""Opening a remote engine while its server still loads the model: the probe waits out the 503s (with their
Retry-After) instead of concluding that the server can do nothing. A real HTTP server on loopback plays a
llama-server that loads for a moment."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.engine.remote import RemoteConfig, probe


class _LoadingServer(BaseHTTPRequestHandler):
    loading_answers = 2  # the first /props requests get 503, as while a model loads
    props_seen = 0

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/v1/models":
            self._send(200, {"object": "list", "data": [{"id": "m", "object": "model", "owned_by": "x"}]})
        elif self.path == "/props":
            cls = type(self)
            cls.props_seen += 1
            if cls.props_seen <= cls.loading_answers:
                self._send(503, {"error": {"message": "Loading model"}}, {"Retry-After": "0.2"})
            else:
                self._send(200, {"default_generation_settings": {"n_ctx": 1024}})
        else:
            self._send(404, {"error": {"message": "no"}})


@pytest.fixture
def server() -> Iterator[str]:
    _LoadingServer.props_seen = 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _LoadingServer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def test_a_server_still_loading_is_waited_for_and_its_grammar_found(server: str) -> None:
    found = probe(RemoteConfig("loading", server))
    assert _LoadingServer.props_seen == 3
    assert found.kind == "llama.cpp" and found.grammar and found.json_schema
    assert found.n_ctx == {"m": 1024}
