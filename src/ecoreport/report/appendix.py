"""The appendix chapters: method and sources, data coverage, reproducibility.

Content functions return MyST markdown or DataFrames and are unit-tested; the ``show_*``
functions display them in the running notebook. Everything listed (indicators, sources,
coverage, warnings, versions, hashes, notebooks) is read from the catalogue, the data and
the build information, never typed in. The Swedish text is written for readers of the report.
"""

from __future__ import annotations

import logging
import math
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from ecoreport.analysis.results import BOOTSTRAP_SEED, PCA_FIRST_YEAR, Report
from ecoreport.analysis.compare import MIN_COMPARED_REGIONS, POPULATION_FILL_YEARS
from ecoreport.analysis.findings import observed_share
from ecoreport.errors import Issue, IssueCode
from ecoreport.report import survey as survey_report
from ecoreport.markup.escape import escape_html, escape_myst, escape_url
from ecoreport.markup.tables import markdown_table as pipe_table
from ecoreport.markup.formatting import format_number, format_percent, format_period
from ecoreport.analysis.pca import DEFAULT_MIN_COS2, DEFAULT_MIN_COVERAGE, MIN_YEAR_COVERAGE
from ecoreport.analysis.axis import BLOCK_LENGTH, CONGRUENCE_FAIR, N_BOOTSTRAP, N_PERMUTATIONS
from ecoreport.analysis.axis import MIN_CELL_COVERAGE as AXIS_MIN_CELL_COVERAGE
from ecoreport.analysis.axis import MIN_INDICATORS_PER_SIDE as AXIS_MIN_PER_SIDE
from ecoreport.analysis.trends import (
    CALIBRATION_DRAWS,
    DEFAULT_RELATIVE_TOLERANCE,
    MIN_OBSERVATIONS,
    MIN_TEST_OBSERVATIONS,
    PHI_CONFIDENCE,
    REPORT_FIRST_YEAR,
    SE_AR1,
    SIGNIFICANCE_LEVEL,
    null_rejection_rates,
    trend_power,
)
from ecoreport.data.validate import (
    COVERAGE_WINDOW, coverage_by_dimension, coverage_statement, coverage_table, find_gaps,
    format_years, update_route_sv,
)
from ecoreport.data.vocab import NORMALISATIONS, RIKET_CODE, STATUS_LABELS
from ecoreport.report.charts.base import CHART_WIDTH, REGION_COLOUR
from ecoreport.report.narrative import DRIFT_MIN_OBSERVED, join_sv, lower_first, name_in_sentence
from ecoreport.report.render import display_markdown, glue_markdown, show_chart
from ecoreport.report.texts import text
from ecoreport.paths import project_root
from ecoreport.report.draft import cited_sources, is_draft, licence_unchecked, without_commit
from ecoreport.report.outline import notebook_chapters, rerun_command, review_page_path

logger = logging.getLogger(__name__)

METHOD_NOTEBOOK = "notebooks/metod"
DATA_NOTEBOOK = "notebooks/dataappendix"
REPRODUCIBILITY_NOTEBOOK = "notebooks/reproducerbarhet"

POLARITY_LABELS = {"higher_is_better": "högre bättre", "higher_is_worse": "högre sämre",
                   "neutral": "neutral"}
AXIS_LABELS = {"research": "forskning", "market": "marknad", None: "–"}
STATUS_COLOURS = {"observed": REGION_COLOUR, "synthetic": "#c9d6e0"}
WARNING_KIND_LABELS = {"jump": "Tvärt hopp", "gap": "Lucka i serien",
                       "no_data": "Indikator utan data", "other": "Övrigt"}
# Packages named in the reproducibility chapter, in this order (others follow sorted).
KEY_PACKAGE_ORDER = ("ecoreport", "jupyter-book", "pandas", "numpy", "statsmodels", "altair",
                     "vl-convert-python")



# -- small helpers ---------------------------------------------------------------------------

def _in_sentence(indicator: Any) -> str:
    """An indicator's name inside a sentence (proper names keep their capital)."""
    return name_in_sentence(indicator.name_sv, getattr(indicator, "proper_name", False))


def escape_cell(text: object) -> str:
    """Text safe inside a markdown table cell: one line, pipes and markup escaped
    (``escape_myst``); no-break spaces kept; missing as "–"."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return "–"
    return escape_myst(re.sub(r"[ \t\r\n]+", " ", str(text)).strip(" ")) or "–"


def markdown_table(frame: pd.DataFrame, right: Iterable[str] = ()) -> str:
    """A pipe table of ``frame`` (cells escaped as text, :func:`escape_cell`); columns in
    ``right`` are right-aligned, the others left-aligned (``markup.tables`` writes it)."""
    right = set(right)
    return pipe_table([escape_cell(c) for c in frame.columns],
                      ([escape_cell(v) for v in record]
                       for record in frame.itertuples(index=False, name=None)),
                      ["r" if c in right else "l" for c in frame.columns])


def _share_text(share: float, style: str = "word") -> str:
    return format_percent(100 * share, 0, style=style) if not pd.isna(share) else "–"


# -- Metod och källor ------------------------------------------------------------------------

def observed_sources(values: pd.DataFrame, region_code: str) -> list[str]:
    """Source ids of the län's observed values, most values first."""
    rows = values[(values["region_code"] == region_code) & (values["status"] == "observed")]
    counts = rows.groupby("source_id").size().sort_values(ascending=False, kind="stable")
    return list(counts.index)


