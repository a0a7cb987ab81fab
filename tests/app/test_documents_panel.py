"""The Documents panel and grounded chat, offscreen: real files, the real embedder, FAISS and the model."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData

from app.qt import QDropEvent, QPointF, Qt, QUrl
from app.source_viewer import SourceViewer

TIMEOUT_MS = 240_000


def test_index_choose_ask_and_open_the_cited_place(make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "lighthouse.md").write_text(
        "# Skerry lighthouse\n\nThe Skerry lighthouse flashes white every ten seconds. "
        "Its keeper, Mara Quill, climbs 112 steps each night.\n"
    )
    (notes / "photo.bin").write_bytes(bytes(range(256)) * 64)
    window = make_window(max_tokens=40)
    window.documents_dock.show()
    panel = window.documents_panel
    job = panel.create_collection("notes")
    qtbot.waitUntil(
        lambda: job.finished.is_set() and panel.current_collection() == "notes", timeout=TIMEOUT_MS
    )

    with qtbot.waitSignal(panel.sig_indexed, timeout=TIMEOUT_MS) as indexed:
        panel.add_paths([str(notes)])
        assert panel.progress.isVisible() and panel.cancel_button.isVisible()
    assert [Path(p).name for p in indexed.args[0].added] == ["lighthouse.md"]
    rows = {
        panel.files.item(r, 0).data(Qt.ItemDataRole.UserRole): (
            panel.files.item(r, 1).text(),
            panel.files.item(r, 3).text(),
        )
        for r in range(panel.files.rowCount())
    }
    assert rows[str(notes / "lighthouse.md")][0] == "indexed"
    state, reason = rows[str(notes / "photo.bin")]
    assert state == "skipped" and reason, "a skipped file says why"

    dropped = tmp_path / "bakery.txt"
    dropped.write_text("The Hearthvale bakery opens at six and sells rye bread on Fridays.\n")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped))])
    drop = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(panel.sig_indexed, timeout=TIMEOUT_MS):
        panel.dropEvent(drop)
    assert any(
        panel.files.item(r, 0).data(Qt.ItemDataRole.UserRole) == str(dropped)
        for r in range(panel.files.rowCount())
    )

    window.new_conversation()
    item = panel.use_in_chat.item(0)
    assert item.data(Qt.ItemDataRole.UserRole) == "notes"
    item.setCheckState(Qt.CheckState.Checked)
    assert [c.name for c in window.services.documents.conversation_collections(window.current_id)] == [
        "notes"
    ]

    qtbot.keyClicks(window.composer.editor, "How often does the Skerry lighthouse flash?")
    with qtbot.waitSignal(window.sig_answer_finished, timeout=TIMEOUT_MS) as finished:
        qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)
    answer = finished.args[0]
    assert "Sources" in window.view.toPlainText() and "[1] lighthouse.md" in window.view.toPlainText()

    window.view.anchorClicked.emit(QUrl(f"source:{answer.id}/1"))
    viewer = next(w for w in window.findChildren(SourceViewer) if w.isVisible())
    assert viewer.passage is not None and viewer.passage.exact
    assert "ten seconds" in viewer.highlighted_text()
    assert viewer.view.toPlainText().startswith("# Skerry lighthouse"), "the whole file, the passage marked"


def test_indexing_can_be_cancelled_and_leaves_whole_files(make_window, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(30):
        (folder / f"note{i:02}.txt").write_text(
            f"Note {i}. " + "A line about the harbour and its boats. " * 40
        )
    window = make_window()
    panel = window.documents_panel
    seen: list[tuple[int, int]] = []
    with qtbot.waitSignal(panel.sig_indexed, timeout=TIMEOUT_MS) as indexed:
        job = panel.add_paths([str(folder)])
        job.sig_progress.connect(seen.append)
        qtbot.waitUntil(lambda: len(seen) >= 2, timeout=TIMEOUT_MS)
        panel.cancel_button.click()
    report = indexed.args[0]
    assert report.cancelled and 0 < len(report.added) < 30
    assert "Cancelled" in panel.progress_label.text()
    files = window.services.documents.files(panel.current_collection())
    assert all(f.n_chunks > 0 for f in files if f.status == "indexed"), "each indexed file is whole"
