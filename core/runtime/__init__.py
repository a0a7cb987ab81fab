"""Where engines come from and live: specs from settings, the factory that opens them, and the host that
shares one loaded model between every service (below all of them: services import this, never the
reverse)."""

from core.runtime.factory import EngineFactory, open_engine, open_local, open_remote
from core.runtime.host import EngineHost, HostState
from core.runtime.spec import EngineSpec, spec_from_settings

__all__ = [
    "EngineFactory",
    "EngineHost",
    "EngineSpec",
    "HostState",
    "open_engine",
    "open_local",
    "open_remote",
    "spec_from_settings",
]
