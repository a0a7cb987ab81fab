"""`hearth docs ...` as a user runs it: real processes, one of them killed mid-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from core.documents import DocumentsService, EmbedderHost
from core.store import Store


def hearth(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEARTH_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args], env=env, capture_output=True, text=True, timeout=240
    )


def _write_notes(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        body = " ".join(f"Note {i}, line {j}: the lighthouse keeper logged {i * j} ships." for j in range(60))
        (folder / f"note-{i:02}.txt").write_text(body)
    (folder / "lighthouse.md").write_text(
        "The Skerry lighthouse was automated in 1998. Its light flashes white every 15 seconds."
    )
    (folder / "data.bin").write_bytes(bytes(range(256)) * 8)


def test_killed_mid_run_then_add_list_search_ask_remove(
    hearth_home: Path, tmp_path: Path, embedders: EmbedderHost
) -> None:
    notes = tmp_path / "notes"
    _write_notes(notes, 30)

    # 1. Kill -9 an indexing run once it has committed two files: no clean-up code runs at all.
    env = {**os.environ, "HEARTH_HOME": str(hearth_home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "docs", "add", str(notes)],
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("indexing: 2/"):
            proc.send_signal(signal.SIGKILL)
            break
    assert proc.wait(timeout=60) == -signal.SIGKILL, "killed before it finished"

    store = Store()
    service = DocumentsService(store, embedders)
    files = service.files()
    assert 2 <= len(files) < 32, "some files are in, not all"
    c = service.collection("default")
    for f in files:
        n = store.db.execute("select count(*) from doc_chunks where file_id = ?", [f.id]).fetchone()[0]
        assert n == f.n_chunks, "each file wholly in"
    # The FAISS file was never saved at this version: it is rebuilt from the database on first use.
    assert service.vector_index("default").count == store.documents.chunk_count(c.id) > 0
    done_before = len(files)
    store.close()

    # 2. Running again finishes the job, re-embedding none of what was committed.
    out = hearth("docs", "add", str(notes), "--json", home=hearth_home)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["unchanged"] == done_before - sum(1 for f in files if f.status == "skipped")
    assert len(report["added"]) + report["unchanged"] + len(report["skipped"]) == 32
    assert report["skipped"] == [
        {"path": str(notes / "data.bin"), "reason": report["skipped"][0]["reason"]}
    ] and report["skipped"][0]["reason"].startswith("not a document")

    out = hearth("docs", "list", "--json", home=hearth_home)
    listed = json.loads(out.stdout)
    assert len(listed) == 32 and {f["status"] for f in listed} == {"indexed", "skipped"}

    # 3. Search: chunks with file, page, score.
    out = hearth("docs", "search", "how often does the light flash", "--k", "3", "--json", home=hearth_home)
    assert out.returncode == 0, out.stderr
    hits = json.loads(out.stdout)
    assert len(hits) == 3 and hits[0]["file"] == str(notes / "lighthouse.md")
    assert {"file", "page", "line", "score", "text", "char_start", "char_end"} <= set(hits[0])
    assert hits[0]["score"] >= hits[1]["score"] >= hits[2]["score"]

    # 4. Ask: an answer and citations that are the retrieved chunks.
    out = hearth(
        "docs", "ask", "How often does the Skerry light flash?", "--json", "-n", "40", home=hearth_home
    )
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["answer"] and answer["citations"][0]["file"] == str(notes / "lighthouse.md")
    assert [c["n"] for c in answer["citations"]] == list(range(1, len(answer["citations"]) + 1))

    # 5. Remove, and errors as one clear line.
    out = hearth("docs", "remove", str(notes / "lighthouse.md"), "--json", home=hearth_home)
    assert json.loads(out.stdout) == {"removed": [str(notes / "lighthouse.md")]}
    out = hearth("docs", "search", "anything", "--collection", "nope", home=hearth_home)
    assert out.returncode == 2 and "No document collection named 'nope'" in out.stderr
    assert "Traceback" not in out.stderr
