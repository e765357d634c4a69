"""Import published statistics from spreadsheets into ``values.csv`` / ``survey.csv``.

The analyst's yearly update: a file downloaded from SCB, Tillväxtanalys, Kolada or a
colleague's Excel sheet is read (``io.read_table``: xlsx, or CSV as Swedish Excel writes it),
reshaped to tidy rows, merged into the data file with status ``observed`` and validated as a
whole *before* anything is written. The write is atomic (temporary file + ``os.replace``).

Two shapes are understood:

- **wide**: one row per län, one column per year (``2019``, ``2010*``, ``2010**``,
  ``2014-2017``). Footnote marks (``*``) are stripped; a year given twice (a method break)
  keeps the right-most column and says so in ``note``.
- **long**: columns for the län (``region``, ``län``, ``region_code``…), the period
  (``year``, ``år``, ``period``, ``tid``) and the value (``value``, ``värde``…); survey
  items also need a category column (``category``, ``kategori``, ``svar``). A mapping file
  may name other value columns, one indicator per column.

Suppressed cells (``..``, ``–``, ``-``, empty) are skipped, never read as zero.

Merging: a new key is added; a *synthetic* value for the same region, indicator and period
is replaced (that is what importing is for); an *observed* value that differs is a conflict,
kept unless ``replace=True``. Synthetic neighbours of an imported value are not
regenerated (the generator needs ``../shared``); see README "Updating for a new year".
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ecoreport.errors import DataError, DataValidationError, Issue, IssueCode
from ecoreport.data.tables import (
    SURVEY_COLUMNS, VALUES_COLUMNS, format_stored_number, is_missing_marker, normalise_header, parse_number,
    parse_period, read_table, sort_tidy_rows, write_tidy_csv,
)
from ecoreport.data.regions import resolve_region, resolve_region_cell
from ecoreport.data.catalogue import load_catalogue
from ecoreport.paths import data_dir as default_data_dir
from ecoreport.data.regions import load_regions
from ecoreport.data.validate import validate_survey, validate_values

logger = logging.getLogger(__name__)

# Years outside this range are typing errors (1850, 2090), not data.
MIN_YEAR = 1950
# Relative difference under which an imported value equals the stored one (rounding noise).
SAME_VALUE_TOLERANCE = 1e-9

ACTIONS: tuple[str, ...] = ("new", "replaced_synthetic", "replaced", "conflict", "unchanged")

_REGION_HEADERS = ("region_code", "region", "län", "lan", "länskod", "lanskod", "länsnamn",
                   "region/län", "kod", "code", "county")
_PERIOD_HEADERS = ("period", "year", "år", "ar", "tid", "årtal")
_VALUE_HEADERS = ("value", "värde", "varde", "share_pct", "andel", "andel_pct", "procent",
                  "antal")
_CATEGORY_HEADERS = ("category", "kategori", "svar", "svarsalternativ", "answer")
_YEAR_HEADER_RE = re.compile(r"^\s*(\d{4}(?:\s*[-–]\s*\d{4})?)\s*(\**)\s*$")


@dataclass
class ImportSpec:
    """One indicator to take from one file (a command line or one entry of a mapping)."""

    path: Path
    indicator_id: str
    source_id: str | None = None
    region: str | None = None
    sheet: str | int | None = None
    column: str | None = None  # long tables: the column holding this indicator's values


@dataclass
class ImportResult:
    """What an import did (or would do, on a dry run)."""

    changes: pd.DataFrame
    files_written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    def count(self, action: str) -> int:
        """Number of rows with this action (see ``ACTIONS``)."""
        return int((self.changes["action"] == action).sum()) if len(self.changes) else 0

    @property
    def has_conflicts(self) -> bool:
        """True when observed values differ and were kept (``replace`` not given)."""
        return self.count("conflict") > 0


@dataclass
class _Parsed:
    """Tidy rows read from a source file, each with where it came from."""

    rows: list[dict[str, str]]
    origins: list[tuple[str, int, str]]
    notes: list[str]


# --- reading source files -----------------------------------------------------------------

def _find_column(headers: Sequence[str], names: Iterable[str]) -> str | None:
    wanted = set(names)
    for header in headers:
        if normalise_header(header) in wanted:
            return header
    return None


def parse_year_header(text: object) -> tuple[str, int] | None:
    """``"2010**"`` -> ("2010", 2); ``"2014-2017"`` -> ("2014-2017", 0); None if no year."""
    raw = str(text).strip()
    if raw.endswith(".0") and raw[:-2].isdigit():  # a year typed as a number in Excel
        raw = raw[:-2]
    match = _YEAR_HEADER_RE.match(raw)
    if not match:
        return None
    period = re.sub(r"\s*[-–]\s*", "-", match.group(1))
    return period, len(match.group(2))


def check_period(text: str, *, file: str, row: int, column: str,
                 today: _dt.date | None = None) -> str:
    """Return the period as values.csv writes it, or raise DataError for a bad or
    out-of-range year (before ``MIN_YEAR`` or after the current year)."""
    last_year = (today or _dt.date.today()).year
    raw = str(text).strip()
    if raw.endswith(".0") and raw[:-2].isdigit():
        raw = raw[:-2]
    try:
        start, end = parse_period(raw.replace("–", "-"))
    except ValueError:
        raise DataError(f"{text!r} is not a year", file=file, row=row, column=column,
                        value=text, expected="a year such as 2023 or a period 2014-2017"
                        ) from None
    if start < MIN_YEAR or end > last_year:
        raise DataError(f"year {text!r} is out of range", file=file, row=row, column=column,
                        value=text, expected=f"years {MIN_YEAR}–{last_year}")
    return f"{start}" if start == end else f"{start}-{end}"


def _parse_value(text: str, *, file: str, row: int, column: str) -> float | None:
    if is_missing_marker(text):
        return None
    try:
        number = parse_number(text)
    except ValueError:
        raise DataError(f"{text!r} is not a number", file=file, row=row, column=column,
                        value=text, expected="a number such as 1234,5 or 1 234, or '..' "
                                             "for a suppressed value") from None
    if math.isinf(number) or math.isnan(number):
        raise DataError(f"{text!r} is not a finite number", file=file, row=row,
                        column=column, value=text, expected="a finite number")
    return number


def read_source(spec: ImportSpec, catalogue: Any, *, data_dir: str | Path | None = None,
                today: _dt.date | None = None) -> _Parsed:
    """Read one source file into tidy text rows for ``spec.indicator_id``.

    Collects every bad cell of the file and raises one ``DataValidationError`` naming
    file, row and column of each.
    """
    indicator = catalogue.indicator(spec.indicator_id)
    table = read_table(spec.path, sheet=spec.sheet)
    file = spec.path.name
    headers = [str(header) for header in table.columns]
    region_column = _find_column(headers, _REGION_HEADERS)
    period_column = _find_column(headers, _PERIOD_HEADERS)
    fixed_region = None
    if spec.region is not None:
        fixed_region = resolve_region(spec.region, data_dir).code
    issues: list[Issue] = []
    notes: list[str] = []
    cells: list[tuple[int, str, str, str, str]] = []  # row, column, region, period, text
    categories: list[str] = []  # survey: the answer; register: a note for the row

    def region_of(row_number: int, record: dict[str, str]) -> str | None:
        if region_column is None:
            return fixed_region
        try:
            return resolve_region_cell(record[region_column], file=file, row=row_number,
                                       column=region_column, data_dir=data_dir)
        except DataError as exc:
            issues.append(exc.issue)
            return None

    if period_column is not None:
        # long: one row per region and period (and category)
        value_column = spec.column or _find_column(
            [h for h in headers if h not in (region_column, period_column)], _VALUE_HEADERS)
        category_column = _find_column(headers, _CATEGORY_HEADERS) if indicator.is_survey \
            else None
        if value_column is None or value_column not in headers:
            raise DataError("no value column", file=file, row=1, column=spec.column,
                            expected="a column named value/värde, or the column given in the "
                                     "mapping; columns are " + ", ".join(headers))
        if indicator.is_survey and category_column is None:
            raise DataError(f"{spec.indicator_id!r} is a survey item but the file has no "
                            "category column", file=file, row=1,
                            expected="a column category/kategori/svar with the answer")
        if region_column is None and fixed_region is None:
            raise DataError("no län column and no --region", file=file, row=1,
                            expected="a column region/län, or --region")
        for position, record in enumerate(table.to_dict("records")):
            row_number = position + 2
            code = region_of(row_number, record)
            try:
                period = check_period(record[period_column], file=file, row=row_number,
                                      column=period_column, today=today)
            except DataError as exc:
                issues.append(exc.issue)
                period = None
            if code is None or period is None:
                continue
            if fixed_region is not None and code != fixed_region:
                continue
            cells.append((row_number, value_column, code, period, record[value_column]))
            categories.append(record[category_column].strip() if category_column else "")
    else:
        # wide: years as columns
        if indicator.is_survey:
            raise DataError(f"{spec.indicator_id!r} is a survey item; wide tables are only "
                            "read for register indicators", file=file, row=1,
                            expected="a long table with columns region, year, category, value")
        year_columns: dict[str, list[tuple[int, str]]] = {}
        for header in headers:
            parsed = parse_year_header(header)
            if parsed is not None:
                year_columns.setdefault(parsed[0], []).append((parsed[1], header))
        if not year_columns:
            raise DataError("no year columns and no year/period column", file=file, row=1,
                            expected="a wide table with years as columns (2019, 2010*) or a "
                                     "long table with a year/period column")
        label_columns = [h for h in headers
                         if parse_year_header(h) is None and h != region_column]
        if region_column is None and fixed_region is None:
            if not label_columns:
                raise DataError("no län column and no --region", file=file, row=1,
                                expected="a first column with län names or codes")
            region_column = label_columns[0]  # e.g. Tillväxtanalys' unnamed first column
        chosen: dict[str, str] = {}
        break_notes: dict[str, str] = {}
        for period, variants in year_columns.items():
            header = variants[-1][1]  # the right-most: the newer method after a break
            try:
                chosen[check_period(period, file=file, row=1, column=header,
                                    today=today)] = header
            except DataError as exc:
                issues.append(exc.issue)
                continue
            if len(variants) > 1:
                dropped = ", ".join(h for _, h in variants[:-1])
                break_notes[period] = f"method break: {period} published {len(variants)} " \
                                      f"times, kept column {header}, ignored {dropped}"
                notes.append(f"{file}: {break_notes[period]}")
        records = table.to_dict("records")
        for position, record in enumerate(records):
            row_number = position + 2
            if region_column is not None and not str(record[region_column]).strip():
                continue  # footnote or blank line below the table
            code = region_of(row_number, record)
            if code is None:
                continue
            if fixed_region is not None and code != fixed_region:
                continue
            for period, header in chosen.items():
                cells.append((row_number, header, code, period, record[header]))
                categories.append(break_notes.get(period, ""))

    rows: list[dict[str, str]] = []
    origins: list[tuple[str, int, str]] = []
    duplicates: dict[tuple[str, str, str], int] = {}
    for (row_number, column, code, period, text), category in zip(cells, categories):
        try:
            number = _parse_value(text, file=file, row=row_number, column=column)
        except DataError as exc:
            issues.append(exc.issue)
            continue
        if number is None:
            continue  # suppressed: skipped, not zero
        key = (code, period, category if indicator.is_survey else "")
        if key in duplicates:
            issues.append(Issue(code=IssueCode.SECOND_VALUE, period=period,
                                message=f"a second value for {code} {period}"
                                        f"{' ' + category if category else ''} "
                                        f"(first in row {duplicates[key]})",
                                file=file, row=row_number, column=column, value=text,
                                expected="one value per län and period"))
            continue
        duplicates[key] = row_number
        row = {"region_code": code, "indicator_id": spec.indicator_id, "period": period}
        if indicator.is_survey:
            row["category"] = category
        rows.append({**row, "text": text, "number": format_stored_number(number),
                     "extra_note": "" if indicator.is_survey else category})
        origins.append((file, row_number, column))
    if issues:
        raise DataValidationError(issues)
    if not rows:
        notes.append(f"{file}: no values for {spec.indicator_id!r}"
                     f"{' in ' + fixed_region if fixed_region else ''}")
    logger.info("%s: %d values for %s", file, len(rows), spec.indicator_id)
    return _Parsed(rows=rows, origins=origins, notes=notes)


# --- mapping files --------------------------------------------------------------------------

def load_mapping(path: str | Path) -> list[ImportSpec]:
    """Read a mapping YAML: several files/sheets/columns, one indicator each.

    ::

        source: tillvaxtanalys_nystartade      # default for all entries (optional)
        imports:
          - file: NystartadeForetag2024.xlsx   # relative to the mapping file
            sheet: Blad1
            indicator: nystartade_foretag
          - file: fou.csv
            column: Företagens FoU             # long table: this column's values
            indicator: fou_utgifter_foretag
            source: kolada_fou
            region: 24                         # optional: only this län
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError("file not found", file=str(path), expected="a mapping YAML") from None
    except yaml.YAMLError as exc:
        raise DataError(f"not valid YAML: {exc}", file=path.name,
                        expected="a mapping YAML") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("imports"), list):
        raise DataError("no 'imports:' list", file=path.name,
                        expected="a top-level 'imports:' list of {file, indicator, ...}")
    specs = []
    for number, entry in enumerate(raw["imports"], start=1):
        if not isinstance(entry, dict) or not entry.get("file") or not entry.get("indicator"):
            raise DataError(f"entry {number} needs 'file' and 'indicator'", file=path.name,
                            value=entry, expected="{file: ..., indicator: ...}")
        unknown = set(entry) - {"file", "indicator", "sheet", "column", "source", "region"}
        if unknown:
            raise DataError(f"entry {number} has unknown key(s) {sorted(unknown)}",
                            file=path.name, value=entry,
                            expected="file, indicator, sheet, column, source, region")
        region = entry.get("region")
        specs.append(ImportSpec(
            path=(path.parent / str(entry["file"])), indicator_id=str(entry["indicator"]),
            source_id=entry.get("source", raw.get("source")),
            region=None if region is None else str(region).zfill(2) if isinstance(region, int)
            else str(region),
            sheet=entry.get("sheet"), column=entry.get("column")))
    return specs


