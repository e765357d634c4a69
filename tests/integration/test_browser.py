"""Open the built book in headless Chromium, offline, and check what a reader sees."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import chromium

pytestmark = [pytest.mark.integration, pytest.mark.browser,
              pytest.mark.skipif(chromium() is None, reason="needs Debian's chromium")]


def dump_dom(url: str) -> str:
    """The page's DOM after its scripts ran (network disabled, as offline readers have it)."""
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=15000",
             "--dump-dom", url],
            capture_output=True, text=True, timeout=120)
    return proc.stdout


def drawn_charts(dom: str) -> int:
    """Vega-Embed SVGs that hold drawn marks."""
    charts = re.findall(r'<div[^>]*class="ecoreport-chart[^"]*"[^>]*>(.*?)</svg>', dom, flags=re.S)
    return sum(1 for c in charts if 'class="mark-' in c and "<path" in c)


def test_dimension_page_draws_its_charts(small_book):
    page = Path(small_book.html_index).parent / "notebooks" / "dimensioner" / "fou.html"
    dom = dump_dom(page.as_uri())
    assert drawn_charts(dom) >= 10


def test_pca_page_draws_every_chart_it_has(small_book):
    """The PCA chapter's charts (biplot and trajectory only when the län's own PCA could be
    fitted on observed values; the all-län axis chart always) are all drawn."""
    from ecoreport.analysis.results import open_report

    page = Path(small_book.html_index).parent / "notebooks" / "pca.html"
    dom = dump_dom(page.as_uri())
    report = open_report("24", 2024)
    expected = 1 + (2 if report.results.region_pca is not None else 0)
    assert drawn_charts(dom) >= expected


def test_search_finds_an_indicator(small_book):
    search = Path(small_book.html_index).parent / "search.html"
    dom = dump_dom(search.as_uri() + "?q=doktorsexamina")
    results = re.search(r'<ul class="search">(.*?)</ul>', dom, flags=re.S)
    assert results, "the search page rendered no result list"
    assert "fou.html" in results.group(1)


def test_landing_page_opens_and_links_all_21_books(small_book, tmp_path):
    import json

    from ecoreport.data.regions import lan_regions
    from ecoreport.publishing.cache import STAMP, read_stamp
    from ecoreport.publishing.landing import write_landing_page

    stamp = read_stamp(small_book.report_dir)
    for region in lan_regions():  # every län's folder shows the small book
        folder = tmp_path / "2024" / f"{region.code}-{region.slug}"
        folder.mkdir(parents=True)
        (folder / "_build").symlink_to(small_book.report_dir / "_build")
        (folder / STAMP).write_text(json.dumps(
            {**stamp, "region_code": region.code, "region_name": region.name}))
    landing = write_landing_page(tmp_path, 2024)
    dom = dump_dom(landing.as_uri())
    rows = re.findall(r"<tr><td>([^<]+)</td><td><a href=\"([^\"]+)\">Webbok</a>", dom)
    assert len(rows) == 21
    assert rows[0][0] == "Stockholms län (01)" and rows[-1][0] == "Norrbottens län (25)"
    for _, href in rows:
        assert (landing.parent / href).is_file()
    book = dump_dom((landing.parent / rows[0][1]).as_uri())
    assert "Innovationsekosystemet i Västerbottens län 2024" in book
