"""Building blocks of the report's chapters: the text and charts a notebook displays.

Functions named ``*_markdown``/``*_table``/``*_findings`` return content (unit-tested);
``show_*`` display it in the running notebook. Notebooks only call ``show_*`` (and loop).
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
from ecoreport.report.render import display_markdown, glue_chart, glue_markdown, show_chart, side_by_side
from ecoreport.report.render import upcoming_figure_number

logger = logging.getLogger(__name__)


def _show(chart, name: str, table: pd.DataFrame | None, caption: str) -> int:
    return show_chart(chart, name, table=table, caption=caption)


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
    parts = []
    if shown:
        parts.append(f"Här följer {count_text(len(shown), 'indikator', 'indikatorer')} "
                     f"ur registerstatistiken för {escape_myst(report.region.name)} fram till {report.year}, "
                     "var och en med sin utveckling över tid och en jämförelse med övriga län "
                     "(plats 1 är länet med det högsta värdet, om inget annat sägs).")
    else:
        parts.append(f"Det finns ingen registerstatistik för dimensionen i {escape_myst(report.region.name)}.")
    if missing:
        names = narrative.join_sv([narrative.name_in_sentence(escape_myst(ind.name_sv),
                                                              getattr(ind, "proper_name", False))
                                   for ind in missing])
        parts.append(f"Data saknas för {names}.")
    if survey:
        parts.append(f"Kapitlet tar också upp "
                     f"{count_text(len(survey), 'fråga', 'frågor')} ur "
                     "näringslivsenkäten till länets företag, med antal svar och "
                     "felmarginal (se {ref}`om enkäten <enkat-metod>`).")
    return " ".join(parts)


def survey_only_intro_markdown(report: Report, dimension_id: str, survey: list) -> str:
    """The intro of a dimension that the METRIC model measures with the survey alone."""
    unanswered = [ind for ind in report.catalogue.indicators_in(dimension_id, kind="survey")
                  if ind not in survey]
    if not survey:
        return (f"Dimensionen mäts bara med näringslivsenkäten, och det finns inga enkätsvar "
                f"för {escape_myst(report.region.name)} i rapportens data. Kapitlet fylls i "
                "när enkätresultat läggs till (se kapitlet om näringslivsenkäten).")
    periods = sorted({p for ind in survey for p, _ in survey_report.question_results(report, ind)})
    parts = [f"Registerstatistiken har inga mått på dimensionen, så kapitlet bygger på "
             f"näringslivsenkäten: {count_text(len(survey), 'fråga', 'frågor')} till "
             f"företagen i {escape_myst(report.region.name)} "
             f"({', '.join(format_period(p) for p in periods)}). Svaren visar läget när "
             "enkäten gjordes, inte utvecklingen över tid, och länet kan inte jämföras med "
             "andra län."]
    if unanswered:
        names = narrative.join_sv([narrative.lower_first(escape_myst(ind.name_sv))
                                   for ind in unanswered])
        parts.append(f"Enkätsvar saknas för {names}.")
    parts.append("Varje fråga redovisas med antal svar, vilka företag som fick frågan och "
                 "felmarginal; hur enkäten gjordes står i "
                 "{ref}`kapitlet om näringslivsenkäten <enkat-metod>`.")
    return " ".join(parts)


def trend_sentence(report: Report, indicator, variant: int = 0) -> str:
    """The Swedish sentence on the indicator's development, synthetic values marked;
    ``variant`` picks the wording (the chapter passes the indicator's position)."""
    trend = report.trend(indicator.id)
    series = report.series(indicator.id)
    if trend is None and len(series):
        # trends are fitted on observed points only: the chart shows invented ones
        return (f"För {narrative.name_in_sentence(escape_myst(indicator.name_sv), getattr(indicator, 'proper_name', False))} "
                f"finns inga observerade värden för {escape_myst(report.region.short_name)} "
                f"fram till {report.year}; diagrammet visar syntetiska (framräknade) värden, "
                "som inte är uppgifter om länet.")
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


SE_METHOD_TEXT = {
    "ar1_simulated_critical_value": ("kritiskt värde simulerat för seriens år och den "
                                     "autokorrelation som data inte utesluter (AR(1) upp "
                                     "till slumpvandring); bara observerade värden"),
    "ols_ar1_effective_n": "standardfel justerat för autokorrelation (AR(1), effektivt antal år)",
    "hac_newey_west": "Newey–West-standardfel (HAC)",
    "ols": "vanliga OLS-standardfel",
}
CLAIM_TEXT = {
    "significant": "statistiskt säker",
    "indicative": "indikativ: för få år eller överlappande perioder för ett säkert test",
    "not_significant": "inte statistiskt säker",
}


def trend_figures_markdown(report: Report, indicator) -> str:
    """The trend's numbers in one line: slope with its interval (normalised, raw beside),
    p-value, the window and how the standard error was computed."""
    trend = report.trend(indicator.id)
    if trend is None or trend.status != "ok":
        return ""
    sig = narrative.significant_figures
    unit = escape_myst(number_unit_text(report, indicator, trend.normalised_unit))
    parts = [f"Linjär trend {format_period(trend.fit_first_period)}–"
             f"{format_period(trend.fit_last_period)}: {sig(trend.slope)} {unit} per år "
             f"(95 % konfidensintervall {sig(trend.slope_ci_low)} till "
             f"{sig(trend.slope_ci_high)}; {format_p_value(trend.p_value)}; n = {trend.n}; "
             f"{CLAIM_TEXT.get(trend.claim, trend.claim)})"]
    if not math.isclose(trend.raw_slope, trend.slope, rel_tol=1e-9):
        raw_unit = escape_myst(unit_words(report.catalogue, indicator)[1]
                               or report.catalogue.unit(indicator.id).short_sv)
        parts.append(f"i antal utan normering {sig(trend.raw_slope)} {raw_unit} per år "
                     f"({format_p_value(trend.raw_p_value)})")
    parts.append(SE_METHOD_TEXT.get(trend.se_method, trend.se_method))
    if not math.isnan(trend.change_prev_pct):
        parts.append(f"förändring sedan {format_period(trend.previous_period)} "
                     f"{format_percent(trend.change_prev_pct, 1)}")
    return "*" + "; ".join(parts) + ".*"


#: Ways to state the rank among the län; the chapter rotates through them so consecutive
#: indicators do not read alike. ``{note}`` explains plats 1 where a low value is best.
RANK_PHRASES = (
    "{period} har {region} plats {rank} av de {n} länen{note}.",
    "{region} har plats {rank} av {n} län {period}{note}.",
    "I jämförelsen mellan länen {period} hamnar {region} på plats {rank} av {n}{note}.",
    "Bland de {n} länen ligger {region} {period} på plats {rank}{note}.",
)
RANK_NOTE_LOW_FIRST = " (här har plats 1 det lägsta värdet)"
#: Ways to set the län's value against Riket (and the peer län).
REFERENCE_PHRASES = (
    "Med {value} ligger länet {vs_riket} riket ({riket}){peers}.",
    "Värdet, {value}, är {vs_riket} rikets ({riket}){peers}.",
    "Länets {value} kan jämföras med {riket} för riket{peers_plain}.",
    "Som jämförelse har riket {riket}{peers_plain}, medan länet har {value}.",
)
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
        notes.insert(0, RANK_NOTE_LOW_FIRST.strip(" ()"))
    rank = RANK_PHRASES[variant % len(RANK_PHRASES)].format(
        n=int(row["n_ranked"]), region=escape_myst(report.region.short_name), rank=int(row["rank"]),
        period=format_period(row["period"]), note=f" ({'; '.join(notes)})")
    if pd.isna(row["riket_value"]):
        return f"{rank} Riket har inget observerat värde {format_period(row['period'])}."
    value = value_text(row["value_normalised"])
    peers = peers_plain = ""
    if not pd.isna(row["peer_mean"]):
        word = compare_word(row["value_normalised"], row["peer_mean"], decimals)
        peers = (f" och {word} " + ("genomsnittet för jämförelselänen" if variant % 2
                                    else "jämförelselänens medelvärde")
                 + f" ({format_number(row['peer_mean'], shown_decimals(row['peer_mean'], decimals))})")
        peers_plain = (f" och {format_number(row['peer_mean'], shown_decimals(row['peer_mean'], decimals))} i genomsnitt för "
                       "jämförelselänen")
    reference = REFERENCE_PHRASES[variant % len(REFERENCE_PHRASES)].format(
        value=value, vs_riket=compare_word(row["value_normalised"], row["riket_value"], decimals),
        riket=value_text(row["riket_value"]), peers=peers, peers_plain=peers_plain)
    return f"{rank} {reference}"


def comparison_period_note(report: Report, row) -> str:
    """Why the comparison uses its period: "senaste året med observerade värden för länet
    och minst 15 av de 21 länen"."""
    n_lan = sum(1 for r in report.dataset.regions if r.code != RIKET_CODE)
    single = "-" not in str(row["period"])
    return (f"{'senaste året' if single else 'senaste perioden'} med observerade värden för "
            f"länet och minst {MIN_COMPARED_REGIONS} av de {n_lan} länen")


#: Why an indicator has no rank among the län (``Results.comparison_reasons``).
NO_COMPARISON_TEXT = {
    NO_COMMON_PERIOD: ("{name} har ingen placering bland länen: det finns ingen period till "
                       "och med {year} då minst {k} av de {n} länen har observerade värden."),
    REGION_NOT_OBSERVED: ("{name} har ingen placering bland länen: {region} saknar "
                          "observerat värde de perioder då minst {k} av de {n} länen har ett."),
}


def no_comparison_markdown(report: Report, indicator) -> str:
    """The sentence saying why the län has no rank on an indicator ("" when there is
    nothing to compare at all)."""
    reason = getattr(report.results, "comparison_reasons", {}).get(indicator.id)
    if reason not in NO_COMPARISON_TEXT:
        return ""
    n_lan = sum(1 for r in report.dataset.regions if r.code != RIKET_CODE)
    return NO_COMPARISON_TEXT[reason].format(
        name=narrative.capitalize_first(escape_myst(indicator.name_sv)), year=report.year,
        k=MIN_COMPARED_REGIONS, n=n_lan, region=escape_myst(report.region.short_name))


def indicator_markdown(report: Report, indicator, figure: int | None = None) -> str:
    """Heading, description, the sentence about the trend and the source of one indicator;
    ``figure`` is the number of the trend chart that follows, for the cross-reference."""
    source = report.catalogue.source(indicator.id)
    see = f" (figur {figure})" if figure else ""
    return "\n\n".join(part for part in (
        f"## {escape_myst(indicator.name_sv)}",
        indicator.description_sv.strip(),
        trend_sentence(report, indicator).rstrip(".") + see + ".",
        trend_figures_markdown(report, indicator),
        f"*Källa: {escape_myst(source.citation_sv)}.*",
    ) if part)


def comparison_table(report: Report, indicator) -> pd.DataFrame:
    """The numbers behind the comparison chart (also the CSV download)."""
    table = report.results.comparisons[indicator.id]
    return table[["region_name", "period", "value", "value_normalised", "normalised_unit",
                  "rank", "status"]].rename(columns={
                      "region_name": "Län", "period": "Period", "value": "Värde",
                      "value_normalised": "Normaliserat värde",
                      "normalised_unit": "Enhet", "rank": "Plats", "status": "Status"})


def show_dimension_intro(report: Report, dimension_id: str) -> None:
    display_markdown(dimension_intro_markdown(report, dimension_id))


def show_indicator(report: Report, indicator) -> None:
    """Text, trend chart, comparison with the other län and downloadable numbers."""
    display_markdown(indicator_markdown(report, indicator, upcoming_figure_number()))
    series = report.series(indicator.id)
    unit = report.catalogue.unit(indicator.id)
    chart = trend_chart(series, indicator, unit, report.region.name, until_year=report.year,
                        from_year=REPORT_FIRST_YEAR)
    hollow = " Ofyllda punkter och streckad linje är syntetiska värden." if (
        series["status"] == "synthetic").any() else ""
    _show(chart, f"{report.region.slug}-{indicator.id}", trend_table(series, indicator, unit),
          f"{escape_myst(indicator.name_sv)} i {escape_myst(report.region.name)}, {escape_myst(unit.label_sv)}.{hollow}")
    comparison = comparison_markdown(report, indicator)
    if comparison:
        display_markdown(f"{comparison} Figur {upcoming_figure_number()} jämför alla län.")
        table = report.results.comparisons[indicator.id]
        _show(region_comparison_chart(table, report.catalogue, indicator.id, report.region.code),
              f"{report.region.slug}-{indicator.id}-lan", comparison_table(report, indicator),
              f"{escape_myst(indicator.name_sv)}: län med observerat värde "
              f"{format_period(comparison_period(report, indicator.id))}.")


#: Class of the trend's statistics paragraph (smaller type on the web and in print).
TREND_FIGURES_CLASS = "ecoreport-trend-figures"


def indicator_text(report: Report, indicator, variant: int = 0) -> str:
    """The computed paragraphs of an indicator's section: trend with its figure, the trend's
    numbers, the comparison with the other län and the source."""
    see = f" ({{numref}}`figur %s <fig-{indicator.id}>`)"
    figures = trend_figures_markdown(report, indicator)
    if figures:  # the trend's statistics in smaller type (CSS and the PDF's preamble)
        figures = f"```{{container}} {TREND_FIGURES_CLASS}\n{figures}\n```"
    return "\n\n".join(part for part in (
        trend_sentence(report, indicator, variant).rstrip(".") + see + ".",
        figures,
        comparison_markdown(report, indicator, variant),
        f"*Källa: {escape_myst(report.catalogue.source(indicator.id).citation_sv)}.*",
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
        sentences.append(
            f" Det observerade värdet {format_period(issue.period)}, "
            f"{format_number(details['value'], d)}, skiljer sig starkt från åren före och "
            f"efter ({format_number(details['before'], d)} år "
            f"{format_period(details['before_period'])} och "
            f"{format_number(details['after'], d)} år {format_period(details['after_period'])});"
            " det visas som källan har publicerat det och kan bero på en ändrad definition "
            "eller ett fel hos källan.")
    return "".join(sentences)


def indicator_caption(report: Report, indicator) -> str:
    unit = report.catalogue.unit(indicator.id)
    series = report.series(indicator.id)
    hollow = (" Ofyllda punkter, streckad linje och ljusare staplar är syntetiska värden."
              if (series["status"] == "synthetic").any() else "") + outlier_sentences(
        report, indicator)
    if indicator.id not in report.results.comparisons:
        return f"{escape_myst(indicator.name_sv)} i {escape_myst(report.region.name)}, {escape_myst(unit.label_sv)}.{hollow}"
    return (f"{escape_myst(indicator.name_sv)}: utvecklingen i {escape_myst(report.region.name)} (vänster) och "
            f"länen med observerat värde {format_period(comparison_period(report, indicator.id))}, "
            f"den senaste perioden med minst {MIN_COMPARED_REGIONS} observerade län (höger; "
            f"jämförelselänen markerade).{hollow}")


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
    trend = trend_sentence(report, indicator)
    return f"Diagram: {indicator.name_sv} i {report.region.name}. {trend}"


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
    glue_markdown("how-to", (
        f"Lägg slutsatserna i filen `{folder.as_posix()}/slutsatser.md` (Markdown) och "
        "bygg rapporten igen. Kommentarer till enskilda kapitel läggs i samma mapp med "
        f"kapitlets filnamn, till exempel `{folder.as_posix()}/fou.md`; de visas sist i "
        "kapitlet under rubriken Kommentar. Förra årets text förs över med "
        f"`ecoreport commentary copy --region {report.region.code} --from {report.year - 1} "
        f"--to {report.year}`."))


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
    share = format_percent(100 * found.share_observed, 0, style="word")
    return (f"```{{admonition}} En demonstration av metoden\n:class: warning\n"
            f"Bara {share} av värdena för {escape_myst(report.region.name)} i rapporten är "
            "observerad statistik; resten är syntetiska (framräknade) värden som fyller ut "
            "diagrammen. Rapporten visar hur metoden fungerar och är ingen beskrivning av "
            "länet. Alla tal, placeringar och ord om utveckling i texten bygger enbart på de "
            "observerade värdena.\n```")


def data_status_markdown(report: Report) -> str:
    """The observed share on the first page, and what it is computed on."""
    found = report.results.findings
    return (f"{narrative.describe_synthetic_share(found.share_observed)} Andelen gäller de "
            f"{found.n_values} värdena för modellens indikatorer {found.from_year}–"
            f"{report.year} (bakgrundsserier som befolkning ej medräknade). Bara observerade "
            "värden används som fynd.")


def summary_markdown(report: Report) -> str:
    """Key findings written from observed data only (the summary as one text)."""
    return "\n".join([
        f"```{{admonition}} Andel observerade värden\n:class: warning\n"
        f"{data_status_markdown(report)}\n```",
        "", "## Nyckelfynd", key_messages_markdown(report),
        "", "## Forskning eller marknad?", pca_position_markdown(report)])


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
        return ("Axeln mellan forskning och marknad kunde inte beräknas "
                f"({report.results.pca_messages.get('axis', '')}).")
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
        place = ("bland de högsta" if (finding.kind == "strength") == (
            indicator.polarity != "higher_is_worse") else "bland de lägsta")
        riket = ("" if finding.riket_value is None else
                 f"; riket {format_number(finding.riket_value, shown_decimals(finding.riket_value, decimals))}")
        return (f"**{subject}** är {place} i landet: plats {finding.rank} av "
                f"{finding.n_ranked} län {period} ({value}{riket}).")
    verb = "ökat" if (finding.slope or 0) > 0 else "minskat"
    good = "positivt" if finding.kind == "improvement" else "negativt"
    return (f"**{subject}** har {verb} sedan {format_period(finding.from_period)} till "
            f"{value} {period}, en statistiskt säker trend och {good} för "
            "innovationsförmågan.")


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
    answers = (f"cirka {format_number(base.n)}" if base.derived else format_number(base.n))
    return (f"**{escape_myst(indicator.name_sv)}:** "
            f"{survey_report.share_text(leader.share_pct)} av {label} svarade "
            f"{survey_report.quoted(leader.category)} (95\u00a0% konfidensintervall "
            f"{survey_report.interval_text(leader)}; {answers} svar i företagsenkäten "
            f"{format_period(period)}), fler än för något annat svar.")


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
        survey_lines[-1] += (" Enkätens intervall antar ett obundet slumpmässigt urval; med "
                             "låg svarsfrekvens och oviktade svar är osäkerheten större "
                             "(se {ref}`om enkäten <enkat-metod>`).")
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
    lines = ["| Indikator | Senaste observerade värde | Förändring per år | Plats bland länen "
             "| Riket |",
             "|---|--:|--:|--:|--:|"]
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
    note = ("\n\nVärden märkta med \\* är syntetiska (framräknade) och inga uppgifter om länet."
            if synthetic else
            f"\n\nAlla tal i tabellen är observerade. Plats och riket gäller den senaste "
            f"perioden (inom parentes) med observerade värden för länet och minst "
            f"{MIN_COMPARED_REGIONS} län; – betyder att ingen sådan period finns eller att "
            "riket saknar observerat värde då. Förändringen är en linjär trend över länets "
            "observerade värden (perioden inom parentes); – betyder för få värden för en trend.")
    return "\n".join(lines) + note


def glue_summary(report: Report) -> None:
    """The start page's computed parts: key messages, key figures, the data-status note and
    the profile chart."""
    glue_markdown("demo-notice", demonstration_markdown(report))
    glue_markdown("findings", key_messages_markdown(report))
    glue_markdown("key-figures", key_figures_markdown(report) or
                  "Nyckeltalen visas när analysen av observerade värden finns.")
    glue_markdown("data-status", data_status_markdown(report))
    glue_markdown("pca-position", pca_position_markdown(report))
    profile = report.results.profile
    glue_chart("profile", dimension_profile_chart(profile, report.region.name),
               f"{report.region.slug}-profil", profile,
               description=f"Stapeldiagram: {report.region.name}s styrkor och svagheter per "
                           f"dimension {report.year}.")
    glue_markdown("profile-caption", f"{escape_myst(report.region.name)}s placering bland länen per "
                  f"dimension {report.year} (1 = bäst, 0 = sist).{profile_synthetic_note(report)}")


def profile_synthetic_note(report: Report) -> str:
    """What the profile rests on: the innovation index's dimension scores, observed values
    only (dimensions without an index indicator are named as such)."""
    profile = report.results.profile
    if "share_synthetic" in profile and profile["share_synthetic"].fillna(0).gt(0).any():
        share = profile["share_synthetic"].mean()  # results of an older build
        return (f" Länets poäng bygger till {format_number(100 * share, 0)} procent på "
                "syntetiska värden och är därför en illustration, inte ett fynd.")
    missing = profile[profile["profile"] == "no_data"]
    note = (" Poängen är innovationsindexets dimensionspoäng, räknade enbart på observerade "
            "värden (samma placering som i kapitlet om innovationsindexet).")
    if len(missing):
        note += (f" {count_text(len(missing), 'dimension', 'dimensioner').capitalize()} "
                 "saknar indikatorer som är observerade för tillräckligt många län och har "
                 "ingen placering.")
    return note


def show_summary(report: Report) -> None:
    display_markdown(summary_markdown(report))
    _show(dimension_profile_chart(report.results.profile, report.region.name),
          f"{report.region.slug}-profil", report.results.profile,
          f"{escape_myst(report.region.name)}s placering bland länen per dimension {report.year} "
          f"(1 = bäst, 0 = sist).{profile_synthetic_note(report)}")


# -- analysis chapter ------------------------------------------------------------------------------

def show_relative_development(report: Report) -> None:
    table = report.results.relative
    _show(relative_development_chart(table, report.catalogue, report.region.name),
          f"{report.region.slug}-relativ-utveckling", table,
          "Relativ utveckling per indikator. Blått är bättre och rött sämre för "
          "innovationsförmågan än indikatorns eget genomsnitt; för indikatorer där ett högre "
          "värde är sämre (till exempel konkurser) är färgen omvänd.")


def show_dimension_profile(report: Report) -> None:
    profile = report.results.profile
    _show(dimension_profile_chart(profile, report.region.name),
          f"{report.region.slug}-dimensionsprofil", profile,
          f"{escape_myst(report.region.name)}s placering bland länen per dimension, {report.year} (1 = bäst, "
          "0 = sist). Styrka = bästa tredjedelen, svaghet = sämsta tredjedelen.")


def glue_analysis(report: Report) -> None:
    """The analysis chapter's figures (the chapter's text is in its notebook)."""
    table = report.results.relative
    glue_chart("relative", relative_development_chart(table, report.catalogue,
                                                      report.region.name),
               f"{report.region.slug}-relativ-utveckling", table,
               description=f"Värmekarta: relativ utveckling per indikator och år i "
                           f"{escape_myst(report.region.name)}.")
    profile = report.results.profile
    glue_chart("profile", dimension_profile_chart(profile, report.region.name),
               f"{report.region.slug}-dimensionsprofil", profile,
               description=f"Stapeldiagram: {escape_myst(report.region.name)}s placering bland länen per "
                           f"dimension {report.year}.")
    glue_markdown("profile-caption", f"{escape_myst(report.region.name)}s placering bland länen per "
                  f"dimension, {report.year} (1 = bäst, 0 = sist). Styrka = bästa tredjedelen, "
                  f"svaghet = sämsta tredjedelen.{profile_synthetic_note(report)}")


# -- PCA chapter -----------------------------------------------------------------------------------

def pca_summary_markdown(report: Report) -> str:
    """The län's own PCA as what it is: the common development over the years."""
    pca = report.results.region_pca
    if pca is None:
        return (f"Länets egen principalkomponentanalys görs bara på observerade värden, och "
                f"för {escape_myst(report.region.short_name)} finns för få indikatorer med "
                "observerade värden under tillräckligt många år (minst tre år och två "
                "indikatorer efter urvalet), så analysen görs inte.")
    summary = report.results.region_axis
    evr = pca.explained_variance_ratio
    pct = lambda x: f"{narrative.significant_figures(100 * x, 2)} procent"  # noqa: E731
    lines = [
        f"Med åren som observationer beskriver länets egen PCA framför allt den gemensamma "
        f"utvecklingen över tid, inte om länet är forsknings- eller marknadsdrivet. Den första "
        f"komponenten förklarar {pct(summary.pc1_share_before_screening)} av variationen i "
        f"alla {len(pca.screening)} indikatorer och {pct(evr.iloc[0])} när de "
        f"{len(pca.kept_variables)} väl representerade (återgiven andel ≥ "
        f"{format_number(pca.min_cos2, 1)}) analyseras på nytt. Dess korrelation med årtalet "
        f"är {format_number(summary.pc1_year_correlation, 2)}.",
        "",
        f"Oberoende slumpvandringar av samma längd ger i median {pct(summary.null_pc1_share_median)} "
        f"för den första komponenten efter samma urval (95:e percentilen "
        f"{pct(summary.null_pc1_share_p95)}). "
        + ("Länets andel ligger över det, så det finns en gemensam utveckling utöver vad "
           "slumpmässiga trender ger." if evr.iloc[0] > summary.null_pc1_share_p95 else
           "Länets andel ligger inom det som slumpmässiga trender ger, så komponenten visar "
           "inte mer gemensam utveckling än vad som väntas av en slump."),
        "",
        drift_markdown(report),
    ]
    if pca.reliability_message:
        lines += ["", f"```{{admonition}} Osäkerhet\n:class: note\n{pca.reliability_message}\n```"]
    return "\n".join(lines)


def show_pca(report: Report) -> None:
    pca = report.results.region_pca
    display_markdown(pca_summary_markdown(report))
    if pca is None:
        return
    _show(pca_biplot(pca, report.catalogue), f"{report.region.slug}-pca-biplot", pca.to_frame(),
          "Indikatorernas laddningar på de två första komponenterna; färgen visar hur väl "
          "indikatorn representeras (återgiven andel). Forskningsindikatorer till vänster, "
          "marknadsindikatorer till höger.")
    _show(pca_trajectory_chart(pca, report.region.name, report.region.code),
          f"{report.region.slug}-pca-ar", pca.scores,
          f"{escape_myst(report.region.name)}s läge år för år på de två första komponenterna. Ofyllda "
          "punkter vilar till minst hälften på syntetiska värden.")


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
                   pca.to_frame(), description="Laddningsdiagram: indikatorernas laddningar "
                   "på de två första komponenterna.")
        glue_chart("pca-trajectory", pca_trajectory_chart(pca, region.name, region.code),
                   f"{region.slug}-pca-ar", pca.scores,
                   description=f"{region.name}s läge år för år på de två första komponenterna.")
    else:  # the notebook places these keys whatever the data; say why there is no chart
        for key in ("pca-biplot", "pca-trajectory"):
            glue_markdown(key, "*Diagrammet saknas eftersom analysen inte kunde göras.*")
    axis = report.results.axis
    if axis is not None:
        glue_chart("pooled", axis_positions_chart(axis, report.dataset.regions, region.code,
                                                  region.peers),
                   f"{region.slug}-axel-alla-lan",
                   axis_positions_table(axis, report.dataset.regions),
                   description="Alla läns lägen på axeln mellan forskning och marknad med "
                               "95 % konfidensintervall.")
        glue_markdown("pooled-caption", "Alla läns lägen på axeln mellan forskning och marknad "
                      "med 95 % konfidensintervall (åren omdragna i block); forskningssidan "
                      f"till vänster. {escape_myst(region.short_name)} är markerat och "
                      "jämförelselänen är ljusare blå."
                      + ("" if axis.supported else
                         " Axeln stöds inte av observerade data (se texten), så lägena är "
                         "ingen placering av länen."))
    else:
        glue_markdown("pooled", "*Diagrammet saknas eftersom analysen inte kunde göras.*")
        glue_markdown("pooled-caption", "Alla läns lägen på axeln mellan forskning och marknad.")


def show_pooled_pca(report: Report) -> None:
    axis = report.results.axis
    display_markdown(pooled_markdown(report))
    if axis is None:
        return
    _show(axis_positions_chart(axis, report.dataset.regions, report.region.code,
                               report.region.peers),
          f"{report.region.slug}-axel-alla-lan",
          axis_positions_table(axis, report.dataset.regions),
          "Alla läns lägen på axeln mellan forskning och marknad med 95 % konfidensintervall "
          "(åren omdragna i block); forskningssidan till vänster. "
          f"{escape_myst(report.region.short_name)} är markerat och jämförelselänen är "
          "ljusare blå.")


# -- survey chapter --------------------------------------------------------------------------------

def survey_intro_markdown(report: Report) -> str:
    items = survey_items(report)
    if not items:
        return (f"Det finns inga enkätsvar för {escape_myst(report.region.name)} i rapportens data. "
                "METRIC-modellen kompletterar registerstatistiken med en enkät till länets "
                "företag." + (" Enkätresultat läggs till som andelar per svarsalternativ med "
                "`ecoreport import` (se README, avsnittet om årlig uppdatering); kapitlet fylls "
                "då i automatiskt." if is_draft(report) else ""))
    survey = report.dataset.survey
    rows = survey[(survey["region_code"] == report.region.code)
                  & (survey["period_end"] <= report.year)]
    periods = sorted(set(rows["period"]))
    parts = [f"Rapporten använder {count_text(len(items), 'fråga', 'frågor')} ur enkäten till "
             f"företag i {escape_myst(report.region.name)} "
             f"({', '.join(format_period(p) for p in periods)}). Varje fråga redovisas i "
             "kapitlet för sin dimension, med antal svar, vilka företag som fick frågan och "
             "felmarginal."]
    only_survey = [dim for dim in report.catalogue.metric_dimensions()
                   if not report.catalogue.indicators_in(dim.id, kind="register")
                   and any(ind.dimension == dim.id for ind in items)]
    if only_survey:
        names = narrative.join_sv([escape_myst(dim.name_sv) for dim in only_survey])
        parts.append(f"För {names} är enkäten den enda källan.")
    if len(periods) == 1:
        parts.append("Enkäten finns för ett år, så svaren visar läget när den gjordes; de "
                     "kan inte visa utvecklingen över tid eller jämföras med andra län.")
    return " ".join(parts)


def glue_survey_overview(report: Report) -> None:
    """Glue the survey chapter: how the survey was made and the questions."""
    survey_report.glue_overview(report, survey_intro_markdown(report))
