"""Report folders: where a report goes, one build at a time, swapped in whole.

Light on imports on purpose: the command line checks for an unchanged report (see
:mod:`ecoreport.publishing.cache`) before it loads the scientific stack.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ecoreport.errors import EcoreportError
from ecoreport.locks import FileLock


def report_dir_for(out_dir: Path, region, year: int) -> Path:
    """Where a län's report for a year goes: ``<out>/<year>/<code>-<slug>``."""
    return Path(out_dir) / str(year) / f"{region.code}-{region.slug}"


def check_out_dir(out_dir: Path) -> Path:
    """``--out`` must be a folder (it is created when missing)."""
    out_dir = Path(out_dir)
    for parent in (out_dir, *out_dir.parents):
        if parent.exists():
            if not parent.is_dir():
                raise EcoreportError(f"--out {out_dir}: {parent} is a file, not a folder; "
                                     f"choose a folder for the reports")
            break
    return out_dir


class ReportLock(FileLock):
    """An exclusive lock on one report folder (``.<name>.lock`` beside it) for a build.

    A second build of the same län and year fails at once, naming the running one. The
    operating system releases the lock when a build dies, so a lock is never stale.
    """

    def __init__(self, target: Path, description: str) -> None:
        super().__init__(target.with_name(f".{target.name}.lock"),
                         f"another build of {description} is running (pid {{pid}}); "
                         "wait for it to finish")
        self.description = description


class BuildLock(FileLock):
    """An exclusive lock on one län under ``out_dir`` (``.<code>-<slug>.build.lock``),
    taken by ``ecoreport build`` before anything slow starts (workers, imports, the data),
    so a second build of the same län, whatever the year, fails at once."""

    def __init__(self, out_dir: Path, region) -> None:
        super().__init__(Path(out_dir) / f".{region.code}-{region.slug}.build.lock",
                         f"another build of {region.name} is running (pid {{pid}}); "
                         "wait for it to finish")


def clean_stale(target: Path) -> list[Path]:
    """Remove staging and old folders that earlier, interrupted builds of ``target`` left.
    Call with the report's lock held: no other build of it can be using them."""
    removed = []
    for pattern in (f".{target.name}.staging-*", f".{target.name}.old-*"):
        for stale in target.parent.glob(pattern):
            shutil.rmtree(stale, ignore_errors=True)
            removed.append(stale)
    return removed


def staging_dir_for(target: Path) -> Path:
    return target.with_name(f".{target.name}.staging-{os.getpid()}")


def replace_dir(new: Path, target: Path) -> None:
    """Swap ``new`` into ``target`` with renames, so readers never see a half-built report."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
