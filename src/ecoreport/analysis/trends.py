"""Linear trends per indicator series: slope, confidence interval, changes, assessment.

A series is one region's values of one indicator over time. Multi-year periods
("2014-2017") enter the regression at their midpoint year, so they are never squashed
into a single calendar year.

Method (see the method chapter): the trend of a report is fitted over the report window
(``REPORT_FIRST_YEAR`` to the report year) and never across a ``method_break`` declared in
the catalogue, on the normalised value where the catalogue normalises (the raw series is
fitted beside it). Where the values carry a ``status`` column, the test, slope and
interval of ``compute_trends`` use the observed points only: a synthetic value never
makes a trend.

**The test** (``SE_CALIBRATED``, the default) is built for the report's length: a dozen
yearly values, often near a unit root (counts, money). The statistic is the OLS slope over
its AR(1)-inflated standard error (``SE_AR1`` below). Its null distribution depends on the
unknown persistence φ of the noise, which twelve points cannot pin down, so its critical
value is not taken from a t table but simulated, for the series' own years (gaps
included), under AR(1) noise without trend for every φ of ``PHI_GRID`` (0 to 1, the random
walk included; ``CALIBRATION_DRAWS`` series each, fixed seed). The residual
autocorrelation r of the detrended series does not depend on the slope, the level or the
scale, so it yields an exact upper confidence bound for φ: every φ of the grid whose
simulated r falls at or below the observed r in at least ``PHI_CONFIDENCE`` of the draws.
The p-value is the largest simulated tail probability of |t| over φ from 0 to that bound,
and the 95 % interval of the slope uses the largest simulated critical value over the same
φ, so the interval excludes 0 exactly when p < ``SIGNIFICANCE_LEVEL``. This is a
maximised Monte Carlo test over a confidence set for the nuisance parameter (Dufour 2006,
two-stage): for AR(1) noise with φ in [0, 1] its false-positive rate is bounded by
``PHI_CONFIDENCE`` + ``SIGNIFICANCE_LEVEL`` (Bonferroni; the grid is dense where the
critical value grows fastest), and measured well below that: the rates at n = 12 and at
the report's gapped year patterns are in ``test_trend_calibration.py`` and, glued from
:func:`null_rejection_rates`, in the method chapter. The price is power against weak
trends (:func:`trend_power`).

The older tests stay available: ``SE_AR1`` inflates the OLS standard error by the AR(1)
effective sample size n_eff = n(1-r)/(1+r), r bias-corrected by (1+4r)/n and clipped to
[0, 0.95], with a t distribution on n_eff-2 degrees of freedom (at n = 12 it rejects a true
null in about 11 % of AR(1) φ = 0.5 series and 25 % of random walks). Newey-West HAC
(``SE_HAC``: Bartlett kernel, maxlags floor(4(n/100)^(2/9)), statsmodels) rejects a true
null in 15 % of white-noise series of length 12.
A trend is only "significant" when the test can be trusted: at least
``MIN_TEST_OBSERVATIONS`` (observed) points and no multi-year (overlapping) periods;
otherwise a small p-value makes it "indicative". Across the indicators of a report the
false discovery rate is controlled (Benjamini-Hochberg, :func:`control_fdr`): a trend is
"significant" only when its BH-adjusted p-value (``q_value``) is below
``SIGNIFICANCE_LEVEL``.
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
# statsmodels.api would import all of statsmodels (a second per process)
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant
from scipy import stats

from ecoreport.analysis.compare import _subset, normalise_values

logger = logging.getLogger(__name__)

MIN_OBSERVATIONS = 3
MIN_TEST_OBSERVATIONS = 8
SIGNIFICANCE_LEVEL = 0.05
REPORT_FIRST_YEAR = 2013  # the default first year of the report window
SE_CALIBRATED = "ar1_simulated_critical_value"
SE_AR1 = "ols_ar1_effective_n"
SE_HAC = "hac_newey_west"
SE_OLS = "ols"
SE_METHODS = (SE_CALIBRATED, SE_AR1, SE_HAC, SE_OLS)
# The calibrated test (SE_CALIBRATED): the AR(1) persistences simulated (1 = random walk),
# the draws per persistence, their seed, and the level of the upper confidence bound of φ.
PHI_GRID = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0)
CALIBRATION_DRAWS = 4999
CALIBRATION_SEED = 20261206
PHI_CONFIDENCE = 0.05
# What a trend may claim: a test that can be trusted and rejects, one that cannot be trusted
# (few points or overlapping periods), no rejection, no regression at all.
CLAIMS = ("significant", "indicative", "not_significant", "insufficient")
# A significant slope whose fitted change over the whole series is below this share of the
# series' mean level is still called "unchanged": tiny but precise drifts are not news.
DEFAULT_RELATIVE_TOLERANCE = 0.01

TREND_COLUMNS = [
    "status", "message", "n", "slope", "slope_ci_low", "slope_ci_high", "p_value",
    "r_squared", "intercept", "is_significant", "first_period", "first_value",
    "last_period", "last_value", "previous_period", "previous_value", "cagr_pct",
    "change_abs", "change_pct", "change_prev_abs", "change_prev_pct", "se_method", "claim",
    "residual_autocorrelation", "phi_upper", "testable",
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
    se_method: str = SE_CALIBRATED
    claim: str = "insufficient"
    residual_autocorrelation: float = math.nan
    phi_upper: float = math.nan
    testable: bool = False

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


def newey_west_lags(n: int) -> int:
    """The Newey-West (1994) rule of thumb for the HAC bandwidth: floor(4(n/100)^(2/9))."""
    return int(math.floor(4 * (n / 100.0) ** (2.0 / 9.0)))


def ar1_t_statistics(x: np.ndarray, ys: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Slope, AR(1)-inflated standard error, residual lag-1 autocorrelation and the
    degrees of freedom n_eff - 2 of the OLS fit ``y ~ x`` of each row of ``ys`` (the
    ``SE_AR1`` statistic, vectorised)."""
    x = np.asarray(x, dtype=float)
    ys = np.atleast_2d(np.asarray(ys, dtype=float))
    n = len(x)
    centred = x - x.mean()
    sxx = float(centred @ centred)
    slope = ys @ centred / sxx
    resid = ys - ys.mean(axis=1, keepdims=True) - slope[:, None] * centred
    ssr = np.einsum("ij,ij->i", resid, resid)
    safe = np.where(ssr > 0, ssr, 1.0)
    rho = np.where(ssr > 0, np.einsum("ij,ij->i", resid[:, 1:], resid[:, :-1]) / safe, 0.0)
    corrected = np.clip(rho + (1 + 4 * rho) / n, 0.0, 0.95)
    n_eff = n * (1 - corrected) / (1 + corrected)
    df = np.maximum(n_eff - 2.0, 1.0)
    se = np.sqrt(ssr / max(n - 2, 1) / sxx) * np.sqrt((n - 2) / df)
    return slope, se, rho, df


