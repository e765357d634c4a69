"""Analysis charts: valid Vega-Lite, names from the catalogue, synthetic values marked."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc

from ecoreport.report.charts.comparison import (
    PROFILE_LABELS,
    dimension_profile_chart,
    region_comparison_chart,
    relative_development_chart,
)
from ecoreport.report.charts.pca import (
    pca_biplot,
    pca_trajectory_chart,
    pooled_positions_chart,
)
from ecoreport.report.charts.base import ROLE_OTHER, ROLE_PEER, ROLE_REGION, label_status
from ecoreport.analysis.compare import compare_regions, dimension_profile, relative_development
from ecoreport.analysis.pca import fit_pooled_pca, fit_region_pca

YEARS = list(range(2013, 2021))
AXES = {"pub": "research", "dr": "research", "vc": "market", "nyfo": "market", "lon": None}
CATALOGUE = SimpleNamespace(
    indicators={
        **{i: SimpleNamespace(kind="register", polarity="higher_is_better", normalise="none",
                              dimension="teknologi" if a == "research" else "marknader",
                              axis=a, decimals=1, unit="procent", name_sv=f"Namn {i}")
           for i, a in AXES.items()},
        "konkurser": SimpleNamespace(kind="register", polarity="higher_is_worse",
                                     normalise="per_capita", dimension="marknader",
                                     axis=None, decimals=0, unit="antal",
                                     name_sv="Konkurser i länet"),
        "befolkning": SimpleNamespace(kind="register", polarity="neutral", normalise="none",
                                      dimension="kontext", axis=None, decimals=0,
                                      unit="antal", name_sv="Befolkning"),
    },
    units={"procent": SimpleNamespace(label_sv="procent"),
           "antal": SimpleNamespace(label_sv="antal")},
    dimensions=[SimpleNamespace(id="teknologi", name_sv="Teknologi", order=1),
                SimpleNamespace(id="marknader", name_sv="Marknader", order=2),
                SimpleNamespace(id="kontext", name_sv="Bakgrund", order=3, metric=False)],
)
REGIONS = [SimpleNamespace(code="00", short_name="Riket", peers=[])] + [
    SimpleNamespace(code=c, short_name=f"Län {c}", peers=[p for p in ("01", "02", "03")
                                                          if p != c])
    for c in ("01", "02", "03")]


def make_values() -> pd.DataFrame:
    """Four regions (incl. Riket), research falling and market rising; one synthetic cell."""
    rng = np.random.default_rng(2)
    rows = []
    for r, code in enumerate(["00", "01", "02", "03"]):
        trend = np.linspace(-1, 1, len(YEARS)) + 0.2 * r
        for indicator_id, axis in {**AXES, "konkurser": "market"}.items():
            sign = {"research": -1, "market": 1, None: 0}[axis]
            series = 20 + 4 * sign * trend + rng.standard_normal(len(YEARS))
            rows += [(code, indicator_id, y, v) for y, v in zip(YEARS, series)]
        rows += [(code, "befolkning", y, 50000.0) for y in YEARS]
    frame = pd.DataFrame(rows, columns=["region_code", "indicator_id", "period_start", "value"])
    frame["period_end"] = frame["period_start"]
    frame["period"] = frame["period_start"].astype(str)
    frame["year"] = frame["period_start"].astype(float)
    frame["status"] = "observed"
    frame.loc[(frame["period_start"] == 2020) & (frame["indicator_id"] == "pub"),
              "status"] = "synthetic"
    return frame


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    return make_values()


def compile_spec(chart: object) -> dict:
    """The Vega-Lite dict, and proof that it compiles to Vega."""
    spec = chart.to_dict()
    vega = vlc.vegalite_to_vega(json.dumps(spec))
    assert vega
    return spec


def layer_rows(spec: dict, layer: dict) -> list[dict]:
    """The data rows of a layer (Altair hoists shared data to the top level)."""
    data = layer.get("data") or spec["data"]
    return spec["datasets"][data["name"]]


def test_relative_development_heatmap(values: pd.DataFrame) -> None:
    table = relative_development(values, CATALOGUE, "01")
    spec = compile_spec(relative_development_chart(table, CATALOGUE, "Län 01"))
    cells, marks = spec["layer"]
    colour = cells["encoding"]["color"]
    assert colour["field"] == "score_for_innovation"
    assert colour["scale"]["scheme"] == "redblue" and colour["scale"]["domainMid"] == 0
    names = cells["encoding"]["y"]["sort"]
    assert names[:2] == ["Namn dr", "Namn pub"]  # teknologi (order 1) first
    assert "Konkurser i länet" in names
    synthetic_rows = layer_rows(spec, marks)
    assert [(row["indicator_name"], row["period_label"]) for row in synthetic_rows] == [
        ("Namn pub", "2020")]
    assert marks["encoding"]["opacity"]["scale"]["domain"] == [label_status("synthetic")]


def test_heatmap_spans_multi_year_periods_unless_they_roll() -> None:
    rows = pd.DataFrame({
        "indicator_id": ["pub", "pub", "vc", "vc"], "dimension": "teknologi",
        "period": ["2010-2013", "2014-2017", "2010-2013", "2011-2014"],
        "period_start": [2010, 2014, 2010, 2011], "period_end": [2013, 2017, 2013, 2014],
        "value_normalised": 1.0, "normalised_unit": "procent",
        "score_for_innovation": [0.5, -0.5, 0.5, -0.5], "status": "observed"})
    spec = relative_development_chart(rows, CATALOGUE, "Län 01").to_dict()
    cells = {(r["indicator_name"], r["period_label"]): (r["x_start"], r["x_end"])
             for r in layer_rows(spec, spec["layer"][0])}
    assert cells[("Namn pub", "2014–2017")] == (2013.5, 2017.5)
    assert cells[("Namn vc", "2011–2014")] == (2013.5, 2014.5)


def test_dimension_profile_and_comparison(values: pd.DataFrame) -> None:
    profile = dimension_profile(values, CATALOGUE, REGIONS, "01", 2020)
    spec = compile_spec(dimension_profile_chart(profile, "Län 01"))
    rows = layer_rows(spec, spec["layer"][0])
    assert [row["name_sv"] for row in rows] == ["Teknologi", "Marknader"]
    # the bar length is the placing, so colour (decided by rank) and length agree
    for row in rows:
        if row["profile_label"] == PROFILE_LABELS["strength"]:
            assert row["placing"] >= 2 / 3
        if row["profile_label"] == PROFILE_LABELS["weakness"]:
            assert row["placing"] < 1 / 3 + 0.05

    table = compare_regions(values, CATALOGUE, REGIONS, "konkurser", 2020)
    spec = compile_spec(region_comparison_chart(table, CATALOGUE, "konkurser", "02"))
    assert spec["title"]["text"] == "Konkurser i länet"
    bars = spec["layer"][0]
    assert bars["encoding"]["x"]["title"] == "antal per 100 000 invånare"
    assert bars["encoding"]["x"]["axis"]["format"] == ",.1f"
    rows = layer_rows(spec, bars)
    assert [row["group"] for row in rows].count("region") == 1
    assert [row["region_name"] for row in rows if row["group"] == "region"] == ["Län 02"]
    assert len(spec["layer"]) == 3  # bars, Riket rule and its label


def test_pca_charts(values: pd.DataFrame) -> None:
    result = fit_region_pca(values, CATALOGUE, "01", until_year=2020, min_cos2=0.0)
    spec = compile_spec(pca_biplot(result, CATALOGUE))
    arrows = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"
                  and "x2" in layer["encoding"])
    assert arrows["encoding"]["color"]["field"] == "cos2"
    rows = layer_rows(spec, arrows)
    assert {row["indicator_name"] for row in rows} == {f"Namn {i}" for i in
                                                       result.kept_variables if i in AXES} | (
        {"Konkurser i länet"} if "konkurser" in result.kept_variables else set())
    assert "Komponent 1 (" in arrows["encoding"]["x"]["title"]

    mostly_synthetic = values.copy()
    is_2019 = mostly_synthetic["period_start"] == 2019
    mostly_synthetic.loc[is_2019 & mostly_synthetic["indicator_id"].isin(["pub", "dr", "vc",
                                                                          "lon"]),
                         "status"] = "synthetic"
    result = fit_region_pca(mostly_synthetic, CATALOGUE, "01", until_year=2020, min_cos2=0.0)
    spec = compile_spec(pca_trajectory_chart(result, "Län 01", "01", breaks=(2016, 2018)))
    points = spec["layer"][1]
    rows = layer_rows(spec, points)
    assert {row["period_group"] for row in rows} == {"2013–2015", "2016–2017", "2018–2020"}
    hollow = [row["year"] for row in rows if row["status_label"] == label_status("synthetic")]
    assert hollow == [2019]  # 4 of 6 values synthetic; 2020 has only 1 of 6

    pooled = fit_pooled_pca(values, CATALOGUE, REGIONS, years=YEARS)
    spec = compile_spec(pooled_positions_chart(pooled, REGIONS, "03", 2019))
    points = spec["layer"][1]
    rows = layer_rows(spec, points)
    assert sorted(row["region_name"] for row in rows) == ["Län 01", "Län 02", "Län 03"]
    assert [row["region_name"] for row in rows if row["group"] == "region"] == ["Län 03"]
    # only the län and its peers are named; the others on hover
    spec = compile_spec(pooled_positions_chart(pooled, REGIONS, "03", 2019, peer_codes=["01"]))
    rows = layer_rows(spec, spec["layer"][1])
    assert {row["region_name"]: row["role"] for row in rows} == {
        "Län 01": ROLE_PEER, "Län 02": ROLE_OTHER, "Län 03": ROLE_REGION}
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert len(texts) == 2 and all("Övriga" not in json.dumps(t["transform"]) for t in texts)
