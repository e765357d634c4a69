"""The "Summary in English" page: key messages, key figures and the index, for readers
abroad. Names come from the catalogue's English fields (``name_en``)."""

from __future__ import annotations


from ecoreport.analysis.findings import DEMONSTRATION_BELOW
from ecoreport.analysis.results import Report
from ecoreport.report.chapters import share_observed
from ecoreport.report.innovation_index import escape_md, group_label
from ecoreport.report.render import glue_markdown


def _number(x: float, decimals: int = 0) -> str:
    return f"{x:,.{decimals}f}"


def _trend_line(report: Report, indicator) -> str:
    trend = report.trend(indicator.id)
    unit = report.catalogue.units[indicator.unit].label_en
    d = indicator.decimals + 1
    return (f"- {escape_md(indicator.name_en)}: {_number(trend.slope, d)} {escape_md(unit)} "
            f"per year (95 % CI {_number(trend.slope_ci_low, d)} to "
            f"{_number(trend.slope_ci_high, d)}), {trend.first_period}–{trend.last_period}.")


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def english_summary_markdown(report: Report) -> str:
    """The whole page below its title, in English."""
    name = escape_md(report.region.name)
    lines = [f"This report describes the regional innovation ecosystem of {name}, Sweden, "
             f"in {report.year}, using the METRIC model: eleven dimensions, each measured by "
             "indicators from official statistics and, where available, a business survey. "
             "The rest of the report is in Swedish; this page gives its key figures and "
             "messages.", ""]
    observed = share_observed(report)
    window = f"{report.results.findings.from_year}–{report.year}"
    lines += [f"```{{admonition}} Observed and synthetic values\n:class: warning\n"
              f"{_number(100 * observed)} % of the values of the model's indicators for "
              f"{name} in {window} are observed; the rest are synthetic (computed by ecoreport to complete the "
              "series) and are not facts about the region. They only draw charts: every "
              "number, rank and statement of the report is computed from the observed "
              "values alone"
              + (", and with so few of them the report is a demonstration of the method"
                 if observed < DEMONSTRATION_BELOW else "")
              + ".\n```", ""]
    index = report.results.index
    row = index.region_row(report.region.code) if index is not None else {}
    lines.append("## Innovation index")
    if row and row["rank"] is None:
        lines.append(f"{name} is not ranked on the composite innovation index: it has observed "
                     f"values for {row['n_indicators']} of the index's "
                     f"{row['n_index_indicators']} indicators.")
    elif row and row["group"]:
        group = group_label(row["group"], "en").lower()
        odds = row.get("group_probabilities") or {}
        lines.append(
            f"{name} ranks **{row['rank']} of {row['n_ranked']}** Swedish regions (län) on the "
            f"composite innovation index, computed on observed values only "
            f"({row['n_index_indicators']} indicators observed for most län), 90 % rank "
            f"interval {row['rank_p05']}–{row['rank_p95']} when the method choices "
            f"(normalisation, weights, aggregation, missing values) and the indicators "
            f"are varied. Its index is {_number(row['pct_of_riket'])} % of the national value, "
            f"which makes it {_article(group)} **{group}** with the default choices "
            f"({_number(100 * odds[row['group']]) + ' % of the simulations; ' if row['group'] in odds else ''}"
            "leaders ≥ 125 %, strong 100–125 %, moderate 70–100 %, emerging < 70 %, as in "
            "the EU Regional Innovation Scoreboard).")
        dims = index.dimensions[index.dimensions["region_code"] == report.region.code]
        dims = dims.dropna(subset=["rank"]).sort_values(["rank", "dimension"])
        if not dims.empty:
            lines += ["", "| Dimension | Rank among the 21 län | % of national value |",
                      "|---|---:|---:|"]
            for r in dims.itertuples():
                lines.append(f"| {escape_md(report.catalogue.dimension(r.dimension).name_en)} | "
                             f"{int(r.rank)} | {_number(r.pct_of_riket)} |")
    else:
        lines.append("The index cannot be computed for this region and year.")
    found = report.results.findings
    improving, worsening = ([report.catalogue.indicator(f.indicator_id) for f in
                             found.of_kind(kind)] for kind in ("improvement", "decline"))
    lines += ["", "## Key messages", "", "Largest improvements (statistically significant "
              f"linear trends over {window}, observed values only):"]
    lines += [_trend_line(report, ind) for ind in improving] or ["- None."]
    lines += ["", "Largest declines:"]
    lines += [_trend_line(report, ind) for ind in worsening] or ["- None."]
    return "\n".join(lines)




def glue_english_summary(report: Report) -> None:
    glue_markdown("english-summary", english_summary_markdown(report))
