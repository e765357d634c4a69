"""What a report may state as a finding: observed values only, claims a test supports.

A finding is one of

* ``strength``/``weakness``: the län ranks in the top/bottom third of the län on an
  analysed indicator with a polarity, in the indicator's latest period, and every ranked
  value of that period (the län's, the other län's) is observed: a rank among invented
  numbers is no fact about the län;
* ``improvement``/``decline``: the indicator's trend over the report window is
  "significant" (see ``trends``) and better/worse for innovation, and every value the
  trend was fitted on is observed.

Synthetic values may illustrate a chart but never make a finding. ``key_figures`` is the
table a start page shows for every analysed indicator: the län's latest observed value
with its period, the change over the window (the trend fitted on observed points), and
the rank among the län and Riket's value at the comparison period (``rank_period``, the
latest period with the län and enough other län observed, see
``compare.MIN_COMPARED_REGIONS``). ``analysis.results`` passes observed trends and
comparisons, so no number of the table rests on a synthetic value. ``analysed`` indicators are the register indicators of the METRIC model
(the catalogue's context series, ``metric: false``, are not analysed).

The text of a finding is written by ``report.narrative``; this module only decides what
may be said.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from ecoreport.analysis.compare import (_subset, latest_period_rows, normalise_values,
                                       observed_values, select_indicators)
from ecoreport.analysis.trends import REPORT_FIRST_YEAR

#: Below this observed share (``observed_share``) the report is a demonstration of the
#: method, and its start page opens by saying so.
DEMONSTRATION_BELOW = 0.5
#: How many findings of each kind a summary names at most.
FINDINGS_PER_KIND = 3
#: Fewer observed findings than this and the summary says why.
MIN_FINDINGS = 3
FINDING_KINDS = ("strength", "weakness", "improvement", "decline")

KEY_FIGURE_COLUMNS = [
    "indicator_id", "dimension", "axis", "polarity", "period", "value", "value_normalised",
    "normalised_unit", "status", "change_per_year", "change_ci_low", "change_ci_high",
    "change_claim", "change_from_period", "change_to_period", "change_n_synthetic",
    "rank", "n_ranked", "ranked_all_observed", "riket_value", "riket_status", "rank_period",
    "rank_value",
]


@dataclass(frozen=True)
class Finding:
    """One statement the summary may make; every number behind it is observed."""

    kind: str
    indicator_id: str
    dimension: str | None
    period: str
    value_normalised: float
    normalised_unit: str
    status: str = "observed"
    rank: int | None = None
    n_ranked: int | None = None
    riket_value: float | None = None
    from_period: str | None = None
    slope: float | None = None
    slope_ci_low: float | None = None
    slope_ci_high: float | None = None
    p_value: float | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Findings:
    """The findings of one län and year, the key-figures table and the observed share."""

    region_code: str
    year: int
    from_year: int
    findings: list[Finding]
    key_figures: pd.DataFrame
    share_observed: float
    n_values: int
    n_observed: int
    #: why fewer than ``MIN_FINDINGS`` observed findings exist (codes, see ``shortfall``)
    shortfall: dict[str, int] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    @property
    def too_few(self) -> bool:
        return len(self.findings) < MIN_FINDINGS


def analysed_indicators(catalogue: object, indicator_ids) -> list[str]:
    """Register indicators of the METRIC model among ``indicator_ids`` (no context series)."""
    return select_indicators(catalogue, indicator_ids)


def observed_share(values: pd.DataFrame, catalogue: object, region_code: str, year: int,
                   from_year: int = REPORT_FIRST_YEAR) -> tuple[float, int, int]:
    """Share observed of the län's values of analysed indicators in the report window
    (periods starting in or after ``from_year`` and ending in or before ``year``);
    returns (share, number of values, number observed).

    The report's one observed share: every page that says how much of the report rests
    on observed values states this figure (``Findings.share_observed``); a chapter that
    needs another base names it."""
    rows = values[(values["region_code"] == region_code) & (values["period_end"] <= year)
                  & (values["period_start"] >= from_year)]
    rows = rows[rows["indicator_id"].isin(analysed_indicators(catalogue, rows["indicator_id"]))]
    n = len(rows)
    n_observed = int((rows["status"] == "observed").sum())
    return (n_observed / n if n else 0.0), n, n_observed


def latest_observed(values: pd.DataFrame, catalogue: object, region_code: str,
                    year: int) -> pd.DataFrame:
    """The län's latest observed value of each analysed indicator (period ending at or
    before ``year``), normalised: indicator_id, period, value, value_normalised,
    normalised_unit, status."""
    rows = observed_values(values)
    rows = rows[(rows["region_code"] == region_code) & (rows["period_end"] <= year)]
    ids = analysed_indicators(catalogue, rows["indicator_id"].unique())
    frame = normalise_values(_subset(rows, ids), catalogue)
    frame = frame[frame["indicator_id"].isin(ids)
                  & np.isfinite(frame["value_normalised"].to_numpy(dtype=float))]
    parts = [latest_period_rows(part, year) for _, part in frame.groupby("indicator_id")]
    columns = ["indicator_id", "period", "value", "value_normalised", "normalised_unit",
               "status"]
    return (pd.concat(parts)[columns].reset_index(drop=True) if parts
            else pd.DataFrame(columns=columns))


def key_figures(trends: pd.DataFrame, comparisons: dict[str, pd.DataFrame], catalogue: object,
                region_code: str, latest: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per analysed indicator: the latest value (``latest``, from
    :func:`latest_observed`; else the compared period's), the change over the report window
    (the trend's slope per year with its interval and claim), rank among the län and Riket
    at ``rank_period``."""
    trend_by_id = trends.set_index("indicator_id") if not trends.empty else trends
    latest_by_id = (latest.set_index("indicator_id") if latest is not None and len(latest)
                    else None)
    ids = analysed_indicators(catalogue, set(comparisons) | set(trends["indicator_id"])
                              | (set(latest_by_id.index) if latest_by_id is not None else set()))
    rows = []
    for indicator_id in ids:
        meta = catalogue.indicators[indicator_id]
        row: dict[str, object] = {
            "indicator_id": indicator_id, "dimension": getattr(meta, "dimension", None),
            "axis": getattr(meta, "axis", None), "polarity": getattr(meta, "polarity", None)}
        table = comparisons.get(indicator_id)
        own = table[table["region_code"] == region_code] if table is not None else None
        if own is not None and not own.empty and pd.notna(own.iloc[0]["value_normalised"]):
            first = own.iloc[0]
            ranked = table[table["value_normalised"].notna()]
            row.update(
                period=first["period"], value=first["value"],
                value_normalised=first["value_normalised"],
                normalised_unit=first["normalised_unit"], status=first["status"],
                rank=None if pd.isna(first["rank"]) else int(first["rank"]),
                n_ranked=int(first["n_ranked"]),
                ranked_all_observed=bool((ranked["status"] == "observed").all()),
                riket_value=first["riket_value"], riket_status=first.get("riket_status"),
                rank_period=first["period"], rank_value=first["value_normalised"])
        if latest_by_id is not None and indicator_id in latest_by_id.index:
            own_latest = latest_by_id.loc[indicator_id]
            row.update(period=own_latest["period"], value=own_latest["value"],
                       value_normalised=own_latest["value_normalised"],
                       normalised_unit=own_latest["normalised_unit"],
                       status=own_latest["status"])
        if indicator_id in trend_by_id.index:
            trend = trend_by_id.loc[indicator_id]
            row.update(
                change_per_year=trend["slope"], change_ci_low=trend["slope_ci_low"],
                change_ci_high=trend["slope_ci_high"], change_claim=trend["claim"],
                change_from_period=trend["first_period"], change_to_period=trend["last_period"],
                change_n_synthetic=int(trend["n_synthetic"]))
            row.setdefault("normalised_unit", trend["normalised_unit"])
        rows.append(row)
    out = pd.DataFrame(rows, columns=KEY_FIGURE_COLUMNS)
    out["rank"] = out["rank"].astype("Int64")
    out["n_ranked"] = out["n_ranked"].astype("Int64")
    return out


