"""Building blocks of the report's chapters: the text and charts a notebook displays.

Functions named ``*_markdown``/``*_table``/``*_text`` return content (unit-tested);
``glue_*`` hand a chapter's computed parts to its notebook, which places them. The fixed
wording is in ``book/texts/chapters.md`` (read with :func:`texts.text`); what varies with
the numbers is put together here and in the phrase table of :mod:`narrative`.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import pandas as pd

from ecoreport.report import narrative
from ecoreport.analysis.results import Report
from ecoreport.report.charts import trend_chart, trend_table
from ecoreport.report.charts.comparison import (
    dimension_profile_chart,
    normalised_decimals,
    region_comparison_chart,
    relative_development_chart,
)
from ecoreport.report.charts.pca import (
    axis_positions_chart,
    axis_positions_table,
    pca_biplot,
    pca_trajectory_chart,
)
from ecoreport.analysis import survey as survey_estimates
from ecoreport.analysis.compare import (MIN_COMPARED_REGIONS, NO_COMMON_PERIOD,
                                       REGION_NOT_OBSERVED)
from ecoreport.analysis.axis import MIN_CELL_COVERAGE as AXIS_MIN_CELL_COVERAGE
from ecoreport.analysis.axis import MIN_INDICATORS_PER_SIDE as AXIS_MIN_PER_SIDE
from ecoreport.analysis.findings import DEMONSTRATION_BELOW
from ecoreport.data.vocab import RIKET_CODE, SURVEY_BASE_LABELS
from ecoreport.report import survey as survey_report
from ecoreport.report.survey import survey_items
from ecoreport.analysis.trends import REPORT_FIRST_YEAR
from ecoreport.data.validate import find_jumps
from ecoreport.markup.escape import escape_myst
from ecoreport.report.draft import is_draft
from ecoreport.markup.formatting import format_number, format_percent, format_period
from ecoreport.report.render import glue_chart, glue_markdown, side_by_side
from ecoreport.report.texts import load_texts, text

logger = logging.getLogger(__name__)


def unit_text(unit) -> str:
    """How a unit reads after a number in running text ("3,48 procent av BRP", "1 591")."""
    if unit.kind == "count":
        return "" if unit.short_sv == "antal" else unit.short_sv
    if unit.kind == "index":
        return ""
    return unit.label_sv


def unit_words(catalogue, indicator) -> tuple[str, str]:
    """The words after a number of ``indicator`` in running text, for exactly 1 and for
    other numbers: ("ansökan", "ansökningar") from the catalogue's ``counted_sv``,
    ("person", "personer") from a unit's ``singular_sv``, ("", "") for a bare count."""
    counted = getattr(indicator, "counted_sv", None)
    if counted:
        return counted[0], counted[1]
    unit = catalogue.unit(indicator.id)
    many = unit_text(unit)
    return (getattr(unit, "singular_sv", None) or many), many


def normalised_unit_text(indicator, normalised_unit: object) -> str:
    """A normalised unit after a number, in the indicator's words (see
    :func:`narrative.normalised_unit_text`)."""
    return narrative.normalised_unit_text(normalised_unit, getattr(indicator, "counted_sv", None))


def number_unit_text(report: Report, indicator, normalised_unit: object) -> str:
    """:func:`normalised_unit_text`, but nothing for an index that is not normalised: an
    index value is a bare number ("38,7", not "38,7 indexvärde"; see :func:`unit_text`)."""
    if report.catalogue.unit(indicator.id).kind == "index" and indicator.normalise == "none":
        return ""
    return normalised_unit_text(indicator, normalised_unit)


NUMBER_WORDS = ("noll", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio",
                "elva", "tolv")


def count_text(n: int, singular: str, plural: str, *, neuter: bool = False) -> str:
    """"en fråga", "tre frågor", "14 indikatorer": small numbers in words, as Swedish prose
    writes them (``neuter``: "ett år")."""
    word = NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else format_number(n, 0)
    if n == 1 and neuter:
        word = "ett"
    return f"{word} {singular if n == 1 else plural}"


def is_synthetic(series: pd.DataFrame, period: str | None) -> bool:
    rows = series[series["period"] == period]
    return bool((rows["status"] == "synthetic").any())


# -- dimension chapters -----------------------------------------------------------------------

def register_indicators(report: Report, dimension_id: str) -> list:
    """The dimension's register indicators that have data for the län (catalogue order)."""
    values = report.dataset.values
    available = set(values.loc[(values["region_code"] == report.region.code)
                               & (values["period_start"] <= report.year), "indicator_id"])
    return [ind for ind in report.catalogue.indicators_in(dimension_id, kind="register")
            if ind.id in available]


def survey_items_in(report: Report, dimension_id: str) -> list:
    """The dimension's survey items with answers for the län (catalogue order)."""
    present = {ind.id for ind in survey_items(report)}
    return [ind for ind in report.catalogue.indicators_in(dimension_id, kind="survey")
            if ind.id in present]


