"""Charts that compare: the län against its own history (relative development), its
strengths and weaknesses per dimension (profile) and the other län (region comparison).

Indicator names, units and decimals come from the catalogue; only generic Swedish axis
words are written here. Number formats are d3 strings that the renderer's Swedish
locale turns into "1 234,5".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ecoreport.report.charts.base import (
    CHART_HEIGHT,
    CHART_WIDTH,
    RIKET_COLOUR,
    ROLE_COLOURS,
    ROLE_OTHER,
    ROLE_PEER,
    ROLE_REGION,
    label_status,
    region_role,
)
from ecoreport.markup.formatting import d3_format, format_number, format_period

# Diverging red (worse for innovation) → blue (better); the score is a z-score, so ±2
# already marks an unusual year for the series.
SCORE_DOMAIN = (-2.0, 2.0)
SCORE_SCHEME = "redblue"
PROFILE_LABELS = {"strength": "Styrka", "middle": "Mellanskikt", "weakness": "Svaghet",
                  "no_data": "Uppgift saknas"}
PROFILE_COLOURS = {"strength": "#2166ac", "middle": "#9e9e9e", "weakness": "#b2182b",
                   "no_data": "#e0e0e0"}
SYNTHETIC_MARK = "•"
# Heatmap geometry: the row labels and the cells together fit the web book's text column
# (about 620 px) unscaled, so the labels keep LABEL_FONT_SIZE; names longer than the label
# limit end in "…" (the tooltip has them in full).
LABEL_FONT_SIZE = 11
HEATMAP_LABEL_LIMIT = 290
HEATMAP_WIDTH = 280
HEATMAP_ROW_HEIGHT = 18
PROFILE_WIDTH = 400
SYNTHETIC_FILL_OPACITY = 0.35  # synthetic bars: pale fill, outline in the role's colour


def _name(catalogue: object, indicator_id: str) -> str:
    return str(catalogue.indicators[indicator_id].name_sv)


def normalised_decimals(catalogue: object, indicator_id: str) -> int:
    """Catalogue decimals; normalised counts (per 100 000 etc.) get at least one."""
    meta = catalogue.indicators[indicator_id]
    decimals = int(getattr(meta, "decimals", 0) or 0)
    if getattr(meta, "normalise", "none") not in (None, "none"):
        return max(decimals, 1)
    return decimals


def _dimension_order(catalogue: object) -> dict[str, float]:
    return {str(d.id): float(d.order) for d in (getattr(catalogue, "dimensions", None) or [])}


def relative_development_chart(table: pd.DataFrame, catalogue: object,
                               region_name: str) -> alt.LayerChart:
    """Heatmap indicators × years coloured by ``score_for_innovation`` (model report Figur 4).

    ``table`` is ``compare.relative_development``. Red is worse and blue better for
    innovation relative to the series' own history; multi-year periods span their years;
    cells with synthetic values carry a dot explained in the legend.
    """
    data = table.copy()
    order = _dimension_order(catalogue)
    data["indicator_name"] = [_name(catalogue, i) for i in data["indicator_id"]]
    data["dimension_order"] = data["dimension"].map(order).fillna(math.inf)
    rows = (data.drop_duplicates("indicator_id")
            .sort_values(["dimension_order", "indicator_name"])["indicator_name"].tolist())
    # Rolling multi-year periods (2010–2013, 2011–2014, …) would overlap as spans; such
    # series are drawn in the cell of each period's last year (the tooltip names the period).
    data = data.sort_values(["indicator_id", "period_start", "period_end"])
    previous_end = data.groupby("indicator_id")["period_end"].shift()
    overlaps = (data["period_start"] <= previous_end).groupby(data["indicator_id"]).transform(
        "any")
    data["x_start"] = np.where(overlaps, data["period_end"], data["period_start"]) - 0.5
    data["x_end"] = data["period_end"].astype(float) + 0.5
    data["x_mid"] = (data["x_start"] + data["x_end"]) / 2
    data["period_label"] = [format_period(p) for p in data["period"]]
    data["value_label"] = [
        f"{format_number(v, normalised_decimals(catalogue, i))} {u}".strip()
        for v, i, u in zip(data["value_normalised"], data["indicator_id"],
                           data["normalised_unit"])]
    data["score_label"] = [format_number(v, 2) for v in data["score_for_innovation"]]
    data["status_label"] = [label_status(s) for s in data["status"]]
    data = data[["indicator_name", "x_start", "x_end", "x_mid", "period_label", "value_label",
                 "score_label", "score_for_innovation", "status", "status_label"]]

    y = alt.Y("indicator_name:N", sort=rows, title=None,
              axis=alt.Axis(labelLimit=HEATMAP_LABEL_LIMIT, labelFontSize=LABEL_FONT_SIZE))
    first = float(data["x_start"].min()) if len(data) else 0.0
    last = float(data["x_end"].max()) if len(data) else 1.0
    x_axis = alt.Axis(format="d", title="År", labelAngle=0, tickMinStep=1)
    tooltip = [alt.Tooltip("indicator_name:N", title="Indikator"),
               alt.Tooltip("period_label:N", title="Period"),
               alt.Tooltip("value_label:N", title="Värde"),
               alt.Tooltip("score_label:N", title="Relativ utveckling"),
               alt.Tooltip("status_label:N", title="Status")]
    cells = alt.Chart(data).mark_rect(stroke="white", strokeWidth=0.5).encode(
        x=alt.X("x_start:Q", axis=x_axis, scale=alt.Scale(domain=[first, last], nice=False)),
        x2="x_end:Q", y=y,
        color=alt.Color("score_for_innovation:Q", title="Relativ utveckling",
                        scale=alt.Scale(scheme=SCORE_SCHEME, domain=list(SCORE_DOMAIN),
                                        domainMid=0, clamp=True),
                        legend=alt.Legend(orient="bottom", format=".1f", gradientLength=120)),
        tooltip=tooltip,
    )
    synthetic = data[data["status"] == "synthetic"]
    marks = alt.Chart(synthetic).mark_text(text=SYNTHETIC_MARK, fontSize=14,
                                           color="black").encode(
        x="x_mid:Q", y=y,
        opacity=alt.Opacity("status_label:N", title=None,
                            scale=alt.Scale(domain=[label_status("synthetic")], range=[1]),
                            legend=alt.Legend(orient="bottom", symbolType="circle",
                                              symbolFillColor="black", symbolSize=30)),
        tooltip=tooltip,
    )
    height = max(CHART_HEIGHT, HEATMAP_ROW_HEIGHT * len(rows))
    return alt.layer(cells, marks).properties(
        title=alt.Title("Relativ utveckling per indikator", subtitle=region_name),
        width=HEATMAP_WIDTH, height=height,
    ).resolve_legend(color="independent", opacity="independent")


def dimension_profile_chart(profile: pd.DataFrame, region_name: str) -> alt.LayerChart:
    """Bars of the region's placing per dimension among the län (1 = best, 0 = last).

    ``profile`` is ``compare.dimension_profile``. Strength and weakness are decided by the
    rank, so the bars show the rank too (colour and length always agree); the dashed lines
    mark the top and bottom thirds. The score (0–1) and the län median are in the tooltip.
    """
    data = profile.copy()
    n = data["n_regions"].astype(float)
    data["placing"] = (n - data["rank"].astype(float)) / (n - 1).where(n > 1)
    data["profile_label"] = data["profile"].map(PROFILE_LABELS).fillna(data["profile"])
    data["score_label"] = [format_number(v, 2) for v in data["score"]]
    data["median_label"] = [format_number(v, 2) for v in data["median"]]
    data["rank_label"] = [f"{r} av {n}" if pd.notna(r) else "–"
                          for r, n in zip(data["rank"], data["n_regions"])]
    data = data[["name_sv", "placing", "profile_label", "score_label", "median_label",
                 "rank_label"]]
    present = [k for k in PROFILE_LABELS if PROFILE_LABELS[k] in set(data["profile_label"])]
    y = alt.Y("name_sv:N", sort=None, title=None,
              axis=alt.Axis(labelLimit=200, labelFontSize=LABEL_FONT_SIZE + 1))
    x_scale = alt.Scale(domain=[0, 1])
    tooltip = [alt.Tooltip("name_sv:N", title="Dimension"),
               alt.Tooltip("rank_label:N", title="Placering"),
               alt.Tooltip("score_label:N", title=f"Poäng, {region_name}"),
               alt.Tooltip("median_label:N", title="Poäng, median för länen")]
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("placing:Q", scale=x_scale,
                title="Placering bland länen (1 = bäst, 0 = sist)",
                axis=alt.Axis(format=".1f")),
        y=y,
        color=alt.Color("profile_label:N", title=None,
                        scale=alt.Scale(domain=[PROFILE_LABELS[k] for k in present],
                                        range=[PROFILE_COLOURS[k] for k in present]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=tooltip,
    )
    # rank <= n/3 (strength) is placing >= (2n/3)/(n-1); rank > 2n/3 is placing < (n/3)/(n-1)
    count = float(n.max()) if len(n) and n.max() > 1 else 3.0
    bounds = [(count / 3) / (count - 1), (2 * count / 3) / (count - 1)]
    thirds = alt.Chart(pd.DataFrame({"x": bounds})).mark_rule(
        color="black", strokeDash=[4, 3]).encode(x=alt.X("x:Q", scale=x_scale))
    return alt.layer(bars, thirds).properties(
        title=alt.Title("Profil per dimension",
                        subtitle=f"{region_name}; strecken visar gränserna för bästa och "
                                 "sämsta tredjedelen"),
        width=PROFILE_WIDTH, height=max(CHART_HEIGHT, 24 * len(data)),
    )


def region_comparison_chart(table: pd.DataFrame, catalogue: object, indicator_id: str,
                            region_code: str, peer_codes: Sequence[str] = ()) -> alt.LayerChart:
    """All län's normalised values as bars coloured by role (the chosen län, its peers in a
    lighter shade of the same colour, the others grey; ``ROLE_COLOURS``, with a legend),
    Riket as a dashed line. Synthetic values are paler bars with the role's colour as
    outline, so the role stays visible.

    ``table`` is ``compare.compare_regions``; bars are sorted best first.
    """
    decimals = normalised_decimals(catalogue, indicator_id)
    data = table.dropna(subset=["value_normalised"]).copy()
    data = data.sort_values(["rank", "region_name"])
    data["role"] = [region_role(c, region_code, peer_codes) for c in data["region_code"]]
    data["group"] = data["role"].map({ROLE_REGION: "region", ROLE_PEER: "peer",
                                      ROLE_OTHER: "other"})
    data["value_label"] = [format_number(v, decimals) for v in data["value_normalised"]]
    data["status_label"] = [label_status(s) for s in data["status"]]
    data["rank_label"] = [f"{int(r)} av {int(n)}" for r, n in zip(data["rank"],
                                                                  data["n_ranked"])]
    unit = str(table["normalised_unit"].iloc[0]) if len(table) else ""
    periods = sorted({p for p in data["period"].dropna()})
    data = data[["region_name", "value_normalised", "group", "role", "value_label", "status",
                 "status_label", "rank_label"]]
    fmt = d3_format(decimals)
    y = alt.Y("region_name:N", sort=None, title=None)
    tooltip = [alt.Tooltip("region_name:N", title="Län"),
               alt.Tooltip("value_label:N", title=unit or "Värde"),
               alt.Tooltip("rank_label:N", title="Placering"),
               alt.Tooltip("status_label:N", title="Status")]
    roles = [role for role in ROLE_COLOURS if role in set(data["role"])]
    role_scale = alt.Scale(domain=roles, range=[ROLE_COLOURS[role] for role in roles])
    bars = alt.Chart(data).mark_bar(strokeWidth=1).encode(
        x=alt.X("value_normalised:Q", title=unit,
                axis=alt.Axis(format=fmt, tickCount=4, labelOverlap="greedy")),
        y=y,
        color=alt.Color("role:N", title=None, scale=role_scale,
                        legend=alt.Legend(orient="bottom", direction="vertical")),
        stroke=alt.Stroke("role:N", scale=role_scale, legend=None),
        fillOpacity=alt.FillOpacity("status_label:N", title=None, scale=alt.Scale(
            domain=[label_status("observed"), label_status("synthetic")],
            range=[1.0, SYNTHETIC_FILL_OPACITY])),
        tooltip=tooltip,
    )
    layers: list[alt.Chart] = [bars]
    if (data["status"] == "synthetic").any():
        # Vega-Lite draws no legend for fillOpacity: an empty layer carries it as opacity
        layers.append(alt.Chart(data).transform_filter("false").mark_bar(
            color="#555555").encode(
            x="value_normalised:Q", y=y,
            opacity=alt.Opacity("status_label:N", title=None, scale=alt.Scale(
                domain=[label_status("observed"), label_status("synthetic")],
                range=[1.0, SYNTHETIC_FILL_OPACITY]),
            legend=alt.Legend(orient="bottom", direction="vertical"))))
    riket = table["riket_value"].dropna()
    if len(riket):
        riket_frame = pd.DataFrame({"riket_value": [float(riket.iloc[0])],
                                    "label": ["Riket"],
                                    "value_label": [format_number(float(riket.iloc[0]),
                                                                  decimals)]})
        rule = alt.Chart(riket_frame).mark_rule(color=RIKET_COLOUR, strokeWidth=2,
                                                strokeDash=[6, 3]).encode(
            x="riket_value:Q",
            tooltip=[alt.Tooltip("label:N", title=""),
                     alt.Tooltip("value_label:N", title=unit or "Värde")])
        text = alt.Chart(riket_frame).mark_text(color=RIKET_COLOUR, align="left", dx=4,
                                                dy=-6, baseline="bottom").encode(
            x="riket_value:Q", y=alt.value(0), text="label:N")
        layers += [rule, text]
    return alt.layer(*layers).properties(
        title=alt.Title(_name(catalogue, indicator_id),
                        subtitle=", ".join([format_period(p) for p in periods] + [unit])),
        width=CHART_WIDTH, height=max(CHART_HEIGHT, 18 * len(data)),
    )
