"""One request answered the way every front door answers it (the chat, `hearth chat`, the evaluation):
a plain sum worked out, else the model's reply in the shape asked for, else the model's reply as it is."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from core.answers.arithmetic import work_out
from core.answers.shape import Shape, answer_in_shape, last_request, requested_shape
from core.engine import ChatEngine, ChatMessage, GenerationOptions, GenerationResult


def calculated(request: str, *, shape: bool = True) -> str | None:
    """The answer to a plain sum ("6 × 7 = 42", or "42" when only the number was asked for); None when
    the request is not one."""
    worked = work_out(request)
    if worked is None:
        return None
    if shape and worked.value and requested_shape(request) is Shape.NUMBER:
        return worked.value
    return worked.text


def answer(
    engine: ChatEngine,
    messages: Sequence[ChatMessage],
    options: GenerationOptions,
    *,
    on_token: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
) -> GenerationResult:
    """The answer to the last request of `messages`; a sum or a shaped answer arrives as one piece."""
    request = last_request(messages)
    text = calculated(request)
    if text is not None:
        if on_token is not None:
            on_token(text)
        return GenerationResult(text, "stop")
    shape = requested_shape(request)
    if shape is None:
        return engine.chat(messages, options, on_token=on_token, cancel=cancel)
    result = answer_in_shape(engine, messages, shape, options, cancel)
    if on_token is not None and result.finish_reason != "cancelled":
        on_token(result.text)
    return result
