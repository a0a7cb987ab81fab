"""A built wheel carries what Hearth reads at run time: resources/ as package data, the Qt style sheet."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        cwd=out,
    )
    (path,) = out.glob("hearth-*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_holds_every_shipped_resource(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    shipped = [
        p.relative_to(REPO).as_posix()
        for p in (REPO / "resources").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert shipped, "resources/ is empty"
    missing = [p for p in shipped if p not in names]
    assert not missing, f"not in the wheel: {missing}"
    for needed in ("resources/hearth.svg", "app/style.qss", "core/models/data/perplexity.txt"):
        assert needed in names
    adapters = [n for n in names if n.startswith("resources/adapters/") and n.endswith(".gguf")]
    assert len(adapters) >= 4  # memory extract, update, answer and the planner
    assert not any(n.startswith("tests/") for n in names)


def test_resources_are_found_through_the_package_not_the_source_tree() -> None:
    from core.resources import resource_path

    assert resource_path("hearth.svg").is_file()
    assert resource_path("eval", "agent", "requests.jsonl").is_file()
