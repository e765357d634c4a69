"""What a reviewer gets from a built report: notebooks that show their results, read-only
pages of them in the book, and a re-run that gives the same results."""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from ecoreport.analysis.trends import SE_CALIBRATED
from ecoreport.data.regions import resolve_region
from ecoreport.publishing.build import build_report
from ecoreport.report.review import METADATA_KEY
from tests.conftest import chromium

pytestmark = pytest.mark.integration

REVIEW_BOOK = {"notebooks/dimensioner/fou", "notebooks/pca", "notebooks/innovationsindex",
               "notebooks/reproducerbarhet"}
#: The kinds of result each chapter computes, each shown by at least one output.
EXPECTED_KINDS = {
    "fou": {"note", "data", "trends", "comparisons", "survey", "glued"},
    "pca": {"note", "region_pca", "axis", "glued"},
    "innovationsindex": {"note", "index", "glued"},
    "sammanfattning": {"note", "findings", "key_figures", "profile", "index", "region_pca",
                       "axis", "glued"},
}
GLUE_RECORD = "application/papermill.record/"


@pytest.fixture(scope="module")
def review_book(tmp_path_factory):
    out = tmp_path_factory.mktemp("review")
    return build_report(resolve_region("24"), 2024, out, only=REVIEW_BOOK, workers=2,
                        strict=True)


def visible(output) -> bool:
    """An output Jupyter shows: a stream, or data in a representation it displays."""
    if output.get("output_type") == "stream":
        return True
    return any(not mime.startswith(GLUE_RECORD) for mime in output.get("data", {}))


def review_kinds(nb) -> Counter:
    return Counter(output.get("metadata", {}).get(METADATA_KEY, {}).get("review")
                   for cell in nb.cells for output in cell.get("outputs", [])
                   if output.get("metadata", {}).get(METADATA_KEY))


def table_rows(output) -> int:
    return output["data"]["text/html"].count("<tr>") - 1  # the header row


def review_output(nb, kind: str):
    return next(output for cell in nb.cells for output in cell.get("outputs", [])
                if output.get("metadata", {}).get(METADATA_KEY, {}).get("review") == kind)


def test_every_chapter_notebook_shows_its_results(review_book):
    names = {path.stem: path for path in review_book.notebooks}
    assert set(EXPECTED_KINDS) <= set(names)
    for name, path in names.items():
        nb = nbformat.read(path, 4)
        outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
        assert sum(visible(o) for o in outputs) >= 1, f"{name} shows nothing"
        # every glued value is shown (not only stored for the book)
        glued = [o for o in outputs if "scrapbook" in o.get("metadata", {})]
        assert all(visible(o) for o in glued), f"{name}: a glued value is hidden"
        kinds = review_kinds(nb)
        missing = EXPECTED_KINDS.get(name, set()) - set(kinds)
        assert not missing, f"{name} shows no {sorted(missing)}"
        if glued:  # the table of glued values names each of them
            assert table_rows(review_output(nb, "glued")) == len(glued), name
            for output in glued:
                key = output["metadata"]["scrapbook"]["name"]
                assert f"<td>{html_lib.escape(key)}</td>" in review_output(nb, "glued")[
                    "data"]["text/html"], f"{name}: {key} not listed"
        for output in outputs:
            if output.get("metadata", {}).get(METADATA_KEY, {}).get("review") not in (None, "note"):
                assert {"text/html", "text/plain"} <= set(output["data"]), name
    # the dimension chapter's tables have a row per indicator section of the chapter
    fou = nbformat.read(names["fou"], 4)
    text = "\n".join(cell.source for cell in fou.cells if cell.cell_type == "markdown")
    sections = dict(re.findall(r"\(ind-([a-z0-9_]+)\)=(.*?)(?=\(ind-|$)", text, flags=re.S))
    register = [i for i, body in sections.items() if "Enkätfråga" not in body]
    survey_items = [i for i in sections if i not in register]
    assert len(register) >= 5 and survey_items
    for kind in ("data", "trends"):
        table = review_output(fou, kind)["data"]["text/html"]
        assert table_rows(review_output(fou, kind)) == len(register), kind
        assert all(f"<td>{i}</td>" in table for i in register), kind
    trends = review_output(fou, "trends")["data"]["text/html"]
    for column in ("slope", "ci_low", "ci_high", "p_value", "q_value", "se_method", "n_observed",
                   "message"):
        assert f"<th>{column}</th>" in trends
    assert "<th>period</th>" in review_output(fou, "comparisons")["data"]["text/html"]


