"""Streamed text cut into sentences to speak, Markdown made sayable, the assistant's spoken summary."""

from __future__ import annotations

from dataclasses import dataclass

from core.voice.text import SentenceSplitter, sentences, speakable, spoken_summary


def _stream(text: str, size: int = 3) -> tuple[list[str], list[int]]:
    """The sentences, and after how many characters fed each came out."""
    splitter = SentenceSplitter()
    out: list[str] = []
    at: list[int] = []
    for i in range(0, len(text), size):
        for s in splitter.feed(text[i : i + size]):
            out.append(s)
            at.append(i + size)
    out += splitter.flush()
    return out, at


def test_each_sentence_comes_out_as_soon_as_it_is_complete() -> None:
    text = "Paris is the capital. Dr. Smith paid 3.50 euros for it! Is that a lot? Not really."
    out, at = _stream(text)
    assert out == [
        "Paris is the capital.",
        "Dr. Smith paid 3.50 euros for it!",
        "Is that a lot?",
        "Not really.",
    ]
    assert at[0] <= len("Paris is the capital. ") + 3, "the first sentence did not wait for the rest"


def test_a_long_first_sentence_is_spoken_from_its_first_clause() -> None:
    out, at = _stream("The capital of France is the city of Paris, which has many museums and parks. Yes.")
    assert out[0] == "The capital of France is the city of Paris,"
    assert out[1:] == ["which has many museums and parks.", "Yes."]


def test_markdown_links_and_marks_are_not_read_out() -> None:
    assert speakable("**Done:** see [the note](file:///x.md) at https://example.com `now`") == (
        "Done: see the note at a link now"
    )
    assert speakable("- ✓ `create_note(title='x')`") == "create_note(title='x')"
    assert speakable("```python\nprint(1)\n```") == ""
    assert sentences("- one\n- two\n\nThree.") == ["one", "two", "Three."]


@dataclass
class _Step:
    tool: str
    status: str
    text: str = ""
    error: str = ""


def test_the_summary_of_what_was_done_is_one_sentence() -> None:
    one = spoken_summary([_Step("create_reminder", "done", "Reminder set for tomorrow at 18:00: call mom.")])
    assert one == "Reminder set for tomorrow at 18:00: call mom."
    two = spoken_summary(
        [
            _Step("create_note", "done", "Created the note Books. It has 1 line."),
            _Step("get_phone_number", "failed", error="No contact named Mom"),
        ]
    )
    assert two == "Created the note Books; and get phone number did not work."
    assert len(sentences(two)) == 1


def test_a_whole_long_first_sentence_is_cut_at_its_first_clause_too() -> None:
    splitter = SentenceSplitter()
    summary = "Reminder set for tomorrow at 18:00 to call mom; and get phone number did not work."
    out = splitter.feed(summary + " ") + splitter.flush()
    assert out == ["Reminder set for tomorrow at 18:00 to call mom;", "and get phone number did not work."]
