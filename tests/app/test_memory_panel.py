"""The Memory panel and the chat's "Memories used", offscreen, on a real window and a real store.

Only the first test embeds (the real MiniLM, for add, edit and forget through the core service); the others
write memories, runs and answers straight into SQLite, which is all the panel reads.
"""

from __future__ import annotations

import numpy as np

from app.memory_panel import DETAILS_ROLE
from app.qt import QApplication, QInputDialog, QLineEdit, QMessageBox, Qt, QTimer, QUrl
from core.errors import NotFoundError
from core.memory.service import memories_json
from core.store import Memory, MemoryRun
from tests.app.conftest import click_on_next_message_box

TIMEOUT_MS = 60_000
_VECTOR = np.zeros(384, dtype=np.float32).tobytes()  # never searched in these tests


def _stored(window, text: str, **fields) -> Memory:  # type: ignore[no-untyped-def]
    return window.services.store.memories.add(text, _VECTOR, embed_model="test", **fields)


def _texts(panel) -> list[str]:  # type: ignore[no-untyped-def]
    return [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]


def _answer_next_input_dialog(text: str) -> None:
    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QInputDialog):
            dialog.setTextValue(text)
            dialog.accept()
        else:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(0, answer)


def test_memories_are_listed_searched_edited_and_forgotten(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    memory = window.services.memory
    lisbon = memory.add("Is planning a trip to Lisbon in May")
    memory.add("Keeps a sourdough starter called Bubbles")
    window.memory_dock.show()  # showing the panel reads the store again
    panel = window.memory_panel
    assert sorted(_texts(panel)) == [
        "Is planning a trip to Lisbon in May",
        "Keeps a sourdough starter called Bubbles",
    ]
    row = panel.ids_shown().index(lisbon.id)
    assert panel.table.item(row, 0).data(DETAILS_ROLE) == "Added by you"

    _answer_next_input_dialog("Is allergic to peanuts")
    with qtbot.waitSignal(panel.sig_changed, timeout=TIMEOUT_MS):
        panel.add_button.click()
    assert "Is allergic to peanuts" in _texts(panel)
    assert memory.memories.count() == 3

    qtbot.keyClicks(panel.search, "sourdough")
    assert _texts(panel) == ["Keeps a sourdough starter called Bubbles"]
    assert "1 of 3" in panel.summary.text()
    panel.search.clear()
    assert len(_texts(panel)) == 3

    # Edit in place, as a user does: select, Edit, type, Enter.
    panel.select_memory(lisbon.id)
    panel.edit_button.click()
    editor = panel.table.viewport().findChild(QLineEdit)
    assert editor is not None, "Edit opens the editor in the list"
    editor.selectAll()
    qtbot.keyClicks(editor, "Is planning a trip to Porto in June")
    with qtbot.waitSignal(panel.sig_changed, timeout=TIMEOUT_MS):
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert memory.memories.get(lisbon.id).text == "Is planning a trip to Porto in June"
    assert "Is planning a trip to Porto in June" in _texts(panel)
    assert memory.search("trip to Porto", k=1)[0].memory.id == lisbon.id, "the edit was embedded again"

    panel.select_memory(lisbon.id)
    click_on_next_message_box(QMessageBox.StandardButton.Cancel)
    panel.forget_button.click()
    assert memory.memories.get(lisbon.id), "cancel keeps it"
    click_on_next_message_box(QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(panel.sig_changed, timeout=TIMEOUT_MS):
        panel.forget_button.click()
    try:
        memory.memories.get(lisbon.id)
        raise AssertionError("the memory is still in SQLite")
    except NotFoundError:
        pass
    assert lisbon.id not in [r.memory.id for r in memory.search("trip to Porto in June", k=5)]
    assert lisbon.id not in panel.ids_shown()
    assert window.statusBar().currentMessage() == "Forgotten."

    click_on_next_message_box(QMessageBox.StandardButton.Yes)
    with qtbot.waitSignal(panel.sig_changed, timeout=TIMEOUT_MS):
        panel.forget_all_button.click()
    assert memory.memories.count() == 0 and memory.search("sourdough") == []
    assert panel.table.rowCount() == 0 and "Nothing remembered yet" in panel.summary.text()
    assert not panel.forget_all_button.isEnabled()


def test_an_empty_edit_is_refused_and_the_text_comes_back(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    panel = window.memory_panel
    kept = _stored(window, "Walks the dog at seven")
    panel.refresh()
    with qtbot.waitSignal(panel.sig_status, timeout=TIMEOUT_MS) as status:
        panel.table.item(0, 0).setText("   ")
    assert "cannot be empty" in status.args[0]
    assert window.services.store.memories.get(kept.id).text == "Walks the dog at seven"
    qtbot.waitUntil(lambda: _texts(panel) == ["Walks the dog at seven"])


def test_the_switches_write_the_setting_and_the_chat_pause(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    panel = window.memory_panel
    convs = window.services.store.conversations
    assert not panel.paused_box.isEnabled(), "no chat open: nothing to pause"
    assert panel.enabled_box.isChecked()

    panel.enabled_box.click()
    assert window.services.settings.get("memory_enabled") is False
    assert "Memory is off" in window.statusBar().currentMessage()
    panel.enabled_box.click()
    assert window.services.settings.get("memory_enabled") is True

    window.new_conversation()
    first = window.current_id
    assert panel.paused_box.isEnabled() and not panel.paused_box.isChecked()
    panel.paused_box.click()
    assert convs.get(first).memory_paused == 1
    assert not window.services.memory.enabled_for(convs.get(first))

    window.new_conversation()
    assert not panel.paused_box.isChecked(), "the pause belongs to one chat"
    assert convs.get(window.current_id).memory_paused == 0
    window.open_conversation(first)
    assert panel.paused_box.isChecked()
    panel.paused_box.click()
    assert convs.get(first).memory_paused == 0


def test_a_background_run_updates_the_panel_and_the_status_bar(make_window, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    window.new_conversation()
    conv_id = window.current_id
    store = window.services.store.memories
    panel = window.memory_panel
    old = _stored(window, "Lives in Leeds")
    gone = _stored(window, "Has a cat called Miso")

    run = store.begin_run("exchange", conv_id)
    _stored(
        window, "Is learning Portuguese", run_id=run.id, conversation_id=conv_id, happened_at="2025-06-03"
    )
    store.update(old.id, "Lives in Porto", _VECTOR, run_id=run.id)
    store.delete(gone.id, run_id=run.id)
    run = store.finish_run(run.id, "done", {"facts": 3, "added": 1, "updated": 1, "deleted": 1})
    runs: list[MemoryRun] = [run]
    # The real worker thread calls the listeners; only the learning itself (the model) is left out.
    monkeypatch.setattr(window.services.memory, "remember_exchange", lambda _id, cancel=None: runs.pop(0))

    with qtbot.waitSignal(panel.sig_run, timeout=TIMEOUT_MS) as shown:
        window.services.memory.after_exchange(conv_id)
    assert shown.args[0].id == run.id
    assert window.statusBar().currentMessage() == "Memory: 1 added, 1 updated, 1 removed"
    assert sorted(_texts(panel)) == ["Is learning Portuguese", "Lives in Porto"]
    row = _texts(panel).index("Is learning Portuguese")
    assert panel.table.item(row, 0).data(DETAILS_ROLE) == "3 Jun 2025 · New chat", (
        "the day it is about, its chat"
    )
    activity = panel.activity.toPlainText()
    assert "1 added, 1 updated, 1 removed" in activity
    assert "Is learning Portuguese" in activity
    assert "Lives in Leeds → Lives in Porto" in activity
    assert "Has a cat called Miso" in activity

    # A run that changed nothing is shown in the panel but not announced.
    window.statusBar().clearMessage()
    quiet = store.begin_run("exchange", conv_id)
    runs.append(store.finish_run(quiet.id, "done", {"facts": 1, "unchanged": 1}))
    with qtbot.waitSignal(panel.sig_run, timeout=TIMEOUT_MS):
        window.services.memory.after_exchange(conv_id)
    assert window.statusBar().currentMessage() == ""
    assert "nothing new to remember" in panel.activity.toPlainText()

    failed = store.begin_run("exchange", conv_id)
    runs.append(store.finish_run(failed.id, "failed", {}, error="the model is not loaded"))
    with qtbot.waitSignal(panel.sig_run, timeout=TIMEOUT_MS):
        window.services.memory.after_exchange(conv_id)
    assert window.statusBar().currentMessage() == "Memory could not be updated: the model is not loaded"

    # Closed, the window may be followed by the store's closing: a run still on its way is ignored.
    window.close()
    shown_before = panel.activity.toPlainText()
    late = store.begin_run("exchange", conv_id)
    runs.append(store.finish_run(late.id, "done", {"facts": 1, "added": 1}))
    window.services.memory.after_exchange(conv_id)
    assert window.services.memory.wait_idle(10)
    QApplication.processEvents()  # the listener has posted the run: deliver it
    assert panel.activity.toPlainText() == shown_before


def test_an_answer_shows_the_memories_it_used_and_links_to_them(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    convs = window.services.store.conversations
    conv = convs.create("Dinner plans")
    vegetarian = _stored(window, "Is vegetarian")
    _stored(window, "Cooks on Sundays")
    forgotten = _stored(window, "Dislikes coriander")
    convs.add_message(conv.id, "user", "What should I cook tonight?")
    answer = convs.add_message(conv.id, "assistant", "A mushroom risotto, without coriander.")
    convs.update_message(answer.id, memories=memories_json([vegetarian, forgotten, vegetarian]))
    window.services.store.memories.delete(forgotten.id)
    window.refresh_conversations()
    window.open_conversation(conv.id)

    text = window.view.toPlainText()
    assert "Memories used" in text and "Is vegetarian" in text and "Dislikes coriander" in text
    assert text.count("Is vegetarian") == 1, "a memory the model named twice is listed once"
    assert not window.memory_dock.isVisible()

    panel = window.memory_panel
    qtbot.keyClicks(panel.search, "Sundays")  # the memory is hidden by the filter: the link shows it anyway
    with qtbot.waitSignal(window.view.sig_memory) as clicked:
        window.view.anchorClicked.emit(QUrl(f"memory:{vegetarian.id}"))
    assert clicked.args == [vegetarian.id]
    assert window.memory_dock.isVisible()
    assert panel.selected_ids() == [vegetarian.id]
    assert panel.search.text() == ""

    window.view.anchorClicked.emit(QUrl(f"memory:{forgotten.id}"))
    assert "forgotten" in window.statusBar().currentMessage()
    assert panel.selected_ids() == [vegetarian.id]


def test_an_answer_names_its_memory_or_the_memories_it_looked_at(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    memory = window.services.memory
    rex = memory.add("User has a dog named Rex.")
    memory.add("User lives in Porto.")
    window.memory_dock.show()
    panel = window.memory_panel
    panel.question.setText("What is my dog called?")
    job = panel.ask()
    assert job is not None
    with qtbot.waitSignal(job.sig_done, timeout=TIMEOUT_MS * 3):
        pass
    qtbot.waitUntil(lambda: "Looking" not in panel.answer.text(), timeout=TIMEOUT_MS)
    shown = panel.answer.text()
    # The quote names a memory it came from, or says "Not mentioned" and lists what it read.
    assert ("From memory:" in shown and f"memory:{rex.id}" in shown) or (
        "Not mentioned" in shown and "memory:" in shown
    ), shown
    panel.answer.linkActivated.emit(f"memory:{rex.id}")
    assert panel.selected_ids() == [rex.id]


def test_answer_html_shows_the_source_or_what_was_looked_at() -> None:
    from app.memory_panel import answer_html
    from core.memory.service import Asked, Recalled

    m = Memory(7, "User has a dog named Rex.", "manual", "t", "t")
    quoted = answer_html(Asked("Rex", [m], [Recalled(m, 0.8)], 10.0, "memory-answer"))
    assert "Rex" in quoted and "From memory:" in quoted and 'href="memory:7"' in quoted
    missing = answer_html(Asked("Not mentioned.", [], [Recalled(m, 0.5)], 10.0, None))
    assert "None of these holds the answer" in missing and 'href="memory:7"' in missing
    assert "No memory is about that" in answer_html(Asked("Not mentioned.", [], [], 0.0, None))
