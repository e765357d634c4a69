"""Helpers of a build die with it, whatever ends it (``kill -9`` included).

A build starts notebook workers (which start kernels), a server the book builds are forked
from, and the process making the Vega bundle. A build that ends normally or by Ctrl-C ends
them itself; one that is killed outright cannot, so each helper watches its parent:

- where Linux offers it, ``prctl(PR_SET_PDEATHSIG)`` asks the kernel to send the helper a
  signal when the process that started it dies (:func:`die_with_parent`);
- everywhere, a daemon thread polls the parent's pid and ends the helper when it changes
  (:func:`watch_parent`; for the workers, whose kernels it kills first, and the book
  server);
- the kernels watch their worker themselves (ipykernel's parent poller, told the worker's
  pid by jupyter_client), so a worker's end ends its kernel.

Light on imports on purpose: the workers and the book server import it first.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable

#: How often a helper looks for its parent (seconds).
POLL_SECONDS = 0.5
#: Set by launch_book_server: the pid the book server must outlive no longer than.
FORKSERVER_PARENT_ENV = "ECOREPORT_BOOK_SERVER_PARENT"
_PR_SET_PDEATHSIG = 1


def _libc():
    """The C library, loaded before any fork (a child calling prctl imports nothing)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


_LIBC = _libc()


def die_with_parent(signum: int = signal.SIGKILL) -> bool:
    """Ask Linux to send ``signum`` to this process when the thread that started it ends
    (``PR_SET_PDEATHSIG``); False where that is not available. Call it in the child, from
    a process started by a thread that lives as long as the parent (its main thread)."""
    if _LIBC is None:
        return False
    try:
        return _LIBC.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def watch_parent(on_death: Callable[[], None], parent_pid: int | None = None,
                 interval: float = POLL_SECONDS) -> threading.Thread:
    """Call ``on_death`` (in a daemon thread) once this process's parent is no longer
    ``parent_pid`` (default: the parent now); at once if it already is not."""
    expected = os.getppid() if parent_pid is None else parent_pid

    def watch() -> None:
        while os.getppid() == expected:
            time.sleep(interval)
        on_death()

    thread = threading.Thread(target=watch, name="ecoreport-parent-watch", daemon=True)
    thread.start()
    return thread


def _exit_now() -> None:
    os._exit(1)


def guard_book_server() -> None:
    """In the book server (the forkserver preloads this module): end it when the build
    that launched it is gone. Elsewhere (the build itself, a book process) nothing."""
    parent = os.environ.get(FORKSERVER_PARENT_ENV)
    if parent and parent.isdigit() and int(parent) != os.getpid() \
            and _in_forkserver():
        watch_parent(_exit_now, int(parent))


def _in_forkserver() -> bool:
    main = sys.modules.get("__main__")
    argv = " ".join(getattr(sys, "orig_argv", sys.argv))
    return "forkserver" in argv or "forkserver" in str(getattr(main, "__spec__", ""))
