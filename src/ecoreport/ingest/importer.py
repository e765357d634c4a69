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

Suppressed cells (``..``, ``–``, ``-``, empty) are skipped, never read as zero, and counted.

The import says everything it decided: columns it did not read (a warning when the header
looks like a mistyped year, such as ``20x4``), suppressed cells skipped, and every
validation warning that the new rows bring (abrupt jumps, fractions where percentages are
meant); with ``strict`` any warning refuses the import. ``validate`` applies the same rules
(``data.validate``), so what one accepts the other accepts. Imports and fetches into one
data folder take turns (a lock file in the folder).

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

from ecoreport.errors import DataError, DataValidationError, Issue, IssueCode
from ecoreport.locks import FileLock
from ecoreport.data.tables import (
    SURVEY_COLUMNS, VALUES_COLUMNS, first_sheet_name, format_stored_number, is_missing_marker,
    normalise_header, parse_number, parse_period, read_table, write_tidy_csv,
)
from ecoreport.data.regions import resolve_region, resolve_region_cell
from ecoreport.data.catalogue import load_catalogue
from ecoreport.data.files import read_yaml
from ecoreport.paths import data_dir as default_data_dir
from ecoreport.data.regions import load_regions
from ecoreport.data.validate import ValidationReport, validate_survey, validate_values, year_range

logger = logging.getLogger(__name__)

LOCK_FILE = ".ecoreport.lock"
LOCK_WAIT_SECONDS = 10.0  # a second import waits this long for the first, then fails
# Rows below the header searched for the years of a header spread over several rows.
HEADER_SEARCH_ROWS = 5
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
    header_row: int = 1  # spreadsheet row with the column names (years)