def _rank_findings(figures: pd.DataFrame) -> tuple[list[Finding], list[Finding], int]:
    """Strengths and weaknesses (observed ranks), and how many extreme ranks were synthetic."""
    usable = figures[(figures["polarity"] != "neutral") & figures["rank"].notna()]
    third = usable["n_ranked"].astype(float) / 3.0
    rank = usable["rank"].astype(float)
    top, bottom = usable[rank <= third], usable[rank > usable["n_ranked"].astype(float) - third]
    observed = lambda t: t[(t["status"] == "observed") & t["ranked_all_observed"].astype(bool)]  # noqa: E731
    not_observed = len(top) + len(bottom) - len(observed(top)) - len(observed(bottom))

    def make(table: pd.DataFrame, kind: str, best_first: bool) -> list[Finding]:
        table = observed(table).sort_values(["rank", "indicator_id"], ascending=[best_first, True])
        return [Finding(kind=kind, indicator_id=r.indicator_id, dimension=r.dimension,
                        period=str(r.rank_period), value_normalised=float(r.rank_value),
                        normalised_unit=str(r.normalised_unit), rank=int(r.rank),
                        n_ranked=int(r.n_ranked), riket_value=_float(r.riket_value))
                for r in table.head(FINDINGS_PER_KIND).itertuples()]
    return make(top, "strength", True), make(bottom, "weakness", False), not_observed


