"""Charts of the innovation index: rank intervals of all län, the dimension breakdown."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ecoreport.report.charts.base import (
    CHART_WIDTH,
    REGION_COLOUR,
    RIKET_COLOUR,
    ROLE_COLOURS,
    line_segments,
    status_line,
)


def rank_interval_chart(table: pd.DataFrame) -> alt.LayerChart:
    """One row per län (best first): the 5–95 % rank interval as a bar, the median rank as
    a dot and the headline rank as a tick. ``table`` has region_name, role, rank,
    rank_median, rank_p05, rank_p95 (``innovation_index.index_table``)."""
    order = table.sort_values(["rank", "rank_median"])["region_name"].tolist()
    n = int(table["rank"].max())
    y = alt.Y("region_name:N", sort=order, title=None)
    x_scale = alt.Scale(domain=[n + 0.5, 0.5])
    colour = alt.Color("role:N", title=None,
                       scale=alt.Scale(domain=list(ROLE_COLOURS), range=list(ROLE_COLOURS.values())),
                       legend=alt.Legend(orient="bottom"))
    tooltip = [alt.Tooltip("region_name:N", title="Län"), alt.Tooltip("rank:Q", title="Plats"),
               alt.Tooltip("rank_p05:Q", title="Plats, 5 %"),
               alt.Tooltip("rank_p95:Q", title="Plats, 95 %"),
               alt.Tooltip("group_sv:N", title="Grupp")]
    base = alt.Chart(table)
    bars = base.mark_rule(strokeWidth=6, opacity=0.45).encode(
        y=y, x=alt.X("rank_p05:Q", scale=x_scale,
                     title="Plats (1 = högst index); stapel: 5–95 % av simuleringarna"),
        x2="rank_p95:Q", color=colour, tooltip=tooltip)
    dots = base.mark_point(filled=True, size=60).encode(
        y=y, x=alt.X("rank_median:Q", scale=x_scale), color=colour, tooltip=tooltip)
    ticks = base.mark_tick(color="black", thickness=2, size=14).encode(
        y=y, x=alt.X("rank:Q", scale=x_scale), tooltip=tooltip)
    return alt.layer(bars, dots, ticks).properties(width=CHART_WIDTH, height=18 * len(table))


def dimension_breakdown_chart(table: pd.DataFrame) -> alt.LayerChart:
    """The län's dimension scores in per cent of Riket's (bars), with the 100 % line.
    ``table`` has name_sv, pct_of_riket, rank, n_ranked, order."""
    order = table.sort_values("order")["name_sv"].tolist()
    tooltip = [alt.Tooltip("name_sv:N", title="Dimension"),
               alt.Tooltip("pct_of_riket:Q", title="Procent av riket", format=",.0f"),
               alt.Tooltip("rank:Q", title="Plats bland länen")]
    bars = alt.Chart(table).mark_bar(color=REGION_COLOUR).encode(
        y=alt.Y("name_sv:N", sort=order, title=None),
        x=alt.X("pct_of_riket:Q", title="Dimensionens index i procent av riket"),
        tooltip=tooltip)
    labels = alt.Chart(table).mark_text(align="left", dx=4, fontSize=11).encode(
        y=alt.Y("name_sv:N", sort=order), x="pct_of_riket:Q", text="rank_label:N")
    rule = alt.Chart(pd.DataFrame({"x": [100.0]})).mark_rule(
        color=RIKET_COLOUR, strokeDash=[4, 3], strokeWidth=2).encode(x="x:Q")
    return alt.layer(bars, labels, rule).properties(width=CHART_WIDTH - 120,
                                                     height=26 * len(table))




def rank_history_chart(table: pd.DataFrame) -> alt.LayerChart:
    """The rank of the län and its peers per year (default choices). ``table`` has year,
    region_name, role, rank and status_label (synthetic when most values behind the point
    are synthetic: hollow marker, dashed line to and from it)."""
    n = int(table["n_ranked"].max())
    # coloured by role (the län dark and thick, its peers lighter, others grey), each line
    # named at its last year, so that lines of one colour are still told apart
    roles = [role for role in ROLE_COLOURS if role in set(table["role"])]
    role_scale = alt.Scale(domain=roles, range=[ROLE_COLOURS[r] for r in roles])
    colour = alt.Color("role:N", title=None, legend=alt.Legend(orient="bottom"),
                       scale=role_scale)
    y = alt.Y("rank:Q", scale=alt.Scale(domain=[n, 1]), title="Plats (1 = högst index)")
    x = alt.X("year:O", title=None)
    segments = line_segments(table.sort_values("year"), "year", "rank", status="status_label",
                             by=["region_name", "role"])
    line = status_line(segments, x, y, table["status_label"].unique().tolist(), colour=None,
                       stroke_width=1.5, color=colour,
                       size=alt.condition(alt.datum.role == "Rapportens län", alt.value(3),
                                          alt.value(1.5)))
    points = alt.Chart(table).mark_point(size=45, strokeWidth=1.5).encode(
        x=x, y=y, color=alt.Color("role:N", legend=None, scale=role_scale),
        fill=alt.condition(alt.datum.status_label == "synthetic", alt.value("white"),
                           alt.Color("role:N", legend=None, scale=role_scale)),
        tooltip=[alt.Tooltip("region_name:N", title="Län"), alt.Tooltip("year:O", title="År"),
                 alt.Tooltip("rank:Q", title="Plats"),
                 alt.Tooltip("share_synthetic:Q", title="Andel syntetiska värden",
                             format=".0%")])
    last = table[table["year"] == table["year"].max()]
    names = alt.Chart(last).mark_text(align="left", dx=8, fontSize=11, color="#333333").encode(
        x=x, y=y, text="region_name:N")
    return alt.layer(line, points, names).properties(width=CHART_WIDTH, height=260)
