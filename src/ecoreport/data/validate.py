"""Validation of the tidy data files against the catalogue and the region list.

Every problem becomes an ``Issue`` naming file, spreadsheet row (header = row 1, first data
row = 2), column, value and what was expected. Errors stop a build; warnings are reported.

The checks only need duck-typed catalogue and region objects: ``catalogue.indicators[id]``
with ``.unit``, ``.kind`` (and ``.dimension``, ``.categories`` where used),
``catalogue.units[unit]`` with ``.kind``, ``.min``, ``.max``, optionally
``catalogue.sources`` (dict) and ``catalogue.dimensions``; regions with ``.code``.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import logging
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecoreport.errors import DataError, DataValidationError, Issue, IssueCode
from ecoreport.data.tables import (
    SURVEY_COLUMNS, VALUES_COLUMNS, is_missing_marker, parse_number, parse_period,
)
from ecoreport.data.catalogue import load_catalogue
from ecoreport.data.schema import implied_bounds
from ecoreport.data.tables import read_table, type_survey, type_values
from ecoreport.paths import data_dir as default_data_dir
from ecoreport.data.profiles import validate_profiles
from ecoreport.data.regions import load_regions
from ecoreport.data.vocab import RIKET_CODE, STATUSES, SURVEY_STATUSES, SYNTHETIC_SOURCE_ID

logger = logging.getLogger(__name__)

# Published survey shares are rounded, so a question's shares may add up to a little
# over 100; more than this means a wrong row or a wrong category.
SURVEY_SUM_MAX = 100.5
# A value is an abrupt jump when it lies on the same side of both neighbours in its series
# and differs from each of them by more than JUMP_Z robust standard deviations of the
# series' other step-to-step changes (1.4826 x their median absolute size; the changes
# touching the value itself are left out, as they are the suspects) and by at least
# JUMP_MIN_CHANGE (25 %). Changes are log ratios for positive series, else differences
# measured against the series' median absolute level. Together the two thresholds keep the
# warning for values that look like a unit or keying error, not ordinary volatility or a
# steady trend.
# Small whole numbers (1, 2, 1 venture capital firms) move by chance alone, so a jump among
# counts below JUMP_SMALL_COUNT is not reported.
# Years outside MIN_YEAR..the current year are typing errors (1850, 2090), not data; the
# same rule for values.csv, survey.csv and every import.
MIN_YEAR = 1950
JUMP_Z = 5.0
JUMP_MIN_CHANGE = 0.25
JUMP_SMALL_COUNT = 10
_MAD_TO_SD = 1.4826
_SHOWN_ROWS = 5


@dataclass
class ValidationReport:
    """Errors and warnings found in one or more files."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings are allowed)."""
        return not self.errors

    def raise_for_errors(self) -> None:
        """Raise ``DataValidationError`` listing all errors, if there are any."""
        if self.errors:
            raise DataValidationError(self.errors)

    def summary(self) -> str:
        """One line such as ``values.csv, survey.csv: 0 errors, 3 warnings``."""
        files = ", ".join(self.files) if self.files else "data"
        return f"{files}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)"

    def extend(self, other: ValidationReport) -> ValidationReport:
        """Add another report's issues and files to this one; return self."""
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)
        self.files.extend(name for name in other.files if name not in self.files)
        return self


@dataclass(frozen=True)
class _FileSpec:
    columns: tuple[str, ...]
    number_column: str
    key_columns: tuple[str, ...]
    statuses: tuple[str, ...]
    kind: str  # the catalogue kind that belongs in this file


_VALUES_SPEC = _FileSpec(VALUES_COLUMNS, "value", ("region_code", "indicator_id", "period"),
                         STATUSES, "register")
_SURVEY_SPEC = _FileSpec(SURVEY_COLUMNS, "share_pct",
                         ("region_code", "indicator_id", "period", "category"),
                         SURVEY_STATUSES, "survey")


def validate_values(df_raw: pd.DataFrame, catalogue: Any, regions: Iterable[Any], *,
                    file: str = "values.csv", today: _dt.date | None = None
                    ) -> ValidationReport:
    """Check a raw (all-text) ``values.csv`` frame; return all errors and warnings.
    ``today`` fixes the current year (periods after it are errors)."""
    report, rows = _validate_rows(df_raw, catalogue, regions, file, _VALUES_SPEC, today)
    if rows is not None:
        report.warnings.extend(find_jumps(rows, file=file))
        report.warnings.extend(find_gaps(rows, file=file))
    return report


def validate_survey(df_raw: pd.DataFrame, catalogue: Any, regions: Iterable[Any], *,
                    file: str = "survey.csv", today: _dt.date | None = None
                    ) -> ValidationReport:
    """Check a raw (all-text) ``survey.csv`` frame; return all errors and warnings."""
    report, rows = _validate_rows(df_raw, catalogue, regions, file, _SURVEY_SPEC, today)
    if rows is not None:
        report.errors.extend(_check_survey_sums(rows, file))
    return report