@dataclass
class ImportResult:
    """What an import did (or would do, on a dry run)."""

    changes: pd.DataFrame
    files_written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    warnings: list[Issue] = field(default_factory=list)
    suppressed: int = 0  # cells with a missing marker ("..", "–", empty), skipped

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
    warnings: list[Issue] = field(default_factory=list)
    suppressed: int = 0
    file: str = ""  # how messages name the source: file name (and sheet)


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
    out-of-range year (the rule of ``data.validate.year_range``)."""
    first_year, last_year = year_range(today)
    raw = str(text).strip()
    if raw.endswith(".0") and raw[:-2].isdigit():
        raw = raw[:-2]
    try:
        start, end = parse_period(raw.replace("–", "-"))
    except ValueError:
        raise DataError(f"{text!r} is not a year", file=file, row=row, column=column,
                        value=text, expected="a year such as 2023 or a period 2014-2017"
                        ) from None
    if start < first_year or end > last_year:
        raise DataError(f"year {text!r} is out of range", file=file, row=row, column=column,
                        value=text, expected=f"years {first_year}–{last_year}")
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
    reader = _SourceReader.open(spec, catalogue.indicator(spec.indicator_id), data_dir, today)
    if reader.period_column is not None:
        reader.read_long()  # one row per region and period (and category)
    else:
        reader.read_wide()  # years as columns
    return reader.parsed()


@dataclass
class _SourceReader:
    """One source file being read: its table and columns, the cells taken from it (row,
    column, region, period, text; with the answer of a survey item or a note of a register
    row) and what was found on the way."""

    spec: ImportSpec
    indicator: Any
    table: pd.DataFrame
    file: str  # the file name as messages give it ("x.xlsx, sheet 'Blad1'")
    headers: list[str]
    region_column: str | None
    period_column: str | None
    fixed_region: str | None  # the code of --region / the mapping's region
    data_dir: str | Path | None
    today: _dt.date | None
    issues: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    cells: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, spec: ImportSpec, indicator: Any, data_dir: str | Path | None,
             today: _dt.date | None) -> _SourceReader:
        table = read_table(spec.path, sheet=spec.sheet, header_row=spec.header_row)
        file = spec.path.name
        if spec.path.suffix.lower() in {".xlsx", ".xlsm"}:
            sheet = spec.sheet if spec.sheet is not None else first_sheet_name(spec.path)
            file = f"{file}, sheet {sheet!r}"
        headers = [str(header) for header in table.columns]
        fixed_region = None
        if spec.region is not None:
            fixed_region = resolve_region(spec.region, data_dir).code
        return cls(spec=spec, indicator=indicator, table=table, file=file, headers=headers,
                   region_column=_find_column(headers, _REGION_HEADERS),
                   period_column=_find_column(headers, _PERIOD_HEADERS),
                   fixed_region=fixed_region, data_dir=data_dir, today=today)

    def region_of(self, row_number: int, record: dict[str, str]) -> str | None:
        """The row's län code (None, with an issue, when the cell names no län)."""
        if self.region_column is None:
            return self.fixed_region
        try:
            return resolve_region_cell(record[self.region_column], file=self.file,
                                       row=row_number, column=self.region_column,
                                       data_dir=self.data_dir)
        except DataError as exc:
            self.issues.append(exc.issue)
            return None

    def read_long(self) -> None:
        spec, headers, file = self.spec, self.headers, self.file
        header_row = spec.header_row
        region_column, period_column = self.region_column, self.period_column
        is_survey = self.indicator.is_survey
        value_column = spec.column or _find_column(
            [h for h in headers if h not in (region_column, period_column)], _VALUE_HEADERS)
        category_column = _find_column(headers, _CATEGORY_HEADERS) if is_survey else None
        if value_column is None or value_column not in headers:
            raise DataError("no value column", file=file, row=header_row, column=spec.column,
                            expected="a column named value/värde, or the column given in the "
                                     "mapping; columns are " + ", ".join(headers))
        if is_survey and category_column is None:
            raise DataError(f"{spec.indicator_id!r} is a survey item but the file has no "
                            "category column", file=file, row=header_row,
                            expected="a column category/kategori/svar with the answer")
        if region_column is None and self.fixed_region is None:
            raise DataError("no län column and no --region", file=file, row=header_row,
                            expected="a column region/län, or --region")
        read = {region_column, period_column, value_column, category_column}
        _report_unread(self.table, [h for h in headers if h not in read], file, header_row,
                       "not the län, period, value or category column", self.notes,
                       self.warnings)
        for position, record in enumerate(self.table.to_dict("records")):
            row_number = position + header_row + 1
            code = self.region_of(row_number, record)
            try:
                period = check_period(record[period_column], file=file, row=row_number,
                                      column=period_column, today=self.today)
            except DataError as exc:
                self.issues.append(exc.issue)
                period = None
            if code is None or period is None:
                continue
            if self.fixed_region is not None and code != self.fixed_region:
                continue
            self.cells.append((row_number, value_column, code, period, record[value_column]))
            self.categories.append(record[category_column].strip() if category_column else "")

    def read_wide(self) -> None:
        spec, file, header_row = self.spec, self.file, self.spec.header_row
        if self.indicator.is_survey:
            raise DataError(f"{spec.indicator_id!r} is a survey item; wide tables are only "
                            "read for register indicators", file=file, row=header_row,
                            expected="a long table with columns region, year, category, value")
        label_columns = [h for h in self.headers
                         if parse_year_header(h) is None and h != self.region_column]
        chosen, break_notes = self._year_columns()
        if self.region_column is None and self.fixed_region is None:
            if not label_columns:
                raise DataError("no län column and no --region", file=file, row=header_row,
                                expected="a first column with län names or codes")
            self.region_column = label_columns[0]  # e.g. Tillväxtanalys' unnamed first column
        _report_unread(self.table, [h for h in label_columns if h != self.region_column],
                       file, header_row, "not a year (2019, 2010*) or a period (2014-2017)",
                       self.notes, self.warnings)
        self._note_breaks(break_notes)
        for position, record in enumerate(self.table.to_dict("records")):
            row_number = position + header_row + 1
            if self.region_column is not None and not str(record[self.region_column]).strip():
                continue  # footnote or blank line below the table
            code = self.region_of(row_number, record)
            if code is None:
                continue
            if self.fixed_region is not None and code != self.fixed_region:
                continue
            for period, header in chosen.items():
                self.cells.append((row_number, header, code, period, record[header]))
                self.categories.append(break_notes.get(period, ""))


    def _year_columns(self) -> tuple[dict[str, str], dict[str, str]]:
        """The column read for each period (the right-most of a period published twice:
        the newer method after a break) and, for such periods, a note saying so."""
        year_columns: dict[str, list[tuple[int, str]]] = {}
        for header in self.headers:
            parsed = parse_year_header(header)
            if parsed is not None:
                year_columns.setdefault(parsed[0], []).append((parsed[1], header))
        if not year_columns:
            raise _no_year_columns(self.table, self.file, self.spec.header_row)
        chosen: dict[str, str] = {}
        break_notes: dict[str, str] = {}
        for period, variants in year_columns.items():
            header = variants[-1][1]
            try:
                chosen[check_period(period, file=self.file, row=self.spec.header_row,
                                    column=header, today=self.today)] = header
            except DataError as exc:
                self.issues.append(exc.issue)
                continue
            if len(variants) > 1:
                dropped = ", ".join(h for _, h in variants[:-1])
                break_notes[period] = f"method break: {period} published {len(variants)} " \
                                      f"times, kept column {header}, ignored {dropped}"
        return chosen, break_notes

    def _note_breaks(self, break_notes: dict[str, str]) -> None:
        self.notes.extend(f"{self.file}: {note}" for note in break_notes.values())

    def parsed(self) -> _Parsed:
        """The cells as tidy text rows; every bad cell of the file in one
        ``DataValidationError``."""
        file, is_survey = self.file, self.indicator.is_survey
        rows: list[dict[str, str]] = []
        origins: list[tuple[str, int, str]] = []
        duplicates: dict[tuple[str, str, str], int] = {}
        suppressed = 0
        for (row_number, column, code, period, text), category in zip(self.cells,
                                                                       self.categories):
            try:
                number = _parse_value(text, file=file, row=row_number, column=column)
            except DataError as exc:
                self.issues.append(exc.issue)
                continue
            if number is None:
                suppressed += 1  # skipped, not zero
                continue
            key = (code, period, category if is_survey else "")
            if key in duplicates:
                self.issues.append(Issue(
                    code=IssueCode.SECOND_VALUE, period=period,
                    message=f"a second value for {code} {period}"
                            f"{' ' + category if category else ''} "
                            f"(first in row {duplicates[key]})",
                    file=file, row=row_number, column=column, value=text,
                    expected="one value per län and period"))
                continue
            duplicates[key] = row_number
            row = {"region_code": code, "indicator_id": self.spec.indicator_id,
                   "period": period}
            if is_survey:
                row["category"] = category
            rows.append({**row, "text": text, "number": format_stored_number(number),
                         "extra_note": "" if is_survey else category})
            origins.append((file, row_number, column))
        return self._finish(rows, origins, suppressed)

    def _finish(self, rows: list[dict[str, str]], origins: list[tuple[str, int, str]],
                suppressed: int) -> _Parsed:
        if self.issues:
            raise DataValidationError(self.issues)
        file = self.file
        if suppressed:
            self.notes.append(f"{file}: {suppressed} suppressed or empty cell(s) ('..', '–', "
                              "'') skipped, not read as zero")
        if not rows:
            self.notes.append(f"{file}: no values for {self.spec.indicator_id!r}"
                              f"{' in ' + self.fixed_region if self.fixed_region else ''}")
        logger.info("%s: %d values for %s", file, len(rows), self.spec.indicator_id)
        return _Parsed(rows=rows, origins=origins, notes=self.notes, warnings=self.warnings,
                       suppressed=suppressed, file=file)


