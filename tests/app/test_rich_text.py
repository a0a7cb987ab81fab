"""Markdown to the chat view's HTML: safe for model output, and the same whether rendered whole or as it streams."""

from __future__ import annotations

from typing import Any

from app.rich_text import _BETWEEN_TAGS, _MARKDOWN, MarkdownRenderer, copy_target, render

# Blocks that change meaning as lines arrive: a paragraph that becomes a setext heading or a table, a list
# that turns loose or takes a lazy line, a fence not yet closed, a quote, indented code, a reference line.
TRICKY = """Intro line one
intro line two
===

- tight item
- another
lazy continuation

- now loose

  with a second paragraph
  1. nested *ordered*
  2. nested `code`

| a | b |
|:--|--:|
| 1 | **2** |

> quoted
> lines

    indented code

```python
first = "<block>"

```

---
[ref]: https://example.org
Last **bold** line, a [link](https://example.org/x), and ~~gone~~.

```
second block, never closed
"""


def whole(text: str, key: int = 7) -> str:
    """markdown-it rendering the text whole, as the reference."""
    env: dict[str, Any] = {"key": key, "code": [], "first": 0}
    return _BETWEEN_TAGS.sub("><", _MARKDOWN.render(text, env)).strip()


def test_a_growing_text_renders_as_the_whole_text_at_every_step() -> None:
    renderer = MarkdownRenderer(7)
    for end in range(1, len(TRICKY) + 1):
        prefix = TRICKY[:end]
        assert renderer.render(prefix).html == whole(prefix), f"differs after {prefix[-30:]!r}"
    assert render(TRICKY, 7).code_blocks == [
        "indented code",
        'first = "<block>"\n',
        "second block, never closed",
    ]


def test_only_changed_blocks_are_parsed_again(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    renderer = MarkdownRenderer(1)
    renderer.render("First paragraph.\n\n- a list\n- of two\n\nThe last one grows")
    parsed: list[str] = []
    original = renderer._render_block

    def counting(source: str, first_code: int):  # type: ignore[no-untyped-def]
        parsed.append(source)
        return original(source, first_code)

    monkeypatch.setattr(renderer, "_render_block", counting)
    renderer.render("First paragraph.\n\n- a list\n- of two\n\nThe last one grows, and grows")
    assert parsed == ["The last one grows, and grows"]


def test_raw_html_is_text_and_images_are_never_loaded() -> None:
    html = render('<script>alert(1)</script> <img src="x.png"> ![cat](https://example.org/c.png)', 1).html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert '<a href="https://example.org/c.png">[image: cat]</a>' in html


def test_only_web_links_become_links() -> None:
    html = render(
        "[a](https://a.org) [b](mailto:b@c.org) [c](file:///etc/passwd) [d](copy:1/0) [e](javascript:x)",
        1,
    ).html
    assert html.count("<a ") == 2
    assert 'href="https://a.org"' in html and 'href="mailto:b@c.org"' in html
    for kept in ("[c](file:///etc/passwd)", "[d](copy:1/0)", "[e](javascript:x)"):
        assert kept in html


def test_single_newlines_are_line_breaks() -> None:
    assert render("one\ntwo", 1).html == "<p>one<br />\ntwo</p>"


def test_copy_links_name_the_message_and_the_block() -> None:
    rendered = render("```\na\n```\ntext\n```sh\nb\n```", 4)
    assert rendered.code_blocks == ["a", "b"]
    assert 'href="copy:4/0"' in rendered.html and 'href="copy:4/1"' in rendered.html
    assert copy_target("copy:4/1") == (4, 1)
    assert copy_target("https://example.org") is None and copy_target("copy:x/1") is None
