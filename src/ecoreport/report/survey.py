"""The business survey in the report: each question's answers with the number of answers,
the base, the margin of error and every answer category (dimension chapters), and the
survey's method and overview (the survey chapter).

The estimates come from :mod:`ecoreport.analysis.survey` (method and its reasons are
there); the survey's design from its source in ``sources.yaml``. Everything from the data
(questions, categories, design texts) is escaped before it is rendered. The sentences
only claim what the intervals show.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from ecoreport.analysis import survey as estimates
from ecoreport.analysis.results import Report
from ecoreport.data.vocab import SURVEY_BASE_LABELS
from ecoreport.report.charts.survey import survey_chart, survey_table
from ecoreport.markup.escape import escape_myst
from ecoreport.report.draft import is_draft
from ecoreport.markup.formatting import NBSP, en_dash_ranges, format_number, format_period
from ecoreport.markup.tables import markdown_table
from ecoreport.report.narrative import join_sv
from ecoreport.report.render import glue_chart, glue_markdown
from ecoreport.report.texts import text

# The bar for the categories the source leaves out (together, never split).
REMAINDER_LABEL = "ej redovisat i källan"
MONTHS_SV = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
             "september", "oktober", "november", "december")


# --- which answers ------------------------------------------------------------------------

def survey_items(report: Report) -> list:
    """Survey items with answers for the län in the report year or before."""
    survey = report.dataset.survey
    rows = survey[(survey["region_code"] == report.region.code)
                  & (survey["period_end"] <= report.year)]
    present = set(rows["indicator_id"])
    return [ind for ind in report.catalogue.indicators_by_kind("survey") if ind.id in present]


def survey_rows(report: Report, indicator_id: str) -> pd.DataFrame:
    survey = report.dataset.survey
    return survey[(survey["region_code"] == report.region.code)
                  & (survey["indicator_id"] == indicator_id)
                  & (survey["period_end"] <= report.year)]


def survey_design(report: Report, source_id: str, period: str):
    """The declared design of the survey behind the län's answers of ``period`` from
    ``source_id`` (None when ``sources.yaml`` does not declare it)."""
    source = report.catalogue.sources.get(source_id)
    design = getattr(source, "survey", None)
    if design is None or design.region_code != report.region.code \
            or str(design.period) != str(period):
        return None
    return design


def designs(report: Report) -> list:
    """The declared designs of the surveys the län's answers come from (source order)."""
    survey = report.dataset.survey
    rows = survey[(survey["region_code"] == report.region.code)
                  & (survey["period_end"] <= report.year)]
    found = []
    for source_id, period in rows[["source_id", "period"]].drop_duplicates().itertuples(
            index=False):
        design = survey_design(report, source_id, period)
        if design is not None and design not in found:
            found.append(design)
    return found


def question_results(report: Report, indicator) -> list[tuple[str, estimates.QuestionResult]]:
    """(period, estimates) of the question, oldest period first."""
    survey = report.dataset.survey
    mine = survey[(survey["region_code"] == report.region.code)
                  & (survey["period_end"] <= report.year)]
    results = []
    rows = survey_rows(report, indicator.id)
    for period in sorted(set(rows["period"]), key=lambda p: (len(str(p)), str(p))):
        of_period = rows[rows["period"] == period]
        source_id = str(of_period["source_id"].iloc[0])
        design = survey_design(report, source_id, period)
        same_survey = mine[(mine["period"] == period) & (mine["source_id"] == source_id)]
        by_item = {item: dict(zip(group["category"], group["share_pct"].astype(float)))
                   for item, group in same_survey.groupby("indicator_id")}
        base = estimates.question_base(indicator.base, design, by_item)
        shares = dict(zip(of_period["category"], of_period["share_pct"].astype(float)))
        results.append((str(period), estimates.question_result(indicator.categories, shares,
                                                               base)))
    return results


# --- words --------------------------------------------------------------------------------

def quoted(category: str) -> str:
    """An answer category as the text quotes it: ”ja”."""
    return f"\u201d{escape_myst(en_dash_ranges(category))}\u201d"


def share_text(value: float) -> str:
    return f"{format_number(value, 0)}{NBSP}%"


def interval_text(share: estimates.CategoryShare) -> str:
    """"52–63 %" (empty without an interval)."""
    if share.low_pct is None:
        return ""
    return f"{format_number(share.low_pct, 0)}\u2013{format_number(share.high_pct, 0)}{NBSP}%"


