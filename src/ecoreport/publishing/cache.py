"""No work twice: a content-addressed cache of executed notebooks and finished reports.

Every input a build reads is hashed: the data files, the notebooks and static pages, the
analysts' commentary, the book configuration, the library's own source and the versions of the packages it runs on,
and the build's parameters. A notebook's key covers what its execution depends on; a
report's key covers everything. Executed notebooks are kept under ``<out>/.cache/`` by key,
so an unchanged chapter is copied instead of run, and a report whose key matches the one
stamped in its folder is reused as it is (``--force`` ignores both).

Light on imports on purpose: the command line checks for an unchanged report before it
loads the scientific stack.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from pathlib import Path

from ecoreport import __version__
from ecoreport.paths import data_dir as default_data_dir
from ecoreport.paths import project_root
from ecoreport.provenance import KEY_PACKAGES, git_commit
from ecoreport.publishing.checksums import checked_bytes, checksum_path, discard, write_checked
from ecoreport.report.commentary import commentary_root

CACHE_DIR = ".cache"
STAMP = ".ecoreport-build.json"
SKIP_DIRS = {"__pycache__", "_build", ".ipynb_checkpoints", ".pytest_cache", CACHE_DIR}
#: A notebook whose source names one of these shows the build or the whole book.
BOOK_WIDE_MARKERS = ("build_info", "notebook_links")
#: Cached notebooks no report refers to are removed when older than this.
KEEP_UNUSED_SECONDS = 7 * 24 * 3600


def _sha(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str,
                                     ensure_ascii=False).encode("utf-8")).hexdigest()


def tree_digest(*paths: Path) -> str:
    """SHA-256 over the names and contents of the files under ``paths`` (files or folders)."""
    digest = hashlib.sha256()
    for root in paths:
        root = Path(root)
        files = [root] if root.is_file() else sorted(
            p for p in root.rglob("*")
            if p.is_file() and not SKIP_DIRS.intersection(p.relative_to(root).parts))
        for path in files:
            digest.update(f"{root.name}/{path.relative_to(root) if path != root else ''}\0"
                          .encode("utf-8"))
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@functools.cache
def environment_digest() -> str:
    """The library's own source and version, and the versions of the packages it runs on."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in KEY_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return _sha(__version__, tree_digest(Path(__file__).resolve().parents[1]), versions)


def earlier_editions_digest(out_dir: Path, region, year: int) -> str:
    """The editions of earlier years of ``region`` under ``out_dir`` (the changes chapter
    compares with one of them)."""
    manifests = []
    out_dir = Path(out_dir)
    if out_dir.is_dir():
        for year_dir in out_dir.iterdir():
            if year_dir.name.isdigit() and len(year_dir.name) == 4 and int(year_dir.name) < year:
                manifests += year_dir.glob(f"{region.code}-*/edition/manifest.json")
    return tree_digest(*sorted(manifests)) if manifests else "none"


def _first_heading(path: Path) -> str | None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return None


class BuildInputs:
    """What one build command reads, hashed once and shared by all län it builds."""

    def __init__(self, *, data_dir: Path | None = None, command: str | None = None, year: int | None = None, pdf: bool = False,
                 strict: bool = False, only: set[str] | None = None,
                 draft: bool = False) -> None:
        self.draft = draft
        self.data_dir = Path(data_dir) if data_dir else default_data_dir()
        self.command = command
        self.year, self.pdf, self.strict = year, pdf, strict
        self.only = sorted(only) if only is not None else None
        self.environment = environment_digest()
        self.data = tree_digest(self.data_dir)
        self.commit = git_commit()
        root = project_root()
        self.sources = tree_digest(root / "_config.yml", root / "book", root / "notebooks",
                                   commentary_root())
        self.titles = {path.relative_to(root).as_posix(): _first_heading(path)
                       for path in sorted((root / "notebooks").rglob("*.md"))}

    @property
    def build_info(self) -> dict:
        """The parts of the build info that differ between runs with the same inputs."""
        return {"command": self.command, "git_commit": self.commit}

    def report_key(self, region) -> str:
        """Everything a report depends on (the year as asked for: None is the latest)."""
        return _sha("report", self.environment, self.data, self.sources, self.build_info,
                    region.code, self.year, self.pdf, self.strict, self.only, self.draft)

    def notebook_key(self, source: Path, parameters: dict, static_charts: str,
                     earlier_editions: str) -> str:
        """What one executed notebook depends on. Paths among the parameters are left out
        (the files they name are covered by the data and editions digests). A notebook
        about the whole book (the reproducibility chapter: build info, links to every
        notebook with its title) also depends on the build info, the chapters and their
        titles."""
        text = Path(source).read_text(encoding="utf-8")
        params = {k: v for k, v in parameters.items()
                  if k not in ("results_path", "data_dir", "previous_edition")}
        book_wide = (self.build_info, self.titles, self.only) if any(
            marker in text for marker in BOOK_WIDE_MARKERS) else None
        return _sha("notebook", self.environment, self.data, text, params, static_charts,
                    earlier_editions if "previous_edition" in parameters else None,
                    book_wide, *(("draft",) if self.draft else ()))


