"""Swedish number formatting for text, tables and charts.

Conventions (Swedish official statistics style):

* decimal comma: ``3,48``;
* thousands grouped with a no-break space (U+00A0) from 1 000 upwards: ``89 045``,
  ``4 015`` (grouping is applied to every number >= 1 000, so tables stay consistent);
* minus sign U+2212: ``−0,38``;
* missing values (None, NaN, pandas NA) are shown as an en dash ``–``;
* rounding is half away from zero on the decimal value as written (2,675 → 2,68),
  which is what readers expect, unlike binary round-half-even;
* periods are written with an en dash: ``2014–2017``.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, Protocol

import pandas as pd

from ecoreport.data.tables import parse_period

NBSP = "\u00a0"
MINUS = "\u2212"
EN_DASH = "\u2013"
MISSING = EN_DASH

#: d3-format locale for Vega/Altair charts (``alt.renderers`` / vegaEmbed ``formatLocale``).
VEGA_SV_LOCALE: dict[str, object] = {
    "decimal": ",",
    "thousands": NBSP,
    "grouping": [3],
    "currency": ["", " kr"],
}

#: d3-time-format locale (sv-SE) for Vega/Altair charts (vegaEmbed ``timeFormatLocale``).
VEGA_SV_TIME_LOCALE: dict[str, object] = {
    "dateTime": "%A den %d %B %Y %X",
    "date": "%Y-%m-%d",
    "time": "%H:%M:%S",
    "periods": ["fm", "em"],
    "days": ["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"],
    "shortDays": ["sön", "mån", "tis", "ons", "tor", "fre", "lör"],
    "months": ["januari", "februari", "mars", "april", "maj", "juni", "juli",
               "augusti", "september", "oktober", "november", "december"],
    "shortMonths": ["jan", "feb", "mar", "apr", "maj", "jun", "jul",
                    "aug", "sep", "okt", "nov", "dec"],
}

_DASH_RE = re.compile(r"\s*[-\u2013\u2014\u2212]\s*")  # a period may come already formatted
# Units written as symbols take a no-break space; word units a plain space.
_SYMBOL_UNITS = ("%", "‰", "°")


class UnitLike(Protocol):
    """Anything with the Swedish unit labels of a catalogue ``Unit``."""

    short_sv: str
    label_sv: str


def is_missing(x: object) -> bool:
    """Return True for None, NaN and pandas NA/NaT."""
    if x is None or x is pd.NA or x is pd.NaT:
        return True
    if isinstance(x, numbers.Real):
        return math.isnan(float(x))
    return False


def round_half_up(x: float, decimals: int = 0) -> Decimal:
    """Round ``x`` half away from zero to ``decimals`` places, as a Decimal."""
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP)


def _group_thousands(digits: str) -> str:
    """Insert NBSP between groups of three in a string of digits."""
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return NBSP.join(groups)


def format_number(x: object, decimals: int = 0) -> str:
    """Format a number the Swedish way: ``89045`` → ``"89 045"``, ``3.48`` → ``"3,48"``.

    Negative numbers get U+2212, missing values an en dash. A value that rounds to zero
    is shown without sign.
    """
    if is_missing(x):
        return MISSING
    if not isinstance(x, numbers.Real):
        raise TypeError(f"format_number expects a number, got {x!r}")
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    value = float(x)
    if math.isinf(value):
        return ("" if value > 0 else MINUS) + "\u221e"
    rounded = round_half_up(value, decimals)
    sign = MINUS if rounded < 0 else ""
    text = f"{abs(rounded):.{decimals}f}"
    whole, _, fraction = text.partition(".")
    whole = _group_thousands(whole)
    return f"{sign}{whole},{fraction}" if fraction else f"{sign}{whole}"


def format_percent(x: object, decimals: int = 1,
                   style: Literal["word", "symbol"] = "word") -> str:
    """Format a value already in percent: ``3.5`` → ``"3,5 procent"`` or ``"3,5 %"``.

    With ``style="symbol"`` a no-break space precedes ``%``. Missing → ``"–"``.
    """
    if is_missing(x):
        return MISSING
    number = format_number(x, decimals)
    if style == "symbol":
        return f"{number}{NBSP}%"
    if style == "word":
        return f"{number} procent"
    raise ValueError(f"style must be 'word' or 'symbol', got {style!r}")


def format_change_pp(x: object, decimals: int = 1, signed: bool = True) -> str:
    """Format a change in percentage points: ``1.24`` → ``"+1,2 procentenheter"``.

    ``signed=False`` drops the sign (for "ökat med 1,2 procentenheter"); exactly one
    unit is singular ("1 procentenhet"). Missing → ``"–"``.
    """
    if is_missing(x):
        return MISSING
    number = format_number(abs(float(x)) if not signed else x, decimals)
    if signed and not number.startswith(MINUS) and round_half_up(float(x), decimals) != 0:
        number = "+" + number
    word = "procentenhet" if number.lstrip("+" + MINUS) == "1" else "procentenheter"
    return f"{number} {word}"


def format_period(period: object) -> str:
    """Format a period for Swedish text: ``"2014-2017"`` → ``"2014–2017"`` (en dash).

    A single year stays as it is; ``2013`` (int) → ``"2013"``.
    """
    start, end = parse_period(_DASH_RE.sub("-", str(period)))
    return f"{start}{EN_DASH}{end}" if end != start else str(start)


def format_unit_number(number: str, unit_text: str) -> str:
    """Join a formatted number and a unit text (NBSP before symbols like ``%``)."""
    if not unit_text:
        return number
    separator = NBSP if unit_text.startswith(_SYMBOL_UNITS) else " "
    return f"{number}{separator}{unit_text}"


def format_value(x: object, unit: UnitLike | str | None, decimals: int = 0,
                 style: Literal["short", "label"] = "short") -> str:
    """Format a value with its unit: ``"148 729 mnkr"``, ``"2,15 procent av BRP"``.

    ``unit`` is a catalogue Unit (``short_sv``/``label_sv``), a plain string or None.
    ``style`` picks ``short_sv`` (default) or ``label_sv``; an empty short label falls
    back to the long one. Missing → ``"–"`` without unit.
    """
    if is_missing(x):
        return MISSING
    if unit is None:
        unit_text = ""
    elif isinstance(unit, str):
        unit_text = unit
    elif style == "short":
        unit_text = getattr(unit, "short_sv", "") or getattr(unit, "label_sv", "")
    elif style == "label":
        unit_text = getattr(unit, "label_sv", "") or getattr(unit, "short_sv", "")
    else:
        raise ValueError(f"style must be 'short' or 'label', got {style!r}")
    return format_unit_number(format_number(x, decimals), unit_text.strip())


def format_table(df: pd.DataFrame, decimals: Mapping[str, int] | int | None = None,
                 default_decimals: int = 1) -> pd.DataFrame:
    """Return a copy of ``df`` whose numeric columns are Swedish-formatted strings.

    A plain frame of strings (not a Styler) is returned on purpose: it renders the same
    in HTML, LaTeX (``to_latex``), Markdown and the text/plain output that PDF builds
    fall back to. ``decimals`` maps column → decimals (or one int for all numeric
    columns); unmapped integer columns get 0 decimals, unmapped float columns
    ``default_decimals``. Non-numeric columns and the index are left unchanged.
    """
    if isinstance(decimals, Mapping):
        unknown = set(decimals) - set(df.columns)
        if unknown:
            raise KeyError(f"format_table: decimals given for unknown column(s) {sorted(unknown)}")
    out = df.copy()
    for column in df.columns:
        series = df[column]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if isinstance(decimals, Mapping) and column in decimals:
            n = decimals[column]
        elif isinstance(decimals, int):
            n = decimals
        elif pd.api.types.is_integer_dtype(series):
            n = 0
        else:
            n = default_decimals
        out[column] = pd.Series([format_number(v, n) for v in series],
                                index=series.index, dtype=object)
    return out


def d3_format(decimals: int = 0) -> str:
    """Return a d3 format string with grouping: ``d3_format(2)`` → ``",.2f"``.

    Used with :data:`VEGA_SV_LOCALE` so charts show Swedish numbers.
    """
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    return f",.{decimals}f"


_HYPHEN_RANGE = re.compile(r"(?<![\w./:-])(\d+)-(\d+)(?![\w/-])")


def en_dash_ranges(text: str) -> str:
    """Number ranges written with a hyphen ("1-20 procent", as answer categories come from
    a questionnaire) with the en dash Swedish typography uses: "1–20 procent"."""
    return _HYPHEN_RANGE.sub("\\1\u2013\\2", str(text))
