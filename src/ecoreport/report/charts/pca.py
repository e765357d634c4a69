"""Charts of the principal component analysis: biplot, the län's trajectory over the years
and all län's positions (model report Figur 5–6). Method: ``ecoreport.analysis.pca``.

Indicator names come from the catalogue; only generic Swedish axis words are written here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ecoreport.analysis.pca import PcaResult, group_years
from ecoreport.report.charts.base import (
    REGION_COLOUR,
    ROLE_COLOURS,
    ROLE_PEER,
    ROLE_REGION,
    label_status,
    line_segments,
    region_role,
    status_fill_value,
    status_legend,
    status_line,
)
from ecoreport.markup.formatting import format_number, format_percent

PCA_SIZE = 420
# A year's position is marked synthetic when at least this share of its values is.
SYNTHETIC_POSITION_SHARE = 0.5
# The biplot's plot area in pixels and its extent in loading units (one unit equally long
# on both axes, so the unit circle stays round). Together with the axis it fits the web
# book's text column (about 620 px) unscaled, so the labels keep their font size.
BIPLOT_WIDTH = 560
BIPLOT_HEIGHT = 340
BIPLOT_Y_EXTENT = 1.1
BIPLOT_X_EXTENT = BIPLOT_Y_EXTENT * BIPLOT_WIDTH / BIPLOT_HEIGHT
# How many arrows get a name (the best represented that find room); the rest are named in
# the tooltip.
BIPLOT_LABELS = 10
LABEL_FONT_SIZE = 11
# Label geometry for placement: an upper estimate of the width of a character of the
# sans-serif font (as a share of the font size), the line height, the wrap width.
LABEL_CHAR_WIDTH = 0.6
LABEL_LINE_HEIGHT = 1.25
LABEL_WRAP = 20
LABEL_GAP = 7  # px between an arrow tip and its label
# Colours on white that stay visible (contrast about 3:1 or more at the light end, and
# colour-blind safe): arrows darker the better the indicator is represented (cos², shown
# as "återgiven andel"); periods from dark to light, without cividis's pale yellow end.
ARROW_SCHEME = {"name": "cividis", "extent": [0.62, 0]}
PERIOD_SCHEME = {"name": "cividis", "extent": [0, 0.62]}
LABEL_MAX_SHIFT = 3  # line heights a label may move up or down (then with a leader line)


def _axis_title(result: PcaResult, component: str) -> str:
    share = float(result.explained_variance_ratio.get(component, float("nan"))) * 100
    return f"Komponent {component[2:]} ({format_percent(share, 0, style='symbol')})"


def wrap_label(text: str, width: int = LABEL_WRAP) -> list[str]:
    """Words of ``text`` on lines of at most ``width`` characters (a longer word alone)."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def label_box(x: float, y: float, lines: Sequence[str], align: str, baseline: str,
              font_size: float = LABEL_FONT_SIZE) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) in pixels of a text anchored at (x, y), estimated from the
    number of characters (an upper bound for the report's sans-serif font)."""
    width = max(len(line) for line in lines) * LABEL_CHAR_WIDTH * font_size
    height = len(lines) * LABEL_LINE_HEIGHT * font_size
    left = {"left": x, "right": x - width, "center": x - width / 2}[align]
    top = {"middle": y - height / 2, "bottom": y - height, "top": y}[baseline]
    return left, top, left + width, top + height


def _overlaps(a: tuple, b: tuple, pad: float = 2.0) -> bool:
    return not (a[2] + pad <= b[0] or b[2] + pad <= a[0] or a[3] + pad <= b[1]
                or b[3] + pad <= a[1])


def _crosses(box: tuple, start: tuple, end: tuple, pad: float = 4.0) -> bool:
    """Whether the segment start–end passes through ``box`` (sampled every few pixels)."""
    steps = max(2, int(math.hypot(end[0] - start[0], end[1] - start[1]) / 3))
    for t in np.linspace(0, 1, steps + 1):
        px = start[0] + t * (end[0] - start[0])
        py = start[1] + t * (end[1] - start[1])
        if box[0] - pad <= px <= box[2] + pad and box[1] - pad <= py <= box[3] + pad:
            return True
    return False


def place_labels(x: np.ndarray, y: np.ndarray, names: Sequence[str], priority: np.ndarray,
                 *, k: int = BIPLOT_LABELS, width: float = BIPLOT_WIDTH,
                 height: float = BIPLOT_HEIGHT, x_extent: float = BIPLOT_X_EXTENT,
                 y_extent: float = BIPLOT_Y_EXTENT) -> pd.DataFrame:
    """Greedy label placement for arrow tips at (x, y) in data units.

    Tips are taken in order of ``priority`` (highest first) until ``k`` labels are placed.
    A label goes beyond its tip (to the right of arrows pointing right, left of those
    pointing left, above or below steep ones), or, if that spot is taken, moves along in
    steps of a line up to ``LABEL_MAX_SHIFT`` lines (drawn with a leader line). A spot is
    taken when the label's estimated box would overlap a label already placed or another
    arrow's tip, or leave the plot area, or when its leader line or a leader line already
    drawn would cross a label. Returns one row per tip: ``shown``, ``label_x``
    and ``label_y`` (data units: the horizontal anchor and the top of the first line, so
    that Vega draws the lines downwards from it whatever its multi-line baseline rule),
    ``align``, ``lines`` (the wrapped name), ``leader`` (moved away from its tip),
    ``leader_x``/``leader_y`` (where a leader line meets the label) and ``box`` (pixels:
    left, top, right, bottom).
    """
    def px(u: float) -> float:
        return (u + x_extent) / (2 * x_extent) * width

    def py(v: float) -> float:
        return (y_extent - v) / (2 * y_extent) * height

    def data_x(p: float) -> float:
        return p / width * 2 * x_extent - x_extent

    def data_y(p: float) -> float:
        return y_extent - p / height * 2 * y_extent

    n = len(x)
    tips = [(px(x[i]) - 4, py(y[i]) - 4, px(x[i]) + 4, py(y[i]) + 4) for i in range(n)]
    step = LABEL_LINE_HEIGHT * LABEL_FONT_SIZE
    shifts = [0.0] + [sign * j * step for j in range(1, LABEL_MAX_SHIFT + 1)
                      for sign in (1, -1)]
    rows = [{"shown": False, "label_x": np.nan, "label_y": np.nan, "align": "left",
             "lines": wrap_label(names[i]), "leader": False, "leader_x": np.nan,
             "leader_y": np.nan, "box": None} for i in range(n)]
    placed: list[tuple] = []
    leaders: list[tuple[tuple, tuple]] = []
    order = np.lexsort((np.arange(n), -np.asarray(priority, dtype=float)))
    for i in order:
        if len(placed) >= k:
            break
        tx, ty = px(x[i]), py(y[i])
        lines = rows[i]["lines"]
        steep = abs(x[i]) < 0.5 * abs(y[i])
        if steep:
            up = y[i] >= 0
            anchor = (tx, ty - LABEL_GAP if up else ty + LABEL_GAP)
            align, baseline = "center", ("bottom" if up else "top")
            candidates = [(anchor[0] + d * 2, anchor[1]) for d in shifts]
        else:
            right = x[i] >= 0
            anchor = (tx + LABEL_GAP if right else tx - LABEL_GAP, ty)
            align, baseline = ("left" if right else "right"), "middle"
            candidates = [(anchor[0], anchor[1] + d) for d in shifts]
        for cx, cy in candidates:
            box = label_box(cx, cy, lines, align, baseline)
            inside = box[0] >= 0 and box[1] >= 0 and box[2] <= width and box[3] <= height
            if not inside or any(_overlaps(box, other) for other in placed):
                continue
            if any(_overlaps(box, tips[j], pad=0) for j in range(n) if j != i):
                continue
            leader = ((tx, ty), (cx, cy)) if (cx, cy) != anchor else None
            if any(_crosses(box, *other) for other in leaders) or (
                    leader and any(_crosses(other, *leader) for other in placed)):
                continue
            if leader:
                leaders.append(leader)
            placed.append(box)
            rows[i].update(shown=True, label_x=data_x(cx), label_y=data_y(box[1]),
                           align=align, leader=(cx, cy) != anchor, leader_x=data_x(cx),
                           leader_y=data_y(cy), box=box)
            break
    return pd.DataFrame(rows)


def _biplot_frame(result: PcaResult, catalogue: object, label_top: int) -> pd.DataFrame:
    """The biplot's rows: one arrow per indicator (loadings on PC1/PC2, cos², the angle of
    its head) with where its label goes, if it has one (``place_labels``)."""
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
    labels = place_labels(data["x"].to_numpy(), data["y"].to_numpy(),
                          data["indicator_name"].tolist(), data["cos2"].to_numpy(),
                          k=label_top)
    data["show_label"] = labels["shown"].to_numpy()
    data["label_x"] = labels["label_x"].to_numpy()
    data["label_y"] = labels["label_y"].to_numpy()
    data["label_text"] = ["\n".join(lines) for lines in labels["lines"]]
    data["label_align"] = labels["align"].to_numpy()
    data["leader"] = labels["leader"].to_numpy()
    data["leader_x"] = labels["leader_x"].to_numpy()
    data["leader_y"] = labels["leader_y"].to_numpy()
    return data


def pca_biplot(result: PcaResult, catalogue: object,
               label_top: int = BIPLOT_LABELS) -> alt.LayerChart:
    """Loading arrows on PC1/PC2 coloured by cos²; the ``label_top`` best represented
    indicators that find room carry their names (``place_labels``), the others are paler
    and named in the tooltip.

    The circle of radius 1 is the limit for a variable fully represented by the two
    components.
    """
    data = _biplot_frame(result, catalogue, label_top)
    scale = alt.Scale(domain=[-BIPLOT_Y_EXTENT, BIPLOT_Y_EXTENT], nice=False)
    x_scale = alt.Scale(domain=[-BIPLOT_X_EXTENT, BIPLOT_X_EXTENT], nice=False)
    x = alt.X("x:Q", title=_axis_title(result, "PC1"), scale=x_scale,
              axis=alt.Axis(format=".1f", grid=False, tickCount=9))
    y = alt.Y("y:Q", title=_axis_title(result, "PC2"), scale=scale,
              axis=alt.Axis(format=".1f", grid=False))
    colour_scale = alt.Scale(scheme=ARROW_SCHEME, domain=[0, 1])
    colour = alt.Color("cos2:Q", title="Återgiven andel", scale=colour_scale,
                       legend=alt.Legend(format=".1f", orient="bottom", gradientLength=160,
                                         titleOrient="left"))
    tooltip = [alt.Tooltip("indicator_name:N", title="Indikator"),
               alt.Tooltip("cos2_label:N", title="Återgiven andel")]
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
    emphasis = alt.condition(alt.datum.show_label, alt.value(1.0), alt.value(0.45))
    shafts = base.mark_rule(strokeWidth=2).encode(x=x, y=y, x2="x0:Q", y2="y0:Q",
                                                  color=colour, opacity=emphasis,
                                                  tooltip=tooltip)
    heads = base.mark_point(shape="triangle", filled=True, size=60).encode(
        x=x, y=y, angle=alt.Angle("angle:Q", scale=None), color=colour, opacity=emphasis,
        tooltip=tooltip)
    labelled = base.transform_filter(alt.datum.show_label)
    label_x = alt.X("label_x:Q", scale=x_scale)
    label_y = alt.Y("label_y:Q", scale=scale)
    leaders = labelled.transform_filter(alt.datum.leader).mark_rule(
        color="#757575", strokeWidth=0.75).encode(x=x, y=y, x2="leader_x:Q", y2="leader_y:Q")
    text_layers = []
    for align in sorted(set(data.loc[data["show_label"], "label_align"])):
        group = labelled.transform_filter(alt.datum.label_align == align)
        common = {"align": align, "baseline": "top", "fontSize": LABEL_FONT_SIZE,
                  "lineBreak": "\n", "lineHeight": LABEL_LINE_HEIGHT * LABEL_FONT_SIZE}
        # a white halo first, so that labels stay legible where they cross an arrow
        text_layers.append(group.mark_text(stroke="white", strokeWidth=3, strokeJoin="round",
                                           **common).encode(x=label_x, y=label_y,
                                                            text="label_text:N"))
        text_layers.append(group.mark_text(color="#222222", **common).encode(
            x=label_x, y=label_y, text="label_text:N", tooltip=tooltip))
    return alt.layer(circle, vline, hline, shafts, heads, leaders, *text_layers).properties(
        title=alt.Title("Indikatorer i principalkomponentanalysen",
                        subtitle=_pca_subtitle(result)),
        width=BIPLOT_WIDTH, height=BIPLOT_HEIGHT,
    )


def _pca_subtitle(result: PcaResult) -> str:
    return (f"{result.n_observations} {result.observation_label}, "
            f"{result.n_variables} indikatorer med återgiven andel ≥ "
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
                       scale=alt.Scale(scheme=PERIOD_SCHEME), legend=alt.Legend(orient="bottom"))
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
    labels = base.mark_text(dx=8, dy=-8, fontSize=11, color="#333333").encode(
        x=x, y=y, text="year_label:N")
    return alt.layer(path, points, labels, legend).properties(
        title=alt.Title("Länets förflyttning över tid", subtitle=region_name),
        width=PCA_SIZE, height=PCA_SIZE,
    ).resolve_scale(color="independent")


def _role_colour(title: str | None = None) -> alt.Color:
    """Colour by ``role`` (the report's län, its peers, the others) with a legend."""
    return alt.Color("role:N", title=title, scale=alt.Scale(
        domain=list(ROLE_COLOURS), range=list(ROLE_COLOURS.values())),
        legend=alt.Legend(orient="bottom"))


def pooled_positions_chart(result: PcaResult, regions: Sequence[object], region_code: str,
                           year: int, peer_codes: Sequence[str] = ()) -> alt.LayerChart:
    """All län's positions in ``year`` of a pooled PCA: the chosen län and its peers
    coloured and named, the others grey and named on hover; the län's path over the fitted
    years drawn faintly."""
    names = {str(r.code): getattr(r, "short_name", str(r.code)) for r in regions}
    positions = result.positions(year).copy()
    positions["region_name"] = positions["region_code"].map(names).fillna(
        positions["region_code"])
    positions["group"] = np.where(positions["region_code"] == region_code, "region", "other")
    positions["role"] = [region_role(c, region_code, peer_codes)
                         for c in positions["region_code"]]
    data = positions[["region_name", "PC1", "PC2", "group", "role"]]
    path = result.trajectory(region_code)[["year", "PC1", "PC2"]]
    x = alt.X("PC1:Q", title=_axis_title(result, "PC1"), axis=alt.Axis(format=".1f"))
    y = alt.Y("PC2:Q", title=_axis_title(result, "PC2"), axis=alt.Axis(format=".1f"))
    tooltip = [alt.Tooltip("region_name:N", title="Län"),
               alt.Tooltip("PC1:Q", format=".2f", title="Komponent 1"),
               alt.Tooltip("PC2:Q", format=".2f", title="Komponent 2")]
    trail = alt.Chart(path).mark_line(color=REGION_COLOUR, opacity=0.35,
                                      strokeWidth=1.5).encode(x=x, y=y, order="year:Q")
    points = alt.Chart(data).mark_circle(opacity=0.9).encode(
        x=x, y=y, color=_role_colour(), size=alt.condition(alt.datum.group == "region",
                                                          alt.value(160), alt.value(60)),
        tooltip=tooltip)
    labels = alt.Chart(data).transform_filter(alt.datum.role == ROLE_PEER).mark_text(
        dx=7, align="left", fontSize=11, color="#35607f").encode(
        x=x, y=y, text="region_name:N", tooltip=tooltip)
    highlight = alt.Chart(data).transform_filter(alt.datum.group == "region").mark_text(
        dx=9, align="left", fontSize=12, fontWeight="bold", color=REGION_COLOUR).encode(
        x=x, y=y, text="region_name:N", tooltip=tooltip)
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


def axis_positions_chart(axis, regions: Sequence[object], region_code: str,
                         peer_codes: Sequence[str] = ()) -> alt.LayerChart:
    """Every län's position on the tested research–market axis with its 95 % interval;
    research to the left; the län and its peers coloured (``ROLE_COLOURS``). ``axis`` is
    ``analysis.axis.AxisResult``."""
    data = axis_positions_table(axis, regions)
    data["role"] = [region_role(c, region_code, peer_codes) for c in data["region_code"]]
    y = alt.Y("region_name:N", sort=alt.SortField("position"), title=None,
              axis=alt.Axis(labelFontSize=11))
    x_title = "Forskningssidan ← läge på axeln → marknadssidan"
    colour = _role_colour()
    tooltip = [alt.Tooltip("region_name:N", title="Län"),
               alt.Tooltip("position:Q", format=".2f", title="Läge"),
               alt.Tooltip("ci_low:Q", format=".2f", title="95 % konfidensintervall, från"),
               alt.Tooltip("ci_high:Q", format=".2f", title="95 % konfidensintervall, till"),
               alt.Tooltip("rank:Q", title="Plats från forskningssidan")]
    interval = alt.Chart(data).mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", title=x_title), x2="ci_high:Q", y=y, color=colour, tooltip=tooltip,
        strokeWidth=alt.condition(alt.datum.role == ROLE_REGION, alt.value(4), alt.value(2)))
    points = alt.Chart(data).mark_circle(opacity=1).encode(
        x="position:Q", y=y, color=colour, tooltip=tooltip,
        size=alt.condition(alt.datum.role == ROLE_REGION, alt.value(130), alt.value(70)))
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="black").encode(x="x:Q")
    status = "axeln stöds av testet" if axis.supported else "axeln stöds inte av testet"
    return alt.layer(zero, interval, points).properties(
        title=alt.Title("Länen på axeln mellan forskning och marknad",
                        subtitle=f"{axis.years[0]}–{axis.years[1]}; {status} "
                                 f"(p = {format_number(axis.p_value, 3)})"),
        width=PCA_SIZE, height=max(PCA_SIZE, 18 * len(data)))
