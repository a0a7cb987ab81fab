"""The server switch, remote engines in Settings, and where each answer was made, in the real window."""

from __future__ import annotations

import openai

from app.qt import QComboBox, Qt
from app.remote_engines_dialog import RemoteEnginesDialog

ANSWER_TIMEOUT_MS = 120_000


def test_the_switch_serves_the_apps_model_and_shows_the_address(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(max_tokens=8)
    window.services.settings.set("server_port", 0)  # any free port
    switch = window.server_switch
    with qtbot.waitSignal(switch.sig_running, timeout=60_000) as started:
        switch.action.trigger()
    url = started.args[0]
    assert url.startswith("http://127.0.0.1:") and url in switch.label.text() and switch.action.isChecked()
    reply = openai.OpenAI(base_url=url, api_key="x", max_retries=0, timeout=120).chat.completions.create(
        model="hearth", messages=[{"role": "user", "content": "Hi"}], max_tokens=4, temperature=0
    )
    assert reply.choices[0].message.content and window.services.host.loaded is not None, (
        "the app's host served it"
    )
    with qtbot.waitSignal(switch.sig_running, timeout=30_000) as stopped:
        switch.action.trigger()
    assert stopped.args[0] == "" and switch.label.text() == "" and not switch.action.isChecked()


def test_answers_say_which_engine_made_them_and_the_panel_counts_them(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(max_tokens=8)
    qtbot.keyClicks(window.composer.editor, "Hello")
    with qtbot.waitSignal(window.sig_answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)
    answer = finished.args[0]
    assert answer.engine == "llama.cpp" and answer.route == "local only"
    # Local only (the default) is not repeated under every answer; routing's decisions are.
    assert "Answered by" not in window.view.toPlainText()
    window.device_panel.refresh_history()
    assert window.device_panel.engines_label.text().startswith("Answers: 1 local (")
    assert "0 remote" in window.device_panel.engines_label.text()


def test_settings_offer_routing_choices_and_remote_engines(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    dialog = window.open_settings()
    routing = dialog.editors["routing"]
    assert isinstance(routing, QComboBox) and routing.currentText() == "local"
    assert [routing.itemText(i) for i in range(routing.count())] == ["local", "remote", "local_first"]
    dialog.engines_button.click()
    engines = window.findChild(RemoteEnginesDialog)
    assert engines is not None
    engines.name.setText("desk")
    engines.url.setText("http://127.0.0.1:9/v1")
    engines.key.setText("sekret")
    engines.add_button.click()
    assert engines.table.rowCount() == 1 and engines.table.item(0, 0).text() == "desk"
    shown = " ".join(engines.table.item(0, c).text() for c in range(engines.table.columnCount()))
    assert "sekret" not in shown and engines.key.text() == ""
    engines.table.selectRow(0)
    engines.remove_button.click()
    assert engines.table.rowCount() == 0
    engines.close()
    dialog.reject()
