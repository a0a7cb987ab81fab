"""The app factory: the routes, the key check, OpenAI-style errors for unknown paths and methods, and a
worker pool for generations (a request waiting for the model waits on its worker, not on the event loop)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.server.auth import KeyAuth
from core.server.backend import Backend
from core.server.config import ServerConfig
from core.server.errors import APIError
from core.server.routes import Routes

# Enough workers that every request the scheduler's queue admits has one, and the next is refused (429)
# by the scheduler at once rather than waiting here for a worker.
WORKERS = 64


def create_app(backend: Backend, config: ServerConfig) -> Starlette:
    config.check()
    executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="hearth-server")
    routes = Routes(backend, config, executor)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        kind = "not_found" if exc.status_code == 404 else "method_not_allowed"
        return APIError(
            exc.status_code, f"{request.method} {request.url.path}: {exc.detail}", code=kind
        ).response()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        routes.cancel_all()
        executor.shutdown(wait=False, cancel_futures=True)

    app = Starlette(
        routes=[
            Route("/v1/models", routes.models, methods=["GET"]),
            Route("/v1/chat/completions", routes.chat_completions, methods=["POST"]),
            Route("/v1/completions", routes.completions, methods=["POST"]),
            Route("/v1/embeddings", routes.embeddings, methods=["POST"]),
            Route("/health", routes.health, methods=["GET"]),
            Route("/props", routes.props, methods=["GET"]),
            Route("/tokenize", routes.tokenize, methods=["POST"]),
            Route("/apply-template", routes.apply_template, methods=["POST"]),
        ],
        middleware=[Middleware(KeyAuth, api_key=config.api_key)],
        exception_handlers={HTTPException: http_error},
        lifespan=lifespan,
    )
    app.state.routes = routes
    return app
