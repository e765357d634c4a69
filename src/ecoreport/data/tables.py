"""Reading tables: CSV as Swedish Excel or plain tools write it, xlsx, and the tidy data files.

``read_table`` returns every column as text so that validation sees exactly what the file
holds; ``ecoreport.data.loading`` validates the raw text and only then convert it.
"""

from __future__ import annotations

import csv
import io as _stdio
import logging
import math
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from ecoreport.errors import DataError, ValueSyntaxError

logger = logging.getLogger(__name__)

VALUES_COLUMNS: tuple[str, ...] = (
    "region_code", "indicator_id", "period", "value", "status", "source_id", "note",
)
SURVEY_COLUMNS: tuple[str, ...] = (
    "region_code", "indicator_id", "period", "category", "share_pct", "status", "source_id",
    "note",
)

# Markers statistics producers (SCB, Kolada) and Excel users put where a number is
# suppressed or missing. They are not numbers, but not typos either.
# "." is SCB's "cannot occur"; "NA" is what R and many exports write.
MISSING_MARKERS: frozenset[str] = frozenset({"", ".", "..", "...", "…", "–", "—", "-", "NA"})

_DELIMITERS = (";", ",", "\t")
# Thousands separators: space, no-break space, narrow no-break space, thin space.
_GROUP_SEPARATORS = " \u00a0\u202f\u2009"
_NUMBER_RE = re.compile(
    r"""^[+-]?
    (?:\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3})+|\d+)   # integer part, optionally grouped
    (?:[.,]\d+)?                                      # decimal point or comma
    (?:[eE][+-]?\d+)?$                                # exponent, as Python writes floats
    """,
    re.VERBOSE,
)
_PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


def normalise_header(text: object) -> str:
    """A column header or label as a lookup key: BOM removed, whitespace collapsed, casefolded."""
    return " ".join(str(text).replace("\ufeff", "").split()).casefold()


def is_missing_marker(text: object) -> bool:
    """True for an empty cell or a suppression marker such as ``..`` or ``–``."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return True
    return str(text).strip() in MISSING_MARKERS


def parse_number(text: object) -> float:
    """Parse a number written the Swedish or the plain way; NaN for a missing marker.

    Accepts "1 234,5", "1\\u00a0234,5", "1234.5", "-3,2" and "−3,2" (unicode minus).
    Raises ``ValueSyntaxError`` (a ``ValueError``) for anything else ("1,2x", "1.234,5").
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    if is_missing_marker(text):
        return math.nan
    raw = str(text).strip().replace("\u2212", "-")
    if not _NUMBER_RE.match(raw):
        raise ValueSyntaxError(f"{text!r} is not a number")
    for separator in _GROUP_SEPARATORS:
        raw = raw.replace(separator, "")
    return float(raw.replace(",", "."))


