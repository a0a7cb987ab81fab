from core.engine.text_stream import TextStream


def test_utf8_split_across_tokens_is_joined() -> None:
    stream = TextStream(())
    data = "café ☕".encode()
    out = "".join(stream.feed(data[i : i + 1]) for i in range(len(data))) + stream.flush()
    assert out == "café ☕" == stream.text


def test_a_possible_stop_string_is_held_back_until_known() -> None:
    stream = TextStream(("\nUser:",))
    assert stream.feed(b"Hello") == "Hello"
    assert stream.feed(b"\nUs") == ""  # could be the stop string
    assert stream.feed(b"ually") == "\nUsually"  # it was not
    assert stream.feed(b"\nUser: hi") == ""
    assert stream.stopped and stream.text == "Hello\nUsually"


def test_held_back_text_is_released_at_the_end() -> None:
    stream = TextStream(("STOP",))
    assert stream.feed(b"ST") == ""
    assert stream.flush() == "ST"
