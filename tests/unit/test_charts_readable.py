"""Charts that read (issue 12, part 6): dashed synthetic stretches, PCA labels that do not
overlap, legible heatmap rows, peers highlighted."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import vl_convert as vlc

from ecoreport.report.charts.base import (
    ROLE_COLOURS,
    ROLE_OTHER,
    ROLE_PEER,
    ROLE_REGION,
    STATUS_DASH,
    label_status,
    line_segments,
)
from ecoreport.report.charts.comparison import region_comparison_chart, relative_development_chart
from ecoreport.report.charts.indicators import trend_chart
from ecoreport.report.render import side_by_side
from ecoreport.report.charts.pca import (
    BIPLOT_HEIGHT,
    axis_positions_chart,
    BIPLOT_WIDTH,
    label_box,
    pca_biplot,
    place_labels,
    wrap_label,
)

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


# -- PCA biplot labels --------------------------------------------------------------------------

def crowded_loadings(n: int = 30, seed: int = 4) -> tuple:
    """Arrow tips like the Västerbotten biplot: a dense bundle to the right, others around."""
    rng = np.random.default_rng(seed)
    angle = np.concatenate([rng.normal(0, 0.15, n // 2), rng.uniform(-np.pi, np.pi, n - n // 2)])
    length = rng.uniform(0.55, 1.0, n)
    names = [f"Indikator nummer {i} med ett ganska långt namn" if i % 3 else f"Kort {i}"
             for i in range(n)]
    return length * np.cos(angle), length * np.sin(angle), names, length ** 2


def test_place_labels_at_most_k_inside_and_not_overlapping() -> None:
    x, y, names, priority = crowded_loadings()
    for k in (0, 3, 10, 30):
        labels = place_labels(x, y, names, priority, k=k)
        shown = labels[labels["shown"]]
        assert len(shown) <= k
        boxes = shown["box"].tolist()
        for box in boxes:
            assert 0 <= box[0] and box[2] <= BIPLOT_WIDTH and 0 <= box[1] and box[3] <= BIPLOT_HEIGHT
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    # the best represented tip always gets its name, and crowding is resolved by leaving out
    labels = place_labels(x, y, names, priority, k=10)
    assert labels.loc[int(np.argmax(priority)), "shown"]
    assert labels["shown"].sum() == 10


def test_label_boxes_cover_the_wrapped_text() -> None:
    lines = wrap_label("Arbetsställen med tillgång till bredband om minst 1 Gbit/s")
    assert all(len(line) <= 20 for line in lines) and len(lines) == 4
    left, top, right, bottom = label_box(100, 50, lines, "right", "top")
    assert right == 100 and top == 50 and bottom > top + 3 * 11


def biplot_input(n: int, first_name: str | None = None) -> tuple:
    """A PCA result with ``n`` crowded loadings and a catalogue naming them."""
    x, y, names, _ = crowded_loadings(n)
    if first_name is not None:
        names[0] = first_name
    ids = [f"i{j}" for j in range(n)]
    result = SimpleNamespace(
        loadings=pd.DataFrame({"PC1": x, "PC2": y}, index=ids),
        explained_variance_ratio=pd.Series({"PC1": 0.5, "PC2": 0.2}),
        n_observations=12, observation_label="år", n_variables=n, min_cos2=0.3)
    catalogue = SimpleNamespace(indicators={i: SimpleNamespace(name_sv=name)
                                            for i, name in zip(ids, names)})
    return result, catalogue, names


def test_biplot_spec_names_k_arrows_and_keeps_all_in_tooltips() -> None:
    result, catalogue, names = biplot_input(20, "<script>alert(1)</script> & {role}`x`")
    spec = compiled(pca_biplot(result, catalogue, label_top=6))
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert texts and all(layer["mark"]["baseline"] == "top" for layer in texts)
    arrows = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule"
                  and layer["encoding"].get("x2", {}).get("field") == "x0")
    data = rows_of(spec, arrows)
    assert len(data) == 20 and 0 < sum(row["show_label"] for row in data) <= 6
    assert {row["indicator_name"] for row in data} == set(names)  # every name on hover
    assert arrows["encoding"]["tooltip"][0]["field"] == "indicator_name"
    # names are data for Vega's text marks, never markup of the page
    assert all(row["label_text"] == "\n".join(wrap_label(row["indicator_name"]))
               for row in data)


# -- heatmap, comparisons, the axis of all län ---------------------------------------------------

def test_heatmap_rows_are_legible() -> None:
    rows = pd.DataFrame({
        "indicator_id": ["x", "x", "y"], "dimension": "d", "period": ["2020", "2021", "2020"],
        "period_start": [2020, 2021, 2020], "period_end": [2020, 2021, 2020],
        "value_normalised": 1.0, "normalised_unit": "procent",
        "score_for_innovation": [0.5, -0.5, 0.1], "status": "observed"})
    catalogue = SimpleNamespace(indicators={"x": INDICATOR, "y": INDICATOR}, dimensions=[])
    spec = compiled(relative_development_chart(rows, catalogue, "Län"))
    axis = spec["layer"][0]["encoding"]["y"]["axis"]
    assert axis["labelFontSize"] >= 11 and axis["labelLimit"] >= 280
    many = pd.concat([rows.assign(indicator_id=f"i{j}") for j in range(40)])
    catalogue = SimpleNamespace(
        indicators={f"i{j}": SimpleNamespace(name_sv=f"Indikator {j}") for j in range(40)},
        dimensions=[])
    spec = relative_development_chart(many, catalogue, "Län").to_dict()
    assert spec["height"] / 40 >= 18  # px per row, so 11 px labels do not crowd
    # label column and cells fit the web book's text column unscaled
    assert axis["labelLimit"] + spec["width"] <= 600


def comparison_table(statuses: dict[str, str]) -> pd.DataFrame:
    codes = list(statuses)
    return pd.DataFrame({
        "region_code": codes, "region_name": [f"Län {c}" for c in codes],
        "value_normalised": [float(i) for i in range(len(codes))],
        "rank": list(range(1, len(codes) + 1)), "n_ranked": len(codes),
        "status": list(statuses.values()), "period": "2024", "normalised_unit": "procent",
        "riket_value": 2.0})


def test_comparison_colours_the_län_its_peers_and_the_others() -> None:
    table = comparison_table({"01": "observed", "02": "synthetic", "03": "observed",
                              "04": "observed"})
    catalogue = SimpleNamespace(indicators={"x": SimpleNamespace(name_sv="Namn", decimals=1,
                                                                 normalise="none")})
    spec = compiled(region_comparison_chart(table, catalogue, "x", "02", peer_codes=["03"]))
    bars = spec["layer"][0]
    colour = bars["encoding"]["color"]
    assert colour["scale"]["domain"] == [ROLE_REGION, ROLE_PEER, ROLE_OTHER]
    assert colour["scale"]["range"] == [ROLE_COLOURS[r] for r in colour["scale"]["domain"]]
    assert colour["legend"] is not None
    roles = {row["region_name"]: row["role"] for row in rows_of(spec, bars)}
    assert roles == {"Län 01": ROLE_OTHER, "Län 02": ROLE_REGION, "Län 03": ROLE_PEER,
                     "Län 04": ROLE_OTHER}
    # synthetic bars are paler but keep their role's outline; a legend says which are
    assert bars["encoding"]["stroke"]["field"] == "role"
    assert bars["encoding"]["fillOpacity"]["field"] == "status_label"
    vega = vlc.vegalite_to_vega(spec)
    assert any("opacity" in legend for legend in vega["legends"])
    assert any(layer["mark"]["type"] == "rule" for layer in spec["layer"])  # Riket


def test_axis_chart_highlights_the_län_and_its_peers() -> None:
    codes = ["01", "02", "03", "04"]
    axis = SimpleNamespace(
        positions=pd.DataFrame({"region_code": codes, "position": [-1.0, 0.0, 0.5, 1.0],
                                "ci_low": [-1.5, -0.5, 0.0, 0.5], "ci_high": [-0.5, 0.5, 1.0, 1.5],
                                "rank": [1, 2, 3, 4]}),
        supported=True, years=(2013, 2024), p_value=0.01)
    regions = [SimpleNamespace(code=c, short_name=f"Län {c}") for c in codes]
    spec = compiled(axis_positions_chart(axis, regions, "02", peer_codes=["04", "01"]))
    points = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "circle")
    assert points["encoding"]["color"]["field"] == "role"
    roles = {row["region_name"]: row["role"] for row in rows_of(spec, points)}
    assert roles == {"Län 01": ROLE_PEER, "Län 02": ROLE_REGION, "Län 03": ROLE_OTHER,
                     "Län 04": ROLE_PEER}


def test_side_by_side_keeps_the_trend_legend_whole() -> None:
    """Beside the comparison, the trend's legend still shows fill and dash in one entry."""
    trend = trend_chart(series(["observed", "synthetic", "observed"]), INDICATOR, UNIT, "Län")
    table = comparison_table({"01": "observed", "02": "synthetic"})
    catalogue = SimpleNamespace(indicators={"x": SimpleNamespace(name_sv="Namn", decimals=1,
                                                                 normalise="none")})
    figure = side_by_side(trend, region_comparison_chart(table, catalogue, "x", "02"))
    vega = vlc.vegalite_to_vega(figure.to_dict())
    first = next(mark for mark in vega["marks"] if mark.get("name") == "concat_0_group")
    assert any({"fill", "strokeDash"} <= set(legend) for legend in first.get("legends", []))


def test_report_charts_are_the_same_with_altairs_own_copies(monkeypatch) -> None:
    """render copies Altair objects without re-running constructors (a third of the time
    the charts take); the report's figures must come out the same as with Altair's copies."""
    from altair.utils import schemapi

    def figures() -> list[dict]:
        trend = trend_chart(series(["observed", "synthetic", "observed"]), INDICATOR, UNIT,
                            "Län")
        table = comparison_table({"01": "observed", "02": "synthetic", "03": "observed"})
        catalogue = SimpleNamespace(indicators={"x": SimpleNamespace(
            name_sv="Namn", decimals=1, normalise="none")})
        comparison = region_comparison_chart(table, catalogue, "x", "02", peer_codes=["03"])
        result, names_of, _ = biplot_input(12)
        return [side_by_side(trend, comparison).to_dict(),
                pca_biplot(result, names_of, label_top=6).to_dict()]

    copy = schemapi.SchemaBase.copy
    assert getattr(copy, "_ecoreport_bare", False)
    bare = figures()
    monkeypatch.setattr(schemapi.SchemaBase, "copy", copy._ecoreport_original)
    assert figures() == bare
