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

Benchmarks, not tests: the figures depend on the machine and on what else it is doing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
CHANGED_NOTEBOOK = "notebooks/metod.md"


class PeakMemory:
    """Samples the summed resident memory of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.process, self.interval, self.peak = psutil.Process(pid), interval, 0
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


def build(args: list[str], env: dict) -> tuple[float, int, str]:
    """Run ``ecoreport build ARGS``; return wall seconds, peak memory (bytes), stderr."""
    cmd = [sys.executable, "-m", "ecoreport.cli", "build", *args]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    with PeakMemory(proc.pid) as memory:
        out, err = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out}\n{err}")
    return seconds, memory.peak, err


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def source_copy(tmp: Path) -> Path:
    """The book's sources in ``tmp`` (data linked), to be used as ECOREPORT_ROOT."""
    copy = tmp / "project"
    copy.mkdir()
    shutil.copy(ROOT / "_config.yml", copy / "_config.yml")
    for name in ("book", "notebooks"):
        shutil.copytree(ROOT / name, copy / name)
    (copy / "data").symlink_to(ROOT / "data")
    return copy


def row(figure: str, value: str, target: str) -> None:
    print(f"| {figure:<34} | {value:>12} | {target:>10} |", flush=True)


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
    print(f"| {'figure':<34} | {'measured':>12} | {'target':>10} |")
    print(f"|{'-' * 36}|{'-' * 14}|{'-' * 12}|")
    with tempfile.TemporaryDirectory(prefix="ecoreport-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = {**os.environ, "ECOREPORT_ROOT": str(source_copy(tmp)),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                           os.environ.get("PYTHONPATH")]))}
        if a.all:
            seconds, peak, _ = build(["--all", "--out", str(tmp / "all"), *common], env)
            row("all 21 län, HTML, cold", f"{seconds / 60:.1f} min", "≤ 4 min")
            row("peak memory, --all", f"{peak / 2**30:.2f} GB", "≤ 4 GB")
            return
        region = ["--region", a.region, *common]
        html_out = tmp / "html"
        seconds, peak, _ = build([*region, "--out", str(html_out)], env)
        row("one län, HTML, cold", f"{seconds:.1f} s", "≤ 20 s")
        seconds, _, err = build([*region, "--out", str(html_out)], env)
        assert "reused the report" in err, err
        row("rebuild, nothing changed", f"{seconds:.1f} s", "≤ 3 s")
        changed = Path(env["ECOREPORT_ROOT"]) / CHANGED_NOTEBOOK
        changed.write_text(changed.read_text(encoding="utf-8") + "\nÄndrad för mätning.\n",
                           encoding="utf-8")
        seconds, _, err = build([*region, "--out", str(html_out)], env)
        assert "1 notebooks run" in err, err
        row("rebuild, one notebook changed", f"{seconds:.1f} s", "–")
        report = next(p for p in (html_out).glob("*/*") if p.is_dir())
        row("report folder, HTML only", f"{folder_mb(report):.1f} MB", "≤ 15 MB")
        row("  of which the web book", f"{folder_mb(report / '_build' / 'html'):.1f} MB", "")
        seconds, peak, _ = build([*region, "--out", str(tmp / "pdf"), "--pdf"], env)
        row("one län, HTML + PDF, cold", f"{seconds:.1f} s", "≤ 40 s")
        row("peak memory, one län + PDF", f"{peak / 2**30:.2f} GB", "")


if __name__ == "__main__":
    main()
