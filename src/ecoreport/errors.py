"""Project exceptions. Messages name the file, row, column and value that is wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
import reprlib

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = MAX_SHOWN = 120
_REPR.maxother = 120


#: The longest representation of a value an error message shows.
MAX_SHOWN_CHARS = 200


def shown(value: object, limit: int = MAX_SHOWN_CHARS) -> str:
    """``repr(value)`` cut to ``limit`` characters, built without ever making the whole
    representation of a large or deeply shared value (an alias bomb from YAML)."""
    text = reprlib_repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def reprlib_repr(value: object) -> str:
    if isinstance(value, str):
        return repr(value[:MAX_SHOWN_CHARS + 1])
    if isinstance(value, (int, float, bool, type(None))):
        return repr(value)
    return _REPR.repr(value)


class EcoreportError(Exception):
    """Base class of every error ecoreport raises on purpose."""


class IssueCode(StrEnum):
    """What kind of problem an ``Issue`` is. Code that reacts to issues (the Swedish
    warnings of the data appendix) reads the code and the structured fields, never the
    English message."""

    UNKNOWN_INDICATOR = "unknown_indicator"
    WRONG_FILE = "wrong_file"            # a survey item in values.csv or the reverse
    NO_DATA = "no_data"                  # warning: a catalogue indicator without rows
    UNEXPECTED_COLUMN = "unexpected_column"
    DUPLICATE_COLUMN = "duplicate_column"
    MISSING_COLUMNS = "missing_columns"
    BAD_PERIOD = "bad_period"
    MISSING_VALUE = "missing_value"      # warning: ".." and other markers, row ignored
    NOT_A_NUMBER = "not_a_number"
    BAD_STATUS = "bad_status"
    UNKNOWN_SOURCE = "unknown_source"
    SYNTHETIC_SOURCE = "synthetic_source"  # source "synthetic" on an observed value
    OUT_OF_RANGE = "out_of_range"
    IMPLAUSIBLE = "implausible"          # above the unit's max_plausible, or not finite
    YEAR_OUT_OF_RANGE = "year_out_of_range"  # before MIN_YEAR or after the current year
    UNKNOWN_CATEGORY = "unknown_category"
    DUPLICATE_ROW = "duplicate_row"
    UNKNOWN_REGION = "unknown_region"
    SURVEY_SUM = "survey_sum"
    ABRUPT_JUMP = "abrupt_jump"          # warning; details: value, before, after (+ periods)
    GAP = "gap"                          # warning; details: missing_years, first, last,
    #                                      region_codes
    FILE_NOT_FOUND = "file_not_found"
    SECOND_VALUE = "second_value"        # import: two values for one cell
    COLUMN_NOT_READ = "column_not_read"  # import warning: a header that looks like a year
    FRACTION_NOT_PERCENT = "fraction_not_percent"  # import warning: 0.427 where 42.7 is meant


@dataclass
class Issue:
    """One problem found in input data (an error or a warning): where it is, what is wrong
    (``code`` and structured fields) and a message in English for the command line."""

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None
    expected: str | None = None
    region_code: str | None = None
    indicator_id: str | None = None
    code: IssueCode | None = None
    period: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        where = [part for part in (
            self.file,
            f"row {self.row}" if self.row is not None else None,
            f"column '{self.column}'" if self.column else None,
        ) if part]
        text = ", ".join(where)
        text = f"{text}: {self.message}" if text else self.message
        if self.value is not None:
            value = shown(self.value)
            if value not in text:
                text += f" (value {value})"
        if self.expected:
            text += f"; expected {self.expected}"
        return text


class DataError(EcoreportError):
    """Bad input data. ``str()`` names file, row, column, value and what was expected."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None, value: object = None,
                 expected: str | None = None) -> None:
        self.issue = Issue(message=message, file=file, row=row, column=column,
                           value=value, expected=expected)
        super().__init__(str(self.issue))


class ValueSyntaxError(DataError, ValueError):
    """A cell that is not a number or a period. Also a ``ValueError``, so that readers can
    catch it and re-raise naming the file, row and column."""


class DataValidationError(DataError):
    """Several problems found by validation; the message lists them all (first 20).
    ``what`` names them in the first line ("data error(s)")."""

    def __init__(self, issues: list[Issue], *, what: str = "data error(s)") -> None:
        self.issues = list(issues)
        shown = "\n".join(f"  - {issue}" for issue in self.issues[:20])
        more = len(self.issues) - 20
        if more > 0:
            shown += f"\n  … and {more} more"
        EcoreportError.__init__(self, f"{len(self.issues)} {what}:\n{shown}")
        self.issue = self.issues[0] if self.issues else Issue(message="no issues")


class CatalogueError(DataError):
    """A catalogue entry breaks the schema. Names file, entry, field, value and expectation."""

    def __init__(self, problem: str, *, file: str, entry: str | None = None,
                 field: str | None = None, value: object = None,
                 expected: str | None = None) -> None:
        where = ", ".join(part for part in (entry, f"field '{field}'" if field else None) if part)
        super().__init__(f"{where}: {problem}" if where else problem, file=file,
                         value=value, expected=expected)
        self.entry = entry
        self.field = field


class _UnknownKeyError(EcoreportError, KeyError):
    def __str__(self) -> str:  # KeyError would show the repr of the message
        return str(self.args[0]) if self.args else ""


class UnknownIndicatorError(_UnknownKeyError):
    """An indicator id that the catalogue does not declare (also a KeyError)."""


class UnknownDimensionError(_UnknownKeyError):
    """A dimension id that the catalogue does not declare (also a KeyError)."""


class UnknownRegionError(EcoreportError):
    """A region code or name that is not one of the 21 län (or Riket)."""


class UsageError(EcoreportError):
    """A request that cannot be served as asked: saved results for another län or year, a
    setting in the environment with a value ecoreport does not know."""


class FetchError(EcoreportError):
    """An API could not be reached or answered with something unusable."""


class PcaInputError(EcoreportError):
    """Too little data to fit a PCA (names the region, years and what was left)."""


class BuildError(EcoreportError):
    """A notebook or the book build failed; the previous report is left as it was."""
