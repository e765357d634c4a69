"""Editions: a snapshot of the data a built report used, and what changed since the last one.

``write_edition`` stores, beside a built report (``<out>/<year>/<code>-<slug>/edition/``),
the rows of the län, Riket and the län's peers from values.csv and survey.csv (plain CSV in
the data files' format, so they diff well and stay small) and ``manifest.json``. The
manifest records the ecoreport version, region, year, the build command, the SHA-256 of
every edition file and of every data file the build read, and when it was written. The
creation time is outside every hash, so rebuilding the same data gives the same files and
digests.

``diff_editions`` compares two editions of one län: new data points, revised values
(including synthetic → observed), removed values, indicators added or dropped and trend
statements (``trends.compute_trends``) whose direction or assessment changed. Only register
values are compared; survey shares are in the snapshot for the record.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ecoreport import __version__
from ecoreport.errors import DataError
from ecoreport.data.tables import format_stored_number, sort_tidy_rows, write_tidy_csv
from ecoreport.data.tables import SURVEY_COLUMNS, VALUES_COLUMNS, read_table, type_survey, type_values
from ecoreport.data.regions import Region, resolve_region
from ecoreport.analysis.compare import observed_values
from ecoreport.analysis.trends import compute_trends, control_fdr
from ecoreport.data.vocab import RIKET_CODE, STATUS_LABELS
from ecoreport.markup.escape import escape_myst
from ecoreport.markup.formatting import format_number, format_period
from ecoreport.markup.tables import markdown_table
from ecoreport.report.commentary import commentary_root
from ecoreport.report.texts import text

logger = logging.getLogger(__name__)

EDITION_DIR = "edition"
MANIFEST = "manifest.json"
EDITION_FILES: tuple[str, ...] = ("values.csv", "survey.csv")
_YEAR_DIR_RE = re.compile(r"^\d{4}$")

DIRECTION_SV = {"rising": "stigande", "falling": "fallande", "unchanged": "oförändrad",
                "unknown": "för kort serie"}
ASSESSMENT_SV = {"improving": "förbättring", "worsening": "försämring",
                 "unchanged": "oförändrat", "not_assessed": "bedöms inte",
                 "unknown": "kan inte bedömas"}


def _status_sv(status: str, default: str) -> str:
    """The status as a word inside a sentence ("observerat"), ``default`` if unknown."""
    label = STATUS_LABELS.get(status)
    return label.adjective if label else default


@dataclass
class Edition:
    """A loaded edition: typed values and survey rows plus its manifest."""

    path: Path
    manifest: dict[str, Any]
    values: pd.DataFrame
    survey: pd.DataFrame

    @property
    def year(self) -> int:
        return int(self.manifest["year"])

    @property
    def region_code(self) -> str:
        return str(self.manifest["region_code"])


@dataclass
class EditionDiff:
    """What changed for one län between two editions (one table per kind of change)."""

    region_code: str
    old_year: int
    new_year: int
    new_points: pd.DataFrame
    revised: pd.DataFrame
    removed: pd.DataFrame
    indicators_added: list[str] = field(default_factory=list)
    indicators_dropped: list[str] = field(default_factory=list)
    trend_changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    titles: dict[str, str] = field(default_factory=dict)  # indicator id -> name_sv
    decimals: dict[str, int] = field(default_factory=dict)  # indicator id -> decimals

    @property
    def is_empty(self) -> bool:
        """True when nothing changed."""
        return not (len(self.new_points) or len(self.revised) or len(self.removed)
                    or self.indicators_added or self.indicators_dropped
                    or len(self.trend_changes))


# --- writing and loading --------------------------------------------------------------------

def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _text_frame(frame: pd.DataFrame, columns: tuple[str, ...], number_column: str
                ) -> pd.DataFrame:
    out = frame[list(columns)].copy()
    out[number_column] = [format_stored_number(value) for value in out[number_column]]
    return sort_tidy_rows(out.astype(str))


def _included_codes(dataset: Any, region_code: str) -> tuple[Any, set[str]]:
    region = dataset.region(region_code)
    return region, {region.code, RIKET_CODE, *getattr(region, "peers", ())}


def edition_from_dataset(dataset: Any, region_code: str, year: int) -> Edition:
    """The edition a build of ``region_code`` and ``year`` would write, in memory (the
    rows of the län, Riket and the peers; manifest without digests)."""
    region, codes = _included_codes(dataset, region_code)
    return Edition(path=Path(), manifest={"region_code": region.code, "year": int(year),
                                          "ecoreport_version": __version__},
                   values=dataset.values[dataset.values["region_code"].isin(codes)],
                   survey=dataset.survey[dataset.survey["region_code"].isin(codes)])


def write_edition(report_dir: str | Path, dataset: Any, region_code: str, year: int, *,
                  build_command: str | None = None,
                  created: _dt.datetime | None = None) -> Path:
    """Write ``<report_dir>/edition/`` for a report of ``region_code`` and ``year``;
    return the folder. Rows kept: the län, Riket and the län's peers."""
    region, codes = _included_codes(dataset, region_code)
    folder = Path(report_dir) / EDITION_DIR
    folder.mkdir(parents=True, exist_ok=True)
    frames = {
        "values.csv": _text_frame(dataset.values[dataset.values["region_code"].isin(codes)],
                                  VALUES_COLUMNS, "value"),
        "survey.csv": _text_frame(dataset.survey[dataset.survey["region_code"].isin(codes)],
                                  SURVEY_COLUMNS, "share_pct"),
    }
    for name, frame in frames.items():
        write_tidy_csv(frame, folder / name)
    manifest = {
        "ecoreport_version": __version__,
        "region_code": region.code,
        "region_name": region.name,
        "regions_included": sorted(codes),
        "year": int(year),
        "build_command": build_command or f"ecoreport build --region {region.code} "
                                          f"--year {int(year)}",
        "files": {name: _sha256(folder / name) for name in EDITION_FILES},
        "data_sha256": dataset.sha256(),
        "indicators": sorted(dataset.catalogue.indicators),
        # Not part of any hash: rebuilding the same data gives the same digests.
        "created": (created or _dt.datetime.now(_dt.timezone.utc)).isoformat(
            timespec="seconds"),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False,
                                              sort_keys=True) + "\n", encoding="utf-8")
    logger.info("edition of %s %s written to %s", region.code, year, folder)
    return folder