def check_against_catalogue(df: pd.DataFrame, catalogue: Any, *, file: str = "values.csv",
                            kind: str | None = "register") -> ValidationReport:
    """Compare the data's indicator ids with the catalogue, both ways.

    Data without a catalogue entry is an error (one per id, naming its rows; row numbers
    assume ``df`` is in file order), and so is an indicator of the other ``kind``
    (a survey item in values.csv). A catalogue indicator of ``kind`` without any data is
    a warning. ``kind=None`` checks all indicators and skips the kind check.
    """
    report = ValidationReport(files=[file])
    indicators = catalogue.indicators
    ids = df["indicator_id"].astype(str).str.strip().tolist() if len(df) else []
    rows_by_id: dict[str, list[int]] = defaultdict(list)
    for position, indicator_id in enumerate(ids):
        rows_by_id[indicator_id].append(position + 2)
    for indicator_id, rows in rows_by_id.items():
        if indicator_id not in indicators:
            expected = "an indicator id from indicators.yaml"
            close = difflib.get_close_matches(indicator_id, list(indicators), n=1)
            if close:
                expected += f" (did you mean {close[0]!r}?)"
            report.errors.append(Issue(
                code=IssueCode.UNKNOWN_INDICATOR,
                message=f"indicator {indicator_id!r} is not in the catalogue"
                        f"{_rows_suffix(rows)}",
                file=file, row=rows[0], column="indicator_id", value=indicator_id,
                expected=expected, indicator_id=indicator_id))
            continue
        actual_kind = getattr(indicators[indicator_id], "kind", None)
        if kind is not None and actual_kind is not None and actual_kind != kind:
            other = "survey.csv" if actual_kind == "survey" else "values.csv"
            report.errors.append(Issue(
                code=IssueCode.WRONG_FILE,
                message=f"{indicator_id!r} is a {actual_kind} indicator{_rows_suffix(rows)}",
                file=file, row=rows[0], column="indicator_id", value=indicator_id,
                expected=f"only {kind} indicators here; {actual_kind} indicators go in {other}",
                indicator_id=indicator_id))
    for indicator_id, indicator in indicators.items():
        if kind is not None and getattr(indicator, "kind", kind) != kind:
            continue
        if indicator_id not in rows_by_id:
            report.warnings.append(Issue(
                code=IssueCode.NO_DATA,
                message=f"catalogue indicator {indicator_id!r} has no data",
                file=file, column="indicator_id",
                expected=f"at least one row per {kind + ' ' if kind else ''}indicator "
                         "in indicators.yaml",
                indicator_id=indicator_id))
    return report


# --- row checks -----------------------------------------------------------------------------

def year_range(today: _dt.date | None = None) -> tuple[int, int]:
    """The years a period may cover: ``MIN_YEAR`` to the current year."""
    return MIN_YEAR, (today or _dt.date.today()).year


def _validate_rows(df_raw: pd.DataFrame, catalogue: Any, regions: Iterable[Any], file: str,
                   spec: _FileSpec, today: _dt.date | None = None
                   ) -> tuple[ValidationReport, pd.DataFrame | None]:
    """Column and row checks shared by both files; also return the rows that passed,
    typed, with their spreadsheet row number (None when columns are missing)."""
    report = ValidationReport(files=[file])
    header = _checked_header(df_raw, spec, file, report.errors)
    if header is None:
        return report, None  # rows cannot be read reliably
    cells = df_raw.copy()
    cells.columns = header
    cells = cells[list(spec.columns)].fillna("").astype(str)
    cells = cells.apply(lambda column: column.str.strip())

    catalogue_report = check_against_catalogue(cells, catalogue, file=file, kind=spec.kind)
    report.extend(catalogue_report)
    report.errors.extend(_check_region_codes(cells, regions, file))
    checks = _RowChecks(spec=spec, file=file, report=report, catalogue=catalogue,
                        valid_codes={_region_code(region) for region in regions},
                        bad_indicators={issue.indicator_id
                                        for issue in catalogue_report.errors},
                        years=year_range(today))
    good = [checked for position, record in enumerate(cells.to_dict("records"))
            if (checked := checks.row(position + 2, record)) is not None]
    # File order reads best; issues without a row (whole-file checks) go last.
    report.errors.sort(key=lambda issue: issue.row if issue.row is not None else math.inf)
    report.warnings.sort(key=lambda issue: issue.row if issue.row is not None else math.inf)
    rows = pd.DataFrame.from_records(
        good, columns=[*spec.columns, "row", "number", "period_start", "period_end"])
    return report, rows


def _checked_header(df_raw: pd.DataFrame, spec: _FileSpec, file: str,
                    errors: list[Issue]) -> list[str] | None:
    """The stripped column names, or None (after reporting why) when a column is missing
    or repeated."""
    expected_columns = "columns " + ",".join(spec.columns)
    header = [str(column).strip() for column in df_raw.columns]
    missing = [column for column in spec.columns if column not in header]
    for column in header:
        if column not in spec.columns:
            errors.append(Issue(code=IssueCode.UNEXPECTED_COLUMN,
                                message=f"unexpected column {column!r}", file=file,
                                row=1, column=column, expected=expected_columns))
    for column in dict.fromkeys(column for column in header if header.count(column) > 1):
        errors.append(Issue(code=IssueCode.DUPLICATE_COLUMN,
                            message=f"column {column!r} appears more than once",
                            file=file, row=1, column=column, expected=expected_columns))
    if missing:
        errors.append(Issue(
            code=IssueCode.MISSING_COLUMNS,
            message="missing column(s) " + ", ".join(repr(column) for column in missing),
            file=file, row=1, expected=expected_columns))
    if missing or len(set(header)) < len(header):
        return None
    return header


