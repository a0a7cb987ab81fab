"""The chat view, offscreen, as the user reads it: Markdown answers, code blocks to copy, streaming that keeps its place."""

from __future__ import annotations

from app import chat_view
from app.chat_view import RENDER_INTERVAL_MS, ChatView
from app.qt import (
    QFont,
    QFontInfo,
    QGuiApplication,
    QPoint,
    Qt,
    QTextCursor,
    QTextFormat,
    QTextTable,
    QUrl,
)
from core.store import Message
from tests.app.test_rich_text import TRICKY

CODE = 'def greet(name):\n    if name < "m" and name != "&":\n\n        return f"<b>{name}</b>"'
ANSWER = (
    "Here is **the plan**, with *care*:\n\n"
    "- Monday: groceries\n- Tuesday: the dentist\n\n"
    "1. First\n2. Second\n\n"
    "| Day | Task | Hours |\n|-----|------|------:|\n| Mon | Groceries | 1 |\n| Tue | Dentist | 2 |\n\n"
    f"```python\n{CODE}\n```\n\n"
    "Done."
)
POEM = "Roses are red,\nViolets are blue,\nSugar is sweet,\nAnd so are you."


def message(content: str, role: str = "assistant", id_: int = 2) -> Message:
    return Message(id_, 1, role, content, "complete", "2025-01-01 10:00:00")


def make_view(qtbot, width: int = 640, height: int = 480) -> ChatView:  # type: ignore[no-untyped-def]
    view = ChatView()
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    return view


def blocks(view: ChatView) -> list[tuple[str, bool]]:
    """(text, is a list item) of every block, in order."""
    found = []
    block = view.document().begin()
    while block.isValid():
        found.append((block.text(), block.textList() is not None))
        block = block.next()
    return found


def structure(view: ChatView) -> list[tuple[str, dict, int | None]]:
    """Every block's text, block format (all its properties) and list (by order of appearance, with its
    format): what toHtml leaves out. Object numbers are Qt's own bookkeeping, left out."""
    object_index = QTextFormat.Property.ObjectIndex
    found = []
    lists: list = []
    block = view.document().begin()
    while block.isValid():
        properties = {k: v for k, v in block.blockFormat().properties().items() if k != object_index}
        text_list = block.textList()
        number = None
        if text_list is not None:
            if text_list not in lists:
                lists.append(text_list)
            number = lists.index(text_list)
            properties["list"] = {
                k: v for k, v in text_list.format().properties().items() if k != object_index
            }
        found.append((block.text(), properties, number))
        block = block.next()
    return found


def char_format_of(view: ChatView, text: str):  # type: ignore[no-untyped-def]
    cursor = view.document().find(text)
    assert not cursor.isNull(), f"{text!r} is not in the view"
    cursor.setPosition(cursor.selectionStart() + 1)  # the format of the text's first character
    return cursor.charFormat()


def tables(view: ChatView) -> list[QTextTable]:
    return [f for f in view.document().rootFrame().childFrames() if isinstance(f, QTextTable)]


def stream(qtbot, view: ChatView, text: str, size: int = 3) -> None:  # type: ignore[no-untyped-def]
    """Stream text piece by piece as the model would, giving the throttled renderer its turns."""
    for i in range(0, len(text), size):
        view.append_piece(text[i : i + size])
        if i % (size * 8) == 0:
            qtbot.wait(RENDER_INTERVAL_MS // 4)
    qtbot.waitUntil(lambda: not view._timer.isActive())
    qtbot.wait(RENDER_INTERVAL_MS)  # the layout, and the scroll range, may settle a moment later


def click_text(qtbot, view: ChatView, text: str) -> None:  # type: ignore[no-untyped-def]
    """Click in the middle of the text where it is drawn, as the user would."""
    cursor = view.document().find(text)
    assert not cursor.isNull()
    middle = QTextCursor(view.document())
    middle.setPosition((cursor.selectionStart() + cursor.selectionEnd()) // 2)
    view.ensureCursorVisible()
    rect = view.cursorRect(middle)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.x(), rect.center().y()))


def test_a_list_follows_its_header_without_a_blank_line(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot)
    view.add_message(message("- one\n- two", role="user", id_=1))
    view.add_message(message("1. first\n2. second"))
    view.begin_answer("* streamed\n* list")
    assert blocks(view) == [
        ("You", False),
        ("one", True),
        ("two", True),
        ("Hearth", False),
        ("first", True),
        ("second", True),
        ("Hearth (writing…)", False),
        ("streamed", True),
        ("list", True),
    ]