def _trend_findings(trends: pd.DataFrame, catalogue: object) -> tuple[list[Finding], list[Finding], int]:
    """Improvements and declines with a significant trend on observed values only."""
    analysed = trends[trends["indicator_id"].isin(analysed_indicators(catalogue,
                                                                      trends["indicator_id"]))]
    claimed = analysed[(analysed["claim"] == "significant")
                       & analysed["assessment"].isin(["improving", "worsening"])].copy()
    level = claimed[["first_value", "last_value"]].abs().mean(axis=1)
    claimed["relative"] = (claimed["slope"] / level.where(level > 0)).abs()
    usable = claimed[claimed["n_synthetic"] == 0].sort_values(
        ["relative", "indicator_id"], ascending=[False, True])
    out = []
    for assessment, kind in (("improving", "improvement"), ("worsening", "decline")):
        rows = usable[usable["assessment"] == assessment].head(FINDINGS_PER_KIND)
        out.append([Finding(
            kind=kind, indicator_id=r.indicator_id, dimension=r.dimension,
            period=str(r.last_period), value_normalised=float(r.last_value),
            normalised_unit=str(r.normalised_unit), from_period=str(r.first_period),
            slope=float(r.slope), slope_ci_low=float(r.slope_ci_low),
            slope_ci_high=float(r.slope_ci_high), p_value=float(r.p_value))
            for r in rows.itertuples()])
    return out[0], out[1], int(len(claimed) - len(usable))


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def find_findings(trends: pd.DataFrame, comparisons: dict[str, pd.DataFrame],
                  values: pd.DataFrame, catalogue: object, region_code: str, year: int,
                  from_year: int = REPORT_FIRST_YEAR) -> Findings:
    """The observed findings of a län and year, the key-figures table and the observed share.

    ``trends`` is ``trends.compute_trends`` for the län, ``comparisons`` maps indicator ids
    to ``compare.compare_regions`` tables. ``shortfall`` counts what could not become a
    finding: ``synthetic_ranks`` (top/bottom-third ranks resting on synthetic values),
    ``synthetic_trends`` (significant trends fitted on synthetic values) and
    ``significant_trends`` (significant trends of analysed indicators, observed or not).
    """
    figures = key_figures(trends, comparisons, catalogue, region_code,
                          latest=latest_observed(values, catalogue, region_code, year))
    strengths, weaknesses, synthetic_ranks = _rank_findings(figures)
    improvements, declines, synthetic_trends = _trend_findings(trends, catalogue)
    share, n, n_observed = observed_share(values, catalogue, region_code, year, from_year)
    findings = [*strengths, *weaknesses, *improvements, *declines]
    significant = int(((figures["change_claim"] == "significant")).sum())
    return Findings(region_code=region_code, year=year, from_year=from_year,
                    findings=findings, key_figures=figures, share_observed=share,
                    n_values=n, n_observed=n_observed,
                    shortfall={"synthetic_ranks": synthetic_ranks,
                               "synthetic_trends": synthetic_trends,
                               "significant_trends": significant})


__all__ = ["FINDING_KINDS", "Finding", "Findings", "KEY_FIGURE_COLUMNS", "MIN_FINDINGS",
           "find_findings", "key_figures", "observed_share"]
