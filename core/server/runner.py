"""Running the server with uvicorn: in the foreground (`hearth serve`), or on its own thread (the app's
switch), on a socket bound before uvicorn starts so that the address, port 0 included, is known at once."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette

from core.errors import ServerConfigError
from core.server.app import create_app
from core.server.backend import Backend
from core.server.config import ServerConfig
from core.server.routes import Routes

log = logging.getLogger(__name__)

GRACEFUL_S = 3.0  # streams still open at shutdown are cut after this


def bind(config: ServerConfig) -> socket.socket:
    """A listening socket on the config's address (checked first: no key, no address but loopback)."""
    config.check()
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((config.host.strip("[]"), config.port))
    except OSError as e:
        sock.close()
        raise ServerConfigError(f"Cannot listen on {config.host}:{config.port}: {e.strerror or e}.") from e
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket, host: str) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/v1"


def _server(app: Starlette) -> uvicorn.Server:
    return uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=int(GRACEFUL_S),
        )
    )


def serve(
    backend: Backend,
    config: ServerConfig,
    on_ready: Callable[[str], None] | None = None,
    stop_after_s: float | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C, SIGTERM: uvicorn handles the signals on the main thread), or for
    `stop_after_s` seconds (scripts, tests and benchmarks: a server nobody stops still ends)."""
    sock = bind(config)
    server = _server(create_app(backend, config))
    if stop_after_s is not None:
        timer = threading.Timer(stop_after_s, lambda: setattr(server, "should_exit", True))
        timer.daemon = True
        timer.start()
    url = url_of(sock, config.host)
    original = server.startup

    async def startup(sockets: list[socket.socket] | None = None) -> None:
        await original(sockets=sockets)
        if on_ready is not None and server.started:
            on_ready(url)

    server.startup = startup  # type: ignore[method-assign]
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


class ServerThread:
    """The server on a thread of its own, for the app: start() returns once it listens, stop() ends it."""

    def __init__(self, backend: Backend, config: ServerConfig) -> None:
        self._sock = bind(config)
        self.url = url_of(self._sock, config.host)
        self.port: int = self._sock.getsockname()[1]
        self._app = create_app(backend, config)
        self._server = _server(self._app)
        self._thread = threading.Thread(target=self._run, name="hearth-server", daemon=True)
        self.error: BaseException | None = None

    def _run(self) -> None:
        try:
            self._server.run(sockets=[self._sock])
        except BaseException as e:  # reported by start(), never raised on a thread nobody joins
            self.error = e
            log.exception("The server stopped with an error")

    @property
    def routes(self) -> Routes:
        routes: Routes = self._app.state.routes
        return routes

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and self._server.started

    def start(self, timeout: float = 15.0) -> ServerThread:
        self._thread.start()
        done = threading.Event()

        def check() -> bool:
            return self._server.started or not self._thread.is_alive()

        while not check() and not done.wait(0.02):
            timeout -= 0.02
            if timeout <= 0:
                break
        if not self._server.started:
            self.stop()
            raise ServerConfigError(f"The server did not start: {self.error or 'it took too long'}.")
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread.is_alive():
            self.routes.cancel_all()
            self._server.should_exit = True
            self._thread.join(timeout)
        self._sock.close()
