"""What a reviewer reads in the executed notebooks: the numbers behind each chapter.

The book shows text and charts. The executed notebooks of a report (``notebooks/`` in the
report folder, and their read-only pages in the book, see :mod:`ecoreport.publishing.review_pages`)
also show, step by step, what each chapter used and computed: the data with its status, the
trends (slope, interval, p-value, method), the comparisons between län (with the period
used), the index and the research–market axis, and every value glued into the text. Each
function here returns a table from the build's results; :func:`show` displays it as a cell
output (HTML and plain text). The notebooks call them in cells tagged ``remove-cell``, so
the book leaves them out while the executed ``.ipynb`` keeps them.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence

import pandas as pd

from ecoreport.analysis.results import Report
from ecoreport.report import render
from ecoreport.report.chapters import register_indicators, survey_items_in
from ecoreport.report.texts import text

#: The output metadata that marks a review table (``{"ecoreport": {"review": kind}}``).
METADATA_KEY = "ecoreport"
#: The kinds of review output; a test counts them per notebook.
KINDS = ("note", "data", "trends", "comparisons", "survey", "findings", "key_figures",
         "profile", "relative", "region_pca", "axis", "index", "glued")

#: Columns of a comparison table shown when present (the period or year the comparison
#: used first; any other column naming a year or period is added after these).
COMPARISON_COLUMNS = ("period", "year", "value_normalised", "normalised_unit", "status",
                      "rank", "n_ranked", "riket_value", "peer_mean")



def _cell(value: object) -> object:
    if value is None or value is pd.NA:  # e.g. the rank of a län that is not ranked
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.6g}"
    return value


def table_bundle(frame: pd.DataFrame) -> dict[str, str]:
    """A table's HTML (compact: no indentation, six significant figures) and plain text."""
    shown = frame.apply(lambda column: column.map(_cell)) if len(frame) else frame
    html = shown.to_html(index=False, border=0, na_rep="", escape=True)
    html = re.sub(r">\s+<", "><", html.replace(' style="text-align: right;"', ""))
    text = shown.to_string(index=False, na_rep="") if len(frame.columns) else "(empty)"
    return {"text/html": html, "text/plain": text}


def show(frame: pd.DataFrame, kind: str) -> None:
    """Display a review table (all rows and columns) as HTML and plain text, marked with
    its kind in the output's metadata."""
    from IPython.display import display

    if kind not in KINDS:
        raise ValueError(f"unknown review kind {kind!r}; expected one of {', '.join(KINDS)}")
    display(table_bundle(frame), raw=True, metadata={METADATA_KEY: {"review": kind}})


def show_note() -> None:
    """The note that opens a notebook's review cells: how to read it in JupyterLab."""
    from IPython.display import Markdown, display

    display(Markdown(text("review", "note")), metadata={METADATA_KEY: {"review": "note"}})


def dimension_indicators(report: Report, dimension_id: str) -> list[str]:
    """The register indicators a dimension chapter shows for the län (catalogue order)."""
    return [indicator.id for indicator in register_indicators(report, dimension_id)]


def dimension_survey_items(report: Report, dimension_id: str) -> list[str]:
    """The survey items a dimension chapter shows for the län (catalogue order)."""
    return [indicator.id for indicator in survey_items_in(report, dimension_id)]


def data_table(report: Report, indicator_ids: Sequence[str]) -> pd.DataFrame:
    """The data a chapter uses, one row per indicator: the periods, how many values are
    observed and how many synthetic, and the latest value with its status and source."""
    rows = []
    for indicator_id in indicator_ids:
        series = report.series(indicator_id).sort_values("period_start")
        if series.empty:
            continue
        last = series.iloc[-1]
        status = series["status"].astype(str)
        rows.append({
            "indicator_id": indicator_id,
            "unit": report.catalogue.indicator(indicator_id).unit,
            "first_period": str(series["period"].iloc[0]), "last_period": str(last["period"]),
            "n_values": int(len(series)), "n_observed": int((status == "observed").sum()),
            "n_synthetic": int((status == "synthetic").sum()),
            "last_value": float(last["value"]), "last_status": str(last["status"]),
            "source_id": str(last["source_id"])})
    return pd.DataFrame(rows, columns=["indicator_id", "unit", "first_period", "last_period",
                                       "n_values", "n_observed", "n_synthetic", "last_value",
                                       "last_status", "source_id"])


