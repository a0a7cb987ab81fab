"""`hearth bench docs`: indexing throughput, search latency at 10k and 100k chunks, and bytes per chunk.

Throughput runs the real pipeline (extract, chunk, embed, SQLite, FAISS) on generated prose. The search part
fills a throwaway database with synthetic chunks: random text over a Zipf vocabulary (for FTS5) and random
clustered unit vectors of the embedder's dimension (for FAISS), since embedding 100k real chunks would take
over an hour on two cores. Queries are timed end to end through DocumentsService.search, with the real
embedding model embedding each query.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from core.documents import DocumentsService, EmbedderHost
from core.documents.vectors import FLAT_MAX_CHUNKS, VectorIndex, index_path
from core.evaluation.rag import default_data_dir
from core.store import Place, Store
from core.store.documents import FileMeta, NewChunk

_CHUNKS_PER_FILE = 100
_WORDS_PER_CHUNK = 90  # about 128 WordPiece tokens, the default chunk size
_STOP_RANKS = 100  # the commonest synthetic words stand for stop words


@dataclass
class Throughput:
    files: int
    chunks: int
    seconds: float
    chunks_per_s: float
    embed_only_chunks_per_s: float
    embed_threads: int


@dataclass
class Scale:
    chunks: int
    index_kind: str
    nlist: int
    nprobe: int
    fill_s: float  # writing the synthetic chunks to SQLite (FTS5 included)
    rebuild_s: float  # building the FAISS index from the database's vectors
    search_p50_ms: float
    search_p95_ms: float
    embed_query_p50_ms: float
    vector_p50_ms: float
    vector_p95_ms: float
    lexical_p50_ms: float
    lexical_p95_ms: float
    faiss_bytes_per_chunk: float
    sqlite_bytes_per_chunk: float
    flat_vector_p50_ms: float | None = None  # exact search on the same vectors, for comparison
    flat_vector_p95_ms: float | None = None
    ivf_recall_at_10: float | None = None  # IVF's top 10 against exact search's


@dataclass
class DocsBenchReport:
    throughput: Throughput
    scales: list[Scale] = field(default_factory=list)
    note: str = (
        "search sizes use synthetic chunks: Zipf-distributed words for FTS5 and random clustered unit "
        "vectors for FAISS; queries are 5 synthetic words outside the 100 commonest (the stand-in for stop "
        "words), embedded by the real model"
    )

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def run_bench(
    sizes: list[int],
    queries: int = 200,
    index_files: int = 12,
    threads: int | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> DocsBenchReport:
    embedders = EmbedderHost(threads)
    embedder = embedders.get()
    log(f"embedding model loaded ({embedder.threads} thread(s))")
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp:
        report = DocsBenchReport(_throughput(Path(tmp), embedders, index_files, log))
        for n in sizes:
            report.scales.append(_scale(Path(tmp) / f"scale-{n}", embedders, n, queries, log))
    return report


def _prose(rng: random.Random, sentences: list[str], n: int) -> str:
    return " ".join(rng.choice(sentences) for _ in range(n))


def _throughput(tmp: Path, embedders: EmbedderHost, files: int, log: Callable[[str], None]) -> Throughput:
    rng = random.Random(7)
    text = " ".join(p.read_text() for p in sorted((default_data_dir() / "docs").iterdir()))
    sentences = [s.strip() + "." for s in text.replace("\n", " ").split(".") if len(s.split()) > 4]
    folder = tmp / "corpus"
    folder.mkdir()
    for i in range(files):
        (folder / f"doc-{i:03}.txt").write_text(_prose(rng, sentences, 120))
    store = Store(tmp / "throughput-home")
    service = DocumentsService(store, embedders)
    t0 = time.perf_counter()
    report = service.add([folder])
    seconds = time.perf_counter() - t0
    chunks = report.chunks_embedded
    texts = [c.text for c in store.documents.chunks(list(range(1, chunks + 1)))]
    t0 = time.perf_counter()
    embedders.get().embed(texts)
    embed_s = time.perf_counter() - t0
    store.close()
    log(f"indexing: {chunks} chunks in {seconds:.1f} s")
    return Throughput(
        files,
        chunks,
        round(seconds, 2),
        round(chunks / seconds, 1),
        round(chunks / embed_s, 1),
        embedders.get().threads,
    )


def _vocabulary(rng: np.random.Generator, size: int = 50_000) -> list[str]:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    return ["".join(rng.choice(letters, rng.integers(3, 10))) for _ in range(size)]


def _clustered(rng: np.random.Generator, n: int, dim: int, centers: int = 2000) -> np.ndarray:
    """Unit vectors around random centres: embeddings cluster by topic, which is what IVF relies on."""
    c = rng.standard_normal((centers, dim)).astype(np.float32)
    v = c[rng.integers(0, centers, n)] + 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v


def _scale(root: Path, embedders: EmbedderHost, n: int, queries: int, log: Callable[[str], None]) -> Scale:
    rng = np.random.default_rng(n)
    store = Store(root)
    service = DocumentsService(store, embedders, root)
    c = service.create_collection("bench")
    vocab = _vocabulary(rng)
    # Word ranks with Zipf's law (exponent 1, as in English prose) over the whole finite vocabulary.
    weights = 1.0 / np.arange(1, len(vocab) + 1)
    zipf = rng.choice(len(vocab), size=n * _WORDS_PER_CHUNK, p=weights / weights.sum())
    vectors = _clustered(rng, n, c.dim)
    t0 = time.perf_counter()
    for f in range(0, n, _CHUNKS_PER_FILE):
        chunks = [
            NewChunk(
                seq=i,
                place=Place(None, None, 0, 0),
                n_tokens=128,
                text=" ".join(vocab[w] for w in zipf[j * _WORDS_PER_CHUNK : (j + 1) * _WORDS_PER_CHUNK]),
                vector=vectors[j].tobytes(),
            )
            for i, j in enumerate(range(f, min(f + _CHUNKS_PER_FILE, n)))
        ]
        store.documents.save_indexed_file(c.id, FileMeta(f"/bench/file-{f}.txt", "text", 0, 0), chunks)
    fill_s = time.perf_counter() - t0
    log(f"{n} chunks: database filled in {fill_s:.1f} s")

    t0 = time.perf_counter()
    index = service.vector_index("bench")  # no file yet: built from the database and saved
    rebuild_s = time.perf_counter() - t0
    info = index.info()
    log(f"{n} chunks: {info.kind} index built in {rebuild_s:.1f} s")

    embedder = embedders.get()
    # Query words: the real search drops stop words, so the synthetic one draws from below the 100 commonest.
    words = [vocab[w] for w in zipf[: 50 * queries] if w >= _STOP_RANKS]
    texts = [" ".join(random.Random(i).sample(words, 5)) for i in range(queries)]
    service.search(texts[0], ["bench"], k=5)  # warm caches once
    embed_ms, vector_ms, lexical_ms, total_ms = [], [], [], []
    qvecs = []
    from core.documents.search import fts_match

    for text in texts:
        t = time.perf_counter()
        q = embedder.embed_query(text)
        embed_ms.append((time.perf_counter() - t) * 1000)
        qvecs.append(q)
        t = time.perf_counter()
        index.search(q, 20)
        vector_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        store.documents.lexical_search([c.id], fts_match(text) or "", 20)
        lexical_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        service.search(text, ["bench"], k=5)
        total_ms.append((time.perf_counter() - t) * 1000)

    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sqlite_bytes = store.path.stat().st_size
    faiss_bytes = index_path(service.vectors_dir, c.id).stat().st_size
    result = Scale(
        chunks=n,
        index_kind=info.kind,
        nlist=info.nlist,
        nprobe=info.nprobe,
        fill_s=round(fill_s, 2),
        rebuild_s=round(rebuild_s, 2),
        search_p50_ms=_pct(total_ms, 50),
        search_p95_ms=_pct(total_ms, 95),
        embed_query_p50_ms=_pct(embed_ms, 50),
        vector_p50_ms=_pct(vector_ms, 50),
        vector_p95_ms=_pct(vector_ms, 95),
        lexical_p50_ms=_pct(lexical_ms, 50),
        lexical_p95_ms=_pct(lexical_ms, 95),
        faiss_bytes_per_chunk=round(faiss_bytes / n, 1),
        sqlite_bytes_per_chunk=round(sqlite_bytes / n, 1),
    )
    if info.kind == "ivf" or n > FLAT_MAX_CHUNKS // 2:
        _compare_with_flat(result, index, vectors, rng, queries)
    store.close()
    return result


def _compare_with_flat(
    result: Scale, index: VectorIndex, vectors: np.ndarray, rng: np.random.Generator, queries: int
) -> None:
    """Exact search over the same vectors: its latency, and how much of its top 10 the IVF index finds."""
    n, dim = vectors.shape
    flat = VectorIndex.build(np.arange(1, n + 1, dtype=np.int64), vectors, dim, 0, flat_max=n)
    # Queries near stored vectors, as real questions sit near the passages that answer them.
    picks = rng.integers(0, n, queries)
    q = vectors[picks] + 0.5 * rng.standard_normal((queries, dim)).astype(np.float32) / np.sqrt(dim) * 4
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    flat_ms, overlap = [], []
    for row in q:
        t = time.perf_counter()
        exact = {i for i, _ in flat.search(row, 10)}
        flat_ms.append((time.perf_counter() - t) * 1000)
        if index.kind == "ivf":
            found = {i for i, _ in index.search(row, 10)}
            overlap.append(len(exact & found) / 10)
    result.flat_vector_p50_ms = _pct(flat_ms, 50)
    result.flat_vector_p95_ms = _pct(flat_ms, 95)
    if overlap:
        result.ivf_recall_at_10 = round(statistics.fmean(overlap), 4)


def _pct(values: list[float], p: int) -> float:
    return round(float(np.percentile(values, p)), 2)


def format_report(r: DocsBenchReport) -> str:
    t = r.throughput
    lines = [
        f"Indexing (real pipeline, {t.embed_threads} embedding thread(s)): {t.chunks} chunks from {t.files} "
        f"files in {t.seconds:.1f} s = {t.chunks_per_s:.1f} chunks/s (embedding alone {t.embed_only_chunks_per_s:.1f}"
        " chunks/s)",
        "",
        f"Search ({r.note}):",
    ]
    for s in r.scales:
        kind = s.index_kind + (f" nlist={s.nlist} nprobe={s.nprobe}" if s.index_kind == "ivf" else "")
        lines += [
            f"  {s.chunks:>7} chunks [{kind}]: hybrid search p50 {s.search_p50_ms:.1f} ms, p95 {s.search_p95_ms:.1f} ms",
            f"      parts p50/p95: query embedding {s.embed_query_p50_ms:.1f} ms; FAISS {s.vector_p50_ms:.2f}/"
            f"{s.vector_p95_ms:.2f} ms; FTS5 BM25 {s.lexical_p50_ms:.1f}/{s.lexical_p95_ms:.1f} ms",
            f"      size per chunk: FAISS {s.faiss_bytes_per_chunk:.0f} B, SQLite {s.sqlite_bytes_per_chunk:.0f} B "
            f"(text, FTS5, float32 vector); fill {s.fill_s:.1f} s, FAISS build {s.rebuild_s:.1f} s",
        ]
        if s.flat_vector_p50_ms is not None:
            recall = (
                f", IVF recall@10 vs exact {s.ivf_recall_at_10:.3f}" if s.ivf_recall_at_10 is not None else ""
            )
            lines.append(
                f"      exact (flat) FAISS on the same vectors: p50 {s.flat_vector_p50_ms:.2f} ms, "
                f"p95 {s.flat_vector_p95_ms:.2f} ms{recall}"
            )
    return "\n".join(lines)
