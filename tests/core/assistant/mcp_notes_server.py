"""A real MCP server (the `mcp` SDK's stdio server) for the tests: a tiny word-count and a keyed memo store."""

from __future__ import annotations

import sys
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

server = MCPServer("test-notes")
MEMO_DIR = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()


@server.tool()
def word_count(text: str) -> int:
    """Count the words in a text."""
    return len(text.split())


@server.tool()
def save_memo(key: str, text: str) -> str:
    """Save a memo under a key."""
    path = MEMO_DIR / f"{key}.memo"
    path.write_text(text)
    return str(path)


@server.tool()
def broken(reason: str) -> str:
    """Always fails, with a message the client sees."""
    raise ToolError(reason)


if __name__ == "__main__":
    server.run("stdio")