def load_edition(path: str | Path) -> Edition:
    """Load an edition folder (or the report folder holding ``edition/``); the files must
    match the digests in the manifest."""
    folder = Path(path)
    if folder.name == MANIFEST:
        folder = folder.parent
    if not (folder / MANIFEST).exists() and (folder / EDITION_DIR / MANIFEST).exists():
        folder = folder / EDITION_DIR
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise DataError("no edition here", file=str(manifest_path),
                        expected="a folder written by write_edition (with manifest.json)")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"not valid JSON: {exc}", file=str(manifest_path),
                        expected="the manifest write_edition wrote") from None
    for name, digest in manifest.get("files", {}).items():
        if _sha256(folder / name) != digest:
            raise DataError("file changed since the edition was written",
                            file=str(folder / name), value=digest,
                            expected="the SHA-256 recorded in manifest.json")
    return Edition(path=folder, manifest=manifest,
                   values=type_values(read_table(folder / "values.csv")),
                   survey=type_survey(read_table(folder / "survey.csv")))


def find_previous_edition(out_dir: str | Path, region: Any, year: int) -> Path | None:
    """The edition of ``region`` built for ``year - 1`` under ``out_dir``, else the latest
    earlier year present; None when there is none. ``region`` is a Region or code/name."""
    region = region if isinstance(region, Region) else resolve_region(region)
    out_dir = Path(out_dir)
    expected = out_dir / str(int(year) - 1) / f"{region.code}-{region.slug}" / EDITION_DIR
    if (expected / MANIFEST).exists():
        return expected
    if not out_dir.is_dir():
        return None
    years = sorted((int(child.name) for child in out_dir.iterdir()
                    if child.is_dir() and _YEAR_DIR_RE.match(child.name)
                    and int(child.name) < int(year)), reverse=True)
    for earlier in years:
        # match on the code: a renamed slug must not hide an edition
        for candidate in sorted((out_dir / str(earlier)).glob(f"{region.code}-*")):
            if (candidate / EDITION_DIR / MANIFEST).exists():
                return candidate / EDITION_DIR
    return None


