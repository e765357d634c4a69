"""Running Jupyter Book 1 (HTML and LaTeX builders).

Each build is ``jupyter-book build`` in a process of its own, as on the command line, but
forked from a server process that has already imported Sphinx, Jupyter Book and the book's
extensions (``multiprocessing``'s forkserver, preloading :data:`PRELOAD`): importing them
costs about a second of CPU per build, which ``--all`` would pay for every län and a
one-län build on its critical path. :func:`launch_book_server` starts the server early, so
it imports while the notebooks run (:func:`start_book_server` waits for it in a thread).
Where there is no forkserver, builds are subprocesses.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing import forkserver
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ecoreport.errors import BuildError
from ecoreport.publishing import interrupts
from ecoreport.publishing.lifeline import FORKSERVER_PARENT_ENV, die_with_parent
from ecoreport.publishing.sphinxext import CACHE_DIR_ENV

#: What a book build imports, loaded once by the server (a missing one is skipped).
PRELOAD = ["ecoreport.publishing.bookserver_guard", "jupyter_book.cli.main", "jupyter_book.sphinx", "jupyter_book.config",
           "sphinx.application", "sphinx.builders.html", "sphinx.builders.latex",
           "sphinx.search.sv", "docutils.parsers.rst", "myst_parser.sphinx_",
           "myst_nb.sphinx_ext", "myst_nb.ext.glue", "myst_nb.core.render", "jupyter_cache",
           "sphinx_book_theme", "pydata_sphinx_theme", "sphinx_design", "sphinx_external_toc",
           "sphinx_multitoc_numbering", "sphinx_copybutton", "sphinx_togglebutton",
           "sphinx_comments", "sphinx_thebe", "sphinx_jupyterbook_latex",
           "sphinxcontrib.bibtex", "IPython", "ecoreport.publishing.sphinxext"]
#: Book builds at the same time (the build limits them further).
MAX_PROCESSES = max(2, os.cpu_count() or 1)
#: Lines of a failed build's output in the error message.
TAIL_LINES = 30

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def jupyter_book_command() -> list[str]:
    exe = Path(sys.executable).parent / "jupyter-book"
    return [str(exe)] if exe.exists() else [shutil.which("jupyter-book") or "jupyter-book"]


def _forkserver_available() -> bool:
    return "forkserver" in multiprocessing.get_all_start_methods()


def _book_pool() -> ProcessPoolExecutor:
    """Processes forked from the preloaded server, a new one for every build."""
    global _pool
    with _pool_lock:
        if _pool is None:
            # the server watches this process (lifeline.guard_book_server)
            os.environ[FORKSERVER_PARENT_ENV] = str(os.getpid())
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _pool = ProcessPoolExecutor(max_workers=MAX_PROCESSES, mp_context=context,
                                        max_tasks_per_child=1,
                                        initializer=_leave_interrupts_to_the_caller)
        return _pool


def _leave_interrupts_to_the_caller() -> None:
    """In a build process: Ctrl-C reaches the whole process group; the build that started
    this process handles it (and ends it). The process dies with the server it was forked
    from (which dies with the build)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(signal.SIGKILL)


def _forget_pool(broken: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


def _ready() -> None:
    """A task that starts the server (and one build process) now."""


def launch_book_server(niceness: int = 0) -> None:
    """Start the server process that imports what a book build needs (a no-op where builds
    are subprocesses), without waiting for it. With ``niceness``, it imports at that lower
    priority (on CPU time no one else wants); the builds forked from it run at the caller's
    priority again where the system allows. Called from the main thread, the server
    never sees Ctrl-C (the build handles it and ends what it started): it starts with the
    signal blocked, and a Ctrl-C meanwhile reaches the build afterwards."""
    if not _forkserver_available():
        return
    try:
        _book_pool()  # sets what the server preloads
        with interrupts.deferred():  # the server starts with Ctrl-C blocked, then ignores it
            forkserver.ensure_running()
        pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
        if niceness and pid:
            os.setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, 0) + niceness)
    except (RuntimeError, OSError, ValueError):
        pass  # the first build starts it again and reports what is wrong


def start_book_server() -> None:
    """Wait until the server has imported what it preloads and forked its first build
    process, so the first build does not wait for that (run in a thread of its own)."""
    if _forkserver_available():
        try:
            _book_pool().submit(_ready).result()
        except (BrokenProcessPool, RuntimeError, OSError, EOFError):
            pass  # the first build starts it again and reports what is wrong


def _set_priority(niceness: int) -> None:
    """This process's niceness, as far as the system allows (raising the priority back
    needs privileges)."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, niceness)
    except OSError:
        pass


def _build_in_process(args: list[str], env: dict[str, str],
                      niceness: int) -> tuple[int, str]:
    """In a process forked from the server: ``jupyter-book ARGS`` with the caller's
    environment and priority; returns the exit status and the output."""
    _set_priority(niceness)
    os.environ.clear()
    os.environ.update(env)
    with tempfile.TemporaryFile() as output:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(output.fileno(), 1)
        os.dup2(output.fileno(), 2)
        status = 0
        try:
            from jupyter_book.cli.main import main

            main(args=args, prog_name="jupyter-book", standalone_mode=False)
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:  # noqa: BLE001 - reported to the build as output
            traceback.print_exc()
            status = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        output.seek(0)
        return status, output.read().decode("utf-8", "replace")


def _run(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    if not _forkserver_available():
        proc = subprocess.run([*jupyter_book_command(), *args], capture_output=True,
                              text=True, env=env)
        return proc.returncode, proc.stdout + proc.stderr
    pool = _book_pool()
    try:
        return pool.submit(_build_in_process, args, env,
                           os.getpriority(os.PRIO_PROCESS, 0)).result()
    except BrokenProcessPool as exc:
        _forget_pool(pool)  # the next build gets a new server
        raise BuildError(f"jupyter-book {' '.join(args)}: the build process died ({exc})") \
            from None


_CAUSE_RE = re.compile(r"(error|exception|warning)\b", re.IGNORECASE)
#: Lines naming the cause that are shown even when they are not in the tail.
CAUSE_LINES = 12


def failure_excerpt(output: str) -> str:
    """What a failed build's message shows: the lines that name an error or warning (the
    cause is often far above the traceback that ends the output), then the tail."""
    lines = [line for line in output.strip().splitlines()]
    tail = lines[-TAIL_LINES:]
    causes = [line for line in lines[:-TAIL_LINES] if _CAUSE_RE.search(line)
              and "site-packages" not in line][:CAUSE_LINES]
    return "\n".join([*causes, *(["…"] if causes else []), *tail])


def run_jupyter_book(book: Path, builder: str, *, strict: bool = False,
                     config: Path | None = None, toc: Path | None = None,
                     cache_dir: Path | None = None) -> None:
    """``jupyter-book build`` (nothing is executed: notebooks are already run);
    ``cache_dir`` keeps what does not depend on the book (the Vega bundle, see
    :mod:`ecoreport.publishing.sphinxext`) for the next builds."""
    args = ["build", str(Path(book).resolve()), "--builder", builder]
    if config is not None:
        args += ["--config", str(Path(config).resolve())]
    if toc is not None:
        args += ["--toc", str(Path(toc).resolve())]
    if strict:
        args += ["-W", "-n", "--keep-going"]
    env = dict(os.environ)
    if cache_dir is not None:
        env[CACHE_DIR_ENV] = str(Path(cache_dir).resolve())
    status, output = _run(args, env)
    if status != 0:
        raise BuildError(f"jupyter-book build --builder {builder} failed:\n"
                         f"{failure_excerpt(output)}")
