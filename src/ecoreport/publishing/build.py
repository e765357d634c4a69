"""Build län reports: run the notebooks with papermill, assemble the books, build them.

The build is transactional: everything is produced in a staging folder beside the target,
and only a complete, successful build replaces the previous report. Bad input therefore
never leaves a half-written report over a good one: the data is validated before anything
is written, and a failing notebook or book build leaves the old report untouched.

No work is done twice (see :mod:`ecoreport.publishing.cache`): an unchanged report is reused
whole, an unchanged chapter is copied from the cache, the dataset is loaded once and the
analysis shared by all län (comparisons, pooled PCA) computed once. The notebooks of all
län go to one pool of workers, each with a warm kernel (:mod:`ecoreport.publishing.kernels`);
a failing län is reported and the others are still built. A report folder is locked while
it is built (:mod:`ecoreport.publishing.folders`).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ecoreport import __version__
from ecoreport.errors import BuildError, EcoreportError
from ecoreport.paths import project_root
from ecoreport.data.regions import Region
from ecoreport.report.results_data import write_figure_tables, write_summary
from ecoreport.analysis.results import (PCA_FIRST_YEAR, SharedResults, compute_results,
                                        compute_shared, save_results)
from ecoreport.data.dataset import load_dataset
from ecoreport.publishing.cache import (CACHE_DIR, BuildInputs, NotebookCache,
                                    earlier_editions_digest, referenced_notebooks,
                                    reuse_message, reuse_unchanged, stamp_paths, write_stamp)
from ecoreport.publishing import interrupts
from ecoreport.markup.escape import escape_myst
from ecoreport.report.editions import find_previous_edition, write_edition
from ecoreport.publishing.folders import (ReportLock, check_out_dir, clean_stale, replace_dir,
                                      report_dir_for, staging_dir_for)
from ecoreport.report.innovation_index import landing_map_html
from ecoreport.publishing.landing import key_figures, write_landing_page
from ecoreport.report.outline import notebook_chapters, notebook_source, render_toc
from ecoreport.report.render import altair_speedups
from ecoreport.publishing.pdf import build_pdf
from ecoreport.publishing.review_pages import write_review_pages
from ecoreport.report.draft import DRAFT_KEY, analyst_checklist, empty_chapters, write_checklist
from ecoreport.publishing.datafile import data_sheets, write_data_workbook
from ecoreport.publishing.jupyterbook import run_jupyter_book
from ecoreport.publishing.kernels import NotebookJob
from ecoreport.publishing.workers import BuildProcesses
from ecoreport.provenance import collect_build_info

logger = logging.getLogger(__name__)

RESULTS_FILE = "results.pkl.gz"
#: How long the build waits for a notebook or book before it looks for a Ctrl-C again.
WAIT_SECONDS = 0.5
# The MyST notebooks as rendered for this build (not part of the book, not published).
SOURCES_DIR = "_build/.sources"


#: The charts' static rendering for the PDF (see render.STATIC_MIME): vector PDF is cheaper
#: to render and to embed than PNG.
PRINT_CHARTS = os.environ.get("ECOREPORT_PRINT_CHARTS", "pdf")
#: The report's PDF and its data workbook, as linked from the web book (``downloads``).
DOWNLOADS_DIR = "downloads"

#: Left out of the published folder: Jupyter Book's own copies of the executed notebooks,
#: its doctrees, the rendered sources and (from ``jupyter-book build .``) the Vega bundle's
#: folder; the book has its own copy of the bundle in ``_static``.
BUILD_LEFTOVERS = ("jupyter_execute", ".doctrees", ".sources", ".ecoreport-static")

__all__ = ["BuildResult", "BuildSummary", "build_report", "build_reports", "report_dir_for"]


@dataclass
class BuildResult:
    region: Region
    year: int
    report_dir: Path
    html_index: Path
    pdf: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    notebooks: list[Path] = field(default_factory=list)
    reused: bool = False            # the whole report was reused (inputs unchanged)
    notebooks_run: list[str] = field(default_factory=list)
    notebooks_reused: list[str] = field(default_factory=list)


@dataclass
class BuildFailure:
    region: Region
    error: BaseException

    def __str__(self) -> str:
        return str(self.error)


@dataclass
class BuildSummary:
    results: list[BuildResult] = field(default_factory=list)
    failures: list[BuildFailure] = field(default_factory=list)
    landing_page: Path | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures


def check_year(year: int | None, dataset) -> int:
    """The report year: the latest in the data by default; years without data are refused."""
    latest = int(dataset.latest_year())
    if year is None:
        return latest
    if not PCA_FIRST_YEAR <= int(year) <= latest:
        raise EcoreportError(f"no report can be built for {year}: the data covers "
                             f"{PCA_FIRST_YEAR}–{latest}; choose --year between them")
    return int(year)


# -- notebooks ------------------------------------------------------------------------------

def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link where the file system allows one (the PDF is large), else a copy."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


# -- book -----------------------------------------------------------------------------------

def download_names(region: Region, year: int) -> dict[str, str]:
    """File names of the report's PDF and data workbook in ``downloads/``."""
    stem = f"innovationsekosystemet-{region.slug}-{year}"
    return {"pdf": f"{stem}.pdf", "data": f"{stem}-data.xlsx"}