@dataclass
class _RowChecks:
    """The checks of one row of values.csv or survey.csv, in the order its issues are
    listed: ``row`` reports them and returns the row, typed, when it can be used."""

    spec: _FileSpec
    file: str
    report: ValidationReport
    catalogue: Any
    valid_codes: set[str]
    bad_indicators: set[str | None]
    years: tuple[int, int]
    seen: dict[tuple[Any, ...], int] = field(default_factory=dict)

    def row(self, row: int, record: dict[str, str]) -> dict[str, Any] | None:
        region_code, indicator_id = record["region_code"], record["indicator_id"]
        where = {"file": self.file, "row": row, "region_code": region_code,
                 "indicator_id": indicator_id}
        start, end, period_ok = self._period(record["period"], where)
        number, number_ok = self._number(record[self.spec.number_column], record["period"],
                                         where)
        status_ok = self._status(record["status"], where)
        self._source(record["source_id"], record["status"], where)  # the row is still used
        indicator = self.catalogue.indicators.get(indicator_id)
        fits = self._fits(number, record, indicator, where)
        unique = self._unique(row, record, start, end, where)
        if (region_code in self.valid_codes and indicator_id not in self.bad_indicators
                and period_ok and number_ok and status_ok and fits and unique):
            return {**record, "row": row, "number": number, "period_start": start,
                    "period_end": end}
        return None

    def _period(self, period: str, where: dict[str, Any]
                ) -> tuple[int | None, int | None, bool]:
        """(start, end, within the year range); (None, None, False) for no period."""
        first_year, last_year = self.years
        try:
            start, end = parse_period(period)
        except ValueError:
            self.report.errors.append(Issue(
                code=IssueCode.BAD_PERIOD,
                message=f"{period!r} is not a valid period", column="period",
                value=period, expected="'YYYY' or 'YYYY-YYYY' with start < end", **where))
            return None, None, False
        if start < first_year or end > last_year:
            self.report.errors.append(Issue(
                code=IssueCode.YEAR_OUT_OF_RANGE, period=period,
                message=f"year {period!r} is out of range", column="period",
                value=period, expected=f"years {first_year}–{last_year}", **where))
            return start, end, False
        return start, end, True

    def _number(self, text: str, period: str, where: dict[str, Any]) -> tuple[float, bool]:
        """(the number, usable); NaN for a missing-value marker (a warning) or no number."""
        column = self.spec.number_column
        if is_missing_marker(text):
            self.report.warnings.append(Issue(
                code=IssueCode.MISSING_VALUE, period=period,
                message=f"{text!r} marks a missing or suppressed value; the row is ignored",
                column=column, value=text, **where))
            return math.nan, False
        try:
            return parse_number(text), True
        except ValueError:
            self.report.errors.append(Issue(
                code=IssueCode.NOT_A_NUMBER,
                message=f"{text!r} is not a number", column=column,
                value=text, expected="a decimal number such as 1234.5 or 1 234,5", **where))
            return math.nan, False

    def _status(self, status: str, where: dict[str, Any]) -> bool:
        if status in self.spec.statuses:
            return True
        self.report.errors.append(Issue(
            code=IssueCode.BAD_STATUS,
            message=f"status {status!r} is not allowed", column="status", value=status,
            expected=" or ".join(self.spec.statuses), **where))
        return False

    def _source(self, source_id: str, status: str, where: dict[str, Any]) -> None:
        sources = getattr(self.catalogue, "sources", None)
        if sources is not None and source_id not in sources and source_id != SYNTHETIC_SOURCE_ID:
            self.report.errors.append(Issue(
                code=IssueCode.UNKNOWN_SOURCE,
                message=f"unknown source_id {source_id!r}", column="source_id",
                value=source_id, expected="a key of sources.yaml or 'synthetic'", **where))
        elif source_id == SYNTHETIC_SOURCE_ID and status == "observed":
            self.report.errors.append(Issue(
                code=IssueCode.SYNTHETIC_SOURCE,
                message=f"source_id {source_id!r} on an observed value", column="source_id",
                value=source_id, expected="status 'synthetic' for generated values",
                **where))

    def _fits(self, number: float, record: dict[str, str], indicator: Any,
              where: dict[str, Any]) -> bool:
        """The value within its unit's range, the answer category one of the item's."""
        issues = []
        if indicator is not None and not math.isnan(number):
            units = getattr(self.catalogue, "units", {}) or {}
            unit = units.get(getattr(indicator, "unit", None))
            issues.append(_check_range(number, record[self.spec.number_column],
                                       where["indicator_id"], unit, self.spec.number_column,
                                       where))
        if "category" in self.spec.columns and indicator is not None:
            issues.append(_check_category(record["category"], indicator, where))
        found = [issue for issue in issues if issue is not None]
        self.report.errors.extend(found)
        return not found

    def _unique(self, row: int, record: dict[str, str], start: int | None,
                end: int | None, where: dict[str, Any]) -> bool:
        """False (an error naming the first) when the row repeats an earlier row's key."""
        key_columns = self.spec.key_columns
        key = tuple((start, end) if column == "period" and start is not None else record[column]
                    for column in key_columns)
        if key not in self.seen:
            self.seen[key] = row
            return True
        described = ", ".join(f"{column} {record[column]!r}" for column in key_columns)
        self.report.errors.append(Issue(
            code=IssueCode.DUPLICATE_ROW,
            message=f"duplicate of row {self.seen[key]} ({described})",
            expected="one row per " + ", ".join(key_columns), **where))
        return False


