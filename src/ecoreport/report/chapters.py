"""Building blocks of the report's chapters: the text and charts a notebook displays.

Functions named ``*_markdown``/``*_table``/``*_findings`` return content (unit-tested);
``show_*`` display it in the running notebook. Notebooks only call ``show_*`` (and loop).
"""

from __future__ import annotations

import logging
import math

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
from ecoreport.report.charts.pca import pca_biplot, pca_trajectory_chart, pooled_positions_chart
from ecoreport.report.charts.survey import survey_chart, survey_table
from ecoreport.report.formatting import format_number, format_percent, format_period
from ecoreport.report.render import show_chart
from ecoreport.report.render import upcoming_figure_number

logger = logging.getLogger(__name__)

SUMMARY_FINDINGS = 3  # improvements and declines named on the summary page


def _display_markdown(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))


def _show(chart, name: str, table: pd.DataFrame | None, caption: str) -> int:
    return show_chart(chart, name, table=table, caption=caption)


def unit_text(unit) -> str:
    """How a unit reads after a number in running text ("3,48 procent av BRP", "1 591")."""
    if unit.kind == "count":
        return "" if unit.short_sv == "antal" else unit.short_sv
    if unit.kind == "index":
        return ""
    return unit.label_sv


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


def dimension_intro_markdown(report: Report, dimension_id: str) -> str:
    """The opening paragraph of a dimension chapter."""
    dimension = report.catalogue.dimension(dimension_id)
    shown = register_indicators(report, dimension_id)
    missing = [ind for ind in report.catalogue.indicators_in(dimension_id, kind="register")
               if ind not in shown]
    survey = report.catalogue.indicators_in(dimension_id, kind="survey")
    parts = [dimension.description_sv.strip(), ""]
    if shown:
        parts.append(f"Kapitlet visar {len(shown)} indikatorer ur registerstatistiken för "
                     f"{report.region.name} fram till {report.year}: utvecklingen över tid och "
                     "en jämförelse med övriga län, riket och länets jämförelselän.")
    else:
        parts.append(f"Det finns ingen registerstatistik för dimensionen i {report.region.name}.")
    if missing:
        names = narrative.join_sv([narrative.lower_first(ind.name_sv) for ind in missing])
        parts.append(f"Data saknas för {names}.")
    if survey:
        also = "också " if shown else ""
        questions = "1 fråga" if len(survey) == 1 else f"{len(survey)} frågor"
        parts.append(f"Dimensionen har {also}{questions} i näringslivsenkäten; "
                     "svaren redovisas i kapitlet Enkätresultat.")
    return "\n".join(parts)


def trend_sentence(report: Report, indicator) -> str:
    """The Swedish sentence on the indicator's development, synthetic values marked."""
    trend = report.trend(indicator.id)
    if trend is None:
        return narrative.describe_unavailable(indicator.name_sv)
    series = report.series(indicator.id)
    return narrative.describe_trend(
        indicator.name_sv, unit_text(report.catalogue.unit(indicator.id)), trend,
        indicator.decimals, polarity=indicator.polarity,
        first_is_synthetic=is_synthetic(series, trend.first_period),
        last_is_synthetic=is_synthetic(series, trend.last_period))


def format_p_value(p: float) -> str:
    """"p = 0,034", or "p < 0,001" rather than a misleading "p = 0,000"."""
    return "p < 0,001" if p < 0.001 else f"p = {format_number(p, 3)}"


def trend_figures_markdown(report: Report, indicator) -> str:
    """The trend's numbers in one line: slope with its interval, p-value, yearly change."""
    trend = report.trend(indicator.id)
    if trend is None or trend.status != "ok":
        return ""
    unit = report.catalogue.unit(indicator.id)
    d = indicator.decimals + 1
    parts = [f"Linjär trend: {format_number(trend.slope, d)} {unit.short_sv} per år "
             f"(95 % konfidensintervall {format_number(trend.slope_ci_low, d)} till "
             f"{format_number(trend.slope_ci_high, d)}; {format_p_value(trend.p_value)}; "
             f"n = {trend.n})"]
    if not math.isnan(trend.cagr_pct):
        parts.append(f"genomsnittlig årlig förändring {format_percent(trend.cagr_pct, 1)}")
    if not math.isnan(trend.change_prev_pct):
        parts.append(f"förändring sedan {format_period(trend.previous_period)} "
                     f"{format_percent(trend.change_prev_pct, 1)}")
    return "*" + "; ".join(parts) + ".*"