def downloads_markdown(region: Region, year: int, *, pdf: bool) -> str:
    """The web book's links to the PDF (when one is built) and to the data workbook
    (substitution ``downloads``; MyST ``{download}`` links, so they work offline)."""
    names = download_names(region, year)
    data = (f"{{download}}`alla data i rapporten (Excel) </{DOWNLOADS_DIR}/{names['data']}>`: "
            "värden med status (observerat eller syntetiskt), enhet och källa, enkätsvaren "
            "och tabellerna bakom rapportens diagram")
    if pdf:
        return (f"Ladda ner {{download}}`rapporten som PDF </{DOWNLOADS_DIR}/{names['pdf']}>` "
                f"och {data}.")
    return f"Ladda ner {data}."


def downloads_print_text(region: Region, year: int) -> str:
    """What the PDF says instead of the links: where the data file is."""
    names = download_names(region, year)
    return (f"Alla data i rapporten finns i Excelfilen {names['data']}, som publiceras "
            "tillsammans med rapporten, och i webbversionen: värden med status (observerat eller "
            "syntetiskt), enhet och källa, enkätsvaren och tabellerna bakom rapportens "
            "diagram.")


def book_config(region: Region, year: int, *, execute: bool, pdf: bool = False) -> dict:
    """The top-level ``_config.yml`` adapted to one län and year. The published book holds
    each executed notebook once: as the reproducibility chapter's downloads, not also as
    page sources."""
    config = yaml.safe_load((project_root() / "_config.yml").read_text(encoding="utf-8"))
    config["title"] = f"Innovationsekosystemet i {region.name} {year}"
    subs = config.setdefault("parse", {}).setdefault("myst_substitutions", {})
    subs.update(substitutions(region, year))
    subs["downloads"] = downloads_markdown(region, year, pdf=pdf)
    config.setdefault("execute", {})["execute_notebooks"] = "force" if execute else "off"
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["html_copy_source"] = False
    return config


def substitutions(region: Region, year: int) -> dict:
    """Values the static pages may use as ``{{ name }}`` (MyST, so names are escaped)."""
    return {
        "region_name": escape_myst(region.name),
        "region_short": escape_myst(region.short_name),
        "region_code": region.code,
        "year": str(year),
        "ecoreport_version": __version__,
    }


def assemble_book(staging: Path, region: Region, year: int, catalogue,
                  only: set[str] | None = None, *, pdf: bool = False, leave_out=()) -> None:
    """Copy the static pages and write the book's configuration into ``staging``
    (``leave_out``: chapters not in this edition, see :mod:`ecoreport.report.draft`)."""
    root = project_root()
    shutil.copytree(root / "book", staging / "book", dirs_exist_ok=True)
    (staging / "_toc.yml").write_text(render_toc(catalogue, only, leave_out),
                                      encoding="utf-8")
    config = book_config(region, year, execute=False, pdf=pdf)
    (staging / "_config.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")



