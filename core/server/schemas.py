"""Request bodies: read within the size limit, parsed, and validated into typed objects (pydantic), each
failure answered with the 4xx OpenAI gives and the field it concerns."""

from __future__ import annotations

import json
from typing import Any, Literal, TypeVar

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request

from core.server.errors import APIError

MAX_STOP_STRINGS = 16

T = TypeVar("T", bound=BaseModel)


class _Body(BaseModel):
    # Clients send fields Hearth does not use (user, metadata, store...): they are ignored, not refused.
    model_config = ConfigDict(extra="ignore")


class TextPart(_Body):
    type: str
    text: str | None = None


class FunctionCall(_Body):
    name: str
    arguments: str = "{}"


class ToolCall(_Body):
    id: str = ""
    type: Literal["function"] = "function"
    function: FunctionCall


class Message(_Body):
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[TextPart] | None = None
    name: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        parts = []
        for part in self.content:
            if part.type != "text" or part.text is None:
                raise APIError(
                    400,
                    f"Only text content is supported, not '{part.type}'.",
                    param="messages",
                    code="unsupported",
                )
            parts.append(part.text)
        return "".join(parts)


class FunctionDef(_Body):
    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    description: str = ""
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})


class Tool(_Body):
    type: Literal["function"]
    function: FunctionDef


class NamedFunction(_Body):
    name: str


class NamedToolChoice(_Body):
    type: Literal["function"]
    function: NamedFunction


class JSONSchemaFormat(_Body):
    name: str = "response"
    schema_: dict[str, Any] = Field(alias="schema")
    strict: bool | None = None


class ResponseFormat(_Body):
    type: Literal["text", "json_object", "json_schema"]
    json_schema: JSONSchemaFormat | None = None


class StreamOptions(_Body):
    include_usage: bool = False


class _Sampling(_Body):
    model: str
    stream: bool = False
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    seed: int | None = None
    stop: str | list[str] | None = None
    n: int = Field(default=1, ge=1, le=1)  # one answer per request: the one model decodes one at a time
    # llama-server's own fields, which Hearth's remote engine sends to another Hearth or a llama-server.
    grammar: str | None = None
    top_k: int | None = Field(default=None, ge=0)
    min_p: float | None = Field(default=None, ge=0.0, le=1.0)
    repeat_penalty: float | None = Field(default=None, ge=0.0, le=10.0)

    def stops(self) -> tuple[str, ...]:
        stops = [self.stop] if isinstance(self.stop, str) else list(self.stop or [])
        if len(stops) > MAX_STOP_STRINGS:
            raise APIError(400, f"At most {MAX_STOP_STRINGS} stop strings.", param="stop")
        return tuple(s for s in stops if s)

    def answer_limit(self) -> int | None:
        return self.max_completion_tokens or self.max_tokens


class ChatRequest(_Sampling):
    messages: list[Message] = Field(min_length=1)
    tools: list[Tool] | None = None
    tool_choice: Literal["none", "auto", "required"] | NamedToolChoice | None = None
    parallel_tool_calls: bool = True
    response_format: ResponseFormat | None = None


class CompletionRequest(_Sampling):
    prompt: str


class EmbeddingRequest(_Body):
    model: str
    input: str | list[str] = Field(min_length=1)
    encoding_format: Literal["float", "base64"] = "float"  # the openai client asks for base64


class TokenizeRequest(_Body):
    content: str
    add_special: bool = False


class TemplateRequest(_Body):
    messages: list[Message] = Field(min_length=1)


async def read_json(request: Request, limit: int) -> Any:
    """The body as JSON: 413 past `limit` bytes (told or counted), 400 when it is not JSON."""
    told = request.headers.get("content-length")
    if told is not None and told.isdigit() and int(told) > limit:
        raise _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise APIError(400, f"The request body is not valid JSON: {e}", code="invalid_json") from e


def _too_large(limit: int) -> APIError:
    return APIError(413, f"The request body is larger than {limit} bytes.", code="request_too_large")


def parse(cls: type[T], data: Any) -> T:
    if not isinstance(data, dict):
        raise APIError(400, "The request body must be a JSON object.", code="invalid_request")
    try:
        return cls.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or None
        raise APIError(400, f"{where}: {first['msg']}" if where else first["msg"], param=where) from e


def check_schema(schema: dict[str, Any], param: str) -> None:
    """A JSON schema that is itself valid (400 naming where it is not)."""
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as e:
        raise APIError(
            400, f"{param} is not a valid JSON schema: {e.message}", param=param, code="invalid_schema"
        ) from e