#: The simulation the method chapter reports for the trend test: series of this length
#: and number, without trend (false positives) or with a trend of so many noise standard
#: deviations per year (power).
TREND_CHECK_LENGTH = 12
TREND_CHECK_SERIES = 2000
TREND_CHECK_RATIOS = (0.5, 1.0)


@lru_cache(maxsize=1)
def trend_test_facts() -> dict[str, str]:
    """The trend test's measured false-positive rates (calibrated and the AR(1) effective-n
    test it replaced) and power at ``TREND_CHECK_LENGTH`` years, as method-chapter glue."""
    now = null_rejection_rates(TREND_CHECK_LENGTH, TREND_CHECK_SERIES)
    before = null_rejection_rates(TREND_CHECK_LENGTH, TREND_CHECK_SERIES, se_method=SE_AR1)
    percent = lambda share: format_number(100 * share, 1)  # noqa: E731
    facts = {
        "method-trend-length": str(TREND_CHECK_LENGTH),
        "method-trend-series": format_number(TREND_CHECK_SERIES),
        "method-trend-draws": format_number(CALIBRATION_DRAWS),
        "method-trend-phi-confidence": format_number(100 * (1 - PHI_CONFIDENCE), 0),
    }
    for key, phi in (("white", 0.0), ("ar05", 0.5), ("ar08", 0.8), ("walk", 1.0)):
        facts[f"method-trend-fp-{key}"] = percent(now[phi])
        facts[f"method-trend-fp-old-{key}"] = percent(before[phi])
    for number, ratio in enumerate(TREND_CHECK_RATIOS, start=1):
        facts[f"method-trend-power-{number}"] = percent(
            trend_power(ratio, n=TREND_CHECK_LENGTH, series=TREND_CHECK_SERIES))
    return facts


def method_facts(report: Report) -> dict[str, str]:
    """The numbers and lists the method text in ``notebooks/metod.md`` refers to, as MyST
    fragments keyed by glue name (the fixed prose lives in the notebook)."""
    catalogue, dataset, region, year = (report.catalogue, report.dataset, report.region,
                                        report.year)
    indicators = list(catalogue.indicators.values())
    register = [i for i in catalogue.indicators_by_kind("register")
                if not catalogue.is_context(i.id)]
    context = [escape_myst(_in_sentence(i)) for i in indicators if catalogue.is_context(i.id)]
    dimensions = catalogue.metric_dimensions()
    worse = [escape_myst(_in_sentence(i)) for i in indicators
             if i.polarity == "higher_is_worse"]
    breaks = [f"{escape_myst(_in_sentence(i))} ({i.method_break})" for i in indicators
              if getattr(i, "method_break", None)]
    by_code = {r.code: r for r in dataset.regions}
    peers = [escape_myst(by_code[c].short_name) for c in getattr(region, "peers", ())
             if c in by_code]
    per_capita, per_employed = (NORMALISATIONS[rule].unit_sv
                                for rule in ("per_capita", "per_employed"))
    # what is observed for the län (the rest is generated): the report's one observed share
    values = dataset.values
    share, n_own, n_observed = observed_share(values, catalogue, region.code, year,
                                              REPORT_FIRST_YEAR)
    sources = catalogue.sources
    producers = list(dict.fromkeys(
        escape_myst(sources[s].citation_sv) for s in observed_sources(values, region.code)
        if s in sources))
    return {
        "method-n-dimensions": str(len(dimensions)),
        "method-dimensions": join_sv([escape_myst(lower_first(d.name_sv)) for d in dimensions]),
        "method-n-register": str(len(register)),
        "method-n-survey": str(len(catalogue.indicators_by_kind("survey"))),
        "method-n-context": str(len(context)),
        "method-context": join_sv(context),
        "method-first-year": str(REPORT_FIRST_YEAR),
        "method-breaks": (" " + text("appendix", "method-breaks", breaks=join_sv(breaks))
                          if breaks else ""),
        "method-min-observations": str(MIN_OBSERVATIONS),
        "method-confidence": format_number(100 * (1 - SIGNIFICANCE_LEVEL), 0),
        "method-alpha": format_number(SIGNIFICANCE_LEVEL, 2),
        "method-min-test-observations": str(MIN_TEST_OBSERVATIONS),
        "method-tolerance": format_number(100 * DEFAULT_RELATIVE_TOLERANCE, 0),
        "method-worse-example": (" " + text("appendix", "method-worse-example",
                                            indicator=worse[0]) if worse else ""),
        "method-per-capita": per_capita,
        "method-per-employed": per_employed,
        "method-population-fill": str(POPULATION_FILL_YEARS),
        "method-n-lan": str(len([r for r in dataset.regions if r.code != RIKET_CODE])),
        "method-peers": (" " + text("appendix", "method-peers", region=escape_myst(region.name),
                                    peers=join_sv(peers)) if peers else ""),
        "method-pca-first-year": str(PCA_FIRST_YEAR),
        "method-permutations": format_number(N_PERMUTATIONS),
        "method-block-length": str(BLOCK_LENGTH),
        "method-bootstrap": format_number(N_BOOTSTRAP),
        "method-congruence": format_number(CONGRUENCE_FAIR, 2),
        "method-min-year-coverage": format_percent(100 * MIN_YEAR_COVERAGE, 0),
        "method-min-coverage": format_percent(100 * DEFAULT_MIN_COVERAGE, 0),
        "method-min-cos2": format_number(DEFAULT_MIN_COS2, 1),
        "method-drift-min-observed": format_percent(100 * DRIFT_MIN_OBSERVED, 0),
        "method-min-compared": str(MIN_COMPARED_REGIONS),
        "method-axis-min-coverage": format_percent(100 * AXIS_MIN_CELL_COVERAGE, 0),
        "method-axis-min-per-side": str(AXIS_MIN_PER_SIDE),
        "method-observed": (
            text("appendix", "method-observed", n_values=format_number(n_own),
                 region=escape_myst(region.name), first_year=REPORT_FIRST_YEAR, year=year,
                 n_observed=format_number(n_observed), share=_share_text(share))
            + (" " + text("appendix", "method-observed-sources", sources="; ".join(producers))
               if producers else "")),
        **trend_test_facts(),
    }