# --- merging and writing --------------------------------------------------------------------

def _same(old_text: str, new_number: str) -> bool:
    try:
        old, new = parse_number(old_text), float(new_number)
    except ValueError:
        return False
    return abs(old - new) <= SAME_VALUE_TOLERANCE * max(1.0, abs(old), abs(new))


def merge_rows(existing: pd.DataFrame, new_rows: list[dict[str, str]],
               origins: list[tuple[str, int, str]], *, survey: bool, source_id_for: dict,
               note_for: dict, replace: bool
               ) -> tuple[pd.DataFrame, list[tuple[str, int, str] | None], pd.DataFrame]:
    """Merge tidy text rows into an all-text data frame.

    Returns the merged frame (sorted), the origin of each merged row (None for rows that
    were already there) and the changes table (one row per imported value).
    """
    columns = SURVEY_COLUMNS if survey else VALUES_COLUMNS
    number_column = "share_pct" if survey else "value"
    keys = ["region_code", "indicator_id", "period"] + (["category"] if survey else [])
    existing = existing[list(columns)].copy()
    position_of = {tuple(row): position for position, row
                   in enumerate(existing[keys].itertuples(index=False, name=None))}
    merged_origins: list[tuple[str, int, str] | None] = [None] * len(existing)
    records = existing.to_dict("records")
    changes = []
    for row, origin in zip(new_rows, origins):
        key = tuple(row[k] for k in keys)
        new_record = {**{k: row[k] for k in keys}, number_column: row["number"],
                      "status": "observed", "source_id": source_id_for[row["indicator_id"]],
                      "note": "; ".join(part for part in (
                          note_for[(row["indicator_id"], origin[0])], row.get("extra_note"))
                          if part)}
        position = position_of.get(key)
        old = records[position] if position is not None else None
        if old is None:
            action = "new"
        elif old["status"] == "synthetic":
            action = "replaced_synthetic"
        elif _same(old[number_column], row["number"]):
            action = "unchanged"
        else:
            action = "replaced" if replace else "conflict"
        changes.append({**{k: row[k] for k in keys}, "action": action,
                        "old_value": old[number_column] if old else "",
                        "old_status": old["status"] if old else "",
                        "new_value": row["number"], "source_row": origin[1],
                        "source_file": origin[0]})
        if action == "new":
            position_of[key] = len(records)
            records.append(new_record)
            merged_origins.append(origin)
        elif action in ("replaced_synthetic", "replaced"):
            records[position] = new_record
            merged_origins[position] = origin
    merged = pd.DataFrame.from_records(records, columns=list(columns))
    order = sorted(range(len(merged)),
                   key=lambda i: (records[i]["indicator_id"], records[i]["region_code"],
                                  records[i]["period"]))  # sorted() is stable
    merged = merged.iloc[order].reset_index(drop=True)
    merged_origins = [merged_origins[i] for i in order]
    change_columns = [*keys, "action", "old_value", "old_status", "new_value",
                      "source_file", "source_row"]
    return merged, merged_origins, pd.DataFrame(changes, columns=change_columns)


