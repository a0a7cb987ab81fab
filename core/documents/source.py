"""A cited passage in its place: the file's text as it was indexed, with the passage's span in it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.documents.answer import Citation
from core.documents.extract import extract, kind_of
from core.errors import DocumentError


@dataclass(frozen=True)
class SourcePassage:
    text: str  # the page (or whole file) the passage is in
    start: int  # the passage is text[start:end]
    end: int
    exact: bool  # False when the file changed since it was indexed: then `text` is the indexed passage alone
    kind: str


def locate(citation: Citation) -> SourcePassage:
    path = Path(citation.file)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise DocumentError(f"Cannot open '{path}': {e.strerror or e}.") from e
    kind = kind_of(path)
    try:
        sections = extract(data, kind)
    except Exception:  # a file that cannot be read any more: still show what was indexed
        sections = []
    for section in sections:
        place = citation.place
        if place.page is not None and section.page not in (None, place.page):
            continue
        if section.text[place.char_start : place.char_end] == citation.text:
            return SourcePassage(section.text, place.char_start, place.char_end, True, kind)
    return SourcePassage(citation.text, 0, len(citation.text), False, kind)
