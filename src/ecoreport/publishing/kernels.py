"""Running notebooks with papermill in warm kernels.

Starting a kernel and importing the scientific stack costs more than most chapters, so each
build worker keeps one kernel for many notebooks (``papermill.execute_notebook(km=...)``;
nbclient leaves a kernel it did not start running). Before each notebook the kernel is
brought back to the state of a fresh one (:func:`ecoreport.publishing.notebook_state.reset`):
empty namespace, execution count 1, working directory, warning filters, figure numbers.
Imported modules stay, which is the point: a new kernel imports the library the notebooks
use (:data:`WARM_UP_CODE`) before its first notebook, and a build's workers start their
kernels (:func:`start_worker_kernel`) while the build still computes the analysis. The
kernel is restarted after a failing notebook and every :data:`RESTART_EVERY` notebooks. A
test checks that executed notebooks are the same as from fresh kernels.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.util import Finalize
from pathlib import Path

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from ecoreport.errors import BuildError
from ecoreport.publishing.lifeline import die_with_parent, watch_parent

#: (the names of ecoreport.report.render's settings; that module imports Altair, which a
#: pool worker does not need)
STATIC_CHARTS_ENV = "ECOREPORT_STATIC_CHARTS"
VALIDATE_CHARTS_ENV = "ECOREPORT_VALIDATE_CHARTS"
KERNEL_NAME = "python3"
RESTART_EVERY = 40
STARTUP_TIMEOUT = 60
RESET_TIMEOUT = 60
HIDDEN_PARAMETER_TAGS = ("parameters", "injected-parameters")
#: What the kernel runs (silently, outside the notebook's history) before each notebook.
#: It binds no name: the reset empties the namespace it runs in.
RESET_CODE = ('__import__("ecoreport.publishing.notebook_state", fromlist=["reset"])'
              '.reset({cwd!r}, {static_charts!r}, {validate_charts!r})')
#: What a new kernel imports (silently) before its first notebook: every module the
#: notebooks import. ``notebook_state`` comes first: it records the warning filters of a
#: fresh kernel. The names it binds go with the first reset.
WARM_UP_CODE = ("import ecoreport.publishing.notebook_state\n"
                "import ecoreport.analysis.results, ecoreport.report.chapters, "
                "ecoreport.report.appendix, ecoreport.report.innovation_index, "
                "ecoreport.report.english, ecoreport.report.strategy, "
                "ecoreport.report.editions\n"
                "from myst_nb import glue\n"
                "from IPython.display import Markdown, display\n")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to execute: where it comes from and goes, its parameters and labels."""

    source: str          # the MyST notebook
    target: str          # the executed .ipynb
    parameters: dict
    cwd: str
    label: str = ""      # e.g. "Västerbottens län (24)", for messages
    name: str = ""       # e.g. "notebooks/metod.md", for messages
    static_charts: str = "png"  # see ecoreport.report.render.static_formats
    validate_charts: bool = True  # see ecoreport.report.render.validate_charts


class _SharedClient(AsyncKernelClient):
    """A client that several nbclient runs can "start" in turn (channels start once)."""

    def start_channels(self, *args, **kwargs) -> None:
        if not self.channels_running:
            super().start_channels(*args, **kwargs)


class _WarmKernelManager(AsyncKernelManager):
    """Hands every nbclient run the same client instead of opening new sockets each time."""

    _shared_client: _SharedClient | None = None

    def client(self, **kwargs) -> _SharedClient:
        if self._shared_client is None:
            self.client_factory = _SharedClient
            self._shared_client = super().client(**kwargs)
        return self._shared_client