def parse_period(text: object) -> tuple[int, int]:
    """Parse "2013" -> (2013, 2013) or "2014-2017" -> (2014, 2017), the one period syntax of
    the tidy files (an inclusive multi-year span, never squashed); ``ValueSyntaxError`` (a
    ``ValueError``) otherwise."""
    match = _PERIOD_RE.match(str(text).strip()) if text is not None else None
    if not match or isinstance(text, bool):
        raise ValueSyntaxError(f"{text!r} is not a period")
    start = int(match.group(1))
    end = int(match.group(2)) if match.group(2) else start
    if match.group(2) and not start < end:
        raise ValueSyntaxError(f"{text!r} is not a period: the start year must come before "
                               "the end year")
    return start, end


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode file bytes; return (text, encoding used).

    A BOM decides; otherwise strict UTF-8 (which almost never accepts non-UTF-8 text by
    accident), then strict cp1252 (Swedish Windows Excel), then latin-1, which accepts
    any byte and so comes last.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """Pick ``;``, ``,`` or tab: the one that splits the header into the most columns and
    every following sample line into the same number."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", (False, 0)
    for delimiter in _DELIMITERS:
        rows = list(csv.reader(lines, delimiter=delimiter))
        width = len(rows[0])
        consistent = all(len(row) == width for row in rows)
        score = (consistent and width > 1, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_table(path: str | Path, *, sheet: str | int | None = None,
               header_row: int = 1) -> pd.DataFrame:
    """Read a CSV or xlsx file with every column as text (empty cells as "").

    ``header_row`` is the spreadsheet row (1-based) holding the column names; rows above
    it are skipped. Headers are stripped of surrounding whitespace; cell text is left as
    it is. A file that cannot be read is a ``DataError`` naming it and why.
    """
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", file=str(path), expected="an existing CSV or xlsx file")
    if not path.is_file():
        raise DataError("not a file", file=str(path), expected="a CSV or xlsx file")
    if header_row < 1:
        raise DataError(f"header row {header_row} does not exist", file=path.name,
                        value=header_row, expected="a row number from 1")
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm"}:
            frame = _read_excel(path, sheet, header_row)
        else:
            frame = _read_csv(path, header_row)
    except PermissionError:
        raise DataError("permission denied", file=str(path),
                        expected="a file you may read") from None
    except (zipfile.BadZipFile, KeyError) as exc:  # openpyxl: not a zip, or no workbook part
        raise DataError(f"not an xlsx workbook ({exc})", file=path.name,
                        expected="an .xlsx file saved by Excel or LibreOffice, or a CSV file "
                                 "(save .xls files as .xlsx)") from None
    frame.columns = [str(column).strip().lstrip("\ufeff") for column in frame.columns]
    return frame


def read_optional_table(path: Path, columns: list[str]) -> pd.DataFrame:
    """The table in ``path`` (every column as text), which must have exactly ``columns``
    (a ``DataError`` naming the file otherwise); an empty frame with those columns when the
    file does not exist (the data files that a län may leave out)."""
    if not path.exists():
        return pd.DataFrame(columns=columns)
    table = read_table(path)
    if list(table.columns) != columns:
        raise DataError("unexpected columns", file=path.name, value=list(table.columns),
                        expected=", ".join(columns))
    return table


def _read_csv(path: Path, header_row: int = 1) -> pd.DataFrame:
    text, encoding = decode_bytes(path.read_bytes())
    if header_row > 1:
        text = "".join(text.splitlines(keepends=True)[header_row - 1:])
    delimiter = sniff_delimiter(text)
    logger.debug("%s: encoding %s, delimiter %r", path.name, encoding, delimiter)
    try:
        rows = list(csv.reader(_stdio.StringIO(text, newline=""), delimiter=delimiter,
                               strict=True))
    except csv.Error as exc:
        raise DataError(f"cannot parse as CSV: {exc}", file=path.name,
                        expected=f"a table separated by {delimiter!r}") from exc
    if not rows:
        raise DataError("the file is empty" if header_row == 1 else
                        f"nothing from header row {header_row} on", file=path.name,
                        expected="a header row")
    # When a cell right of the table was ever touched, Excel pads every line, header
    # included, with empty trailing cells; drop that padding (and only that).
    padded_width = len(rows[0])
    header = list(rows[0])
    while header and not header[-1].strip():
        header.pop()
    body = []
    for number, row in enumerate(rows[1:], start=header_row + 1):
        if not any(cell.strip() for cell in row):
            continue  # blank line, or ";;;" that Excel writes for an emptied row
        if len(row) == padded_width and not any(cell.strip() for cell in row[len(header):]):
            row = row[:len(header)]
        if len(row) != len(header):
            raise DataError(f"{len(row)} fields in a row of {len(header)} columns",
                            file=path.name, row=number, value=delimiter.join(row),
                            expected=f"{len(header)} fields separated by {delimiter!r}, "
                                     "as in the header")
        body.append(row)
    return pd.DataFrame(body, columns=header, dtype=str)


def first_sheet_name(path: str | Path) -> str:
    """The name of an xlsx workbook's first sheet (the one read when none is given)."""
    with pd.ExcelFile(path, engine="openpyxl") as workbook:
        return str(workbook.sheet_names[0])


