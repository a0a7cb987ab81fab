"""The model wizard end to end: a local server plays the hub; the tiny model is real, quantized for real,
and answers through the real engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import huggingface_hub
import pytest

from app.qt import QWizard
from core.models.hub import HubClient
from tests.fake_hub import FakeHub, running_hub
from tests.model_factory import write_tiny_llama

REPO = "hearth-test/Tiny-Llama-GGUF"
FILE = "tiny-llama-f32.gguf"
TIMEOUT_MS = 120_000


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)  # only 127.0.0.1 is reached
    model = write_tiny_llama(tmp_path / FILE)
    with running_hub() as h:
        h.add_repo(REPO, downloads=500, likes=3)
        h.add_file(REPO, FILE, model)
        yield h


def test_search_download_quantize_try_and_make_default(make_window, qtbot, hub: FakeHub) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    wizard = window.open_model_wizard(hub=HubClient(hub.endpoint))
    search = wizard.currentPage()
    assert search.results.count() >= 10, "the starters are offered before any search"

    search.query.setText("tiny")
    search.search_button.click()
    qtbot.waitUntil(
        lambda: search.results.count() == 1 and REPO in search.results.item(0).text(), timeout=TIMEOUT_MS
    )
    search.results.setCurrentRow(0)
    wizard.next()

    files = wizard.currentPage()
    qtbot.waitUntil(lambda: files.table.rowCount() == 1, timeout=TIMEOUT_MS)
    assert files.table.item(0, 1).text() == "F32"
    files.table.selectRow(0)
    assert "Fits" in files.fit_label.text() or "fit" in files.fit_label.text()
    assert files.quantize.isChecked(), "a float file is offered for quantization"
    files.target.setCurrentText("Q8_0")
    wizard.next()

    download = wizard.currentPage()
    qtbot.waitUntil(lambda: download.done, timeout=TIMEOUT_MS)
    assert wizard.record is not None and wizard.record.source_repo == REPO
    wizard.next()

    quantize = wizard.currentPage()
    qtbot.waitUntil(lambda: quantize.done, timeout=TIMEOUT_MS)
    assert wizard.final is not None and wizard.final.quant_type == "Q8_0"
    wizard.next()

    try_page = wizard.currentPage()
    with qtbot.waitSignal(wizard.tried, timeout=TIMEOUT_MS) as tried:
        try_page.try_button.click()
    assert tried.args[0].strip(), "the quantized model generated text"
    assert "tok/s" in try_page.metrics.text()

    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert window.services.settings.get("model") == wizard.final.id
    assert window.model_picker.currentData() == wizard.final.id, "the picker shows the new default"


def test_a_cancelled_download_can_be_resumed(make_window, qtbot, hub: FakeHub) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    wizard = window.open_model_wizard(hub=HubClient(hub.endpoint))
    wizard.repo = REPO
    wizard.setStartId(1)
    wizard.restart()
    files = wizard.currentPage()
    qtbot.waitUntil(lambda: files.table.rowCount() == 1, timeout=TIMEOUT_MS)
    files.table.selectRow(0)
    files.quantize.setChecked(False)
    served = hub.repos[REPO].files[FILE]
    served.seconds_per_mb = 0.5  # slow, so there is time to cancel
    wizard.next()
    download = wizard.currentPage()
    qtbot.waitUntil(lambda: download.bar.value() > 0, timeout=TIMEOUT_MS)
    download.cancel_button.click()
    qtbot.waitUntil(lambda: download.retry_button.isVisible(), timeout=TIMEOUT_MS)
    assert not download.done and "cancel" in download.detail.text().lower()
    served.seconds_per_mb = 0.0
    download.retry_button.click()
    qtbot.waitUntil(lambda: download.done, timeout=TIMEOUT_MS)
    assert any(r is not None for r in hub.ranges(FILE)), "the second try asked only for the rest"
    wizard.reject()
