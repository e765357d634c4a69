"""WCAG 2.1 AA in the web book: axe-core (npm, tests/browser/) in the system Chromium, on
every page of a built book; any serious or critical violation fails.

The npm packages are installed by ``make test`` (``tests/browser/install.sh``) or, when
missing, here; the test is skipped only where node or Chromium is missing. Set
``ECOREPORT_AXE_BOOK`` to the ``_build/html`` folder of a book already built (any län, all
chapters) to check that one instead of building a small one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import chromium

BROWSER_DIR = Path(__file__).resolve().parents[1] / "browser"
FAILING_IMPACTS = {"serious", "critical"}

pytestmark = [pytest.mark.integration, pytest.mark.browser,
              pytest.mark.skipif(chromium() is None, reason="needs Debian's chromium"),
              pytest.mark.skipif(shutil.which("node") is None, reason="needs node")]


def axe_installed() -> None:
    """The pinned npm packages of tests/browser (``npm ci`` when missing)."""
    if not (BROWSER_DIR / "node_modules" / "axe-core").is_dir() or \
            not (BROWSER_DIR / "node_modules" / "puppeteer-core").is_dir():
        subprocess.run(["bash", str(BROWSER_DIR / "install.sh")], check=True, timeout=600)


def run_axe(html_dir: Path) -> dict[str, list[dict]]:
    """axe-core's violations per page of the book in ``html_dir``."""
    axe_installed()
    proc = subprocess.run(["node", str(BROWSER_DIR / "axe.mjs"), chromium(), str(html_dir)],
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)["pages"]


@pytest.fixture(scope="module")
def book_html(request) -> Path:
    """The book checked: ECOREPORT_AXE_BOOK, else the published edition of conftest's
    PUBLISHED_BOOK chapters (a dimension chapter with paired panels, PCA, index map, data
    appendix with headings from glued text, the English page, …)."""
    given = os.environ.get("ECOREPORT_AXE_BOOK")
    if given:
        return Path(given)
    return Path(request.getfixturevalue("published_book").html_index).parent


def test_no_serious_or_critical_accessibility_violations(book_html):
    pages = run_axe(book_html)
    assert len(pages) >= 8  # every page was checked
    found = [f"{page}: {v['id']} ({v['impact']}, {v['nodes']} nodes, e.g. {v['targets'][:1]})"
             for page, violations in pages.items() for v in violations
             if v["impact"] in FAILING_IMPACTS]
    assert not found, "\n".join(found)


def test_english_page_is_marked_english_and_the_rest_swedish(book_html):
    english = (book_html / "notebooks" / "summary_en.html").read_text(encoding="utf-8")
    swedish = (book_html / "notebooks" / "sammanfattning.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in english and '<header id="pst-header" lang="sv"' in english
    assert '<html lang="sv"' in swedish and 'lang="en"' not in swedish
