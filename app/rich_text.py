"""Chat messages in Markdown, rendered to the HTML subset QTextBrowser shows, safe for untrusted model output.

markdown-it-py (CommonMark, plus GitHub tables and strikethrough) rather than Qt's own Markdown reader:
it lets us escape raw HTML, drop remote images, allow only web links, and give each code block a Copy
link, which Qt's reader cannot do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

COPY_SCHEME = "copy"
# Only these open (in the system's browser, on a click); anything else the model writes stays text.
LINK_SCHEMES = ("http:", "https:", "mailto:")

CODE_BACKGROUND = "#f0f2f5"
TABLE_BORDER = "#c9ced4"
_BETWEEN_TAGS = re.compile(r">\s*\n\s*<")


@dataclass
class Rendered:
    """A message as HTML, and the text of each of its code blocks (what its Copy links copy)."""

    html: str
    code_blocks: list[str] = field(default_factory=list)


def render(text: str, key: int, mono_family: str = "monospace") -> Rendered:
    """The HTML of one message's Markdown.

    Args:
        text: the message as the model (or the user) wrote it.
        key: the message's number in the view; code block i copies through the link `copy:<key>/<i>`.
        mono_family: the font family of code.
    """
    env: dict[str, Any] = {"key": key, "mono": mono_family, "code": []}
    html = _MARKDOWN.render(text, env)
    # Qt reads the newline markdown-it writes after each closing tag as a space at the end of the block
    # before (a list item "two" becomes "two "). No text node is lost: text inside tags is escaped.
    return Rendered(_BETWEEN_TAGS.sub("><", html).strip(), env["code"])


def copy_target(href: str) -> tuple[int, int] | None:
    """(message key, code block number) of a Copy link, None for any other link."""
    scheme, _, rest = href.partition(":")
    if scheme != COPY_SCHEME:
        return None
    key, _, n = rest.partition("/")
    try:
        return int(key), int(n)
    except ValueError:
        return None


def _fence(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A code block: a shaded box with the language (if given) and a Copy link above monospace text."""
    token = tokens[idx]
    code = token.content.removesuffix("\n")  # a trailing newline would show as an empty line in <pre>
    n = len(env["code"])
    env["code"].append(code)
    language = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
    label = f'<span style="color:#6a737d">{escape(language)}</span>' if language else ""
    mono = escape(env["mono"], quote=True)
    # One table, two rows (language and Copy, then the code): a nested table would add an empty line.
    return (
        f'<table width="100%" cellspacing="0" cellpadding="0" border="0" bgcolor="{CODE_BACKGROUND}" '
        f'style="margin-top:4px; margin-bottom:8px">'
        f'<tr><td style="padding:6px 8px 0px 8px">{label}</td>'
        f'<td align="right" style="padding:6px 8px 0px 8px">'
        f'<a href="{COPY_SCHEME}:{env["key"]}/{n}" style="text-decoration:none">Copy</a></td></tr>'
        f'<tr><td colspan="2" style="padding:2px 8px 8px 8px">'
        f"<pre style=\"font-family:'{mono}'\">{escape(code)}</pre></td></tr>"
        f"</table>\n"
    )


def _code_inline(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    mono = escape(env["mono"], quote=True)
    return (
        f"<code style=\"font-family:'{mono}'; background-color:{CODE_BACKGROUND}\">"
        f"{escape(tokens[idx].content)}</code>"
    )


def _image(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Never loaded (a remote image would tell a server the chat was read): a link to it, named by its alt text."""
    token = tokens[idx]
    alt = renderer.renderInlineAsText(token.children or [], options, env).strip()
    src = escape(str(token.attrGet("src") or ""), quote=True)
    return f'<a href="{src}">[image: {escape(alt or "untitled")}]</a>'


def _table_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return (
        f'<table cellspacing="0" cellpadding="5" border="1" '
        f'style="border-collapse:collapse; border-color:{TABLE_BORDER}; border-style:solid; '
        f'margin-top:4px; margin-bottom:8px">\n'
    )


def _header_cell_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    tokens[idx].attrJoin("style", f"background-color:{CODE_BACKGROUND}")
    return renderer.renderToken(tokens, idx, options, env)


def _web_link(url: str) -> bool:
    return url.strip().lower().startswith(LINK_SCHEMES)


def _build() -> MarkdownIt:
    # html=False: raw HTML from the model is shown as the text it is. breaks=True: a single newline is a
    # line break, as in chat apps (CommonMark would join the lines), so a poem or an address keeps its lines.
    md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])
    md.validateLink = _web_link  # type: ignore[method-assign]
    md.add_render_rule("fence", _fence)
    md.add_render_rule("code_block", _fence)
    md.add_render_rule("code_inline", _code_inline)
    md.add_render_rule("image", _image)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("th_open", _header_cell_open)
    return md


_MARKDOWN = _build()
