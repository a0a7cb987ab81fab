"""The toolbar's server switch: Hearth's OpenAI-compatible server in this process, on a thread of its own,
sharing the app's loaded model and its scheduler (a request from outside queues with the chat's). The
address is shown while it runs. Starting and stopping run off the GUI thread."""

from __future__ import annotations

import os

from app.jobs import Job, JobRunner
from app.qt import QAction, QLabel, QObject, QWidget, Signal
from core.server import Backend, ServerConfig, ServerThread
from core.services import Services

KEY_ENV = "HEARTH_API_KEY"  # needed only to listen beyond loopback (server_host); never shown


class ServerSwitch(QObject):
    """Signals:
    sig_running(str): the server's address once it listens, "" once it stopped.
    sig_failed(str): why it could not start (a message for the user).
    """

    sig_running = Signal(str)
    sig_failed = Signal(str)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.action = QAction("Serve", parent)
        self.action.setCheckable(True)
        self.action.setToolTip(
            "Serve Hearth's model on an OpenAI-compatible address (127.0.0.1 unless the server_host setting "
            "and an API key say otherwise)"
        )
        self.label = QLabel("")
        self.server: ServerThread | None = None
        self._runner = JobRunner("hearth-server-switch")
        self.action.toggled.connect(self._toggled)

    def _toggled(self, on: bool) -> None:
        if on and self.server is None:
            self.start()
        elif not on and self.server is not None:
            self.stop()

    def _config(self) -> ServerConfig:
        settings = self.services.settings
        return ServerConfig(
            host=settings.get("server_host"),
            port=settings.get("server_port"),
            api_key=os.environ.get(KEY_ENV) or None,
        )

    def start(self) -> Job:
        s = self.services
        backend = Backend(
            s.host, s.settings, telemetry=s.telemetry, embedders=s.documents.embedders, root=s.store.root
        )
        config = self._config()
        self.label.setText("Starting the server…")
        job = self._runner.submit(lambda j: ServerThread(backend, config).start())
        job.sig_done.connect(self._started)
        job.sig_failed.connect(self._failed)
        return job

    def _started(self, server: object) -> None:
        assert isinstance(server, ServerThread)
        self.server = server
        self.label.setText(f"Serving on {server.url}")
        self.action.setToolTip(f"Hearth is serving on {server.url}: click to stop")
        self.sig_running.emit(server.url)

    def _failed(self, message: str) -> None:
        self.label.setText("")
        self.action.blockSignals(True)
        self.action.setChecked(False)
        self.action.blockSignals(False)
        self.sig_failed.emit(message)

    def stop(self) -> Job | None:
        server, self.server = self.server, None
        if server is None:
            return None
        self.label.setText("Stopping the server…")
        job = self._runner.submit(lambda j: server.stop())
        job.sig_done.connect(lambda _: self._stopped())
        return job

    def _stopped(self) -> None:
        self.label.setText("")
        self.sig_running.emit("")

    def shutdown(self) -> None:
        """Stop the server (if it runs) before the app releases the model."""
        if self.server is not None:
            self.server.stop()
            self.server = None
        self._runner.shutdown()