# -- building ---------------------------------------------------------------------------------

@dataclass
class _Report:
    """One län's build in progress."""

    region: Region
    year: int
    target: Path
    staging: Path
    lock: ReportLock
    started: float
    timings: dict[str, float] = field(default_factory=dict)
    notebook_keys: dict[str, str] = field(default_factory=dict)
    waiting: int = 0             # notebooks still running
    run: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    earlier_editions: str = "none"
    dataset: object = None
    checklist: list = field(default_factory=list)


def _analyse(report: _Report, shared: SharedResults, out_dir: Path, *,
             command: str | None, draft: bool) -> tuple[dict, tuple[str, ...]]:
    """The län's results, checklist, key figures and edition in the staging folder; returns
    the notebooks' per-build parameters and the chapters the book leaves out."""
    region, year, staging, dataset = report.region, report.year, report.staging, report.dataset
    t0 = time.perf_counter()
    results = compute_results(dataset, region.code, year, shared=shared)
    save_results(results, staging / RESULTS_FILE, dataset,
                 {**collect_build_info(command, dataset), DRAFT_KEY: draft})
    # the published edition leaves out empty chapters; the checklist says what is left
    report.checklist = analyst_checklist(dataset, region.code, year)
    write_checklist(staging, report.checklist, region.name, year, draft=draft)
    report.summary = key_figures(results)
    write_summary(staging, results, dataset.catalogue, region.short_name)
    report.timings["analysis"] = time.perf_counter() - t0
    write_edition(staging, dataset, region.code, year, build_command=command)
    previous = find_previous_edition(out_dir, region, year)
    report.earlier_editions = earlier_editions_digest(out_dir, region, year)
    per_build = {"previous_edition": str(previous.resolve()) if previous else None}
    leave_out = () if draft else tuple(empty_chapters(
        dataset, region.code, year, previous_edition=previous is not None))
    return per_build, leave_out


def _notebook_parameters(report: _Report, chapter, out: Path, per_build: dict,
                         data_dir: Path | None) -> dict:
    """The parameters papermill gives ``chapter``'s notebook (written to ``out``)."""
    return {"region": report.region.code, "year": report.year,
            # relative, so executed notebooks do not name the staging folder
            "results_path": os.path.relpath(report.staging / RESULTS_FILE, out.parent),
            "data_dir": str(Path(data_dir).resolve()) if data_dir else None,
            **{k: per_build.get(k, v) if v is None else v
               for k, v in chapter.parameters.items()}}


def _write_pdf(report: _Report, downloads: Path) -> str:
    """The PDF (linked from the web book as a download); returns its path in the folder."""
    t3 = time.perf_counter()
    built = build_pdf(report.staging, downloads_print_text(report.region, report.year))
    _link_or_copy(built, downloads / download_names(report.region, report.year)["pdf"])
    report.timings["book_pdf"] = time.perf_counter() - t3
    return built.relative_to(report.staging).as_posix()


class _SharedSheets:
    """The data workbook's sheets shared by every län of a year, made once (in a thread
    while the notebooks run, see :meth:`prefetch`)."""

    def __init__(self) -> None:
        self._sheets: dict[int, list] = {}  # year -> sheets
        self._lock = threading.Lock()
        self._started: set[int] = set()

    def get(self, report: _Report) -> list:
        with self._lock:
            if report.year not in self._sheets:
                dataset = report.dataset
                sheets = data_sheets(
                    year=report.year, values=dataset.values, survey=dataset.survey,
                    catalogue=dataset.catalogue, regions=dataset.regions)
                for sheet in sheets:
                    sheet.xml()
                self._sheets[report.year] = sheets
            return self._sheets[report.year]

    def prefetch(self, report: _Report) -> None:
        """Start making ``report``'s year's sheets in a thread (once per year)."""
        if report.year not in self._started:
            self._started.add(report.year)
            threading.Thread(target=self._prefetch, args=(report,), daemon=True).start()

    def _prefetch(self, report: _Report) -> None:
        try:
            self.get(report)
        except Exception:  # noqa: BLE001 - made again, and reported, by the book build
            pass