def dimension_intro_markdown(report: Report, dimension_id: str) -> str:
    """What the dimension chapter holds for the län (the description is in the notebook)."""
    shown = register_indicators(report, dimension_id)
    missing = [ind for ind in report.catalogue.indicators_in(dimension_id, kind="register")
               if ind not in shown]
    survey = survey_items_in(report, dimension_id)
    if not report.catalogue.indicators_in(dimension_id, kind="register"):
        return survey_only_intro_markdown(report, dimension_id, survey)
    region = escape_myst(report.region.name)
    if shown:
        parts = [text("chapters", "dimension-intro", region=region, year=report.year,
                      count=count_text(len(shown), "indikator", "indikatorer"))]
    else:
        parts = [text("chapters", "dimension-intro-no-register", region=region)]
    if missing:
        names = narrative.join_sv([narrative.name_in_sentence(escape_myst(ind.name_sv),
                                                              getattr(ind, "proper_name", False))
                                   for ind in missing])
        parts.append(text("chapters", "dimension-intro-missing", names=names))
    if survey:
        parts.append(text("chapters", "dimension-intro-survey",
                          count=count_text(len(survey), "fråga", "frågor")))
    return " ".join(parts)


def survey_only_intro_markdown(report: Report, dimension_id: str, survey: list) -> str:
    """The intro of a dimension that the METRIC model measures with the survey alone."""
    unanswered = [ind for ind in report.catalogue.indicators_in(dimension_id, kind="survey")
                  if ind not in survey]
    region = escape_myst(report.region.name)
    if not survey:
        return text("chapters", "dimension-survey-only-none", region=region)
    periods = sorted({p for ind in survey for p, _ in survey_report.question_results(report, ind)})
    parts = [text("chapters", "dimension-survey-only", region=region,
                  count=count_text(len(survey), "fråga", "frågor"),
                  periods=", ".join(format_period(p) for p in periods))]
    if unanswered:
        names = narrative.join_sv([narrative.lower_first(escape_myst(ind.name_sv))
                                   for ind in unanswered])
        parts.append(text("chapters", "dimension-survey-only-unanswered", names=names))
    parts.append(text("chapters", "dimension-survey-only-method"))
    return " ".join(parts)


def trend_sentence(report: Report, indicator, variant: int = 0) -> str:
    """The Swedish sentence on the indicator's development, synthetic values marked;
    ``variant`` picks the wording (the chapter passes the indicator's position)."""
    trend = report.trend(indicator.id)
    series = report.series(indicator.id)
    if trend is None and len(series):
        # trends are fitted on observed points only: the chart shows invented ones
        name = narrative.name_in_sentence(escape_myst(indicator.name_sv),
                                          getattr(indicator, "proper_name", False))
        return text("chapters", "trend-synthetic-only", name=name, year=report.year,
                    region=escape_myst(report.region.short_name))
    if trend is None:
        return narrative.describe_unavailable(escape_myst(indicator.name_sv),
                                              proper_name=getattr(indicator, "proper_name", False))
    one, many = unit_words(report.catalogue, indicator)
    return narrative.describe_trend(
        escape_myst(indicator.name_sv), escape_myst(many), trend,
        indicator.decimals, polarity=indicator.polarity,
        first_is_synthetic=is_synthetic(series, trend.first_period),
        last_is_synthetic=is_synthetic(series, trend.last_period),
        unit_one=escape_myst(one), proper_name=getattr(indicator, "proper_name", False),
        variant=variant)


def format_p_value(p: float) -> str:
    """"p = 0,034", or "p < 0,001" rather than a misleading "p = 0,000"."""
    return "p < 0,001" if p < 0.001 else f"p = {format_number(p, 3)}"


def _has_text(key: str) -> bool:
    return key in load_texts("chapters")


def claim_text(claim: str) -> str:
    """What a trend's claim (``trends.CLAIMS``) means, in words (an unknown one as it is)."""
    name = str(claim).replace("_", "-")
    return text("chapters", f"claim-{name}") if _has_text(f"claim-{name}") else str(claim)


def se_method_text(method: str) -> str:
    """How a trend's standard error was computed, in words (an unknown method as it is)."""
    name = str(method).replace("_", "-")
    return text("chapters", f"se-method-{name}") if _has_text(f"se-method-{name}") else str(method)


def trend_figures_markdown(report: Report, indicator) -> str:
    """The trend's numbers in one line: slope with its interval (normalised, raw beside),
    p-value, the window and how the standard error was computed."""
    trend = report.trend(indicator.id)
    if trend is None or trend.status != "ok":
        return ""
    sig = narrative.significant_figures
    unit = escape_myst(number_unit_text(report, indicator, trend.normalised_unit))
    parts = [text("chapters", "trend-figures", first=format_period(trend.fit_first_period),
                  last=format_period(trend.fit_last_period), slope=sig(trend.slope), unit=unit,
                  low=sig(trend.slope_ci_low), high=sig(trend.slope_ci_high),
                  p=format_p_value(trend.p_value), n=trend.n, claim=claim_text(trend.claim))]
    if not math.isclose(trend.raw_slope, trend.slope, rel_tol=1e-9):
        raw_unit = escape_myst(unit_words(report.catalogue, indicator)[1]
                               or report.catalogue.unit(indicator.id).short_sv)
        parts.append(text("chapters", "trend-figures-raw", slope=sig(trend.raw_slope),
                          unit=raw_unit, p=format_p_value(trend.raw_p_value)))
    parts.append(se_method_text(trend.se_method))
    if not math.isnan(trend.change_prev_pct):
        parts.append(text("chapters", "trend-figures-change",
                          period=format_period(trend.previous_period),
                          change=format_percent(trend.change_prev_pct, 1)))
    return "*" + "; ".join(parts) + ".*"


