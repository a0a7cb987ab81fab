"""Errors in OpenAI's shape ({"error": {"message", "type", "param", "code"}}) with the right status, and
the mapping from Hearth's own exceptions to them."""

from __future__ import annotations

import logging
import math
from typing import Any

from starlette.responses import JSONResponse

from core.errors import (
    CapabilityError,
    EngineClosedError,
    GrammarError,
    HearthError,
    ModelLoadError,
    QueueFullError,
    RemoteEngineError,
    UnknownModelError,
)

log = logging.getLogger(__name__)


class APIError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def busy(retry_after_s: float, message: str) -> APIError:
    return APIError(
        429,
        message,
        type="rate_limit_error",
        code="queue_full",
        headers={"Retry-After": str(max(1, math.ceil(retry_after_s)))},
    )


def loading(message: str = "The model is loading; try again in a moment.") -> APIError:
    return APIError(503, message, type="server_error", code="model_loading", headers={"Retry-After": "2"})


def from_exception(e: BaseException) -> APIError:
    """The API error for anything a request raised. Bugs are logged whole and answered 500, never re-raised."""
    if isinstance(e, APIError):
        return e
    if isinstance(e, QueueFullError):
        return busy(e.retry_after_s, str(e))
    if isinstance(e, EngineClosedError):
        return loading(str(e))
    if isinstance(e, UnknownModelError):
        return APIError(404, str(e), code="model_not_found", param="model")
    if isinstance(e, CapabilityError | GrammarError):
        return APIError(400, str(e), code="unsupported")
    if isinstance(e, ModelLoadError | RemoteEngineError):
        return APIError(503, str(e), type="server_error", code="model_unavailable")
    if isinstance(e, HearthError):
        return APIError(500, str(e), type="server_error", code="generation_failed")
    log.exception("Unexpected error while serving a request", exc_info=e)
    return APIError(500, "Internal error: the server logged it.", type="server_error", code="internal_error")
