"""The reviewer's tables, the read-only notebook pages and the re-run comparison."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from ecoreport.analysis.results import open_report
from ecoreport.analysis.trends import SE_CALIBRATED
from ecoreport.report import render
from ecoreport.report import review
from ecoreport.publishing import review_pages
from ecoreport.publishing import rerun


@pytest.fixture(scope="module")
def report():
    return open_report("Västerbotten", 2024)


def test_table_bundle_has_html_and_text_and_escapes_values():
    frame = pd.DataFrame({"name": ["<script>x</script>", "b"], "value": [1 / 3, math.nan]})
    bundle = review.table_bundle(frame)
    assert set(bundle) == {"text/html", "text/plain"}
    assert "<script>" not in bundle["text/html"] and "&lt;script&gt;" in bundle["text/html"]
    assert "0.333333" in bundle["text/html"] and "0.333333" in bundle["text/plain"]
    assert "nan" not in bundle["text/html"].lower()
    with pytest.raises(ValueError, match="unknown review kind"):
        review.show(frame, "nonsense")


def test_dimension_tables_cover_every_indicator_of_the_chapter(report):
    ids = review.dimension_indicators(report, "fou")
    assert len(ids) >= 5
    data = review.data_table(report, ids)
    assert list(data["indicator_id"]) == ids
    # the counts of observed and synthetic values add up to the values used
    assert (data["n_observed"] + data["n_synthetic"] == data["n_values"]).all()
    assert set(data["last_status"]) <= {"observed", "synthetic"}
    # every indicator of the chapter has a row, also one with no trend (trends are fitted
    # on observed values only; an indicator with none gets a row that says so)
    trends = review.trend_table(report, ids)
    assert list(trends["indicator_id"]) == ids
    assert {"slope", "ci_low", "ci_high", "p_value", "q_value", "se_method", "testable",
            "claim", "n_observed", "message"} <= set(trends.columns)
    fitted = trends[trends["status"] == "ok"]
    assert len(fitted) >= 1
    assert (fitted["ci_low"] <= fitted["slope"]).all() and (fitted["slope"] <= fitted["ci_high"]).all()
    assert set(fitted["se_method"]) == {SE_CALIBRATED}
    # the same numbers as the build's results
    own = report.results.trends.set_index("indicator_id").reindex(ids)
    assert list(trends["p_value"].fillna(-1)) == list(own["p_value"].fillna(-1))
    assert list(trends["q_value"].fillna(-1)) == list(own["q_value"].fillna(-1))
    missing = trends[~trends["indicator_id"].isin(set(report.results.trends["indicator_id"]))]
    assert (missing["status"] == review.NO_TREND).all()
    assert missing["slope"].isna().all() and missing["p_value"].isna().all()
    assert (missing["message"].str.len() > 0).all()
    unobserved = data.set_index("indicator_id").loc[list(missing["indicator_id"]), "n_observed"]
    assert list(missing["n_observed"]) == list(unobserved)
    comparisons = review.comparison_table(report, ids)
    assert "period" in comparisons.columns and "rank" in comparisons.columns
    assert set(comparisons["indicator_id"]) <= set(ids) and len(comparisons) >= 1


def test_index_axis_and_pca_tables(report):
    table = review.index_table(report)
    assert table["quantity"].is_unique
    index = dict(table.values)
    entry = report.results.index.region_row(report.region.code)
    assert index["year"] == 2024 and index["coverage"] == entry["coverage"]
    if entry["rank"] is None:  # a län with too little observed data is not ranked
        assert index["rank"] is None and "not ranked" in index["rank_note"]
    else:
        assert index["rank"] == entry["rank"] >= 1 and "rank_note" not in index
    # the group probabilities, one row per group, sum to one
    shares = {k: v for k, v in index.items() if k.startswith("group_probability_")}
    assert shares and math.isclose(sum(shares.values()), 1.0, abs_tol=1e-9)
    axis_result = report.results.axis
    axis = dict(review.axis_table(report).values)
    if axis_result is None:
        assert axis["supported"] is False and axis["reason"]
    else:
        assert axis["test"] == axis_result.test and axis["p_value"] == axis_result.p_value
        assert axis["supported"] == axis_result.supported
        # no position on an axis the observed data do not support, but a reason
        assert ("position" in axis) == axis_result.supported
        assert ("reason" in axis) != axis_result.supported
    pca = dict(review.region_pca_table(report).values)
    if report.results.region_axis is None:  # too little observed data for the län's PCA
        assert pca["message"] == report.results.pca_messages["region"]
    else:
        assert pca["pc1_share"] == report.results.region_axis.pc1_share


def test_index_table_of_an_unranked_lan_and_an_unsupported_axis(report, monkeypatch):
    index = report.results.index
    row = dict(index.region_row(report.region.code), rank=None, coverage=0.5,
               group_probabilities={})
    monkeypatch.setattr(type(index), "region_row", lambda self, code: row)
    table = dict(review.index_table(report).values)
    assert table["rank"] is None and "not ranked" in table["rank_note"]
    assert "0.50" in table["rank_note"]
    html = review.table_bundle(review.index_table(report))["text/html"]
    assert "None" not in html and "nan" not in html.lower()
    monkeypatch.setattr(report.results, "axis", None)
    monkeypatch.setitem(report.results.pca_messages, "axis", "too little observed data")
    assert dict(review.axis_table(report).values) == {"supported": False,
                                                      "reason": "too little observed data"}


def test_glued_table_lists_what_the_notebook_glued_in_order():
    render.reset_state()
    render.glue_markdown("first", "Ett *värde* " + "x" * 100)
    render.glue_markdown("second", "kort")
    table = review.glued_table(limit=20)
    assert list(table["key"]) == ["first", "second"]
    assert list(table["kind"]) == ["text", "text"]
    assert len(table["content"].iloc[0]) == 20 and table["content"].iloc[1] == "kort"
    render.reset_state()
    assert review.glued_table().empty


NOTEBOOK = {
    "metadata": {"papermill": {"parameters": {"region": "24", "year": 2024}}},
    "cells": [
        {"cell_type": "markdown", "source": "# Forskning\n\nText <b>rå</b> [x](javascript:alert(1))"},
        {"cell_type": "code", "execution_count": 1, "source": "x = 1",
         "metadata": {"tags": ["injected-parameters"]}, "outputs": []},
        {"cell_type": "code", "execution_count": 2, "metadata": {"tags": ["remove-output"]},
         "source": "chapters.glue_dimension(report, dimension)", "outputs": [
             {"output_type": "display_data", "metadata": {},
              "data": {"text/markdown": "En *mening*.", "text/plain": "<Markdown>"}},
             {"output_type": "display_data", "metadata": {}, "data": {
                 "text/html": '<div id="c" class="ecoreport-chart" role="img" '
                              'aria-label="Diagram: FoU &lt;2024&gt;"></div><script>x</script>',
                 "text/plain": "<Diagram>"}}]},
        {"cell_type": "code", "execution_count": 3, "metadata": {"tags": ["remove-cell"]},
         "source": "print('<hej>')", "outputs": [
             {"output_type": "stream", "name": "stdout", "text": "<hej>\n"},
             {"output_type": "display_data", "metadata": {},
              "data": {"text/html": "<table><tr><td>1</td></tr></table>", "text/plain": "1"}}]},
    ]}


def test_review_page_shows_code_and_outputs_escaped_and_marks_what_the_book_hides():
    page = review_pages.notebook_page(NOTEBOOK, "notebooks/dimensioner/fou", "Forskning",
                                      chapter_href="../../../notebooks/dimensioner/fou.html",
                                      notebook_href=None, stylesheet_href="../../x.css")
    assert "glue_dimension" in page and "<em>mening</em>" in page
    assert "<table><tr><td>1</td></tr></table>" in page  # the library's table HTML
    assert "&lt;hej&gt;" in page and "<hej>" not in page
    assert "<b>rå</b>" not in page and 'href="javascript' not in page  # raw HTML escaped
    # a chart is named and linked to the chapter, its script is not copied
    assert "Diagram: FoU &lt;2024&gt;" in page and "Diagram: Diagram" not in page
    assert "<script" not in page
    assert 'href="../../../notebooks/dimensioner/fou.html"' in page
    assert "visas inte i boken" in page and "utdata visas inte i boken" in page
    assert "ecoreport rerun notebooks/dimensioner/fou.ipynb" in page
    assert "&quot;24&quot;" in page  # the parameters of the build
    # code and outputs that may scroll are keyboard-reachable, named regions
    assert page.count('tabindex="0" role="region"') == 3 + 4  # three code cells, four outputs
    assert 'aria-label="Kod, cell 2"' in page and 'aria-label="Utdata 2 av cell 2"' in page
    assert 'aria-label="Utdata 2 av cell 3"' in page


def test_write_review_pages_links_the_downloaded_notebook(tmp_path):
    notebook = tmp_path / "notebooks" / "dimensioner" / "fou.ipynb"
    notebook.parent.mkdir(parents=True)
    notebook.write_text(json.dumps(NOTEBOOK), encoding="utf-8")
    download = tmp_path / "_build" / "html" / "_downloads" / "abc" / "fou.ipynb"
    download.parent.mkdir(parents=True)
    download.write_bytes(notebook.read_bytes())
    [page] = review_pages.write_review_pages(tmp_path)
    assert page == tmp_path / "_build" / "html" / "granskning" / "notebooks" / "dimensioner" / "fou.html"
    text = page.read_text(encoding="utf-8")
    assert 'href="../../../_downloads/abc/fou.ipynb"' in text
    assert 'href="../../granskning.css"' in text
    assert (page.parent / "../../granskning.css").resolve().is_file()


def test_rerun_comparison_finds_a_changed_output_and_ignores_counts():
    same = json.loads(json.dumps(NOTEBOOK))
    for cell in same["cells"]:
        if cell["cell_type"] == "code":
            cell["execution_count"] = (cell["execution_count"] or 0) + 10
    assert rerun.differences(NOTEBOOK, same) == []
    changed = json.loads(json.dumps(NOTEBOOK))
    changed["cells"][2]["outputs"][0]["data"]["text/markdown"] = "En annan mening."
    found = rerun.differences(NOTEBOOK, changed)
    assert len(found) == 1 and "glue_dimension" in found[0]
    assert rerun.static_charts_of(NOTEBOOK) == "none"
    assert rerun.static_charts_of({"cells": [{"outputs": [
        {"data": {"application/papermill.record/application/pdf": ""}}]}]}) == "pdf"


def test_rerun_refuses_what_is_not_an_executed_notebook(tmp_path):
    from ecoreport.errors import EcoreportError

    with pytest.raises(EcoreportError, match="no such notebook"):
        rerun.rerun(tmp_path / "missing.ipynb")
    plain = tmp_path / "plain.ipynb"
    plain.write_text(json.dumps({"cells": [], "metadata": {}}), encoding="utf-8")
    with pytest.raises(EcoreportError, match="no papermill parameters"):
        rerun.rerun(plain)


def test_every_notebook_shows_what_it_glues_and_the_book_hides_the_review_cells():
    import jupytext

    from ecoreport.paths import project_root

    root = project_root()
    paths = sorted((root / "notebooks").glob("*.md")) + sorted(
        (root / "notebooks" / "dimensioner").glob("*.md")) + [
        root / "notebooks" / "templates" / "dimension.md"]
    gluing = 0
    for path in paths:
        cells = [c for c in jupytext.read(path).cells if c.cell_type == "code"]
        glue = [c for c in cells if ".glue_" in c.source]
        shows = [c for c in cells if "review.show" in c.source]
        for cell in glue:  # glued values are outputs in the notebook, not in the book
            assert "remove-output" in cell.metadata.get("tags", []), path.name
        for cell in shows:  # the reviewer's tables are left out of the book
            assert cell.metadata.get("tags", []) == ["remove-cell"], path.name
            assert ".glue_" not in cell.source, path.name
        if glue:
            gluing += 1
            assert any("review.glued_table()" in c.source for c in shows), path.name
            assert any("review.show_note()" in c.source for c in shows), path.name
    assert gluing >= 20