#: Wordings of the rank among the län (texts rank-wording-1 to -4) and of the län against
#: Riket (reference-1 to reference-4); the chapter rotates through them so consecutive
#: indicators do not read alike. The first two reference wordings compare in words
#: ("högre än"), the last two set the numbers side by side.
WORDINGS = 4
LEVEL_TOLERANCE = 0.05  # relative difference still read as "i nivå med"


def compare_word(value: float, reference: float, decimals: int,
                 tolerance: float = LEVEL_TOLERANCE) -> str:
    """"högre än", "lägre än" or "i nivå med" (same display or within ``tolerance``)."""
    if (format_number(value, decimals) == format_number(reference, decimals)
            or abs(value - reference) <= tolerance * abs(reference)):
        return "i nivå med"
    return "högre än" if value > reference else "lägre än"


def comparison_markdown(report: Report, indicator, variant: int = 0) -> str:
    """Rank among the län, and the län against Riket and its peer group, in two sentences.

    ``variant`` picks the wording (the chapter passes the indicator's position) so a page
    of indicators does not repeat one sentence pattern.
    """
    table = report.results.comparisons.get(indicator.id)
    if table is None:
        return no_comparison_markdown(report, indicator)
    own = table[table["region_code"] == report.region.code]
    if own.empty or pd.isna(own.iloc[0]["rank"]):
        return no_comparison_markdown(report, indicator)
    row = own.iloc[0]
    decimals = normalised_decimals(report.catalogue, indicator.id)
    # "antal företag per 100 000 invånare" reads "544,4 företag per …" after a number
    unit = escape_myst(number_unit_text(report, indicator, row["normalised_unit"]))

    def value_text(x: float) -> str:
        return f"{format_number(x, shown_decimals(x, decimals))} {unit}".strip()

    notes = [comparison_period_note(report, row)]
    if indicator.polarity == "higher_is_worse":
        notes.insert(0, text("chapters", "rank-low-first"))
    wording = variant % WORDINGS + 1
    rank = text("chapters", f"rank-wording-{wording}", n=int(row["n_ranked"]),
                region=escape_myst(report.region.short_name), rank=int(row["rank"]),
                period=format_period(row["period"]), notes="; ".join(notes))
    if pd.isna(row["riket_value"]):
        return " ".join([rank, text("chapters", "rank-no-riket",
                                    period=format_period(row["period"]))])
    fields = {"value": value_text(row["value_normalised"]), "riket": value_text(row["riket_value"])}
    in_words = wording <= 2  # these wordings compare in words, the others show the numbers
    if in_words:
        fields["vs_riket"] = compare_word(row["value_normalised"], row["riket_value"], decimals)
    mean = row["peer_mean"]
    if pd.isna(mean):
        return " ".join([rank, text("chapters", f"reference-{wording}", **fields)])
    fields["peers"] = format_number(mean, shown_decimals(mean, decimals))
    if in_words:
        fields["vs_peers"] = compare_word(row["value_normalised"], mean, decimals)
    return " ".join([rank, text("chapters", f"reference-{wording}-peers", **fields)])


def comparison_period_note(report: Report, row) -> str:
    """Why the comparison uses its period: "senaste året med observerade värden för länet
    och minst 15 av de 21 länen"."""
    n_lan = sum(1 for r in report.dataset.regions if r.code != RIKET_CODE)
    if "-" not in str(row["period"]):
        return text("chapters", "rank-latest-year", k=MIN_COMPARED_REGIONS, n=n_lan)
    return text("chapters", "rank-latest-period", k=MIN_COMPARED_REGIONS, n=n_lan)


def no_comparison_markdown(report: Report, indicator) -> str:
    """The sentence saying why the län has no rank on an indicator ("" when there is
    nothing to compare at all)."""
    reason = getattr(report.results, "comparison_reasons", {}).get(indicator.id)
    if reason not in (NO_COMMON_PERIOD, REGION_NOT_OBSERVED):  # (Results.comparison_reasons)
        return ""
    n_lan = sum(1 for r in report.dataset.regions if r.code != RIKET_CODE)
    name = narrative.capitalize_first(escape_myst(indicator.name_sv))
    if reason == NO_COMMON_PERIOD:
        return text("chapters", "no-rank-period", name=name, year=report.year,
                    k=MIN_COMPARED_REGIONS, n=n_lan)
    return text("chapters", "no-rank-region", name=name, k=MIN_COMPARED_REGIONS, n=n_lan,
                region=escape_myst(report.region.short_name))


