"""Charts of the analysis chapter: relative development, profiles, comparisons and PCA.

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
    PEER_COLOUR,
    REGION_COLOUR,
    RIKET_COLOUR,
    label_status,
)
from ecoreport.report.formatting import d3_format, format_number, format_percent, format_period
from ecoreport.analysis.pca import PcaResult, group_years

# Diverging red (worse for innovation) → blue (better); the score is a z-score, so ±2
# already marks an unusual year for the series.
SCORE_DOMAIN = (-2.0, 2.0)
SCORE_SCHEME = "redblue"
PROFILE_LABELS = {"strength": "Styrka", "middle": "Mellanskikt", "weakness": "Svaghet",
                  "no_data": "Uppgift saknas"}
PROFILE_COLOURS = {"strength": "#2166ac", "middle": "#9e9e9e", "weakness": "#b2182b",
                   "no_data": "#e0e0e0"}
SYNTHETIC_MARK = "•"
PCA_SIZE = 420
# A year's position is marked synthetic when at least this share of its values is.
SYNTHETIC_POSITION_SHARE = 0.5
BIPLOT_X_EXTENT = 1.8
BIPLOT_Y_EXTENT = 1.15


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
              axis=alt.Axis(labelLimit=320))
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
                        legend=alt.Legend(orient="bottom", format=".1f", gradientLength=200)),
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
    height = max(CHART_HEIGHT, 16 * len(rows))
    return alt.layer(cells, marks).properties(
        title=alt.Title("Relativ utveckling per indikator", subtitle=region_name),
        width=CHART_WIDTH, height=height,
    ).resolve_legend(color="independent", opacity="independent")


def dimension_profile_chart(profile: pd.DataFrame, region_name: str) -> alt.LayerChart:
    """Bars of the region's score per dimension with the län median as a tick.

    ``profile`` is ``compare.dimension_profile``; bars are coloured strength/weakness.
    """
    data = profile.copy()
    data["profile_label"] = data["profile"].map(PROFILE_LABELS).fillna(data["profile"])
    data["score_label"] = [format_number(v, 2) for v in data["score"]]
    data["median_label"] = [format_number(v, 2) for v in data["median"]]
    data["rank_label"] = [f"{r} av {n}" if pd.notna(r) else "–"
                          for r, n in zip(data["rank"], data["n_regions"])]
    data = data[["name_sv", "score", "median", "profile_label", "score_label",
                 "median_label", "rank_label"]]
    present = [k for k in PROFILE_LABELS if PROFILE_LABELS[k] in set(data["profile_label"])]
    y = alt.Y("name_sv:N", sort=None, title=None, axis=alt.Axis(labelLimit=260))
    x_scale = alt.Scale(domain=[0, 1])
    tooltip = [alt.Tooltip("name_sv:N", title="Dimension"),
               alt.Tooltip("score_label:N", title=region_name),
               alt.Tooltip("median_label:N", title="Median för länen"),
               alt.Tooltip("rank_label:N", title="Placering")]
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("score:Q", scale=x_scale, title="Poäng (0–1, 1 = bäst bland länen)",
                axis=alt.Axis(format=".1f")),
        y=y,
        color=alt.Color("profile_label:N", title=None,
                        scale=alt.Scale(domain=[PROFILE_LABELS[k] for k in present],
                                        range=[PROFILE_COLOURS[k] for k in present]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=tooltip,
    )
    median = alt.Chart(data).mark_tick(color="black", thickness=2, size=18).encode(
        x=alt.X("median:Q", scale=x_scale), y=y, tooltip=tooltip)
    return alt.layer(bars, median).properties(
        title=alt.Title("Profil per dimension",
                        subtitle=f"{region_name}; strecket visar medianen för länen"),
        width=CHART_WIDTH, height=max(CHART_HEIGHT, 24 * len(data)),
    )


def region_comparison_chart(table: pd.DataFrame, catalogue: object, indicator_id: str,
                            region_code: str) -> alt.LayerChart:
    """All län's normalised values as bars, the chosen län highlighted, Riket as a line.

    ``table`` is ``compare.compare_regions``; bars are sorted best first.
    """
    decimals = normalised_decimals(catalogue, indicator_id)
    data = table.dropna(subset=["value_normalised"]).copy()
    data = data.sort_values(["rank", "region_name"])
    data["is_region"] = data["region_code"] == region_code
    data["group"] = np.where(data["is_region"], "region", "other")
    data["value_label"] = [format_number(v, decimals) for v in data["value_normalised"]]
    data["status_label"] = [label_status(s) for s in data["status"]]
    data["rank_label"] = [f"{int(r)} av {int(n)}" for r, n in zip(data["rank"],
                                                                  data["n_ranked"])]
    unit = str(table["normalised_unit"].iloc[0]) if len(table) else ""
    periods = sorted({p for p in data["period"].dropna()})
    data = data[["region_name", "value_normalised", "group", "value_label", "status",
                 "status_label", "rank_label"]]
    fmt = d3_format(decimals)
    y = alt.Y("region_name:N", sort=None, title=None)
    tooltip = [alt.Tooltip("region_name:N", title="Län"),
               alt.Tooltip("value_label:N", title=unit or "Värde"),
               alt.Tooltip("rank_label:N", title="Placering"),
               alt.Tooltip("status_label:N", title="Status")]
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("value_normalised:Q", title=unit,
                axis=alt.Axis(format=fmt, tickCount=6, labelOverlap=True)),
        y=y,
        color=alt.Color("group:N", legend=None,
                        scale=alt.Scale(domain=["region", "other"],
                                        range=[REGION_COLOUR, PEER_COLOUR])),
        opacity=alt.Opacity("status_label:N", title=None,
                            scale=alt.Scale(domain=[label_status("observed"),
                                                    label_status("synthetic")],
                                            range=[1.0, 0.45]),
                            legend=alt.Legend(orient="bottom")
                            if (data["status"] == "synthetic").any() else None),
        tooltip=tooltip,
    )
    layers: list[alt.Chart] = [bars]
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


def _axis_title(result: PcaResult, component: str) -> str:
    share = float(result.explained_variance_ratio.get(component, float("nan"))) * 100
    return f"Komponent {component[2:]} ({format_percent(share, 0, style='symbol')})"


def choose_labels(x: np.ndarray, y: np.ndarray, priority: np.ndarray,
                  min_distance: float = 0.12) -> np.ndarray:
    """Greedy de-cluttering: label arrow tips in order of ``priority`` unless one already
    labelled lies within ``min_distance`` vertically and a label width horizontally."""
    order = np.lexsort((np.arange(len(x)), -priority))
    chosen: list[int] = []
    for i in order:
        if all(abs(y[i] - y[j]) >= min_distance or abs(x[i] - x[j]) >= 4 * min_distance
               or np.sign(x[i]) != np.sign(x[j]) for j in chosen):
            chosen.append(int(i))
    mask = np.zeros(len(x), dtype=bool)
    mask[chosen] = True
    return mask


def pca_biplot(result: PcaResult, catalogue: object) -> alt.LayerChart:
    """Loading arrows on PC1/PC2 coloured by cos², labelled with the indicators' names.

    The circle of radius 1 is the limit for a variable fully represented by the two
    components. Where arrow tips crowd, only the best represented one is labelled; all
    names are in the tooltips.
    """
    loadings = result.loadings.reindex(columns=["PC1", "PC2"]).fillna(0.0)
    cos2 = (loadings ** 2).sum(axis=1)
    data = pd.DataFrame({
        "indicator_name": [_name(catalogue, i) for i in loadings.index],
        "x": loadings["PC1"].to_numpy(), "y": loadings["PC2"].to_numpy(),
        "cos2": cos2.to_numpy(),
    })
    data["x0"] = 0.0
    data["y0"] = 0.0
    # A triangle symbol points up at angle 0; Vega rotates clockwise.
    data["angle"] = 90.0 - np.degrees(np.arctan2(data["y"], data["x"]))
    data["cos2_label"] = [format_number(v, 2) for v in data["cos2"]]
    data["show_label"] = choose_labels(data["x"].to_numpy(), data["y"].to_numpy(),
                                       data["cos2"].to_numpy())
    scale = alt.Scale(domain=[-BIPLOT_Y_EXTENT, BIPLOT_Y_EXTENT], nice=False)
    # Wider horizontally so that labels of arrows pointing left or right fit; the width
    # keeps one unit equally long on both axes, so the circle stays round.
    x_scale = alt.Scale(domain=[-BIPLOT_X_EXTENT, BIPLOT_X_EXTENT], nice=False)
    x = alt.X("x:Q", title=_axis_title(result, "PC1"), scale=x_scale,
              axis=alt.Axis(format=".1f", grid=False))
    y = alt.Y("y:Q", title=_axis_title(result, "PC2"), scale=scale,
              axis=alt.Axis(format=".1f", grid=False))
    colour_scale = alt.Scale(scheme="viridis", domain=[0, 1])
    colour = alt.Color("cos2:Q", title="cos²", scale=colour_scale,
                       legend=alt.Legend(format=".1f", orient="right"))
    tooltip = [alt.Tooltip("indicator_name:N", title="Indikator"),
               alt.Tooltip("cos2_label:N", title="cos²")]
    theta = np.linspace(0, 2 * np.pi, 121)
    circle = alt.Chart(pd.DataFrame({"cx": np.cos(theta), "cy": np.sin(theta),
                                     "order": range(len(theta))})).mark_line(
        color="#bdbdbd", strokeDash=[3, 3]).encode(x=alt.X("cx:Q", scale=x_scale),
                                                   y=alt.Y("cy:Q", scale=scale),
                                                   order="order:Q")
    zero = pd.DataFrame({"zero": [0.0]})
    vline = alt.Chart(zero).mark_rule(color="#9e9e9e").encode(x="zero:Q")
    hline = alt.Chart(zero).mark_rule(color="#9e9e9e").encode(y="zero:Q")
    base = alt.Chart(data)
    shafts = base.mark_rule(strokeWidth=2).encode(x=x, y=y, x2="x0:Q", y2="y0:Q",
                                                  color=colour, tooltip=tooltip)
    heads = base.mark_point(shape="triangle", filled=True, size=60, opacity=1).encode(
        x=x, y=y, angle=alt.Angle("angle:Q", scale=None), color=colour, tooltip=tooltip)
    labelled = base.transform_filter(alt.datum.show_label)
    labels_right = labelled.transform_filter(alt.datum.x >= 0).mark_text(
        align="left", dx=6, fontSize=10).encode(x=x, y=y, text="indicator_name:N")
    labels_left = labelled.transform_filter(alt.datum.x < 0).mark_text(
        align="right", dx=-6, fontSize=10).encode(x=x, y=y, text="indicator_name:N")
    return alt.layer(circle, vline, hline, shafts, heads, labels_left, labels_right).properties(
        title=alt.Title("Indikatorer i principalkomponentanalysen",
                        subtitle=_pca_subtitle(result)),
        width=round(PCA_SIZE * BIPLOT_X_EXTENT / BIPLOT_Y_EXTENT), height=PCA_SIZE,
    )


def _pca_subtitle(result: PcaResult) -> str:
    return (f"{result.n_observations} {result.observation_label}, "
            f"{result.n_variables} indikatorer med cos² ≥ "
            f"{format_number(result.min_cos2, 1)}")


def pca_trajectory_chart(result: PcaResult, region_name: str, region_code: str | None = None,
                         breaks: Sequence[int] | None = None) -> alt.LayerChart:
    """The region's yearly positions on PC1/PC2 connected in time order, coloured by period.

    Periods come from ``pca.group_years`` (``breaks`` or three data-driven groups);
    positions resting mainly (≥ ``SYNTHETIC_POSITION_SHARE``) on synthetic values are drawn
    hollow; the tooltip gives the share.
    """
    scores = (result.trajectory(region_code) if region_code is not None
              else result.scores.sort_values("year")).copy()
    groups = group_years(scores["year"], breaks=breaks)
    scores["period_group"] = scores["year"].map(groups)
    scores["status"] = np.where(scores["share_synthetic"] >= SYNTHETIC_POSITION_SHARE,
                                "synthetic", "observed")
    scores["status_label"] = [label_status(s) for s in scores["status"]]
    scores["year_label"] = scores["year"].astype(str)
    scores["synthetic_label"] = [format_percent(100 * v, 0, style="symbol")
                                 for v in scores["share_synthetic"]]
    data = scores[["year", "PC1", "PC2", "period_group", "status_label", "year_label",
                   "synthetic_label"]]
    x = alt.X("PC1:Q", title=_axis_title(result, "PC1"), axis=alt.Axis(format=".1f"))
    y = alt.Y("PC2:Q", title=_axis_title(result, "PC2"), axis=alt.Axis(format=".1f"))
    period_order = list(dict.fromkeys(groups.tolist()))
    colour = alt.Color("period_group:N", title="Period", sort=period_order,
                       scale=alt.Scale(scheme="viridis"), legend=alt.Legend(orient="bottom"))
    tooltip = [alt.Tooltip("year_label:N", title="År"),
               alt.Tooltip("PC1:Q", format=".2f", title="Komponent 1"),
               alt.Tooltip("PC2:Q", format=".2f", title="Komponent 2"),
               alt.Tooltip("synthetic_label:N", title="Andel syntetiska värden")]
    base = alt.Chart(data)
    path = base.mark_line(color="#9e9e9e", strokeWidth=1.5).encode(x=x, y=y, order="year:Q")
    statuses = [label_status(s) for s in ("observed", "synthetic")
                if label_status(s) in set(data["status_label"])]
    points = base.mark_point(size=90, strokeWidth=2, opacity=1).encode(
        x=x, y=y, color=colour, tooltip=tooltip,
        fill=alt.Fill("status_label:N", title=None,
                      scale=alt.Scale(domain=[label_status("observed"),
                                              label_status("synthetic")],
                                      range=["#444444", "white"]),
                      legend=alt.Legend(orient="bottom", values=statuses,
                                        symbolStrokeColor="#444444", symbolStrokeWidth=2)),
    )
    labels = base.mark_text(dx=8, dy=-8, fontSize=10, color="#333333").encode(
        x=x, y=y, text="year_label:N")
    return alt.layer(path, points, labels).properties(
        title=alt.Title("Länets förflyttning över tid", subtitle=region_name),
        width=PCA_SIZE, height=PCA_SIZE,
    ).resolve_scale(color="independent")


def pooled_positions_chart(result: PcaResult, regions: Sequence[object], region_code: str,
                           year: int) -> alt.LayerChart:
    """All län's positions in ``year`` of a pooled PCA, the chosen län highlighted and its
    path over the fitted years drawn faintly."""
    names = {str(r.code): getattr(r, "short_name", str(r.code)) for r in regions}
    positions = result.positions(year).copy()
    positions["region_name"] = positions["region_code"].map(names).fillna(
        positions["region_code"])
    positions["group"] = np.where(positions["region_code"] == region_code, "region", "other")
    data = positions[["region_name", "PC1", "PC2", "group"]]
    path = result.trajectory(region_code)[["year", "PC1", "PC2"]]
    x = alt.X("PC1:Q", title=_axis_title(result, "PC1"), axis=alt.Axis(format=".1f"))
    y = alt.Y("PC2:Q", title=_axis_title(result, "PC2"), axis=alt.Axis(format=".1f"))
    colour = alt.Color("group:N", legend=None,
                       scale=alt.Scale(domain=["region", "other"],
                                       range=[REGION_COLOUR, PEER_COLOUR]))
    tooltip = [alt.Tooltip("region_name:N", title="Län"),
               alt.Tooltip("PC1:Q", format=".2f", title="Komponent 1"),
               alt.Tooltip("PC2:Q", format=".2f", title="Komponent 2")]
    trail = alt.Chart(path).mark_line(color=REGION_COLOUR, opacity=0.35,
                                      strokeWidth=1.5).encode(x=x, y=y, order="year:Q")
    points = alt.Chart(data).mark_circle(opacity=0.9).encode(
        x=x, y=y, color=colour, size=alt.condition(alt.datum.group == "region",
                                                   alt.value(160), alt.value(60)),
        tooltip=tooltip)
    labels = alt.Chart(data).transform_filter(alt.datum.group != "region").mark_text(
        dx=7, align="left", fontSize=10, color=PEER_COLOUR).encode(
        x=x, y=y, text="region_name:N")
    highlight = alt.Chart(data).transform_filter(alt.datum.group == "region").mark_text(
        dx=9, align="left", fontSize=12, fontWeight="bold", color=REGION_COLOUR).encode(
        x=x, y=y, text="region_name:N")
    return alt.layer(trail, points, labels, highlight).properties(
        title=alt.Title("Länen i principalkomponentanalysen",
                        subtitle=f"{year}; {_pca_subtitle(result)}"),
        width=PCA_SIZE, height=PCA_SIZE,
    )