def _region_code(region: Any) -> str:
    return str(getattr(region, "code", region))


def _check_region_codes(cells: pd.DataFrame, regions: Iterable[Any], file: str) -> list[Issue]:
    """One error per unknown region code, naming its rows and all valid codes."""
    codes = sorted({_region_code(region) for region in regions})
    rows_by_code: dict[str, list[int]] = defaultdict(list)
    for position, code in enumerate(cells["region_code"].tolist()):
        if code not in codes:
            rows_by_code[code].append(position + 2)
    issues = []
    for code, rows in rows_by_code.items():
        expected = "one of " + ", ".join(codes)
        if code.isdigit() and code.zfill(2) in codes:
            expected += f" (two digits: {code.zfill(2)!r}; Excel drops leading zeros)"
        issues.append(Issue(
            code=IssueCode.UNKNOWN_REGION,
            message=f"unknown region code {code!r}{_rows_suffix(rows)}", file=file,
            row=rows[0], column="region_code", value=code, expected=expected,
            region_code=code))
    return issues


def _rows_suffix(rows: Sequence[int]) -> str:
    """`` (3 rows: 2, 5, 9)`` for repeated problems, empty for a single row."""
    if len(rows) < 2:
        return ""
    shown = ", ".join(str(row) for row in rows[:_SHOWN_ROWS])
    if len(rows) > _SHOWN_ROWS:
        shown += ", …"
    return f" ({len(rows)} rows: {shown})"


def unit_bounds(unit: Any) -> tuple[float | None, float | None]:
    """The allowed (min, max) of a unit (duck-typed: ``kind``, optional ``min``/``max``)."""
    return implied_bounds(getattr(unit, "kind", None), getattr(unit, "min", None),
                          getattr(unit, "max", None))


def _check_range(number: float, text: str, indicator_id: str, unit: Any, column: str,
                 where: dict[str, Any]) -> Issue | None:
    plausible = getattr(unit, "max_plausible", None)
    if not math.isfinite(number) or (plausible is not None and abs(number) > plausible):
        limit = f"at most {plausible:g} in absolute value" if plausible is not None \
            else "a finite number"
        unit_id = getattr(unit, "id", None)
        return Issue(code=IssueCode.IMPLAUSIBLE,
                     message=f"{text!r} is implausibly large for {indicator_id!r}"
                             + (f" (unit {unit_id!r})" if unit_id else ""),
                     column=column, value=text,
                     expected=f"{limit} (check the unit, a decimal separator or a "
                              "thousands separator)", **where)
    if unit is None:
        return None
    low, high = unit_bounds(unit)
    if (low is None or number >= low) and (high is None or number <= high):
        return None
    if low is not None and high is not None:
        expected = f"a value between {low:g} and {high:g}"
    elif low is not None:
        expected = f"a value of at least {low:g}"
    else:
        expected = f"a value of at most {high:g}"
    unit_id = getattr(unit, "id", None)
    described = f"unit {unit_id!r}, a {unit.kind}" if unit_id else f"a {unit.kind} unit"
    return Issue(code=IssueCode.OUT_OF_RANGE,
                 message=f"{text!r} is out of range for {indicator_id!r} ({described})",
                 column=column, value=text, expected=expected, **where)


def _check_category(category: str, indicator: Any, where: dict[str, Any]) -> Issue | None:
    categories = list(getattr(indicator, "categories", None) or [])
    if category and (not categories or category in categories):
        return None
    expected = ("one of " + ", ".join(repr(c) for c in categories)) if categories \
        else "an answer category"
    return Issue(code=IssueCode.UNKNOWN_CATEGORY,
                 message=f"category {category!r} is not an answer category of "
                         f"{where['indicator_id']!r}",
                 column="category", value=category, expected=expected, **where)


def _check_survey_sums(rows: pd.DataFrame, file: str) -> list[Issue]:
    issues = []
    for (region_code, indicator_id, period), group in rows.groupby(
            ["region_code", "indicator_id", "period"], sort=False):
        total = float(group["number"].sum())
        if total > SURVEY_SUM_MAX:
            row_list = ", ".join(str(row) for row in group["row"])
            issues.append(Issue(
                code=IssueCode.SURVEY_SUM, period=period,
                message=f"shares of {indicator_id!r} for region {region_code!r}, period "
                        f"{period!r} sum to {total:g} (rows {row_list})",
                file=file, row=int(group["row"].iloc[0]), column="share_pct",
                expected=f"at most {SURVEY_SUM_MAX:g} in total per question",
                region_code=region_code, indicator_id=indicator_id))
    return issues


# --- series warnings ------------------------------------------------------------------------

