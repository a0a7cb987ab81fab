"""The device panel, offscreen, during a real generation."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.qt import Qt

ANSWER_TIMEOUT_MS = 120_000


def test_panel_shows_live_values_during_a_generation_and_keeps_history(  # type: ignore[no-untyped-def]
    make_window, qtbot, tmp_path: Path
) -> None:
    window = make_window(max_tokens=64)
    window.device_dock.show()
    panel = window.device_panel
    assert panel.device_picker.itemData(panel.device_picker.currentIndex()) == "cpu"
    source = window.services.telemetry.choice.source
    assert source.label in panel.source_label.text()
    if not source.measured:
        assert "estimate" in panel.source_label.text()

    qtbot.keyClicks(window.composer.editor, "Write a short poem about the sea.")
    with qtbot.waitSignal(window.sig_answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)
        qtbot.waitSignal(window.sig_token, timeout=ANSWER_TIMEOUT_MS).wait()
        panel.refresh()  # what the 1 s timer does
        assert panel.power_chart.series.count() > 0, "power is charted while the answer streams"
        assert "W" in panel.values["power"].text()
        assert panel.values["rss"].text().endswith("MB")
    answer = finished.args[0]
    assert panel.history.rowCount() == 1
    assert panel.history.item(0, 1).text() == str(answer.completion_tokens)
    assert "J" in panel.values["jtok"].text() and "tok/s" in panel.values["toks"].text()
    assert panel.speed_chart.series.count() == 1 and panel.latency_chart.series.count() == 1

    out = tmp_path / "answers.csv"
    assert panel.export_to(out) == 1
    rows = list(csv.DictReader(out.open()))
    assert rows[0]["completion_tokens"] == str(answer.completion_tokens)
    assert float(rows[0]["energy_j"]) > 0 and rows[0]["power_source"] == source.label


def test_choosing_a_device_moves_the_next_answer(make_window, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    panel = window.device_panel
    gpus = [panel.device_picker.itemData(i) for i in range(panel.device_picker.count())]
    gpus = [d for d in gpus if d.startswith("gpu:")]
    if not gpus:
        pytest.skip("no GPU on this machine: the switch to a GPU is exercised on the GPU machine")
    index = panel.device_picker.findData(gpus[0])
    panel.device_picker.setCurrentIndex(index)
    panel.device_picker.activated.emit(index)
    qtbot.keyClicks(window.composer.editor, "Hello")
    with qtbot.waitSignal(window.sig_answer_finished, timeout=ANSWER_TIMEOUT_MS) as finished:
        qtbot.keyClick(window.composer.editor, Qt.Key.Key_Return)
    assert finished.args[0].device == gpus[0]
    assert window.services.host.loaded.n_gpu_layers != 0
