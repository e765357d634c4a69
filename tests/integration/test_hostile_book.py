"""A book built from hostile data: no script, handler or javascript: link from the data
reaches the HTML, MyST and LaTeX do not execute it, and the PDF still builds."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from ecoreport.data.regions import resolve_region
from ecoreport.paths import data_dir
from ecoreport.publishing.build import build_report
from tests.hostile_data import SECRET, write_hostile_data
from tests.html_audit import audit_html

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHAPTERS = {"notebooks/dimensioner/fou", "notebooks/metod", "notebooks/enkat"}
# Event handlers the theme ships in its own buttons (print, full screen); none from data.
THEME_HANDLERS = frozenset({"window.print()", "toggleFullScreen()"})


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    data = write_hostile_data(data_dir(), root / "data")
    region = resolve_region("24", data)
    pdf = shutil.which("xelatex") is not None
    return build_report(region, 2024, root / "reports", pdf=pdf, workers=2, strict=True,
                        data_dir=data, only=CHAPTERS)


def test_no_script_handler_or_javascript_link_from_data(hostile_book):
    findings, texts = audit_html(hostile_book.html_index.parent, THEME_HANDLERS)
    assert findings == []
    # The hostile text did reach the pages, shown as text:
    assert "<script>alert(1)</script><img src=x onerror=alert(4)>" in \
        texts["notebooks/dimensioner/fou.html"]
    assert "{sub-ref}`today`" in texts["notebooks/metod.html"]
    assert any("Västerbottens län [klicka](javascript:alert(7)) & *fet*" in text
               for text in texts.values())


def test_myst_directives_and_roles_from_data_are_not_executed(hostile_book):
    page = (hostile_book.html_index.parent / "notebooks" / "dimensioner" / "fou.html"
            ).read_text(encoding="utf-8")
    assert 'class="admonition danger' not in page  # the ":::{danger}" fence stayed text
    assert "<iframe" not in page
    assert "<h1>rubrik" not in page and 'id="rubrik"' not in page


@pytest.mark.skipif(shutil.which("xelatex") is None, reason="the PDF needs xelatex")
def test_pdf_builds_and_latex_from_data_is_typeset_literally(hostile_book):
    assert hostile_book.pdf is not None and hostile_book.pdf.stat().st_size > 10_000
    text = subprocess.run(["pdftotext", str(hostile_book.pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert SECRET not in text  # \input{…} was not executed
    assert "\\input{" in text
