"""Assistant mode in the real window: the embedded model plans under the grammar, the user is asked before
anything is written, the note is really written, and undo really removes it."""

from __future__ import annotations

from pathlib import Path

from app.qt import Qt

TIMEOUT_MS = 300_000
REQUEST = "Make a note called Books with Dune and Emma"  # planned as create_note by the embedded model


def _ask(window, qtbot):  # type: ignore[no-untyped-def]
    window.composer.set_mode("assistant")
    qtbot.keyClicks(window.composer.editor, REQUEST)
    with qtbot.waitSignal(window.plan_view.sig_consent_asked, timeout=TIMEOUT_MS) as asked:
        qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)
    card = asked.args[0]
    assert card.waiter.request.tool == "create_note"
    assert window.plan_view.status_of(card.waiter.request.step_id) == "waiting for you"
    return card


def test_allowed_note_is_written_logged_and_can_be_undone(make_window, qtbot, hearth_home: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(max_tokens=96)
    card = _ask(window, qtbot)
    assert not list(hearth_home.rglob("*.md")), "nothing is written before the user answers"
    with qtbot.waitSignal(window.sig_answer_finished, timeout=TIMEOUT_MS) as finished:
        card.allow_button.click()
    answer = finished.args[0]
    assert answer.status == "complete" and "What I did" in answer.content and "create_note" in answer.content
    notes = list(hearth_home.rglob("*.md"))
    assert len(notes) == 1 and "books" in notes[0].read_text().lower()
    step = card.waiter.request.step_id
    assert window.plan_view.status_of(step) == "done"

    actions = window.actions_panel
    assert actions.table.rowCount() >= 1 and "create_note" in actions.table.item(0, 1).text()
    actions.table.selectRow(0)
    assert actions.undo_button.isEnabled()
    actions.undo_button.click()
    assert not notes[0].exists(), "undo removed the note"
    assert actions.table.item(0, 2).text() == "undone"


def test_refused_call_writes_nothing(make_window, qtbot, hearth_home: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(max_tokens=96)
    card = _ask(window, qtbot)
    with qtbot.waitSignal(window.sig_answer_finished, timeout=TIMEOUT_MS):
        card.deny_button.click()
    assert window.plan_view.status_of(card.waiter.request.step_id) == "not allowed"
    assert not list(hearth_home.rglob("*.md"))


def test_a_due_reminder_is_shown_by_the_running_app(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timedelta

    window = make_window()
    store = window.services.store
    due = store.reminders.add("reminder", "Call the bank", datetime.now().astimezone() - timedelta(minutes=1))
    later = store.reminders.add(
        "reminder", "Water the plants", datetime.now().astimezone() + timedelta(hours=2)
    )
    window.check_reminders()
    qtbot.waitUntil(lambda: "Reminder: Call the bank" in window.statusBar().currentMessage(), timeout=30_000)
    assert store.reminders.get(due.id).status == "fired"
    assert store.reminders.get(later.id).status == "pending"