# --- comparing ------------------------------------------------------------------------------

def _region_values(edition: Edition, region_code: str) -> pd.DataFrame:
    frame = edition.values[edition.values["region_code"] == region_code]
    return frame[["indicator_id", "period", "value", "status"]].reset_index(drop=True)


def _title(catalogue: Any, indicator_id: str) -> str:
    indicator = catalogue.indicators.get(indicator_id)
    return indicator.name_sv if indicator is not None else indicator_id


def diff_editions(old: Edition, new: Edition, region_code: str, catalogue: Any, *,
                  tolerance: float = 1e-9) -> EditionDiff:
    """Compare the register values of ``region_code`` in two editions.

    A value counts as revised when it moved by more than ``tolerance`` (relative to its
    size, at least 1) or its status changed.
    """
    before = _region_values(old, region_code)
    after = _region_values(new, region_code)
    merged = before.merge(after, on=["indicator_id", "period"], how="outer",
                          suffixes=("_old", "_new"), indicator=True)
    merged["title"] = [_title(catalogue, id_) for id_ in merged["indicator_id"]]
    order = ["indicator_id", "period"]

    added = merged[merged["_merge"] == "right_only"].sort_values(order)
    new_points = pd.DataFrame({
        "indicator_id": added["indicator_id"], "title": added["title"],
        "period": added["period"], "value": added["value_new"],
        "status": added["status_new"]}).reset_index(drop=True)

    gone = merged[merged["_merge"] == "left_only"].sort_values(order)
    removed = pd.DataFrame({
        "indicator_id": gone["indicator_id"], "title": gone["title"],
        "period": gone["period"], "value": gone["value_old"],
        "status": gone["status_old"]}).reset_index(drop=True)

    both = merged[merged["_merge"] == "both"].copy()
    scale = both[["value_old", "value_new"]].abs().max(axis=1).clip(lower=1.0)
    moved = (both["value_new"] - both["value_old"]).abs() > tolerance * scale
    # a synthetic value generated anew is no revision of the statistics
    regenerated = (both["status_old"] == "synthetic") & (both["status_new"] == "synthetic")
    both = both[(moved | (both["status_old"] != both["status_new"]))
                & ~regenerated].sort_values(order)
    change = both["value_new"] - both["value_old"]
    revised = pd.DataFrame({
        "indicator_id": both["indicator_id"], "title": both["title"],
        "period": both["period"], "old_value": both["value_old"],
        "new_value": both["value_new"], "change_abs": change,
        "change_pct": [100.0 * c / o if o else math.nan
                       for c, o in zip(change, both["value_old"])],
        "old_status": both["status_old"], "new_status": both["status_new"],
    }).reset_index(drop=True)

    old_ids, new_ids = set(before["indicator_id"]), set(after["indicator_id"])

    # the directions each edition's report states: fitted on observed values only and
    # FDR-controlled, as in results.py
    old_trends = control_fdr(compute_trends(observed_values(old.values), region_code,
                                            catalogue, until_year=old.year))
    new_trends = control_fdr(compute_trends(observed_values(new.values), region_code,
                                            catalogue, until_year=new.year))
    trends = old_trends[["indicator_id", "direction", "assessment"]].merge(
        new_trends[["indicator_id", "direction", "assessment"]], on="indicator_id",
        suffixes=("_old", "_new"))
    trends = trends[(trends["direction_old"] != trends["direction_new"])
                    | (trends["assessment_old"] != trends["assessment_new"])]
    trend_changes = pd.DataFrame({
        "indicator_id": trends["indicator_id"],
        "title": [_title(catalogue, id_) for id_ in trends["indicator_id"]],
        "old_direction": trends["direction_old"], "new_direction": trends["direction_new"],
        "old_assessment": trends["assessment_old"],
        "new_assessment": trends["assessment_new"]}).reset_index(drop=True)

    return EditionDiff(region_code=region_code, old_year=old.year, new_year=new.year,
                       new_points=new_points, revised=revised, removed=removed,
                       indicators_added=sorted(new_ids - old_ids),
                       indicators_dropped=sorted(old_ids - new_ids),
                       trend_changes=trend_changes,
                       titles={id_: _title(catalogue, id_) for id_ in old_ids | new_ids},
                       decimals={id_: catalogue.indicators[id_].decimals
                                 for id_ in old_ids | new_ids
                                 if id_ in catalogue.indicators})