def comparison_table(report: Report, indicator) -> pd.DataFrame:
    """The numbers behind the comparison chart (also the CSV download)."""
    table = report.results.comparisons[indicator.id]
    return table[["region_name", "period", "value", "value_normalised", "normalised_unit",
                  "rank", "status"]].rename(columns={
                      "region_name": "Län", "period": "Period", "value": "Värde",
                      "value_normalised": "Normaliserat värde",
                      "normalised_unit": "Enhet", "rank": "Plats", "status": "Status"})


#: Class of the trend's statistics paragraph (smaller type on the web and in print).
TREND_FIGURES_CLASS = "ecoreport-trend-figures"


def indicator_text(report: Report, indicator, variant: int = 0) -> str:
    """The computed paragraphs of an indicator's section: trend with its figure, the trend's
    numbers, the comparison with the other län and the source."""
    figures = trend_figures_markdown(report, indicator)
    if figures:  # the trend's statistics in smaller type (CSS and the PDF's preamble)
        figures = f"```{{container}} {TREND_FIGURES_CLASS}\n{figures}\n```"
    return "\n\n".join(part for part in (
        text("chapters", "trend-with-figure", indicator=indicator.id,
             sentence=trend_sentence(report, indicator, variant).rstrip(".")),
        figures,
        comparison_markdown(report, indicator, variant),
        text("chapters", "source",
             citation=escape_myst(report.catalogue.source(indicator.id).citation_sv)),
    ) if part)


def indicator_figure(report: Report, indicator):
    """The indicator's trend and, beside it, all län (one figure, one caption)."""
    series = report.series(indicator.id)
    unit = report.catalogue.unit(indicator.id)
    trend = trend_chart(series, indicator, unit, report.region.name, until_year=report.year,
                        from_year=REPORT_FIRST_YEAR)
    tables = {"utveckling": trend_table(series, indicator, unit)}
    table = report.results.comparisons.get(indicator.id)
    if table is None:
        return trend, tables
    comparison = region_comparison_chart(table, report.catalogue, indicator.id,
                                         report.region.code, peer_codes=report.region.peers)
    tables["alla län"] = comparison_table(report, indicator)  # (file name: …-alla-lan.csv)
    return side_by_side(trend, comparison), tables


def outlier_sentences(report: Report, indicator) -> str:
    """A sentence per observed value of the län in the report window that is an abrupt jump
    among the län's OBSERVED values (``validate.find_jumps`` on them alone: a jump judged
    against synthetic values would state invented numbers), shown as published, so the
    reader learns about it where it is plotted."""
    values = report.dataset.values
    mine = values[(values["region_code"] == report.region.code)
                  & (values["indicator_id"] == indicator.id)
                  & (values["status"] == "observed")]
    sentences = []
    for issue in find_jumps(mine):
        details = issue.details
        row = mine[mine["period"] == issue.period]
        if row.empty or not (REPORT_FIRST_YEAR <= row["period_end"].iloc[0]
                             and row["period_start"].iloc[0] <= report.year):
            continue
        d = indicator.decimals
        sentences.append(text(
            "chapters", "figure-outlier", period=format_period(issue.period),
            value=format_number(details["value"], d), before=format_number(details["before"], d),
            before_period=format_period(details["before_period"]),
            after=format_number(details["after"], d),
            after_period=format_period(details["after_period"])))
    return " ".join(sentences)


def indicator_caption(report: Report, indicator) -> str:
    unit = report.catalogue.unit(indicator.id)
    series = report.series(indicator.id)
    name, region = escape_myst(indicator.name_sv), escape_myst(report.region.name)
    if indicator.id not in report.results.comparisons:
        parts = [text("chapters", "figure-caption-trend", name=name, region=region,
                      unit=escape_myst(unit.label_sv))]
    else:
        parts = [text("chapters", "figure-caption", name=name, region=region,
                      period=format_period(comparison_period(report, indicator.id)),
                      k=MIN_COMPARED_REGIONS)]
    if (series["status"] == "synthetic").any():
        parts.append(text("chapters", "figure-synthetic"))
    parts.append(outlier_sentences(report, indicator))
    return " ".join(part for part in parts if part)


def comparison_period(report: Report, indicator_id: str) -> str | None:
    """The period an indicator's comparison between län uses (None: no comparison)."""
    table = report.results.comparisons.get(indicator_id)
    if table is None:
        return None
    own = table[table["region_code"] == report.region.code]
    periods = (own if len(own) and pd.notna(own.iloc[0]["period"]) else table)["period"].dropna()
    return str(periods.iloc[0]) if len(periods) else None


def indicator_description(report: Report, indicator) -> str:
    """The chart's text alternative (screen readers; the SVG's aria-label)."""
    return text("chapters", "figure-description", name=indicator.name_sv,
                region=report.region.name, trend=trend_sentence(report, indicator))


def glue_dimension(report: Report, dimension_id: str) -> None:
    """Glue every computed text and figure of a dimension chapter (the notebook places them)."""
    glue_markdown("intro", dimension_intro_markdown(report, dimension_id))
    for position, indicator in enumerate(register_indicators(report, dimension_id)):
        glue_markdown(f"{indicator.id}-text", indicator_text(report, indicator, position))
        chart, tables = indicator_figure(report, indicator)
        glue_chart(f"{indicator.id}-figure", chart, f"{report.region.slug}-{indicator.id}",
                   tables, description=indicator_description(report, indicator))
        glue_markdown(f"{indicator.id}-caption", indicator_caption(report, indicator))
    for position, indicator in enumerate(survey_items_in(report, dimension_id)):
        survey_report.glue_question(report, indicator, position)