def _report_unread(table: pd.DataFrame, columns: Sequence[str], file: str, header_row: int,
                   reason: str, notes: list[str], warnings: list[Issue]) -> None:
    """Say which columns were not read and why: a warning when the header has a digit (a
    mistyped year such as ``20x4``), else a note. Empty, unnamed columns pass silently."""
    for column in columns:
        unnamed = not column.strip() or column.startswith("Unnamed: ")
        if unnamed and not any(str(cell).strip() for cell in table[column]):
            continue
        if any(char.isdigit() for char in column) and not unnamed:
            warnings.append(Issue(
                code=IssueCode.COLUMN_NOT_READ, message=f"column {column!r} not read: {reason}",
                file=file, row=header_row, column=column, value=column,
                expected="a year such as 2024, 2010* or 2014-2017"))
        else:
            notes.append(f"{file}: column {column!r} not read ({reason})")


def _header_years(record: Sequence[object]) -> list[str]:
    """The years of a row that looks like a header: a long table's län and year/period
    columns, or year columns (1950–2100) beside labels and no other numbers. [] for a row
    of data (a län and its values)."""
    cells = [str(cell).strip() for cell in record if str(cell).strip()]
    if _find_column(cells, _REGION_HEADERS) and _find_column(cells, _PERIOD_HEADERS):
        return [_find_column(cells, _REGION_HEADERS), _find_column(cells, _PERIOD_HEADERS)]
    years, others = [], []
    for cell in cells:
        parsed = parse_year_header(cell)
        start = int(parsed[0][:4]) if parsed else None
        (years if start is not None and 1950 <= start <= 2100 else others).append(cell)
    numbers = [cell for cell in others if re.fullmatch(r"[\d\s.,−-]+", cell)]
    return years if years and not numbers else []


