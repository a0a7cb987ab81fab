"""Text out of the user's files: plain text, Markdown, source code, HTML, PDF and Word (.docx).

Each file gives a list of Sections, one per PDF page or one for the whole file, or raises SkippedFile with
the reason the user sees beside it (encrypted, damaged, binary, empty...).
"""

from __future__ import annotations

import io
import logging
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from core.errors import SkippedFile

TEXT_SUFFIXES = frozenset(
    {".txt", ".text", ".md", ".markdown", ".rst", ".org", ".csv", ".tsv", ".log", ".tex"}
)
CODE_SUFFIXES = frozenset(
    {
        ".py", ".pyi", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".java", ".kt", ".kts", ".scala",
        ".c", ".h", ".cc", ".cpp", ".cxx", ".hpp", ".hh", ".cs", ".go", ".rs", ".rb", ".php", ".swift",
        ".m", ".mm", ".lua", ".pl", ".r", ".jl", ".hs", ".ml", ".ex", ".exs", ".erl", ".dart", ".zig",
        ".sh", ".bash", ".zsh", ".fish", ".ps1", ".bat", ".sql", ".css", ".scss", ".less", ".vue",
        ".svelte", ".json", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf", ".xml", ".gradle", ".cmake",
    }
)  # fmt: skip
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
# Formats known to hold no text Hearth can read: refused by name, without reading them.
BINARY_SUFFIXES = frozenset(
    {
        ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".ico", ".heic", ".svgz",
        ".mp3", ".wav", ".flac", ".ogg", ".m4a", ".mp4", ".mkv", ".mov", ".avi", ".webm",
        ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".zst",
        ".exe", ".dll", ".so", ".dylib", ".o", ".a", ".class", ".jar", ".pyc", ".wasm", ".bin", ".dat",
        ".gguf", ".safetensors", ".pt", ".onnx", ".faiss", ".db", ".sqlite", ".iso", ".dmg",
        ".doc", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".epub",
    }
)  # fmt: skip

_SNIFF_BYTES = 8192

# pypdf reports recoverable damage through logging; the reason we store says it better.
logging.getLogger("pypdf").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Section:
    """Text of one page (PDF, 1-based) or of a whole file (page None)."""

    text: str
    page: int | None = None


def kind_of(path: Path) -> str:
    """The extractor a file goes to by its name: text, code, html, pdf, docx, binary, or unknown (sniffed)."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in CODE_SUFFIXES:
        return "code"
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix == ".pdf":
        return "pdf"
    if suffix == ".docx":
        return "docx"
    if suffix in BINARY_SUFFIXES:
        return "binary"
    return "unknown"


def has_line_numbers(kind: str) -> bool:
    """Kinds whose extracted text is the file's own text, so a line number opens the file at that place."""
    return kind in ("text", "code", "unknown")


def extract(data: bytes, kind: str) -> list[Section]:
    """The sections of a file's bytes, or SkippedFile with a reason. Sections without text are left out."""
    if kind == "binary":
        raise SkippedFile("not a document Hearth can read (an image, archive, program or office format)")
    if kind == "pdf":
        sections = _pdf(data)
    elif kind == "docx":
        sections = [Section(_docx(data))]
    elif kind == "html":
        sections = [Section(html_to_text(decode_text(data)))]
    else:
        sections = [Section(decode_text(data))]
    sections = [s for s in sections if s.text.strip()]
    if not sections:
        if kind == "pdf":
            raise SkippedFile("no text found: a scanned PDF? (Hearth does not read text inside images)")
        raise SkippedFile("no text found: the file is empty")
    return sections


# ---- plain text and code ----


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 for old files; SkippedFile when the bytes are binary."""
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head and not _is_utf16(head):
        raise SkippedFile("binary file: it holds bytes that are not text")
    if _is_utf16(head):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise SkippedFile("binary file: it holds bytes that are not text") from e
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    if controls > len(head) // 100:
        raise SkippedFile("binary file: it holds bytes that are not text")
    return data.decode("cp1252", errors="replace")


def _is_utf16(head: bytes) -> bool:
    return head[:2] in (b"\xff\xfe", b"\xfe\xff")


# ---- HTML ----

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "head"})
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer",
        "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "dt", "dd", "hr", "title", "main", "nav",
    }
)  # fmt: skip


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _SKIP_TAGS:
            self._skip += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIP_TAGS and self._skip:
            self._skip -= 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            # Line breaks inside a paragraph are the source's layout, not the text's: only blocks break.
            self.parts.append(" ".join(data.split()) if data.strip() else " ")


def html_to_text(html: str) -> str:
    """The visible text of a page, its title first, one line per block, runs of spaces collapsed."""
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    title = " ".join("".join(parser.title).split())
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    body = "\n".join(line for line in lines if line)
    return f"{title}\n{body}" if title and not body.startswith(title) else body


# ---- PDF ----


def _pdf(data: bytes) -> list[Section]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an empty password only to restrict printing: those open.
            try:
                opened = reader.decrypt("")
            except DependencyError as e:
                raise SkippedFile("encrypted PDF: its encryption needs a library Hearth lacks") from e
            if not opened:
                raise SkippedFile("encrypted PDF: it needs a password")
        pages = [Section(page.extract_text() or "", number) for number, page in enumerate(reader.pages, 1)]
    except SkippedFile:
        raise
    except FileNotDecryptedError as e:
        raise SkippedFile("encrypted PDF: it needs a password") from e
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as e:
        # pypdf signals damage with many exception types; none of them is the user's to read.
        raise SkippedFile(f"damaged PDF: it cannot be read ({type(e).__name__})") from e
    return pages


# ---- Word ----


def _docx(data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise SkippedFile("damaged Word document: it cannot be opened") from e
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(line for line in lines if line.strip())
