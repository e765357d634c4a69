"""The one entry point notebooks and the build use to get validated data."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ecoreport.errors import DataError, UnknownRegionError
from ecoreport.data.loading import load_survey_with_report, load_values_with_report
from ecoreport.data.tables import SURVEY_COLUMNS
from ecoreport.data.validate import ValidationReport
from ecoreport.data.regions import resolve_region
from ecoreport.paths import data_dir as default_data_dir
from ecoreport.data.catalogue import load_catalogue
from ecoreport.data.regions import load_regions

logger = logging.getLogger(__name__)

DATA_FILES: tuple[str, ...] = (
    "indicators.yaml", "sources.yaml", "regions.yaml", "values.csv", "survey.csv",
)
# The default report year must have data for more than this share of the indicators.
LATEST_YEAR_MIN_SHARE = 0.5

_CACHE: dict[tuple[Any, ...], Dataset] = {}


@dataclass
class Dataset:
    """Validated values, survey shares, catalogue and regions from one data folder.

    Loaded datasets are cached and shared between callers: treat the frames as read-only
    (copy before changing them).
    """

    values: pd.DataFrame
    survey: pd.DataFrame
    catalogue: Any
    regions: list[Any]
    report: ValidationReport = field(default_factory=ValidationReport)
    data_dir: Path | None = None

    _rows: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def series(self, region_code: str, indicator_id: str) -> pd.DataFrame:
        """The rows of one region and indicator in period order (survey rows for a survey
        indicator); empty when there is no data."""
        survey = self._is_survey(indicator_id)
        frame = self.survey if survey else self.values
        if survey not in self._rows:  # row positions per region and indicator, made once
            self._rows[survey] = frame.groupby(["region_code", "indicator_id"],
                                               sort=False, observed=True).indices
        positions = self._rows[survey].get((region_code, indicator_id))
        rows = frame.iloc[positions] if positions is not None else frame.iloc[:0]
        return (rows.sort_values(["period_start", "period_end"], kind="stable")
                .reset_index(drop=True))

    def _is_survey(self, indicator_id: str) -> bool:
        indicator = getattr(self.catalogue, "indicators", {}).get(indicator_id)
        return getattr(indicator, "kind", None) == "survey"

    def region(self, code: str) -> Any:
        """The region with this code (or, with a data folder, any name ``resolve_region``
        understands); ``UnknownRegionError`` otherwise."""
        for region in self.regions:
            if region.code == str(code).strip():
                return region
        if self.data_dir is not None:
            return resolve_region(code, self.data_dir)
        valid = ", ".join(f"{region.code} {getattr(region, 'name', '')}".strip()
                          for region in self.regions)
        raise UnknownRegionError(f"unknown region {code!r}; expected one of: {valid}")

    def latest_year(self, region_code: str | None = None) -> int:
        """The latest period end with data (observed or synthetic) for most register
        indicators that have any data — the default report year.

        "Most" means more than ``LATEST_YEAR_MIN_SHARE`` of them; ``region_code`` limits
        the count to one region.
        """
        frame = self.values
        if region_code is not None:
            frame = frame[frame["region_code"] == region_code]
        if frame.empty:
            raise DataError(f"no values{'' if region_code is None else ' for ' + region_code}"
                            " to choose a report year from", file="values.csv",
                            expected="register values for the region")
        n_indicators = frame["indicator_id"].nunique()
        per_year = frame.groupby("period_end")["indicator_id"].nunique()
        eligible = per_year[per_year > LATEST_YEAR_MIN_SHARE * n_indicators]
        if eligible.empty:
            return int(per_year.idxmax())
        return int(eligible.index.max())

    def sha256(self) -> dict[str, str]:
        """File name -> SHA-256 hex digest of each data file used (reproducibility)."""
        if self.data_dir is None:
            return {}
        digests = {}
        for name in DATA_FILES:
            path = self.data_dir / name
            if path.exists():
                digests[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        return digests


def load_dataset(data_dir: str | Path | None = None) -> Dataset:
    """Load and validate the data folder (default ``paths.data_dir()``).

    Cached per resolved folder and the data files' modification times and sizes, so the
    many notebooks calling it read the files once and see changes at once.
    Raises ``DataValidationError`` when values.csv or survey.csv have errors.
    """
    folder = (Path(data_dir) if data_dir is not None else default_data_dir()).resolve()
    key = (folder, *_file_stamps(folder))
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    dataset = _read_dataset(folder)
    # Old entries for the same folder are stale; drop them so memory stays bounded.
    for old in [k for k in _CACHE if k[0] == folder]:
        del _CACHE[old]
    _CACHE[key] = dataset
    return dataset


def clear_cache() -> None:
    """Forget loaded datasets (tests, long-running sessions)."""
    _CACHE.clear()


def _file_stamps(folder: Path) -> tuple[tuple[str, int, int], ...]:
    stamps = []
    for name in DATA_FILES:
        try:
            stat = (folder / name).stat()
        except FileNotFoundError:
            continue
        stamps.append((name, stat.st_mtime_ns, stat.st_size))
    return tuple(stamps)


def _read_dataset(folder: Path) -> Dataset:
    logger.info("loading data from %s", folder)
    catalogue = load_catalogue(folder)
    regions = load_regions(folder)
    values, report = load_values_with_report(folder / "values.csv", catalogue=catalogue,
                                             regions=regions)
    survey_path = folder / "survey.csv"
    if survey_path.exists():
        survey, survey_report = load_survey_with_report(survey_path, catalogue=catalogue,
                                                        regions=regions)
        report.extend(survey_report)
    else:
        logger.warning("%s not found; continuing without survey data", survey_path)
        survey = _empty_survey()
    # Info, not warning: every executed notebook would print it; `ecoreport validate`
    # and Dataset.report show the warnings themselves.
    logger.info("%s", report.summary())
    return Dataset(values=values, survey=survey, catalogue=catalogue, regions=list(regions),
                   report=report, data_dir=folder)


def _empty_survey() -> pd.DataFrame:
    frame = pd.DataFrame({column: pd.Series([], dtype=str) for column in SURVEY_COLUMNS})
    frame["share_pct"] = frame["share_pct"].astype(float)
    frame["period_start"] = pd.Series([], dtype=int)
    frame["period_end"] = pd.Series([], dtype=int)
    frame["year"] = pd.Series([], dtype=float)
    return frame