def _no_year_columns(table: pd.DataFrame, file: str, header_row: int) -> DataError:
    """The error for a table without year columns; names the row below that has years
    when the header is spread over several rows (merged cells in Excel)."""
    for position, record in enumerate(table.head(HEADER_SEARCH_ROWS).itertuples(index=False)):
        years = _header_years(record)
        if years:
            row = header_row + 1 + position
            what = "has years" if parse_year_header(years[-1]) else \
                "has the columns of a long table"
            shown = ", ".join(years[:3]) + (", …" if len(years) > 3 else "")
            return DataError(
                f"no year columns in header row {header_row}, but row {row} {what} "
                f"({shown}): a title above the header, or a header over several rows "
                "(merged cells?)", file=file,
                row=header_row, expected=f"the header on one row: rerun with --header-row "
                                         f"{row} (in a mapping file: header_row: {row})")
    return DataError("no year columns and no year/period column", file=file, row=header_row,
                     expected="a wide table with years as columns (2019, 2010*) or a "
                              "long table with a year/period column")


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
            header_row: 2                      # optional: the row with the years
    """
    path = Path(path)
    raw = read_yaml(path, expected="a mapping YAML")
    if not isinstance(raw, dict) or not isinstance(raw.get("imports"), list):
        raise DataError("no 'imports:' list", file=path.name,
                        expected="a top-level 'imports:' list of {file, indicator, ...}")
    specs = []
    for number, entry in enumerate(raw["imports"], start=1):
        if not isinstance(entry, dict) or not entry.get("file") or not entry.get("indicator"):
            raise DataError(f"entry {number} needs 'file' and 'indicator'", file=path.name,
                            value=entry, expected="{file: ..., indicator: ...}")
        unknown = set(entry) - {"file", "indicator", "sheet", "column", "source", "region",
                                "header_row"}
        if unknown:
            raise DataError(f"entry {number} has unknown key(s) {sorted(unknown)}",
                            file=path.name, value=entry,
                            expected="file, indicator, sheet, column, source, region, "
                                     "header_row")
        header_row = entry.get("header_row", 1)
        if not isinstance(header_row, int) or isinstance(header_row, bool) or header_row < 1:
            raise DataError(f"entry {number}: header_row {header_row!r} is not a row number",
                            file=path.name, value=header_row, expected="a whole number from 1")
        region = entry.get("region")
        specs.append(ImportSpec(
            path=(path.parent / str(entry["file"])), indicator_id=str(entry["indicator"]),
            source_id=entry.get("source", raw.get("source")),
            region=None if region is None else str(region).zfill(2) if isinstance(region, int)
            else str(region),
            sheet=entry.get("sheet"), column=entry.get("column"), header_row=header_row))
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
                      "status": "observed",
                      "source_id": row.get("source_id") or source_id_for[row["indicator_id"]],
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
                 replace: bool = False, dry_run: bool = False, strict: bool = False,
                 today: _dt.date | None = None) -> ImportResult:
    """Import one or more source files; validate everything, then write atomically.

    Nothing is written when any file has a bad cell, when the merged data fails
    ``validate_values``/``validate_survey``, with ``strict`` when there is any warning,
    or on a dry run.
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
    warnings: list[Issue] = []
    suppressed = 0
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
        warnings.extend(result.warnings)
        suppressed += result.suppressed
        note_for[(spec.indicator_id, result.file)] = \
            f"imported {today.isoformat()} from {spec.path.name}"
    if issues:
        raise DataValidationError(issues)
    result = merge_observed_rows(parsed, data_dir=folder, source_id_for=source_id_for,
                                 note_for=note_for, replace=replace, dry_run=dry_run,
                                 notes=notes, warnings=warnings, strict=strict, today=today)
    result.suppressed = suppressed
    return result