def test_bold_italic_and_inline_code(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot)
    view.add_message(message("Some **bold words**, *slanted* and `x = 1` here."))
    assert char_format_of(view, "bold words").fontWeight() == QFont.Weight.Bold
    assert char_format_of(view, "slanted").fontItalic()
    assert QFontInfo(char_format_of(view, "x = 1").font()).fixedPitch()
    assert not QFontInfo(char_format_of(view, "here").font()).fixedPitch()
    assert "**" not in view.toPlainText() and "`" not in view.toPlainText()


def test_a_table_shows_its_cells(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot)
    view.add_message(message(ANSWER))
    table = next(t for t in tables(view) if t.columns() == 3)
    assert (table.rows(), table.columns()) == (3, 3)
    cells = [[table.cellAt(r, c).firstCursorPosition().block().text() for c in range(3)] for r in range(3)]
    assert cells == [["Day", "Task", "Hours"], ["Mon", "Groceries", "1"], ["Tue", "Dentist", "2"]]
    assert "|" not in view.toPlainText()


def test_a_code_block_is_monospace_and_its_copy_button_copies_the_exact_code(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, height=900)
    view.add_message(message(ANSWER))
    code_format = char_format_of(view, "def greet(name):")
    assert QFontInfo(code_format.font()).fixedPitch()
    assert not QFontInfo(char_format_of(view, "Done.").font()).fixedPitch()
    assert "```" not in view.toPlainText()

    QGuiApplication.clipboard().clear()
    with qtbot.waitSignal(view.sig_copied) as copied:
        click_text(qtbot, view, "Copy")
    assert copied.args == [CODE]
    assert QGuiApplication.clipboard().text() == CODE


def test_each_code_block_copies_its_own_text_also_while_streaming(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot)
    view.add_message(message("```\nfirst block\n```", id_=1))
    view.begin_answer("```sh\nsecond block\n```\n\nand\n\n```\nthird block\n```")
    anchors = []
    cursor = QTextCursor(view.document())
    while not (cursor := view.document().find("Copy", cursor)).isNull():
        anchors.append(cursor.charFormat().anchorHref())
    assert len(anchors) == 3
    copied: list[str] = []
    view.sig_copied.connect(copied.append)
    for href in anchors:
        view.anchorClicked.emit(QUrl(href))
    assert copied == ["first block", "second block", "third block"]


def test_a_poem_keeps_its_lines(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot)
    view.add_message(message(POEM))
    body = view.toPlainText().split("Hearth", 1)[1]
    assert [line.strip() for line in body.splitlines() if line.strip()] == POEM.splitlines()


def test_raw_html_and_remote_images_from_the_model_stay_text(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot)
    raw = '<b>not bold</b> <img src="https://example.org/track.png"> <a href="source:1/1">fake</a>'
    view.add_message(message(f"{raw}\n\n![a cat](https://example.org/cat.png)"))
    text = view.toPlainText()
    assert raw in text
    assert char_format_of(view, "not bold").fontWeight() != QFont.Weight.Bold
    assert "\ufffc" not in text, "no image (an object) may be in the document"
    assert "[image: a cat]" in text
    assert "<script" not in view.toHtml() and "<img" not in view.toHtml()


