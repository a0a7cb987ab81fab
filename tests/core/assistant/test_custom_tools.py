"""The user's own tools: OpenAI JSON bound to a real command and a real local HTTP server, and a real MCP
server subprocess."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.assistant.consent import ConsentRequest, allow_all
from core.assistant.custom_tools import load_tool_file
from core.assistant.executor import Executor
from core.assistant.plan import parse_plan
from core.assistant.registry import ToolRegistry

HERE = Path(__file__).parent


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body.get("city") == "Atlantis":
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps({"city": body["city"], "temp_c": 21, "days": body.get("days", 1)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/weather"
    server.shutdown()
    server.server_close()


def write_tools(path: Path, http_url: str, memo_dir: Path | None = None) -> Path:
    data: dict = {
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Current weather for a city.",
                    "parameters": {
                        "type": "object",
                        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                        "required": ["city"],
                    },
                },
                "x-hearth": {"http": {"url": http_url}, "side_effects": False},
            },
            {
                "type": "function",
                "function": {
                    "name": "shout",
                    "description": "Upper-case a text.",
                    "parameters": {
                        "type": "object",
                        "properties": {"text": {"type": "string"}},
                        "required": ["text"],
                    },
                },
                "x-hearth": {
                    "command": [sys.executable, "-c", "import sys; print(sys.argv[1].upper())", "{text}"],
                    "side_effects": False,
                },
            },
        ]
    }
    if memo_dir is not None:
        data["mcpServers"] = {
            "notes": {
                "command": sys.executable,
                "args": [str(HERE / "mcp_notes_server.py"), str(memo_dir)],
                "read_only": ["word_count"],
            }
        }
    path.write_text(json.dumps(data))
    return path


def test_openai_json_tools_call_a_command_and_an_http_endpoint(tmp_path: Path, http_url: str) -> None:
    tool_file = load_tool_file(write_tools(tmp_path / "tools.json", http_url))
    registry = ToolRegistry(tool_file.tools)
    plan = parse_plan(
        '1. get_weather(city="Oslo", days=2)\n2. shout(text="it is $1")\n3. get_weather(city="Atlantis")\n'
        "4. join()",
        registry,
    )
    out = Executor(registry, consent=allow_all).run(plan)
    assert out[1].value == {"city": "Oslo", "temp_c": 21, "days": 2}
    assert out[2].value.startswith("IT IS {") and "OSLO" in out[2].value
    assert out[3].status == "failed" and "404" in out[3].error


def test_unbound_tools_plan_but_do_not_run(tmp_path: Path) -> None:
    tool_file = load_tool_file(write_tools(tmp_path / "tools.json", "http://127.0.0.1:9/x"), bind=False)
    registry = ToolRegistry(tool_file.tools)
    out = Executor(registry, consent=allow_all).run(parse_plan('1. shout(text="x")\n2. join()', registry))
    assert out[1].status == "failed" and "bound to nothing" in out[1].error


def test_mcp_server_tools_join_the_registry_and_run(tmp_path: Path, http_url: str) -> None:
    memo_dir = tmp_path / "memos"
    memo_dir.mkdir()
    tool_file = load_tool_file(write_tools(tmp_path / "tools.json", http_url, memo_dir))
    try:
        registry = ToolRegistry(tool_file.tools)
        assert {"word_count", "save_memo", "broken"} <= set(registry.names)
        assert registry.get("save_memo").signature_text() == "save_memo(key: str, text: str)"
        assert not registry.get("word_count").side_effects, "the tools file marked it read-only"
        assert registry.get("save_memo").side_effects, "unmarked MCP tools ask before running"
        asked: list[ConsentRequest] = []

        def consent(r: ConsentRequest) -> bool:
            asked.append(r)
            return True

        plan = parse_plan(
            '1. word_count(text="one two three")\n2. save_memo(key="m1", text="words: $1")\n'
            '3. broken(reason="on purpose")\n4. join()',
            registry,
        )
        out = Executor(registry, consent=consent).run(plan)
        assert out[1].value == 3
        assert (memo_dir / "m1.memo").read_text() == "words: 3"
        assert sorted(r.tool for r in asked) == ["broken", "save_memo"]
        assert out[3].status == "failed" and "on purpose" in out[3].error
    finally:
        tool_file.close()
