"""`hearth engines add|list|test|remove`: remote OpenAI-compatible engines (keys never printed)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from core.commands.common import print_json
from core.runtime.remotes import RemoteEngines
from core.store import Store

KEY_ENV = "HEARTH_REMOTE_KEY"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("engines", help="remote engines: OpenAI-compatible servers for bigger models")
    kinds = p.add_subparsers(dest="engines", required=True)
    add = kinds.add_parser("add", help="add (or replace) a remote engine")
    add.add_argument("name", help="a short name: letters, digits, '.', '_', '-'")
    add.add_argument("url", help="its address, e.g. http://192.168.1.20:8080 (with or without /v1)")
    add.add_argument("--key", help=f"its API key (or set {KEY_ENV}); kept in the keyring, or a 0600 file")
    add.set_defaults(run=run_add)
    listing = kinds.add_parser("list", help="the remote engines, their capabilities and where their keys are")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run_list)
    test = kinds.add_parser(
        "test", help="check one: health, models, context, grammar/JSON schema, embeddings"
    )
    test.add_argument("name", help="NAME or NAME/MODEL")
    test.add_argument("--json", action="store_true")
    test.set_defaults(run=run_test)
    remove = kinds.add_parser("remove", help="forget a remote engine and its key")
    remove.add_argument("name")
    remove.set_defaults(run=run_remove)


def _registry() -> tuple[Store, RemoteEngines]:
    store = Store(recover=False)
    return store, RemoteEngines(store)


def run_add(args: argparse.Namespace) -> int:
    store, remotes = _registry()
    try:
        listing = remotes.add(args.name, args.url, args.key or os.environ.get(KEY_ENV) or None)
    finally:
        store.close()
    key = f", its key in the {listing.key}" if listing.key else ", no key"
    print(
        f"Added {listing.record.name} ({listing.record.url}){key}. Check it with `hearth engines test {args.name}`."
    )
    return 0


def run_list(args: argparse.Namespace) -> int:
    store, remotes = _registry()
    try:
        listings = remotes.list()
    finally:
        store.close()
    rows: list[dict[str, Any]] = []
    for item in listings:
        probe = item.probe
        rows.append(
            {
                "name": item.record.name,
                "url": item.record.url,
                "key": item.key,
                "checked_at": item.record.checked_at,
                "models": list(probe.models) if probe else [],
                "grammar": probe.grammar if probe else None,
                "json_schema": probe.json_schema if probe else None,
                "embeddings": probe.embeddings if probe else None,
            }
        )
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No remote engines. Add one with `hearth engines add NAME URL [--key K]`.")
    for r in rows:
        caps = ", ".join(c for c in ("grammar", "json_schema", "embeddings") if r[c]) or "untested"
        print(f"{r['name']}\t{r['url']}\tkey: {r['key'] or 'none'}\t{caps}\t{', '.join(r['models'])}")
    return 0


def run_test(args: argparse.Namespace) -> int:
    store, remotes = _registry()
    try:
        report = remotes.test(args.name)
    finally:
        store.close()
    if args.json:
        print_json(report.as_dict())
        return 0
    d: dict[str, Any] = report.as_dict()
    print(
        f"{d['name']}: up ({d['latency_ms']} ms), a {d['kind']} server; model {d['model']} "
        f"(of {', '.join(d['models']) or 'none'}); context {report.probe.n_ctx.get(report.model, 'unknown')}; "
        f"grammar {'yes' if d['grammar'] else 'no'}, JSON schema {'yes' if d['json_schema'] else 'no'}, "
        f"embeddings {'yes' if d['embeddings'] else 'no'}"
    )
    return 0


def run_remove(args: argparse.Namespace) -> int:
    store, remotes = _registry()
    try:
        remotes.remove(args.name)
    finally:
        store.close()
    print(f"Removed {args.name} and its key.")
    return 0
