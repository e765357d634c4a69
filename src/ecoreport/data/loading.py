"""Loading the tidy files: read, validate (all errors at once), then type."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd

from ecoreport.data.catalogue import load_catalogue
from ecoreport.data.regions import load_regions
from ecoreport.data.tables import read_table, type_survey, type_values
from ecoreport.data.validate import ValidationReport, validate_survey, validate_values
from ecoreport.paths import data_dir

logger = logging.getLogger(__name__)


def _default_dir() -> Path:
    return data_dir()


def _resolve_context(path: str | Path | None, name: str, catalogue: Any,
                     regions: Any) -> tuple[Path, Any, Any]:
    """Fill in the default file, catalogue and regions from the data folder."""
    path = Path(path) if path is not None else _default_dir() / name
    if catalogue is None:
        catalogue = load_catalogue(path.parent)
    if regions is None:
        regions = load_regions(path.parent)
    return path, catalogue, regions


def load_values_with_report(path: str | Path | None = None, *, catalogue: Any = None,
                            regions: Any = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Read and validate ``values.csv``; return the typed frame and the report (warnings).

    Raises ``DataValidationError`` listing every error before returning anything.
    """
    path, catalogue, regions = _resolve_context(path, "values.csv", catalogue, regions)
    raw = read_table(path)
    report = validate_values(raw, catalogue, regions, file=path.name)
    report.raise_for_errors()
    return type_values(raw), report


def load_values(path: str | Path | None = None, *, catalogue: Any = None,
                regions: Any = None) -> pd.DataFrame:
    """Read, validate and type ``values.csv`` (default: the data folder's).

    Columns: region_code, indicator_id, period, value (float), status, source_id, note,
    period_start, period_end (int) and year (float midpoint of the period).
    Rows whose value is a suppression marker ("..", "–") are dropped with a warning.
    """
    frame, report = load_values_with_report(path, catalogue=catalogue, regions=regions)
    _log_warnings(report)
    return frame


def load_survey_with_report(path: str | Path | None = None, *, catalogue: Any = None,
                            regions: Any = None) -> tuple[pd.DataFrame, ValidationReport]:
    """Read and validate ``survey.csv``; return the typed frame and the report."""
    path, catalogue, regions = _resolve_context(path, "survey.csv", catalogue, regions)
    raw = read_table(path)
    report = validate_survey(raw, catalogue, regions, file=path.name)
    report.raise_for_errors()
    return type_survey(raw), report


def load_survey(path: str | Path | None = None, *, catalogue: Any = None,
                regions: Any = None) -> pd.DataFrame:
    """Read, validate and type ``survey.csv``: like ``load_values`` with share_pct (float)
    and category instead of value."""
    frame, report = load_survey_with_report(path, catalogue=catalogue, regions=regions)
    _log_warnings(report)
    return frame


def _log_warnings(report: ValidationReport) -> None:
    if report.warnings:
        logger.info("%s (details: ecoreport validate)", report.summary())
        for issue in report.warnings:
            logger.debug("%s", issue)
