"""Where the project's files are. Run parameters come from here or the CLI."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The project checkout (the folder holding ``data/``, ``notebooks/`` and ``book/``)."""
    env = os.environ.get("ECOREPORT_ROOT")
    if env:
        return Path(env).resolve()
    # src/ecoreport/ -> project root in an editable install or a checkout
    return _PACKAGE_DIR.parent.parent


def data_dir() -> Path:
    """The data folder: ``$ECOREPORT_DATA_DIR`` or ``<project root>/data``."""
    env = os.environ.get("ECOREPORT_DATA_DIR")
    return Path(env).resolve() if env else project_root() / "data"


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def book_dir() -> Path:
    return project_root() / "book"
