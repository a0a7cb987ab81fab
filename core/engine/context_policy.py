"""The stated policy for a conversation longer than the context window.

1. The system message and the newest message are always kept.
2. The oldest other messages are left out, one at a time, until the prompt fits.
3. If the system message and the newest message alone still do not fit, the newest message keeps its end
   (the part the user typed last) and the system message keeps its start, each cut at a token boundary.
Room for the answer is held back before any of this: `prompt_budget` says how much the prompt may take.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.engine.types import ChatMessage

ELLIPSIS = "…"


def prompt_budget(n_ctx: int, max_tokens: int) -> int:
    """Tokens a prompt may take: the context less the answer's room, which is at most half the context
    (a long answer setting must not squeeze the conversation out)."""
    return n_ctx - min(max_tokens, n_ctx // 2)


@dataclass(frozen=True)
class FittedConversation:
    messages: list[ChatMessage]
    dropped: int  # whole messages left out
    truncated: bool  # a kept message was cut


def fit_to_context(
    messages: Sequence[ChatMessage],
    budget: int,
    count_prompt: Callable[[Sequence[ChatMessage]], int],
    tokenize: Callable[[str], list[int]],
    detokenize: Callable[[list[int]], str],
) -> FittedConversation:
    """Return the messages to send so that count_prompt(result) <= budget, following the policy above."""
    msgs = list(messages)
    if count_prompt(msgs) <= budget:
        return FittedConversation(msgs, 0, False)

    system = [m for m in msgs[:1] if m["role"] == "system"]
    rest = msgs[len(system) :]
    # Drop from the oldest; keep the newest message whatever happens. The fewest drops that fit is found
    # by bisection: a long conversation costs a few prompt renders, not one per message left out.
    low, high = 1, len(rest) - 1  # dropping `high` leaves only the newest message
    while low < high:
        mid = (low + high) // 2
        if count_prompt(system + rest[mid:]) <= budget:
            high = mid
        else:
            low = mid + 1
    dropped = max(0, min(low, len(rest) - 1))
    rest = rest[dropped:]
    # A conversation must not open on an assistant turn: some templates refuse that.
    while len(rest) > 1 and rest[0]["role"] == "assistant":
        rest.pop(0)
        dropped += 1
    if count_prompt(system + rest) <= budget:
        return FittedConversation(system + rest, dropped, False)

    # Only the system message and the newest message are left and they are still too long.
    overhead = count_prompt(_with_contents(system, rest, "", ""))  # template tokens around empty texts
    room = max(budget - overhead, 8)
    sys_tokens = tokenize(system[0]["content"]) if system else []
    last_tokens = tokenize(rest[-1]["content"])
    sys_room = min(len(sys_tokens), room // 2) if len(last_tokens) > room // 2 else room - len(last_tokens)
    sys_room = max(min(sys_room, len(sys_tokens)), 0)
    last_room = max(room - sys_room - 2, 1)
    sys_text = detokenize(sys_tokens[:sys_room]) + (ELLIPSIS if sys_room < len(sys_tokens) else "")
    last_text = (ELLIPSIS if last_room < len(last_tokens) else "") + detokenize(last_tokens[-last_room:])
    fitted = _with_contents(system, rest, sys_text, last_text)
    # Token counts of a cut text can differ by a few from the parts; shave until it fits.
    while count_prompt(fitted) > budget and last_room > 1:
        last_room = max(1, last_room - 8)
        fitted = _with_contents(system, rest, sys_text, ELLIPSIS + detokenize(last_tokens[-last_room:]))
    return FittedConversation(fitted, dropped, True)


def _with_contents(
    system: list[ChatMessage], rest: list[ChatMessage], sys_text: str, last_text: str
) -> list[ChatMessage]:
    out: list[ChatMessage] = [{"role": "system", "content": sys_text}] if system else []
    out.append({"role": rest[-1]["role"], "content": last_text})
    return out
