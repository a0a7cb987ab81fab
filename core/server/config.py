"""How the server listens: address, port, API key and limits; loopback unless a key is set."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from core.errors import ServerConfigError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8800
# A request body larger than this is refused (413): a whole context of text is about 16 KB, a large tools
# list a few more. The limit keeps a client from making the server hold megabytes it will refuse anyway.
DEFAULT_MAX_BODY_BYTES = 1_000_000


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServerConfig:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT  # 0: any free port (the runner reports which)
    api_key: str | None = field(default=None, repr=False)  # never shown
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    def check(self) -> None:
        """Refuse to listen beyond this machine without a key: anyone on the network could use the model."""
        if not is_loopback(self.host) and not self.api_key:
            raise ServerConfigError(
                f"Listening on {self.host} lets other computers use Hearth: give an API key "
                "(--api-key, or HEARTH_API_KEY), or listen on 127.0.0.1."
            )
        if not 0 <= self.port <= 65535:
            raise ServerConfigError(f"{self.port} is not a port number (0 to 65535).")