def test_the_book_leaves_the_review_cells_out(review_book):
    html_dir = review_book.html_index.parent
    for page in ("notebooks/dimensioner/fou.html", "notebooks/pca.html",
                 "notebooks/innovationsindex.html", "notebooks/sammanfattning.html"):
        text = (html_dir / page).read_text(encoding="utf-8")
        assert "För granskare" not in text and "review.show" not in text, page
        assert "<th>indicator_id</th>" not in text and "<th>quantity</th>" not in text, page
        assert "IPython.core.display.Markdown" not in text, page


def review_links(review_book) -> list[Path]:
    page = review_book.html_index.parent / "notebooks" / "reproducerbarhet.html"
    hrefs = re.findall(r'class="ecoreport-review" href="([^"]+)"', page.read_text(encoding="utf-8"))
    return [(page.parent / html_lib.unescape(href)).resolve() for href in hrefs]


def test_reproducibility_chapter_links_a_review_page_of_every_notebook(review_book):
    links = review_links(review_book)
    assert len(links) == len(review_book.notebooks)
    html_dir = review_book.html_index.parent.resolve()
    for link in links:
        assert link.is_file() and html_dir in link.parents
    page = (review_book.html_index.parent / "notebooks" / "reproducerbarhet.html").read_text(
        encoding="utf-8")
    assert "ecoreport rerun" in html_lib.unescape(re.sub(r"<[^>]+>", "", page))
    # every review page links its chapter and the notebook's download copy, which exist
    for link in links:
        text = link.read_text(encoding="utf-8")
        hrefs = re.findall(r'href="([^"#]+)"', text)
        assert any(h.endswith(".ipynb") for h in hrefs), link.name
        for href in hrefs:
            assert (link.parent / html_lib.unescape(href)).resolve().is_file(), (link, href)
        assert "<script" not in text and "http" not in text.split("</header>")[0]


@pytest.mark.browser
@pytest.mark.skipif(chromium() is None, reason="needs Debian's chromium")
def test_review_pages_open_in_chromium_with_code_and_outputs(review_book):
    from tests.integration.test_browser import dump_dom

    fou = next(link for link in review_links(review_book) if link.name == "fou.html")
    dom = dump_dom(fou.as_uri())
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", dom))
    assert "chapters.glue_dimension(report, dimension)" in text  # code
    assert "review.show(review.trend_table(report, indicators)" in text
    assert SE_CALIBRATED in text and "fou_andel_brp" in text  # the trend table
    assert "Här följer" in text  # a glued text, rendered
    assert "Diagram:" in text  # charts named, linked to the chapter
    assert dom.count('<table class="dataframe"') >= 5


def glued_values(nb) -> dict:
    return {o["metadata"]["scrapbook"]["name"]: o["data"] for cell in nb.cells
            for o in cell.get("outputs", []) if "scrapbook" in o.get("metadata", {})}


def review_tables(nb) -> dict:
    return {o["metadata"][METADATA_KEY]["review"]: o["data"] for cell in nb.cells
            for o in cell.get("outputs", []) if METADATA_KEY in o.get("metadata", {})}


def test_rerunning_a_notebook_gives_the_results_of_the_book(review_book, tmp_path):
    from ecoreport.cli import main
    from ecoreport.publishing.rerun import differences, rerun

    notebook = review_book.report_dir / "notebooks" / "dimensioner" / "fou.ipynb"
    original, again = rerun(notebook, tmp_path / "fou.ipynb")
    assert differences(original, again) == []
    first, second = (nbformat.from_dict(nb) for nb in (original, again))
    assert glued_values(first) == glued_values(second) and len(glued_values(first)) >= 10
    assert review_tables(first) == review_tables(second)
    assert {"data", "trends", "comparisons"} <= set(review_tables(second))
    # the book shows what the notebook glued: the chapter page has the glued sentences
    page = (review_book.html_index.parent / "notebooks" / "dimensioner" / "fou.html").read_text(
        encoding="utf-8")
    intro = "".join(glued_values(second)["intro"]["text/markdown"])
    assert intro.split(" (")[0][:60] in html_lib.unescape(re.sub(r"<[^>]+>", "", page))
    # the command the review pages give, on another notebook
    assert main(["rerun", str(review_book.report_dir / "notebooks" / "pca.ipynb")]) == 0