def detect_jumps(values: Sequence[float], *, z: float = JUMP_Z,
                 min_change: float = JUMP_MIN_CHANGE) -> list[int]:
    """Positions of abrupt jumps in an ordered series (see ``JUMP_Z``).

    End points are never flagged: a jump needs a neighbour on each side.
    """
    x = np.asarray(values, dtype=float)
    if len(x) < 3 or not np.all(np.isfinite(x)):
        return []
    if np.all(x > 0):
        t = np.log(x)
        floor = math.log1p(min_change)
    else:
        t = x
        level = float(np.median(np.abs(x))) or float(np.max(np.abs(x)))
        floor = min_change * level
    if floor == 0:
        return []
    steps = np.diff(t)
    is_counts = bool(np.all(x == np.round(x)))
    found = []
    for i in range(1, len(t) - 1):
        if is_counts and np.max(np.abs(x[i - 1:i + 2])) < JUMP_SMALL_COUNT:
            continue
        before, after = t[i] - t[i - 1], t[i] - t[i + 1]
        if np.sign(before) != np.sign(after) or before == 0:
            continue
        # The changes touching i are the suspects, so the scale comes from the others.
        others = np.delete(steps, [i - 1, i])
        scale = 0.0
        if len(others) >= 2:
            scale = _MAD_TO_SD * float(np.median(np.abs(others)))
        if min(abs(before), abs(after)) > max(z * scale, floor):
            found.append(i)
    return found


def _series(rows: pd.DataFrame) -> Iterable[tuple[tuple[str, str], pd.DataFrame]]:
    ordered = rows.sort_values(["region_code", "indicator_id", "period_start", "period_end"])
    yield from ordered.groupby(["region_code", "indicator_id"], sort=True)


def find_jumps(rows: pd.DataFrame, *, file: str = "values.csv") -> list[Issue]:
    """Warnings for abrupt jumps in each region × indicator series (``detect_jumps``).

    ``rows`` needs region_code, indicator_id, period, period_start, period_end, a numeric
    column ``number`` (or ``value``) and optionally ``row``. Series of single years and of
    multi-year periods are checked separately.
    """
    column = "number" if "number" in rows.columns else "value"
    issues = []
    # the series of _series(), taken from arrays: a pandas group per series costs more than
    # the test itself (values.csv has well over a thousand series)
    ordered = rows.sort_values(["region_code", "indicator_id", "period_start", "period_end"])
    grouped = ordered.groupby(["region_code", "indicator_id"], sort=True)
    number_of = grouped.ngroup().to_numpy()
    keep = number_of >= 0  # rows without a key belong to no series
    order = np.flatnonzero(keep)[np.argsort(number_of[keep], kind="stable")]
    bounds = np.flatnonzero(np.diff(number_of[order])) + 1
    all_spans = (ordered["period_end"] - ordered["period_start"]).to_numpy()
    all_numbers = ordered[column].astype(float).to_numpy()
    all_periods = ordered["period"].to_numpy()
    all_rows = ordered["row"].to_numpy() if "row" in ordered else None
    region_codes = ordered["region_code"].to_numpy()
    indicator_ids = ordered["indicator_id"].to_numpy()
    for series in np.split(order, bounds) if len(order) else []:
        region_code, indicator_id = region_codes[series[0]], indicator_ids[series[0]]
        spans = all_spans[series]
        for span in np.unique(spans):
            same_span = series[spans == span]
            numbers = all_numbers[same_span].tolist()
            periods = all_periods[same_span].tolist()
            for i in detect_jumps(numbers):
                row = int(all_rows[same_span[i]]) if all_rows is not None else None
                issues.append(Issue(
                    message=f"abrupt jump in region {region_code!r}, indicator "
                            f"{indicator_id!r}: {numbers[i]:g} in {periods[i]} against "
                            f"{numbers[i - 1]:g} in {periods[i - 1]} and {numbers[i + 1]:g} "
                            f"in {periods[i + 1]}",
                    file=file, row=row, column="value",
                    expected="a value in line with its neighbours (check unit, decimal "
                             "separator or a break in the series)",
                    region_code=region_code, indicator_id=indicator_id,
                    code=IssueCode.ABRUPT_JUMP, period=periods[i],
                    details={"value": numbers[i], "before": numbers[i - 1],
                             "before_period": periods[i - 1], "after": numbers[i + 1],
                             "after_period": periods[i + 1]}))
    return issues