def comparison_markdown(report: Report, indicator) -> str:
    """Rank among the län, and the län against Riket and its peer group."""
    table = report.results.comparisons.get(indicator.id)
    if table is None:
        return ""
    own = table[table["region_code"] == report.region.code]
    if own.empty or pd.isna(own.iloc[0]["rank"]):
        return ""
    row = own.iloc[0]
    decimals = normalised_decimals(report.catalogue, indicator.id)
    # "antal företag per 100 000 invånare" reads "544,4 företag per …" after a number
    unit = str(row["normalised_unit"]).removeprefix("antal ")
    synthetic = row["status"] == "synthetic"
    sentences = [narrative.describe_rank(
        indicator.name_sv, report.region.short_name, int(row["rank"]), int(row["n_ranked"]),
        row["period"], highest_first=indicator.polarity != "higher_is_worse",
        is_synthetic=synthetic)]
    sentences.append(narrative.describe_vs_reference(
        indicator.name_sv, report.region.short_name, row["value_normalised"],
        row["riket_value"], unit, decimals, row["period"], polarity=indicator.polarity,
        is_synthetic=synthetic))
    if not pd.isna(row["peer_mean"]):
        sentences.append(narrative.describe_vs_reference(
            indicator.name_sv, report.region.short_name, row["value_normalised"],
            row["peer_mean"], unit, decimals, row["period"],
            reference_name="jämförelselänens medelvärde", polarity=indicator.polarity,
            is_synthetic=synthetic))
    return " ".join(sentences)