class WarmKernel:
    """One kernel that executes notebooks one after another (not thread-safe)."""

    def __init__(self, restart_every: int = RESTART_EVERY) -> None:
        self.restart_every = restart_every
        self.km: _WarmKernelManager | None = None
        self.starting: _WarmKernelManager | None = None  # until the kernel is ready
        self.runs = 0
        self.starts = 0

    def _start(self, cwd: str) -> None:
        km = self.starting = _WarmKernelManager(kernel_name=KERNEL_NAME)
        run_sync(km.start_kernel)(cwd=cwd,
                                  extra_arguments=["--HistoryManager.hist_file=:memory:"])
        client = km.client()
        client.start_channels()
        run_sync(client.wait_for_ready)(timeout=STARTUP_TIMEOUT)
        self.km, self.runs, self.starting = km, 0, None
        self.starts += 1
        content = self._run_silently(WARM_UP_CODE, STARTUP_TIMEOUT)
        if content.get("status") != "ok":
            self.shutdown()
            raise BuildError(f"could not start a kernel: the library does not import: "
                             f"{content.get('ename')}: {content.get('evalue')}")

    def start(self, cwd: str) -> None:
        """Start the kernel now (it is started on first use otherwise)."""
        if self.km is None:
            self._start(cwd)

    def shutdown(self) -> None:
        km, self.km = self.km, None
        if km is None:
            return
        try:
            if km._shared_client is not None:
                km._shared_client.stop_channels()
            run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # a dead kernel is what we wanted anyway
            pass

    def _run_silently(self, code: str, timeout: float) -> dict:
        """Run ``code`` outside the notebook's history; return the execute reply's content."""
        client = self.km.client()

        async def run() -> dict:
            msg_id = client.execute(code, silent=True, store_history=False,
                                    allow_stdin=False)
            while True:
                reply = await client.get_shell_msg(timeout=timeout)
                if reply["parent_header"].get("msg_id") == msg_id:
                    return reply["content"]

        return run_sync(run)()

    def _reset(self, job: NotebookJob) -> None:
        code = RESET_CODE.format(cwd=str(Path(job.cwd).resolve()),
                                 static_charts=job.static_charts,
                                 validate_charts=job.validate_charts)
        content = self._run_silently(code, RESET_TIMEOUT)
        if content.get("status") != "ok":
            where = ", ".join(part for part in (job.label, job.name) if part)
            raise BuildError(f"could not prepare a kernel for {where}: "
                             f"{content.get('ename')}: {content.get('evalue')}")

    def execute(self, job: NotebookJob) -> float:
        """Run ``job`` (see :func:`execute_notebook`) in this kernel; return seconds."""
        if self.km is None or self.runs >= self.restart_every or not run_sync(
                self.km.is_alive)():
            self.shutdown()
            self._start(job.cwd)
        self.runs += 1
        try:
            self._reset(job)
            return execute_notebook(job, km=self.km)
        except BaseException:
            self.shutdown()  # never reuse a kernel in an unknown state
            raise


def execute_notebook(job: NotebookJob, km=None) -> float:
    """Run one MyST notebook with papermill (in ``km``'s kernel, else a fresh one), tag it
    for readers and write it to ``job.target``; return its wall time in seconds."""
    import jupytext
    import nbformat
    import papermill

    start = time.perf_counter()
    nb = jupytext.read(job.source)
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3",
                                 "language": "python"}
    # a fresh kernel inherits the environment: the chart settings are set for its start
    # only, so the calling process (and the next notebook) keeps its own
    settings = {} if km is not None else {
        STATIC_CHARTS_ENV: job.static_charts,
        VALIDATE_CHARTS_ENV: "1" if job.validate_charts else "0"}
    try:
        with scoped_environment(settings):
            executed = papermill.execute_notebook(
                nb, None, parameters=job.parameters, kernel_name=KERNEL_NAME, cwd=job.cwd,
                progress_bar=False, log_output=False, report_mode=False,
                **({"km": km} if km is not None else {}))
    except papermill.PapermillExecutionError as exc:
        raise BuildError(failure_message(job, nb, exc.cell_index, exc.ename, exc.evalue)) \
            from None
    tag_for_readers(executed)
    nbformat.write(executed, job.target)
    return time.perf_counter() - start


