"""Building blocks of the report's chapters: text and charts a notebook displays.

Each ``*_markdown`` / ``*_chart`` function returns content (tested); the ``show_*``
functions display it in the running notebook. Notebooks only call ``show_*``.
"""

from __future__ import annotations

import logging

from ecoreport.analysis import Report
from ecoreport.charts import trend_chart, trend_table
from ecoreport.formatting import format_period

logger = logging.getLogger(__name__)


def _display_markdown(text: str) -> None:
    from IPython.display import Markdown, display

    display(Markdown(text))


def register_indicators(report: Report, dimension_id: str) -> list:
    """The dimension's register indicators that have data for the län (catalogue order)."""
    available = set(report.dataset.values.loc[
        report.dataset.values["region_code"] == report.region.code, "indicator_id"])
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
                     f"{report.region.name} fram till {report.year}.")
    else:
        parts.append(f"Det finns ingen registerstatistik för dimensionen i {report.region.name}.")
    if missing:
        names = ", ".join(ind.name_sv.lower() for ind in missing)
        parts.append(f"Data saknas för: {names}.")
    if survey:
        parts.append(f"Dimensionen har också {len(survey)} frågor i näringslivsenkäten; "
                     "de redovisas i kapitlet om enkätresultat.")
    return "\n".join(parts)


def unit_text(unit) -> str:
    """How a unit reads after a number in running text ("3,48 procent av BRP", "1 591")."""
    if unit.kind == "count":
        return "" if unit.short_sv == "antal" else unit.short_sv
    if unit.kind == "index":
        return ""
    return unit.label_sv


def trend_sentence(report: Report, indicator) -> str:
    """The Swedish sentence on the indicator's development, synthetic values marked."""
    from ecoreport.narrative import describe_trend, describe_unavailable

    trend = report.trend(indicator.id)
    if trend is None:
        return describe_unavailable(indicator.name_sv)
    series = report.series(indicator.id)
    status = dict(zip(series["period"], series["status"]))
    return describe_trend(
        indicator.name_sv, unit_text(report.catalogue.unit(indicator.id)), trend,
        indicator.decimals, polarity=indicator.polarity,
        first_is_synthetic=status.get(trend.first_period) == "synthetic",
        last_is_synthetic=status.get(trend.last_period) == "synthetic")


def indicator_markdown(report: Report, indicator) -> str:
    """Heading, description, the sentence about the trend and the source of one indicator."""
    source = report.catalogue.source(indicator.id)
    sentence = trend_sentence(report, indicator)
    return "\n\n".join(part for part in (
        f"### {indicator.name_sv}",
        indicator.description_sv.strip(),
        sentence,
        f"*Källa: {source.citation_sv}*",
    ) if part)


def show_dimension_intro(report: Report, dimension_id: str) -> None:
    _display_markdown(dimension_intro_markdown(report, dimension_id))


def show_indicator(report: Report, indicator) -> None:
    """Text, trend chart and downloadable numbers of one indicator for the län."""
    from ecoreport.render import show_chart

    _display_markdown(indicator_markdown(report, indicator))
    series = report.series(indicator.id)
    unit = report.catalogue.unit(indicator.id)
    chart = trend_chart(series, indicator, unit, report.region.name, until_year=report.year)
    show_chart(chart, f"{report.region.slug}-{indicator.id}",
               table=trend_table(series, indicator, unit))


__all__ = ["register_indicators", "dimension_intro_markdown", "indicator_markdown",
           "show_dimension_intro", "show_indicator", "format_period"]
