"""The processes a build works with, started before the build needs them.

A cold build waits longest for processes that import a large stack: the notebook workers'
kernels (pandas, statsmodels, Altair and the library), the server the book builds are
forked from (Sphinx, Jupyter Book) and the process making the Vega bundle. This module
imports none of that, so the command line starts the workers (:meth:`BuildProcesses.start`)
before it imports the analysis stack itself and loads the data; by the time the first
notebook is queued its kernel is warm. The book server and the bundle start once the data
is valid (:meth:`BuildProcesses.start_background`). A failed or interrupted build ends them
all at once (``close(abort=True)``), so its error is not kept waiting.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from ecoreport.publishing.cache import CACHE_DIR
from ecoreport.publishing.jupyterbook import launch_book_server, start_book_server
from ecoreport.publishing.kernels import NotebookJob, init_worker, run_in_worker, worker_ready
from ecoreport.publishing.sphinxext import start_vega_bundle

#: The kernels' own output (transport warnings, shutdown messages), kept in ``<out>/.cache``.
KERNEL_LOG = "kernels.log"


#: How much lower than the build's the priority of its helpers is: the kernels warm up
#: while this process loads the data and computes the analysis (which the first notebook
#: waits for); the book server and the Vega bundle are needed only at the end.
KERNEL_NICENESS = 3
BACKGROUND_NICENESS = 10


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


class BuildProcesses:
    """A pool of notebook workers with warm kernels, the book server, the Vega bundle.

    ``start`` returns at once; ``close`` ends them (pending notebooks are cancelled).
    """

    def __init__(self, out_dir: Path, workers: int | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.workers = workers or default_jobs()
        self.pool: ProcessPoolExecutor | None = None
        self.bundle: subprocess.Popen | None = None
        self._server: threading.Thread | None = None
        self._log: Path | None = None  # the kernels' messages while the build runs

    def start(self) -> None:
        """Start the workers (their kernels). Nothing is written to the output folder yet:
        the data may still fail validation."""
        if self.pool is not None:
            return
        handle, log_path = tempfile.mkstemp(prefix="ecoreport-kernels-", suffix=".log")
        os.close(handle)
        self._log = Path(log_path)
        self.pool = ProcessPoolExecutor(max_workers=self.workers,
                                        mp_context=get_context("spawn"),
                                        initializer=init_worker,
                                        initargs=(log_path, str(self._log.parent),
                                                  KERNEL_NICENESS, os.getpid()))
        for _ in range(self.workers):  # workers are spawned as tasks arrive
            self.pool.submit(worker_ready)

    def start_background(self) -> None:
        """Once the data is valid: start the book server (it answers once it has imported
        Sphinx; not waited for here) and making the Vega bundle in ``<out>/.cache``, both
        needed only when the first book is built."""
        if self._server is None:
            launch_book_server(BACKGROUND_NICENESS)
            self._server = threading.Thread(target=start_book_server, daemon=True,
                                            name="book-server")
            self._server.start()
        if self.bundle is None:
            self.bundle = start_vega_bundle(self.out_dir / CACHE_DIR, BACKGROUND_NICENESS)

    def submit(self, job: NotebookJob) -> Future:
        self.start()
        return self.pool.submit(run_in_worker, job)

    def close(self, abort: bool = False) -> None:
        """End everything; the kernels' messages go to ``<out>/.cache/kernels.log`` when
        the build got as far as the cache. ``abort`` (the build failed or was interrupted)
        ends the workers and their kernels at once instead of letting them finish
        starting, so an error is reported without waiting for them."""
        if self._server is not None:
            self._server.join()
            self._server = None
        if self.bundle is not None:
            if abort:
                self.bundle.terminate()
            self.bundle.wait()
            self.bundle = None
        if self.pool is not None:
            if abort:
                for process in list(getattr(self.pool, "_processes", {}).values()):
                    process.terminate()  # the worker kills its kernel (kernels._end_worker)
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self._log is not None:
            cache = self.out_dir / CACHE_DIR
            if cache.is_dir():
                shutil.move(self._log, cache / KERNEL_LOG)
            self._log.unlink(missing_ok=True)
            self._log = None

    def __enter__(self) -> "BuildProcesses":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.close(abort=exc_type is not None)
