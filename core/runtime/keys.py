"""API keys of remote engines: in the platform keyring where one works, else in a file only the user can read.

The `keyring` library reaches the system's store (macOS Keychain, Windows Credential Locker, the Secret
Service on a Linux desktop). A headless Linux has none and keyring raises; the key then goes to
`<data dir>/keys.json`, created with mode 0600. Keys are returned to the engine that sends them and to
nothing else: no function here logs or prints one.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Literal

import keyring
import keyring.errors

from core import paths

log = logging.getLogger(__name__)

SERVICE = "hearth"
Where = Literal["keyring", "file"]


class KeyStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or paths.data_dir()
        self.path = self.root / "keys.json"

    def _user(self, name: str) -> str:
        # Per data dir: two Hearth homes (a test's, the user's) never share an entry.
        return f"{self.root.resolve()}:{name}"

    def set(self, name: str, key: str) -> Where:
        """Keep `key` for engine `name`; returns where it went."""
        try:
            keyring.set_password(SERVICE, self._user(name), key)
            self._drop_from_file(name)
            return "keyring"
        except (keyring.errors.KeyringError, RuntimeError) as e:
            log.info("No usable keyring (%s); keeping the key in %s (mode 0600)", type(e).__name__, self.path)
        keys = self._read_file()
        keys[name] = key
        self._write_file(keys)
        return "file"

    def get(self, name: str) -> str | None:
        try:
            found = keyring.get_password(SERVICE, self._user(name))
            if found is not None:
                return found
        except (keyring.errors.KeyringError, RuntimeError):
            pass
        return self._read_file().get(name)

    def where(self, name: str) -> Where | None:
        try:
            if keyring.get_password(SERVICE, self._user(name)) is not None:
                return "keyring"
        except (keyring.errors.KeyringError, RuntimeError):
            pass
        return "file" if name in self._read_file() else None

    def delete(self, name: str) -> None:
        # Not there, or no keyring at all: nothing to delete.
        with contextlib.suppress(keyring.errors.KeyringError, RuntimeError):
            keyring.delete_password(SERVICE, self._user(name))
        self._drop_from_file(name)

    # ---- the file ----

    def _read_file(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _write_file(self, keys: dict[str, str]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        # Created 0600 from the start: the key is never readable by others, not even for a moment.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(keys, f)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def _drop_from_file(self, name: str) -> None:
        keys = self._read_file()
        if name in keys:
            del keys[name]
            self._write_file(keys)