def margin_text(margin_pct: float) -> str:
    return f"±{format_number(margin_pct, 1)} procentenheter"


def base_text(base: estimates.Base, margin_pct: float | None) -> str:
    """"305 svar, alla företag; felmarginal högst ±5,6 procentenheter"."""
    label = SURVEY_BASE_LABELS[base.kind]
    if base.n is None:
        return text("survey", "base-unknown", label=label)
    if base.derived:
        return text("survey", "base-derived", n=format_number(base.n), label=label,
                    share=share_text(base.filter_share_pct),
                    answers=format_number(base.answers), margin=margin_text(margin_pct))
    return text("survey", "base", n=format_number(base.n), label=label,
                margin=margin_text(margin_pct))


def join_quoted(categories) -> str:
    """”ja”, ”nej” och ”vet ej”."""
    return join_sv([quoted(c) for c in categories])


def remainder_sentence(result: estimates.QuestionResult) -> str:
    """Which categories the source leaves out and how much they add up to."""
    rest = result.remainder
    if rest is None:
        return ""
    if len(result.unstated) == 1:
        return text("survey", "remainder-one", category=quoted(result.unstated[0]),
                    share=share_text(rest.share_pct), remainder=quoted(REMAINDER_LABEL))
    return text("survey", "remainder-many", categories=join_quoted(result.unstated),
                share=share_text(rest.share_pct), remainder=quoted(REMAINDER_LABEL))


def comparison_sentence(result: estimates.QuestionResult, variant: int = 0) -> str:
    """What the intervals allow to be said about the categories (nothing they do not)."""
    stated = sorted(result.stated, key=lambda s: -s.share_pct)
    if not stated or result.margin_pct is None:
        return ""
    top = stated[0]
    leader = estimates.leading_category(result)
    if leader is not None:
        others = [s for s in result.shares if s is not leader]
        if len(others) == 1 and not others[0].is_remainder:
            return text("survey", "leader-of-two", leader=quoted(leader.category),
                        leader_share=share_text(leader.share_pct),
                        other=quoted(others[0].category),
                        other_share=share_text(others[0].share_pct))
        named = {"leader": quoted(leader.category), "share": share_text(leader.share_pct),
                 "interval": interval_text(leader)}
        forms = (text("survey", "leader-0", **named), text("survey", "leader-1", **named))
        return forms[variant % len(forms)]
    if len(stated) == 1:
        return text("survey", "one-stated", share=share_text(top.share_pct),
                    category=quoted(top.category), interval=interval_text(top))
    close = sorted([top] + estimates.close_to(result, top), key=lambda s: -s.share_pct)
    if len(close) == 1:  # clearly above the other stated answers, not the remainder
        second = stated[1]
        named = {"top": quoted(top.category), "top_share": share_text(top.share_pct)}
        if len(stated) == 2:
            return text("survey", "stated-ahead-of-second", **named,
                        second=quoted(second.category),
                        second_share=share_text(second.share_pct))
        return text("survey", "stated-ahead", **named)
    if len(close) > 3:
        return text("survey", "many-overlap")
    names = " och ".join(f"{quoted(s.category)} ({share_text(s.share_pct)})" for s in close)
    forms = (text("survey", "overlap-0", names=names), text("survey", "overlap-1", names=names))
    return forms[variant % len(forms)]


def question_markdown(report: Report, indicator, position: int = 0) -> str:
    """The text under a question: answers and base, the comparison, the remainder, the
    figure and the source."""
    results = question_results(report, indicator)
    source = report.catalogue.source(indicator.id)
    lines = []
    for period, result in results:
        prefix = f"{format_period(period)}: " if len(results) > 1 else ""
        lines.append(f"*Underlag:* {prefix}{base_text(result.base, result.margin_pct)}.")
    period, latest = results[-1]
    prose = " ".join(part for part in (comparison_sentence(latest, position),
                                       remainder_sentence(latest)) if part)
    periods = ", ".join(format_period(p) for p, _ in results)
    return "\n\n".join(part for part in (
        " ".join(lines),
        prose,
        f"Svaren ({periods}) visas i {{numref}}`figur %s <fig-{indicator.id}>`.",
        f"*Källa: {escape_myst(source.citation_sv)}.*",
    ) if part)


