"""Charts of business-survey answers: the share of firms per answer category."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ecoreport.report.charts.base import CHART_WIDTH, REGION_COLOUR
from ecoreport.report.formatting import format_number, format_period


def survey_table(rows: pd.DataFrame, indicator) -> pd.DataFrame:
    """Answer shares in the catalogue's category order (also the CSV download)."""
    order = {c: i for i, c in enumerate(indicator.categories or [])}
    table = rows.assign(order=rows["category"].map(order).fillna(len(order)))
    table = table.sort_values(["period", "order", "category"])
    return pd.DataFrame({
        "Period": [format_period(p) for p in table["period"]],
        "Svarsalternativ": table["category"].to_numpy(),
        "Andel av företagen (%)": table["share_pct"].to_numpy(),
    })


def survey_chart(rows: pd.DataFrame, indicator) -> alt.Chart:
    """Horizontal bars: share of firms per answer category (one panel row per period)."""
    data = rows.copy()
    data["period_label"] = [format_period(p) for p in data["period"]]
    data["share_label"] = [format_number(v, 0) + " %" for v in data["share_pct"]]
    categories = [c for c in (indicator.categories or []) if c in set(data["category"])]
    categories += sorted(set(data["category"]) - set(categories))
    bars = alt.Chart(data).mark_bar(color=REGION_COLOUR).encode(
        y=alt.Y("category:N", sort=categories, title=None),
        x=alt.X("share_pct:Q", title="Andel av företagen (procent)",
                scale=alt.Scale(domain=[0, 100])),
        tooltip=[alt.Tooltip("category:N", title="Svar"),
                 alt.Tooltip("share_label:N", title="Andel"),
                 alt.Tooltip("period_label:N", title="År")],
    )
    labels = bars.mark_text(align="left", dx=3, color="#333").encode(text="share_label:N")
    chart = alt.layer(bars, labels).properties(width=CHART_WIDTH - 120,
                                               height=24 * max(len(categories), 2))
    if data["period"].nunique() > 1:
        chart = chart.facet(row=alt.Row("period_label:N", title=None))
    return chart.properties(title=alt.Title(indicator.name_sv))