def _locate(issues: list[Issue], origins: list[tuple[str, int, str] | None],
            number_column: str) -> list[Issue]:
    """Point issues on imported rows at the source file's row and column."""
    located = []
    for issue in issues:
        position = issue.row - 2 if issue.row is not None else None
        origin = origins[position] if position is not None and 0 <= position < len(origins) \
            else None
        if origin is not None:
            file, row, column = origin
            issue = dataclasses.replace(
                issue, message=f"{issue.message} (as merged into {issue.file})", file=file,
                row=row, column=column if issue.column in (number_column, None)
                else issue.column)
        located.append(issue)
    return located


def import_specs(specs: Sequence[ImportSpec], *, data_dir: str | Path | None = None,
                 replace: bool = False, dry_run: bool = False,
                 today: _dt.date | None = None) -> ImportResult:
    """Import one or more source files; validate everything, then write atomically.

    Nothing is written when any file has a bad cell, when the merged data fails
    ``validate_values``/``validate_survey``, or on a dry run.
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    catalogue = load_catalogue(folder)
    today = today or _dt.date.today()
    parsed: dict[bool, tuple[list[dict[str, str]], list[tuple[str, int, str]]]] = {
        False: ([], []), True: ([], [])}
    source_id_for: dict[str, str] = {}
    note_for: dict[tuple[str, str], str] = {}
    notes: list[str] = []
    issues: list[Issue] = []
    for spec in specs:
        indicator = catalogue.indicator(spec.indicator_id)
        source_id = spec.source_id or indicator.source
        if source_id not in catalogue.sources:
            raise DataError(f"source {source_id!r} is not in sources.yaml", file="sources.yaml",
                            value=source_id, expected="one of " + ", ".join(catalogue.sources))
        previous = source_id_for.setdefault(spec.indicator_id, source_id)
        if previous != source_id:
            raise DataError(f"{spec.indicator_id!r} imported with two sources "
                            f"({previous!r}, {source_id!r})", value=source_id,
                            expected="one source per indicator and import")
        try:
            result = read_source(spec, catalogue, data_dir=folder, today=today)
        except DataValidationError as exc:
            issues.extend(exc.issues)
            continue
        except DataError as exc:
            issues.append(exc.issue)
            continue
        rows, origins = parsed[indicator.is_survey]
        rows.extend(result.rows)
        origins.extend(result.origins)
        notes.extend(result.notes)
        note_for[(spec.indicator_id, spec.path.name)] = \
            f"imported {today.isoformat()} from {spec.path.name}"
    if issues:
        raise DataValidationError(issues)
    return merge_observed_rows(parsed, data_dir=folder, source_id_for=source_id_for,
                               note_for=note_for, replace=replace, dry_run=dry_run,
                               notes=notes)


def merge_observed_rows(parsed: dict[bool, tuple[list[dict[str, str]],
                                                 list[tuple[str, int, str]]]], *,
                        data_dir: str | Path, source_id_for: dict[str, str],
                        note_for: dict[tuple[str, str], str], replace: bool = False,
                        dry_run: bool = False, notes: list[str] | None = None) -> ImportResult:
    """Merge observed rows into values.csv (``parsed[False]``) and survey.csv
    (``parsed[True]``); validate both merged files, then write them atomically.

    Each row is a dict with region_code, indicator_id, period, (category,) ``number`` (text
    as written) and optionally ``extra_note``; its origin is (file or service, row, column),
    used for ``note_for[(indicator_id, origin[0])]`` and to locate validation errors.
    ``import_specs`` and ``fetch`` both end here.
    """
    folder = Path(data_dir)
    catalogue = load_catalogue(folder)
    regions = load_regions(folder)
    all_changes = []
    writes: list[tuple[pd.DataFrame, Path]] = []
    for survey, (rows, origins) in parsed.items():
        if not rows:
            continue
        name = "survey.csv" if survey else "values.csv"
        path = folder / name
        existing = read_table(path) if path.exists() else \
            pd.DataFrame(columns=list(SURVEY_COLUMNS if survey else VALUES_COLUMNS))
        merged, merged_origins, changes = merge_rows(
            existing, rows, origins, survey=survey, source_id_for=source_id_for,
            note_for=note_for, replace=replace)
        validate = validate_survey if survey else validate_values
        report = validate(merged, catalogue, regions, file=name)
        if report.errors:
            raise DataValidationError(_locate(report.errors, merged_origins,
                                              "share_pct" if survey else "value"))
        all_changes.append(changes.assign(file=name))
        if changes["action"].isin(["new", "replaced_synthetic", "replaced"]).any():
            writes.append((merged, path))
    changes = pd.concat(all_changes, ignore_index=True) if all_changes else pd.DataFrame(
        columns=["region_code", "indicator_id", "period", "action", "old_value",
                 "old_status", "new_value", "source_file", "source_row", "file"])
    written = []
    if not dry_run:
        # Both files are merged and validated before either is replaced.
        for merged, path in writes:
            write_tidy_csv(merged, path)
            written.append(path)
            logger.info("wrote %s", path)
    return ImportResult(changes=changes, files_written=written, notes=list(notes or []),
                        dry_run=dry_run)


def import_file(path: str | Path, indicator_id: str, *, region: str | None = None,
                source_id: str | None = None, sheet: str | int | None = None,
                data_dir: str | Path | None = None, replace: bool = False,
                dry_run: bool = False, today: _dt.date | None = None) -> ImportResult:
    """Import one file for one indicator (``ecoreport import FILE --indicator ID``)."""
    spec = ImportSpec(path=Path(path), indicator_id=indicator_id, source_id=source_id,
                      region=region, sheet=sheet)
    return import_specs([spec], data_dir=data_dir, replace=replace, dry_run=dry_run,
                        today=today)


def format_import_summary(result: ImportResult, *, max_rows: int = 40) -> str:
    """The text the CLI prints: counts per action, then the changed rows."""
    verb = "would change" if result.dry_run else "changed"
    counts = ", ".join(f"{result.count(action)} {action.replace('_', ' ')}"
                       for action in ACTIONS)
    lines = [f"{'Dry run: ' if result.dry_run else ''}{len(result.changes)} value(s) read; "
             f"{counts}"]
    lines.extend(f"note: {note}" for note in result.notes)
    shown = result.changes[result.changes["action"] != "unchanged"] if len(result.changes) \
        else result.changes
    if len(shown):
        columns = [c for c in ("action", "region_code", "indicator_id", "period", "category",
                               "old_value", "old_status", "new_value", "source_file",
                               "source_row") if c in shown.columns]
        table = shown[columns].fillna("").astype(str)
        lines.append("")
        lines.append(table.head(max_rows).to_string(index=False))
        if len(table) > max_rows:
            lines.append(f"… and {len(table) - max_rows} more")
    if result.has_conflicts:
        lines.append("")
        lines.append(f"{result.count('conflict')} observed value(s) differ and were kept; "
                     "rerun with --replace to overwrite them")
    if result.files_written:
        lines.append(f"{verb}: " + ", ".join(str(path) for path in result.files_written))
    elif not result.dry_run:
        lines.append("nothing to write")
    return "\n".join(lines)