def caption(report: Report, indicator) -> str:
    results = question_results(report, indicator)
    base = results[-1][1].base
    named = {"question": escape_myst(indicator.question_sv),
             "region": escape_myst(report.region.name)}
    parts = [text("survey", "caption-innovating-firms", **named)
             if base.kind == "innovating_firms" else text("survey", "caption-all-firms", **named)]
    if base.n is not None:
        parts.append(text("survey", "caption-intervals"))
    if any(r.remainder is not None for _, r in results):
        parts.append(text("survey", "caption-remainder"))
    return " ".join(parts)


def estimates_frame(results: list[tuple[str, estimates.QuestionResult]]) -> pd.DataFrame:
    """One row per bar (period, category, share, interval, base) for chart and CSV."""
    rows = []
    for period, result in results:
        base = base_text(result.base, result.margin_pct).split(";")[0]
        for share in result.shares:
            rows.append({
                "period": period,
                "category": REMAINDER_LABEL if share.is_remainder else share.category,
                "remainder": share.is_remainder,
                "share_pct": share.share_pct,
                "low_pct": share.low_pct,
                "high_pct": share.high_pct,
                "n": result.base.n,
                "base": base,
            })
    return pd.DataFrame(rows, columns=["period", "category", "remainder", "share_pct",
                                       "low_pct", "high_pct", "n", "base"])


def description(indicator, results) -> str:
    """The chart's text alternative: the question and every bar."""
    period, result = results[-1]
    bars = ", ".join(f"{REMAINDER_LABEL if s.is_remainder else s.category} "
                     f"{format_number(s.share_pct, 0)} procent" for s in result.shares)
    return f"Stapeldiagram över svaren på frågan: {indicator.question_sv} {bars}."


def glue_question(report: Report, indicator, position: int = 0) -> None:
    """Glue the text, figure and caption of one question (the dimension chapter places them)."""
    results = question_results(report, indicator)
    frame = estimates_frame(results)
    glue_markdown(f"{indicator.id}-text", question_markdown(report, indicator, position))
    glue_chart(f"{indicator.id}-figure", survey_chart(frame, indicator.name_sv),
               f"{report.region.slug}-{indicator.id}", survey_table(frame),
               description=description(indicator, results))
    glue_markdown(f"{indicator.id}-caption", caption(report, indicator))


# --- the survey chapter -------------------------------------------------------------------

def date_text(start: str | None, end: str | None) -> str:
    """"13 maj–5 juni 2024" (ISO dates in)."""
    if not start or not end:
        return ""
    a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}\u2013{b.day} {MONTHS_SV[b.month - 1]} {b.year}"
    first = f"{a.day} {MONTHS_SV[a.month - 1]}" + ("" if a.year == b.year else f" {a.year}")
    return f"{first}\u2013{b.day} {MONTHS_SV[b.month - 1]} {b.year}"


_THOUSANDS_RE = re.compile(r"(?<=\d) (?=\d{3}\b)")


def _sentence(value: str) -> str:
    """A data text as a sentence: capitalised, full stop, "2 000" kept on one line."""
    value = escape_myst(_THOUSANDS_RE.sub(NBSP, " ".join(str(value).split())))
    return value[:1].upper() + value[1:] + ("" if value.endswith(".") else ".")


def sampling_caveat(design) -> str:
    """What the intervals assume and what the response rate means for them."""
    parts = [text("survey", "caveat-random-sample")]
    if design.response_rate is not None:
        parts.append(text("survey", "caveat-response-rate",
                          rate=f"{format_number(100 * design.response_rate, 0)}{NBSP}%"))
    if not design.weighting_sv:
        parts.append(text("survey", "caveat-unweighted"))
    return " ".join(parts)