#: Columns of the trend table, in order.
TREND_COLUMNS = ("indicator_id", "status", "message", "from_period", "to_period", "n",
                 "n_observed", "n_synthetic", "slope", "ci_low", "ci_high", "p_value",
                 "q_value", "se_method", "testable", "claim", "unit")
#: The status of a trend-table row for an indicator without a trend (no observed value in
#: the window, so the analysis fitted nothing).
NO_TREND = "no_trend"


def _no_trend_row(report: Report, indicator_id: str) -> dict:
    """The row of an indicator the analysis fitted no trend for: how many observed and
    synthetic values the län has, and why there is no trend."""
    series = report.series(indicator_id)
    status = series["status"].astype(str) if "status" in series.columns else pd.Series(
        dtype=str)
    n_observed = int((status == "observed").sum())
    n_synthetic = int((status == "synthetic").sum())
    if n_observed == 0:
        message = text("review", "no-trend-nothing-observed", n_synthetic=n_synthetic)
    else:
        from ecoreport.analysis.trends import MIN_OBSERVATIONS

        message = text("review", "no-trend-too-few", n_observed=n_observed,
                       minimum=MIN_OBSERVATIONS)
    return {"indicator_id": indicator_id, "status": NO_TREND, "message": message, "n": 0,
            "n_observed": n_observed, "n_synthetic": n_synthetic}


def trend_table(report: Report, indicator_ids: Sequence[str]) -> pd.DataFrame:
    """The trend fitted for each indicator, one row per indicator in ``indicator_ids``
    order: window of the fit, number of (observed) points, slope per year with its 95 %
    interval, p-value and q-value, the standard-error method, whether the test is
    trustworthy, the claim made and the unit (the normalised value). Trends are fitted on
    observed values only; an indicator with none (or too few) has a row with status
    ``NO_TREND`` and a message saying so, rather than no row."""
    trends = report.results.trends
    by_id = {row["indicator_id"]: row for row in trends.to_dict("records")}

    def get(row: dict, *names: str) -> object:
        return next((row[name] for name in names if name in row), None)

    rows = []
    for indicator_id in indicator_ids:
        row = by_id.get(indicator_id)
        if row is None:
            rows.append(_no_trend_row(report, indicator_id))
            continue
        rows.append({
            "indicator_id": indicator_id, "status": row.get("status"),
            "message": row.get("message") or "",
            "from_period": get(row, "fit_first_period", "first_period"),
            "to_period": get(row, "fit_last_period", "last_period"), "n": row.get("n"),
            "n_observed": get(row, "n_observed", "n"), "n_synthetic": row.get("n_synthetic"),
            "slope": row.get("slope"), "ci_low": row.get("slope_ci_low"),
            "ci_high": row.get("slope_ci_high"), "p_value": row.get("p_value"),
            "q_value": row.get("q_value"), "se_method": row.get("se_method"),
            "testable": row.get("testable"), "claim": row.get("claim"),
            "unit": row.get("normalised_unit")})
    return pd.DataFrame(rows, columns=list(TREND_COLUMNS))


def comparison_table(report: Report, indicator_ids: Sequence[str]) -> pd.DataFrame:
    """The län's row of each indicator's comparison between län: the period (year) used,
    the normalised value and its status, the rank among the län, Riket and the peers."""
    rows = []
    for indicator_id in indicator_ids:
        table = report.results.comparisons.get(indicator_id)
        if table is None:
            continue
        own = table[table["region_code"] == report.region.code]
        if own.empty:
            continue
        rows.append({"indicator_id": indicator_id, **own.iloc[0].to_dict()})
    if not rows:
        return pd.DataFrame(columns=["indicator_id", *COMPARISON_COLUMNS])
    frame = pd.DataFrame(rows)
    columns = ["indicator_id"] + [c for c in COMPARISON_COLUMNS if c in frame.columns]
    columns += [c for c in frame.columns if c not in columns
                and ("year" in c or "period" in c)]
    return frame[columns]