# --- presenting -----------------------------------------------------------------------------

def format_diff(diff: EditionDiff, *, max_rows: int = 50) -> str:
    """Plain-text report for ``ecoreport diff``."""
    lines = [f"Changes for region {diff.region_code}: edition {diff.old_year} → "
             f"{diff.new_year}"]
    if diff.is_empty:
        lines.append("No changes.")
        return "\n".join(lines)
    sections = [
        ("New data points", diff.new_points, ["indicator_id", "period", "value", "status"]),
        ("Revised values", diff.revised, ["indicator_id", "period", "old_value", "new_value",
                                          "change_abs", "change_pct", "old_status",
                                          "new_status"]),
        ("Removed values", diff.removed, ["indicator_id", "period", "value", "status"]),
        ("Trends whose direction changed", diff.trend_changes,
         ["indicator_id", "old_direction", "new_direction", "old_assessment",
          "new_assessment"]),
    ]
    for heading, table, columns in sections:
        lines.append("")
        lines.append(f"{heading}: {len(table)}")
        if len(table):
            shown = table[columns].head(max_rows)
            lines.append(shown.to_string(index=False, float_format=lambda x: f"{x:.6g}"))
            if len(table) > max_rows:
                lines.append(f"… and {len(table) - max_rows} more")
    lines.append("")
    lines.append("Indicators added: " + (", ".join(diff.indicators_added) or "none"))
    lines.append("Indicators dropped: " + (", ".join(diff.indicators_dropped) or "none"))
    return "\n".join(lines)