def method_table(report: Report, design) -> str:
    """The survey's design as a two-column table (facts from ``sources.yaml``)."""
    rows = []
    population = _sentence(design.population_sv)
    if design.population_size:
        population = population[:-1] + f" (N = {format_number(design.population_size)})."
    rows.append(("Målpopulation", population))
    rows.append(("Urval", _sentence(design.sample_sv)))
    if design.response_rate is not None:
        answers = text("survey", "answers-of-sample", answers=format_number(design.answers),
                       sample=format_number(design.sample_size),
                       rate=f"{format_number(100 * design.response_rate, 0)}{NBSP}%")
    else:
        answers = f"{format_number(design.answers)} svar."
    rows.append(("Svar", answers))
    collected = " ".join(part for part in (
        f"Genomfördes av {escape_myst(design.collector)}" if design.collector else "",
        date_text(design.fieldwork_start, design.fieldwork_end)) if part)
    if collected:
        rows.append(("Datainsamling", collected + "."))
    if design.mode_sv:
        rows.append(("Metod", _sentence(design.mode_sv)))
    if design.questionnaire_sv:
        rows.append(("Formulär", _sentence(design.questionnaire_sv)))
    rows.append(("Viktning", _sentence(design.weighting_sv) if design.weighting_sv else
                 text("survey", "no-weighting")))
    rows.append(("Felmarginal", sampling_caveat(design)))
    rule = design.innovating_filter
    if rule is not None:
        item = report.catalogue.indicators.get(rule.item)
        base = estimates.question_base("innovating_firms", design, _shares_of(report, design))
        if base.n is not None and item is not None:
            rows.append(("Företag som arbetar med innovation", text(
                "survey", "innovating-base", n=format_number(base.n),
                share=share_text(base.filter_share_pct), answers=format_number(design.answers),
                category=quoted(rule.category), question=escape_myst(item.question_sv))))
    rows.append(("Uppgifterna från", _sentence(design.reference_sv)))
    return markdown_table(["Uppgift", "Enkäten"],
                          [[name, value.replace("|", "/")] for name, value in rows])


def _shares_of(report: Report, design) -> dict:
    survey = report.dataset.survey
    rows = survey[(survey["region_code"] == design.region_code)
                  & (survey["period"].astype(str) == str(design.period))]
    return {item: dict(zip(group["category"], group["share_pct"].astype(float)))
            for item, group in rows.groupby("indicator_id")}


def method_markdown(report: Report) -> str:
    """How the survey behind the län's answers was made, or what is missing."""
    if not survey_items(report):
        return text("survey", "method-no-answers", region=escape_myst(report.region.name))
    found = designs(report)
    if not found:
        return text("survey", "method-no-design") + (
            " " + text("survey", "method-add-design") if is_draft(report) else "")
    parts = []
    for design in found:
        if len(found) > 1:
            parts.append(f"**{format_period(design.period)}**")
        parts.append(method_table(report, design))
    return "\n\n".join(parts)


# short words for the overview table's base column
BASE_SHORT_SV = {"all_firms": "alla", "innovating_firms": "innovativa"}


def overview_markdown(report: Report) -> str:
    """One row per question: its section (linked) and dimension, the question, the answers
    behind it with the base, and the margin of error."""
    items = survey_items(report)
    rows = []
    derived = False
    for indicator in items:
        dimension = report.catalogue.dimension(indicator.dimension).name_sv
        period, result = question_results(report, indicator)[-1]
        base = result.base
        short = BASE_SHORT_SV[base.kind]
        if base.n is None:
            answers, margin = f"– ({short})", "–"
        else:
            derived = derived or base.derived
            answers = f"{'cirka ' if base.derived else ''}{format_number(base.n)} ({short})"
            margin = f"±{format_number(result.margin_pct, 1)}"
        # an explicit title: a partial book without the section shows the name, not the id
        # (a role's text is literal; names cannot hold backticks or <>, refused at load)
        title = indicator.name_sv.replace("|", "\\|")
        rows.append([f"{{ref}}`{title} <ind-{indicator.id}>` ({escape_myst(dimension)})",
                     escape_myst(indicator.question_sv), answers, margin])
    innovating = SURVEY_BASE_LABELS["innovating_firms"]
    note = (text("survey", "overview-note-derived", innovating=innovating) if derived
            else text("survey", "overview-note", innovating=innovating))
    table = markdown_table(["Avsnitt", "Fråga", "Svar", "Fel\u00admarginal"], rows)
    # a longtable: it may break across PDF pages instead of leaving the page before empty
    return "```{table}\n:class: longtable\n\n" + table + "\n```\n\n" + note


def glue_overview(report: Report, intro: str) -> None:
    """Glue the survey chapter's method table and question overview."""
    glue_markdown("survey-method", method_markdown(report))
    items = survey_items(report)
    glue_markdown("survey-overview", intro + ("\n\n" + overview_markdown(report)
                                              if items else ""))