def glue_conclusions(report: Report) -> None:
    """How to add the conclusions of this län and year (shown while none are written)."""
    folder = Path("commentary") / str(report.year) / report.region.code
    glue_markdown("how-to", text("chapters", "conclusions-how-to", folder=folder.as_posix(),
                                 region=report.region.code, previous=report.year - 1,
                                 year=report.year))


# -- summary -------------------------------------------------------------------------------------

def share_observed(report: Report) -> float:
    """Share observed of the analysed indicators' values in the report window."""
    return report.results.findings.share_observed


def demonstration_markdown(report: Report) -> str:
    """The start page's opening notice when less than half of the län's values are
    observed ("" otherwise)."""
    found = report.results.findings
    if found is None or found.share_observed >= DEMONSTRATION_BELOW:
        return ""
    return text("chapters", "demonstration", region=escape_myst(report.region.name),
                share=format_percent(100 * found.share_observed, 0, style="word"))


def data_status_markdown(report: Report) -> str:
    """The observed share on the first page, and what it is computed on."""
    found = report.results.findings
    return text("chapters", "data-status", share=narrative.describe_synthetic_share(
        found.share_observed), n=found.n_values, first=found.from_year, year=report.year)


def axis_markdown(report: Report) -> str:
    """The tested research–market axis across the län and the län's side on it."""
    axis = report.results.axis
    inputs = getattr(report.results, "axis_inputs", None) or {}
    if axis is None and inputs:
        return narrative.finish(narrative.PHRASES["axis_not_fitted"].format(
            n_research=inputs["n_research"], n_market=inputs["n_market"],
            coverage=format_percent(100 * AXIS_MIN_CELL_COVERAGE, 0),
            minimum=AXIS_MIN_PER_SIDE, region=escape_myst(report.region.short_name)))
    if axis is None:
        return text("chapters", "axis-not-computed",
                    reason=report.results.pca_messages.get("axis", ""))
    row = axis.position(report.region.code)
    fields = {}
    if row is not None:
        fields = dict(side=row["side"], rank=int(row["rank"]), n_regions=axis.n_regions,
                      position=row["position"], low=row["ci_low"], high=row["ci_high"])
    return narrative.describe_axis(
        axis.supported, axis.p_value, escape_myst(report.region.short_name),
        component=axis.component,
        share=float(axis.explained_variance_ratio[axis.component]), **fields)


def drift_markdown(report: Report) -> str:
    """Correlation of the län's research and market indices and their drift over the years."""
    summary = report.results.region_axis
    if summary is None:
        return ""
    drift = summary.drift
    return " ".join([
        narrative.describe_correlation(summary.correlation, "forskningsindexet",
                                       "marknadsindexet", ci=summary.correlation_ci),
        narrative.describe_drift(drift.claim, drift.slope, drift.slope_ci_low,
                                 drift.slope_ci_high, drift.first_period, drift.last_period,
                                 observed_share=summary.observed_share)])


def pca_position_markdown(report: Report) -> str:
    """Where the län sits on the tested research–market axis, and its drift."""
    return " ".join(part for part in (axis_markdown(report), drift_markdown(report)) if part)


KEY_MESSAGES_MAX = 6
#: Order in which the start page draws on the kinds of finding, so a page of at most
#: ``KEY_MESSAGES_MAX`` messages mixes levels (ranks) and developments (trends).
KEY_MESSAGE_ORDER = ("strength", "improvement", "weakness", "decline")


def finding_sentence(report: Report, finding) -> str:
    """One key message from an observed finding (``analysis.findings.Finding``)."""
    indicator = report.catalogue.indicator(finding.indicator_id)
    subject = narrative.make_subject(escape_myst(indicator.name_sv))
    decimals = normalised_decimals(report.catalogue, indicator.id)
    unit = escape_myst(number_unit_text(report, indicator, finding.normalised_unit))
    value = (f"{format_number(finding.value_normalised, shown_decimals(finding.value_normalised, decimals))}"
             f" {unit}").strip()
    period = format_period(finding.period)
    if finding.kind in ("strength", "weakness"):
        level = ("highest" if (finding.kind == "strength") == (
            indicator.polarity != "higher_is_worse") else "lowest")
        fields = dict(subject=subject, rank=finding.rank, n=finding.n_ranked, period=period,
                      value=value)
        if finding.riket_value is None:
            return text("chapters", f"finding-{level}", **fields)
        riket = format_number(finding.riket_value, shown_decimals(finding.riket_value, decimals))
        return text("chapters", f"finding-{level}-with-riket", riket=riket, **fields)
    direction = "rise" if (finding.slope or 0) > 0 else "fall"
    effect = "good" if finding.kind == "improvement" else "bad"
    return text("chapters", f"finding-{direction}-{effect}", subject=subject, value=value,
                first=format_period(finding.from_period), period=period)