def simulate_null(x: np.ndarray, phi: float, draws: int, rng: np.random.Generator
                  ) -> np.ndarray:
    """``draws`` series of AR(1) noise without trend at the times ``x`` (gaps allowed):
    stationary with unit variance for phi < 1 (persistence phi per year, so phi**gap across
    a gap), a Gaussian random walk for phi = 1."""
    gaps = np.diff(np.asarray(x, dtype=float))
    shocks = rng.standard_normal((draws, len(x)))
    out = np.empty_like(shocks)
    out[:, 0] = 0.0 if phi >= 1 else shocks[:, 0]
    for i, gap in enumerate(gaps, start=1):
        if phi >= 1:
            out[:, i] = out[:, i - 1] + math.sqrt(gap) * shocks[:, i]
        else:
            carry = phi ** gap
            out[:, i] = carry * out[:, i - 1] + math.sqrt(1 - carry ** 2) * shocks[:, i]
    return out


@dataclass(frozen=True)
class NullCalibration:
    """Simulated null distributions of the ``SE_AR1`` statistic for one set of years:
    per φ of ``phi_grid`` the sorted residual autocorrelations, the sorted |t| and the
    critical value at ``SIGNIFICANCE_LEVEL``."""

    phi_grid: np.ndarray
    rho_sorted: np.ndarray
    abs_t_sorted: np.ndarray
    critical: np.ndarray

    @property
    def draws(self) -> int:
        return self.rho_sorted.shape[1]

    def phi_upper_index(self, rho: np.ndarray) -> np.ndarray:
        """Index into ``phi_grid`` of the upper confidence bound of φ for each observed
        residual autocorrelation: the largest φ whose simulated r is at or below the
        observed one in at least ``PHI_CONFIDENCE`` of the draws (never below φ = 0)."""
        rho = np.atleast_1d(np.asarray(rho, dtype=float))
        below = np.stack([np.searchsorted(row, rho, side="right") for row in self.rho_sorted])
        plausible = below >= PHI_CONFIDENCE * self.draws
        plausible[0] = True
        # the largest plausible grid index (the grid is ordered by φ)
        return len(self.phi_grid) - 1 - np.argmax(plausible[::-1], axis=0)

    def test(self, t: np.ndarray, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """p-value, critical value and upper bound of φ for statistics ``t`` with residual
        autocorrelations ``rho`` (arrays of equal length)."""
        t = np.abs(np.atleast_1d(np.asarray(t, dtype=float)))
        upper = self.phi_upper_index(rho)
        m = self.draws
        exceed = np.stack([m - np.searchsorted(row, t, side="left") for row in self.abs_t_sorted])
        tail = (exceed + 1.0) / (m + 1.0)
        inside = np.arange(len(self.phi_grid))[:, None] <= upper[None, :]
        p_value = np.where(inside, tail, 0.0).max(axis=0)
        critical = np.where(inside, self.critical[:, None], 0.0).max(axis=0)
        return p_value, critical, self.phi_grid[upper]


@lru_cache(maxsize=32)  # about 1 MB each; a report uses a handful of year patterns
def _calibration(offsets: tuple[float, ...]) -> NullCalibration:
    x = np.asarray(offsets, dtype=float)
    rng = np.random.default_rng(CALIBRATION_SEED)
    m = CALIBRATION_DRAWS
    # |t| just above sorted[j] has a tail (m - j) / (m + 1) < alpha; at sorted[j] it has not
    j = min(int(math.floor(m - round(SIGNIFICANCE_LEVEL * (m + 1), 9))) + 1, m - 1)
    rhos, abs_ts = [], []
    for phi in PHI_GRID:
        with np.errstate(divide="ignore", invalid="ignore"):
            slope, se, rho, _ = ar1_t_statistics(x, simulate_null(x, phi, m, rng))
            abs_t = np.abs(np.where(se > 0, slope / se, np.inf))
        rhos.append(np.sort(rho))
        abs_ts.append(np.sort(abs_t))
    abs_t_sorted = np.stack(abs_ts)
    return NullCalibration(phi_grid=np.asarray(PHI_GRID), rho_sorted=np.stack(rhos),
                           abs_t_sorted=abs_t_sorted, critical=abs_t_sorted[:, j].copy())


def null_calibration(x: np.ndarray) -> NullCalibration:
    """The (cached) simulated null distributions for the years ``x``: they depend only on
    the gaps between the years, so the years are shifted to start at 0."""
    x = np.asarray(x, dtype=float)
    return _calibration(tuple(np.round(x - x[0], 6).tolist()))


def calibrated_test(x: np.ndarray, ys: np.ndarray
                    ) -> dict[str, np.ndarray]:
    """The ``SE_CALIBRATED`` test of each row of ``ys`` on the years ``x``: slope, interval,
    p-value, residual autocorrelation and the upper confidence bound of φ (arrays)."""
    ys = np.atleast_2d(np.asarray(ys, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        slope, se, rho, _ = ar1_t_statistics(x, ys)
        t = np.where(se > 0, slope / se, np.where(slope == 0, 0.0, np.inf))
    p_value, critical, phi_upper = null_calibration(x).test(t, rho)
    return {"slope": slope, "ci_low": slope - critical * se, "ci_high": slope + critical * se,
            "p_value": p_value, "rho": rho, "phi_upper": phi_upper}


def null_rejection_rates(n: int = 12, series: int = 2000, seed: int = 19,
                         phis: tuple[float, ...] = (0.0, 0.5, 0.8, 1.0),
                         se_method: str = SE_CALIBRATED,
                         years: np.ndarray | None = None) -> dict[float, float]:
    """Share of ``series`` trendless AR(1) series (φ = 1: random walk) of ``n`` yearly
    values (or at ``years``) in which ``se_method`` rejects at ``SIGNIFICANCE_LEVEL``: the
    false-positive rates the method chapter reports."""
    x = np.arange(n, dtype=float) if years is None else np.asarray(years, dtype=float)
    rng = np.random.default_rng(seed)
    rates = {}
    for phi in phis:
        ys = simulate_null(x, phi, series, rng)
        if se_method == SE_CALIBRATED:
            p_values = calibrated_test(x, ys)["p_value"]
        elif se_method == SE_AR1:
            with np.errstate(divide="ignore", invalid="ignore"):
                slope, se, _, df = ar1_t_statistics(x, ys)
                p_values = 2 * stats.t.sf(np.abs(slope / se), df)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                p_values = np.array([slope_test(x, y, se_method)[3] for y in ys])
        rates[phi] = float(np.mean(p_values < SIGNIFICANCE_LEVEL))
    return rates


def trend_power(ratio: float, phi: float = 0.0, n: int = 12, series: int = 2000,
                seed: int = 23) -> float:
    """Share of ``series`` series of ``n`` yearly values, a linear trend of ``ratio``
    noise standard deviations per year plus AR(1) noise (persistence ``phi``, unit
    variance), in which the calibrated test rejects at ``SIGNIFICANCE_LEVEL``."""
    x = np.arange(n, dtype=float)
    ys = simulate_null(x, phi, series, np.random.default_rng(seed)) + ratio * x
    return float(np.mean(calibrated_test(x, ys)["p_value"] < SIGNIFICANCE_LEVEL))


def slope_test(x: np.ndarray, y: np.ndarray, se_method: str
                ) -> tuple[object, float, float, float, float]:
    """OLS fit, slope CI low/high, p-value and residual lag-1 autocorrelation."""
    design = add_constant(x, has_constant="add")
    fit = OLS(y, design).fit()
    resid = np.asarray(fit.resid)
    denom = float(resid @ resid)
    rho = float(resid[1:] @ resid[:-1] / denom) if denom > 0 else 0.0
    n = len(y)
    if se_method == SE_OLS:
        ci = np.asarray(fit.conf_int(alpha=SIGNIFICANCE_LEVEL))
        return fit, float(ci[1, 0]), float(ci[1, 1]), float(fit.pvalues[1]), rho
    if se_method == SE_HAC:
        hac = OLS(y, design).fit(cov_type="HAC", use_t=True, cov_kwds={
            "maxlags": newey_west_lags(n), "use_correction": True})
        ci = np.asarray(hac.conf_int(alpha=SIGNIFICANCE_LEVEL))
        return fit, float(ci[1, 0]), float(ci[1, 1]), float(hac.pvalues[1]), rho
    if se_method == SE_CALIBRATED:
        test = calibrated_test(x, y)
        return (fit, float(test["ci_low"][0]), float(test["ci_high"][0]),
                float(test["p_value"][0]), rho)
    if se_method != SE_AR1:
        raise ValueError(f"se_method must be one of {SE_METHODS}, got {se_method!r}")
    corrected = min(max(rho + (1 + 4 * rho) / n, 0.0), 0.95)
    n_eff = n * (1 - corrected) / (1 + corrected)
    df = max(n_eff - 2.0, 1.0)
    se = float(fit.bse[1]) * math.sqrt((n - 2) / df)
    slope = float(fit.params[1])
    t_crit = float(stats.t.ppf(1 - SIGNIFICANCE_LEVEL / 2, df))
    p_value = float(2 * stats.t.sf(abs(slope / se), df)) if se > 0 else 0.0
    return fit, slope - t_crit * se, slope + t_crit * se, p_value, rho


def trend_claim(p_value: float, n: int, has_overlap: bool) -> str:
    """What a fitted trend may claim (one of ``CLAIMS``)."""
    if not np.isfinite(p_value):
        return "insufficient"
    if p_value >= SIGNIFICANCE_LEVEL:
        return "not_significant"
    if n < MIN_TEST_OBSERVATIONS or has_overlap:
        return "indicative"
    return "significant"


def fit_trend(df: pd.DataFrame, *, se_method: str = SE_CALIBRATED) -> TrendResult:
    """Fit value ~ year for one series (columns year or period_start/period_end, value).

    Missing values are dropped first; gaps in the years are fine. Returns a
    ``TrendResult``; fewer than three observations give status "too_short" with the
    changes still filled in, equal values give status "constant". ``se_method`` is one of
    ``SE_METHODS`` (see the module docstring); ``is_significant`` is true only when the
    claim is "significant".
    """
    frame = pd.DataFrame({
        "x": _series_years(df).to_numpy(dtype=float),
        "y": pd.to_numeric(df["value"]).to_numpy(dtype=float),
        "period": _period_labels(df).to_numpy(dtype=object),
    })
    if "period_start" in df.columns and "period_end" in df.columns:
        frame["span"] = (pd.to_numeric(df["period_end"])
                         - pd.to_numeric(df["period_start"])).to_numpy(dtype=float)
    else:
        frame["span"] = 0.0
    frame = frame[np.isfinite(frame["x"]) & np.isfinite(frame["y"])]
    frame = frame.sort_values("x", kind="stable").reset_index(drop=True)
    n = len(frame)
    if n == 0:
        return TrendResult(status="too_short", n=0, se_method=se_method,
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
        "se_method": se_method,
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
                           slope_ci_high=0.0, intercept=float(y[0]), claim="not_significant",
                           message="Värdet är detsamma under hela perioden.", **changes)

    # A perfect fit (e.g. three points on a line) divides by a zero residual variance;
    # statsmodels then returns inf/0 which is the right limit, so silence the warning.
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        fit, ci_low, ci_high, p_value, rho = slope_test(x, y, se_method)
        phi_upper = (float(calibrated_test(x, y)["phi_upper"][0])
                     if se_method == SE_CALIBRATED else math.nan)
    if not np.isfinite(p_value):
        p_value = 0.0 if float(fit.ssr) == 0.0 else math.nan
    overlap = bool((frame["span"] > 0).any())
    claim = trend_claim(p_value, n, overlap)
    return TrendResult(
        status="ok", n=n, message="",
        slope=float(fit.params[1]), intercept=float(fit.params[0]),
        slope_ci_low=ci_low, slope_ci_high=ci_high,
        p_value=p_value, r_squared=float(fit.rsquared),
        is_significant=claim == "significant", claim=claim,
        testable=bool(np.isfinite(p_value)) and n >= MIN_TEST_OBSERVATIONS and not overlap,
        residual_autocorrelation=rho, phi_upper=phi_upper, **changes)


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


def window_start(catalogue: object, indicator_id: str,
                 from_year: int | None = REPORT_FIRST_YEAR) -> int | None:
    """The first year a trend of ``indicator_id`` may use: the report window's start or
    the catalogue's ``method_break``, whichever is later (None: no lower bound)."""
    meta = catalogue.indicators.get(indicator_id)
    method_break = getattr(meta, "method_break", None)
    bounds = [b for b in (from_year, method_break) if b is not None]
    return max(bounds) if bounds else None


RAW_COLUMNS = ["raw_slope", "raw_slope_ci_low", "raw_slope_ci_high", "raw_p_value"]


def compute_trends(values: pd.DataFrame, region_code: str, catalogue: object, *,
                   until_year: int | None = None,
                   from_year: int | None = REPORT_FIRST_YEAR,
                   relative_tolerance: float = DEFAULT_RELATIVE_TOLERANCE,
                   se_method: str = SE_CALIBRATED) -> pd.DataFrame:
    """One row per register indicator with data for ``region_code`` in the window: trend
    fields, ``direction``, ``assessment``, ``has_synthetic`` and ``n_synthetic``.

    The window runs from ``from_year`` (or the indicator's ``method_break``, if later)
    to ``until_year``. The slope, its interval, p-value and claim are those of the
    normalised series (``normalised_unit``; the raw series where the catalogue does not
    normalise) at its observed points only (``n``/``n_observed`` of them, from
    ``fit_first_period`` to ``fit_last_period``; a status "synthetic" value never enters a
    trend, so fewer than ``MIN_TEST_OBSERVATIONS`` observed points never make a
    "significant" claim); ``first_value``/``last_value`` and the changes are the raw values
    the charts show (synthetic ones included), and ``raw_slope`` … ``raw_p_value`` the raw
    observed series' own trend. The claims are per series: :func:`control_fdr` makes
    them hold across the indicators of a report.
    """
    indicators = catalogue.indicators
    frame = values[values["region_code"] == region_code]
    if until_year is not None:
        frame = frame[frame["period_end"] <= until_year]
    ids = sorted(i for i in frame["indicator_id"].unique()
                 if indicators.get(i) is not None
                 and getattr(indicators[i], "kind", "register") == "register")
    for unknown in sorted(set(frame["indicator_id"]) - set(indicators)):
        logger.warning("compute_trends: indicator %r is not in the catalogue; skipped", unknown)
    normalised = normalise_values(_subset(frame, ids), catalogue) if ids else frame.assign(
        value_normalised=np.nan, normalised_unit="")
    rows: list[dict[str, object]] = []
    for indicator_id in ids:
        meta = indicators[indicator_id]
        series = normalised[normalised["indicator_id"] == indicator_id]
        start = window_start(catalogue, indicator_id, from_year)
        if start is not None:
            series = series[series["period_start"] >= start]
        if series.empty:
            continue
        synthetic = (series["status"] == "synthetic") if "status" in series.columns else \
            pd.Series(False, index=series.index)
        # the changes shown beside the chart use every point; the trend only observed ones
        shown = fit_trend(series, se_method=se_method)
        measured = series[~synthetic]
        raw = fit_trend(measured, se_method=se_method)
        fitted = fit_trend(measured.assign(value=measured["value_normalised"]),
                           se_method=se_method)
        observed = pd.to_numeric(measured["value_normalised"]).dropna()
        direction = classify_direction(
            fitted, relative_tolerance,
            mean_level=float(observed.mean()) if len(observed) else None)
        polarity = getattr(meta, "polarity", "neutral")
        row = {"indicator_id": indicator_id,
               "dimension": getattr(meta, "dimension", None),
               "polarity": polarity}
        row.update(shown.to_dict())
        for key in ("status", "message", "n", "slope", "slope_ci_low", "slope_ci_high",
                    "p_value", "r_squared", "intercept", "is_significant", "claim",
                    "residual_autocorrelation", "phi_upper", "se_method", "testable"):
            row[key] = getattr(fitted, key)
        row["fit_first_period"], row["fit_last_period"] = fitted.first_period, \
            fitted.last_period
        row.update(zip(RAW_COLUMNS, (raw.slope, raw.slope_ci_low, raw.slope_ci_high,
                                     raw.p_value)))
        row["normalised_unit"] = str(series["normalised_unit"].iloc[0])
        row["window_start"] = start
        row["direction"] = direction
        row["assessment"] = assess_direction(direction, polarity)
        row["n_observed"] = len(observed)
        row["has_synthetic"] = bool(synthetic.any())
        row["n_synthetic"] = int(synthetic.sum())
        rows.append(row)
    columns = ["indicator_id", "dimension", "polarity", *TREND_COLUMNS, "first_year",
               "last_year", *RAW_COLUMNS, "normalised_unit", "window_start", "direction",
               "assessment", "fit_first_period", "fit_last_period", "n_observed",
               "has_synthetic", "n_synthetic"]
    result_frame = pd.DataFrame(rows, columns=columns)
    logger.debug("compute_trends: %d indicators for region %s", len(result_frame), region_code)
    return result_frame


def benjamini_hochberg(p_values: object) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) of a family of tests: rejecting
    every q < alpha keeps the expected share of false discoveries below alpha (for
    independent or positively dependent tests). NaN p-values stay NaN and are not
    counted in the family."""
    p = np.asarray(p_values, dtype=float)
    q = np.full(p.shape, np.nan)
    finite = np.isfinite(p)
    m = int(finite.sum())
    if m == 0:
        return q
    values = p[finite]
    order = np.argsort(values, kind="stable")
    scaled = values[order] * m / np.arange(1, m + 1)
    monotone = np.minimum.accumulate(scaled[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(monotone, 1.0)
    q[finite] = adjusted
    return q


def control_fdr(trends: pd.DataFrame, alpha: float = SIGNIFICANCE_LEVEL) -> pd.DataFrame:
    """``trends`` (:func:`compute_trends`) with the false discovery rate controlled across
    its rows: ``q_value`` is the Benjamini-Hochberg adjusted p-value over the trends whose
    test can be trusted (``testable``: at least ``MIN_TEST_OBSERVATIONS`` observed points,
    no overlapping periods; without that column, claim "significant" or
    "not_significant"), and a trend stays
    "significant" (with its direction and assessment) only when q < ``alpha``; the others
    become "not_significant", "unchanged". A new frame; ``trends`` is not changed."""
    table = trends.copy()
    table["q_value"] = math.nan
    if table.empty:
        return table
    family = (table["testable"].fillna(False).astype(bool) if "testable" in table.columns
              else table["claim"].isin(["significant", "not_significant"]))
    table.loc[family, "q_value"] = benjamini_hochberg(table.loc[family, "p_value"])
    demoted = family & (table["claim"] == "significant") & ~(table["q_value"] < alpha)
    table.loc[demoted, "claim"] = "not_significant"
    table.loc[demoted, "is_significant"] = False
    if "direction" in table.columns:
        table.loc[demoted, "direction"] = "unchanged"
    if "assessment" in table.columns:
        table.loc[demoted, "assessment"] = [
            assess_direction("unchanged", polarity) for polarity in
            table.loc[demoted, "polarity"]] if "polarity" in table.columns else "unchanged"
    if demoted.any():
        logger.debug("control_fdr: %d of %d trends no longer significant after BH",
                     int(demoted.sum()), int(family.sum()))
    return table
