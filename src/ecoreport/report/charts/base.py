"""Shared chart conventions: colours, the synthetic-value marking, number formats."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from ecoreport.data.vocab import STATUS_LABELS

REGION_COLOUR = "#1f5f8b"
PEER_COLOUR = "#8c8c8c"
RIKET_COLOUR = "#d08c2f"
# How a län relates to the report: the report's own län, one of its peers, or another.
ROLE_REGION = "Rapportens län"
ROLE_PEER = "Jämförelselän"
ROLE_OTHER = "Övriga län"
ROLE_COLOURS = {ROLE_REGION: REGION_COLOUR, ROLE_PEER: "#6a9fc4", ROLE_OTHER: "#b0b0b0"}
CHART_WIDTH = 560
CHART_HEIGHT = 260
#: The smallest text in a chart (CSS px on screen; charts are drawn at their own size, and
#: scroll sideways on a narrow screen rather than shrink).
MIN_FONT_PX = 11
#: Vega-Lite settings of every chart (``render.with_chart_config``): readable text sizes,
#: and ``aria: false``, so marks and axes are left out of the accessibility tree (the chart
#: is one image named by its description; its numbers are in the table and CSV beside it).
CHART_CONFIG: dict = {
    "aria": False,
    "font": "Liberation Sans, Arial, sans-serif",
    "axis": {"labelFontSize": MIN_FONT_PX, "titleFontSize": MIN_FONT_PX + 1},
    "legend": {"labelFontSize": MIN_FONT_PX, "titleFontSize": MIN_FONT_PX + 1},
    "header": {"labelFontSize": MIN_FONT_PX, "titleFontSize": MIN_FONT_PX + 1},
    "title": {"fontSize": MIN_FONT_PX + 2, "subtitleFontSize": MIN_FONT_PX},
    "text": {"fontSize": MIN_FONT_PX},
}


def region_role(code: str, region_code: str | None, peer_codes) -> str:
    """ROLE_REGION, ROLE_PEER or ROLE_OTHER of a län code."""
    if code == region_code:
        return ROLE_REGION
    return ROLE_PEER if code in set(peer_codes) else ROLE_OTHER


def label_status(status: str) -> str:
    """The Swedish legend label of a value status."""
    label = STATUS_LABELS.get(status)
    return label.value if label else status


# Lines through values: solid between observed values, dashed (and lighter) wherever a
# synthetic value is at either end of a segment.
STATUS_DASH = {"observed": [1, 0], "synthetic": [5, 4]}
STATUS_LINE_OPACITY = {"observed": 1.0, "synthetic": 0.55}
# Legend symbol of a marker on a line (a short line through a circle), so that one legend
# entry explains both the marker and the line.
# (Vega centres a symbol on a point 7.5 px from the legend's edge and scales the path by half
# the square root of symbolSize: the path starts at -1.2 so that it stays inside the legend.)
LINE_POINT_SYMBOL = ("M 1.9 0 A 0.7 0.7 0 1 1 0.5 0 A 0.7 0.7 0 1 1 1.9 0 Z "
                     "M -1.2 0 L 0.5 0 M 1.9 0 L 3.6 0")


def line_segments(data: pd.DataFrame, x: str, y: str, status: str = "status",
                  by: Sequence[str] = ()) -> pd.DataFrame:
    """Consecutive points (in the frame's order, per group ``by``) as two-row segments for
    ``status_line``: column ``segment`` (an id), ``x``, ``y``, ``by`` and ``line_status``
    (``synthetic`` when either end is synthetic, else ``observed``) with
    its ``status_label``. Points whose x or y is missing break the line."""
    rows = []
    groups = data.groupby(list(by), sort=False) if by else [((), data)]
    for key, group in groups:
        group = group.dropna(subset=[x, y])
        statuses = group[status].tolist()
        xs, ys = group[x].tolist(), group[y].tolist()
        keys = dict(zip(by, key if isinstance(key, tuple) else (key,)))
        for i in range(len(group) - 1):
            line = ("synthetic" if "synthetic" in (statuses[i], statuses[i + 1])
                    else "observed")
            for j in (i, i + 1):
                rows.append({**keys, "segment": f"{len(rows) // 2}", x: xs[j], y: ys[j],
                             "line_status": line})
    frame = pd.DataFrame(rows, columns=[*by, "segment", x, y, "line_status"])
    frame["status_label"] = [label_status(s) for s in frame["line_status"]]
    return frame


def status_line(segments: pd.DataFrame, x, y, statuses: Sequence[str], *,
                colour: str | None = REGION_COLOUR, stroke_width: float = 2,
                legend_colour: str | None = None, **encodings) -> alt.Chart:
    """A line mark over ``line_segments``: observed segments solid, synthetic ones dashed
    and lighter. ``statuses`` are the statuses of the chart's points: the scales of every
    layer must have the same domain, so that they agree and the legends merge with
    ``status_legend``'s."""
    present = [key for key in STATUS_DASH if key in set(statuses)]
    labels = [label_status(key) for key in present]
    mark = {"strokeWidth": stroke_width}
    if colour is not None:
        mark["color"] = colour
    line = alt.Chart(segments).mark_line(**mark)
    if "synthetic" not in present:
        return line.encode(x=x, y=y, detail="segment:N", **encodings)
    return line.encode(
        x=x, y=y, detail="segment:N",
        strokeDash=alt.StrokeDash(
            "status_label:N", title=None,
            legend=alt.Legend(**_legend_props(legend_colour or colour or "#444444", True)),
            scale=alt.Scale(domain=labels, range=[STATUS_DASH[key] for key in present])),
        opacity=alt.Opacity("status_label:N", legend=None, scale=alt.Scale(
            domain=labels, range=[STATUS_LINE_OPACITY[key] for key in present])),
        **encodings)


def _legend_props(colour: str, line: bool) -> dict:
    props = {"orient": "bottom", "symbolStrokeColor": colour, "symbolStrokeWidth": 2,
             "symbolType": "circle"}
    if line:
        props.update(symbolType=LINE_POINT_SYMBOL, symbolSize=150, labelOffset=22,
                     columnPadding=24)
    return props


def status_fill(statuses: list[str], colour: str = REGION_COLOUR, *,
                line: bool = False, legend: bool = True) -> alt.Fill:
    """Fill encoding: observed filled, synthetic hollow (white); legend only lists statuses
    present. With ``line`` the legend symbols are a marker on a line (see
    ``status_legend``)."""
    present = [key for key in STATUS_LABELS if key in set(statuses)]
    fills = [colour if key == "observed" else "white" for key in present]
    props = _legend_props(colour, line)
    return alt.Fill(
        "status_label:N", title=None,
        scale=alt.Scale(domain=[label_status(key) for key in present], range=fills),
        legend=alt.Legend(**props) if legend else None,
    )


def status_fill_value(colour: str = REGION_COLOUR) -> alt.FillValue:
    """Observed markers filled, synthetic ones hollow, without a scale or legend of their own
    (the legend is ``status_legend``'s)."""
    return alt.condition(alt.datum.status_label == label_status("synthetic"),
                         alt.value("white"), alt.value(colour))


def status_legend(data: pd.DataFrame, x, y, statuses: list[str],
                  colour: str = REGION_COLOUR) -> alt.Chart:
    """A layer that draws nothing but the legend of a ``status_line`` chart: one entry per
    status present, a marker on a short line (filled and solid for observed values, hollow
    and dashed for synthetic ones). The markers themselves take ``status_fill_value``
    (no scale), so that this is the only legend."""
    present = [key for key in STATUS_LABELS if key in set(statuses)]
    labels = [label_status(key) for key in present]
    fill = status_fill(statuses, colour, line=True)
    dash = alt.StrokeDash("status_label:N", title=None, scale=alt.Scale(
        domain=labels, range=[STATUS_DASH[key] for key in present]))
    return alt.Chart(data).transform_filter("false").mark_point(
        color=colour, strokeWidth=2, opacity=1).encode(x=x, y=y, fill=fill, strokeDash=dash)
