"""Per-indicator charts: the trend of one indicator in one län."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ecoreport.report.charts.base import (
    CHART_HEIGHT,
    CHART_WIDTH,
    REGION_COLOUR,
    STATUS_DASH,
    label_status,
    line_segments,
    status_fill,
    status_fill_value,
    status_legend,
    status_line,
)
from ecoreport.markup.formatting import d3_format, format_number, format_period


def trend_table(series: pd.DataFrame, indicator, unit) -> pd.DataFrame:
    """The numbers behind a trend chart, with Swedish column names (also the CSV download)."""
    table = series.sort_values(["period_start", "period_end"])
    return pd.DataFrame({
        "Period": [format_period(p) for p in table["period"]],
        f"{indicator.name_sv} ({unit.short_sv})": table["value"].to_numpy(),
        "Status": [label_status(s) for s in table["status"]],
        "Källa": table["source_id"].to_numpy(),
    })


def trend_chart(series: pd.DataFrame, indicator, unit, region_name: str,
                *, until_year: int | None = None,
                from_year: int | None = None) -> alt.LayerChart:
    """Line chart of one indicator over time; synthetic values hollow, the line dashed and
    lighter wherever it touches a synthetic value, multi-year periods as spans.

    ``series`` is a tidy frame of one region and indicator (see DESIGN.md). Multi-year
    periods (e.g. TEA 2014–2017) are drawn as a horizontal span over the years they cover
    with the marker at the midpoint, so they are not mistaken for single years.
    ``from_year``/``until_year``: the report window (a period overlapping it is kept), so
    the axis begins where the text's years begin.
    """
    data = series.copy()
    if until_year is not None:
        data = data[data["period_start"] <= until_year]
    if from_year is not None:
        data = data[data["period_end"] >= from_year]
    data = data.sort_values(["period_start", "period_end"])
    fmt = d3_format(indicator.decimals)
    data["status_label"] = [label_status(s) for s in data["status"]]
    data["period_label"] = [format_period(p) for p in data["period"]]
    data["value_label"] = [format_number(v, indicator.decimals) for v in data["value"]]
    data["span_start"] = data["period_start"].astype(float)
    data["span_end"] = data["period_end"].astype(float)
    data = data[["year", "value", "status", "status_label", "period_label", "value_label",
                 "span_start", "span_end", "source_id"]]

    x_axis = alt.Axis(format="d", title="År", labelAngle=0, tickMinStep=1)
    y_title = f"{unit.label_sv}"
    x = alt.X("year:Q", axis=x_axis, scale=alt.Scale(zero=False, nice=False, padding=12))
    # axis labels without trailing zeros ("2 000", not "2 000,0"; "2,5" stays)
    y = alt.Y("value:Q", title=y_title, axis=alt.Axis(format=fmt.replace("f", "~f")),
              scale=alt.Scale(zero=unit.kind in {"count", "amount"}))
    base = alt.Chart(data).encode(x=x, y=y)
    tooltip = [
        alt.Tooltip("period_label:N", title="Period"),
        alt.Tooltip("value_label:N", title=unit.short_sv or "Värde"),
        alt.Tooltip("status_label:N", title="Status"),
        alt.Tooltip("source_id:N", title="Källa"),
    ]
    statuses = list(data["status"].unique())
    line = status_line(line_segments(data, "year", "value"), x, y, statuses)
    multi_year = data[data["span_end"] > data["span_start"]]
    spans = alt.Chart(multi_year).mark_rule(
        color=REGION_COLOUR, strokeWidth=3, opacity=0.5
    ).encode(x="span_start:Q", x2="span_end:Q", y="value:Q")
    if (multi_year["status"] == "synthetic").any():
        spans = spans.encode(strokeDash=alt.condition(
            alt.datum.status == "synthetic", alt.value(STATUS_DASH["synthetic"]),
            alt.value(STATUS_DASH["observed"])))
    points = base.mark_point(size=70, strokeWidth=2, color=REGION_COLOUR, opacity=1).encode(
        fill=(status_fill_value() if "synthetic" in statuses else status_fill(statuses)),
        tooltip=tooltip
    )
    layers = [line, spans, points]
    if "synthetic" in statuses:
        layers.append(status_legend(data, x, y, statuses))
    return alt.layer(*layers).properties(
        title=alt.Title(indicator.name_sv, subtitle=f"{region_name}, {unit.label_sv}"),
        width=CHART_WIDTH, height=CHART_HEIGHT,
    )
