"""The analysis a report needs, computed once per build and shared by all notebooks.

``compute_results`` runs every heavy step (trends for all indicators, comparisons between
län, the PCAs and their bootstrap) once; the build pickles the result next to the book and
each notebook loads it with :func:`open_report`, so 15–20 notebooks do not repeat the work.
Run without a results file (``jupyter-book build .``), :func:`open_report` computes it.
"""

from __future__ import annotations

import logging
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ecoreport.dataset import Dataset, load_dataset
from ecoreport.regions import Region, resolve_region
from ecoreport.trends import compute_trends

logger = logging.getLogger(__name__)


@dataclass
class Results:
    """Everything computed for one län and year."""

    region_code: str
    year: int
    trends: pd.DataFrame
    extras: dict = field(default_factory=dict)


@dataclass
class Report:
    """What a notebook works with: the data, the län, the year and the computed results."""

    dataset: Dataset
    region: Region
    year: int
    results: Results

    @property
    def catalogue(self):
        return self.dataset.catalogue

    def series(self, indicator_id: str, region_code: str | None = None) -> pd.DataFrame:
        """One indicator's series for the län (or another region) up to the report year."""
        frame = self.dataset.series(region_code or self.region.code, indicator_id)
        return frame[frame["period_start"] <= self.year]

    def trend(self, indicator_id: str) -> pd.Series | None:
        rows = self.results.trends[self.results.trends["indicator_id"] == indicator_id]
        return None if rows.empty else rows.iloc[0]


def compute_results(dataset: Dataset, region_code: str, year: int) -> Results:
    """Run the analysis for one län and year (the expensive part of a build)."""
    trends = compute_trends(dataset.values, region_code, dataset.catalogue, until_year=year)
    return Results(region_code=region_code, year=year, trends=trends)


def save_results(results: Results, path: Path, dataset: Dataset | None = None) -> None:
    with open(path, "wb") as fh:
        pickle.dump({"results": results, "dataset": dataset}, fh, protocol=pickle.HIGHEST_PROTOCOL)


def open_report(region: str, year: int | None = None, results_path: str | None = None,
                data_dir: str | None = None) -> Report:
    """The notebook entry point: load the build's shared results or compute them."""
    if results_path:
        with open(results_path, "rb") as fh:
            saved = pickle.load(fh)
        results, dataset = saved["results"], saved["dataset"]
        if dataset is None:
            dataset = load_dataset(data_dir)
        if str(results.region_code) != str(resolve_region(region).code) or (
                year is not None and int(year) != results.year):
            raise ValueError(f"{results_path} holds results for {results.region_code} "
                             f"{results.year}, not {region} {year}")
    else:
        dataset = load_dataset(data_dir)
        year = int(year or dataset.latest_year())
        results = compute_results(dataset, resolve_region(region).code, year)
    return Report(dataset=dataset, region=resolve_region(region), year=results.year,
                  results=results)
