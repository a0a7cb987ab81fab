"""`hearth serve`: Hearth's models on a local OpenAI-compatible endpoint (see core/server)."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace

from core.commands.common import load_settings
from core.embeddings import EmbedderHost
from core.runtime import EngineHost, spec_from_settings
from core.server import Backend, ServerConfig, serve
from core.telemetry.service import Telemetry

KEY_ENV = "HEARTH_API_KEY"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the model on an OpenAI-compatible HTTP endpoint")
    p.add_argument("--host", help="address to listen on (default: the server_host setting, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: the server_port setting; 0 picks a free one)")
    p.add_argument(
        "--api-key",
        help=f"key clients must send (needed on any address but loopback; {KEY_ENV} keeps it off the "
        "command line)",
    )
    p.add_argument("--model", "-m", help="model served by default (default: the model setting)")
    p.add_argument("--threads", type=int, help="CPU threads (default: chosen from the machine's load)")
    p.add_argument("--n-ctx", type=int, help="context window in tokens (default: the n_ctx setting)")
    p.add_argument(
        "--max-queue",
        type=int,
        default=32,
        help="requests that may wait for the model before 429 (default 32)",
    )
    p.add_argument(
        "--stop-after", type=float, help="stop by itself after this many seconds (scripts, tests, benchmarks)"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    config = ServerConfig(
        host=args.host or settings.get("server_host"),
        port=settings.get("server_port") if args.port is None else args.port,
        api_key=args.api_key or os.environ.get(KEY_ENV) or None,
    )
    config.check()  # before anything loads: a refused address says so at once
    spec = spec_from_settings(settings, args.model)
    if args.threads:
        spec = replace(spec, n_threads=args.threads)
    if args.n_ctx:
        spec = replace(spec, n_ctx=args.n_ctx)
    host = EngineHost(max_waiting=max(0, args.max_queue))
    telemetry = Telemetry(settings)
    backend = Backend(host, settings, telemetry=telemetry, embedders=EmbedderHost(), spec=spec)
    backend.preload()

    def ready(url: str) -> None:
        # One line a script can wait for; the key is never printed.
        print(f"Hearth is serving {spec.model} on {url}", flush=True)

    try:
        serve(backend, config, ready, args.stop_after)
    finally:
        telemetry.close()
        host.close()
    print("hearth: server stopped", file=sys.stderr)
    return 0
