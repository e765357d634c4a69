"""The analysis a report needs, computed once per build and shared by all notebooks.

``compute_results`` runs every heavy step (trends for all indicators, comparisons between
län, the PCAs and their bootstrap) once; the build pickles the result next to the book
(gzip-compressed: ``results.pkl.gz``, which ``pandas.read_pickle`` also reads) and each
notebook loads it with :func:`open_report`, so 15–20 notebooks do not repeat the work.
Run without a results file (``jupyter-book build .``), :func:`open_report` computes it.

Every result that a text, a table or ``summary.json`` states is computed from the observed
values only (``compare.observed_values``): the trends, the comparisons between län (at the
latest period with enough observed län, ``compare.MIN_COMPARED_REGIONS``), the findings, the
index and the dimension profile, the axis and the län's own PCA. Synthetic values reach
the charts only, through ``Report.series`` and the values frame.
"""

from __future__ import annotations

import gzip
import logging
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ecoreport.analysis.axis import AxisResult, RegionAxisSummary, fit_pooled_axis, summarise_region
from ecoreport.analysis.compare import (choose_comparison_period, compare_regions,
                                       comparison_periods, normalised_by_indicator,
                                       observed_values, relative_development)
from ecoreport.analysis.index import (IndexResult, compute_index_result,
                                      dimension_profile_from_index)
from ecoreport.analysis.findings import Findings, find_findings
from ecoreport.data.dataset import Dataset, load_dataset
from ecoreport.analysis.pca import (
    BootstrapResult,
    PcaInputError,
    PcaResult,
    bootstrap_pca,
    fit_pooled_pca,
    fit_region_pca,
)
from ecoreport.data.regions import Region, resolve_region
from ecoreport.analysis.trends import REPORT_FIRST_YEAR, compute_trends, control_fdr
from ecoreport.errors import UsageError
from ecoreport.provenance import collect_build_info

logger = logging.getLogger(__name__)


PCA_FIRST_YEAR = REPORT_FIRST_YEAR  # the report window: the period every län covers
BOOTSTRAP_SAMPLES = 500
BOOTSTRAP_SEED = 20261123


@dataclass
class Results:
    """Everything computed for one län and year."""

    region_code: str
    year: int
    trends: pd.DataFrame
    relative: pd.DataFrame
    profile: pd.DataFrame
    comparisons: dict[str, pd.DataFrame]
    region_pca: PcaResult | None
    region_bootstrap: BootstrapResult | None
    pooled_pca: PcaResult | None
    pca_messages: dict[str, str] = field(default_factory=dict)
    index: IndexResult | None = None
    findings: Findings | None = None
    axis: AxisResult | None = None
    region_axis: RegionAxisSummary | None = None
    #: indicator id -> why the län has no rank (``compare.NO_COMMON_PERIOD`` or
    #: ``compare.REGION_NOT_OBSERVED``); indicators with a comparison are not listed
    comparison_reasons: dict[str, str] = field(default_factory=dict)
    #: when no axis could be fitted: how many research and market indicators qualified
    axis_inputs: dict[str, int] = field(default_factory=dict)


@dataclass
class Report:
    """What a notebook works with: the data, the län, the year and the computed results."""

    dataset: Dataset
    region: Region
    year: int
    results: Results
    build_info: dict = field(default_factory=dict)

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


@dataclass
class SharedResults:
    """The analysis that is the same for every län of a year: computed once per build."""

    year: int
    comparisons: dict[str, pd.DataFrame]
    pooled_pca: PcaResult | None
    pca_messages: dict[str, str] = field(default_factory=dict)
    index: IndexResult | None = None
    axis: AxisResult | None = None
    #: per indicator: the periods with enough observed län (``compare.comparison_periods``)
    periods: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: per indicator: its observed rows, normalised (to compare at another period)
    normalised: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: when no axis could be fitted: how many research and market indicators qualified
    axis_inputs: dict[str, int] = field(default_factory=dict)


def compute_shared(dataset: Dataset, year: int) -> SharedResults:
    """Comparisons between län, the pooled PCA and the innovation index of all län, on
    observed values only. ``comparisons`` holds each indicator at its latest period with
    enough observed län; a län not observed then is compared at an earlier one
    (:func:`region_comparisons`)."""
    catalogue, regions = dataset.catalogue, dataset.regions
    values = observed_values(dataset.values)
    compared = [indicator.id for indicator in catalogue.indicators_by_kind("register")
                if not catalogue.is_context(indicator.id)]
    normalised = normalised_by_indicator(values, catalogue, compared)
    comparisons, periods = {}, {}
    for indicator_id in compared:
        rows = normalised.get(indicator_id)
        if rows is None:
            continue
        periods[indicator_id] = found = comparison_periods(rows, regions, year)
        if found.empty:
            continue
        first = found.iloc[0]
        comparisons[indicator_id] = compare_regions(
            values, catalogue, regions, indicator_id, year, normalised=rows,
            period=(int(first["period_start"]), int(first["period_end"])))
    messages: dict[str, str] = {}
    pooled_pca = None
    try:
        pooled_pca = fit_pooled_pca(values, catalogue, regions,
                                    years=range(PCA_FIRST_YEAR, year + 1))
    except PcaInputError as exc:
        messages["pooled"] = str(exc)
    index = compute_index_result(values, catalogue, regions, year, first_year=PCA_FIRST_YEAR)
    axis = None
    axis_inputs: dict[str, int] = {}
    try:
        axis = fit_pooled_axis(values, catalogue, regions, years=range(PCA_FIRST_YEAR, year + 1))
    except PcaInputError as exc:
        messages["axis"] = str(exc)
        axis_inputs = getattr(exc, "axis_inputs", {})
    return SharedResults(year=year, comparisons=comparisons, pooled_pca=pooled_pca,
                         pca_messages=messages, index=index, axis=axis, periods=periods,
                         normalised=normalised, axis_inputs=axis_inputs)


