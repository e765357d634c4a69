"""Shared fixtures: small books built once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecoreport.report.build import build_report
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
