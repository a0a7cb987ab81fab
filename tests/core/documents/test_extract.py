"""Text extraction from real files of every supported kind, and the reasons bad ones are skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.documents.extract import extract, html_to_text, kind_of
from core.errors import SkippedFile
from tests.docs_factory import (
    pdf_bytes,
    write_binary,
    write_corrupt_pdf,
    write_docx,
    write_encrypted_pdf,
    write_pdf,
)


def test_kinds_come_from_the_file_name() -> None:
    assert kind_of(Path("a/notes.MD")) == "text"
    assert kind_of(Path("main.rs")) == "code"
    assert kind_of(Path("index.htm")) == "html"
    assert kind_of(Path("r.PDF")) == "pdf"
    assert kind_of(Path("letter.docx")) == "docx"
    assert kind_of(Path("photo.jpeg")) == "binary"
    assert kind_of(Path("Makefile")) == "unknown"


def test_plain_text_in_utf8_with_bom_and_in_windows_1252() -> None:
    assert extract("café ☕\nline two".encode(), "text")[0].text == "café ☕\nline two"
    assert extract(b"\xef\xbb\xbfwith a BOM", "text")[0].text == "with a BOM"
    # An old Windows file: 0xE9 is é in cp1252 and invalid on its own in UTF-8.
    assert extract(b"r\xe9sum\xe9 of the meeting", "text")[0].text == "résumé of the meeting"
    assert extract("utf16 text".encode("utf-16"), "unknown")[0].text == "utf16 text"


def test_binary_and_empty_files_are_skipped_with_a_reason(tmp_path: Path) -> None:
    blob = write_binary(tmp_path / "blob.txt")
    with pytest.raises(SkippedFile, match="binary"):
        extract(blob.read_bytes(), "text")
    with pytest.raises(SkippedFile, match="empty"):
        extract(b"  \n\t\n", "text")
    with pytest.raises(SkippedFile, match="not a document"):
        extract(b"\x89PNG\r\n", "binary")


def test_html_keeps_visible_text_and_title_only() -> None:
    html = """<html><head><title>Bee notes</title><style>p {color: red}</style>
    <script>alert("no")</script></head><body><h1>Hives</h1><p>Inspect every
    seven days &amp; light the smoker.</p><ul><li>Mites</li><li>Honey</li></ul></body></html>"""
    text = html_to_text(html)
    assert text.splitlines() == [
        "Bee notes",
        "Hives",
        "Inspect every seven days & light the smoker.",
        "Mites",
        "Honey",
    ]
    assert extract(html.encode(), "html")[0].text == text


def test_pdf_gives_one_section_per_page(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "r.pdf", ["The heron (grey) nests early.", "", "Page three: swans."])
    sections = extract(path.read_bytes(), "pdf")
    assert [s.page for s in sections] == [1, 3], "a page without text is left out, numbers are kept"
    assert "The heron (grey) nests early." in sections[0].text
    assert "swans" in sections[1].text


def test_encrypted_pdf_needs_its_password_unless_the_password_is_empty(tmp_path: Path) -> None:
    locked = write_encrypted_pdf(tmp_path / "locked.pdf", ["Secret plans."])
    with pytest.raises(SkippedFile, match="encrypted PDF: it needs a password"):
        extract(locked.read_bytes(), "pdf")
    # Encrypted only to restrict printing: opens with the empty password, as every PDF viewer does.
    open_one = write_encrypted_pdf(tmp_path / "open.pdf", ["Printable? No. Readable? Yes."], password="")
    assert "Readable? Yes." in extract(open_one.read_bytes(), "pdf")[0].text


def test_damaged_and_textless_pdfs_are_skipped(tmp_path: Path) -> None:
    with pytest.raises(SkippedFile, match="damaged PDF"):
        extract(write_corrupt_pdf(tmp_path / "broken.pdf").read_bytes(), "pdf")
    with pytest.raises(SkippedFile, match="no text found: a scanned PDF"):
        extract(pdf_bytes(["", ""]), "pdf")


def test_docx_paragraphs_and_tables(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "letter.docx",
        ["Dear Ana,", "The kiln reaches 1260 degrees.", ""],
        table=[["glaze", "cone"], ["celadon", "10"]],
    )
    text = extract(path.read_bytes(), "docx")[0].text
    assert text.splitlines() == [
        "Dear Ana,",
        "The kiln reaches 1260 degrees.",
        "glaze | cone",
        "celadon | 10",
    ]
    with pytest.raises(SkippedFile, match="damaged Word document"):
        extract(b"PK\x03\x04 this is not really a zip", "docx")
