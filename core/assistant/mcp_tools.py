"""Tools from MCP servers (the `mcp` Python SDK, stdio transport), kept connected for the run.

The SDK is async; Hearth's executor is threaded. One background thread per server runs an event loop that
owns the session; tool calls from executor threads are handed to it and waited on with a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from core.assistant.registry import Tool
from core.assistant.schema_tools import tool_from_schema
from core.errors import ToolDefinitionError, ToolError

START_TIMEOUT_S = 60.0


class McpConnection:
    def __init__(
        self,
        name: str,
        command: str,
        args: list[str],
        env: dict[str, str] | None = None,
        read_only: frozenset[str] = frozenset(),
    ) -> None:
        self.name = name
        # The user's word, not the server's: MCP's readOnlyHint is only a hint from a server that may not
        # be trusted, so a tool asks for consent unless the user's tools file lists it as read-only.
        self.read_only = read_only
        self.command = command
        self.args = list(args)
        self.env = env
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"mcp-{name}", daemon=True)
        self._session: Any = None
        self._stop: asyncio.Event | None = None
        self._closed: Future[None] = Future()

    def start(self) -> list[Tool]:
        """Start the server, list its tools. Raises ToolDefinitionError if it cannot be reached."""
        self._thread.start()
        ready: Future[list[Any]] = Future()
        asyncio.run_coroutine_threadsafe(self._serve(ready), self._loop)
        try:
            listed = ready.result(timeout=START_TIMEOUT_S)
        except FutureTimeout as e:
            self.close()
            raise ToolDefinitionError(
                f"MCP server '{self.name}' did not answer in {START_TIMEOUT_S:g} s."
            ) from e
        except Exception as e:
            self.close()
            raise ToolDefinitionError(f"MCP server '{self.name}' could not be started: {e}") from e
        tools = []
        for t in listed:
            tools.append(
                tool_from_schema(
                    t.name,
                    t.description or t.title or t.name,
                    getattr(t, "input_schema", None) or getattr(t, "inputSchema", {}),
                    side_effects=t.name not in self.read_only,
                    func=self._caller(t.name),
                    source=f"mcp:{self.name}",
                )
            )
        return tools

    async def _serve(self, ready: Future[list[Any]]) -> None:
        from mcp import ClientSession, StdioServerParameters, stdio_client

        self._stop = asyncio.Event()
        try:
            params = StdioServerParameters(command=self.command, args=self.args, env=self.env)
            async with stdio_client(params, errlog=sys.stderr) as streams:
                read, write = streams[0], streams[1]
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    listed = await session.list_tools()
                    self._session = session
                    ready.set_result(list(listed.tools))
                    await self._stop.wait()
        except BaseException as e:
            if not ready.done():
                ready.set_exception(e)
        finally:
            self._session = None
            if not self._closed.done():
                self._closed.set_result(None)

    def _caller(self, tool_name: str) -> Callable[..., Any]:
        def call(**kwargs: Any) -> Any:
            if self._session is None:
                raise ToolError(f"The MCP server '{self.name}' is not running.")
            future = asyncio.run_coroutine_threadsafe(self._session.call_tool(tool_name, kwargs), self._loop)
            try:
                result = future.result(timeout=30.0)
            except FutureTimeout as e:
                future.cancel()
                raise ToolError(f"{tool_name} (MCP '{self.name}') gave no answer in 30 s.") from e
            except Exception as e:
                raise ToolError(f"{tool_name} (MCP '{self.name}') failed: {e}") from e
            text = "\n".join(getattr(c, "text", "") for c in result.content if getattr(c, "text", None))
            if getattr(result, "is_error", False) or getattr(result, "isError", False):
                raise ToolError(f"{tool_name} (MCP '{self.name}'): {text or 'error'}")
            structured = getattr(result, "structured_content", None) or getattr(
                result, "structuredContent", None
            )
            if isinstance(structured, dict) and set(structured) == {"result"}:
                return structured["result"]
            return structured if structured is not None else text

        return call

    def close(self) -> None:
        """Stop the server and the loop; waits a few seconds for the server process to exit."""
        if self._stop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._stop.set)
            with contextlib.suppress(FutureTimeout):
                self._closed.result(timeout=10.0)
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread.is_alive():
            self._thread.join(timeout=5.0)
