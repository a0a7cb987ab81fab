"""Hearth as a frozen desktop bundle (PyInstaller): where the bundle's files are, and how Hearth starts the
Python child processes it needs (the quantizer, llama.cpp's converter) when its executable is the app.

A frozen app's sys.executable is the app itself, not a Python interpreter, so `sys.executable -m mod` would
start a second app. The bundle's entry point instead reads PYTHON_FLAG and does what `python ...` would.
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

# The first argument that makes the frozen executable act as Python (`hearth --hearth-python -m mod ...`).
PYTHON_FLAG = "--hearth-python"
# The bundle's copy of llama.cpp's HF-to-GGUF converter, beside the bundled packages.
CONVERTER_FOLDER = "llama.cpp-converter"


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def bundle_dir() -> Path | None:
    """The folder holding the bundle's packages and data (PyInstaller's _MEIPASS), or None from source."""
    if not is_frozen():
        return None
    return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))


def python_command() -> list[str]:
    """The command line that runs Python in a child process: `[python]`, or `[app, PYTHON_FLAG]` if frozen."""
    return [sys.executable, PYTHON_FLAG] if is_frozen() else [sys.executable]


def external_env() -> dict[str, str] | None:
    """The environment for programs outside the bundle (xdg-open, notify-send, a user's tool command).

    PyInstaller's bootloader points LD_LIBRARY_PATH at the bundle so its libraries load; a system program
    started with that would load the bundle's Qt or libstdc++ instead of its own. It keeps the original
    value in LD_LIBRARY_PATH_ORIG. None means: inherit the environment unchanged.
    """
    if not is_frozen() or not sys.platform.startswith("linux"):
        return None
    env = dict(os.environ)
    original = env.pop("LD_LIBRARY_PATH_ORIG", None)
    if original:
        env["LD_LIBRARY_PATH"] = original
    else:
        env.pop("LD_LIBRARY_PATH", None)
    return env


def run_as_python(argv: list[str]) -> int:
    """Do what `python ARGV...` does for the forms Hearth's children use: `-m module args...`, `-c code`,
    and `script.py args...`. Returns the exit status.
    """
    if not argv:
        print("hearth: --hearth-python needs -m MODULE, -c CODE or a script", file=sys.stderr)
        return 2
    try:
        if argv[0] == "-m" and len(argv) > 1:
            sys.argv = [argv[1], *argv[2:]]
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        elif argv[0] == "-c" and len(argv) > 1:
            sys.argv = ["-c", *argv[2:]]
            exec(compile(argv[1], "<string>", "exec"), {"__name__": "__main__"})
        else:
            script = Path(argv[0]).resolve()
            sys.argv = [str(script), *argv[1:]]
            # As `python script.py` does: the script's folder first on the path (the converter imports its
            # own `conversion` package and `gguf-py` from there).
            sys.path.insert(0, str(script.parent))
            runpy.run_path(str(script), run_name="__main__")
    except SystemExit as e:
        if e.code is None:
            return 0
        if isinstance(e.code, int):
            return e.code
        print(e.code, file=sys.stderr)
        return 1
    return 0
