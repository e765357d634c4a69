"""Cache entries that check themselves: each file has its SHA-256 beside it.

A crash or a full disk can leave a cache entry truncated or garbled. Every entry under
``<out>/.cache`` is written with :func:`write_checked` and read with
:func:`checked_bytes`, which reports a damaged entry once (a warning naming the file),
removes it and answers None, so the build makes it again instead of failing on it.
Light on imports: the Sphinx extension (in the book server) uses it too.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)


def checked_bytes(path: Path, checksum: Path | None = None) -> bytes | None:
    """The content of a cache entry written by :func:`write_checked`, or None when it is
    missing, or damaged (truncated, garbled, without its checksum: a crash or a full disk
    does this): a damaged entry is reported once (a warning naming the file) and removed,
    so the caller makes it again. ``checksum`` is where the SHA-256 is kept (default: the
    file's name + ``.sha256`` beside it)."""
    path = Path(path)
    checksum = Path(checksum) if checksum is not None else checksum_path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return discard(path, f"unreadable ({exc.strerror or exc})", checksum)
    try:
        recorded = checksum.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return discard(path, "its checksum is missing", checksum)
    if recorded != hashlib.sha256(data).hexdigest():
        return discard(path, "it does not match its checksum (truncated or garbled)",
                       checksum)
    return data


def write_checked(path: Path, data: bytes, checksum: Path | None = None) -> None:
    """Write a cache entry and its SHA-256 beside it, each renamed into place (the
    checksum last: an entry without a matching checksum is never used)."""
    path = Path(path)
    checksum = Path(checksum) if checksum is not None else checksum_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    checksum.parent.mkdir(parents=True, exist_ok=True)
    for target, content in ((path, data),
                            (checksum, hashlib.sha256(data).hexdigest().encode("ascii"))):
        # beside the checksum: never a stray file in the entry's folder
        tmp = checksum.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(content)
        os.replace(tmp, target)


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def discard(path: Path, why: str, checksum: Path | None = None) -> None:
    """Report a damaged entry (a warning naming it) and remove it with its checksum."""
    logger.warning("cache: discarded %s: %s; it is made again", path, why)
    for damaged in (path, checksum if checksum is not None else checksum_path(path)):
        try:
            damaged.unlink(missing_ok=True)
        except OSError:
            pass
    return None
