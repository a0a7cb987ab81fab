"""The user's own tools: OpenAI function-calling JSON, bound to a command or an HTTP endpoint, and MCP servers.

A tools file is either a list of OpenAI functions or an object:

    {"tools": [{"type": "function",
                "function": {"name": "...", "description": "...", "parameters": {JSON schema}},
                "x-hearth": {"command": ["prog", "--flag", "{arg}"]}            # or
                            {"http": {"url": "http://127.0.0.1:8080/x", "method": "POST"}},
                            "side_effects": true, "timeout_s": 20}],
     "mcpServers": {"name": {"command": "python", "args": ["server.py"], "env": {},
                             "read_only": ["tool_that_changes_nothing"]}}}

A command gets each `{arg}` replaced by the argument (no shell is involved) and all arguments as JSON on
stdin; its stdout is the result. An HTTP endpoint gets the arguments as a JSON body (POST) or query (GET).
Tools with no binding can still be planned (`--dry-run`). Unless the file says otherwise
(`"side_effects": false`, or an MCP server's `read_only` list) a user tool is taken to have side effects,
so it asks before running.
"""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.assistant.mcp_tools import McpConnection
from core.assistant.registry import Tool
from core.assistant.schema_tools import tool_from_schema
from core.errors import ToolDefinitionError, ToolError
from core.frozen import external_env


@dataclass
class ToolFile:
    tools: list[Tool]
    connections: list[McpConnection] = field(default_factory=list)

    def close(self) -> None:
        for c in self.connections:
            c.close()


def load_tool_file(path: Path, *, bind: bool = True) -> ToolFile:
    """Read a tools file. With bind=False nothing is started (MCP servers are skipped: their tools are only
    known by asking them) and no tool can run: for dry runs."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise ToolDefinitionError(f"Cannot read the tools file '{path}': {e.strerror}.") from e
    except json.JSONDecodeError as e:
        raise ToolDefinitionError(f"The tools file '{path}' is not valid JSON: {e}.") from e
    entries = data if isinstance(data, list) else data.get("tools", [])
    servers = {} if isinstance(data, list) else data.get("mcpServers", {})
    tools = [_openai_tool(entry, bind=bind, base=Path(path).parent) for entry in entries]
    out = ToolFile(tools=tools)
    if bind:
        try:
            for name, spec in servers.items():
                conn = McpConnection(
                    name,
                    spec["command"],
                    spec.get("args", []),
                    spec.get("env"),
                    read_only=frozenset(spec.get("read_only", [])),
                )
                out.connections.append(conn)
                out.tools.extend(conn.start())
        except BaseException:
            out.close()
            raise
    return out


def _openai_tool(entry: dict[str, Any], *, bind: bool, base: Path) -> Tool:
    fn = entry.get("function", entry)
    name = fn.get("name")
    if not name:
        raise ToolDefinitionError("A function in the tools file has no name.")
    ext = entry.get("x-hearth", {})
    func: Callable[..., Any] | None = None
    timeout = float(ext.get("timeout_s", 20.0))
    if bind and "command" in ext:
        func = _command_caller(name, ext["command"], timeout, base)
    elif bind and "http" in ext:
        func = _http_caller(name, ext["http"], timeout)
    return tool_from_schema(
        name,
        fn.get("description", ""),
        fn.get("parameters", {"type": "object", "properties": {}}),
        side_effects=bool(ext.get("side_effects", True)),
        func=func,
        source="openai-json",
        timeout_s=timeout,
    )


def _result(text: str) -> Any:
    text = text.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _command_caller(name: str, argv: list[str], timeout: float, cwd: Path) -> Callable[..., Any]:
    if not isinstance(argv, list) or not argv:
        raise ToolDefinitionError(
            f'Tool \'{name}\': x-hearth.command must be a list like ["prog", "{{arg}}"].'
        )

    def call(**kwargs: Any) -> Any:
        values = {k: ",".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in kwargs.items()}
        command = [part.format_map(_Missing(values)) for part in argv]
        try:
            done = subprocess.run(
                command,
                input=json.dumps(kwargs),
                capture_output=True,
                text=True,
                timeout=timeout,
                cwd=cwd,
                env=external_env(),
            )
        except FileNotFoundError as e:
            raise ToolError(f"{name}: the command '{command[0]}' was not found.") from e
        except subprocess.TimeoutExpired as e:
            raise ToolError(f"{name}: the command gave no answer in {timeout:g} s.") from e
        if done.returncode != 0:
            raise ToolError(f"{name}: the command failed ({done.returncode}): {done.stderr.strip()[-300:]}")
        return _result(done.stdout)

    return call


class _Missing(dict):
    """An optional argument left out of the call becomes an empty string in the command."""

    def __missing__(self, key: str) -> str:
        return ""


def _http_caller(name: str, spec: dict[str, Any], timeout: float) -> Callable[..., Any]:
    url = spec.get("url", "")
    method = spec.get("method", "POST").upper()
    if not url.startswith(("http://", "https://")):
        raise ToolDefinitionError(f"Tool '{name}': x-hearth.http.url must be an http(s) URL.")
    headers = {"Content-Type": "application/json", **spec.get("headers", {})}

    def call(**kwargs: Any) -> Any:
        if method == "GET":
            query = urllib.parse.urlencode(
                {k: json.dumps(v) if isinstance(v, list) else v for k, v in kwargs.items()}
            )
            req = urllib.request.Request(f"{url}{'&' if '?' in url else '?'}{query}", method="GET")
        else:
            req = urllib.request.Request(
                url, data=json.dumps(kwargs).encode(), headers=headers, method=method
            )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return _result(resp.read().decode("utf-8", errors="replace"))
        except urllib.error.HTTPError as e:
            raise ToolError(f"{name}: the endpoint answered {e.code} {e.reason}.") from e
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            raise ToolError(f"{name}: cannot reach {url}: {getattr(e, 'reason', e)}.") from e

    return call
