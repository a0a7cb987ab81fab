"""Chat messages in Markdown, rendered to the HTML subset QTextBrowser shows, safe for untrusted model output.

markdown-it-py (CommonMark, plus GitHub tables and strikethrough) rather than Qt's own Markdown reader:
it lets us escape raw HTML, drop remote images, allow only web links, and give each code block a Copy
link, which Qt's reader cannot do. It is Python, so a streaming answer is not parsed whole at each
render: MarkdownRenderer splits it into its top-level blocks (a cheap block-only pass) and parses again
only the blocks that changed, normally the last one.
"""

from __future__ import annotations

import functools
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
_NEWLINES = re.compile(r"\r\n?")


@dataclass
class Rendered:
    """A message as HTML, one piece per top-level block, and the text of each code block (what its Copy
    links copy)."""

    blocks: list[str] = field(default_factory=list)
    code_blocks: list[str] = field(default_factory=list)

    @property
    def html(self) -> str:
        return "".join(self.blocks)


@dataclass(frozen=True)
class _Block:
    source: str  # the block's lines
    first_code: int  # the number of its first code block in the message
    html: str
    code_blocks: tuple[str, ...]


class MarkdownRenderer:
    """Renders one message, again and again as it grows, re-parsing only the top-level blocks that changed.

    The result is always that of rendering the text whole: each top-level block renders the same alone
    as in its message (link reference definitions, the one thing that reaches across blocks, are off).
    """

    def __init__(self, key: int) -> None:
        """Args:
        key: the message's number in the view; code block i copies through the link `copy:<key>/<i>`.
        """
        self.key = key
        self._blocks: list[_Block] = []

    def render(self, text: str) -> Rendered:
        blocks: list[_Block] = []
        first_code = 0
        for i, source in enumerate(_top_level_blocks(text)):
            reuse = i < len(self._blocks) and self._blocks[i].source == source
            if reuse and self._blocks[i].first_code == first_code:
                block = self._blocks[i]
            else:
                block = self._render_block(source, first_code)
            blocks.append(block)
            first_code += len(block.code_blocks)
        self._blocks = blocks
        return Rendered([b.html for b in blocks], [code for b in blocks for code in b.code_blocks])

    def _render_block(self, source: str, first_code: int) -> _Block:
        return _render_block(source, self.key, first_code)


@functools.lru_cache(maxsize=4096)
def _render_block(source: str, key: int, first_code: int) -> _Block:
    """One top-level block; cached, so that a conversation opened again is not parsed again."""
    env: dict[str, Any] = {"key": key, "code": [], "first": first_code}
    html = _MARKDOWN.render(source, env)
    # Qt reads the newline markdown-it writes after each closing tag as a space at the end of the block
    # before (a list item "two" becomes "two "). No text node is lost: text inside tags is escaped.
    return _Block(source, first_code, _BETWEEN_TAGS.sub("><", html).strip(), tuple(env["code"]))


def render(text: str, key: int) -> Rendered:
    """The HTML of one message's Markdown (see MarkdownRenderer for the key)."""
    return MarkdownRenderer(key).render(text)


def _top_level_blocks(text: str) -> list[str]:
    """The source lines of each top-level block (paragraph, list, table, code block...), in order."""
    lines = _NEWLINES.sub("\n", text).replace("\0", "\ufffd").split("\n")  # as markdown-it normalizes
    spans = [t.map for t in _BLOCKS.parse(text) if t.level == 0 and t.map is not None]
    # The last block runs to the end of the text: a fence not yet closed keeps its trailing newlines.
    return [
        "\n".join(lines[start : end if i < len(spans) - 1 else len(lines)])
        for i, (start, end) in enumerate(spans)
    ]


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


def style_sheet(mono_family: str) -> str:
    """The rules the HTML below relies on, for the document's default style sheet (kept out of the HTML so
    that each streaming render has less to parse)."""
    return f"""
code, pre {{ font-family: '{mono_family}'; }}
code {{ background-color: {CODE_BACKGROUND}; }}
th {{ background-color: {CODE_BACKGROUND}; }}
table.md {{ border-collapse: collapse; border-color: {TABLE_BORDER}; border-style: solid;
           margin-top: 4px; margin-bottom: 8px; }}
table.code {{ margin-top: 4px; margin-bottom: 8px; }}
td.label {{ padding: 6px 8px 0px 8px; color: #6a737d; }}
td.code {{ padding: 2px 8px 8px 8px; }}
a.copy {{ text-decoration: none; }}
"""


def _fence(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A code block: a shaded box with the language (if given) and a Copy link above monospace text."""
    token = tokens[idx]
    code = token.content.removesuffix("\n")  # a trailing newline would show as an empty line in <pre>
    n = env["first"] + len(env["code"])
    env["code"].append(code)
    language = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
    # One table, two rows (language and Copy, then the code): a nested table would add an empty line.
    return (
        f'<table class="code" width="100%" cellspacing="0" cellpadding="0" border="0" bgcolor="{CODE_BACKGROUND}">'
        f'<tr><td class="label">{escape(language)}</td><td class="label" align="right">'
        f'<a class="copy" href="{COPY_SCHEME}:{env["key"]}/{n}">Copy</a></td></tr>'
        f'<tr><td class="code" colspan="2"><pre>{escape(code)}</pre></td></tr></table>'
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
    return '<table class="md" cellspacing="0" cellpadding="5" border="1">'


def _web_link(url: str) -> bool:
    return url.strip().lower().startswith(LINK_SCHEMES)


def _build() -> MarkdownIt:
    # html=False: raw HTML from the model is shown as the text it is. breaks=True: a single newline is a
    # line break, as in chat apps (CommonMark would join the lines), so a poem or an address keeps its lines.
    md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])
    # Reference definitions ("[1]: https://...") would make a block's HTML depend on text elsewhere, and
    # MarkdownRenderer renders blocks alone; chat models write links inline. Off: such lines stay text.
    md.disable("reference")
    md.validateLink = _web_link  # type: ignore[method-assign]
    md.add_render_rule("fence", _fence)
    md.add_render_rule("code_block", _fence)
    md.add_render_rule("image", _image)
    md.add_render_rule("table_open", _table_open)
    return md


_MARKDOWN = _build()
# The same rules, block structure only (no inline parsing): where the top-level blocks are.
_BLOCKS = _build()
_BLOCKS.core.ruler.disable(["inline", "text_join"])
