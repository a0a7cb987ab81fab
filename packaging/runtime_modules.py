"""Prints the modules Hearth's run-time paths import, one a line, for the bundle's hidden imports.

torch and transformers import many of their modules by name at run time (torch._dynamo's polyfills,
transformers' lazy attributes), which PyInstaller's import analysis cannot see. Rather than bundling every
torch module (the contrib hook's way: tens of minutes of analysis and all of torch), the spec runs this
in the build's Python and bundles what was really loaded: MiniLM loaded and used through
sentence-transformers (documents, memory, ToolRAG), and llama.cpp's converter imported (it runs on torch).

    python packaging/runtime_modules.py CONVERTER_DIR
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ["HF_HUB_OFFLINE"] = "1"
    from core.embeddings import Embedder

    embedder = Embedder(threads=1)
    embedder.embed(["What does Hearth remember?", "A second sentence."])
    embedder.token_offsets("Offsets for chunking.")
    import transformers.modeling_utils  # noqa: F401  what sentence-transformers reaches lazily

    if len(sys.argv) > 1:
        converter = Path(sys.argv[1])
        sys.path[1:1] = [str(converter), str(converter / "gguf-py")]
        import conversion  # noqa: F401  the converter's model classes, on torch and transformers

    for name in sorted(sys.modules):
        if name != "__main__" and not name.startswith(("core", "app", "resources", "tests")):
            print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
