"""Benchmark one län's build and print where the time goes.

    python scripts/bench.py [--region 24] [--year 2024] [--jobs N] [--pdf] [--repeat 1]

Builds into a temporary folder (the reports/ folder is left alone) and prints the wall time
of the analysis, each notebook under papermill, the papermill phase as a whole (notebooks
run in parallel), and the Jupyter Book HTML (and PDF) build.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from ecoreport.report.build import build_report, default_jobs
from ecoreport.data.regions import resolve_region


def run(region: str, year: int | None, jobs: int | None, pdf: bool, repeat: int) -> None:
    target = resolve_region(region)
    for attempt in range(1, repeat + 1):
        with tempfile.TemporaryDirectory(prefix="ecoreport-bench-") as tmp:
            start = time.perf_counter()
            result = build_report(target, year, Path(tmp), pdf=pdf, workers=jobs)
            wall = time.perf_counter() - start
        t = result.timings
        notebooks = {k.split(":", 1)[1]: v for k, v in t.items() if k.startswith("notebook:")}
        print(f"run {attempt}: {target.name} {result.year}, {len(notebooks)} notebooks, "
              f"{jobs or default_jobs()} parallel jobs on {os.cpu_count()} cores")
        print(f"  analysis (once per build) {t['analysis']:7.2f} s")
        print(f"  papermill (all notebooks) {t['papermill']:7.2f} s")
        for name, secs in sorted(notebooks.items(), key=lambda kv: -kv[1]):
            print(f"    {name:<28} {secs:6.2f} s")
        print(f"  jupyter-book html         {t['book_html']:7.2f} s")
        if "book_pdf" in t:
            print(f"  jupyter-book pdf          {t['book_pdf']:7.2f} s")
        print(f"  total                     {wall:7.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="24")
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--pdf", action="store_true")
    parser.add_argument("--repeat", type=int, default=1)
    a = parser.parse_args()
    run(a.region, a.year, a.jobs, a.pdf, a.repeat)