def glue_method(report: Report) -> None:
    """Glue the method chapter's numbers (:func:`method_facts`)."""
    for key, value in method_facts(report).items():
        glue_markdown(key, value)


def indicator_table(catalogue: Any) -> pd.DataFrame:
    """One row per catalogue indicator (catalogue order) with Swedish labels.

    Columns: indicator_id, dimension (id), Indikator (name and unit), Polaritet,
    Jämförs per (normalisation), Axel, Källa. Survey items are recognisable by their unit and source.
    """
    records = []
    for indicator in catalogue.indicators.values():
        unit = catalogue.units[indicator.unit]
        source = catalogue.sources.get(indicator.source)
        records.append({
            "indicator_id": indicator.id,
            "dimension": indicator.dimension,
            "Indikator": f"{indicator.name_sv} ({unit.short_sv or unit.label_sv})",
            "Polaritet": POLARITY_LABELS.get(indicator.polarity, indicator.polarity),
            "Jämförs per": NORMALISATIONS[indicator.normalise].short_sv,
            "Axel": AXIS_LABELS.get(indicator.axis, indicator.axis),
            "Källa": source.citation_sv if source is not None else indicator.source,
        })
    return pd.DataFrame.from_records(
        records, columns=["indicator_id", "dimension", "Indikator", "Polaritet",
                          "Jämförs per", "Axel", "Källa"])


def indicator_tables_markdown(catalogue: Any) -> str:
    """The indicator table split per dimension (narrow enough for a PDF page); the
    section's heading and explanation are in ``notebooks/metod.md``."""
    table = indicator_table(catalogue)
    parts = []
    for dimension in catalogue.dimensions:
        rows = table[table["dimension"] == dimension.id]
        if rows.empty:
            continue
        parts.append(f"### {escape_myst(dimension.name_sv)}")
        parts.append(breakable_table(markdown_table(rows.drop(columns=["indicator_id",
                                                                      "dimension"]))))
    return "\n\n".join(parts)


def breakable_table(table: str) -> str:
    """A pipe table that may break across PDF pages (a LaTeX longtable), so a short table
    after a long one starts on the same page instead of leaving the page's rest empty."""
    return "```{table}\n:class: longtable\n\n" + table + "\n```"


def cited_source_ids(catalogue: Any, values: pd.DataFrame | None = None,
                     survey: pd.DataFrame | None = None) -> list[str]:
    """Every source id of ``sources.yaml`` (file order); ids that the data or the catalogue
    name but the file lacks are appended, so nothing cited goes missing."""
    ids = list(catalogue.sources)
    named = [i.source for i in catalogue.indicators.values()]
    for frame in (values, survey):
        if frame is not None and "source_id" in frame:
            named.extend(frame["source_id"].dropna().astype(str).unique())
    ids.extend(s for s in dict.fromkeys(named) if s not in catalogue.sources)
    return ids


def survey_design_sentence(design: Any) -> str:
    """One sentence on how a survey was made: answers, sample, response rate, fieldwork,
    collector, weighting ("Enkät: 305 svar av 2 000 tillfrågade (15 %) ...")."""
    sentence = f"Enkät {format_period(design.period)}: {format_number(design.answers)} svar"
    if design.sample_size:
        sentence += (f" av {format_number(design.sample_size)} tillfrågade "
                     f"({format_number(100 * design.answers / design.sample_size, 0)}\u00a0%)")
    if design.population_size:
        sentence += f" ur en population om {format_number(design.population_size)} företag"
    dates = survey_report.date_text(design.fieldwork_start, design.fieldwork_end)
    if design.collector or dates:
        sentence += ", insamlat" + (f" av {escape_myst(design.collector)}" if design.collector
                                    else "") + (f" {dates}" if dates else "")
    sentence += "; " + ("viktning: " + escape_myst(design.weighting_sv) if design.weighting_sv
                        else "ingen viktning anges")
    return sentence + f"; uppgifterna från {escape_myst(design.reference_sv)}."


