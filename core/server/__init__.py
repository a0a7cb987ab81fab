"""Hearth's OpenAI-compatible HTTP server (`hearth serve`, and the app's server switch).

Starlette + uvicorn: Starlette is the small ASGI toolkit FastAPI itself is built on, already installed
with Hearth (the MCP client needs it), and lets every error be answered in OpenAI's own shape rather than
a framework's; request bodies are validated with pydantic, which the openai client and MCP bring too.
Streams are sent with sse-starlette, which also notices a client that goes away.

Modules: config (address, key, limits), app (the app factory), routes, schemas (request validation),
errors (OpenAI-style error bodies), auth, tools (function calling under a grammar), streaming (a
generation on a worker thread seen from the event loop), backend (engines, embeddings, energy), runner
(uvicorn in the foreground or on its own thread).
"""

from core.server.app import create_app
from core.server.backend import Backend
from core.server.config import ServerConfig, is_loopback
from core.server.runner import ServerThread, serve

__all__ = ["Backend", "ServerConfig", "ServerThread", "create_app", "is_loopback", "serve"]