def find_gaps(rows: pd.DataFrame, *, file: str = "values.csv") -> list[Issue]:
    """Warnings for years inside a series' span that no period covers.

    Regions sharing the same gap in an indicator (a source published only some years)
    get one warning naming them all, so a sparse source does not bury other warnings.
    """
    regions_by_gap: dict[tuple[str, tuple[int, ...], int, int], list[str]] = defaultdict(list)
    for (region_code, indicator_id), group in _series(rows):
        covered: set[int] = set()
        for start, end in zip(group["period_start"], group["period_end"]):
            covered.update(range(int(start), int(end) + 1))
        first, last = min(covered), max(covered)
        missing = tuple(sorted(set(range(first, last + 1)) - covered))
        if missing:
            regions_by_gap[(indicator_id, missing, first, last)].append(region_code)
    issues = []
    for (indicator_id, missing, first, last), region_codes in regions_by_gap.items():
        if len(region_codes) == 1:
            where = f"region {region_codes[0]!r}, indicator {indicator_id!r}"
        else:
            shown = ", ".join(region_codes[:_SHOWN_ROWS]) + \
                (", …" if len(region_codes) > _SHOWN_ROWS else "")
            where = f"indicator {indicator_id!r} in {len(region_codes)} regions ({shown})"
        issues.append(Issue(
            message=f"gap in {where}: no value for {format_years(missing)} within "
                    f"{first}–{last}",
            file=file, column="period",
            expected="a value for every year between the first and the last",
            region_code=region_codes[0] if len(region_codes) == 1 else None,
            indicator_id=indicator_id, code=IssueCode.GAP,
            details={"missing_years": missing, "first": first, "last": last,
                     "region_codes": tuple(region_codes)}))
    return sorted(issues, key=lambda issue: issue.indicator_id or "")


def format_years(years: Sequence[int]) -> str:
    """``[2016, 2018, 2019, 2020]`` -> ``"2016, 2018–2020"``."""
    parts: list[str] = []
    run: list[int] = []
    for year in sorted(years):
        if run and year == run[-1] + 1:
            run.append(year)
            continue
        if run:
            parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}")
        run = [year]
    if run:
        parts.append(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}")
    return ", ".join(parts)


# --- coverage -------------------------------------------------------------------------------

_YEAR_COLUMN = re.compile(r"^\d{4}$")
_MARKS = {frozenset({"observed"}): "o", frozenset({"synthetic"}): "s",
          frozenset({"observed", "synthetic"}): "m"}


def coverage_table(df: pd.DataFrame, catalogue: Any = None) -> pd.DataFrame:
    """One row per indicator: how much data there is and how much of it is observed.

    Columns: indicator_id, dimension, kind, first_period, last_period, n_regions, n_values,
    n_observed, n_synthetic, share_observed, then one column per year ("2013", …) marked
    "o" (only observed values cover that year), "s" (only synthetic), "m" (both) or "".
    A value is one region × indicator × period (survey categories count once). Catalogue
    indicators come first in catalogue order, including those without data.
    """
    data = _with_periods(df)
    keys = data.drop_duplicates(["region_code", "indicator_id", "period"])
    years = sorted({year for start, end in zip(keys["period_start"], keys["period_end"])
                    for year in range(int(start), int(end) + 1)})
    indicators = getattr(catalogue, "indicators", {}) if catalogue is not None else {}
    order = list(indicators) + sorted(set(keys["indicator_id"]) - set(indicators))
    records = []
    for indicator_id in order:
        group = keys[keys["indicator_id"] == indicator_id]
        indicator = indicators.get(indicator_id)
        n_observed = int((group["status"] == "observed").sum())
        n_synthetic = int((group["status"] == "synthetic").sum())
        record: dict[str, Any] = {
            "indicator_id": indicator_id,
            "dimension": str(getattr(indicator, "dimension", "") or ""),
            "kind": str(getattr(indicator, "kind", "") or ""),
            "first_period": "", "last_period": "",
            "n_regions": int(group["region_code"].nunique()),
            "n_values": len(group), "n_observed": n_observed, "n_synthetic": n_synthetic,
            "share_observed": n_observed / len(group) if len(group) else math.nan,
        }
        if len(group):
            by_start = group.sort_values(["period_start", "period_end"])
            by_end = group.sort_values(["period_end", "period_start"])
            record["first_period"] = by_start["period"].iloc[0]
            record["last_period"] = by_end["period"].iloc[-1]
        statuses: dict[int, set[str]] = defaultdict(set)
        for start, end, status in zip(group["period_start"], group["period_end"],
                                      group["status"]):
            for year in range(int(start), int(end) + 1):
                statuses[year].add(status)
        for year in years:
            record[str(year)] = _MARKS.get(frozenset(statuses.get(year, ())), "")
        records.append(record)
    columns = ["indicator_id", "dimension", "kind", "first_period", "last_period",
               "n_regions", "n_values", "n_observed", "n_synthetic", "share_observed",
               *(str(year) for year in years)]
    return pd.DataFrame.from_records(records, columns=columns)


def _with_periods(df: pd.DataFrame) -> pd.DataFrame:
    if {"period_start", "period_end"} <= set(df.columns):
        return df
    data = df.copy()
    periods = [parse_period(period) for period in data["period"]]
    data["period_start"] = [start for start, _ in periods]
    data["period_end"] = [end for _, end in periods]
    return data


def coverage_by_dimension(df: pd.DataFrame, catalogue: Any) -> pd.DataFrame:
    """Per dimension (catalogue order): indicators, indicators with data, values, and the
    share of values observed versus synthetic."""
    return summarise_coverage(coverage_table(df, catalogue), catalogue)