def survey_table(report: Report, indicator_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """The län's survey answers used (share per answer category, with status and source)."""
    survey = report.dataset.survey
    rows = survey[(survey["region_code"] == report.region.code)
                  & (survey["period_end"] <= report.year)]
    if indicator_ids is not None:
        rows = rows[rows["indicator_id"].isin(list(indicator_ids))]
    columns = ["indicator_id", "period", "category", "share_pct", "status", "source_id"]
    return rows[[c for c in columns if c in rows.columns]].reset_index(drop=True)


def findings_table(report: Report) -> pd.DataFrame:
    """The summary's findings, one row each, with every field the analysis gives them
    (kind, indicator, period, value, rank, trend, status)."""
    findings = report.results.findings
    rows = [dataclasses.asdict(finding) if dataclasses.is_dataclass(finding) else vars(finding)
            for finding in (findings.findings if findings is not None else [])]
    if not rows:
        return pd.DataFrame(columns=["kind", "indicator_id", "period", "status"])
    return pd.DataFrame(rows)


#: Columns of the key-figures table shown when present.
KEY_FIGURE_COLUMNS = ("indicator_id", "period", "value_normalised", "status",
                      "change_per_year", "change_ci_low", "change_ci_high", "change_claim",
                      "rank", "n_ranked", "riket_value")


def key_figures_table(report: Report) -> pd.DataFrame:
    """The key-figures table behind the start page (one indicator per dimension)."""
    findings = report.results.findings
    if findings is None:
        return pd.DataFrame(columns=["indicator_id"])
    table = findings.key_figures
    return table[[c for c in KEY_FIGURE_COLUMNS if c in table.columns]].reset_index(drop=True)


def profile_table(report: Report) -> pd.DataFrame:
    """The dimension profile: the län's rescaled mean per dimension against the median."""
    return report.results.profile.reset_index(drop=True)


def relative_table(report: Report) -> pd.DataFrame:
    """The relative development behind the heatmap, one row per indicator: the years and
    the standardised values of the first and the last year."""
    table = report.results.relative
    if table.empty:
        return table
    value = next((c for c in ("relative_value", "score_for_innovation", "value")
                  if c in table.columns), None)
    year = next((c for c in ("year", "period_start", "period") if c in table.columns), None)
    if value is None or year is None or "indicator_id" not in table.columns:
        return table.reset_index(drop=True)
    rows = []
    for indicator_id, group in table.sort_values(year).groupby("indicator_id", sort=False):
        rows.append({"indicator_id": indicator_id, "first": group[year].iloc[0],
                     "last": group[year].iloc[-1], "n": int(len(group)),
                     f"{value}_first": group[value].iloc[0],
                     f"{value}_last": group[value].iloc[-1]})
    return pd.DataFrame(rows)


def _number(value: object) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def region_pca_table(report: Report) -> pd.DataFrame:
    """The län's own PCA summary (quantity, value), or why it could not be computed."""
    summary = report.results.region_axis
    if summary is None:
        return pd.DataFrame({"quantity": ["message"],
                             "value": [report.results.pca_messages.get("region", "")]})
    rows = [("pc1_share", summary.pc1_share),
            ("pc1_share_before_screening", summary.pc1_share_before_screening),
            ("pc1_year_correlation", summary.pc1_year_correlation),
            ("null_pc1_share_median", summary.null_pc1_share_median),
            ("null_pc1_share_p95", summary.null_pc1_share_p95),
            ("research_market_r", summary.correlation),
            ("research_market_r_ci_low", summary.correlation_ci[0]),
            ("research_market_r_ci_high", summary.correlation_ci[1]),
            ("drift_slope", summary.drift.slope),
            ("drift_ci_low", summary.drift.slope_ci_low),
            ("drift_ci_high", summary.drift.slope_ci_high),
            ("drift_p_value", summary.drift.p_value),
            ("drift_claim", summary.drift.claim),
            ("observed_share", summary.observed_share)]
    return pd.DataFrame(rows, columns=["quantity", "value"])


def axis_table(report: Report) -> pd.DataFrame:
    """The research–market axis across all län: the test and, when the axis is supported,
    the län's position; when it is not supported (or could not be fitted), why."""
    axis = report.results.axis
    if axis is None:
        return pd.DataFrame({"quantity": ["supported", "reason"],
                             "value": [False, report.results.pca_messages.get("axis", "")]})
    component = axis.component
    ratio = axis.explained_variance_ratio
    explained = (_number(ratio.get(component)) if component is not None and ratio is not None
                 else math.nan)
    years = (f"{axis.years[0]}–{axis.years[1]}" if axis.years and None not in axis.years
             else None)
    rows = [("supported", axis.supported), ("test", axis.test),
            ("statistic", axis.statistic), ("p_value", axis.p_value),
            ("component", component), ("explained_variance", explained),
            ("stability", axis.stability), ("n_permutations", axis.n_permutations),
            ("n_bootstrap", axis.n_bootstrap), ("block_length", axis.block_length),
            ("years", years), ("n_regions", axis.n_regions)]
    if not axis.supported:
        # no position on an axis the observed data do not support (as in the summary)
        from ecoreport.analysis.axis import SIGNIFICANCE_LEVEL

        p_value = _number(axis.p_value)
        reason = report.results.pca_messages.get("axis") or (
            f"not supported by observed data: {axis.test} p = {p_value:.3g} "
            f"(needs p < {SIGNIFICANCE_LEVEL:g}); no position is given")
        rows.append(("reason", reason))
        return pd.DataFrame(rows, columns=["quantity", "value"])
    position = axis.position(report.region.code)
    if position is not None:
        rows += [(f"position_{name}" if name != "position" else name, position[name])
                 for name in ("position", "ci_low", "ci_high", "side", "rank")
                 if name in position.index]
    return pd.DataFrame(rows, columns=["quantity", "value"])


def index_table(report: Report) -> pd.DataFrame:
    """The innovation index entry of the län (score, rank with its interval, group and the
    probability of each group, coverage), with the year, draws and seed of the uncertainty
    analysis. The index is computed on observed values only: a län without enough of them
    is not ranked (``rank`` empty, with a ``rank_note``)."""
    index = report.results.index
    if index is None:
        return pd.DataFrame({"quantity": ["message"],
                             "value": ["the index could not be computed"]})
    rows = [("year", index.year), ("n_draws", index.n_draws), ("seed", index.seed),
            ("n_indicators_in_index", len(index.indicator_ids))]
    entry = index.region_row(report.region.code)
    if not entry:
        rows.append(("message", f"län {report.region.code} has no index entry in {index.year}"))
        return pd.DataFrame(rows, columns=["quantity", "value"])
    for name, value in entry.items():
        if name == "group_probabilities":
            rows += [(f"group_probability_{group}", share)
                     for group, share in (value or {}).items()]
        else:
            rows.append((name, value))
    if entry.get("rank") is None:
        from ecoreport.analysis.index import MIN_REGION_COVERAGE

        rows.append(("rank_note", f"not ranked: coverage {_number(entry.get('coverage')):.2f} "
                                  f"< {MIN_REGION_COVERAGE:.2f} of the index indicators "
                                  "observed in the index year"))
    return pd.DataFrame(rows, columns=["quantity", "value"])


def glued_table(limit: int = 40) -> pd.DataFrame:
    """Every value this notebook glued, in order: its name (as the text's ``{glue:md}`` or
    ``{glue:figure}`` role names it), kind, and the text (shortened to ``limit``
    characters) or the chart's name."""
    rows = []
    for key, kind, content in render.glued_values():
        text = " ".join(str(content).split())
        rows.append({"key": key, "kind": kind,
                     "content": text if len(text) <= limit else text[:limit - 1] + "…"})
    return pd.DataFrame(rows, columns=["key", "kind", "content"])