class _Builder:
    """Builds several län with one pool of warm-kernel workers (see :func:`build_reports`)."""

    def __init__(self, out_dir: Path, inputs: BuildInputs, *, processes: BuildProcesses,
                 force: bool, log: Callable[[str], None], total: int) -> None:
        self.out_dir, self.inputs, self.force, self.log = out_dir, inputs, force, log
        self.processes = processes
        self.workers = processes.workers
        self.cache = NotebookCache(out_dir)
        self.summary = BuildSummary()
        self.total, self.done, self.started = total, 0, time.perf_counter()
        # the books are built in threads (each waits for a subprocess), so the notebooks
        # of other län keep being queued meanwhile
        self.books: ThreadPoolExecutor | None = None
        # a notebook: (report, job, cache key); a book: (report, None, None)
        self.pending: dict[Future, tuple[_Report, NotebookJob | None, str | None]] = {}
        self.open: list[_Report] = []
        self.sheets = _SharedSheets()

    def _submit(self, report: _Report, job: NotebookJob, key: str) -> None:
        self.pending[self.processes.submit(job)] = (report, job, key)

    def close(self, abort: bool = False) -> None:
        if self.books is not None:  # book builds are subprocesses: let them end
            self.books.shutdown(wait=True, cancel_futures=True)
            self.books = None
        for report in list(self.open):  # interrupted: leave no staging folder or lock
            self._discard(report)
        for future in self.pending:
            future.cancel()
        self.processes.close(abort=abort)

    def _discard(self, report: _Report) -> None:
        shutil.rmtree(report.staging, ignore_errors=True)
        report.lock.release()
        if report in self.open:
            self.open.remove(report)

    def reuse(self, region: Region, stamp: dict) -> None:
        """Reuse an unchanged report whole."""
        html_index, pdf = stamp_paths(stamp, self.out_dir)
        report_dir = self.out_dir / stamp["report_dir"]
        self.summary.results.append(BuildResult(
            region=region, year=stamp["year"], report_dir=report_dir, html_index=html_index,
            pdf=pdf, notebooks=sorted(report_dir.glob("notebooks/**/*.ipynb")), reused=True,
            notebooks_reused=sorted(stamp.get("notebooks", {}))))
        self._progress(reuse_message(region, stamp, self.out_dir))

    def start(self, region: Region, year: int, dataset, shared: SharedResults, *,
              only: set[str] | None, pdf: bool, strict: bool, data_dir: Path | None,
              command: str | None, draft: bool = False) -> None:
        """Prepare ``region``'s staging folder and queue the notebooks the cache lacks."""
        target = report_dir_for(self.out_dir, region, year)
        lock = ReportLock(target, f"{region.name} {year}")
        try:
            lock.acquire()
        except EcoreportError as exc:
            self._fail(None, region, exc)
            return
        for stale in clean_stale(target):
            logger.info("removed %s, left by an interrupted build", stale)
        report = _Report(region=region, year=year, target=target,
                         staging=staging_dir_for(target), lock=lock,
                         started=time.perf_counter())
        self.open.append(report)
        try:
            self._prepare(report, dataset, shared, only=only, pdf=pdf, data_dir=data_dir,
                          command=command, draft=draft)
        except Exception as exc:
            self._fail(report, region, exc)
            return
        self.sheets.prefetch(report)  # made while the notebooks run
        if report.waiting == 0:
            self._finish(report, pdf=pdf, strict=strict)

    def _prepare(self, report: _Report, dataset, shared: SharedResults, *,
                 only, pdf, data_dir, command, draft=False) -> None:
        """Analysis, edition and book skeleton in the staging folder; the notebooks queued."""
        report.staging.mkdir(parents=True)
        report.dataset = dataset
        per_build, leave_out = _analyse(report, shared, self.out_dir, command=command,
                                        draft=draft)
        assemble_book(report.staging, report.region, report.year, dataset.catalogue, only,
                      pdf=pdf, leave_out=leave_out)
        static_charts = PRINT_CHARTS if pdf else "none"
        report.timings["papermill_start"] = time.perf_counter()
        for chapter in notebook_chapters(dataset.catalogue, only, leave_out):
            self._queue_notebook(report, chapter, per_build, static_charts, data_dir)

    def _queue_notebook(self, report: _Report, chapter, per_build: dict, static_charts: str,
                        data_dir: Path | None) -> None:
        """Write ``chapter``'s notebook source; take it from the cache or queue it."""
        region, staging = report.region, report.staging
        out = staging / f"{chapter.path}.ipynb"
        out.parent.mkdir(parents=True, exist_ok=True)
        params = _notebook_parameters(report, chapter, out, per_build, data_dir)
        # the notebook's text for this län and year (its indicators, the commentary)
        source = staging / SOURCES_DIR / f"{chapter.path}.md"
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(notebook_source(chapter, report.dataset, region.code, report.year,
                                          project_root()), encoding="utf-8")
        key = self.inputs.notebook_key(source, params, static_charts, report.earlier_editions)
        report.notebook_keys[chapter.path] = key
        if not self.force and self.cache.get(key, out):
            report.reused.append(chapter.path)
            return
        report.waiting += 1
        self._submit(report, NotebookJob(
            source=str(source), target=str(out), parameters=params, cwd=str(out.parent),
            label=f"{region.name} ({region.code})", name=f"{chapter.path}.md",
            # the chart code is tested against the schema: not checked again per chart
            static_charts=static_charts, validate_charts=False), key)

    def collect(self, block: bool, *, pdf: bool, strict: bool) -> None:
        """Handle finished notebooks and books; a län whose last notebook finished gets its
        book built."""
        if not self.pending:
            return
        done, _ = wait(list(self.pending), timeout=WAIT_SECONDS if block else 0,
                       return_when=FIRST_COMPLETED)
        for future in done:
            report, job, key = self.pending.pop(future)
            if report not in self.open:
                continue  # its län already failed
            if job is None:
                self._book_done(report, future, pdf=pdf)
                continue
            try:
                seconds = future.result()
            except Exception as exc:
                self._fail(report, report.region, exc)
                continue
            self.cache.put(key, Path(job.target))
            name = Path(job.name).with_suffix("").as_posix()
            report.run.append(name)
            report.timings[f"notebook:{Path(name).name}"] = seconds
            report.waiting -= 1
            if report.waiting == 0:
                self._finish(report, pdf=pdf, strict=strict)

    def _finish(self, report: _Report, *, pdf: bool, strict: bool) -> None:
        """All notebooks are there: build the book (in a thread)."""
        t = report.timings
        t["papermill"] = time.perf_counter() - t.pop("papermill_start", time.perf_counter())
        if self.books is None:
            self.books = ThreadPoolExecutor(max_workers=self.workers,
                                            thread_name_prefix="book")
        future = self.books.submit(self._build_book, report, pdf=pdf, strict=strict)
        self.pending[future] = (report, None, None)

    def _build_book(self, report: _Report, *, pdf: bool, strict: bool) -> str | None:
        """The PDF and the data workbook first (the web book links to both), then the web
        book and the stamp in the staging folder, which then replaces the report folder;
        returns the PDF's path in the folder (or None)."""
        downloads = report.staging / DOWNLOADS_DIR
        downloads.mkdir(exist_ok=True)
        pdf_path = _write_pdf(report, downloads) if pdf else None
        self._write_data_workbook(report, downloads)
        t2 = time.perf_counter()
        run_jupyter_book(report.staging, "html", strict=strict,
                         cache_dir=self.out_dir / CACHE_DIR)
        write_review_pages(report.staging)  # the executed notebooks, read-only, in the book
        report.timings["book_html"] = time.perf_counter() - t2
        for leftover in BUILD_LEFTOVERS:
            shutil.rmtree(report.staging / "_build" / leftover, ignore_errors=True)
        self._write_stamp(report, pdf_path)
        if interrupts.interrupted():  # never swap in a report after a Ctrl-C
            raise BuildError(f"{report.region.name} {report.year}: interrupted")
        replace_dir(report.staging, report.target)
        return pdf_path

    def _write_data_workbook(self, report: _Report, downloads: Path) -> None:
        """The figures' tables in ``results/`` and the data workbook the book links to."""
        region, dataset = report.region, report.dataset
        write_figure_tables(report.staging)
        write_data_workbook(downloads / download_names(region, report.year)["data"],
                            region_name=region.name, year=report.year, values=dataset.values,
                            survey=dataset.survey, catalogue=dataset.catalogue,
                            regions=dataset.regions, results_dir=report.staging / "results",
                            region_slug=region.slug, shared=self.sheets.get(report))

    def _write_stamp(self, report: _Report, pdf_path: str | None) -> None:
        region = report.region
        write_stamp(report.staging, self.out_dir, {
            "key": self.inputs.report_key(region), "year": report.year,
            "region_code": region.code, "region_name": region.name,
            "report_dir": report.target.relative_to(self.out_dir).as_posix(),
            "html": "_build/html/index.html", "pdf": pdf_path,
            "earlier_editions": report.earlier_editions,
            "notebooks": report.notebook_keys, "summary": report.summary})

    def _book_done(self, report: _Report, future: Future, *, pdf: bool) -> None:
        region, t = report.region, report.timings
        try:
            pdf_path = future.result()
        except Exception as exc:
            self._fail(report, region, exc)
            return
        report.lock.release()
        self.open.remove(report)
        t["total"] = time.perf_counter() - report.started
        logger.info("%s %s: %s", region.name, report.year, ", ".join(
            f"{name} {seconds:.1f} s" for name, seconds in t.items()
            if not name.startswith("notebook:")))
        target = report.target
        self.summary.results.append(BuildResult(
            region=region, year=report.year, report_dir=target,
            html_index=target / "_build" / "html" / "index.html",
            pdf=target / pdf_path if pdf_path else None, timings=t,
            notebooks=sorted(target.glob("notebooks/**/*.ipynb")),
            notebooks_run=sorted(report.run), notebooks_reused=sorted(report.reused)))
        reused = f", {len(report.reused)} from the cache" if report.reused else ""
        self._progress(f"{region.name} {report.year}: built in {t['total']:.0f} s "
                       f"({len(report.run)} notebooks run{reused})")

    def _fail(self, report: _Report | None, region: Region, exc: BaseException) -> None:
        if report is not None:
            for future, (other, _, _) in self.pending.items():
                if other is report:
                    future.cancel()
            self._discard(report)
        self.summary.failures.append(BuildFailure(region, exc))
        self._progress(f"FAILED {exc}")

    def _progress(self, message: str) -> None:
        self.done += 1
        elapsed = time.perf_counter() - self.started
        left = ""
        if 0 < self.done < self.total:
            seconds = elapsed / self.done * (self.total - self.done)
            left = (f"; about {seconds / 60:.0f} min left" if seconds >= 90
                    else f"; about {seconds:.0f} s left")
        self.log(f"[{self.done}/{self.total}] {message}{left}")


