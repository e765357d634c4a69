"""Benchmark the build on this machine and print each figure beside its target.

    python scripts/bench.py [--region 24] [--year 2024] [--jobs N] [--all]

Runs ``ecoreport build`` as an analyst would (a new process each time, so imports count)
into a temporary folder, from a temporary copy of the book's sources (so "one notebook
changed" changes nothing in the checkout):

- one län, HTML, cold (empty output folder and cache);
- a rebuild with nothing changed; a rebuild after one notebook changed;
- one län, HTML + PDF, cold;
- the size of the HTML-only report folder and its book;
- with ``--all``: every län, HTML, cold, and the peak memory of the whole process tree.

Beside each time, the CPU time (user + system) of the whole process tree: on a busy machine
the wall time varies, the CPU time much less.

Benchmarks, not tests: the figures depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
CHANGED_NOTEBOOK = "notebooks/metod.md"


class PeakMemory:
    """Samples the summed resident memory of a process and all its descendants, and the
    CPU time each of them has used (processes no one waits for, such as those forked by a
    fork server, are missing from ``RUSAGE_CHILDREN``)."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.process, self.interval, self.peak = psutil.Process(pid), interval, 0
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                tree = [self.process, *self.process.children(recursive=True)]
                total = 0
                for proc in tree:
                    try:
                        total += proc.memory_info().rss
                        times = proc.cpu_times()
                        self.cpu[proc.pid] = max(self.cpu.get(proc.pid, 0.0),
                                                 times.user + times.system)
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Run:
    seconds: float   # wall time
    cpu: float       # user + system time of the whole process tree
    peak: int        # peak resident memory of the process tree (bytes)
    out: str         # stdout: the built files, one a line
    err: str


def build(args: list[str], env: dict) -> Run:
    """Run ``ecoreport build ARGS`` and measure it."""
    cmd = [sys.executable, "-m", "ecoreport.cli", "build", *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    with PeakMemory(proc.pid) as memory:
        out, err = proc.communicate()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out}\n{err}")
    waited = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # processes waited for are counted exactly; the samples also see those no one waits for
    return Run(seconds, max(waited, sum(memory.cpu.values())), memory.peak, out, err)


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def report_folder(stdout: str) -> Path:
    """The report folder of a one-län build, from the ``index.html`` it printed
    (``<out>/<year>/<code>-<slug>/_build/html/index.html``)."""
    index = next(Path(line) for line in stdout.splitlines() if line.endswith("index.html"))
    return index.parents[2]


def source_copy(tmp: Path) -> Path:
    """The book's sources in ``tmp`` (data linked), to be used as ECOREPORT_ROOT."""
    copy = tmp / "project"
    copy.mkdir()
    shutil.copy(ROOT / "_config.yml", copy / "_config.yml")
    for name in ("book", "notebooks"):
        shutil.copytree(ROOT / name, copy / name)
    (copy / "data").symlink_to(ROOT / "data")
    return copy


def row(figure: str, value: str, target: str, cpu: float | None = None) -> None:
    cpu_text = f"{cpu:.0f} s" if cpu is not None else ""
    print(f"| {figure:<34} | {value:>12} | {cpu_text:>8} | {target:>10} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="24")
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--all", action="store_true", help="only the all-län figures")
    a = parser.parse_args()
    common = [*(["--year", str(a.year)] if a.year else []),
              *(["--jobs", str(a.jobs)] if a.jobs else [])]
    print(f"ecoreport build on {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB, load average "
          f"{os.getloadavg()[0]:.1f} at the start")
    print(f"| {'figure':<34} | {'measured':>12} | {'CPU':>8} | {'target':>10} |")
    print(f"|{'-' * 36}|{'-' * 14}|{'-' * 10}|{'-' * 12}|")
    with tempfile.TemporaryDirectory(prefix="ecoreport-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = {**os.environ, "ECOREPORT_ROOT": str(source_copy(tmp)),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                           os.environ.get("PYTHONPATH")]))}
        if a.all:
            run = build(["--all", "--out", str(tmp / "all"), *common], env)
            row("all 21 län, HTML, cold", f"{run.seconds / 60:.1f} min", "≤ 4 min", run.cpu)
            row("peak memory, --all", f"{run.peak / 2**30:.2f} GB", "≤ 4 GB")
            return
        region = ["--region", a.region, *common]
        html_out = tmp / "html"
        run = build([*region, "--out", str(html_out)], env)
        report = report_folder(run.out)
        row("one län, HTML, cold", f"{run.seconds:.1f} s", "≤ 20 s", run.cpu)
        run = build([*region, "--out", str(html_out)], env)
        assert "reused the report" in run.err, run.err
        row("rebuild, nothing changed", f"{run.seconds:.1f} s", "≤ 3 s", run.cpu)
        changed = Path(env["ECOREPORT_ROOT"]) / CHANGED_NOTEBOOK
        changed.write_text(changed.read_text(encoding="utf-8") + "\nÄndrad för mätning.\n",
                           encoding="utf-8")
        run = build([*region, "--out", str(html_out)], env)
        assert "1 notebooks run" in run.err, run.err
        row("rebuild, one notebook changed", f"{run.seconds:.1f} s", "–", run.cpu)
        # the cache (<out>/.cache) is beside the report folders, not in them
        row("report folder, HTML only", f"{folder_mb(report):.1f} MB", "≤ 15 MB")
        row("  of which the web book", f"{folder_mb(report / '_build' / 'html'):.1f} MB", "")
        row("  cache beside it (not published)", f"{folder_mb(html_out / '.cache'):.1f} MB", "")
        run = build([*region, "--out", str(tmp / "pdf"), "--pdf"], env)
        row("one län, HTML + PDF, cold", f"{run.seconds:.1f} s", "≤ 40 s", run.cpu)
        row("peak memory, one län + PDF", f"{run.peak / 2**30:.2f} GB", "")


if __name__ == "__main__":
    main()
