"""The API key check: with a key set, every request but /health must carry it as a Bearer token (401 else)."""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from core.server.errors import APIError

OPEN_PATHS = ("/health",)  # a health check needs no key (as in llama-server)


class KeyAuth:
    def __init__(self, app: ASGIApp, api_key: str | None) -> None:
        self.app = app
        self._key = api_key.encode() if api_key else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._key is None or scope["path"] in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        given = b""
        for name, value in scope["headers"]:
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                given = value[7:].strip()
            elif name == b"x-api-key" and not given:
                given = value.strip()
        # Compared in constant time: how long a refusal takes says nothing of how much of the key was right.
        if not hmac.compare_digest(given, self._key):
            error = APIError(
                401,
                "Missing or wrong API key: send it as 'Authorization: Bearer <key>'.",
                code="invalid_api_key",
                headers={"WWW-Authenticate": "Bearer"},
            )
            await error.response()(scope, receive, send)
            return
        await self.app(scope, receive, send)