def indicator_markdown(report: Report, indicator, figure: int | None = None) -> str:
    """Heading, description, the sentence about the trend and the source of one indicator;
    ``figure`` is the number of the trend chart that follows, for the cross-reference."""
    source = report.catalogue.source(indicator.id)
    see = f" (figur {figure})" if figure else ""
    return "\n\n".join(part for part in (
        f"## {indicator.name_sv}",
        indicator.description_sv.strip(),
        trend_sentence(report, indicator).rstrip(".") + see + ".",
        trend_figures_markdown(report, indicator),
        f"*Källa: {source.citation_sv}.*",
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
    _display_markdown(dimension_intro_markdown(report, dimension_id))


def show_indicator(report: Report, indicator) -> None:
    """Text, trend chart, comparison with the other län and downloadable numbers."""
    _display_markdown(indicator_markdown(report, indicator, upcoming_figure_number()))
    series = report.series(indicator.id)
    unit = report.catalogue.unit(indicator.id)
    chart = trend_chart(series, indicator, unit, report.region.name, until_year=report.year)
    hollow = " Ofyllda punkter är syntetiska värden." if (
        series["status"] == "synthetic").any() else ""
    _show(chart, f"{report.region.slug}-{indicator.id}", trend_table(series, indicator, unit),
          f"{indicator.name_sv} i {report.region.name}, {unit.label_sv}.{hollow}")
    comparison = comparison_markdown(report, indicator)
    if comparison:
        _display_markdown(f"{comparison} Figur {upcoming_figure_number()} jämför alla län.")
        table = report.results.comparisons[indicator.id]
        _show(region_comparison_chart(table, report.catalogue, indicator.id, report.region.code),
              f"{report.region.slug}-{indicator.id}-lan", comparison_table(report, indicator),
              f"{indicator.name_sv}: alla län, senaste period till och med {report.year}.")


# -- summary -------------------------------------------------------------------------------------

def share_observed(report: Report) -> float:
    """Share of the län's register values up to the report year that are observed."""
    values = report.dataset.values
    rows = values[(values["region_code"] == report.region.code)
                  & (values["period_end"] <= report.year)]
    return float((rows["status"] == "observed").mean()) if len(rows) else 0.0


def strongest_changes(report: Report, n: int = SUMMARY_FINDINGS) -> tuple[list, list]:
    """The indicators that improved and worsened most (significant trends, relative slope)."""
    trends = report.results.trends
    trends = trends[(trends["status"] == "ok") & trends["is_significant"]
                    & trends["assessment"].isin(["improving", "worsening"])].copy()
    level = trends[["first_value", "last_value"]].abs().mean(axis=1)
    trends["relative_slope"] = (trends["slope"] / level.where(level > 0)).abs()
    trends = trends.dropna(subset=["relative_slope"]).sort_values(
        ["relative_slope", "indicator_id"], ascending=[False, True])
    return tuple(
        [report.catalogue.indicator(i)
         for i in trends.loc[trends["assessment"] == assessment, "indicator_id"].head(n)]
        for assessment in ("improving", "worsening"))


def summary_markdown(report: Report) -> str:
    """Key findings written from the data."""
    profile = report.results.profile
    strengths = profile.loc[profile["profile"] == "strength", "name_sv"].tolist()
    weaknesses = profile.loc[profile["profile"] == "weakness", "name_sv"].tolist()
    improving, worsening = strongest_changes(report)
    lines = [
        f"Sammanfattningen bygger på {report.region.name}s indikatorer fram till "
        f"{report.year}.",
        "",
        f"```{{admonition}} Andel observerade värden\n:class: warning\n"
        f"{narrative.describe_synthetic_share(share_observed(report))}\n```",
        "",
        "## Styrkor och svagheter",
        narrative.describe_dimension_strengths(strengths, weaknesses),
        "Styrkor och svagheter avgörs av länets placering bland de 21 länen per dimension "
        "(översta respektive nedersta tredjedelen), se kapitlet Analys.",
        "",
        "## Största förbättringar",
    ]
    lines += [f"- {trend_sentence(report, ind)}" for ind in improving] or [
        "- Ingen indikator har en statistiskt säker positiv trend."]
    lines += ["", "## Största försämringar"]
    lines += [f"- {trend_sentence(report, ind)}" for ind in worsening] or [
        "- Ingen indikator har en statistiskt säker negativ trend."]
    lines += ["", "## Forskning eller marknad?", pca_position_markdown(report)]
    return "\n".join(lines)


def pca_position_markdown(report: Report) -> str:
    """Where the län sits and drifts on the research-versus-market axis."""
    pca = report.results.region_pca
    if pca is None:
        return ("Det finns för få år med data för att placera länet på axeln mellan forskning "
                f"och marknad ({report.results.pca_messages.get('region', '')}).")
    scores = pca.scores.sort_values("year")
    text = narrative.describe_pca_position(
        report.region.short_name, scores["year"].tolist(), scores["PC1"].tolist(),
        explained_variance_pct=100 * float(pca.explained_variance_ratio.iloc[0]),
        is_synthetic=(scores["share_synthetic"] >= 0.5).tolist())
    return text + " " + narrative.describe_correlation(
        pca.research_market_corr, "forskningsindexet", "marknadsindexet")


def show_summary(report: Report) -> None:
    _display_markdown(summary_markdown(report))
    _show(dimension_profile_chart(report.results.profile, report.region.name),
          f"{report.region.slug}-profil", report.results.profile,
          f"{report.region.name}s styrkor och svagheter per dimension {report.year} "
          "(0 = lägst bland länen, 1 = högst).")


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
          f"{report.region.name} jämfört med länens median per dimension, {report.year}.")


# -- PCA chapter -----------------------------------------------------------------------------------

def pca_summary_markdown(report: Report) -> str:
    """Explained variance, kept indicators, the correlation and the years along PC1."""
    pca = report.results.region_pca
    if pca is None:
        return report.results.pca_messages.get("region", "PCA kunde inte beräknas.")
    evr = pca.explained_variance_ratio
    names = [report.catalogue.indicator(i).name_sv for i in pca.kept_variables]
    order = pca.scores.sort_values("PC1")["year"].astype(int).astype(str).tolist()
    lines = [
        f"Den första komponenten förklarar {format_percent(100 * evr.iloc[0], 1)} och den "
        f"andra {format_percent(100 * evr.iloc[1], 1)} av variationen. Analysen bygger på "
        f"{pca.n_observations} år och {len(names)} indikatorer som är väl representerade "
        f"(cos² ≥ {format_number(pca.min_cos2, 1)}).",
        "",
        pca_position_markdown(report),
        "",
        f"Åren ordnade längs den första komponenten, från forskningssidan till "
        f"marknadssidan: {', '.join(order)}.",
    ]
    if pca.reliability_message:
        lines += ["", f"```{{admonition}} Osäkerhet\n:class: note\n{pca.reliability_message}\n```"]
    boot = report.results.region_bootstrap
    if boot is not None:
        uncertain = boot.loadings.index[boot.loadings["is_uncertain_pc1"]].tolist()
        lines += ["", f"I {format_percent(100 * boot.sign_stability, 0)} av {boot.n_boot} "
                  "omsamplingar (bootstrap) behåller den första komponenten sin riktning."]
        if uncertain:
            lines.append("Osäkra laddningar (intervallet omfattar noll): " + narrative.join_sv(
                [narrative.lower_first(report.catalogue.indicator(i).name_sv)
                 for i in uncertain]) + ".")
    return "\n".join(lines)


def show_pca(report: Report) -> None:
    pca = report.results.region_pca
    _display_markdown(pca_summary_markdown(report))
    if pca is None:
        return
    _show(pca_biplot(pca, report.catalogue), f"{report.region.slug}-pca-biplot", pca.to_frame(),
          "Indikatorernas laddningar på de två första komponenterna; färgen visar hur väl "
          "indikatorn representeras (cos²). Forskningsindikatorer till vänster, "
          "marknadsindikatorer till höger.")
    _show(pca_trajectory_chart(pca, report.region.name, report.region.code),
          f"{report.region.slug}-pca-ar", pca.scores,
          f"{report.region.name}s läge år för år på de två första komponenterna. Ofyllda "
          "punkter vilar till minst hälften på syntetiska värden.")


def pooled_markdown(report: Report) -> str:
    pooled = report.results.pooled_pca
    if pooled is None:
        return report.results.pca_messages.get("pooled", "")
    positions = pooled.positions(report.year).sort_values("PC1").reset_index(drop=True)
    names = {r.code: r.short_name for r in report.dataset.regions}
    place = int(positions.index[positions["region_code"] == report.region.code][0]) + 1
    return (f"I en gemensam analys av alla 21 län {pooled.scores['year'].min()}–"
            f"{pooled.scores['year'].max()} förklarar den första komponenten "
            f"{format_percent(100 * pooled.explained_variance_ratio.iloc[0], 1)} av variationen. "
            f"{report.year} ligger {report.region.short_name} som nummer {place} av "
            f"{len(positions)} räknat från forskningssidan; längst åt forskningshållet ligger "
            f"{names.get(positions['region_code'].iloc[0])} och längst åt marknadshållet "
            f"{names.get(positions['region_code'].iloc[-1])}.")


def show_pooled_pca(report: Report) -> None:
    pooled = report.results.pooled_pca
    _display_markdown(pooled_markdown(report))
    if pooled is None:
        return
    _show(pooled_positions_chart(pooled, report.dataset.regions, report.region.code, report.year),
          f"{report.region.slug}-pca-alla-lan", pooled.positions(report.year),
          f"Alla läns lägen {report.year} på den gemensamma axeln; {report.region.short_name}s "
          "väg över åren är markerad.")


# -- survey chapter --------------------------------------------------------------------------------

def survey_items(report: Report) -> list:
    """Survey items with answers for the län in the report year or before."""
    survey = report.dataset.survey
    rows = survey[(survey["region_code"] == report.region.code)
                  & (survey["period_end"] <= report.year)]
    present = set(rows["indicator_id"])
    return [ind for ind in report.catalogue.indicators_by_kind("survey") if ind.id in present]


def survey_intro_markdown(report: Report) -> str:
    items = survey_items(report)
    if not items:
        return (f"Det finns inga enkätsvar för {report.region.name} i rapportens data. "
                "METRIC-modellen kompletterar registerstatistiken med en enkät till länets "
                "företag. Enkätresultat läggs till som andelar per svarsalternativ med "
                "`ecoreport import` (se README, avsnittet om årlig uppdatering); kapitlet fylls "
                "då i automatiskt.")
    survey = report.dataset.survey
    rows = survey[survey["region_code"] == report.region.code]
    periods = sorted(set(rows["period"]))
    return (f"Enkätsvaren kommer från {len(items)} frågor till företag i {report.region.name} "
            f"({', '.join(format_period(p) for p in periods)}). Staplarna visar andelen "
            "företag per svarsalternativ; svarsalternativ som inte redovisats i källan saknas, "
            "så andelarna summerar inte alltid till 100 procent.")


def show_survey(report: Report) -> None:
    _display_markdown(survey_intro_markdown(report))
    survey = report.dataset.survey
    for indicator in survey_items(report):
        rows = survey[(survey["region_code"] == report.region.code)
                      & (survey["indicator_id"] == indicator.id)]
        dimension = report.catalogue.dimension(indicator.dimension).name_sv
        source = report.catalogue.source(indicator.id)
        _display_markdown(f"## {indicator.name_sv}\n\n*{dimension}.* "
                          f"{indicator.question_sv}\n\n*Källa: {source.citation_sv}.*")
        _show(survey_chart(rows, indicator), f"{report.region.slug}-{indicator.id}",
              survey_table(rows, indicator), f"{indicator.question_sv} Andel av företagen.")
