"""results/: summary.json has the documented fields; chart CSVs are the download links' bytes."""

from __future__ import annotations

import base64
import json

import pytest

from ecoreport.analysis.results import open_report
from ecoreport.report.render import csv_download_link
from ecoreport.report.results_data import write_figure_tables, write_summary


@pytest.fixture(scope="module")
def report():
    return open_report("24", 2024)


def test_summary_json_has_the_documented_fields(report, tmp_path):
    path = write_summary(tmp_path, report.results, report.catalogue, report.region.short_name)
    summary = json.loads(path.read_text(encoding="utf-8"))
    assert set(summary) >= {"region_code", "year", "share_observed", "findings", "trends",
                            "pca_region", "axis"}
    assert summary["region_code"] == "24" and summary["year"] == 2024
    assert 0 < summary["share_observed"] < 1
    assert all(f["status"] == "observed" for f in summary["findings"])
    trend_keys = {"indicator_id", "from_period", "to_period", "slope", "ci_low", "ci_high",
                  "p_value", "se_method", "status", "claim"}
    assert summary["trends"] and all(trend_keys <= set(t) for t in summary["trends"])
    assert all(t["claim"] != "significant" or t["p_value"] < 0.05 for t in summary["trends"])
    # the län's own PCA on observed values only: too few of them for Västerbotten
    assert summary["pca_region"] is None or set(summary["pca_region"]) >= {
        "pc1_share", "pc1_share_before_screening", "pc1_year_correlation",
        "null_pc1_share_p95"}
    axis = summary["axis"]
    assert set(axis) >= {"supported", "test", "p_value", "component", "position",
                         "position_ci_low", "position_ci_high", "side", "rank", "n_regions"}
    assert axis["side"] in {"research", "market", "middle"} and axis["n_regions"] == 21
    assert axis["supported"] or axis["side"] == "middle"
    # on the default data the axis is not supported by observed values
    assert axis["supported"] is False
    assert {"rank", "of", "group", "group_probabilities", "coverage"} <= set(summary["index"])
    assert sum(summary["index"]["group_probabilities"].values()) == pytest.approx(1, abs=0.01)
    # every comparison names its period, or why it has none
    comparisons = {c["indicator_id"]: c for c in summary["comparisons"]}
    assert comparisons["fou_utgifter_foretag"]["period"] == "2021"
    assert comparisons["fou_utgifter_foretag"]["of"] >= 15
    assert comparisons["aktiva_riskkapitalbolag"]["reason"] == "no_common_period"
    assert comparisons["aktiva_riskkapitalbolag"]["rank"] is None


def test_figure_tables_are_the_download_links_bytes(report, tmp_path):
    table = report.results.findings.key_figures.head(3)
    link = csv_download_link(table, "24-nyckeltal")
    notebook = tmp_path / "notebooks" / "x.ipynb"
    notebook.parent.mkdir()
    glued = csv_download_link(table.head(1), "24-limmad")
    notebook.write_text(json.dumps({"cells": [{"outputs": [
        {"data": {"text/html": link}},
        {"data": {"application/papermill.record/text/html": [glued]}}]}]}), encoding="utf-8")
    path, glued_path = write_figure_tables(tmp_path)
    assert (path.name, glued_path.name) == ("24-nyckeltal.csv", "24-limmad.csv")
    payload = link.split("base64,")[1].split('"')[0]
    assert path.read_bytes() == base64.b64decode(payload)
    assert path.read_text(encoding="utf-8-sig").splitlines()[0].startswith("indicator_id;")