def _number(diff: EditionDiff, indicator_id: str, value: float,
            status: str = "observed") -> str:
    """A value of the chapter's tables; a synthetic one is not a number of the text ("–",
    its status column says why; the data workbook has it)."""
    if status == "synthetic":
        return "–"
    return format_number(value, diff.decimals.get(indicator_id, 2))


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A pipe table (``markup.tables``) of cells escaped as text."""
    return markdown_table(header, [[escape_myst(cell) for cell in row] for row in rows])


def _values_sv(n: int) -> str:
    """"1 värde", "3 värden" (Swedish number agreement)."""
    return f"{n} värde" if n == 1 else f"{n} värden"


def diff_markdown(diff: EditionDiff, *, max_rows: int = 40) -> str:
    """The changes in Swedish Markdown, for the chapter "Förändringar sedan förra utgåvan"."""
    parts = [text("editions", "compared-editions", old_year=diff.old_year,
                  new_year=diff.new_year)]
    if diff.is_empty:
        parts.append(text("editions", "no-changes"))
        return "\n\n".join(parts)

    def limited(table: pd.DataFrame) -> tuple[pd.DataFrame, str]:
        more = len(table) - max_rows
        return table.head(max_rows), (f"\n\n… och {more} till." if more > 0 else "")

    if len(diff.revised):
        table, more = limited(diff.revised)
        rows = [[row.title, format_period(row.period),
                 _number(diff, row.indicator_id, row.old_value, row.old_status),
                 _number(diff, row.indicator_id, row.new_value, row.new_status),
                 _number(diff, row.indicator_id, row.change_abs,
                         "synthetic" if "synthetic" in (row.old_status, row.new_status)
                         else "observed"),
                 "–" if math.isnan(row.change_pct) or "synthetic" in (
                     row.old_status, row.new_status)
                 else format_number(row.change_pct, 1) + " %",
                 f"{_status_sv(row.old_status, row.old_status)} → "
                 f"{_status_sv(row.new_status, row.new_status)}"
                 if row.old_status != row.new_status else _status_sv(row.new_status, "")]
                for row in table.itertuples()]
        parts.append("## Reviderade värden\n\n"
                     + text("editions", "revised-values", values=_values_sv(len(diff.revised)))
                     + "\n\n" + _markdown_table(["Indikator", "Period", "Förut", "Nu", "Förändring",
                                        "Förändring (%)", "Status"], rows) + more)
    if len(diff.new_points):
        table, more = limited(diff.new_points)
        rows = [[row.title, format_period(row.period),
                 _number(diff, row.indicator_id, row.value, row.status),
                 _status_sv(row.status, row.status)] for row in table.itertuples()]
        parts.append("## Nya datapunkter\n\n"
                     + text("editions", "new-points", values=_values_sv(len(diff.new_points)))
                     + "\n\n" + _markdown_table(["Indikator", "Period", "Värde", "Status"], rows) + more)
    if len(diff.removed):
        table, more = limited(diff.removed)
        rows = [[row.title, format_period(row.period),
                 _number(diff, row.indicator_id, row.value, row.status),
                 _status_sv(row.status, row.status)] for row in table.itertuples()]
        parts.append("## Borttagna värden\n\n"
                     + text("editions", "removed-values", values=_values_sv(len(diff.removed)))
                     + "\n\n" + _markdown_table(["Indikator", "Period", "Värde", "Status"], rows) + more)
    if diff.indicators_added or diff.indicators_dropped:
        lines = ["## Nya och borttagna indikatorer", ""]
        if diff.indicators_added:
            lines.append("Nya: " + ", ".join(escape_myst(diff.titles.get(i, i))
                                             for i in diff.indicators_added) + ".")
        if diff.indicators_dropped:
            lines.append("Borttagna: " + ", ".join(escape_myst(diff.titles.get(i, i))
                                                   for i in diff.indicators_dropped) + ".")
        parts.append("\n".join(lines))
    if len(diff.trend_changes):
        rows = [[row.title,
                 f"{DIRECTION_SV.get(row.old_direction, row.old_direction)} → "
                 f"{DIRECTION_SV.get(row.new_direction, row.new_direction)}",
                 f"{ASSESSMENT_SV.get(row.old_assessment, row.old_assessment)} → "
                 f"{ASSESSMENT_SV.get(row.new_assessment, row.new_assessment)}"]
                for row in diff.trend_changes.itertuples()]
        parts.append("## Ändrade trender\n\n" + text("editions", "trend-changes") + "\n\n"
                     + _markdown_table(["Indikator", "Riktning", "Bedömning"], rows))
    return "\n\n".join(parts)


# --- commentary written against numbers that changed -------------------------------------

CHANGE_KINDS_SV = {"revised": "reviderat värde", "new": "nytt värde", "removed": "borttaget värde",
                   "trend": "trenden har bytt riktning eller bedömning",
                   "added": "ny indikator", "dropped": "borttagen indikator"}


def changed_indicators(diff: EditionDiff) -> dict[str, list[str]]:
    """Indicator id -> the kinds of change it had (keys of ``CHANGE_KINDS_SV``), in order."""
    kinds: dict[str, list[str]] = {}
    for kind, ids in (("revised", diff.revised.get("indicator_id", ())),
                      ("new", diff.new_points.get("indicator_id", ())),
                      ("removed", diff.removed.get("indicator_id", ())),
                      ("trend", diff.trend_changes.get("indicator_id", ())),
                      ("added", diff.indicators_added), ("dropped", diff.indicators_dropped)):
        for indicator_id in ids:
            if kind not in kinds.setdefault(indicator_id, []):
                kinds[indicator_id].append(kind)
    return kinds


def commentary_references(text: str, chapter: str, catalogue: Any) -> set[str]:
    """The indicators a commentary file refers to: every indicator of its chapter's
    dimension (a dimension chapter's commentary reads against that chapter's numbers), and
    any indicator named in the text by id (also inside glue keys such as ``brp-text``) or
    by its Swedish name."""
    found: set[str] = set()
    dimension_ids = {d.id for d in catalogue.dimensions}
    if chapter in dimension_ids:
        found.update(i.id for i in catalogue.indicators_in(chapter))
    lowered = text.lower()
    for indicator_id, indicator in catalogue.indicators.items():
        if re.search(rf"(?<![\w-]){re.escape(indicator_id)}(?![\w])", text):
            found.add(indicator_id)
        elif indicator.name_sv and indicator.name_sv.lower() in lowered:
            found.add(indicator_id)
    return found


def commentary_on_changes(diff: EditionDiff, catalogue: Any, region_code: str, year: int,
                          root: Path | None = None) -> list[tuple[str, str, list[str]]]:
    """(commentary file name, indicator id, kinds of change) for every indicator that a
    commentary file of the län and year refers to and that changed since the last edition."""
    folder = (root or commentary_root()) / str(int(year)) / region_code
    if not folder.is_dir():
        return []
    changed = changed_indicators(diff)
    rows = []
    for path in sorted(folder.glob("*.md")):
        referred = commentary_references(path.read_text(encoding="utf-8"), path.stem, catalogue)
        order = list(catalogue.indicators)
        for indicator_id in sorted(referred & set(changed),
                                   key=lambda i: order.index(i) if i in order else len(order)):
            rows.append((path.name, indicator_id, changed[indicator_id]))
    return rows


def commentary_changes_markdown(diff: EditionDiff, catalogue: Any, region_code: str,
                                year: int, root: Path | None = None) -> str:
    """The section that sends the analyst back to commentary whose numbers changed; empty
    when the län has no commentary for the year."""
    folder = (root or commentary_root()) / str(int(year)) / region_code
    if not folder.is_dir() or not any(folder.glob("*.md")):
        return ""
    rows = commentary_on_changes(diff, catalogue, region_code, year, root)
    heading = "## Kommentarer som gäller ändrade siffror"
    if not rows:
        return f"{heading}\n\n" + text("editions", "commentary-unchanged", year=int(year))
    table = _markdown_table(
        ["Kommentar", "Indikator", "Ändring"],
        [[name, diff.titles.get(i, _title(catalogue, i)),
          ", ".join(CHANGE_KINDS_SV[k] for k in kinds)] for name, i, kinds in rows])
    files = len({name for name, _, _ in rows})
    summary = (text("editions", "commentary-changed-one", n=files, year=int(year)) if files == 1
               else text("editions", "commentary-changed-many", n=files, year=int(year)))
    return f"{heading}\n\n{summary}\n\n{table}"


def changes_markdown(report: Any, previous_edition: str | Path | None) -> str:
    """The chapter text: the diff between ``previous_edition`` and the report's own data,
    or, without a previous edition, a Swedish explanation of how editions are made."""
    region = report.region
    if previous_edition is None:
        return text("editions", "no-previous-edition", region=escape_myst(region.name),
                    code=region.code)
    old = load_edition(previous_edition)
    new = edition_from_dataset(report.dataset, region.code, report.year)
    catalogue = report.dataset.catalogue
    diff = diff_editions(old, new, region.code, catalogue)
    commentary = commentary_changes_markdown(diff, catalogue, region.code, report.year)
    return diff_markdown(diff) + (f"\n\n{commentary}" if commentary else "")