class NotebookCache:
    """Executed notebooks by key in ``<out>/.cache/notebooks``, each with its checksum
    (:func:`write_checked`); a damaged one is discarded and the notebook runs again."""

    def __init__(self, out_dir: Path) -> None:
        self.dir = Path(out_dir) / CACHE_DIR / "notebooks"

    def path(self, key: str) -> Path:
        return self.dir / f"{key}.ipynb"

    def get(self, key: str, target: Path) -> bool:
        """Copy the cached notebook to ``target``; False when there is none (or it was
        damaged)."""
        source = self.path(key)
        data = checked_bytes(source)
        if data is None:
            return False
        try:
            json.loads(data)
        except ValueError:
            discard(source, "not a notebook (JSON)")
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        os.utime(source)  # recently used: kept by prune()
        return True

    def put(self, key: str, executed: Path) -> None:
        write_checked(self.path(key), Path(executed).read_bytes())

    def prune(self, referenced: set[str], now: float | None = None) -> int:
        """Remove notebooks no report refers to that were not used for a week."""
        if not self.dir.is_dir():
            return 0
        now = now or time.time()
        removed = 0
        for path in self.dir.glob("*.ipynb"):
            if path.stem not in referenced and now - path.stat().st_mtime > KEEP_UNUSED_SECONDS:
                path.unlink(missing_ok=True)
                checksum_path(path).unlink(missing_ok=True)
                removed += 1
        return removed


# -- finished reports ---------------------------------------------------------------------

def _index_path(out_dir: Path, key: str) -> Path:
    return Path(out_dir) / CACHE_DIR / "reports" / f"{key}.json"


def read_stamp(report_dir: Path) -> dict | None:
    """The report's stamp; None when missing or not a stamp (the report is built again)."""
    try:
        stamp = json.loads((Path(report_dir) / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def write_stamp(report_dir: Path, out_dir: Path, stamp: dict) -> None:
    """Record what a finished report was built from (in the folder, before it is swapped
    in) and index it by its key, so an unchanged rebuild finds it without the data."""
    Path(report_dir, STAMP).write_text(json.dumps(stamp, indent=1, ensure_ascii=False),
                                       encoding="utf-8")
    write_checked(_index_path(out_dir, stamp["key"]),
                  json.dumps({"report_dir": stamp["report_dir"], "year": stamp["year"]})
                  .encode("utf-8"))


def reusable_report(out_dir: Path, region, key: str) -> dict | None:
    """The stamp of a report built from exactly these inputs, if it is there whole."""
    data = checked_bytes(_index_path(out_dir, key))
    try:
        index = json.loads(data) if data is not None else None
        report_dir = Path(out_dir) / str(index["report_dir"])
    except (ValueError, TypeError, KeyError):
        if data is not None:
            discard(_index_path(out_dir, key), "not a report index")
        return None
    stamp = read_stamp(report_dir)
    if not stamp or stamp.get("key") != key:
        return None
    try:
        if stamp.get("earlier_editions") != earlier_editions_digest(out_dir, region,
                                                                    int(stamp["year"])):
            return None
        wanted = [stamp.get("html"), *([stamp["pdf"]] if stamp.get("pdf") else [])]
        if not all(isinstance(name, str) and (report_dir / name).is_file()
                   for name in wanted):
            return None
    except (KeyError, TypeError, ValueError):  # a damaged stamp: the report is built again
        return None
    return stamp


def reuse_unchanged(out_dir: Path, regions: list, inputs: BuildInputs) -> tuple[list, list]:
    """Split ``regions`` into ``(region, stamp)`` pairs whose reports are unchanged and
    the regions that need a build."""
    reused, todo = [], []
    for region in regions:
        stamp = reusable_report(out_dir, region, inputs.report_key(region))
        if stamp is None:
            todo.append(region)
        else:
            reused.append((region, stamp))
    return reused, todo


def reuse_message(region, stamp: dict, out_dir: Path) -> str:
    return (f"{region.name} {stamp['year']}: nothing changed, reused the report "
            f"({Path(out_dir) / stamp['report_dir']})")


def stamp_paths(stamp: dict, out_dir: Path) -> tuple[Path, Path | None]:
    """The HTML index and the PDF (or None) of a stamped report."""
    report_dir = Path(out_dir) / stamp["report_dir"]
    return report_dir / stamp["html"], report_dir / stamp["pdf"] if stamp.get("pdf") else None


def referenced_notebooks(out_dir: Path) -> set[str]:
    """Keys of the notebooks the reports under ``out_dir`` were built from."""
    keys: set[str] = set()
    for stamp_path in Path(out_dir).glob(f"*/*/{STAMP}"):
        stamp = read_stamp(stamp_path.parent) or {}
        keys.update(stamp.get("notebooks", {}).values())
    return keys
