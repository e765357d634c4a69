"""Progress towards a strategy's targets: reached, on track or behind, from the trend.

A target says that an indicator (in its published unit) should reach ``target_value`` by
``target_year``, rising (``increase``) or falling (``decrease``), counted from
``baseline_year``. The series from the baseline year to the report year is fitted by OLS
(value on year, multi-year periods at their midpoint) and projected to the target year
with a ``PROJECTION_LEVEL`` prediction interval:

- ``reached``: the latest value already meets the target;
- ``on_track``: the projection meets the target;
- ``behind``: it does not;
- ``not_assessed``: fewer than ``MIN_OBSERVATIONS`` values since the baseline.

``certain`` says whether the whole interval lies on the same side of the target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
# statsmodels.api would import all of statsmodels (a second per process)
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

MIN_OBSERVATIONS = 3
PROJECTION_LEVEL = 0.90
STATUS_LABELS_SV = {"reached": "Uppnått", "on_track": "I fas", "behind": "Efter plan",
                    "not_assessed": "Kan inte bedömas"}


@dataclass(frozen=True)
class TargetProgress:
    status: str
    n: int
    baseline_value: float
    latest_period: str | None
    latest_value: float
    projected_value: float
    projected_low: float
    projected_high: float
    certain: bool


def _meets(value: float, target: float, direction: str) -> bool:
    return value >= target if direction == "increase" else value <= target


def assess_target(series: pd.DataFrame, *, baseline_year: int, target_value: float,
                  target_year: int, direction: str, until_year: int | None = None,
                  ) -> TargetProgress:
    """Progress of one target from the län's series (columns period, period_start,
    period_end, value); periods before ``baseline_year`` or after ``until_year`` are
    left out."""
    if direction not in ("increase", "decrease"):
        raise ValueError(f"direction {direction!r}; expected increase or decrease")
    frame = series[series["period_start"] >= baseline_year]
    if until_year is not None:
        frame = frame[frame["period_end"] <= until_year]
    frame = frame.assign(x=(frame["period_start"] + frame["period_end"]) / 2.0)
    frame = frame[np.isfinite(frame["value"].astype(float))].sort_values("x")
    n = len(frame)
    if n == 0:
        return TargetProgress("not_assessed", 0, np.nan, None, np.nan, np.nan, np.nan,
                              np.nan, False)
    baseline = float(frame["value"].iloc[0])
    latest_period, latest = str(frame["period"].iloc[-1]), float(frame["value"].iloc[-1])
    if _meets(latest, target_value, direction):
        return TargetProgress("reached", n, baseline, latest_period, latest, np.nan, np.nan,
                              np.nan, True)
    if n < MIN_OBSERVATIONS:
        return TargetProgress("not_assessed", n, baseline, latest_period, latest, np.nan,
                              np.nan, np.nan, False)
    x = frame["x"].to_numpy(dtype=float)
    y = frame["value"].to_numpy(dtype=float)
    fit = OLS(y, add_constant(x - x.mean())).fit()
    at = np.array([[1.0, float(target_year) - x.mean()]])
    prediction = fit.get_prediction(at).summary_frame(alpha=1.0 - PROJECTION_LEVEL)
    projected = float(prediction["mean"].iloc[0])
    low, high = (float(prediction["obs_ci_lower"].iloc[0]),
                 float(prediction["obs_ci_upper"].iloc[0]))
    if not np.isfinite(low):  # a perfect fit has no residual variance
        low = high = projected
    on_track = _meets(projected, target_value, direction)
    certain = _meets(low if direction == "increase" else high, target_value, direction) \
        if on_track else not _meets(high if direction == "increase" else low, target_value,
                                    direction)
    return TargetProgress("on_track" if on_track else "behind", n, baseline, latest_period,
                          latest, projected, low, high, certain)
