"""Shared fixtures: small books built once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecoreport.publishing.build import build_report
from ecoreport.data.regions import resolve_region

SMALL_BOOK = {"notebooks/dimensioner/fou", "notebooks/pca"}


@pytest.fixture(scope="session")
def small_book(tmp_path_factory) -> "BuildResult":  # noqa: F821
    """Västerbotten 2024 with the FoU and PCA chapters: a cheap but real build."""
    out = tmp_path_factory.mktemp("reports")
    return build_report(resolve_region("24"), 2024, out, only=SMALL_BOOK, workers=2,
                        strict=True)


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of data/ that a test may break or change."""
    from ecoreport.paths import data_dir

    target = tmp_path / "data"
    shutil.copytree(data_dir(), target)
    return target


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


#: The chapters of ``published_book`` besides the start page: every kind of page a reader
#: gets (a dimension chapter, PCA, index map, method with the sources, strategy follow-up,
#: the data appendix, the English page) and the ones the published edition leaves out
#: when empty (conclusions without commentary, changes without an earlier edition).
PUBLISHED_BOOK = {"notebooks/dimensioner/fou", "notebooks/pca", "notebooks/innovationsindex",
                  "notebooks/dataappendix", "notebooks/summary_en", "notebooks/metod",
                  "notebooks/maluppfoljning", "notebooks/slutsatser", "notebooks/andringar",
                  "notebooks/enkat"}


@pytest.fixture(scope="session")
def published_book(tmp_path_factory) -> "BuildResult":  # noqa: F821
    """Västerbotten 2024, the published edition (the default), chapters of PUBLISHED_BOOK."""
    out = tmp_path_factory.mktemp("published")
    return build_report(resolve_region("24"), 2024, out, only=PUBLISHED_BOOK, workers=2)


@pytest.fixture(scope="session", autouse=True)
def altair_speedups():
    """Charts made by the tests go through Altair's speed-ups, as in the build's kernels
    (importing the library does not apply them; test_altair_speedups checks that)."""
    from ecoreport.report import render

    with render.altair_speedups():
        yield