def merge_observed_rows(parsed: dict[bool, tuple[list[dict[str, str]],
                                                 list[tuple[str, int, str]]]], *,
                        data_dir: str | Path, source_id_for: dict[str, str],
                        note_for: dict[tuple[str, str], str], replace: bool = False,
                        dry_run: bool = False, notes: list[str] | None = None,
                        warnings: list[Issue] | None = None, strict: bool = False,
                        today: _dt.date | None = None) -> ImportResult:
    """Merge observed rows into values.csv (``parsed[False]``) and survey.csv
    (``parsed[True]``); validate both merged files, then write them atomically.

    Each row is a dict with region_code, indicator_id, period, (category,) ``number`` (text
    as written) and optionally ``extra_note``; its origin is (file or service, row, column),
    used for ``note_for[(indicator_id, origin[0])]`` and to locate validation errors.
    The result's warnings are ``warnings`` (from reading the sources) plus every
    validation warning that the merged rows bring and the stored data did not have; with
    ``strict`` any of them refuses the import. The data folder is locked from reading the
    stored files to writing them. ``import_specs`` and ``fetch`` both end here.
    """
    folder = Path(data_dir)
    catalogue = load_catalogue(folder)
    regions = load_regions(folder)
    warnings = list(warnings or [])
    lock = FileLock(folder / LOCK_FILE, f"another import or fetch into {folder} is running "
                    "(pid {pid}); wait for it to finish", wait=LOCK_WAIT_SECONDS)
    with lock:
        all_changes = []
        writes: list[tuple[pd.DataFrame, Path]] = []
        for survey, (rows, origins) in parsed.items():
            if not rows:
                continue
            name = "survey.csv" if survey else "values.csv"
            path = folder / name
            columns = SURVEY_COLUMNS if survey else VALUES_COLUMNS
            existing = read_table(path) if path.exists() else pd.DataFrame(columns=list(columns))
            check_stored_columns(existing, columns, name)
            merged, merged_origins, changes = merge_rows(
                existing, rows, origins, survey=survey, source_id_for=source_id_for,
                note_for=note_for, replace=replace)
            validate = validate_survey if survey else validate_values
            report = validate(merged, catalogue, regions, file=name, today=today)
            number_column = "share_pct" if survey else "value"
            if report.errors:
                raise DataValidationError(_locate(report.errors, merged_origins, number_column))
            before = validate(existing, catalogue, regions, file=name, today=today) \
                if len(existing) else None
            warnings.extend(_locate(_new_warnings(report, before), merged_origins,
                                    number_column))
            warnings.extend(_fraction_warnings(existing, rows, origins, catalogue,
                                               number_column))
            all_changes.append(changes.assign(file=name))
            if changes["action"].isin(["new", "replaced_synthetic", "replaced"]).any():
                writes.append((merged, path))
        if strict and warnings:
            raise DataValidationError(warnings, what="warning(s), and --strict refuses any")
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
                        dry_run=dry_run, warnings=warnings)


