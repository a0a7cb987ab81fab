"""Who has the data folder's store open: every open Store holds a shared lock on `<data>/hearth.lock`.

Crash recovery (answers left 'streaming' become 'incomplete') is right only when no one else has the store
open: an answer another process is still writing is 'streaming' too. So a Store runs it only when it can
take the lock exclusively for a moment, that is when it is the only holder, in this process or any other.
The kernel drops a dead process's lock, so a crash never leaves the store looking held.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

LOCK_NAME = "hearth.lock"

if sys.platform != "win32":
    import fcntl


class StoreLock:
    """A shared hold on the store, taken at open and dropped at close (or when the process ends)."""

    def __init__(self, root: Path) -> None:
        self.path = root / LOCK_NAME
        self._file: IO[bytes] | None = self.path.open("a+b")

    def try_sole(self) -> bool:
        """Take the lock exclusively if no one else holds it; True if taken (then call share())."""
        if sys.platform == "win32" or self._file is None:
            # No shared locks through the standard library on Windows: recover at every open, as before.
            return True
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def share(self) -> None:
        """Hold the lock shared from now on (waits only while another opener runs its recovery)."""
        if sys.platform != "win32" and self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_SH)

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the file drops the lock
            self._file = None