def summarise_coverage(coverage: pd.DataFrame, catalogue: Any = None) -> pd.DataFrame:
    """Aggregate a ``coverage_table`` by dimension."""
    dimension_ids = [getattr(d, "id", d) for d in getattr(catalogue, "dimensions", None) or []]
    present = [d for d in dict.fromkeys(coverage["dimension"]) if d not in dimension_ids]
    records = []
    for dimension_id in [*dimension_ids, *present]:
        group = coverage[coverage["dimension"] == dimension_id]
        n_values = int(group["n_values"].sum())
        n_observed = int(group["n_observed"].sum())
        n_synthetic = int(group["n_synthetic"].sum())
        records.append({
            "dimension": dimension_id,
            "n_indicators": len(group),
            "n_with_data": int((group["n_values"] > 0).sum()),
            "n_values": n_values, "n_observed": n_observed, "n_synthetic": n_synthetic,
            "share_observed": n_observed / n_values if n_values else math.nan,
            "share_synthetic": n_synthetic / n_values if n_values else math.nan,
        })
    return pd.DataFrame.from_records(
        records, columns=["dimension", "n_indicators", "n_with_data", "n_values",
                          "n_observed", "n_synthetic", "share_observed", "share_synthetic"])


def format_report(report: ValidationReport, coverage: pd.DataFrame | None = None, *,
                  catalogue: Any = None) -> str:
    """Render errors, warnings and the coverage tables as plain text for the CLI."""
    lines = [report.summary(), ""]
    for title, issues in (("Errors", report.errors), ("Warnings", report.warnings)):
        lines.append(f"{title} ({len(issues)}):")
        lines.extend(f"  - {issue}" for issue in issues)
        if not issues:
            lines.append("  none")
        lines.append("")
    if coverage is None or coverage.empty:
        return "\n".join(lines).rstrip() + "\n"
    years = [column for column in coverage.columns if _YEAR_COLUMN.match(str(column))]
    id_width = max(len("indicator"), *(len(i) for i in coverage["indicator_id"]))
    dim_width = max(len("dimension"), *(len(d) for d in coverage["dimension"]))
    lines.append("Coverage (o = observed, s = synthetic, m = both, . = no data):")
    header = f"  {'indicator':<{id_width}}  {'dimension':<{dim_width}}  " \
             + " ".join(year[2:] for year in years) + "  regions  observed"
    lines.append(header)
    for record in coverage.to_dict("records"):
        marks = " ".join(f"{record[year] or '.':>2}" for year in years)
        share = record["share_observed"]
        share_text = "–" if pd.isna(share) else f"{share:.0%}"
        lines.append(f"  {record['indicator_id']:<{id_width}}  {record['dimension']:<{dim_width}}  "
                     f"{marks}  {record['n_regions']:>7}  {share_text:>8}")
    lines.append("")
    by_dimension = summarise_coverage(coverage, catalogue)
    lines.append("Observed vs synthetic by dimension:")
    lines.append(f"  {'dimension':<{dim_width}}  indicators  with data  observed  synthetic")
    for record in by_dimension.to_dict("records"):
        observed = "–" if pd.isna(record["share_observed"]) else f"{record['share_observed']:.0%}"
        synthetic = "–" if pd.isna(record["share_synthetic"]) \
            else f"{record['share_synthetic']:.0%}"
        lines.append(f"  {record['dimension']:<{dim_width}}  {record['n_indicators']:>10}  "
                     f"{record['n_with_data']:>9}  {observed:>8}  {synthetic:>9}")
    return "\n".join(lines).rstrip() + "\n"


