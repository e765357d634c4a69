"""Map of Sweden, cluster initiatives, strategy chapters and the English summary."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from ecoreport.data.boundaries import load_lan_boundaries
from ecoreport.data.clusters import initiatives_by_lan, load_cluster_initiatives
from ecoreport.errors import DataError
from ecoreport.report.charts.base import ROLE_OTHER, ROLE_PEER, ROLE_REGION
from ecoreport.report.charts.maps import lan_map_chart
from ecoreport.markup.escape import escape_myst

LAN = {f"{c:02d}" for c in (1, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 17, 18, 19, 20, 21, 22,
                            23, 24, 25)}


def test_bundled_boundaries_cover_the_21_lan_and_stay_small() -> None:
    collection = load_lan_boundaries(expected_codes=LAN)
    assert len(collection["features"]) == 21
    from ecoreport.paths import data_dir
    assert (data_dir() / "lan.geojson").stat().st_size <= 300_000


def test_boundaries_that_do_not_match_regions_are_refused(tmp_path: Path) -> None:
    feature = {"type": "Feature", "properties": {"code": "24"},
               "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 1], [0, 0]]]}}
    (tmp_path / "lan.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    with pytest.raises(DataError, match="missing"):
        load_lan_boundaries(tmp_path, {"24", "25"})
    feature["properties"]["code"] = "Västerbotten"
    (tmp_path / "lan.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    with pytest.raises(DataError, match=r"row 1.*properties.code"):
        load_lan_boundaries(tmp_path)


def test_map_is_offline_and_marks_the_lan_and_its_peers() -> None:
    boundaries = load_lan_boundaries()
    table = pd.DataFrame({"region_code": sorted(LAN), "value": range(21)})
    chart = lan_map_chart(table, boundaries, {"24": "Västerbotten"}, value_column="value",
                          legend_title="Index", region_code="24", peer_codes=["25", "22"])
    spec = chart.to_dict()
    text = json.dumps({k: v for k, v in spec.items() if k != "$schema"})
    assert "http" not in text and '"url"' not in text  # inline data only, nothing fetched
    features = (next(iter(spec["datasets"].values())) if "datasets" in spec
                else spec["data"]["values"])
    roles = {f["properties"]["code"]: f["properties"]["role"] for f in features}
    assert roles["24"] == ROLE_REGION and roles["25"] == ROLE_PEER and roles["01"] == ROLE_OTHER


def test_bundled_cluster_initiatives_are_dated_and_valid() -> None:
    initiatives = load_cluster_initiatives(region_codes=LAN,
                                           source_ids={"vinnova_klusterkartan"})
    assert len(initiatives) == 39 and (initiatives["as_of"] != "").all()
    by_lan = initiatives_by_lan(initiatives)
    vb = set(by_lan.loc[by_lan["region_code"] == "24", "name"])
    assert vb == {"Process IT Innovations", "Internet Bay", "Georange"}
    row = initiatives.set_index("name").loc["Process IT Innovations"]
    assert row["start_year"] == 2002 and "VINNOVA" in row["financiers"]


def test_a_bad_cluster_row_is_named(tmp_path: Path) -> None:
    header = "name,lan_codes,area,sector,start_year,financiers,source_id,as_of,note\n"
    (tmp_path / "klusterinitiativ.csv").write_text(
        header + "Nytt kluster,24;99,Umeå,IKT,2025,,egen,2025,\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"row 2, column 'lan_codes'"):
        load_cluster_initiatives(tmp_path, region_codes=LAN)
    (tmp_path / "klusterinitiativ.csv").write_text(
        header + "Nytt kluster,24,Umeå,IKT,tjugo,,egen,2025,\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"column 'start_year'"):
        load_cluster_initiatives(tmp_path, region_codes=LAN)


def test_markup_from_data_files_is_escaped() -> None:
    text = escape_myst("<script>alert(1)</script> *x* {sub-ref}`y` [a](b)")
    assert "<script>" not in text and "\\<script\\>" in text
    assert "\\*x\\*" in text and "\\`y\\`" in text and "\\[a\\]" in text


def test_landing_page_carries_the_index_map_offline(tmp_path: Path) -> None:
    from ecoreport.publishing.landing import write_landing_page

    page = write_landing_page(tmp_path, 2024, index_map_html='<div id="index-map"></div>')
    text = page.read_text(encoding="utf-8")
    assert '<div id="index-map"></div>' in text
    assert '<script src="_static/vega-bundle.js">' in text
    assert (tmp_path / "2024" / "_static" / "vega-bundle.js").exists()
    # a later landing page without a new map (every report reused) keeps the stored one
    assert '<div id="index-map"></div>' in write_landing_page(tmp_path, 2024).read_text(
        encoding="utf-8")


def test_summary_entry_of_the_index_names_rank_interval_and_group() -> None:
    """The ``index`` entry for results/summary.json (read by the landing page)."""
    import numpy as np

    from ecoreport.analysis.index import compute_index_result
    from ecoreport.report.innovation_index import index_summary_entry
    from test_index import DIMENSIONS, YEAR, make_catalogue, make_regions, planted

    levels = {f"{i:02d}": dict.fromkeys(DIMENSIONS, float(i)) for i in range(1, 8)}
    index = compute_index_result(planted(levels, noise=0.0), make_catalogue(), make_regions(7),
                                 YEAR, n_draws=40)
    entry = index_summary_entry(index, "07")
    assert entry["rank"] == 1 and entry["rank_p05"] == 1 and entry["rank_p95"] == 1
    assert entry["of"] == 7 and entry["group"] == "leader" and np.isclose(entry["score"], 1.0)
    assert set(entry) == {"score", "rank", "of", "rank_p05", "rank_p95", "group", "pct_of_riket",
                          "group_probabilities", "coverage", "n_indicators",
                          "n_index_indicators", "indicator_ids"}
    assert entry["group_probabilities"]["leader"] == 1.0 and entry["coverage"] == 1.0


def test_a_map_of_categories_shows_the_category_in_its_tooltip() -> None:
    """A group is text: a numeric tooltip would read "Grupp NaN"."""
    boundaries = load_lan_boundaries()
    table = pd.DataFrame({"region_code": sorted(LAN),
                          "group_sv": ["Ledare", "Stark", "Måttlig"] * 7})
    spec = lan_map_chart(table, boundaries, {}, value_column="group_sv", legend_title="Grupp",
                         categories=["Ledare", "Stark", "Måttlig"],
                         category_colours=["#000", "#555", "#aaa"]).to_dict()
    tooltips = [t for layer in spec["layer"] for t in layer.get("encoding", {}).get("tooltip", [])]
    group = [t for t in tooltips if t["title"] == "Grupp"]
    assert group and all(t["type"] == "nominal" and "format" not in t for t in group)
