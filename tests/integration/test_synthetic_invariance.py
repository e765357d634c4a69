"""Synthetic values draw shapes, never numbers: change every synthetic value and the text of
every page of the book and ``results/summary.json`` stay the same.

The book is built twice for Västerbotten 2024 (HTML only): on a copy of the default data and
on a copy in which every synthetic value is different (permuted between the län within
indicator × period, then redrawn on another scale with noise; observed rows untouched). The
visible text of every page (scripts, styles and chart specifications removed) and
``summary.json`` must be identical. What legitimately names the data file (the
reproducibility chapter's paths and the SHA-256 of ``values.csv``) is normalised first.
"""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest

from ecoreport.data.regions import resolve_region
from ecoreport.paths import data_dir
from ecoreport.publishing.build import build_report
from tests.text_lint import REVIEW_FOLDER
from tests.synthetic_variants import (book_texts, change_synthetic_values, first_difference,
                                      summary_of)

pytestmark = pytest.mark.integration

HEX64 = re.compile(r"\b[0-9a-f]{64}\b")


def _normalised(text: str, root) -> str:
    return HEX64.sub("<sha256>", text.replace(str(root), "<tmp>"))


@pytest.fixture(scope="module")
def two_books(tmp_path_factory):
    books = {}
    for name in ("default", "changed"):
        root = tmp_path_factory.mktemp(f"invariance-{name}")
        data = root / "data"
        shutil.copytree(data_dir(), data)
        if name == "changed":
            assert change_synthetic_values(data, seed=11) > 1000
        result = build_report(resolve_region("24"), 2024, root / "reports", data_dir=data,
                              workers=2)
        books[name] = (root, result)
    return books


def test_the_changed_data_really_differs_only_in_synthetic_values(two_books):
    (root_a, _), (root_b, _) = two_books["default"], two_books["changed"]
    a = pd.read_csv(root_a / "data" / "values.csv", dtype=str, keep_default_na=False)
    b = pd.read_csv(root_b / "data" / "values.csv", dtype=str, keep_default_na=False)
    assert (a.drop(columns="value") == b.drop(columns="value")).all().all()
    observed = a["status"] == "observed"
    assert (a.loc[observed, "value"] == b.loc[observed, "value"]).all()
    assert (a.loc[~observed, "value"] != b.loc[~observed, "value"]).mean() > 0.9


def test_every_page_reads_the_same_whatever_the_synthetic_values(two_books):
    (root_a, book_a), (root_b, book_b) = two_books["default"], two_books["changed"]
    # the review pages (granskning/) are the executed notebooks for reviewers: like the data
    # downloads, they list every value a chapter used, synthetic ones with their status
    texts_a = {page: text for page, text in book_texts(book_a.report_dir / "_build" / "html").items()
               if not page.startswith(REVIEW_FOLDER)}
    texts_b = {page: text for page, text in book_texts(book_b.report_dir / "_build" / "html").items()
               if not page.startswith(REVIEW_FOLDER)}
    assert set(texts_a) == set(texts_b)
    assert len(texts_a) > 15  # the whole book, not one page
    differing = {page: first_difference(_normalised(texts_a[page], root_a),
                                        _normalised(texts_b[page], root_b))
                 for page in texts_a
                 if _normalised(texts_a[page], root_a) != _normalised(texts_b[page], root_b)}
    assert not differing, "text moved with the synthetic values:\n" + "\n".join(
        f"{page}: {where}" for page, where in sorted(differing.items()))


def test_summary_json_is_the_same_whatever_the_synthetic_values(two_books):
    (_, book_a), (_, book_b) = two_books["default"], two_books["changed"]
    a, b = summary_of(book_a.report_dir), summary_of(book_b.report_dir)
    assert json.dumps(a, sort_keys=True, indent=1) == json.dumps(b, sort_keys=True, indent=1)
    # and the summary names the year of every comparison and the index's group odds
    assert a["comparisons"] and all(c["period"] or c["reason"] for c in a["comparisons"])
    if a.get("index"):
        assert abs(sum(a["index"]["group_probabilities"].values()) - 1) < 0.01
