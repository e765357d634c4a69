"""Charts of the principal component analysis: biplot, the län's trajectory over the years
and all län's positions (model report Figur 5–6). Method: ``ecoreport.analysis.pca``.

Indicator names come from the catalogue; only generic Swedish axis words are written here.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ecoreport.analysis.pca import PcaResult, group_years
from ecoreport.report.charts.base import (
    PEER_COLOUR,
    REGION_COLOUR,
    label_status,
    line_segments,
    status_fill_value,
    status_legend,
    status_line,
)
from ecoreport.report.formatting import format_number, format_percent

PCA_SIZE = 420
# A year's position is marked synthetic when at least this share of its values is.
SYNTHETIC_POSITION_SHARE = 0.5
BIPLOT_X_EXTENT = 1.8
BIPLOT_Y_EXTENT = 1.15


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
        "indicator_name": [str(catalogue.indicators[i].name_sv) for i in loadings.index],
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
    hollow and the path to or from them dashed; the tooltip gives the share.
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
    statuses = scores["status"].unique().tolist()
    segments = line_segments(scores.sort_values("year"), "PC1", "PC2")
    path = status_line(segments, x, y, statuses, colour="#9e9e9e", stroke_width=1.5,
                       legend_colour="#444444")
    points = base.mark_point(size=90, strokeWidth=2, opacity=1).encode(
        x=x, y=y, color=colour, tooltip=tooltip, fill=status_fill_value("#444444"))
    legend = status_legend(data, x, y, statuses, colour="#444444")
    labels = base.mark_text(dx=8, dy=-8, fontSize=10, color="#333333").encode(
        x=x, y=y, text="year_label:N")
    return alt.layer(path, points, labels, legend).properties(
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


def axis_positions_table(axis, regions: Sequence[object]) -> pd.DataFrame:
    """The numbers behind ``axis_positions_chart`` (also its CSV download)."""
    names = {str(r.code): getattr(r, "short_name", str(r.code)) for r in regions}
    table = axis.positions.copy()
    table.insert(1, "region_name", table["region_code"].map(names).fillna(table["region_code"]))
    return table


def axis_positions_chart(axis, regions: Sequence[object], region_code: str) -> alt.LayerChart:
    """Every län's position on the tested research–market axis with its 95 % interval;
    research to the left. ``axis`` is ``analysis.axis.AxisResult``."""
    data = axis_positions_table(axis, regions)
    data["group"] = np.where(data["region_code"] == region_code, "region", "other")
    y = alt.Y("region_name:N", sort=alt.SortField("position"), title=None)
    x_title = "Forskningssidan ← läge på axeln → marknadssidan"
    colour = alt.Color("group:N", legend=None, scale=alt.Scale(
        domain=["region", "other"], range=[REGION_COLOUR, PEER_COLOUR]))
    tooltip = [alt.Tooltip("region_name:N", title="Län"),
               alt.Tooltip("position:Q", format=".2f", title="Läge"),
               alt.Tooltip("ci_low:Q", format=".2f", title="95 % intervall, från"),
               alt.Tooltip("ci_high:Q", format=".2f", title="95 % intervall, till"),
               alt.Tooltip("rank:Q", title="Plats från forskningssidan")]
    interval = alt.Chart(data).mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", title=x_title), x2="ci_high:Q", y=y, color=colour, tooltip=tooltip)
    points = alt.Chart(data).mark_circle(size=70, opacity=1).encode(
        x="position:Q", y=y, color=colour, tooltip=tooltip)
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="black").encode(x="x:Q")
    status = "axeln stöds av testet" if axis.supported else "axeln stöds inte av testet"
    return alt.layer(zero, interval, points).properties(
        title=alt.Title("Länen på axeln mellan forskning och marknad",
                        subtitle=f"{axis.years[0]}–{axis.years[1]}; {status} "
                                 f"(p = {format_number(axis.p_value, 3)})"),
        width=PCA_SIZE, height=max(PCA_SIZE, 16 * len(data)))
