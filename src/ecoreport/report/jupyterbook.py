"""Running Jupyter Book 1 as a subprocess (HTML and LaTeX builders)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from ecoreport.errors import BuildError
from ecoreport.report.sphinxext import CACHE_DIR_ENV


def jupyter_book_command() -> list[str]:
    exe = Path(sys.executable).parent / "jupyter-book"
    return [str(exe)] if exe.exists() else [shutil.which("jupyter-book") or "jupyter-book"]


def run_jupyter_book(book: Path, builder: str, *, strict: bool = False,
                     config: Path | None = None, toc: Path | None = None,
                     cache_dir: Path | None = None) -> None:
    """``jupyter-book build`` (nothing is executed: notebooks are already run);
    ``cache_dir`` keeps what does not depend on the book (the Vega bundle, see
    :mod:`ecoreport.report.sphinxext`) for the next builds."""
    cmd = [*jupyter_book_command(), "build", str(book), "--builder", builder]
    if config is not None:
        cmd += ["--config", str(config)]
    if toc is not None:
        cmd += ["--toc", str(toc)]
    if strict:
        cmd += ["-W", "-n", "--keep-going"]
    env = dict(os.environ)
    if cache_dir is not None:
        env[CACHE_DIR_ENV] = str(Path(cache_dir).resolve())
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
        raise BuildError(f"jupyter-book build --builder {builder} failed:\n{tail}")