def check_stored_columns(existing: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    """The stored file must have exactly the contract's columns before anything is merged
    into it: an import rewrites the file with those columns, so a column it does not know
    would be lost (the contract is ``tables.VALUES_COLUMNS``/``SURVEY_COLUMNS``; extra
    columns are refused, never dropped), and a missing one cannot be filled in."""
    present = [str(column) for column in existing.columns]
    unknown = [column for column in present if column not in columns]
    missing = [column for column in columns if column not in present]
    duplicated = sorted({column for column in present if present.count(column) > 1})
    problems = []
    if unknown:
        problems.append("column(s) ecoreport does not know: " + ", ".join(unknown)
                        + " (an import would drop them)")
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    if duplicated:
        problems.append("column(s) given twice: " + ", ".join(duplicated))
    if problems:
        raise DataError("; ".join(problems) + "; nothing was imported", file=name, row=1,
                        expected="exactly the columns " + ",".join(columns)
                                 + " (move other information into 'note')")


def _new_warnings(report: ValidationReport, before: ValidationReport | None) -> list[Issue]:
    """Warnings of the merged data that the stored data did not have (same code and text;
    rows are left out of the comparison, as merging shifts them)."""
    known = {(issue.code, issue.message) for issue in before.warnings} if before else set()
    return [issue for issue in report.warnings
            if (issue.code, issue.message) not in known and issue.code != IssueCode.NO_DATA]


def _fraction_warnings(existing: pd.DataFrame, rows: list[dict[str, str]],
                       origins: list[tuple[str, int, str]], catalogue: Any,
                       number_column: str) -> list[Issue]:
    """A hint per share indicator whose imported values all lie in 0..1 while the stored
    values do not: fractions (0,427) where percentages (42,7) are meant."""
    issues = []
    by_indicator: dict[str, list[tuple[float, tuple[str, int, str]]]] = {}
    for row, origin in zip(rows, origins):
        by_indicator.setdefault(row["indicator_id"], []).append((float(row["number"]), origin))
    for indicator_id, imported in by_indicator.items():
        unit = catalogue.units.get(catalogue.indicator(indicator_id).unit)
        if getattr(unit, "kind", None) != "share" or getattr(unit, "max", 100) != 100:
            continue
        if not all(0 <= number <= 1 for number, _ in imported):
            continue
        stored = existing.loc[existing["indicator_id"] == indicator_id, number_column]
        stored = [number for number in (parse_number(text) for text in stored)
                  if math.isfinite(number)]
        if not stored or max(stored) <= 1:
            continue
        file, row, column = imported[0][1]
        issues.append(Issue(
            code=IssueCode.FRACTION_NOT_PERCENT, file=file, row=row, column=column,
            value=imported[0][0], indicator_id=indicator_id,
            message=f"all {len(imported)} value(s) of {indicator_id!r} lie between 0 and 1, "
                    f"while the stored values reach {max(stored):g}: fractions where "
                    "percentages are expected?",
            expected=f"percentages (0–100) in unit {unit.id!r}; multiply by 100"))
    return issues


def import_file(path: str | Path, indicator_id: str, *, region: str | None = None,
                source_id: str | None = None, sheet: str | int | None = None,
                header_row: int = 1, data_dir: str | Path | None = None,
                replace: bool = False, dry_run: bool = False, strict: bool = False,
                today: _dt.date | None = None) -> ImportResult:
    """Import one file for one indicator (``ecoreport import FILE --indicator ID``)."""
    spec = ImportSpec(path=Path(path), indicator_id=indicator_id, source_id=source_id,
                      region=region, sheet=sheet, header_row=header_row)
    return import_specs([spec], data_dir=data_dir, replace=replace, dry_run=dry_run,
                        strict=strict, today=today)


def format_import_summary(result: ImportResult, *, max_rows: int = 40) -> str:
    """The text the CLI prints: counts per action, then the changed rows."""
    verb = "would change" if result.dry_run else "changed"
    counts = ", ".join(f"{result.count(action)} {action.replace('_', ' ')}"
                       for action in ACTIONS)
    lines = [f"{'Dry run: ' if result.dry_run else ''}{len(result.changes)} value(s) read; "
             f"{counts}"]
    lines.extend(f"note: {note}" for note in result.notes)
    lines.extend(f"warning: {issue}" for issue in result.warnings)
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
    if result.warnings:
        lines.append("")
        lines.append(f"{len(result.warnings)} warning(s); check them, or rerun with --strict "
                     "to refuse an import with warnings")
    if result.files_written:
        lines.append(f"{verb}: " + ", ".join(str(path) for path in result.files_written))
    elif not result.dry_run:
        lines.append("nothing to write")
    return "\n".join(lines)
