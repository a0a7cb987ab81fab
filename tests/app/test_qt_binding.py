"""Guards against a Qt binding that corrupts reference counts: PySide6 6.12.0 did, on Python 3.11, and a
long chat (hundreds of tokens, a timer ticking) then crashed with 'deallocating None'."""

from __future__ import annotations

import sys

from app.qt import QObject, QTimer, Signal


class _Emitter(QObject):
    sig_object = Signal(object)
    sig_text = Signal(str)


def test_signals_and_slots_keep_reference_counts(qapp) -> None:  # type: ignore[no-untyped-def]
    emitter = _Emitter()
    timer = QTimer()
    received: list[object] = []
    emitter.sig_object.connect(received.append)
    emitter.sig_text.connect(received.append)
    timer.timeout.connect(lambda: None)
    singletons = (None, True, False)
    before = [sys.getrefcount(x) for x in singletons]
    for _ in range(20_000):
        emitter.sig_object.emit("piece")
        emitter.sig_text.emit("piece")
        timer.timeout.emit()
    after = [sys.getrefcount(x) for x in singletons]
    assert len(received) == 40_000
    for name, b, a in zip(("None", "True", "False"), before, after, strict=True):
        assert a >= b - 100, f"the Qt binding dropped {b - a} references to {name}"