def region_comparisons(dataset: Dataset, shared: SharedResults, region_code: str
                       ) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """The comparisons of one län: per indicator the latest period in which the län and
    at least ``MIN_COMPARED_REGIONS`` län are observed, and why an indicator has none."""
    comparisons, reasons = {}, {}
    compared = [i.id for i in dataset.catalogue.indicators_by_kind("register")
                if not dataset.catalogue.is_context(i.id)]
    for indicator_id in compared:
        found = shared.periods.get(indicator_id)
        if found is None:
            continue  # no observed value of any län: nothing to compare, nothing to say
        chosen, reason = choose_comparison_period(found, region_code)
        if chosen is None:
            reasons[indicator_id] = reason
            continue
        period = (int(chosen["period_start"]), int(chosen["period_end"]))
        table = shared.comparisons.get(indicator_id)
        first = found.iloc[0]
        if table is None or period != (int(first["period_start"]), int(first["period_end"])):
            table = compare_regions(observed_values(dataset.values), dataset.catalogue,
                                    dataset.regions, indicator_id, shared.year,
                                    normalised=shared.normalised[indicator_id], period=period)
        comparisons[indicator_id] = table
    return comparisons, reasons


def compute_results(dataset: Dataset, region_code: str, year: int,
                    shared: SharedResults | None = None) -> Results:
    """Run the analysis for one län and year (the expensive part of a build); ``shared``
    is :func:`compute_shared` for the same data and year, when several län are built."""
    if shared is None or shared.year != year:
        shared = compute_shared(dataset, year)
    values, catalogue = dataset.values, dataset.catalogue
    observed = observed_values(values)
    # trends on observed points only: a synthetic point never moves a slope, a p-value or
    # a word of direction
    # one family of tests per report: the claims hold with the false discovery rate controlled
    trends = control_fdr(compute_trends(observed, region_code, catalogue, until_year=year,
                                        from_year=PCA_FIRST_YEAR))
    comparisons, reasons = region_comparisons(dataset, shared, region_code)
    findings = find_findings(trends, comparisons, values, catalogue, region_code, year,
                             from_year=PCA_FIRST_YEAR)
    # the heat map (a chart) shows every value, synthetic ones marked
    relative = relative_development(values, catalogue, region_code, until_year=year,
                                    from_year=PCA_FIRST_YEAR)
    profile = dimension_profile_from_index(shared.index, catalogue, region_code)
    messages = dict(shared.pca_messages)
    region_pca = region_bootstrap = region_axis = None
    try:
        region_pca = fit_region_pca(observed, catalogue, region_code, until_year=year)
        region_bootstrap = bootstrap_pca(region_pca, n_boot=BOOTSTRAP_SAMPLES,
                                         seed=BOOTSTRAP_SEED)
        region_axis = summarise_region(observed, catalogue, region_code, until_year=year,
                                       from_year=PCA_FIRST_YEAR, pca=region_pca)
    except PcaInputError as exc:
        messages["region"] = str(exc)
    return Results(region_code=region_code, year=year, trends=trends, relative=relative,
                   profile=profile, comparisons=comparisons,
                   region_pca=region_pca, region_bootstrap=region_bootstrap,
                   pooled_pca=shared.pooled_pca, pca_messages=messages, index=shared.index,
                   findings=findings, axis=shared.axis, region_axis=region_axis,
                   comparison_reasons=reasons, axis_inputs=dict(shared.axis_inputs))


def save_results(results: Results, path: Path, dataset: Dataset | None = None,
                 build_info: dict | None = None) -> None:
    """Pickle the results (and the validated dataset, so notebooks skip re-validation),
    gzip-compressed (a sixth of the size; the same bytes for the same results)."""
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6,
                                                 mtime=0) as fh:
        pickle.dump({"results": results, "dataset": dataset, "build_info": build_info or {}},
                    fh, protocol=pickle.HIGHEST_PROTOCOL)


#: The last results file read, uncompressed: the notebooks of one län in a warm kernel
#: read the same file one after another. Each gets its own objects (unpickled anew).
_last_saved: tuple[tuple, bytes] | None = None


def _load_saved(path: str) -> dict:
    """A file of :func:`save_results`, compressed or (written by older builds) not."""
    global _last_saved
    stat = os.stat(path)
    identity = (os.path.realpath(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    if _last_saved is None or _last_saved[0] != identity:
        with open(path, "rb") as fh:
            data = fh.read()
        _last_saved = identity, gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    return pickle.loads(_last_saved[1])


def open_report(region_code: str, year: int | None = None, results_path: str | None = None,
                data_dir: str | None = None) -> Report:
    """The notebook entry point: load the build's shared results or compute them.

    ``region_code`` is the län's code, the notebooks' ``region`` parameter ("24"; a name
    is resolved as well); it is resolved to its ``Region`` once, here."""
    region = resolve_region(region_code)
    if results_path:
        saved = _load_saved(results_path)
        results, dataset, build_info = saved["results"], saved["dataset"], saved["build_info"]
        if dataset is None:
            dataset = load_dataset(data_dir)
        if str(results.region_code) != region.code or (
                year is not None and int(year) != results.year):
            raise UsageError(f"{results_path} holds results for {results.region_code} "
                             f"{results.year}, not {region_code} {year}")
    else:
        dataset = load_dataset(data_dir)
        year = int(year or dataset.latest_year())
        results = compute_results(dataset, region.code, year)

        build_info = collect_build_info("jupyter-book build .", dataset)
    return Report(dataset=dataset, region=region, year=results.year,
                  results=results, build_info=build_info)
