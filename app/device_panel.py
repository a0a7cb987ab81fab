"""The device panel: what the assistant costs on this machine, live.

Charts of power and memory over the last minutes (from the telemetry sampler), each answer's decode speed
and time to first token, the device chooser, the history of past answers and CSV export. Every number
that is estimated rather than measured says so. Charts repaint once a second, not per sample. A spoken
turn's latency (end of speech to transcript, first tool call, first audio) shows beside them.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from app.jobs import JobRunner
from app.qt import (
    QChart,
    QChartView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineSeries,
    QPainter,
    QPointF,
    QPushButton,
    QScatterSeries,
    QShowEvent,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QValueAxis,
    QVBoxLayout,
    QWidget,
    Signal,
)
from core.services import Services
from core.store import Message
from core.telemetry.history import export_csv
from core.voice.latency import TurnLatency

WINDOW_S = 300  # the charts show the last five minutes
REFRESH_MS = 1000
_HISTORY_COLUMNS = [
    ("created_at", "When"),
    ("completion_tokens", "Tokens"),
    ("ttft_ms", "TTFT ms"),
    ("decode_tok_s", "tok/s"),
    ("energy_j", "J"),
    ("j_per_token", "J/token"),
    ("avg_power_w", "W"),
    ("peak_rss_mb", "RSS MB"),
    ("device", "Device"),
    ("engine", "Engine"),
    ("voice_stt_ms", "Voice STT ms"),
    ("voice_audio_ms", "Voice audio ms"),
]


class _TimeChart(QChartView):
    """One small chart: values against seconds-ago, on a fixed window."""

    def __init__(self, title: str, unit: str, scatter: bool = False) -> None:
        chart = QChart()
        chart.setTitle(title)
        chart.legend().hide()
        chart.setMargins(chart.margins() * 0)
        self.series = QScatterSeries() if scatter else QLineSeries()
        if scatter:
            self.series.setMarkerSize(7.0)
        chart.addSeries(self.series)
        self.x_axis = QValueAxis()
        self.x_axis.setRange(-WINDOW_S, 0)
        self.x_axis.setTickCount(4)
        self.x_axis.setLabelFormat("%d")
        self.x_axis.setTitleText("seconds ago")
        self.y_axis = QValueAxis()
        self.y_axis.setLabelFormat("%.3g")
        self.y_axis.setTickCount(4)
        self.y_axis.setTitleText(unit)
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.x_axis)
        self.series.attachAxis(self.y_axis)
        super().__init__(chart)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(150)

    def set_points(self, points: list[tuple[float, float]]) -> None:
        self.series.replace([QPointF(x, y) for x, y in points])
        top = max((y for _x, y in points), default=1.0)
        self.y_axis.setRange(0, top * 1.15 if top > 0 else 1.0)


class DevicePanel(QWidget):
    """Signals:
    sig_device_changed(str): the device id the user chose; the next answer runs there.
    """

    sig_device_changed = Signal(str)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = JobRunner("hearth-device-export")
        telemetry = services.telemetry
        self.device_picker = QComboBox()
        for device in telemetry.devices:
            self.device_picker.addItem(f"{device.name} ({device.id})", device.id)
        self.device_picker.setCurrentIndex(max(self.device_picker.findData(telemetry.device.id), 0))
        self.source_label = QLabel()
        self.source_label.setWordWrap(True)
        self.engines_label = QLabel()  # answers made here and elsewhere (routing), and the joules spent here
        self.values: dict[str, QLabel] = {}
        grid = QGridLayout()
        for i, (key, title) in enumerate(
            [
                ("power", "Power"),
                ("jtok", "J/token (last)"),
                ("ttft", "First token (last)"),
                ("toks", "Decode (last)"),
                ("rss", "Memory (RSS)"),
                ("vram", "GPU memory"),
                # A spoken turn, from the end of speech (the last one).
                ("voice_stt", "Voice: transcript"),
                ("voice_tool", "Voice: first tool call"),
                ("voice_audio", "Voice: first audio"),
                ("voice_tts", "Voice: sentence to audio"),
            ]
        ):
            name = QLabel(title)
            value = QLabel("–")
            value.setStyleSheet("font-size: 15px; font-weight: bold;")
            self.values[key] = value
            grid.addWidget(name, (i // 3) * 2, i % 3)
            grid.addWidget(value, (i // 3) * 2 + 1, i % 3)

        self.power_chart = _TimeChart("Power", "W")
        self.memory_chart = _TimeChart("Memory (RSS)", "MB")
        self.speed_chart = _TimeChart("Decode speed per answer", "tok/s", scatter=True)
        self.latency_chart = _TimeChart("Time to first token per answer", "ms", scatter=True)
        self.history = QTableWidget(0, len(_HISTORY_COLUMNS))
        self.history.setHorizontalHeaderLabels([title for _k, title in _HISTORY_COLUMNS])
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.verticalHeader().hide()
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.export_button = QPushButton("Export CSV…")

        top = QHBoxLayout()
        top.addWidget(QLabel("Run on:"))
        top.addWidget(self.device_picker, 1)
        charts = QGridLayout()
        charts.addWidget(self.power_chart, 0, 0)
        charts.addWidget(self.memory_chart, 0, 1)
        charts.addWidget(self.speed_chart, 1, 0)
        charts.addWidget(self.latency_chart, 1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.source_label)
        layout.addWidget(self.engines_label)
        layout.addLayout(grid)
        layout.addLayout(charts, 2)
        layout.addWidget(QLabel("Past answers"))
        layout.addWidget(self.history, 1)
        layout.addWidget(self.export_button)

        self.device_picker.activated.connect(self._choose_device)
        self.export_button.clicked.connect(self._ask_export)
        self._timer = QTimer(self, interval=REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self._show_source()
        self.refresh_history()
        self.refresh()

    # ---- live ----

    def refresh(self) -> None:
        sampler = self.services.telemetry.sampler
        if (
            sampler is None or not self.isVisible()
        ):  # a hidden panel need not redraw; it catches up when shown
            return
        now = time.monotonic()
        samples = sampler.samples(now - WINDOW_S)
        power: list[tuple[float, float]] = []
        for prev, s in zip(samples, samples[1:], strict=False):
            watts = sampler.power_of(s, prev)
            if watts is not None:
                power.append((s.t - now, watts))
        self.power_chart.set_points(power)
        self.memory_chart.set_points([(s.t - now, s.rss_bytes / 2**20) for s in samples])
        estimate = "" if sampler.source.measured else " (estimate)"
        if sampler.error:
            self.values["power"].setText("unavailable")
            self.values["power"].setToolTip(sampler.error)
        elif power:
            self.values["power"].setText(f"{power[-1][1]:.1f} W{estimate}")
        if samples:
            last = samples[-1]
            self.values["rss"].setText(f"{last.rss_bytes / 2**20:.0f} MB")
            self.values["vram"].setText(
                "–" if last.vram_bytes is None else f"{last.vram_bytes / 2**20:.0f} MB"
            )

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.refresh()

    def answer_finished(self, message: Message) -> None:
        """Called by the window after each answer: the per-answer figures and the history."""
        estimate = "" if message.power_measured else " (estimate)"
        if message.j_per_token is not None:
            self.values["jtok"].setText(f"{message.j_per_token:.3f} J{estimate}")
        if message.ttft_ms:
            self.values["ttft"].setText(f"{message.ttft_ms:.0f} ms")
        if message.decode_tok_s:
            self.values["toks"].setText(f"{message.decode_tok_s:.1f} tok/s")
        self.refresh_history()

    def voice_latency(self, latency: TurnLatency) -> None:
        """A spoken turn is over: its latency from the end of speech, and from its first sentence to audio."""
        for key, ms in (
            ("voice_stt", latency.stt_ms),
            ("voice_tool", latency.tool_ms),
            ("voice_audio", latency.audio_ms),
            ("voice_tts", latency.tts_ms),
        ):
            self.values[key].setText("–" if ms is None else f"{ms:.0f} ms")
        self.refresh_history()

    def refresh_history(self) -> None:
        counts = self.services.store.conversations.engine_counts()
        self.engines_label.setText(
            f"Answers: {counts['local']} local ({counts['local_j']:.1f} J on this computer), "
            f"{counts['remote']} remote"
        )
        answers = self.services.store.conversations.recent_answers(limit=200)
        self.history.setRowCount(len(answers))
        for row, m in enumerate(answers):
            for col, (key, _title) in enumerate(_HISTORY_COLUMNS):
                value = getattr(m, key)
                text = "" if value is None else (f"{value:.3g}" if isinstance(value, float) else str(value))
                if key == "created_at" and value:
                    text = datetime.fromisoformat(value).astimezone().strftime("%Y-%m-%d %H:%M:%S")
                self.history.setItem(row, col, QTableWidgetItem(text))
        self._answer_points(answers)

    def _answer_points(self, answers: list[Message]) -> None:
        # Answers are stamped in UTC wall time; the charts are in seconds ago.
        now = datetime.now(UTC)
        speed, latency = [], []
        for m in answers:
            ago = -(now - datetime.fromisoformat(m.created_at)).total_seconds()
            if ago < -WINDOW_S:
                continue
            if m.decode_tok_s:
                speed.append((ago, m.decode_tok_s))
            if m.ttft_ms:
                latency.append((ago, m.ttft_ms))
        self.speed_chart.set_points(speed)
        self.latency_chart.set_points(latency)

    # ---- device and export ----

    def _choose_device(self, index: int) -> None:
        device_id = self.device_picker.itemData(index)
        self.services.settings.set("device", device_id)
        self.services.telemetry.select(device_id)
        self._show_source()
        self.sig_device_changed.emit(device_id)

    def _show_source(self) -> None:
        choice = self.services.telemetry.choice
        if choice is None:
            return
        kind = "measured" if choice.source.measured else "<b>estimate</b>"
        why = "; ".join(f"{k}: {v}" for k, v in choice.tried.items())
        self.source_label.setText(f"Power source: {choice.source.label} ({kind})")
        self.source_label.setToolTip(f"Not used: {why}" if why else "")

    def export_to(self, path: Path) -> int:
        return export_csv(self.services.store.conversations.recent_answers(limit=100_000), path)

    def _ask_export(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export answers as CSV", "hearth-answers.csv", "CSV (*.csv)"
        )
        if name:
            # Off the GUI thread: every answer ever given can be many rows.
            job = self.runner.submit(lambda _job: self.export_to(Path(name)))
            job.sig_done.connect(self._exported)
            job.sig_failed.connect(self.source_label.setText)

    def _exported(self, count: int) -> None:
        self.source_label.setText(self.source_label.text() + f"  ·  exported {count} answers")

    def shutdown(self) -> None:
        self.runner.shutdown()
