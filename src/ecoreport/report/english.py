"""The "Summary in English" page: the Swedish start page for readers abroad.

It is written from the same results the start page uses (``chapters``: the key messages,
the survey's clearest answers, the data-status notice, the key figures, the dimension
profile; ``innovation_index`` for the index), so its numbers are the start page's. Names
come from the catalogue's English fields (``name_en``, ``label_en``); survey answers are
quoted in Swedish, as the questionnaire asked them. The page is marked ``lang="en"``
(``sphinxext.ENGLISH_PAGES``).
"""

from __future__ import annotations

import math

import pandas as pd

from ecoreport.analysis.findings import DEMONSTRATION_BELOW
from ecoreport.analysis.results import Report
from ecoreport.report import chapters
from ecoreport.markup.formatting import format_period
from ecoreport.markup.escape import escape_myst
from ecoreport.report.innovation_index import group_label
from ecoreport.report.render import glue_markdown

#: The survey bases (``vocab.SURVEY_BASE_LABELS``) in English.
SURVEY_BASE_EN = {"all_firms": "all firms", "innovating_firms": "firms that innovate"}
#: The normalisations (``vocab.NORMALISATIONS``) in English, after a unit.
NORMALISATION_EN = {"none": "", "per_capita": "per 100,000 inhabitants",
                    "per_employed": "per 1,000 inhabitants aged 20–64"}


def _number(x: float, decimals: int = 0) -> str:
    """English number format: 1,234.5; a minus sign for negatives."""
    text = f"{abs(x):,.{decimals}f}"
    return ("\u2212" if round(x, decimals) < 0 else "") + text


def _value(x: float, decimals: int) -> str:
    """A value with the start page's precision (at most three significant figures)."""
    return _number(x, chapters.shown_decimals(x, decimals))


def _period(period: str) -> str:
    return format_period(period)


def _unit(report: Report, indicator) -> str:
    """The indicator's unit after a number, in English ("percent of GRP", "per 100,000
    inhabitants")."""
    unit = report.catalogue.units[indicator.unit]
    per = NORMALISATION_EN.get(indicator.normalise, "")
    if unit.kind == "index" and not per:
        return ""
    if unit.kind == "count" and per:
        return per
    return f"{unit.label_en} {per}".strip()


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def data_status_markdown(report: Report) -> str:
    """The start page's data-status notice (``chapters.data_status_markdown``) in English."""
    found = report.results.findings
    share = 100 * float(found.share_observed)
    if share >= 100:
        share_text = "All"
    elif share <= 0:
        share_text = "None"
    else:
        share_text = ("Under 1 %" if round(share) == 0 else
                      "Over 99 %" if round(share) == 100 else f"{_number(share)} %")
    return (f"{share_text} of the {_number(found.n_values)} values of the model's indicators "
            f"for {escape_myst(report.region.name)} in {found.from_year}–{report.year} are "
            "observed (background series such as population not counted); the rest are "
            "synthetic (computed by ecoreport to complete the series) and are not facts about "
            "the region. They only draw charts: every number, rank and statement of the "
            "report is computed from the observed values alone"
            + (", and with so few of them the report is a demonstration of the method"
               if found.share_observed < DEMONSTRATION_BELOW else "") + ".")


def finding_sentence(report: Report, finding) -> str:
    """A key message from an observed finding (``chapters.finding_sentence`` in English)."""
    indicator = report.catalogue.indicator(finding.indicator_id)
    name = escape_myst(indicator.name_en)
    decimals = chapters.normalised_decimals(report.catalogue, indicator.id)
    unit = escape_myst(_unit(report, indicator))
    value = f"{_value(finding.value_normalised, decimals)} {unit}".strip()
    period = _period(finding.period)
    if finding.kind in ("strength", "weakness"):
        place = ("among the highest" if (finding.kind == "strength") == (
            indicator.polarity != "higher_is_worse") else "among the lowest")
        riket = ("" if finding.riket_value is None else
                 f"; Sweden {_value(finding.riket_value, decimals)}")
        return (f"**{name}** is {place} in Sweden: rank {finding.rank} of "
                f"{finding.n_ranked} regions in {period} ({value}{riket}).")
    verb = "risen" if (finding.slope or 0) > 0 else "fallen"
    good = "favourable" if finding.kind == "improvement" else "unfavourable"
    return (f"**{name}** has {verb} since {_period(finding.from_period)} to {value} in "
            f"{period}, a statistically significant trend, {good} for the capacity to "
            "innovate.")


