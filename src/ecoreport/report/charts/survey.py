"""Charts of business-survey answers: the share of firms per answer category with its 95 %
interval; the categories the source leaves out form one grey bar, so the bars add up to
100 %.

Both functions take the frame of ``report.survey.estimates_frame``: one row per bar with
``period, category, remainder, share_pct, low_pct, high_pct, n, base``.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ecoreport.report.charts.base import CHART_WIDTH, REGION_COLOUR
from ecoreport.markup.formatting import NBSP, en_dash_ranges, format_number, format_period

REMAINDER_COLOUR = "#b0b0b0"
INTERVAL_COLOUR = "#333333"


def survey_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The bars as a table (the chart's CSV download)."""
    return pd.DataFrame({
        "Period": [format_period(p) for p in frame["period"]],
        "Svarsalternativ": frame["category"].to_numpy(),
        "Andel av företagen (%)": frame["share_pct"].to_numpy(),
        "95 % konfidensintervall, nedre gräns (%)": frame["low_pct"].round(1).to_numpy(),
        "95 % konfidensintervall, övre gräns (%)": frame["high_pct"].round(1).to_numpy(),
        "Underlag": frame["base"].to_numpy(),
    })


def _interval_label(low: object, high: object) -> str:
    if pd.isna(low) or pd.isna(high):
        return "–"
    return f"{format_number(low, 0)}\u2013{format_number(high, 0)}{NBSP}%"


def survey_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Horizontal bars, one per answer category (one panel row per period), with the 95 %
    interval as a line through the end of each bar and the share beside it."""
    data = frame.copy()
    data["period_label"] = [format_period(p) for p in data["period"]]
    data["share_label"] = [format_number(v, 0) + NBSP + "%" for v in data["share_pct"]]
    data["interval_label"] = [_interval_label(lo, hi)
                              for lo, hi in zip(data["low_pct"], data["high_pct"])]
    data["label_x"] = data[["share_pct", "high_pct"]].max(axis=1, skipna=True)
    data["kind"] = ["ej redovisat" if r else "redovisat" for r in data["remainder"]]
    data["category"] = [en_dash_ranges(c) for c in data["category"]]  # "1–20 procent"
    categories = list(dict.fromkeys(data["category"]))
    tooltip = [alt.Tooltip("category:N", title="Svar"),
               alt.Tooltip("share_label:N", title="Andel"),
               alt.Tooltip("interval_label:N", title="95 % konfidensintervall"),
               alt.Tooltip("base:N", title="Underlag"),
               alt.Tooltip("period_label:N", title="År")]
    y = alt.Y("category:N", sort=categories, title=None,
              axis=alt.Axis(labelLimit=220))
    bars = alt.Chart(data).mark_bar().encode(
        y=y,
        x=alt.X("share_pct:Q", title="Andel av de svarande (procent)",
                scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("kind:N", legend=None,
                        scale=alt.Scale(domain=["redovisat", "ej redovisat"],
                                        range=[REGION_COLOUR, REMAINDER_COLOUR])),
        tooltip=tooltip,
    )
    layers = [bars]
    if data["low_pct"].notna().any():
        layers.append(alt.Chart(data).transform_filter("isValid(datum.low_pct)").mark_rule(
            color=INTERVAL_COLOUR, strokeWidth=1.5).encode(
            y=y, x="low_pct:Q", x2="high_pct:Q", tooltip=tooltip))
    layers.append(alt.Chart(data).mark_text(align="left", dx=4, color="#333").encode(
        y=y, x="label_x:Q", text="share_label:N", tooltip=tooltip))
    chart = alt.layer(*layers).properties(width=CHART_WIDTH - 160,
                                          height=26 * max(len(categories), 2))
    if data["period"].nunique() > 1:
        chart = chart.facet(row=alt.Row("period_label:N", title=None))
    return chart.properties(title=alt.Title(title))
