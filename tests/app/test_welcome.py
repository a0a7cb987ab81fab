"""The first start: the welcome in the empty chat, its examples, and the window remembered across starts."""

from __future__ import annotations

from app.model_wizard import ModelWizard
from app.qt import QApplication, Qt
from app.welcome import EXAMPLES

ANSWER_TIMEOUT_MS = 120_000


def test_the_first_start_opens_on_the_welcome_with_a_working_chat(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window(max_tokens=16)
    assert window.chat_stack.currentWidget() is window.welcome
    assert "this computer" in window.welcome.intro.text()
    shown = {e.kind for e in EXAMPLES}
    assert shown == {"chat", "assistant", "documents", "memory", "device"}
    assert "Get models" in window.welcome.models_hint.text()
    assert window.model_picker.currentText().startswith("SmolLM2"), "the embedded model is ready"

    qtbot.mouseClick(window.welcome.buttons["chat"], Qt.MouseButton.LeftButton)
    chat = next(e for e in EXAMPLES if e.kind == "chat")
    assert window.composer.editor.toPlainText() == chat.text
    assert window.composer.mode() == "chat"
    with qtbot.waitSignal(window.sig_answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        qtbot.mouseClick(window.composer.send_button, Qt.MouseButton.LeftButton)
        assert window.chat_stack.currentWidget() is window.view, "the chat replaces the welcome"
    assert finished.args[0].status == "complete" and finished.args[0].content.strip()


def test_each_example_starts_the_right_thing(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    by_kind = {e.kind: e for e in EXAMPLES}

    qtbot.mouseClick(window.welcome.buttons["assistant"], Qt.MouseButton.LeftButton)
    assert window.composer.mode() == "assistant"
    assert window.composer.editor.toPlainText() == by_kind["assistant"].text

    qtbot.mouseClick(window.welcome.buttons["memory"], Qt.MouseButton.LeftButton)
    assert window.composer.mode() == "chat", "a fact to remember goes to the plain chat"
    assert window.composer.editor.toPlainText() == by_kind["memory"].text
    assert window.memory_dock.isVisible()

    qtbot.mouseClick(window.welcome.buttons["documents"], Qt.MouseButton.LeftButton)
    assert window.documents_dock.isVisible()
    qtbot.mouseClick(window.welcome.buttons["device"], Qt.MouseButton.LeftButton)
    assert window.device_dock.isVisible()

    window.welcome.models_hint.linkActivated.emit("get-models")
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), ModelWizard), timeout=10_000)
    QApplication.activeModalWidget().close()  # type: ignore[union-attr]


def test_the_toolbar_has_an_icon_for_every_action(make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    actions = [a for a in window.toolbar.actions() if a.text() and not a.isSeparator()]
    names = {a.text() for a in actions}
    assert {
        "New chat",
        "Get models…",
        "Settings…",
        "Assistant",
        "Documents",
        "Memory",
        "Device panel",
    } <= names
    assert all(not a.icon().isNull() for a in actions if a.text() in names)


def test_window_size_and_panels_are_remembered(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    # Sizes within the offscreen platform's 800x800 screen: restoreGeometry keeps a window on its screen.
    first = make_window()
    first.resize(760, 580)
    first.close()
    second = make_window()
    assert (second.width(), second.height()) == (760, 580)
    assert not second.memory_dock.isVisible()
    second.memory_dock.show()
    second.close()
    third = make_window()
    assert third.memory_dock.isVisible() and not third.device_dock.isVisible()