def test_only_web_links_are_links_and_they_open_on_click(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The system's browser is the one thing not run for real (offscreen Qt has none to open).
    opened: list[str] = []

    class SystemBrowser:
        @staticmethod
        def openUrl(url: QUrl) -> bool:  # noqa: N802 - Qt's name
            opened.append(url.toString())
            return True

    monkeypatch.setattr(chat_view, "QDesktopServices", SystemBrowser)
    view = make_view(qtbot)
    view.add_message(
        message(
            "[the docs](https://example.org/docs) · [secret](file:///etc/passwd) · "
            "[a source](source:1/1) · [memory](memory:3) · [js](javascript:alert(1))"
        )
    )
    assert char_format_of(view, "the docs").anchorHref() == "https://example.org/docs"
    text = view.toPlainText()
    for written in ("[secret](file:///etc/passwd)", "[a source](source:1/1)", "[memory](memory:3)"):
        assert written in text
    assert "[js](javascript:alert(1))" in text
    assert opened == []
    click_text(qtbot, view, "the docs")
    qtbot.waitUntil(lambda: opened == ["https://example.org/docs"])


def test_streaming_piece_by_piece_ends_in_the_document_of_the_whole_answer(qtbot) -> None:  # type: ignore[no-untyped-def]
    user = message("Plan my week", role="user", id_=1)
    streamed = make_view(qtbot)
    streamed.add_message(user)
    streamed.begin_answer()
    stream(qtbot, streamed, ANSWER)
    whole = make_view(qtbot)
    whole.add_message(user)
    whole.begin_answer(ANSWER)
    assert streamed.document().toHtml() == whole.document().toHtml()
    assert structure(streamed) == structure(whole)

    # And once finished, the same document as the stored conversation opened afresh.
    streamed.finish_answer(message(ANSWER))
    reopened = make_view(qtbot)
    reopened.show_messages([user, message(ANSWER)])
    assert streamed.document().toHtml() == reopened.document().toHtml()
    assert structure(streamed) == structure(reopened)
    assert "writing…" not in streamed.toPlainText()


def test_every_step_of_a_tricky_stream_matches_its_whole_rendering(qtbot) -> None:  # type: ignore[no-untyped-def]
    # Blocks that change as lines arrive (a paragraph turning into a heading or a table, a list turning
    # loose, a fence not yet closed): each render takes out and puts back only the blocks that changed.
    streamed = make_view(qtbot)
    streamed.add_message(message("- a list\n- before", role="user", id_=1))
    streamed.begin_answer()
    for end in range(1, len(TRICKY) + 1, 2):
        streamed._stream_text = TRICKY[:end]
        streamed._render_stream()
        whole = ChatView()
        whole.add_message(message("- a list\n- before", role="user", id_=1))
        whole.begin_answer(TRICKY[:end])
        assert structure(streamed) == structure(whole), f"differs after {TRICKY[:end][-30:]!r}"
        assert streamed.document().toHtml() == whole.document().toHtml()
        # And the same as the answer shown whole once stored (put in all at once, not block by block).
        stored = ChatView()
        stored.add_message(message("- a list\n- before", role="user", id_=1))
        stored.add_message(message(TRICKY[:end]))
        header = [i for i, b in enumerate(structure(stored)) if b[0] == "Hearth"][0]
        expected = structure(stored)
        expected[header] = ("Hearth (writing…)", *expected[header][1:])
        assert structure(streamed) == expected
        whole.deleteLater()
        stored.deleteLater()


def test_streaming_keeps_the_place_of_a_user_who_scrolled_up_and_follows_one_at_the_bottom(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot, width=480, height=300)
    view.show_messages([message(f"Earlier answer {i}.\n\n{ANSWER}", id_=i) for i in range(6)])
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()

    view.begin_answer()
    stream(qtbot, view, "A long answer that starts at the bottom.\n\n" + ANSWER)
    assert bar.value() == bar.maximum(), "a view at the bottom follows the new text"

    bar.setValue(bar.maximum() // 2)
    kept = bar.value()
    before = bar.maximum()
    stream(qtbot, view, "\n\n" + "\n\n".join([ANSWER, POEM, ANSWER]))
    assert bar.maximum() > before, "the answer grew below"
    assert bar.value() == kept, "the user who scrolled up stays where they were"

    bar.setValue(bar.maximum())
    stream(qtbot, view, "\n\n" + ANSWER)
    assert bar.value() == bar.maximum()

    bar.setValue(kept)
    view.finish_answer(message("The end.\n\n" + ANSWER * 4, id_=99))
    assert bar.value() == kept, "the finished answer does not move the view either"


def test_an_answer_s_notes_follow_its_markdown(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = make_view(qtbot)
    failed = Message(3, 1, "assistant", "- half a list", "error", "2025-01-01", error="The model stopped.")
    recalled = Message(
        4,
        1,
        "assistant",
        "| a |\n|---|\n| 1 |",
        "complete",
        "2025-01-01",
        memories='[{"id": 9, "text": "Likes tea"}]',
    )
    view.show_messages([failed, recalled])
    assert blocks(view)[:3] == [("Hearth", False), ("half a list", True), ("⚠ The model stopped.", False)]
    text = view.toPlainText()
    assert text.index("Memories used") < text.index("Likes tea"), "after the table, in that order"
    assert text.index("1") < text.index("Memories used")
    with qtbot.waitSignal(view.sig_memory) as clicked:
        click_text(qtbot, view, "Likes tea")
    assert clicked.args == [9]