def _read_excel(path: Path, sheet: str | int | None, header_row: int = 1) -> pd.DataFrame:
    try:
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=str,
                              na_filter=False, engine="openpyxl", header=header_row - 1)
    except ValueError as exc:  # unknown sheet name, or a header row below the last row
        if header_row > 1 and "header" in str(exc).lower():
            raise DataError(f"header row {header_row} is beyond the last row of the sheet",
                            file=path.name, value=header_row,
                            expected="the number of the row with the column names (the "
                                     "years), as Excel shows it") from None
        raise DataError(str(exc), file=path.name, expected="an existing sheet") from None
    # na_filter=False leaves some empty cells as NaN-like objects; make them "".
    return frame.astype(object).where(frame.notna(), "").astype(str)


def type_values(raw: pd.DataFrame, *, skip_invalid: bool = False) -> pd.DataFrame:
    """Convert a validated raw values frame to typed columns (see ``load_values``).

    With ``skip_invalid`` rows that do not parse are dropped instead of raising; only
    use it after the errors have been reported (``run_validation`` does).
    """
    return _type_frame(raw, VALUES_COLUMNS, "value", skip_invalid)


def type_survey(raw: pd.DataFrame, *, skip_invalid: bool = False) -> pd.DataFrame:
    """Convert a validated raw survey frame to typed columns (share_pct float)."""
    return _type_frame(raw, SURVEY_COLUMNS, "share_pct", skip_invalid)


def _type_frame(raw: pd.DataFrame, columns: tuple[str, ...], number_column: str,
                skip_invalid: bool) -> pd.DataFrame:
    records: list[dict[str, Any]] = []
    present = [column for column in columns if column in raw.columns]
    for position, row in enumerate(raw[present].itertuples(index=False, name=None)):
        cells = {column: ("" if value is None else str(value).strip())
                 for column, value in zip(present, row)}
        for column in columns:
            cells.setdefault(column, "")
        try:
            column = number_column
            number = parse_number(cells[number_column])
            column = "period"
            start, end = parse_period(cells["period"])
        except ValueError as exc:
            if skip_invalid:
                continue
            raise DataError(str(exc), row=position + 2, column=column,
                            value=cells[column]) from exc
        if math.isnan(number):
            continue  # suppressed; validation warned about it
        cells[number_column] = number
        cells["period_start"], cells["period_end"] = start, end
        records.append(cells)
    frame = pd.DataFrame.from_records(
        records, columns=[*columns, "period_start", "period_end"])
    text_columns = [column for column in columns if column != number_column]
    frame[text_columns] = frame[text_columns].astype(str)
    frame[number_column] = frame[number_column].astype(float)
    frame["period_start"] = frame["period_start"].astype(int)
    frame["period_end"] = frame["period_end"].astype(int)
    frame["year"] = (frame["period_start"] + frame["period_end"]) / 2.0
    # The order values.csv is written in; a stable sort keeps survey categories in file order.
    order = ["indicator_id", "region_code", "period_start", "period_end"]
    return frame.sort_values(order, kind="stable").reset_index(drop=True)


# -- writing the tidy files ---------------------------------------------------------------------

def format_stored_number(value: float) -> str:
    """Text form of a number as values.csv stores it: integers without decimals, else
    Python's shortest round-trip form, so rewriting the files is byte-stable."""
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def sort_tidy_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Sort by indicator_id, region_code, period (stable: survey categories keep order)."""
    return frame.sort_values(["indicator_id", "region_code", "period"],
                             kind="stable").reset_index(drop=True)


def write_tidy_csv(frame: pd.DataFrame, path: str | Path,
                   number_columns: tuple[str, ...] = ()) -> None:
    """Write values.csv/survey.csv: UTF-8, comma, minimal quoting, "\\n" line endings.

    Numbers in ``number_columns`` are formatted with :func:`format_stored_number`; other
    cells are written as they are. The file is written beside ``path`` and moved into
    place with ``os.replace``, so a reader never sees half a file. A symbolic link is
    followed first: its target is replaced and the link stays.
    """
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=path.parent,
                                         prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow(list(frame.columns))
            for row in frame.itertuples(index=False, name=None):
                writer.writerow([format_stored_number(value) if column in number_columns
                                 else value for column, value in zip(frame.columns, row)])
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(handle.name, path.stat().st_mode & 0o777)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