def key_messages(report: Report) -> list:
    """At most ``KEY_MESSAGES_MAX`` observed findings, the kinds taken in turn."""
    findings = getattr(report.results, "findings", None)
    if findings is None:
        return []
    queues = {kind: list(findings.of_kind(kind)) for kind in KEY_MESSAGE_ORDER}
    chosen = []
    while len(chosen) < KEY_MESSAGES_MAX and any(queues.values()):
        for kind in KEY_MESSAGE_ORDER:
            if queues[kind] and len(chosen) < KEY_MESSAGES_MAX:
                chosen.append(queues[kind].pop(0))
    return chosen


#: At most this many key messages come from the business survey.
SURVEY_MESSAGES_MAX = 3


def survey_key_messages(report: Report, limit: int = SURVEY_MESSAGES_MAX) -> list[tuple]:
    """(question, period, leading answer, estimates) of survey questions whose most common answer is
    clearly above every other (the 95 % intervals do not overlap, see
    ``analysis.survey.leading_category``), the latest survey of each question, at most one
    per dimension, in catalogue order. Survey shares are observed answers, so they may be
    key messages; a question without a clear leader makes none."""
    chosen, dimensions = [], set()
    for indicator in survey_report.survey_items(report):
        if len(chosen) >= limit:
            break
        if indicator.dimension in dimensions:
            continue
        results = survey_report.question_results(report, indicator)
        if not results:
            continue
        period, result = results[-1]
        leader = survey_estimates.leading_category(result)
        if leader is None or result.base.n is None:
            continue
        chosen.append((indicator, period, leader, result))
        dimensions.add(indicator.dimension)
    return chosen


def survey_message_sentence(indicator, period: str, leader, result) -> str:
    """"**Rekrytering av nyckelkompetens:** 61 % av alla företag svarade ”mycket eller
    ganska svårt” (95 % konfidensintervall 55–66 %; 305 svar i enkäten 2024)."""
    base = result.base
    label = SURVEY_BASE_LABELS[base.kind]
    answers = (text("chapters", "survey-message-about", n=format_number(base.n))
               if base.derived else format_number(base.n))
    return text("chapters", "survey-message", name=escape_myst(indicator.name_sv),
                share=survey_report.share_text(leader.share_pct), base=label,
                answer=survey_report.quoted(leader.category),
                interval=survey_report.interval_text(leader), answers=answers,
                period=format_period(period))


def key_messages_markdown(report: Report) -> str:
    """The start page's key messages; only observed numbers make a message: findings
    from the register statistics first, then the survey's clearest answers."""
    chosen = key_messages(report)
    if getattr(report.results, "findings", None) is None:
        return ""
    found = report.results.findings
    lines = [f"- {finding_sentence(report, f)}" for f in chosen]
    room = max(0, min(SURVEY_MESSAGES_MAX, KEY_MESSAGES_MAX - len(lines)))
    survey_lines = [f"- {survey_message_sentence(*message)}"
                    for message in survey_key_messages(report, room)]
    if survey_lines:
        survey_lines[-1] += " " + text("chapters", "survey-messages-caveat")
    lines += survey_lines
    if found.too_few:
        lines += ["", narrative.describe_too_few_findings(len(found.findings), found.shortfall)]
    return "\n".join(lines)


def key_figure_rows(report: Report) -> pd.DataFrame:
    """One headline indicator per METRIC dimension (the first in the catalogue with a value)."""
    findings = getattr(report.results, "findings", None)
    figures = (findings.key_figures if findings is not None else _key_figures_from_results(report))
    if figures.empty:
        return figures
    figures = figures.dropna(subset=["value_normalised"])
    order = {ind: i for i, ind in enumerate(report.catalogue.indicators)}
    # per dimension the first indicator with a rank among the län, else the first with a
    # value (both decided by which values are observed, never by the values)
    figures = figures.assign(order=figures["indicator_id"].map(order),
                             unranked=figures["rank"].isna())
    figures = figures.sort_values(["unranked", "order"]).drop_duplicates("dimension")
    return figures.sort_values("order").drop(columns=["order", "unranked"])


def _key_figures_from_results(report: Report) -> pd.DataFrame:
    """The key-figure columns from the comparisons and trends, for results computed before
    the analysis kept its own key-figures table."""
    trends = report.results.trends.set_index("indicator_id")
    rows = []
    for indicator_id, table in report.results.comparisons.items():
        own = table[table["region_code"] == report.region.code]
        indicator = report.catalogue.indicator(indicator_id)
        if own.empty or not getattr(report.catalogue.dimension(indicator.dimension), "metric",
                                    True):
            continue
        row = own.iloc[0]
        trend = trends.loc[indicator_id] if indicator_id in trends.index else None
        rows.append({
            "indicator_id": indicator_id, "dimension": indicator.dimension,
            "period": row["period"], "value_normalised": row["value_normalised"],
            "normalised_unit": row["normalised_unit"], "status": row["status"],
            "rank": row["rank"], "n_ranked": row["n_ranked"], "riket_value": row["riket_value"],
            # the trend is fitted on published values, so its change is given in percent
            "change_per_year": math.nan,
            "change_pct": math.nan if trend is None or trend["status"] != "ok"
            else trend["cagr_pct"],
            "change_claim": "significant" if trend is not None and trend["status"] == "ok"
            and bool(trend["is_significant"]) else "not_significant"})
    return pd.DataFrame(rows)