def sources_markdown(catalogue: Any, values: pd.DataFrame | None = None,
                     survey: pd.DataFrame | None = None, *,
                     published: list[str] | None = None) -> str:
    """Every source: producer, title, table, URL and licence (one list item each).
    ``published``: the published edition's list, these source ids only
    (``publish.cited_sources``), without catalogue ids, commits and unchecked licences."""
    counts = pd.Series([i.source for i in catalogue.indicators.values()]).value_counts()
    items = []
    ids = cited_source_ids(catalogue, values, survey) if published is None else published
    for source_id in ids:
        source = catalogue.sources.get(source_id)
        if source is None:
            items.append(f"- {escape_myst(source_id)}: saknas i `sources.yaml`.")
            continue
        url = f"<{escape_url(source.url)}>" if source.url else "Ingen webbadress"
        used = int(counts.get(source_id, 0))
        used_text = f" Källa för {used} indikatorer i katalogen." if used > 1 else (
            " Källa för en indikator i katalogen." if used == 1 else "")
        design = getattr(source, "survey", None)
        survey_text = f" {survey_design_sentence(design)}" if design is not None else ""
        if published is not None:
            licence = "" if licence_unchecked(source) else (
                f" Licens: {escape_myst(getattr(source, 'licence_sv', None) or source.licence)}.")
            items.append(
                f"- **{escape_myst(source.producer)}**: {escape_myst(source.title)}. "
                f"Tabell: {escape_myst(without_commit(source.table))}. {url}.{licence}"
                f"{used_text}{survey_text}")
            continue
        items.append(
            f"- **{escape_myst(source.producer)}**: {escape_myst(source.title)}. "
            f"Tabell: {escape_myst(source.table)}. {url}. "
            f"Licens: {escape_myst(getattr(source, 'licence_sv', None) or source.licence)}."
            f"{used_text}{survey_text} (`{source_id}`)")
    return "\n\n".join([
        (text("appendix", "sources-intro-draft") if published is None
         else text("appendix", "sources-intro-published")),
        small_print("\n".join(items)),
    ])


#: Class of reference material set in smaller type (CSS and the PDF's preamble).
SMALL_PRINT_CLASS = "ecoreport-small-print"


def small_print(markdown: str) -> str:
    """``markdown`` (no headings) in smaller type: long reference lists such as the sources."""
    return f"```{{container}} {SMALL_PRINT_CLASS}\n{markdown}\n```"


def show_indicator_tables(report: Report) -> None:
    display_markdown(indicator_tables_markdown(report.catalogue))


def show_sources(report: Report) -> None:
    display_markdown(sources_markdown(
        report.catalogue, report.dataset.values, report.dataset.survey,
        published=None if is_draft(report) else cited_sources(report.dataset,
                                                              report.region.code)))


# -- Dataappendix ----------------------------------------------------------------------------

def region_values(values: pd.DataFrame, region_code: str, year: int | None = None) -> pd.DataFrame:
    """The län's register values, up to periods starting in ``year``."""
    rows = values[values["region_code"] == region_code]
    if year is not None and "period_start" in rows:
        rows = rows[rows["period_start"] <= year]
    return rows


def region_coverage(values: pd.DataFrame, catalogue: Any, region_code: str,
                    year: int | None = None) -> pd.DataFrame:
    """One row per register indicator for the län: first and last period, number of values,
    share observed (``validate.coverage_table`` restricted to the län)."""
    table = coverage_table(region_values(values, region_code, year), catalogue)
    kinds = {i: getattr(ind, "kind", "register") for i, ind in catalogue.indicators.items()}
    table = table[table["indicator_id"].map(kinds).fillna("register") == "register"]
    return table[["indicator_id", "dimension", "first_period", "last_period", "n_values",
                  "n_observed", "n_synthetic", "share_observed"]].reset_index(drop=True)


def region_coverage_by_dimension(values: pd.DataFrame, catalogue: Any, region_code: str,
                                 year: int | None = None) -> pd.DataFrame:
    """Per dimension: values for the län and the shares observed and synthetic."""
    return coverage_by_dimension(region_values(values, region_code, year), catalogue)


def coverage_markdown(coverage: pd.DataFrame, catalogue: Any) -> str:
    """The län's coverage as one table per dimension (Swedish columns)."""
    parts = []
    for dimension in catalogue.dimensions:
        rows = coverage[coverage["dimension"] == dimension.id]
        if rows.empty:
            continue
        shown = pd.DataFrame({
            "Indikator": [catalogue.indicators[i].name_sv if i in catalogue.indicators else i
                          for i in rows["indicator_id"]],
            "Första": [format_period(p) if p else "–" for p in rows["first_period"]],
            "Senaste": [format_period(p) if p else "–" for p in rows["last_period"]],
            "Värden": [format_number(n) for n in rows["n_values"]],
            "Observerade": [_share_text(s, "symbol") for s in rows["share_observed"]],
        })
        parts.append(f"### {escape_myst(dimension.name_sv)}")
        parts.append(markdown_table(shown, right=("Värden", "Observerade")))
    return "\n\n".join(parts)


_PLAIN_URL = re.compile(r"^https?://[^\s<>|\\]+$")


def _link_cell(url: str) -> str:
    """A markdown autolink for a plain web address; anything else as escaped text."""
    return f"<{url}>" if _PLAIN_URL.match(url or "") else escape_cell(url)


