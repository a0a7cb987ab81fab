"""The context policy on the real tokenizer: the fewest oldest messages are left out, the system message and
the newest message always stay, and a conversation that opens on an assistant turn is not sent."""

from __future__ import annotations

from core.engine import ChatMessage, LocalEngine
from core.engine.context_policy import fit_to_context


def _conversation(n: int) -> list[ChatMessage]:
    out: list[ChatMessage] = [{"role": "system", "content": "You are brief."}]
    for i in range(n):
        out.append({"role": "user", "content": f"Question {i}: tell me about the number {i} in a sentence."})
        out.append(
            {"role": "assistant", "content": f"The number {i} comes after {i - 1} and before {i + 1}."}
        )
    out.append({"role": "user", "content": "And the last question?"})
    return out


def test_the_fewest_oldest_messages_are_left_out(engine: LocalEngine) -> None:
    messages = _conversation(60)
    full = engine.count_chat_tokens(messages)
    budget = full // 3
    fitted = fit_to_context(messages, budget, engine.count_chat_tokens, engine.tokenize, engine.detokenize)
    assert not fitted.truncated and engine.count_chat_tokens(fitted.messages) <= budget
    assert fitted.messages[0] == messages[0] and fitted.messages[-1] == messages[-1]
    assert fitted.messages[1]["role"] == "user"
    kept = fitted.messages[1:]
    assert kept == messages[len(messages) - len(kept) :], "a contiguous tail of the conversation"
    # One message more (two, to start on a user turn) would not have fitted.
    longer = [messages[0], *messages[len(messages) - len(kept) - 2 :]]
    assert engine.count_chat_tokens(longer) > budget


def test_a_conversation_that_fits_is_sent_whole(engine: LocalEngine) -> None:
    messages = _conversation(3)
    fitted = fit_to_context(messages, 10_000, engine.count_chat_tokens, engine.tokenize, engine.detokenize)
    assert fitted.messages == messages and fitted.dropped == 0