@contextmanager
def scoped_environment(values: dict[str, str]):
    """``values`` in ``os.environ`` within the block; the previous ones (or none) after it."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def failure_message(job: NotebookJob, source_nb, executed_index: int, ename: str,
                    evalue: str) -> str:
    """``Västerbottens län (24), notebooks/metod.md, code cell 3 ("Metod och källor"):
    RuntimeError: boom`` — the cell counted among the notebook's own code cells (papermill's
    injected parameter cell is not one of them), with the heading above it."""
    index = source_index(source_nb, executed_index)
    cells = source_nb.cells[:index + 1]
    number = sum(1 for cell in cells if cell.cell_type == "code")
    headings = [m.group(1) for cell in cells if cell.cell_type == "markdown"
                for m in _HEADING.finditer(cell.source)]
    where = ", ".join(part for part in (job.label, job.name or Path(job.source).name,
                                        f"code cell {number}") if part)
    if headings:
        where += f' ("{headings[-1]}")'
    return f"{where}: {ename}: {evalue}"


def source_index(source_nb, executed_index: int) -> int:
    """The index in the source notebook of cell ``executed_index`` of the executed one
    (papermill inserts its parameter cell after the ``parameters`` cell, else first)."""
    tagged = [i for i, cell in enumerate(source_nb.cells)
              if "parameters" in cell.metadata.get("tags", [])]
    injected_at = tagged[-1] + 1 if tagged else 0
    return executed_index - 1 if executed_index > injected_at else executed_index


def tag_for_readers(nb) -> None:
    """Collapse code for readers; parameter cells stay visible to reviewers behind a toggle."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = list(cell.metadata.get("tags", []))
        if any(t in tags for t in HIDDEN_PARAMETER_TAGS):
            wanted = "hide-cell"
        elif any(t.startswith("remove") or t.startswith("hide") for t in tags):
            continue
        else:
            wanted = "hide-input"
        if wanted not in tags:
            tags.append(wanted)
        cell.metadata["tags"] = tags


# -- in pool workers --------------------------------------------------------------------------

_worker_kernel: WarmKernel | None = None


def _worker_warm_kernel() -> WarmKernel:
    global _worker_kernel
    if _worker_kernel is None:
        _worker_kernel = WarmKernel()
        Finalize(None, _worker_kernel.shutdown, exitpriority=10)
    return _worker_kernel


def start_worker_kernel(cwd: str) -> None:
    """Start this worker's kernel and import the library in it now, so the first notebook
    does not wait for it. A kernel that fails to start here is started again (and its
    error reported) by the first notebook."""
    try:
        _worker_warm_kernel().start(cwd)
    except Exception:
        pass


def init_worker(log_path: str, cwd: str, niceness: int = 0,
                parent_pid: int | None = None) -> None:
    """Pool initializer (defined here, so a worker imports only this light module): kernels
    inherit the worker's stderr, so their chatter (transport warnings, shutdown messages)
    goes to the build's log instead of the analyst's terminal, and its priority (lowered by
    ``niceness``); then the kernel starts. Ctrl-C is left to the build, which ends the
    workers (SIGTERM, see :func:`_end_worker`). A worker whose build (``parent_pid``) dies,
    however it dies, ends itself and its kernel the same way (:mod:`lifeline`); the kernel
    also watches the worker (ipykernel's parent poller)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle
    signal.signal(signal.SIGTERM, _end_worker)
    die_with_parent(signal.SIGTERM)
    watch_parent(_end_worker_now, parent_pid)
    if niceness:
        os.nice(niceness)
    logging.getLogger("papermill").setLevel(logging.ERROR)
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    start_worker_kernel(cwd)


def _end_worker(signum, frame) -> None:
    """SIGTERM (an aborted build, see ``BuildProcesses.close``): kill this worker's kernel,
    started or starting, remove its connection file and end the worker at once."""
    kernel = _worker_kernel
    for km in (kernel.km, kernel.starting) if kernel is not None else ():
        provisioner = getattr(km, "provisioner", None) if km is not None else None
        pid = getattr(provisioner, "pid", None)
        try:
            if pid:
                os.kill(pid, signal.SIGKILL)
            km.cleanup_connection_file()
        except Exception:  # noqa: BLE001 - ending anyway
            pass
    os._exit(1)


def _end_worker_now() -> None:
    _end_worker(signal.SIGTERM, None)


def worker_ready() -> None:
    """A task that makes a pool start one more worker (and so its kernel) now."""


def run_in_worker(job: NotebookJob) -> float:
    """Pool task: run ``job`` in this worker process's warm kernel (started on first use,
    shut down when the worker exits)."""
    return _worker_warm_kernel().execute(job)
