"""Files shipped with Hearth (the `resources` package): found through importlib.resources, so an installed
wheel or a frozen bundle has them, not only a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGE = "resources"


def resource_path(*parts: str) -> Path:
    """The shipped file or folder at resources/<parts...> (it may not exist: callers check).

    Hearth is installed unzipped (a wheel, an editable install, a bundle), so every resource is a real
    file that llama.cpp, FAISS and Qt can open by name.
    """
    target = resources.files(PACKAGE).joinpath(*parts)
    if not isinstance(target, Path):
        raise RuntimeError(f"Hearth's resources are not on the file system ({target!r}); reinstall Hearth.")
    return target
