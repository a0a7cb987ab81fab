"""One Hearth window per data folder: a second start hands over to the running one and exits.

The first app to take `<data>/app.lock` (a QLockFile: it holds the PID, and a lock left by a dead process
is taken over) listens on a local socket named after the data folder. A later start finds the lock taken,
connects, asks the first to bring its window forward, and exits without opening the database.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from app.qt import QLocalServer, QLocalSocket, QLockFile, QObject, Signal

LOCK_NAME = "app.lock"
ACTIVATE = b"activate\n"
ACK = b"ok\n"
CONNECT_MS = 3000
# The running app answers from its event loop, which may still be busy starting (opening the store).
ANSWER_MS = 20_000


def server_name(data_dir: Path) -> str:
    """The local socket's name: one per data folder (resolved), short enough for a Unix socket path."""
    digest = hashlib.sha256(str(data_dir.expanduser().resolve()).encode("utf-8")).hexdigest()[:16]
    return f"hearth-{digest}"


class SingleInstance(QObject):
    """Signals:
    sig_activate(): another start asked this one to show its window.
    """

    sig_activate = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.name = server_name(data_dir)
        self.lock_path = data_dir / LOCK_NAME
        self._lock = QLockFile(str(self.lock_path))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone, however long it has run
        self._server: QLocalServer | None = None
        # Kept here until they disconnect: a socket whose Python wrapper went away would be deleted under Qt.
        self._clients: list[QLocalSocket] = []

    def claim(self) -> bool:
        """Become the one instance for this data folder (True), or find another running (False)."""
        if not self._lock.tryLock(0):
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(self.name)  # we hold the lock: a socket left here is a crashed one's
        if not server.listen(self.name):
            self._lock.unlock()
            raise OSError(f"cannot listen on the local socket {self.name}: {server.errorString()}")
        server.newConnection.connect(self._on_connection)
        self._server = server
        return True

    def hand_over(self, timeout_ms: int = CONNECT_MS, answer_ms: int = ANSWER_MS) -> bool:
        """Ask the running instance to bring its window forward; True once it has said it did."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(ACTIVATE)
        socket.flush()
        ok = socket.waitForReadyRead(answer_ms) and bytes(socket.readAll().data()).startswith(ACK)
        socket.disconnectFromServer()
        return ok

    def release(self) -> None:
        for socket in self._clients:
            socket.abort()
        self._clients.clear()
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()

    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            self._clients.append(socket)
            socket.readyRead.connect(self._on_ready_read)
            socket.disconnected.connect(self._on_disconnected)

    def _on_ready_read(self) -> None:
        for socket in self._clients:
            if socket.bytesAvailable() and bytes(socket.readAll().data()).startswith(ACTIVATE.strip()):
                self.sig_activate.emit()
                socket.write(ACK)
                socket.flush()

    def _on_disconnected(self) -> None:
        for socket in [
            s for s in self._clients if s.state() == QLocalSocket.LocalSocketState.UnconnectedState
        ]:
            self._clients.remove(socket)
            socket.deleteLater()
