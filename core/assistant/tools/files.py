"""Files: find by name, open in their app, summarise with the engine."""

from __future__ import annotations

import os
from pathlib import Path

from core.assistant.registry import Tool, tool_from_function
from core.assistant.tools.base import ToolContext, ToolResult
from core.engine import GenerationOptions
from core.errors import ToolError

MAX_RESULTS = 20
MAX_VISITED = 50_000  # a home folder can hold millions of files: stop looking after this many
SUMMARY_CHARS = 4000  # what fits a small model's context with room for the answer
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".rst", ".csv", ".json", ".py", ".html", ".xml", ".log",
                 ".ini", ".toml", ".yaml", ".yml", ".tex", ".eml", ".ics", ".vcf"}  # fmt: skip


def find(root: Path, query: str, limit: int = MAX_RESULTS) -> list[Path]:
    """Files whose name holds every word of the query; whole-name matches first, then the newest."""
    words = [w for w in query.lower().replace("*", " ").split() if w]
    if not words:
        raise ToolError("Nothing to look for.")
    hits: list[Path] = []
    visited = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("node_modules", "__pycache__")]
        for name in files:
            visited += 1
            low = name.lower()
            if all(w in low for w in words):
                hits.append(Path(folder) / name)
        if visited >= MAX_VISITED:
            break

    def rank(p: Path) -> tuple[int, float]:
        exact = p.stem.lower() == " ".join(words) or p.name.lower() == " ".join(words)
        try:
            mtime = p.stat().st_mtime
        except OSError:
            mtime = 0.0
        return (0 if exact else 1, -mtime)

    return sorted(hits, key=rank)[:limit]


def file_tools(ctx: ToolContext) -> list[Tool]:
    def find_files(query: str, folder: str = "") -> ToolResult:
        """Find files on this computer whose name contains the given words.

        Args:
            query: words in the file name, e.g. "budget 2024" or ".pdf"
            folder: where to look (empty: the home folder)
        """
        root = Path(folder).expanduser() if folder.strip() else ctx.search_root
        if not root.is_dir():
            raise ToolError(f"No folder '{root}'.")
        hits = find(root, query)
        if not hits:
            raise ToolError(f"No file named like '{query}' under {root}.")
        paths = [str(p) for p in hits]
        return ToolResult(value=paths, text=f"{len(paths)} file(s):\n" + "\n".join(paths))

    def open_file(path: str) -> ToolResult:
        """Open a file in the application the user has for it.

        Args:
            path: the file's path
        """
        p = Path(path).expanduser()
        if not p.exists():
            raise ToolError(f"No file '{p}'.")
        ctx.desktop.open(str(p))
        return ToolResult(value=str(p), text=f"Opened {p}.", opened=[str(p)])

    def summarize_file(path: str) -> ToolResult:
        """Summarise what a text file says, in a few sentences.

        Args:
            path: the file's path
        """
        p = Path(path).expanduser()
        if not p.is_file():
            raise ToolError(f"No file '{p}'.")
        if p.suffix.lower() not in TEXT_SUFFIXES:
            raise ToolError(f"Cannot read '{p.name}': only text files can be summarised.")
        if ctx.engine is None:
            raise ToolError("No model is loaded to summarise with.")
        text = p.read_text(encoding="utf-8", errors="replace")[:SUMMARY_CHARS]
        if not text.strip():
            raise ToolError(f"'{p.name}' is empty.")
        result = ctx.engine().chat(
            [
                {"role": "system", "content": "Summarise the user's document in at most three sentences."},
                {"role": "user", "content": text},
            ],
            GenerationOptions(max_tokens=160, temperature=0.0, repeat_penalty=1.1),
        )
        summary = result.text.strip()
        return ToolResult(value=summary, text=f"Summary of {p.name}: {summary}")

    return [
        tool_from_function(find_files, side_effects=False, returns="list[path]"),
        tool_from_function(open_file, side_effects=True, returns="path"),
        tool_from_function(summarize_file, side_effects=False, returns="str"),
    ]