def survey_sentence(indicator, period: str, leader, result) -> str:
    """A survey key message (``chapters.survey_message_sentence`` in English)."""
    base = result.base
    answers = f"about {_number(base.n)}" if base.derived else _number(base.n)
    return (f"**{escape_myst(indicator.name_en)}:** {_number(leader.share_pct)} % of "
            f"{SURVEY_BASE_EN.get(base.kind, base.kind)} answered "
            f"\u201c{escape_myst(leader.category)}\u201d (95 % confidence interval "
            f"{_number(leader.low_pct)}–{_number(leader.high_pct)} %; {answers} answers in the "
            f"business survey {_period(period)}), more than any other answer.")


def key_messages_markdown(report: Report) -> str:
    """The start page's key messages (the same findings and survey answers) in English."""
    if getattr(report.results, "findings", None) is None:
        return "The key messages need the analysis of observed values, which is missing."
    found = report.results.findings
    chosen = chapters.key_messages(report)
    lines = [f"- {finding_sentence(report, f)}" for f in chosen]
    room = max(0, min(chapters.SURVEY_MESSAGES_MAX, chapters.KEY_MESSAGES_MAX - len(lines)))
    survey = chapters.survey_key_messages(report, room)
    lines += [f"- {survey_sentence(*message)}" for message in survey]
    if survey:
        lines += ["", "Survey answers are quoted in Swedish, as the questionnaire put them."]
    if found.too_few:
        n = len(found.findings)
        count = {0: "no finding", 1: "one finding", 2: "two findings"}.get(n, f"{n} findings")
        lines += ["", f"The register statistics give {count} based on observed values, "
                  "fewer than three, so this summary draws no conclusions from them; ranks "
                  "and trends that rest on synthetic values are not reported as findings."]
    return "\n".join(lines) if lines else "There are no findings based on observed values."


def strengths_markdown(report: Report) -> str:
    """Strengths and weaknesses in words: the dimension profile of the start page's chart
    (the län's standing among the län per dimension)."""
    profile = report.results.profile
    if profile is None or profile.empty:
        return "The dimension profile could not be computed."
    name = escape_myst(report.region.name)

    def names(kind: str) -> list[str]:
        rows = profile[profile["profile"] == kind].sort_values("rank")
        return [f"{escape_myst(report.catalogue.dimension(r.dimension).name_en.lower())} "
                f"(rank {int(r.rank)} of {int(r.n_regions)})" for r in rows.itertuples()]

    def join(items: list[str]) -> str:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    strong, weak = names("strength"), names("weakness")
    parts = []
    parts.append(f"Compared with the other regions in {report.year}, {name} stands out in "
                 + (join(strong) if strong else "no dimension") + ".")
    parts.append("It lags behind in " + (join(weak) if weak else "no dimension") + ".")
    share = profile["share_synthetic"].mean()
    if share and not math.isnan(share):
        parts.append(f"These scores rest to {_number(100 * share)} % on synthetic values, so "
                     "they illustrate the method rather than describe the region.")
    return " ".join(parts)


