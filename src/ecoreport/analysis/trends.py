"""Linear trends per indicator series: slope, confidence interval, changes, assessment.

A series is one region's values of one indicator over time. Multi-year periods
("2014-2017") enter the regression at their midpoint year, so they are never squashed
into a single calendar year.
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

logger = logging.getLogger(__name__)

MIN_OBSERVATIONS = 3
SIGNIFICANCE_LEVEL = 0.05
# A significant slope whose fitted change over the whole series is below this share of the
# series' mean level is still called "unchanged": tiny but precise drifts are not news.
DEFAULT_RELATIVE_TOLERANCE = 0.01

TREND_COLUMNS = [
    "status", "message", "n", "slope", "slope_ci_low", "slope_ci_high", "p_value",
    "r_squared", "intercept", "is_significant", "first_period", "first_value",
    "last_period", "last_value", "previous_period", "previous_value", "cagr_pct",
    "change_abs", "change_pct", "change_prev_abs", "change_prev_pct",
]


@dataclass(frozen=True)
class TrendResult:
    """The fitted trend of one series; fields are NaN where they cannot be computed.

    ``status`` is "ok" (a regression was fitted), "too_short" (fewer than three
    observations, no regression) or "constant" (all values equal, slope 0).
    """

    status: str
    message: str
    n: int
    slope: float = math.nan
    slope_ci_low: float = math.nan
    slope_ci_high: float = math.nan
    p_value: float = math.nan
    r_squared: float = math.nan
    intercept: float = math.nan
    is_significant: bool = False
    first_period: str | None = None
    first_value: float = math.nan
    last_period: str | None = None
    last_value: float = math.nan
    previous_period: str | None = None
    previous_value: float = math.nan
    cagr_pct: float = math.nan
    change_abs: float = math.nan
    change_pct: float = math.nan
    change_prev_abs: float = math.nan
    change_prev_pct: float = math.nan
    first_year: float = math.nan
    last_year: float = math.nan

    def to_dict(self) -> dict[str, object]:
        """All fields as a plain dict (one row of a trends table)."""
        return asdict(self)


def _pct_change(new: float, old: float) -> float:
    """Percentage change, NaN when the base is zero or missing."""
    if not np.isfinite(new) or not np.isfinite(old) or old == 0:
        return math.nan
    return (new - old) / abs(old) * 100.0


def _series_years(df: pd.DataFrame) -> pd.Series:
    """The regression x: the ``year`` column, else the midpoint of period_start/period_end."""
    if "year" in df.columns:
        return pd.to_numeric(df["year"], errors="raise").astype(float)
    return (pd.to_numeric(df["period_start"]) + pd.to_numeric(df["period_end"])) / 2.0


def _period_labels(df: pd.DataFrame) -> pd.Series:
    """Period text as in values.csv ("2013", "2014-2017")."""
    if "period" in df.columns:
        return df["period"].astype(str)
    start = pd.to_numeric(df["period_start"]).astype(int).astype(str)
    end = pd.to_numeric(df["period_end"]).astype(int).astype(str)
    return start.where(start == end, start + "-" + end)


def fit_trend(df: pd.DataFrame) -> TrendResult:
    """Fit value ~ year by OLS for one series (columns year or period_start/period_end, value).

    Missing values are dropped first; gaps in the years are fine. Returns a
    ``TrendResult``; fewer than three observations give status "too_short" with the
    changes still filled in, equal values give status "constant".
    """
    frame = pd.DataFrame({
        "x": _series_years(df).to_numpy(dtype=float),
        "y": pd.to_numeric(df["value"]).to_numpy(dtype=float),
        "period": _period_labels(df).to_numpy(dtype=object),
    })
    frame = frame[np.isfinite(frame["x"]) & np.isfinite(frame["y"])]
    frame = frame.sort_values("x", kind="stable").reset_index(drop=True)
    n = len(frame)
    if n == 0:
        return TrendResult(status="too_short", n=0,
                           message="Inga observationer; ingen trend kan skattas.")

    x = frame["x"].to_numpy()
    y = frame["y"].to_numpy()
    first_value, last_value = float(y[0]), float(y[-1])
    changes: dict[str, object] = {
        "first_period": str(frame["period"].iloc[0]), "first_value": first_value,
        "last_period": str(frame["period"].iloc[-1]), "last_value": last_value,
        "first_year": float(x[0]), "last_year": float(x[-1]),
        "change_abs": last_value - first_value,
        "change_pct": _pct_change(last_value, first_value),
    }
    if n >= 2:
        previous_value = float(y[-2])
        changes.update(
            previous_period=str(frame["period"].iloc[-2]), previous_value=previous_value,
            change_prev_abs=last_value - previous_value,
            change_prev_pct=_pct_change(last_value, previous_value),
        )
    span = float(x[-1] - x[0])
    if first_value > 0 and last_value > 0 and span > 0:
        changes["cagr_pct"] = ((last_value / first_value) ** (1.0 / span) - 1.0) * 100.0

    distinct_years = len(np.unique(x))
    if n < MIN_OBSERVATIONS or distinct_years < 2:
        return TrendResult(
            status="too_short", n=n,
            message=(f"För få observationer ({n}) för att skatta en trend; "
                     f"minst {MIN_OBSERVATIONS} behövs."),
            **changes)
    if np.ptp(y) == 0:
        return TrendResult(status="constant", n=n, slope=0.0, slope_ci_low=0.0,
                           slope_ci_high=0.0, intercept=float(y[0]),
                           message="Värdet är detsamma under hela perioden.", **changes)

    # A perfect fit (e.g. three points on a line) divides by a zero residual variance;
    # statsmodels then returns inf/0 which is the right limit, so silence the warning.
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = sm.OLS(y, sm.add_constant(x, has_constant="add")).fit()
        ci = np.asarray(fit.conf_int(alpha=SIGNIFICANCE_LEVEL))
        p_value = float(fit.pvalues[1])
    if not np.isfinite(p_value):
        p_value = 0.0 if float(fit.ssr) == 0.0 else math.nan
    return TrendResult(
        status="ok", n=n, message="",
        slope=float(fit.params[1]), intercept=float(fit.params[0]),
        slope_ci_low=float(ci[1, 0]), slope_ci_high=float(ci[1, 1]),
        p_value=p_value, r_squared=float(fit.rsquared),
        is_significant=bool(p_value < SIGNIFICANCE_LEVEL),
        **changes)


def classify_direction(result: TrendResult,
                       relative_tolerance: float = DEFAULT_RELATIVE_TOLERANCE,
                       mean_level: float | None = None) -> str:
    """Return "rising", "falling", "unchanged" or "unknown" (too short to tell).

    A trend counts as rising/falling only if the slope is significant and the fitted
    change over the series exceeds ``relative_tolerance`` of the mean level.
    """
    if result.status == "too_short":
        return "unknown"
    if result.status == "constant" or not result.is_significant:
        return "unchanged"
    level = abs(mean_level) if mean_level is not None else (
        (abs(result.first_value) + abs(result.last_value)) / 2.0)
    fitted_change = abs(result.slope) * (result.last_year - result.first_year)
    if level > 0 and fitted_change < relative_tolerance * level:
        return "unchanged"
    return "rising" if result.slope > 0 else "falling"


def assess_direction(direction: str, polarity: str) -> str:
    """Translate a direction into "improving", "worsening", "unchanged", "not_assessed", "unknown".

    Neutral indicators (polarity "neutral") are never judged: "not_assessed".
    """
    if direction == "unknown":
        return "unknown"
    if direction == "unchanged":
        return "unchanged"
    if polarity == "higher_is_better":
        return "improving" if direction == "rising" else "worsening"
    if polarity == "higher_is_worse":
        return "worsening" if direction == "rising" else "improving"
    return "not_assessed"


def compute_trends(values: pd.DataFrame, region_code: str, catalogue: object, *,
                   until_year: int | None = None,
                   relative_tolerance: float = DEFAULT_RELATIVE_TOLERANCE,
                   value_column: str = "value") -> pd.DataFrame:
    """One row per register indicator with data for ``region_code``: trend fields,
    ``direction``, ``assessment`` and ``has_synthetic``.

    ``until_year`` drops periods ending after it. ``value_column`` may be
    "value_normalised" (see ``compare.normalise_values``) to fit per-capita series.
    """
    indicators = catalogue.indicators
    frame = values[values["region_code"] == region_code]
    if until_year is not None:
        frame = frame[frame["period_end"] <= until_year]
    rows: list[dict[str, object]] = []
    for indicator_id, series in frame.groupby("indicator_id", sort=True):
        meta = indicators.get(indicator_id)
        if meta is None:
            logger.warning("compute_trends: indicator %r is not in the catalogue; skipped",
                           indicator_id)
            continue
        if getattr(meta, "kind", "register") != "register":
            continue
        series_for_fit = series.assign(value=series[value_column])
        result = fit_trend(series_for_fit)
        observed = pd.to_numeric(series_for_fit["value"]).dropna()
        direction = classify_direction(
            result, relative_tolerance,
            mean_level=float(observed.mean()) if len(observed) else None)
        polarity = getattr(meta, "polarity", "neutral")
        row = {"indicator_id": indicator_id,
               "dimension": getattr(meta, "dimension", None),
               "polarity": polarity}
        row.update(result.to_dict())
        row["direction"] = direction
        row["assessment"] = assess_direction(direction, polarity)
        row["has_synthetic"] = bool((series.get("status") == "synthetic").any()) \
            if "status" in series.columns else False
        rows.append(row)
    columns = ["indicator_id", "dimension", "polarity", *TREND_COLUMNS, "first_year",
               "last_year", "direction", "assessment", "has_synthetic"]
    result_frame = pd.DataFrame(rows, columns=columns)
    logger.debug("compute_trends: %d indicators for region %s", len(result_frame), region_code)
    return result_frame
