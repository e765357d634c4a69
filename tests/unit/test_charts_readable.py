"""Charts that read (issue 12, part 6): dashed synthetic stretches, PCA labels that do not
overlap, legible heatmap rows, peers highlighted."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import vl_convert as vlc

from ecoreport.report.charts.base import STATUS_DASH, label_status, line_segments
from ecoreport.report.charts.indicators import trend_chart

INDICATOR = SimpleNamespace(id="x", name_sv="Namn", decimals=1)
UNIT = SimpleNamespace(label_sv="procent", short_sv="procent", kind="share")


def series(statuses: list[str]) -> pd.DataFrame:
    years = list(range(2015, 2015 + len(statuses)))
    return pd.DataFrame({
        "year": [float(y) for y in years], "period": [str(y) for y in years],
        "period_start": years, "period_end": years,
        "value": [10.0 + i for i in range(len(statuses))], "status": statuses,
        "source_id": "scb"})


def compiled(chart) -> dict:
    spec = chart.to_dict()
    assert json.loads(json.dumps(vlc.vegalite_to_vega(spec)))
    return spec


def rows_of(spec: dict, layer: dict) -> list[dict]:
    data = layer.get("data") or spec["data"]
    return spec["datasets"][data["name"]]


def test_line_segments_are_synthetic_when_either_end_is() -> None:
    data = series(["observed", "observed", "synthetic", "observed", "observed"])
    segments = line_segments(data, "year", "value")
    kinds = segments.groupby("segment", sort=False)["line_status"].first().tolist()
    assert kinds == ["observed", "synthetic", "synthetic", "observed"]
    assert (segments.groupby("segment").size() == 2).all()
    # per group: no segment joins the last point of one group to the first of the next
    two = pd.concat([data.assign(region="a"), data.assign(region="b")])
    assert line_segments(two, "year", "value", by=["region"])["segment"].nunique() == 8


def test_trend_chart_dashes_synthetic_segments() -> None:
    spec = compiled(trend_chart(series(["observed", "observed", "synthetic", "synthetic",
                                        "observed"]), INDICATOR, UNIT, "Län"))
    line = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    dash = line["encoding"]["strokeDash"]
    scale = dict(zip(dash["scale"]["domain"], map(tuple, dash["scale"]["range"])))
    assert scale[label_status("synthetic")] == tuple(STATUS_DASH["synthetic"])
    assert scale[label_status("observed")] == tuple(STATUS_DASH["observed"])
    assert line["encoding"]["detail"]["field"] == "segment"
    opacity = dict(zip(line["encoding"]["opacity"]["scale"]["domain"],
                       line["encoding"]["opacity"]["scale"]["range"]))
    assert opacity[label_status("synthetic")] < opacity[label_status("observed")]
    by_segment: dict[str, set] = {}
    for row in rows_of(spec, line):
        by_segment.setdefault(row["segment"], set()).add((row["year"], row["status_label"]))
    dashed = sorted(min(year for year, _ in rows) for rows in by_segment.values()
                    if {label for _, label in rows} == {label_status("synthetic")})
    assert dashed == [2016.0, 2017.0, 2018.0]  # observed→synthetic, synthetic→synthetic, back
    # one legend explains marker and line: the fill and dash scales share their domain
    vega = vlc.vegalite_to_vega(spec)
    assert len(vega["legends"]) == 1
    assert {"fill", "strokeDash"} <= set(vega["legends"][0])


def test_trend_chart_without_synthetic_values_draws_a_plain_line() -> None:
    spec = compiled(trend_chart(series(["observed"] * 4), INDICATOR, UNIT, "Län"))
    line = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    assert "strokeDash" not in line["encoding"]
    assert "Syntetiskt" not in json.dumps(spec)
