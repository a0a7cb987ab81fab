"""Documents end to end, in process: real files, the real embedding model, FAISS and SQLite under HEARTH_HOME.

Files that cannot be read are simulated without chmod (tests run as root, who reads anything): a FIFO, a
broken symbolic link and a symbolic link that points at itself (the OS answers ELOOP).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from core.documents import DocumentsService, EmbedderHost, IndexOptions
from core.documents.answer import citations_for, cited_numbers
from core.documents.vectors import VectorIndex, index_path
from core.engine import GenerationOptions, LocalEngine
from core.errors import DocumentError, NotFoundError
from core.store import Store
from tests.docs_factory import (
    write_binary,
    write_corrupt_pdf,
    write_docx,
    write_encrypted_pdf,
    write_pdf,
)

FERRY = (
    "The Orla ferry leaves the north pier at 6:40 on weekdays. A single adult ticket costs 3 euros 20. "
    "The electric boat Heron carries sixty passengers and charges from solar panels on the boathouse roof."
)
BREAD = "Our sourdough starter is called Bertha. She is fed twice a day with rye and white flour."
LIBRARY = "# Library\n\nBooks are lent for three weeks and may be renewed twice.\n\nNo fines are charged."
CODE = '"""Greenhouse."""\n\n# Vents open above this temperature.\nVENT_OPEN_TEMP_C = 27.0\n'
KILN = "The kiln in the pottery studio reaches 1260 degrees for stoneware glazes."


def _consistent(service: DocumentsService, collection: str = "default") -> int:
    """Assert that every indexed file's chunks are all there and FAISS holds exactly them; return the count."""
    c = service.collection(collection)
    docs, db = service.docs, service.store.db
    for f in docs.files(c.id):
        n = db.execute("select count(*) from doc_chunks where file_id = ?", [f.id]).fetchone()[0]
        assert n == f.n_chunks and (n > 0) == (f.status == "indexed"), f.path
    total = docs.chunk_count(c.id)
    assert sum(f.n_chunks for f in docs.files(c.id)) == total
    index = service.vector_index(collection)
    assert index.count == total, "FAISS holds exactly the chunks the database holds"
    return total


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A folder with every kind of file Hearth reads, and every kind it must skip."""
    root = tmp_path / "library"
    (root / "notes").mkdir(parents=True)
    (root / "notes" / "ferry.txt").write_text(FERRY)
    (root / "notes" / "bread.md").write_text(BREAD)
    (root / "library.md").write_text(LIBRARY)
    (root / "page.html").write_text(
        "<html><head><title>Bees</title><script>var hidden = 'SCRIPTWORD';</script></head>"
        "<body><p>Hives are inspected every seven days in summer.</p></body></html>"
    )
    (root / "greenhouse.py").write_text(CODE)
    write_pdf(root / "report.pdf", ["Annual report, page one: membership grew.", KILN])
    write_docx(root / "letter.docx", ["Dear Ana,", "The heron nests by the old mill in April."])
    # ... and the bad ones.
    write_encrypted_pdf(root / "secret.pdf", ["Locked text about submarines."])
    write_corrupt_pdf(root / "broken.pdf")
    write_binary(root / "blob.txt")
    write_binary(root / "photo.png")
    (root / "empty.txt").write_text("")
    (root / "huge.txt").write_text("word " * 60_000)  # 300 kB: over the 200 kB limit the tests set
    os.mkfifo(root / "pipe.txt")
    (root / "gone.md").symlink_to(root / "no-such-file.md")
    (root / "loop.md").symlink_to(root / "loop.md")
    # Never indexed at all: hidden files and tools' folders.
    (root / ".hidden.txt").write_text("hidden")
    (root / "node_modules").mkdir()
    (root / "node_modules" / "dep.js").write_text("module.exports = 1;")
    return root


OPTIONS = IndexOptions(max_file_bytes=200_000)


@pytest.fixture
def service(hearth_home: Path, embedders: EmbedderHost) -> DocumentsService:
    return DocumentsService(Store(), embedders)


def test_add_indexes_what_it_can_and_says_why_it_skips_the_rest(
    service: DocumentsService, library: Path
) -> None:
    seen: list[tuple[int, int]] = []
    report = service.add([library], options=OPTIONS, progress=lambda d, t: seen.append((d, t)))
    indexed = {os.path.basename(p) for p in report.added}
    assert indexed == {
        "ferry.txt",
        "bread.md",
        "library.md",
        "page.html",
        "greenhouse.py",
        "report.pdf",
        "letter.docx",
    }
    reasons = {os.path.basename(p): r for p, r in report.skipped}
    assert reasons["secret.pdf"] == "encrypted PDF: it needs a password"
    assert reasons["broken.pdf"].startswith("damaged PDF")
    assert reasons["blob.txt"].startswith("binary file")
    assert reasons["photo.png"].startswith("not a document")
    assert reasons["empty.txt"].startswith("no text found")
    assert reasons["huge.txt"].startswith("too large: 0.3 MB")
    assert reasons["pipe.txt"] == "cannot read: not a regular file (a pipe, socket or device)"
    assert reasons["gone.md"] == "broken link: the file it points to is gone"
    assert reasons["loop.md"] == "cannot read: too many levels of symbolic links"
    assert len(reasons) == 9, "hidden files and node_modules are not even listed"
    total = len(indexed) + len(reasons)
    assert seen[0] == (0, total) and seen[-1] == (total, total) and len(seen) == total + 1

    # The same, as the GUI lists it: every file, skipped ones with their reason, kept in the database.
    files = {os.path.basename(f.path): f for f in service.files()}
    assert files["secret.pdf"].status == "skipped" and files["secret.pdf"].reason == reasons["secret.pdf"]
    assert files["report.pdf"].pages == 2 and files["report.pdf"].n_chunks == 2
    assert all(files[n].sha256 and files[n].mtime_ns for n in indexed)
    assert _consistent(service) == report.chunks_embedded


def test_hybrid_search_finds_by_meaning_and_by_exact_word(service: DocumentsService, library: Path) -> None:
    service.add([library], options=OPTIONS)
    # By meaning: no word of the question but "pottery" is in the chunk... and "pottery" is, so also by word.
    hits = service.search("How hot does the pottery oven get?", k=3)
    top = hits[0]
    assert os.path.basename(top.file) == "report.pdf" and top.place.page == 2, "the PDF's second page"
    assert "1260 degrees" in top.text and top.vector_score is not None and top.rank == 1
    # Paraphrase only: no shared word at all.
    hits = service.search("what is the name of the yeast culture for bread", k=3)
    assert os.path.basename(hits[0].file) == "bread.md"
    # An identifier only lexical search knows exactly, with the line to open the code at.
    hits = service.search("VENT_OPEN_TEMP_C", k=3)
    assert os.path.basename(hits[0].file) == "greenhouse.py"
    assert hits[0].lexical_score is not None and hits[0].place.line == 1
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
    assert hits == sorted(hits, key=lambda h: -h.score)
    # Script text of a web page is not indexed; FTS5 syntax in a query is taken literally.
    assert all("SCRIPTWORD" not in h.text for h in service.search("SCRIPTWORD", k=5))
    assert service.search('"unbalanced AND (', k=3) is not None
    assert service.search("   ", k=3) == []


def test_changes_are_picked_up_without_re_embedding_what_did_not_change(
    service: DocumentsService, library: Path
) -> None:
    service.add([library], options=OPTIONS)
    long_text = "\n\n".join(
        f"Paragraph {i}: the tide tables for week {i} list high water." for i in range(40)
    )
    (library / "tides.txt").write_text(long_text)
    first = service.refresh(options=OPTIONS)
    assert [os.path.basename(p) for p in first.added] == ["tides.txt"] and first.chunks_embedded > 3

    # Appending keeps every earlier window's text: only the new tail is embedded.
    (library / "tides.txt").write_text(long_text + "\n\nParagraph 40: the spring tide floods the quay road.")
    # Same bytes, new modification time: re-hashed, not re-embedded.
    os.utime(library / "notes" / "ferry.txt", ns=(1, 10**18))
    (library / "notes" / "bread.md").unlink()
    (library / "kiln.md").write_text(KILN)

    report = service.refresh(options=OPTIONS)
    assert [os.path.basename(p) for p in report.updated] == ["tides.txt"]
    assert [os.path.basename(p) for p in report.added] == ["kiln.md"]
    assert [os.path.basename(p) for p in report.removed] == ["bread.md"]
    tides = service.docs.file(service.collection("default").id, str(library / "tides.txt"))
    assert tides is not None and tides.n_chunks > first.chunks_embedded - 1
    assert report.chunks_reused >= first.chunks_embedded - 1, "the unchanged windows kept their vectors"
    assert report.chunks_embedded <= 3, "the new tail, and the kiln file's one chunk"
    ferry = service.docs.file(service.collection("default").id, str(library / "notes" / "ferry.txt"))
    assert ferry is not None and ferry.mtime_ns == 10**18, "the new time is recorded"
    assert all("Bertha" not in h.text for h in service.search("sourdough starter Bertha", k=5))
    assert "spring tide floods" in service.search("spring tide quay road flooding", k=1)[0].text
    _consistent(service)

    again = service.refresh(options=OPTIONS)
    assert again.chunks_embedded == 0 and not again.added and not again.updated and not again.removed


def test_cancelled_run_leaves_a_consistent_index_and_the_next_run_finishes(
    service: DocumentsService, library: Path
) -> None:
    cancel = threading.Event()

    def stop_after_two(done: int, total: int) -> None:
        if done == 2:
            cancel.set()

    report = service.add([library], options=OPTIONS, progress=stop_after_two, cancel=cancel)
    assert report.cancelled and len(report.added) + len(report.skipped) == 2
    assert _consistent(service) == report.chunks_embedded
    # A new service, as after a restart: the saved FAISS file is read back, not rebuilt.
    reopened = DocumentsService(service.store, service.embedders)
    assert reopened.vector_index("default").count == report.chunks_embedded

    rest = reopened.add([library], options=OPTIONS)
    assert not rest.cancelled and rest.unchanged == len(report.added)
    assert len(rest.added) + len(report.added) == 7
    _consistent(reopened)


def test_cancel_during_embedding_commits_nothing_of_that_file(
    service: DocumentsService, tmp_path: Path
) -> None:
    big = tmp_path / "big.txt"
    big.write_text(" ".join(f"Entry {i} of the harbour log notes calm seas." for i in range(600)))
    cancel = threading.Event()
    cancel.set()  # set before the run: nothing at all may be committed
    report = service.add([big], cancel=cancel)
    assert report.cancelled and not report.added
    assert service.files() == [] and _consistent(service) == 0


def test_damaged_or_stale_faiss_file_is_rebuilt_from_the_database(
    service: DocumentsService, library: Path
) -> None:
    service.add([library], options=OPTIONS)
    count = _consistent(service)
    c = service.collection("default")
    path = index_path(service.vectors_dir, c.id)
    assert path.is_file()

    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = b"\xff" * 64  # damage inside the vectors
    path.write_bytes(bytes(data))
    assert VectorIndex.load(path, c.dim, c.vectors_version) is None, "the checksum catches it"
    fresh = DocumentsService(service.store, service.embedders)
    assert fresh.vector_index("default").count == count
    assert VectorIndex.load(path, c.dim, c.vectors_version) is not None, "rebuilt and saved again"
    assert "1260 degrees" in fresh.search("pottery studio kiln", k=1)[0].text

    path.write_bytes(b"not a faiss file")  # and a file replaced wholesale
    path.with_name(path.name + ".json").unlink()
    assert DocumentsService(service.store, service.embedders).vector_index("default").count == count


def test_remove_a_file_or_a_folder(service: DocumentsService, library: Path) -> None:
    service.add([library], options=OPTIONS)
    removed = service.remove(library / "notes")
    assert sorted(os.path.basename(p) for p in removed) == ["bread.md", "ferry.txt"]
    assert all("notes" not in f.path for f in service.files())
    assert service.remove(library / "report.pdf") == [str(library / "report.pdf")]
    assert all(os.path.basename(h.file) != "report.pdf" for h in service.search("kiln pottery", k=5))
    _consistent(service)
    # Removed from inside an added folder: a refresh does not bring them back; adding them again does.
    refreshed = service.refresh(options=OPTIONS)
    assert refreshed.added == [] and refreshed.removed == []
    back = service.add([library / "notes"], options=OPTIONS)
    assert sorted(os.path.basename(p) for p in back.added) == ["bread.md", "ferry.txt"]
    assert service.refresh(options=OPTIONS).added == []
    _consistent(service)
    service.remove(library / "notes")
    with pytest.raises(DocumentError, match="not in the collection"):
        service.remove(library / "notes")
    with pytest.raises(DocumentError, match="No file or folder"):
        service.add([library / "nothing-here"])
    # Removing the root itself forgets it: a refresh no longer brings the files back.
    service.remove(library)
    assert service.refresh().added == [] and service.files() == []


def test_collections_and_each_conversations_choice_of_them(
    service: DocumentsService, library: Path, hearth_home: Path
) -> None:
    service.add([library / "notes"], "travel")
    service.add([library / "library.md"], "town")
    infos = {i.collection.name: i for i in service.collections()}
    assert infos["travel"].files_indexed == 2 and infos["town"].files_indexed == 1
    assert infos["travel"].roots == [str(library / "notes")]
    only_town = service.search("ferry ticket price", ["town"], k=5)
    assert only_town and all(h.collection == "town" for h in only_town)
    both = service.search("ferry ticket price", k=5)
    assert both[0].collection == "travel"

    conv = service.store.conversations.create("Trip")
    service.set_conversation_collections(conv.id, ["travel", "town"])
    service.store.close()
    store = Store()
    reopened = DocumentsService(store, service.embedders)
    assert [c.name for c in reopened.conversation_collections(conv.id)] == ["town", "travel"]
    with pytest.raises(NotFoundError):
        reopened.set_conversation_collections(conv.id, ["no-such"])

    travel_id = reopened.collection("travel").id
    reopened.delete_collection("travel")
    assert [c.name for c in reopened.conversation_collections(conv.id)] == ["town"]
    assert not index_path(reopened.vectors_dir, travel_id).exists()
    assert (
        store.db.execute("select count(*) from doc_chunks where collection_id = ?", [travel_id]).fetchone()[0]
        == 0
    )
    store.conversations.delete(conv.id)  # the choice goes with the conversation
    assert store.db.execute("select count(*) from conversation_collections").fetchone()[0] == 0


def test_ivf_index_for_large_collections_adds_removes_and_reloads(tmp_path: Path) -> None:
    import numpy as np

    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((3000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(1, 3001, dtype=np.int64)
    small = VectorIndex.build(ids[:400], vectors[:400], 32, version=1, flat_max=500)
    assert small.kind == "flat" and not small.needs_rebuild()
    index = VectorIndex.build(ids, vectors, 32, version=1, flat_max=500)
    assert index.kind == "ivf" and index.info().nlist >= 64
    assert index.search(vectors[41], 1)[0][0] == 42, "a stored vector finds itself"
    index.remove([42])
    assert all(i != 42 for i, _ in index.search(vectors[41], 5))
    path = tmp_path / "c.faiss"
    index.save(path)
    back = VectorIndex.load(path, 32, version=1)
    assert back is not None and back.kind == "ivf" and back.count == 2999
    assert VectorIndex.load(path, 32, version=2) is None, "another version of the database: stale"
    index.remove(list(range(1, 2900)))
    assert index.needs_rebuild(), "shrunk below half the flat limit: back to exact search"


def test_ask_cites_the_retrieved_chunks(
    service: DocumentsService, library: Path, engine: LocalEngine
) -> None:
    service.add([library], options=OPTIONS)
    question = "When does the Orla ferry leave the north pier?"
    hits = service.search(question, k=3)
    answer = service.ask(question, engine, k=3, options=GenerationOptions(max_tokens=48, temperature=0.0))
    assert answer.text and answer.finish_reason in ("stop", "length")
    assert [c.n for c in answer.citations] == list(range(1, len(hits) + 1))
    assert [(c.file, c.place.char_start, c.place.page) for c in answer.citations] == [
        (h.file, h.place.char_start, h.place.page) for h in hits
    ], "the citations are the retrieved chunks, in the order the model saw them"
    assert os.path.basename(answer.citations[0].file) == "ferry.txt"
    cited = cited_numbers(answer.text)
    assert [c.cited for c in answer.citations] == [c.n in cited for c in answer.citations]


def test_citations_ignore_numbers_the_model_invents(service: DocumentsService, library: Path) -> None:
    service.add([library / "notes"])
    hits = service.search("ferry ticket", k=2)
    citations = citations_for("Tickets cost 3 euros 20 [2][7], see also [1, 9].", hits)
    assert [(c.n, c.cited) for c in citations] == [(1, True), (2, True)]
    assert cited_numbers("no brackets here; [x] nor [ 3") == set()


def test_a_collection_can_use_another_embedding_model_folder(
    service: DocumentsService, library: Path, tmp_path: Path
) -> None:
    from core.documents import embedded_embedder_path
    from core.errors import EmbedderError

    with pytest.raises(EmbedderError, match="No sentence-transformers model"):
        service.create_collection("bad", embed_model=str(tmp_path))
    # Any sentence-transformers folder works; here the embedded model's, named by its path.
    c = service.create_collection("by-path", embed_model=str(embedded_embedder_path()))
    assert c.embed_model == str(embedded_embedder_path().resolve()) and c.dim == 384
    service.add([library / "notes"], "by-path")
    assert os.path.basename(service.search("sourdough starter", ["by-path"], k=1)[0].file) == "bread.md"