def key_figures_markdown(report: Report) -> str:
    """The start page's key figures (one indicator per dimension) in English, each with its
    year; synthetic values marked."""
    rows = chapters.key_figure_rows(report)
    if rows.empty:
        return "The key figures need the analysis of observed values, which is missing."
    lines = ["| Indicator | Value (year) | Change per year | Rank of 21 | Sweden |",
             "|---|--:|--:|--:|--:|"]
    synthetic = False
    for row in rows.itertuples():
        indicator = report.catalogue.indicator(row.indicator_id)
        decimals = chapters.normalised_decimals(report.catalogue, indicator.id)
        mark = ""
        if row.status == "synthetic":
            mark, synthetic = "\\*", True
        change = "–"
        if pd.notna(row.change_per_year):
            change = _number(row.change_per_year, max(decimals, 1) if abs(
                row.change_per_year) < 10 else 0)
            if row.change_claim != "significant":
                change += " (uncertain)"
        rank = "–" if pd.isna(row.rank) else f"{int(row.rank)}"
        riket = "–" if pd.isna(row.riket_value) else _value(row.riket_value, decimals)
        unit = escape_myst(_unit(report, indicator))
        title = escape_myst(indicator.name_en)
        lines.append(f"| {title}{f' ({unit})' if unit else ''} | "
                     f"{_value(row.value_normalised, decimals)}{mark} ({_period(row.period)}) | "
                     f"{change} | {rank} | {riket} |")
    note = ("\n\nValues marked \\* are synthetic (computed by ecoreport) and are not facts "
            "about the region." if synthetic else "")
    return "\n".join(lines) + note


def index_markdown(report: Report) -> str:
    """The län's place in the innovation index (observed values only), with its interval,
    group and the group's share of the simulations."""
    index = report.results.index
    row = index.region_row(report.region.code) if index is not None else {}
    if not row:
        return "The index cannot be computed for this region and year."
    name = escape_myst(report.region.name)
    if row["rank"] is None:
        return (f"{name} is not ranked on the composite innovation index {report.year}: it "
                f"has observed values for {row['n_indicators']} of the index's "
                f"{row['n_index_indicators']} indicators.")
    text = (f"{name} ranks **{row['rank']} of {row['n_ranked']}** Swedish regions (län) on the "
            f"composite innovation index {report.year}, computed on observed values only "
            f"({row['n_index_indicators']} indicators observed for most län); "
            + ("it keeps that rank" if row["rank_p05"] == row["rank_p95"] else
               f"90 % of the results lie between ranks {row['rank_p05']} and {row['rank_p95']}")
            + " when the method choices (normalisation, weights, aggregation, missing values) "
            "and the indicators are varied.")
    if row["group"]:
        group = group_label(row["group"], "en").lower()
        odds = row.get("group_probabilities") or {}
        share = (f" ({_number(100 * odds[row['group']])} % of the simulations)"
                 if row["group"] in odds else "")
        text += (f" Its index is {_number(row['pct_of_riket'])} % of the national value, "
                 f"which makes it {_article(group)} **{group}** with the default "
                 f"choices{share} (leaders ≥ 125 %, strong 100–125 %, moderate 70–100 %, "
                 "emerging < 70 %, as in the EU Regional Innovation Scoreboard).")
    return text


def english_summary_markdown(report: Report) -> str:
    """The whole page below its title, in English."""
    name = escape_myst(report.region.name)
    return "\n".join([
        f"This report describes the regional innovation ecosystem of {name}, Sweden, in "
        f"{report.year}, using the METRIC model: eleven dimensions, each measured by "
        "indicators from official statistics and a survey of the region's firms. The rest "
        "of the report is in Swedish; this page gives its key messages and figures.", "",
        "```{admonition} Observed and synthetic values\n:class: warning\n"
        f"{data_status_markdown(report)}\n```", "",
        "## Key messages", "", key_messages_markdown(report), "",
        "## Strengths and weaknesses", "", strengths_markdown(report), "",
        "## Key figures", "",
        "One indicator per dimension: the latest value and its year, the average change per "
        "year since 2013 (a linear trend; *uncertain* when it is not statistically "
        "significant), the rank among the 21 regions (1 is best) and the national value.",
        "", key_figures_markdown(report), "",
        "## Innovation index", "", index_markdown(report),
    ])


def glue_english_summary(report: Report) -> None:
    glue_markdown("english-summary", english_summary_markdown(report))
