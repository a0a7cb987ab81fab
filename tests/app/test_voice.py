"""Voice in the real window, offscreen: a request spoken from a WAV file through the same capture path as
the microphone (VAD end of utterance included), the transcript in the composer and sent, the answer
spoken by Piper into a playback sink that records it, the latency in the device panel."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.main_window import MainWindow
from app.qt import QComboBox, Qt
from core.services import Services
from core.store import Message
from core.voice.devices import FileAudio, SystemAudio
from core.voice.evaluation import word_error_rate
from core.voice.latency import TurnLatency
from core.voice.service import VoiceService
from core.voice.text import sentences
from tests.app.conftest import open_services

TIMEOUT_MS = 120_000
REQUEST = "What is the capital of France?"


@pytest.fixture
def voice_window(
    hearth_home: Path, qtbot, whisper, piper
) -> Iterator[Callable[[], tuple[MainWindow, FileAudio]]]:  # type: ignore[no-untyped-def]
    opened: list[tuple[MainWindow, Services, FileAudio]] = []

    def make() -> tuple[MainWindow, FileAudio]:
        services = open_services(hearth_home, max_tokens=40)
        audio = FileAudio()
        services.voice = VoiceService(
            services.store, services.settings, devices=audio, transcriber=whisper, synthesizer=piper
        )
        window = MainWindow(services)
        qtbot.addWidget(window)
        window.show()
        opened.append((window, services, audio))
        return window, audio

    yield make
    for window, services, audio in opened:
        window.close()
        services.close()
        audio.recording.close()


@pytest.mark.model
def test_a_spoken_request_is_transcribed_sent_and_its_answer_spoken(voice_window, qtbot, spoken) -> None:  # type: ignore[no-untyped-def]
    window, audio = voice_window()
    composer, voice = window.composer, window.voice
    assert composer.mic_button.isEnabled()
    levels: list[int] = []
    composer.level_meter.valueChanged.connect(levels.append)
    spoken_lines: list[str] = []
    voice.sig_spoken.connect(spoken_lines.append)
    answers: list[object] = []
    window.sig_answer_finished.connect(answers.append)
    latencies: list[object] = []
    voice.sig_latency.connect(latencies.append)

    with qtbot.waitSignal(voice.sig_state, timeout=TIMEOUT_MS, check_params_cb=lambda s: s == "listening"):
        qtbot.mouseClick(composer.mic_button, Qt.MouseButton.LeftButton)
    assert composer.level_meter.isVisible() and composer.mic_button.text() == "Listening…"
    with qtbot.waitSignal(voice.sig_transcript, timeout=TIMEOUT_MS) as heard:
        audio.file_source.speak(spoken(REQUEST))
    # Piper samples its voice afresh each session, so Whisper may mishear a word: one in six at most.
    assert word_error_rate([REQUEST], [heard.args[0]]) <= 0.2, heard.args[0]
    assert max(levels) > 30, "the level meter moved while the request was spoken"

    qtbot.waitUntil(lambda: bool(answers), timeout=TIMEOUT_MS)
    answer = answers[0]
    assert isinstance(answer, Message)
    assert answer.status == "complete" and answer.content
    assert window.conversations.titles() == [heard.args[0]], "sent as typed text is"
    assert heard.args[0] in window.view.toPlainText()

    qtbot.waitUntil(lambda: bool(latencies), timeout=TIMEOUT_MS)
    latency = latencies[0]
    assert isinstance(latency, TurnLatency)
    # Spoken sentence by sentence, and all of it (its first clause may come out on its own).
    assert spoken_lines and " ".join(spoken_lines) == " ".join(sentences(answer.content))
    assert len(audio.recording.clips) == len(spoken_lines)
    assert audio.recording.heard().size > 0.5 * audio.recording.sample_rate
    assert latency.stt_ms > 0 and latency.audio_ms > latency.stt_ms and latency.tts_ms > 0
    stored = window.services.store.conversations.get_message(answer.id)
    assert stored.voice_stt_ms == latency.stt_ms and stored.voice_audio_ms == latency.audio_ms
    assert window.device_panel.values["voice_stt"].text().endswith("ms")
    assert voice.state == "idle" and composer.mic_button.text() == "Speak"
    assert not composer.level_meter.isVisible()


def test_without_a_microphone_the_app_starts_and_the_button_says_why(make_window) -> None:  # type: ignore[no-untyped-def]
    status = SystemAudio().status()
    if status.input_ok:
        pytest.skip("this machine has a microphone")
    window = make_window()
    button = window.composer.mic_button
    assert not button.isEnabled()
    assert button.toolTip() == status.reason and status.reason
    action = window.voice.action  # the shortcut says why too
    assert action.shortcut().toString() == "Ctrl+M" and action in window.actions()
    action.trigger()
    assert window.statusBar().currentMessage() == status.reason
    assert window.voice.state == "idle"


def test_the_microphone_is_chosen_in_settings(make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    dialog = window.open_settings()
    box = dialog.editors["voice_input_device"]
    assert isinstance(box, QComboBox) and box.itemText(0) == "(system default)"
    assert box.count() == 1 + len(SystemAudio().status().inputs), "the microphones connected now are offered"
    box.setEditText("USB Microphone")  # one that is not plugged in yet can still be named
    dialog.accept()
    assert window.services.settings.get("voice_input_device") == "USB Microphone"
    again = window.open_settings().editors["voice_input_device"]
    assert isinstance(again, QComboBox) and again.currentText() == "USB Microphone"
    again.setCurrentIndex(0)
    assert again.currentData() == ""