def shown_decimals(value: float, decimals: int) -> int:
    """Decimals for a value in a table or sentence: the catalogue's, but no more than three significant
    figures need (889 243,0 → 889 243; 387,7 → 388; 2,09 stays)."""
    if pd.isna(value) or value == 0:
        return decimals
    return min(decimals, max(0, 2 - int(math.floor(math.log10(abs(float(value)))))))


def key_figures_markdown(report: Report) -> str:
    """The key-figures table: value, change per year, rank among the län and Riket."""
    rows = key_figure_rows(report)
    if rows.empty:
        return ""
    lines = [text("chapters", "key-figures-header")]
    synthetic = False
    for row in rows.itertuples():
        indicator = report.catalogue.indicator(row.indicator_id)
        decimals = normalised_decimals(report.catalogue, indicator.id)
        mark = ""
        if row.status == "synthetic":  # results computed before observed-only key figures
            mark, synthetic = "\\*", True
        value = (f"{format_number(row.value_normalised, shown_decimals(row.value_normalised, decimals))}"
                 f"{mark} ({format_period(row.period)})")
        change = "–"
        change_pct = getattr(row, "change_pct", math.nan)
        if pd.notna(row.change_per_year) or pd.notna(change_pct):
            change = (narrative.significant_figures(row.change_per_year, 2)
                      if pd.notna(row.change_per_year)
                      else format_percent(change_pct, 1, style="symbol"))
            window = ""
            if pd.notna(getattr(row, "change_from_period", None)):
                first, last = (format_period(row.change_from_period),
                               format_period(row.change_to_period))
                window = (f"{first} till {last}" if "–" in first + last
                          else f"{first}–{last}")
            if row.change_claim != "significant":
                window = f"{window}, osäker" if window else "osäker"
            if window:
                change += f" ({window})"
        rank_period = getattr(row, "rank_period", None)
        when = f" ({format_period(rank_period)})" if pd.notna(rank_period) else ""
        rank = "–" if pd.isna(row.rank) else f"{int(row.rank)} av {int(row.n_ranked)}{when}"
        riket = ("–" if pd.isna(row.riket_value)
                 else format_number(row.riket_value, shown_decimals(row.riket_value, decimals))
                 + when)
        unit = escape_myst(normalised_unit_text(indicator, row.normalised_unit))
        # A role's text is literal (no Markdown escapes); names cannot hold backticks or
        # <> (refused at load), only "|" would end the table cell.
        title = indicator.name_sv.replace("|", "\\|")
        lines.append(f"| {{ref}}`{title} <ind-{indicator.id}>` ({unit}) | {value} | "
                     f"{change} | {rank} | {riket} |")
    note = (text("chapters", "key-figures-synthetic") if synthetic else
            text("chapters", "key-figures-observed", k=MIN_COMPARED_REGIONS))
    return "\n".join(lines) + "\n\n" + note


def glue_summary(report: Report) -> None:
    """The start page's computed parts: key messages, key figures, the data-status note and
    the profile chart."""
    glue_markdown("demo-notice", demonstration_markdown(report))
    glue_markdown("findings", key_messages_markdown(report))
    glue_markdown("key-figures", key_figures_markdown(report) or
                  text("chapters", "key-figures-missing"))
    glue_markdown("data-status", data_status_markdown(report))
    glue_markdown("pca-position", pca_position_markdown(report))
    profile = report.results.profile
    glue_chart("profile", dimension_profile_chart(profile, report.region.name),
               f"{report.region.slug}-profil", profile,
               description=text("chapters", "profile-description", region=report.region.name,
                                year=report.year))
    glue_markdown("profile-caption", " ".join([
        text("chapters", "profile-caption", region=escape_myst(report.region.name),
             year=report.year), profile_synthetic_note(report)]))


def profile_synthetic_note(report: Report) -> str:
    """What the profile rests on: the innovation index's dimension scores, observed values
    only (dimensions without an index indicator are named as such)."""
    profile = report.results.profile
    if "share_synthetic" in profile and profile["share_synthetic"].fillna(0).gt(0).any():
        share = profile["share_synthetic"].mean()  # results of an older build
        return text("chapters", "profile-synthetic", percent=format_number(100 * share, 0))
    missing = profile[profile["profile"] == "no_data"]
    if not len(missing):
        return text("chapters", "profile-observed")
    return " ".join([text("chapters", "profile-observed"), text(
        "chapters", "profile-unplaced",
        count=count_text(len(missing), "dimension", "dimensioner").capitalize())])


# -- analysis chapter ------------------------------------------------------------------------------

