"""What a build records about itself: command, versions, commit and data hashes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ecoreport import __version__
from ecoreport.paths import project_root

KEY_PACKAGES = ("ecoreport", "jupyter-book", "sphinx", "myst-nb", "jupytext", "papermill",
                "nbclient", "pandas", "numpy", "statsmodels", "altair", "vl-convert-python",
                "pyyaml", "openpyxl")


def git_commit(root: Path | None = None) -> str | None:
    """The checkout's commit (with ``-dirty`` when files differ), or None outside git."""
    root = root or project_root()
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"],
                                capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{commit}-dirty" if dirty else commit


def collect_build_info(command: str | None, dataset) -> dict:
    """What the reproducibility appendix states: command, versions, commit, data hashes."""
    from importlib.metadata import PackageNotFoundError, version

    packages = {}
    for name in KEY_PACKAGES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    return {
        "command": command or "ecoreport build",
        "ecoreport_version": __version__,
        "git_commit": git_commit(),
        "python": sys.version.split()[0],
        "packages": packages,
        "data_sha256": dataset.sha256(),
    }
