"""Build a län's report: run the notebooks with papermill, assemble the book, build it.

The build is transactional: everything is produced in a staging folder beside the target,
and only a complete, successful build replaces the previous report. Bad input therefore
never leaves a half-written report over a good one: the data is validated before anything
is written, and a failing notebook or book build leaves the old report untouched.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import yaml

from ecoreport import __version__
from ecoreport.errors import BuildError, EcoreportError
from ecoreport.paths import project_root
from ecoreport.data.regions import Region
from ecoreport.analysis.results import PCA_FIRST_YEAR, compute_results, save_results
from ecoreport.data.dataset import load_dataset
from ecoreport.report.editions import find_previous_edition, write_edition
from ecoreport.report.structure import notebook_chapters, render_toc
from ecoreport.report.pdf import build_pdf
from ecoreport.report.jupyterbook import run_jupyter_book
from ecoreport.report.kernels import NotebookJob, run_in_worker
from ecoreport.provenance import collect_build_info

logger = logging.getLogger(__name__)

RESULTS_FILE = "results.pkl"
KERNEL_LOG = "kernels.log"


@dataclass
class BuildResult:
    region: Region
    year: int
    report_dir: Path
    html_index: Path
    pdf: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    notebooks: list[Path] = field(default_factory=list)


def check_year(year: int | None, dataset) -> int:
    """The report year: the latest in the data by default; years without data are refused."""
    latest = int(dataset.latest_year())
    if year is None:
        return latest
    if not PCA_FIRST_YEAR <= int(year) <= latest:
        raise EcoreportError(f"no report can be built for {year}: the data covers "
                             f"{PCA_FIRST_YEAR}–{latest}; choose --year between them")
    return int(year)


def report_dir_for(out_dir: Path, region: Region, year: int) -> Path:
    """Where a län's report for a year goes: ``<out>/<year>/<code>-<slug>``."""
    return Path(out_dir) / str(year) / f"{region.code}-{region.slug}"


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


# -- notebooks ------------------------------------------------------------------------------

def _send_stderr_to(log_path: str) -> None:
    """Pool initializer: kernels inherit the worker's stderr, so their chatter (transport
    warnings, shutdown messages) goes to the build's log instead of the analyst's terminal."""
    logging.getLogger("papermill").setLevel(logging.ERROR)
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)


def run_notebooks(jobs: list[NotebookJob], workers: int, log_path: Path) -> dict[str, float]:
    """Execute notebooks in parallel processes, each with a warm kernel; the first failure
    stops the build."""
    timings: dict[str, float] = {}
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(jobs))),
                             mp_context=get_context("spawn"), initializer=_send_stderr_to,
                             initargs=(str(log_path),)) as pool:
        futures = {pool.submit(run_in_worker, job): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            try:
                timings[Path(job.target).stem] = future.result()
            except BaseException:
                for other in futures:
                    other.cancel()
                raise
    return timings


# -- book -----------------------------------------------------------------------------------

def book_config(region: Region, year: int, *, execute: bool) -> dict:
    """The top-level ``_config.yml`` adapted to one län and year."""
    config = yaml.safe_load((project_root() / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = f"Innovationsekosystemet i {region.name} {year}"
    subs = config.setdefault("parse", {}).setdefault("myst_substitutions", {})
    subs.update(substitutions(region, year))
    config.setdefault("execute", {})["execute_notebooks"] = "force" if execute else "off"
    return config


def substitutions(region: Region, year: int) -> dict:
    """Values the static pages may use as ``{{ name }}``."""
    return {
        "region_name": region.name,
        "region_short": region.short_name,
        "region_code": region.code,
        "year": str(year),
        "ecoreport_version": __version__,
    }


def assemble_book(staging: Path, region: Region, year: int, catalogue,
                  only: set[str] | None = None) -> None:
    """Copy the static pages and write the book's configuration into ``staging``."""
    root = project_root()
    shutil.copytree(root / "book", staging / "book", dirs_exist_ok=True)
    (staging / "_toc.yml").write_text(render_toc(catalogue, only), encoding="utf-8")
    config = book_config(region, year, execute=False)
    (staging / "_config.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def build_report(region: Region, year: int | None, out_dir: Path, *, pdf: bool = False,
                 workers: int | None = None, strict: bool = False,
                 data_dir: Path | None = None, only: set[str] | None = None,
                 command: str | None = None) -> BuildResult:
    """Build one län's report for one year into ``out_dir``; return where it is.

    ``only`` limits the book to those chapter paths (see :mod:`ecoreport.report.structure`).
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    dataset = load_dataset(data_dir)  # validates; raises before anything is written
    year = check_year(year, dataset)
    results = compute_results(dataset, region.code, year)
    timings["analysis"] = time.perf_counter() - t0

    target = report_dir_for(out_dir, region, year)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(f".{target.name}.staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        save_results(results, staging / RESULTS_FILE, dataset,
                     collect_build_info(command, dataset))
        write_edition(staging, dataset, region.code, year, build_command=command)
        previous = find_previous_edition(out_dir, region, year)
        per_build = {"previous_edition": str(previous.resolve()) if previous else None}
        assemble_book(staging, region, year, dataset.catalogue, only)
        root = project_root()
        jobs = []
        for chapter in notebook_chapters(dataset.catalogue, only):
            out = staging / f"{chapter.path}.ipynb"
            out.parent.mkdir(parents=True, exist_ok=True)
            params = {"region": region.code, "year": year,
                      "results_path": str((staging / RESULTS_FILE).resolve()),
                      "data_dir": str(Path(data_dir).resolve()) if data_dir else None,
                      **{k: per_build.get(k, v) if v is None else v
                         for k, v in chapter.parameters.items()}}
            jobs.append(NotebookJob(
                source=str(root / f"{chapter.path}.md"), target=str(out), parameters=params,
                cwd=str(out.parent), label=f"{region.name} ({region.code})",
                name=f"{chapter.path}.md", static_charts="png" if pdf else "none"))
        t1 = time.perf_counter()
        notebook_times = run_notebooks(jobs, workers or default_jobs(),
                                       staging / KERNEL_LOG)
        timings["papermill"] = time.perf_counter() - t1
        timings.update({f"notebook:{k}": v for k, v in notebook_times.items()})

        t2 = time.perf_counter()
        run_jupyter_book(staging, "html", strict=strict)
        timings["book_html"] = time.perf_counter() - t2
        if pdf:
            t3 = time.perf_counter()
            build_pdf(staging)
            timings["book_pdf"] = time.perf_counter() - t3
        _replace_dir(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    timings["total"] = time.perf_counter() - t0
    html_index = target / "_build" / "html" / "index.html"
    pdf_path = next(iter(sorted((target / "_build" / "latex").glob("*.pdf"))), None) if pdf else None
    return BuildResult(region=region, year=year, report_dir=target, html_index=html_index,
                       pdf=pdf_path, timings=timings,
                       notebooks=sorted(target.glob("notebooks/**/*.ipynb")))


def _replace_dir(new: Path, target: Path) -> None:
    """Swap ``new`` into ``target`` with renames, so readers never see a half-built report."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