def run_validation(data_dir: str | Path | None = None) -> tuple[ValidationReport, pd.DataFrame]:
    """Validate the data folder's values.csv and survey.csv without raising on data errors.

    Returns the combined report and the coverage table of the rows that passed (for
    ``format_report``). Used by ``ecoreport validate``. A broken catalogue or region list
    still raises, since nothing can be checked without them.
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    catalogue = load_catalogue(folder)
    regions = load_regions(folder)
    report = ValidationReport()
    frames = []
    for name, validate, to_typed in (("values.csv", validate_values, type_values),
                                     ("survey.csv", validate_survey, type_survey)):
        path = folder / name
        report.files.append(name)
        if not path.exists():
            # Survey data is optional (a län may have no survey); register data is not.
            issues = report.warnings if name == "survey.csv" else report.errors
            issues.append(Issue(code=IssueCode.FILE_NOT_FOUND, message="file not found", file=name,
                                expected=f"{name} in {folder}"))
            continue
        try:
            raw = read_table(path)
        except DataError as exc:  # unreadable file: report it, check the other file
            report.errors.append(exc.issue)
            continue
        report.extend(validate(raw, catalogue, regions, file=name))
        typed = to_typed(raw, skip_invalid=True)
        frames.append(typed[["region_code", "indicator_id", "period", "status",
                             "period_start", "period_end"]])
    combined = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["region_code", "indicator_id", "period", "status", "period_start",
                 "period_end"])
    # the region profiles, as the build reads them (Måluppföljning, Klusterinitiativ)
    files, issues = validate_profiles(
        folder, region_codes={_region_code(r) for r in regions if _region_code(r) != RIKET_CODE},
        indicator_ids=set(catalogue.indicators))
    report.files.extend(files)
    report.errors.extend(issues)
    logger.info("%s", report.summary())
    return report, coverage_table(combined, catalogue)


# --- coverage statement: observed share, how to update, where from -------------------------

COVERAGE_WINDOW: tuple[int, int] = (2013, 2024)
UPDATE_ROUTES_SV = {"fetch": "hämtas ({service})", "template": "mall och import",
                    "survey": "enkät"}


def update_route(indicator: Any) -> str:
    """How an indicator is brought up to date: "fetch: <service>", "survey" or
    "template/import" (``ecoreport template`` then ``ecoreport import``)."""
    if getattr(indicator, "kind", "") == "survey":
        return "survey"
    if getattr(indicator, "api", None):
        return f"fetch: {indicator.api['service']}"
    return "template/import"


def update_route_sv(indicator: Any) -> str:
    """``update_route`` in Swedish, for the data appendix."""
    route = update_route(indicator)
    if route.startswith("fetch: "):
        return UPDATE_ROUTES_SV["fetch"].format(service=route.split(": ", 1)[1])
    return UPDATE_ROUTES_SV["survey" if route == "survey" else "template"]


def coverage_statement(df: pd.DataFrame, catalogue: Any,
                       window: tuple[int, int] = COVERAGE_WINDOW) -> pd.DataFrame:
    """Per catalogue indicator: values whose period ends in ``window`` (a region ×
    indicator × period counts once), the share observed, whether it is a METRIC indicator
    (its dimension has ``metric: true``), how it is updated and its source's address."""
    data = _with_periods(df)
    keys = data.drop_duplicates(["region_code", "indicator_id", "period"])
    keys = keys[(keys["period_end"] >= window[0]) & (keys["period_end"] <= window[1])]
    metric = {dimension.id: dimension.metric for dimension in catalogue.dimensions}
    records = []
    for indicator_id, indicator in catalogue.indicators.items():
        group = keys[keys["indicator_id"] == indicator_id]
        n_observed = int((group["status"] == "observed").sum())
        records.append({
            "indicator_id": indicator_id, "dimension": indicator.dimension,
            "metric": bool(metric.get(indicator.dimension, True)),
            "n_values": len(group), "n_observed": n_observed,
            "share_observed": n_observed / len(group) if len(group) else math.nan,
            "update": update_route(indicator),
            "source_url": catalogue.source(indicator_id).url or "",
            "recipe": _recipe_line(getattr(indicator, "recipe", None))})
    return pd.DataFrame.from_records(records)


def _recipe_line(recipe: dict[str, str] | None) -> str:
    """A recipe in one line: table name — page; filters; unit → conversion; lead."""
    if not recipe:
        return ""
    line = (f"{recipe['table_name']} — {recipe['page']}; {recipe['filters']}; "
            f"{recipe['unit']} → {recipe['conversion']}")
    return line + (f"; lead: {recipe['lead']}" if recipe.get("lead") else "")


def observed_shares(statement: pd.DataFrame) -> dict[str, float]:
    """Share of values observed: all indicators, METRIC indicators only, and per update
    route ("fetch", "template/import", "survey")."""
    def share(rows: pd.DataFrame) -> float:
        total = rows["n_values"].sum()
        return float(rows["n_observed"].sum() / total) if total else math.nan

    routes = statement["update"].str.split(":").str[0]
    return {"all": share(statement), "metric": share(statement[statement["metric"]]),
            **{route: share(statement[routes == route]) for route in sorted(set(routes))}}


def format_coverage_statement(statement: pd.DataFrame,
                              window: tuple[int, int] = COVERAGE_WINDOW) -> str:
    """Plain-text table for ``ecoreport validate --coverage``; the last line is the summary."""
    rows = [("indicator", "observed", "values", "update", "source")]
    for record in statement.to_dict("records"):
        share = record["share_observed"]
        recipe = record.get("recipe") or ""
        rows.append((record["indicator_id"],
                     "–" if math.isnan(share) else f"{100 * share:.0f} %",
                     str(record["n_values"]), record["update"],
                     f"recipe: {recipe}" if recipe else record["source_url"]))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths))
             + "  " + row[4] for row in rows]
    shares = observed_shares(statement)
    n_fetch = int(statement["update"].str.startswith("fetch").sum())
    n_register = int((statement["update"] != "survey").sum())
    n_recipe = int((statement["update"].str.startswith("template")
                    & (statement.get("recipe", pd.Series("", index=statement.index)) != "")
                    ).sum())
    lines.append(f"{n_fetch} of {n_register} register indicators can be fetched from an API; "
                 f"{n_recipe} of the other {n_register - n_fetch} have a recipe.")
    lines.append(f"Observed share of values {window[0]}–{window[1]}: "
                 f"{100 * shares['all']:.1f} % (METRIC indicators {100 * shares['metric']:.1f} %)")
    return "\n".join(lines)


def run_coverage(data_dir: str | Path | None = None,
                 window: tuple[int, int] = COVERAGE_WINDOW) -> pd.DataFrame:
    """``coverage_statement`` of the data folder's values.csv and survey.csv (rows that
    fail validation are left out; ``ecoreport validate`` names them)."""
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    catalogue = load_catalogue(folder)
    frames = [to_typed(read_table(folder / name), skip_invalid=True)
              for name, to_typed in (("values.csv", type_values), ("survey.csv", type_survey))
              if (folder / name).exists()]
    return coverage_statement(pd.concat(frames, ignore_index=True), catalogue, window)
