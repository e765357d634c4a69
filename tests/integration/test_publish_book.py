"""The published edition (the default build) against the draft (``--draft``): no tool
text in what a reader gets, empty chapters left out, the analyst's checklist beside it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ecoreport.data.regions import resolve_region
from ecoreport.publishing.build import build_report
from ecoreport.report.draft import CHECKLIST_FILE
from tests.html_audit import audit_html
from tests.text_lint import LANGUAGE, REVIEW_PAGES, TOOL_TEXT, findings, page_prose

pytestmark = pytest.mark.integration


def test_published_pages_have_no_tool_text(published_book):
    _, texts = audit_html(Path(published_book.html_index).parent)
    assert len(texts) >= 8
    found = findings(texts, TOOL_TEXT, skip=REVIEW_PAGES)
    assert not found, "\n".join(found[:30])


def test_published_edition_leaves_out_empty_chapters_and_lists_what_is_left(published_book):
    html = Path(published_book.html_index).parent / "notebooks"
    toc = yaml.safe_load((published_book.report_dir / "_toc.yml").read_text(encoding="utf-8"))
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    # no commentary written, no earlier edition: both chapters would be placeholders
    assert "notebooks/slutsatser" not in files and not (html / "slutsatser.html").exists()
    assert "notebooks/andringar" not in files and not (html / "andringar.html").exists()
    assert "notebooks/maluppfoljning" in files  # Västerbotten has a strategy
    targets = (html / "maluppfoljning.html").read_text(encoding="utf-8")
    assert "Så läggs ett mätbart mål till" not in targets and "targets:" not in targets
    checklist = (published_book.report_dir / CHECKLIST_FILE).read_text(encoding="utf-8")
    assert "Byggd som den publicerade utgåvan" in checklist
    assert "- [ ] Skriv slutsatser och rekommendationer i " in checklist
    assert "slutsatser.md" in checklist


def test_draft_shows_the_placeholders(tmp_path):
    result = build_report(resolve_region("24"), 2024, tmp_path, draft=True, workers=1,
                          only={"notebooks/slutsatser", "notebooks/maluppfoljning"})
    html = Path(result.html_index).parent / "notebooks"
    conclusions = (html / "slutsatser.html").read_text(encoding="utf-8")
    assert "ingen skrivits än" in conclusions
    assert "Så läggs ett mätbart mål till" in (html / "maluppfoljning.html").read_text(
        encoding="utf-8")
    checklist = (result.report_dir / CHECKLIST_FILE).read_text(encoding="utf-8")
    assert "Byggd som utkastet" in checklist and "Skriv slutsatser" in checklist


def test_published_swedish_pages_pass_the_language_lint(published_book):
    """Every Swedish page's running text against tests.text_lint.LANGUAGE (the English page
    and the reviewers' page are not Swedish prose)."""
    texts = page_prose(Path(published_book.html_index).parent)
    found = findings(texts, LANGUAGE, skip=REVIEW_PAGES | {"notebooks/summary_en.html"})
    assert not found, "\n".join(found[:30])
