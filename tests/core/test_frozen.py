"""The frozen bundle's Python stand-in: `hearth --hearth-python ...` does what `python ...` does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import frozen
from core.models.child import run_child

REPO = Path(__file__).resolve().parents[2]
# What the bundle's entry point (packaging/hearth_main.py) does with its arguments.
ENTRY = "import sys; from core.frozen import run_as_python; sys.exit(run_as_python(sys.argv[1:]))"


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_a_module_runs_as_main_with_its_arguments_and_exit_status() -> None:
    done = _python("-m", "core.models.quantize_worker", "missing.gguf", "out.gguf", "2", "1", "0")
    assert done.returncode == 1, "llama.cpp refuses a missing file: the worker's own exit status comes back"
    assert "HEARTH-ERROR" in done.stdout


def test_a_script_runs_with_its_folder_first_on_the_path(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("VALUE = 'beside the script'\n")
    (tmp_path / "tool.py").write_text("import sys, helper\nprint(helper.VALUE, sys.argv[1:])\nsys.exit(3)\n")
    done = _python(str(tmp_path / "tool.py"), "a", "b")
    assert done.returncode == 3
    assert "beside the script ['a', 'b']" in done.stdout


def test_code_runs_and_bad_usage_is_an_error() -> None:
    assert _python("-c", "print(6 * 7)").stdout.strip() == "42"
    assert _python().returncode == 2


def test_a_frozen_app_starts_its_children_through_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert frozen.python_command() == [sys.executable, frozen.PYTHON_FLAG]
    monkeypatch.delattr(sys, "frozen")
    assert frozen.python_command() == [sys.executable]
    lines: list[str] = []
    result = run_child(["-c", "print('from the child')"], lines.append, None, "a child")
    assert result.returncode == 0 and lines == ["from the child\n"]


def test_programs_outside_the_bundle_get_the_system_library_path(monkeypatch: pytest.MonkeyPatch) -> None:
    assert frozen.external_env() is None, "from source nothing changes"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setenv("LD_LIBRARY_PATH", "/opt/hearth/_internal")
    monkeypatch.setenv("LD_LIBRARY_PATH_ORIG", "/usr/local/lib")
    env = frozen.external_env()
    if sys.platform.startswith("linux"):
        assert env is not None and env["LD_LIBRARY_PATH"] == "/usr/local/lib"
        assert "LD_LIBRARY_PATH_ORIG" not in env
        monkeypatch.delenv("LD_LIBRARY_PATH_ORIG")
        assert "LD_LIBRARY_PATH" not in (frozen.external_env() or {})


def test_the_bundle_ships_its_own_converter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.models.convert import CONVERTER_ENV, SCRIPT, converter_dir, install_converter

    shipped = tmp_path / frozen.CONVERTER_FOLDER
    (shipped / "gguf-py").mkdir(parents=True)
    (shipped / SCRIPT).write_text("# llama.cpp's converter\n")
    monkeypatch.delenv(CONVERTER_ENV, raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert converter_dir() == shipped
    assert install_converter() == shipped, "nothing is fetched: the bundle has it"
