"""The codebase's own rules, checked: imports run downwards, and callers hold the engine interface."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SOURCES = sorted(p for d in ("core", "app") for p in (REPO / d).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def _module(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts)


def test_only_the_factory_builds_the_llama_engine() -> None:
    allowed = ("core.engine", "core.runtime.factory")
    offenders = [
        _module(p)
        for p in SOURCES
        if not _module(p).startswith(allowed)
        and ("core.engine.llama" in _imports(p) or "core.engine.LlamaEngine" in _imports(p))
    ]
    assert offenders == []


def test_core_never_imports_qt_and_lower_layers_never_import_higher_ones() -> None:
    # Each layer may import only from layers to its right.
    order = [
        ("app",),
        ("core.cli", "core.commands"),
        ("core.services",),
        ("core.chat",),
        (
            "core.assistant",
            "core.memory",
            "core.documents",
            "core.evaluation",
            "core.bench",
            "core.server",
            "core.telemetry",
            "core.voice",
        ),
        ("core.adapters", "core.answers"),
        ("core.runtime",),
        ("core.models", "core.settings"),
        ("core.engine", "core.store", "core.embeddings"),
    ]

    def layer(name: str) -> int | None:
        for i, prefixes in enumerate(order):
            if any(name == p or name.startswith(p + ".") for p in prefixes):
                return i
        return None

    problems = []
    for p in SOURCES:
        me = _module(p)
        mine = layer(me)
        for imported in _imports(p):
            if me.startswith("core") and imported.split(".")[0] in ("PySide6", "app"):
                problems.append(f"{me} imports {imported}")
            theirs = layer(imported)
            if mine is not None and theirs is not None and theirs < mine:
                problems.append(f"{me} imports {imported}, a higher layer")
    assert problems == []