def update_routes_markdown(values: pd.DataFrame, catalogue: Any, region_code: str,
                           year: int) -> str:
    """Per register indicator: the län's observed share in the report window (2013 to the
    report year), how the indicator is brought up to date and where its data is found."""
    window = (COVERAGE_WINDOW[0], year)
    statement = coverage_statement(region_values(values, region_code, year), catalogue,
                                   window)
    statement = statement[[catalogue.indicators[i].kind == "register"
                           for i in statement["indicator_id"]]]
    rows = []
    for record in statement.to_dict("records"):
        indicator = catalogue.indicators[record["indicator_id"]]
        rows.append([escape_cell(indicator.name_sv),
                     escape_cell(_share_text(record["share_observed"], "symbol")),
                     escape_cell(update_route_sv(indicator)),
                     _link_cell(record["source_url"])])
    return pipe_table(["Indikator", "Observerade", "Uppdateras", "Källa"], rows, "lrll")


def data_appendix_facts(report: Report, by_dimension: pd.DataFrame) -> dict[str, str]:
    """The names and numbers the text of ``notebooks/dataappendix.md`` refers to, as MyST
    fragments keyed by glue name (the fixed prose lives in the notebook): the report's
    observed share (as on the start page) and the count over all the län's register values."""
    n_values = int(by_dimension["n_values"].sum())
    n_observed = int(by_dimension["n_observed"].sum())
    share = n_observed / n_values if n_values else math.nan
    found = report.results.findings
    return {
        "data-region": escape_myst(report.region.name),
        "data-year": str(report.year),
        "data-first-year": str(found.from_year),
        "data-report-observed": format_number(found.n_observed),
        "data-report-values": format_number(found.n_values),
        "data-report-share": _share_text(found.share_observed),
        "data-all-values": format_number(n_values),
        "data-all-observed": format_number(n_observed),
        "data-all-share": _share_text(share),
    }


def coverage_chart_table(by_dimension: pd.DataFrame, catalogue: Any) -> pd.DataFrame:
    """Long table for the chart (and its CSV): dimension, status, share in percent."""
    names = {d.id: d.name_sv for d in catalogue.dimensions}
    records = []
    for row in by_dimension.itertuples(index=False):
        if not row.n_values:
            continue
        for status in ("observed", "synthetic"):
            count = getattr(row, f"n_{status}")
            records.append({"Dimension": names.get(row.dimension, row.dimension),
                            "Status": STATUS_LABELS[status].plural,
                            "Antal värden": int(count),
                            "Andel (%)": round(100 * count / row.n_values, 1)})
    return pd.DataFrame.from_records(
        records, columns=["Dimension", "Status", "Antal värden", "Andel (%)"])


