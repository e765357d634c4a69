"""Exclusive locks held through a lock file, for builds (per report folder) and for imports
and fetches (per data folder).

The lock is an ``flock`` on the file, so the operating system releases it when the process
dies and a lock is never stale; the file holds the holder's pid for the message of the
process that has to wait. The file itself stays (removing it would race with a waiter). On Windows (no ``fcntl``)
the lock is ``msvcrt.locking`` on the file's first byte, also released by the system.
A lock file that cannot be created (a read-only folder) is a clear error.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ecoreport.errors import EcoreportError

try:
    import fcntl
except ImportError:  # Windows: a byte-range lock on the file instead
    fcntl = None
try:
    import msvcrt
except ImportError:
    msvcrt = None

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

    def _open(self) -> int:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise EcoreportError(
                f"cannot create the lock file {self.path}: {exc.strerror or exc}; "
                f"choose a folder you can write to") from None

    def acquire(self) -> "FileLock":
        deadline = time.monotonic() + self.wait
        while True:
            fd = self._open()
            try:
                _lock(fd)
                break
            except BlockingIOError:
                try:
                    holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
                except OSError:
                    holder = "?"
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise EcoreportError(self.busy.replace("{pid}", holder)) from None
                time.sleep(POLL_SECONDS)
        try:
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode("ascii"))
        except OSError:  # the pid is only for messages
            pass
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


def _lock(fd: int) -> None:
    """Lock ``fd`` without waiting; BlockingIOError when another process has it."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    if msvcrt is None:  # pragma: no cover - neither POSIX nor Windows
        raise EcoreportError("file locks are not available on this system")
    try:  # pragma: no cover - Windows
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError as exc:  # pragma: no cover
        raise BlockingIOError(str(exc)) from None
