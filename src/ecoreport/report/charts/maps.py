"""A choropleth of the 21 län, drawn offline: the boundaries travel inline in the spec.

``lan_map_chart`` colours the län by a number (sequential scale) or a category (e.g. the
index's performance groups), outlines the report's län and marks its peers with a dashed
outline. The boundaries come from ``data.boundaries.load_lan_boundaries`` (SCB, CC BY 4.0).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ecoreport.report.charts.base import ROLE_PEER, ROLE_REGION, region_role


MAP_WIDTH = 260
MAP_HEIGHT = 520
NO_DATA_COLOUR = "#eeeeee"
SEQUENTIAL_SCHEME = "blues"
SOURCE_NOTE = "Kartunderlag: SCB, Digitala gränser (CC BY 4.0)"
# Sweden in a transverse Mercator centred on 15° E, like SWEREF 99 TM.
PROJECTION = alt.Projection(type="transverseMercator", rotate=[-15, 0, 0])


def _features(boundaries: dict, table: pd.DataFrame, region_code: str | None,
              peer_codes: Iterable[str], names: dict[str, str]) -> list[dict]:
    """Features with the table's columns and the län's role merged into ``properties``."""
    rows = table.set_index("region_code").to_dict(orient="index")
    out = []
    for feature in boundaries["features"]:
        code = feature["properties"]["code"]
        merged = copy.copy(feature)
        properties = {"code": code, "name": names.get(code, code),
                      "role": region_role(code, region_code, peer_codes)}
        for key, value in rows.get(code, {}).items():
            if key != "role":
                properties[key] = None if isinstance(value, float) and np.isnan(value) else value
        merged["properties"] = properties
        out.append(merged)
    return out


def lan_map_chart(table: pd.DataFrame, boundaries: dict, names: dict[str, str], *,
                  value_column: str, legend_title: str, value_label_column: str | None = None,
                  region_code: str | None = None, peer_codes: Sequence[str] = (),
                  categories: Sequence[str] | None = None,
                  category_colours: Sequence[str] | None = None,
                  value_format: str = ",.2f") -> alt.LayerChart:
    """The län coloured by ``table[value_column]`` (one row per ``region_code``).

    With ``categories`` the column is nominal, drawn in ``category_colours``; otherwise a
    sequential blue scale. ``value_label_column`` (text) is shown in the tooltip.
    Län without a value are light grey. ``names`` maps code -> short name (tooltips)."""
    features = _features(boundaries, table, region_code, peer_codes, names)
    data = alt.Data(values=features)
    field = f"properties.{value_column}"
    if categories is not None:
        colour = alt.Color(f"{field}:N", title=legend_title,
                           scale=alt.Scale(domain=list(categories),
                                           range=list(category_colours or [])),
                           legend=alt.Legend(orient="bottom", direction="vertical"))
    else:
        colour = alt.Color(f"{field}:Q", title=legend_title,
                           scale=alt.Scale(scheme=SEQUENTIAL_SCHEME),
                           legend=alt.Legend(orient="bottom", format=value_format,
                                             gradientLength=200))
    tooltip = [alt.Tooltip("properties.name:N", title="Län")]
    if value_label_column:
        tooltip.append(alt.Tooltip(f"properties.{value_label_column}:N", title=legend_title))
    elif categories is not None:  # a category is text (as a number it would read "NaN")
        tooltip.append(alt.Tooltip(f"{field}:N", title=legend_title))
    else:
        tooltip.append(alt.Tooltip(f"{field}:Q", title=legend_title, format=value_format))
    base = alt.Chart(data).mark_geoshape(stroke="white", strokeWidth=0.6).encode(
        color=alt.condition(f"isValid(datum.properties.{value_column})", colour,
                            alt.value(NO_DATA_COLOUR)),
        tooltip=tooltip)
    peers = alt.Chart(data).mark_geoshape(
        filled=False, stroke="#333333", strokeWidth=1.4, strokeDash=[4, 3]).transform_filter(
        f"datum.properties.role === {ROLE_PEER!r}")
    own = alt.Chart(data).mark_geoshape(
        filled=False, stroke="#000000", strokeWidth=2.6).transform_filter(
        f"datum.properties.role === {ROLE_REGION!r}")
    chart = alt.layer(base, peers, own).properties(
        width=MAP_WIDTH, height=MAP_HEIGHT, projection=PROJECTION)
    return chart.configure_view(stroke=None)


def map_legend_markdown(region_name: str, n_peers: int) -> str:
    """The caption's sentence on what the outlines mean, and the map's source."""
    peers = (f" och streckad kontur för dess {n_peers} jämförelselän" if n_peers else "")
    return f"{region_name} har tjock svart kontur{peers}. {SOURCE_NOTE}."


