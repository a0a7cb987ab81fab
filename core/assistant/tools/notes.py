"""Notes: Markdown files in the notes folder. Create, append to, open."""

from __future__ import annotations

from pathlib import Path

from core.assistant.registry import Tool, tool_from_function
from core.assistant.tools.base import ToolContext, ToolResult, slug, unique_path
from core.assistant.tools.files_io import append, write_atomic
from core.errors import ToolError


def find_note(folder: Path, title: str) -> Path | None:
    """The note whose file name or first heading matches the title, ignoring case and punctuation."""
    if not folder.is_dir():
        return None
    wanted = slug(title)
    exact = folder / f"{wanted}.md"
    if exact.exists():
        return exact
    notes = sorted(folder.glob("*.md"))
    for note in notes:
        first = note.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
        if slug(first.lstrip("# ")) == wanted:
            return note
    partial = [n for n in notes if wanted and wanted in n.stem]
    return partial[0] if len(partial) == 1 else None


def note_tools(ctx: ToolContext) -> list[Tool]:
    def create_note(title: str, content: str) -> ToolResult:
        """Write a new note (a Markdown file) with a title and text.

        Args:
            title: the note's title
            content: the text of the note
        """
        if not title.strip():
            raise ToolError("A note needs a title.")
        path = unique_path(ctx.notes_dir, slug(title), ".md")
        write_atomic(path, f"# {title.strip()}\n\n{content.strip()}\n".encode())
        return ToolResult(
            value=str(path),
            text=f"Created note '{title.strip()}' ({path}).",
            undo={"kind": "delete_file", "path": str(path)},
        )

    def append_to_note(title: str, content: str) -> ToolResult:
        """Add text to the end of an existing note (a new note if there is none with that title).

        Args:
            title: the note's title
            content: the text to add
        """
        path = find_note(ctx.notes_dir, title)
        if path is None:
            created = create_note(title, content)
            created.text = f"There was no note '{title}', so it was created: {created.value}."
            return created
        before, after = append(path, f"\n{content.strip()}\n")
        return ToolResult(
            value=str(path),
            text=f"Added to note '{title}' ({path}).",
            undo={"kind": "truncate_file", "path": str(path), "size": before, "expect_size": after},
        )

    def open_note(title: str) -> ToolResult:
        """Open a note in the user's text editor.

        Args:
            title: the note's title
        """
        path = find_note(ctx.notes_dir, title)
        if path is None:
            known = (
                ", ".join(p.stem for p in sorted(ctx.notes_dir.glob("*.md"))[:10])
                if ctx.notes_dir.is_dir()
                else ""
            )
            raise ToolError(f"No note called '{title}'." + (f" Notes: {known}." if known else ""))
        ctx.desktop.open(str(path))
        return ToolResult(value=str(path), text=f"Opened note {path}.", opened=[str(path)])

    return [
        tool_from_function(create_note, side_effects=True, returns="path"),
        tool_from_function(append_to_note, side_effects=True, returns="path"),
        tool_from_function(open_note, side_effects=False, returns="path"),
    ]
