"""Where a request runs, small model first: local only (the default: nothing leaves this computer), remote
only, or local first with a fallback to a chosen remote engine when the local model is in doubt.

A remote engine lives on a host of its own, so asking it never retires the local model; both hosts put
their requests through a scheduler, as every engine does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.engine import Priority, ScheduledEngine
from core.errors import RemoteEngineError
from core.runtime.host import EngineHost
from core.runtime.remotes import is_remote, remote_spec_model
from core.runtime.spec import EngineSpec
from core.settings import ROUTING_MODES, Settings
from core.store import Conversation

LOCAL, REMOTE, LOCAL_FIRST = ROUTING_MODES


@dataclass(frozen=True)
class RoutePolicy:
    mode: str = LOCAL
    remote: str = ""  # the remote engine as a spec's model: "remote:NAME[/MODEL]"
    min_logprob: float = -1.5  # local first: an answer less sure than this goes to the remote engine

    @property
    def local_first(self) -> bool:
        return self.mode == LOCAL_FIRST


def route_policy(
    settings: Settings, conversation: Conversation | None = None, *, assistant: bool = False
) -> RoutePolicy:
    """The policy for a conversation (its own choice first) or for the assistant (its setting first).
    Raises RemoteEngineError when routing sends requests out but no remote engine is chosen."""
    mode = (conversation.routing if conversation is not None else "") or ""
    if not mode and assistant:
        mode = settings.get("assistant_routing")
    mode = mode or settings.get("routing")
    if mode not in ROUTING_MODES:
        mode = LOCAL
    remote = (conversation.routing_remote if conversation is not None else "") or settings.get(
        "routing_remote"
    )
    if mode != LOCAL and not remote.strip():
        raise RemoteEngineError(
            f"Routing is '{mode}', but no remote engine is chosen: set routing_remote (an engine added with "
            "`hearth engines add`), or route locally."
        )
    return RoutePolicy(
        mode, remote_spec_model(remote.strip()) if remote.strip() else "", settings.get("routing_min_logprob")
    )


class Router:
    """The engines a policy names: the local model on `local`, remote engines on a host of their own."""

    def __init__(self, local: EngineHost, remote: EngineHost | None = None, root: Path | None = None) -> None:
        self.local = local
        self.remote_host = remote or EngineHost(root)

    def engine(self, spec: EngineSpec, priority: Priority = Priority.FOREGROUND) -> ScheduledEngine:
        """The engine `spec` names, on the host for its kind."""
        host = self.remote_host if is_remote(spec.model) else self.local
        return host.get(spec, priority)

    def remote(self, policy: RoutePolicy, priority: Priority = Priority.FOREGROUND) -> ScheduledEngine:
        if not policy.remote:
            raise RemoteEngineError("No remote engine is chosen for routing (set routing_remote).")
        return self.remote_host.get(EngineSpec(model=policy.remote), priority)

    def close(self) -> None:
        self.remote_host.close()


def kept_reason(mean_logprob: float | None, policy: RoutePolicy) -> str:
    if mean_logprob is None:
        return "local first: answered locally"
    return f"local first: answered locally (mean log-prob {mean_logprob:.2f} ≥ {policy.min_logprob:.2f})"


def doubt_reason(mean_logprob: float, policy: RoutePolicy) -> str:
    return f"fallback: the local answer's mean log-prob {mean_logprob:.2f} < {policy.min_logprob:.2f}"


def in_doubt(mean_logprob: float | None, policy: RoutePolicy) -> bool:
    return policy.local_first and mean_logprob is not None and mean_logprob < policy.min_logprob