def coverage_chart(table: pd.DataFrame, region_name: str) -> alt.Chart:
    """Stacked bars: share of the län's values observed and synthetic per dimension."""
    order = list(dict.fromkeys(table["Dimension"]))
    statuses = [STATUS_LABELS[s].plural for s in ("observed", "synthetic")]
    return alt.Chart(table).mark_bar().encode(
        x=alt.X("Andel (%):Q", stack="zero", scale=alt.Scale(domain=[0, 100]),
                title="Andel av länets värden (%)", axis=alt.Axis(format="d")),
        y=alt.Y("Dimension:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.Color("Status:N", title=None,
                        scale=alt.Scale(domain=statuses,
                                        range=[STATUS_COLOURS["observed"],
                                               STATUS_COLOURS["synthetic"]]),
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order("status_order:Q"),
        tooltip=[alt.Tooltip("Dimension:N"), alt.Tooltip("Status:N"),
                 alt.Tooltip("Antal värden:Q", format=",d"),
                 alt.Tooltip("Andel (%):Q", format=",.1f")],
    ).transform_calculate(
        status_order=f"datum.Status === '{statuses[0]}' ? 0 : 1"
    ).properties(
        title=alt.Title(text("appendix", "coverage-chart-title"), subtitle=region_name),
        width=CHART_WIDTH, height=max(160, 24 * len(order)),
    )


_WARNING_KINDS = {IssueCode.ABRUPT_JUMP: "jump", IssueCode.GAP: "gap",
                  IssueCode.NO_DATA: "no_data"}


def classify_warning(issue: Issue) -> str:
    """jump | gap | no_data | other, from the validation warning's code."""
    return _WARNING_KINDS.get(issue.code, "other")


def relevant_warnings(warnings: Iterable[Issue], values: pd.DataFrame,
                      region_code: str) -> list[Issue]:
    """The validation warnings that concern the län, Riket or the catalogue.

    Gap warnings shared by many regions do not name each one, so gaps are found again
    (``validate.find_gaps``) on the län's rows and on Riket's rows. A jump that involves a
    synthetic value is left out: its numbers would be invented ones.
    """
    codes = {region_code, RIKET_CODE}
    status = (values.set_index(["region_code", "indicator_id", "period"])["status"]
              if "status" in values.columns else None)

    def observed(issue: Issue) -> bool:
        if status is None:
            return True
        details = issue.details or {}
        periods = [issue.period, details.get("before_period"), details.get("after_period")]
        return all(status.get((issue.region_code, issue.indicator_id, str(p))) == "observed"
                   for p in periods if p is not None)

    kept = []
    for issue in warnings:
        kind = classify_warning(issue)
        if kind == "gap" or (kind == "jump" and not observed(issue)):
            continue
        if issue.region_code in codes or (issue.region_code is None and kind == "no_data"):
            kept.append(issue)
    gaps = []
    for code in (region_code, RIKET_CODE):  # one region at a time, so each gap names it
        rows = values[values["region_code"] == code]
        if len(rows):
            gaps.extend(find_gaps(rows))
    return kept + gaps


def _region_label(code: str | None, regions: Sequence[Any]) -> str:
    if code is None:
        return "–"
    for region in regions:
        if region.code == code:
            return region.short_name if code != RIKET_CODE else region.name
    return code


def describe_warning(issue: Issue, catalogue: Any) -> str:
    """A Swedish description of one validation warning, written from its code and fields
    (the English message only for kinds the appendix does not describe)."""
    kind = classify_warning(issue)
    indicator = getattr(catalogue, "indicators", {}).get(issue.indicator_id)
    decimals = getattr(indicator, "decimals", 1)
    details = issue.details
    if kind == "jump":
        return text("appendix", "warning-jump",
                    value=format_number(details["value"], decimals),
                    period=format_period(issue.period),
                    before=format_number(details["before"], decimals),
                    before_period=format_period(details["before_period"]),
                    after=format_number(details["after"], decimals),
                    after_period=format_period(details["after_period"]))
    if kind == "gap":
        return text("appendix", "warning-gap", years=format_years(details["missing_years"]),
                    first=details["first"], last=details["last"])
    if kind == "no_data":
        return text("appendix", "warning-no-data")
    return issue.message


def warnings_table(warnings: Sequence[Issue], catalogue: Any,
                   regions: Sequence[Any]) -> pd.DataFrame:
    """One row per warning with Swedish columns Typ, Indikator, Region, Beskrivning."""
    order = {"no_data": 0, "gap": 1, "jump": 2, "other": 3}
    records = []
    for issue in warnings:
        kind = classify_warning(issue)
        indicator = getattr(catalogue, "indicators", {}).get(issue.indicator_id)
        region = (_region_label(issue.region_code, regions) if issue.region_code
                  else ("alla" if kind == "no_data" else "flera"))
        records.append({
            "_order": order[kind],
            "Typ": WARNING_KIND_LABELS[kind],
            "Indikator": getattr(indicator, "name_sv", issue.indicator_id or "–"),
            "Region": region,
            "Beskrivning": describe_warning(issue, catalogue),
        })
    frame = pd.DataFrame.from_records(
        records, columns=["_order", "Typ", "Indikator", "Region", "Beskrivning"])
    return frame.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def warnings_markdown(table: pd.DataFrame) -> str:
    """The warnings table (or that there are none); the section's heading and explanation
    are in ``notebooks/dataappendix.md``."""
    return text("appendix", "no-warnings") if table.empty else markdown_table(table)


def survey_markdown(survey: pd.DataFrame, catalogue: Any, region: Any) -> str:
    """Which survey items exist for the län, or that there are none (the section's heading
    is in ``notebooks/dataappendix.md``)."""
    rows = survey[survey["region_code"] == region.code] if len(survey) else survey
    if rows.empty:
        return text("appendix", "survey-none", region=escape_myst(region.name))
    parts = []
    names = {d.id: d.name_sv for d in catalogue.dimensions}
    items = rows.drop_duplicates(["indicator_id", "period"])
    sources = sorted({escape_myst(catalogue.sources[s].citation_sv if s in catalogue.sources
                                  else s) for s in rows["source_id"]})
    periods = sorted({format_period(p) for p in items["period"]})
    parts.append(text("appendix", "survey-answers", region=escape_myst(region.name),
                      n_items=items["indicator_id"].nunique(), periods=join_sv(periods),
                      sources=join_sv(sources)))
    designs = [catalogue.sources[s].survey for s in dict.fromkeys(rows["source_id"])
               if getattr(catalogue.sources.get(s), "survey", None) is not None
               and catalogue.sources[s].survey.region_code == region.code]
    if designs:
        parts.append(text("appendix", "survey-designs",
                          designs=" ".join(survey_design_sentence(d) for d in designs)))
    else:
        parts.append(text("appendix", "survey-no-design"))
    categories = rows.groupby(["indicator_id", "period"], sort=False)["category"].nunique()
    table = pd.DataFrame({
        "Dimension": [names.get(catalogue.indicators[i].dimension, "–")
                      if i in catalogue.indicators else "–" for i, _ in categories.index],
        "Fråga": [catalogue.indicators[i].name_sv if i in catalogue.indicators else i
                  for i, _ in categories.index],
        "Period": [format_period(p) for _, p in categories.index],
        "Redovisade alternativ": [format_number(n) for n in categories],
    })
    if len(periods) == 1:  # the period is in the sentence above
        table = table.drop(columns="Period")
    order = {d.id: n for n, d in enumerate(catalogue.dimensions)}
    dims = [order.get(getattr(catalogue.indicators.get(i), "dimension", None), 99)
            for i, _ in categories.index]
    table = table.assign(_o=dims).sort_values("_o", kind="stable").drop(columns="_o")
    parts.append(markdown_table(table, right=("Redovisade alternativ",)))
    return "\n\n".join(parts)


def glue_data_appendix(report: Report) -> None:
    """Glue the data appendix's names and numbers (:func:`data_appendix_facts`) and its
    web-only tables (:func:`glue_coverage_tables`)."""
    by_dimension = region_coverage_by_dimension(report.dataset.values, report.catalogue,
                                                report.region.code, report.year)
    for key, value in data_appendix_facts(report, by_dimension).items():
        glue_markdown(key, value)
    glue_coverage_tables(report)


def show_coverage_chart(report: Report) -> None:
    """The observed/synthetic bar chart with a CSV download."""
    by_dimension = region_coverage_by_dimension(report.dataset.values, report.catalogue,
                                                report.region.code, report.year)
    table = coverage_chart_table(by_dimension, report.catalogue)
    show_chart(coverage_chart(table, report.region.name),
               f"{report.region.slug}-tackning-per-dimension", table=table)


def coverage_tables_markdown(report: Report) -> str:
    """Register indicators' coverage for the län: periods, values, observed share."""
    coverage = region_coverage(report.dataset.values, report.catalogue, report.region.code,
                               report.year)
    return (text("appendix", "coverage-tables-intro") + "\n\n"
            + coverage_markdown(coverage, report.catalogue))


def update_routes_section_markdown(report: Report) -> str:
    """How each indicator is brought up to a new year, and where its data is."""
    return (text("appendix", "update-routes-intro", first_year=COVERAGE_WINDOW[0],
                 year=report.year) + "\n\n"
            + update_routes_markdown(report.dataset.values, report.catalogue,
                                     report.region.code, report.year))


def glue_coverage_tables(report: Report) -> None:
    """The coverage and update-route tables for the notebook to place (web only: the
    numbers are in the data workbook, the routes are for the analyst)."""
    # each with its heading, in the glued text: a heading there stays inside the notebook's
    # web-only block (as a level-2 heading, so the tables' level-3 headings follow in order)
    glue_markdown("coverage-tables",
                  "## Täckning per indikator\n\n" + coverage_tables_markdown(report))
    glue_markdown("update-routes",
                  "## Hur indikatorerna uppdateras\n\n" + update_routes_section_markdown(report))


def show_warnings(report: Report) -> None:
    issues = relevant_warnings(report.dataset.report.warnings, report.dataset.values,
                               report.region.code)
    table = warnings_table(issues, report.catalogue, report.dataset.regions)
    display_markdown(warnings_markdown(table))


def show_survey(report: Report) -> None:
    display_markdown(survey_markdown(report.dataset.survey, report.catalogue, report.region))


# -- Reproducerbarhet ------------------------------------------------------------------------

def ordered_packages(packages: Mapping[str, str | None]) -> list[tuple[str, str]]:
    """(name, version) with the key packages first; missing versions shown as "saknas"."""
    names = [n for n in KEY_PACKAGE_ORDER if n in packages]
    names += sorted(n for n in packages if n not in names)
    return [(n, packages[n] or "saknas") for n in names]


def build_info_facts(build_info: Mapping[str, Any]) -> dict[str, str]:
    """Command, version, commit, Python, packages and data hashes of this build, as the
    MyST fragments ``notebooks/reproducerbarhet.md`` glues into its section "Så byggdes
    rapporten" (an empty fragment leaves its block out)."""
    commit = build_info.get("git_commit") or "okänd (byggd utanför git)"
    dirty = isinstance(commit, str) and commit.endswith("-dirty")
    packages = ordered_packages(build_info.get("packages") or {})
    hashes = build_info.get("data_sha256") or {}
    return {
        "repro-command": f"`{build_info.get('command') or 'okänt'}`",
        "repro-version": str(build_info.get("ecoreport_version") or "okänd"),
        "repro-commit": f"`{commit}`",
        "repro-python": str(build_info.get("python") or "okänd"),
        "repro-dirty": text("appendix", "dirty-commit") if dirty else "",
        "repro-packages": ("### Programvara\n\n" + markdown_table(pd.DataFrame(
            packages, columns=["Paket", "Version"]))) if packages else "",
        "repro-data-files": (text("appendix", "data-hashes") + "\n\n" + "\n".join(
            f"- `{name}`: `{digest}`" for name, digest in sorted(hashes.items()))
            if hashes else text("appendix", "no-data-hashes")),
    }


def shell_lines(words: Sequence[str], width: int = 72) -> str:
    """Words joined into shell lines of at most ``width`` characters, continued with ``\\``."""
    lines: list[str] = []
    current = ""
    for word in words:
        if current and len(current) + 1 + len(word) > width - 2:
            lines.append(current + " \\")
            current = "  " + word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return "\n".join(lines)


def rebuild_facts(build_info: Mapping[str, Any], region_code: str | None = None,
                  year: int | None = None) -> dict[str, str]:
    """The commands that rebuild the report exactly, for the section "Bygga om rapporten"
    of ``notebooks/reproducerbarhet.md`` (which says why the result is the same)."""
    commit = (build_info.get("git_commit") or "<commit>").removesuffix("-dirty")
    command = build_info.get("command") or "ecoreport build"
    files = [f"data/{name}" for name in sorted(build_info.get("data_sha256") or {})]
    check = shell_lines(["sha256sum", *files]) if files else "sha256sum data/*"
    explicit = bool(region_code and year and not {"--region", "--year"} <= set(command.split()))
    return {
        "repro-rebuild": "\n".join([
            "```bash", f"git checkout {commit}", "python3.11 -m venv .venv",
            ".venv/bin/pip install -r requirements.txt",
            ".venv/bin/pip install --no-deps -e .", check, command, "```"]),
        "repro-rebuild-explicit": text("appendix", "rebuild-with-region-year",
                                       region=region_code, year=year) if explicit else "",
        "repro-seed": str(BOOTSTRAP_SEED),
    }


def book_chapters(book_root: Path) -> set[str] | None:
    """Chapter paths listed in the book's ``_toc.yml`` (None if there is none)."""
    import yaml

    toc = Path(book_root) / "_toc.yml"
    if not toc.exists():
        return None
    data = yaml.safe_load(toc.read_text(encoding="utf-8")) or {}
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "file" in node:
                found.add(str(node["file"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return found


def chapter_title(chapter_path: str, root: Path | None = None) -> str:
    """The first ``# `` heading of a chapter's source, else its file name."""
    source = (root or project_root()) / f"{chapter_path}.md"
    try:
        for line in source.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    except OSError:
        pass
    return posixpath.basename(chapter_path)


def notebook_links_markdown(chapter_paths: Sequence[str], *, executed: bool,
                            titles: Mapping[str, str] | None = None,
                            here: str = REPRODUCIBILITY_NOTEBOOK) -> str:
    """Links to every notebook, relative to this chapter's folder.

    ``executed``: the notebooks executed by an ``ecoreport build``: each one's read-only
    page in the book (code and outputs, :mod:`ecoreport.publishing.review_pages`) and the
    ``.ipynb`` as a ``{download}`` link, with the command that re-runs them; otherwise
    the MyST ``.md`` sources (``jupyter-book build .`` executes them itself).
    """
    titles = titles or {}
    suffix = ".ipynb" if executed else ".md"
    folder = posixpath.dirname(here)
    items = []
    for path in chapter_paths:
        target = posixpath.relpath(path + suffix, folder)
        name = posixpath.basename(target)
        title = titles.get(path) or posixpath.basename(path)
        if executed:
            page = posixpath.relpath(review_page_path(path), folder)
            # raw HTML: the page is beside the book, not one of its documents
            items.append(f'- {title}: <a class="ecoreport-review" href="{escape_html(page)}">'
                         f"kod och utdata</a> · {{download}}`{name} <{target}>`")
        else:
            items.append(f"- {title}: {{download}}`{name} <{target}>`")
    listed = "\n".join(items) if items else text("appendix", "no-notebooks")
    if executed:
        return "\n\n".join([text("appendix", "notebooks-executed"), listed,
                            text("appendix", "notebooks-rerun",
                                 command=rerun_command("notebooks/dimensioner/fou"))])
    return "\n\n".join([text("appendix", "notebooks-sources"), listed])


def find_book_root(results_path: str | None) -> Path:
    """The book being built: the folder of the build's results file, else the project."""
    return Path(results_path).resolve().parent if results_path else project_root()


def notebook_paths(catalogue: Any, book_root: Path) -> list[str]:
    """The notebook chapters of ``structure.notebook_chapters()`` that this book contains."""
    return [c.path for c in notebook_chapters(catalogue, book_chapters(book_root))]


def _code_or_text(identifier: str) -> str:
    """An id as inline code when it is a plain id, else as escaped text."""
    return f"`{identifier}`" if re.fullmatch(r"[a-z][a-z0-9_]*", identifier) \
        else escape_myst(identifier)


def survey_provenance_markdown(report: Report) -> str:
    """Where the län's survey answers and the survey's design are in the data (empty
    without survey answers)."""
    survey = report.dataset.survey
    rows = survey[(survey["region_code"] == report.region.code)
                  & (survey["period_end"] <= report.year)]
    if rows.empty:
        return ""
    parts = []
    for source_id in dict.fromkeys(rows["source_id"].astype(str)):
        source = report.catalogue.sources.get(source_id)
        citation = escape_myst(source.citation_sv) if source is not None else "okänd källa"
        design = survey_report.designs(report)
        declared = any(d is getattr(source, "survey", None) for d in design)
        named = {"source": _code_or_text(source_id), "citation": citation}
        parts.append(text("appendix", "survey-provenance-declared", **named) if declared
                     else text("appendix", "survey-provenance-undeclared", **named))
    return "### Enkäten\n\n" + " ".join(parts)


def glue_build_info(report: Report) -> None:
    """Glue what ``notebooks/reproducerbarhet.md`` says about this build: the län and year,
    the build information (:func:`build_info_facts`), the survey data's provenance and the
    commands that rebuild the report (:func:`rebuild_facts`)."""
    facts = {"repro-region": escape_myst(report.region.name), "repro-year": str(report.year),
             **build_info_facts(report.build_info),
             "repro-survey": survey_provenance_markdown(report),
             **rebuild_facts(report.build_info, report.region.code, report.year)}
    for key, value in facts.items():
        glue_markdown(key, value)


def glue_notebook_links(report: Report, results_path: str | None = None) -> None:
    """Glue the links to the book's notebooks (executed ones in an ``ecoreport build``)."""
    paths = notebook_paths(report.catalogue, find_book_root(results_path))
    titles = {p: chapter_title(p) for p in paths}
    glue_markdown("repro-notebooks", notebook_links_markdown(
        paths, executed=results_path is not None, titles=titles))
