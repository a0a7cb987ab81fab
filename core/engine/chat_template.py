"""Turns a list of messages into the model's own prompt text, with the Jinja template stored in its GGUF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from core.engine.types import ChatMessage
from core.errors import GenerationError

# Used only when a GGUF has no template (base models): a plain transcript the model can continue.
_PLAIN_TEMPLATE = (
    "{% for m in messages %}"
    "{% if m['role'] == 'system' %}{{ m['content'] }}\n\n"
    "{% elif m['role'] == 'user' %}User: {{ m['content'] }}\n"
    "{% else %}Assistant: {{ m['content'] }}\n{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}Assistant:{% endif %}"
)


@dataclass(frozen=True)
class RenderedPrompt:
    text: str
    add_special: bool  # whether the tokenizer should still add BOS (the template did not)
    stop: tuple[str, ...]


class ChatTemplate:
    """The model's own template; without one, `fallback` (a base model's few-shot template from its
    profile, ending at `fallback_stops`), else a plain transcript."""

    def __init__(
        self,
        template: str | None,
        bos_token: str,
        eos_token: str,
        fallback: str | None = None,
        fallback_stops: tuple[str, ...] = (),
    ) -> None:
        self.has_model_template = bool(template)
        chosen = template or fallback or _PLAIN_TEMPLATE
        self._formatter = Jinja2ChatFormatter(template=chosen, eos_token=eos_token, bos_token=bos_token)
        if template:
            self._plain_stops: tuple[str, ...] = ()
        else:
            self._plain_stops = fallback_stops if fallback else ("\nUser:",)

    def render(self, messages: Sequence[ChatMessage]) -> RenderedPrompt:
        try:
            response = self._formatter(messages=[dict(m) for m in messages])  # type: ignore[misc]
        except Exception as e:  # the template raises its own errors (e.g. roles out of order)
            raise GenerationError(f"The model's chat template rejected the conversation: {e}") from e
        stops = tuple(
            s for s in ([response.stop] if isinstance(response.stop, str) else response.stop or []) if s
        )
        # Some templates print BOS themselves; then the tokenizer must not add a second one.
        bos = self._formatter.bos_token
        add_special = not (bos and response.prompt.startswith(bos))
        return RenderedPrompt(text=response.prompt, add_special=add_special, stop=stops + self._plain_stops)
