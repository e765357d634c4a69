"""Ctrl-C during a build is never lost.

Python turns SIGINT into ``KeyboardInterrupt`` wherever the main thread happens to be;
raised inside a finaliser or a callback whose exceptions are ignored, it vanishes, and the
build would carry on and end with status 0. While a build runs, :func:`catching` records
every SIGINT as well as raising; the build checks the record (:func:`check`) at the points
where it waits and before a report replaces the previous one, so an interrupt that was
swallowed still ends the build (status 130). Where the build has to ignore SIGINT for a
moment (starting the book server, which must not see it before it ignores it itself),
:func:`deferred` blocks the signal in this thread instead of ignoring it: the process
started meanwhile inherits the blocked signal, and one that arrives meanwhile (in this
thread or another) is held and delivered to the build afterwards, never dropped.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

_received = threading.Event()


def _handler(signum, frame) -> None:
    _received.set()
    raise KeyboardInterrupt


def interrupted() -> bool:
    """A SIGINT arrived since the build started."""
    return _received.is_set()


def check() -> None:
    """Raise ``KeyboardInterrupt`` when a SIGINT arrived (even if it was swallowed)."""
    if _received.is_set():
        raise KeyboardInterrupt


@contextlib.contextmanager
def catching() -> Iterator[None]:
    """Record SIGINT for the duration (main thread only; elsewhere nothing changes). A
    process started with SIGINT ignored (a background job of a shell, ``nohup``) keeps
    ignoring it: the Ctrl-C it would get is meant for the foreground command."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _received.clear()
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        yield
        return
    previous = signal.signal(signal.SIGINT, _handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """SIGINT blocked in processes started meanwhile, and held back from this thread until
    the end, when one that arrived is delivered (main thread; elsewhere nothing)."""
    if threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held: list[int] = []
    # another thread may take the signal (Python then runs its handler in this thread):
    # the handler only records it until the end
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a held one runs now
        signal.signal(signal.SIGINT, previous)
        if held and callable(previous):
            previous(signal.SIGINT, None)
