"""Exclusive locks held through a lock file, for builds (per report folder) and for imports
and fetches (per data folder).

The lock is an ``flock`` on the file, so the operating system releases it when the process
dies and a lock is never stale; the file holds the holder's pid for the message of the
process that has to wait. The file itself stays (removing it would race with a waiter).
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from ecoreport.errors import EcoreportError

POLL_SECONDS = 0.2


class FileLock:
    """An exclusive lock on ``path``. ``busy`` is the error message when another process
    holds it, with ``{pid}`` for that process; ``wait`` is how many seconds to wait for it
    first (0: fail at once)."""

    def __init__(self, path: Path, busy: str, *, wait: float = 0.0) -> None:
        self.path = Path(path)
        self.busy = busy
        self.wait = wait
        self._fd: int | None = None

    def acquire(self) -> "FileLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.wait
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise EcoreportError(self.busy.replace("{pid}", holder)) from None
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode("ascii"))
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the lock
            self._fd = None

    def __enter__(self) -> "FileLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