def _build_todo(builder: _Builder, todo: list[Region], year: int | None, *,
                landing_page: bool, data_dir: Path | None, **options) -> str | None:
    """Load the data, compute the shared analysis, build ``todo``'s reports with
    ``builder`` (``options``: see :meth:`_Builder.start`); returns the landing page's map
    (when asked for and there is an index)."""
    processes, map_html = builder.processes, None
    pdf, strict = options["pdf"], options["strict"]
    t0 = time.perf_counter()
    processes.start()  # kernels warm up while the data loads and the analysis runs
    dataset = load_dataset(data_dir)  # validates; raises before anything is written
    year = check_year(year, dataset)
    processes.start_background()
    shared = compute_shared(dataset, year)
    if landing_page and shared.index is not None:
        with altair_speedups():  # (reverted after the map)
            map_html = landing_map_html(dataset, shared.index)
    logger.info("data and shared analysis in %.1f s", time.perf_counter() - t0)
    for region in todo:
        interrupts.check()
        builder.start(region, year, dataset, shared, data_dir=data_dir, **options)
        builder.collect(block=False, pdf=pdf, strict=strict)
    while builder.pending:
        interrupts.check()
        builder.collect(block=True, pdf=pdf, strict=strict)
    return map_html


def build_reports(regions: list[Region], year: int | None, out_dir: Path, *,
                  pdf: bool = False, workers: int | None = None, strict: bool = False,
                  data_dir: Path | None = None, only: set[str] | None = None,
                  command: str | None = None, force: bool = False, landing_page: bool = False,
                  log: Callable[[str], None] | None = None,
                  processes: BuildProcesses | None = None,
                  draft: bool = False) -> BuildSummary:
    """Build the reports of ``regions`` for one year into ``out_dir``.

    A failing län does not stop the others: the summary lists results and failures. Data
    that fails validation raises before anything is written. ``landing_page`` writes
    ``<out>/<year>/index.html`` linking every report of that year. ``only`` limits the books
    to those chapter paths (see :mod:`ecoreport.report.outline`). ``processes`` are the
    workers to use (started early by the caller; by default, started here); they are closed
    at the end.
    """
    log = log or logger.info
    out_dir = check_out_dir(Path(out_dir))
    start = time.perf_counter()
    inputs = BuildInputs(data_dir=data_dir, command=command, year=year, pdf=pdf,
                         strict=strict, only=only, draft=draft)
    processes = processes or BuildProcesses(out_dir, workers)
    builder = _Builder(out_dir, inputs, processes=processes, force=force, log=log,
                       total=len(regions))
    reused, todo = reuse_unchanged(out_dir, regions, inputs) if not force else ([], regions)
    for region, stamp in reused:
        builder.reuse(region, stamp)
    with interrupts.catching():  # a Ctrl-C is never lost (see publishing.interrupts)
        try:
            map_html = _build_todo(
                builder, todo, year, landing_page=landing_page, data_dir=data_dir, only=only,
                pdf=pdf, strict=strict, command=command, draft=draft) if todo else None
            interrupts.check()
        except BaseException:  # bad data, an interrupt: report it without waiting for kernels
            builder.close(abort=True)
            raise
    builder.close()
    summary = builder.summary
    years = {result.year for result in summary.results}
    if landing_page and years:
        summary.landing_page = write_landing_page(out_dir, max(years), index_map_html=map_html)
    NotebookCache(out_dir).prune(referenced_notebooks(out_dir))
    summary.seconds = time.perf_counter() - start
    return summary


def build_report(region: Region, year: int | None, out_dir: Path, *, pdf: bool = False,
                 workers: int | None = None, strict: bool = False,
                 data_dir: Path | None = None, only: set[str] | None = None,
                 command: str | None = None, force: bool = False,
                 log: Callable[[str], None] | None = None, draft: bool = False) -> BuildResult:
    """Build one län's report for one year into ``out_dir``; return where it is. Raises
    what made it fail (see :func:`build_reports`)."""
    summary = build_reports([region], year, out_dir, pdf=pdf, workers=workers, strict=strict,
                            data_dir=data_dir, only=only, command=command, force=force,
                            log=log, draft=draft)
    if summary.failures:
        raise summary.failures[0].error
    return summary.results[0]