def glue_analysis(report: Report) -> None:
    """The analysis chapter's figures (the chapter's text is in its notebook)."""
    region = escape_myst(report.region.name)
    table = report.results.relative
    glue_chart("relative", relative_development_chart(table, report.catalogue,
                                                      report.region.name),
               f"{report.region.slug}-relativ-utveckling", table,
               description=text("chapters", "analysis-relative-description", region=region))
    profile = report.results.profile
    glue_chart("profile", dimension_profile_chart(profile, report.region.name),
               f"{report.region.slug}-dimensionsprofil", profile,
               description=text("chapters", "analysis-profile-description", region=region,
                                year=report.year))
    glue_markdown("profile-caption", " ".join([
        text("chapters", "analysis-profile-caption", region=region, year=report.year),
        profile_synthetic_note(report)]))


# -- PCA chapter -----------------------------------------------------------------------------------

def pca_summary_markdown(report: Report) -> str:
    """The län's own PCA as what it is: the common development over the years."""
    pca = report.results.region_pca
    if pca is None:
        return text("chapters", "pca-not-done", region=escape_myst(report.region.short_name))
    summary = report.results.region_axis
    evr = pca.explained_variance_ratio
    pct = lambda x: f"{narrative.significant_figures(100 * x, 2)} procent"  # noqa: E731
    null = dict(median=pct(summary.null_pc1_share_median), p95=pct(summary.null_pc1_share_p95))
    lines = [
        text("chapters", "pca-common-development",
             share_all=pct(summary.pc1_share_before_screening), n_all=len(pca.screening),
             share_kept=pct(evr.iloc[0]), n_kept=len(pca.kept_variables),
             min_cos2=format_number(pca.min_cos2, 1),
             year_correlation=format_number(summary.pc1_year_correlation, 2)),
        "",
        text("chapters", "pca-random-walks-above", **null)
        if evr.iloc[0] > summary.null_pc1_share_p95 else
        text("chapters", "pca-random-walks-within", **null),
        "",
        drift_markdown(report),
    ]
    if pca.reliability_message:
        lines += ["", text("chapters", "pca-uncertainty", message=pca.reliability_message)]
    return "\n".join(lines)


def pooled_markdown(report: Report) -> str:
    """The tested axis across all län (year effect and general level removed)."""
    return axis_markdown(report)


def glue_pca(report: Report) -> None:
    """The PCA chapter's computed text and figures (keys: pca-text, pca-biplot,
    pca-trajectory, pooled-text, pooled); missing analyses glue an explanation only."""
    pca = report.results.region_pca
    glue_markdown("pca-text", pca_summary_markdown(report))
    glue_markdown("pooled-text", pooled_markdown(report))
    region = report.region
    if pca is not None:
        glue_chart("pca-biplot", pca_biplot(pca, report.catalogue), f"{region.slug}-pca-biplot",
                   pca.to_frame(), description=text("chapters", "pca-biplot-description"))
        glue_chart("pca-trajectory", pca_trajectory_chart(pca, region.name, region.code),
                   f"{region.slug}-pca-ar", pca.scores,
                   description=text("chapters", "pca-trajectory-description",
                                    region=region.name))
    else:  # the notebook places these keys whatever the data; say why there is no chart
        for key in ("pca-biplot", "pca-trajectory"):
            glue_markdown(key, text("chapters", "chart-missing"))
    axis = report.results.axis
    if axis is not None:
        glue_chart("pooled", axis_positions_chart(axis, report.dataset.regions, region.code,
                                                  region.peers),
                   f"{region.slug}-axel-alla-lan",
                   axis_positions_table(axis, report.dataset.regions),
                   description=text("chapters", "pooled-description"))
        caption = [text("chapters", "pooled-caption", region=escape_myst(region.short_name))]
        if not axis.supported:
            caption.append(text("chapters", "pooled-caption-unsupported"))
        glue_markdown("pooled-caption", " ".join(caption))
    else:
        glue_markdown("pooled", text("chapters", "chart-missing"))
        glue_markdown("pooled-caption", text("chapters", "pooled-caption-missing"))


# -- survey chapter --------------------------------------------------------------------------------

def survey_intro_markdown(report: Report) -> str:
    items = survey_items(report)
    region = escape_myst(report.region.name)
    if not items:
        none = text("chapters", "survey-intro-none", region=region)
        if not is_draft(report):
            return none
        return " ".join([none, text("chapters", "survey-intro-none-draft")])
    survey = report.dataset.survey
    rows = survey[(survey["region_code"] == report.region.code)
                  & (survey["period_end"] <= report.year)]
    periods = sorted(set(rows["period"]))
    parts = [text("chapters", "survey-intro", region=region,
                  count=count_text(len(items), "fråga", "frågor"),
                  periods=", ".join(format_period(p) for p in periods))]
    only_survey = [dim for dim in report.catalogue.metric_dimensions()
                   if not report.catalogue.indicators_in(dim.id, kind="register")
                   and any(ind.dimension == dim.id for ind in items)]
    if only_survey:
        names = narrative.join_sv([escape_myst(dim.name_sv) for dim in only_survey])
        parts.append(text("chapters", "survey-intro-only-source", names=names))
    if len(periods) == 1:
        parts.append(text("chapters", "survey-intro-one-year"))
    return " ".join(parts)


def glue_survey_overview(report: Report) -> None:
    """Glue the survey chapter: how the survey was made and the questions."""
    survey_report.glue_overview(report, survey_intro_markdown(report))
