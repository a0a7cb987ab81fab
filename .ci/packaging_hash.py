"""The fingerprint of what the desktop packages are built from: packaging/ and pyproject.toml's dependencies.

`make package-test` records it in packaging/tested.sha256 when it passes; `.ci/run` runs the packaging test
again whenever the fingerprint differs from the recorded one (packaging/ or a dependency changed).

    python .ci/packaging_hash.py            # print the fingerprint
    python .ci/packaging_hash.py --changed  # exit 0 if it differs from the recorded one, 1 if not
    python .ci/packaging_hash.py --record   # write it to packaging/tested.sha256
"""

from __future__ import annotations

import hashlib
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "packaging" / "tested.sha256"


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "packaging").rglob("*")):
        if path.is_file() and path != RECORD and "__pycache__" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project.get("optional-dependencies", {})
    for line in (*project.get("dependencies", []), *extras.get("package", [])):
        digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def main(argv: list[str]) -> int:
    now = fingerprint()
    if "--record" in argv:
        RECORD.write_text(now + "\n")
        return 0
    if "--changed" in argv:
        recorded = RECORD.read_text().strip() if RECORD.exists() else ""
        return 0 if recorded != now else 1
    print(now)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
