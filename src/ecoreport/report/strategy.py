"""Strategy follow-up (Måluppföljning) and cluster initiatives (Klusterinitiativ).

Reads the län's profile (``data/regions/<code>.yaml``), the project KPI values
(``data/project_kpis.csv``) and the cluster initiatives (``data/klusterinitiativ.csv``);
every text from these files is escaped where rendered.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ecoreport.analysis.compare import observed_values
from ecoreport.analysis.results import Report
from ecoreport.analysis.targets import STATUS_LABELS_SV, assess_target
from ecoreport.data.clusters import initiatives_by_lan, load_cluster_initiatives
from ecoreport.data.profiles import (
    KPI_FILE,
    PROFILE_DIR,
    ProfileModel,
    load_profile,
    load_project_kpis,
)
from ecoreport.data.vocab import RIKET_CODE
from ecoreport.report.charts.base import CHART_WIDTH, ROLE_COLOURS, region_role
from ecoreport.markup.formatting import format_number
from ecoreport.report.innovation_index import escape_md
from ecoreport.report.draft import is_draft
from ecoreport.report.render import glue_chart, glue_markdown

DIRECTION_SV = {"increase": "öka", "decrease": "minska"}
KPI_DIRECTION_SV = {"at_least": "minst", "at_most": "högst"}
KPI_PER_SV = {"year": "per år", "project": "under projektet"}
EXAMPLE_TARGET = """targets:
  - id: fou_andel_mal            # eget id
    indicator: fou_andel_brp     # en indikator i katalogen (data/indicators.yaml)
    goal: {goal}   # strategimålet som målet mäter (valfritt)
    baseline_year: 2020          # basår
    target_value: 3.0            # målvärde, i indikatorns publicerade enhet
    target_year: 2030            # målår
    direction: increase          # increase (öka) eller decrease (minska)
    source: "Strategin, avsnitt …"   # var strategin anger målet"""


def region_profile(report: Report) -> ProfileModel | None:
    """The län's profile, validated against regions.yaml and the catalogue."""
    codes = {r.code for r in report.dataset.regions if r.code != RIKET_CODE}
    return load_profile(report.region.code, report.dataset.data_dir, region_codes=codes,
                        indicator_ids=set(report.catalogue.indicators))


def _region_names(report: Report) -> dict[str, str]:
    return {r.code: r.short_name for r in report.dataset.regions}


# -- Måluppföljning ---------------------------------------------------------------------------

def strategy_markdown(report: Report, profile: ProfileModel | None) -> str:
    """The strategy: name, period, vision, goals and focus areas."""
    name = escape_md(report.region.name)
    if profile is None or profile.strategy is None:
        if not is_draft(report):
            return f"Det finns ingen strategi för {name} i rapportens underlag."
        return (f"Det finns ingen regionprofil med strategi för {name} "
                f"(`{PROFILE_DIR}/{report.region.code}.yaml`). Avsnittet nedan visar hur en "
                "profil läggs till.")
    s = profile.strategy
    when = []
    if s.adopted:
        when.append(f"antagen {s.adopted}")
    if s.period:
        when.append(f"period {escape_md(s.period)}")
    lines = [f"**{escape_md(s.name)}**" + (f" ({', '.join(when)})." if when else
                                           " (antagandeår och period anges inte i underlaget).")]
    if s.vision:
        lines.append(f"Vision: *{escape_md(s.vision)}*.")
    if s.note:
        lines.append(escape_md(" ".join(s.note.split())))
    lines.append("")
    if s.goals:
        lines.append("Strategins mål:")
        lines += [f"{k}. {escape_md(g.name)}" for k, g in enumerate(s.goals, start=1)]
        lines.append("")
    if s.focus_areas:
        lines.append("Styrkeområden: " + ", ".join(escape_md(a) for a in s.focus_areas) + ".")
        lines.append("")
    lines.append(f"*Källa: {escape_md(s.source)}*")
    return "\n".join(lines)


def peers_markdown(report: Report, profile: ProfileModel | None) -> str:
    """The peers the län compares itself with, and why."""
    names = _region_names(report)
    if profile is None or not profile.peers:
        peers = ", ".join(names.get(c, c) for c in report.region.peers)
        return f"Jämförelselän (standardurvalet): {escape_md(peers)}."
    lines = ["| Jämförelselän | Varför |", "|---|---|"]
    lines += [f"| {escape_md(names.get(p.code, p.code))} | {escape_md(p.reason)} |"
              for p in profile.peers]
    return "\n".join(lines)


def target_progress_table(report: Report, profile: ProfileModel | None) -> pd.DataFrame:
    """One row per target: indicator, baseline, target, latest value, projection, status,
    all from the län's observed values (``synthetic`` is always false; kept for readers of
    the table)."""
    rows = []
    for target in (profile.targets if profile else []):
        # a target's status is a statement of the report: observed values only
        series = observed_values(report.series(target.indicator))
        progress = assess_target(series, baseline_year=target.baseline_year,
                                 target_value=float(target.target_value),
                                 target_year=target.target_year, direction=target.direction,
                                 until_year=report.year)
        synthetic = bool((series[series["period_start"] >= target.baseline_year]["status"]
                          == "synthetic").any())
        rows.append({"target_id": target.id, "indicator_id": target.indicator,
                     "indicator": report.catalogue.indicators[target.indicator].name_sv,
                     "goal": target.goal, "direction": target.direction,
                     "baseline_year": target.baseline_year,
                     "baseline_value": progress.baseline_value,
                     "target_value": float(target.target_value),
                     "target_year": target.target_year,
                     "latest_period": progress.latest_period,
                     "latest_value": progress.latest_value,
                     "projected_value": progress.projected_value,
                     "projected_low": progress.projected_low,
                     "projected_high": progress.projected_high,
                     "status": progress.status, "certain": progress.certain,
                     "n": progress.n, "synthetic": synthetic})
    return pd.DataFrame(rows)


def targets_markdown(report: Report, profile: ProfileModel | None) -> str:
    """Each target's progress, goals without indicators, or how to add a target."""
    table = target_progress_table(report, profile)
    goals = profile.strategy.goals if profile and profile.strategy else []
    measured = set(table["goal"].dropna()) if not table.empty else set()
    parts = []
    if table.empty:
        parts.append("Strategin anger inga mätbara mål som kan knytas till indikatorerna i "
                     "katalogen (inget målvärde, inget målår). Måluppföljningen kan därför "
                     "inte visa om länet når sina mål; den visar i stället strategins mål "
                     "nedan och hur ett mätbart mål läggs till.")
    else:
        lines = ["| Indikator | Mål | Senaste värde | Prognos för målåret (90 % intervall) "
                 "| Status |", "|---|---|---|---|---|"]
        for r in table.itertuples():
            decimals = report.catalogue.indicators[r.indicator_id].decimals
            goal = (f"{DIRECTION_SV[r.direction]} till {format_number(r.target_value, decimals)} "
                    f"år {r.target_year} (från {r.baseline_year})")
            latest = (f"{format_number(r.latest_value, decimals)} ({r.latest_period})"
                      if r.latest_period else "–")
            projection = ("–" if not np.isfinite(r.projected_value) else
                          f"{format_number(r.projected_value, decimals)} "
                          f"({format_number(r.projected_low, decimals)}–"
                          f"{format_number(r.projected_high, decimals)})")
            status = STATUS_LABELS_SV[r.status]
            if r.status in ("on_track", "behind") and not r.certain:
                status += " (osäkert: intervallet omfattar målet)"
            if r.synthetic:
                status += "; bygger på syntetiska värden"
            lines.append(f"| {escape_md(r.indicator)} | {goal} | {latest} | {projection} | "
                         f"{status} |")
        parts.append("\n".join(lines))
    unmeasured = [g for g in goals if g.id not in measured]
    if unmeasured:
        parts.append("Mål utan mätbart mål eller indikator: "
                     + "; ".join(f"*{escape_md(g.name)}*" for g in unmeasured) + ".")
    return "\n\n".join(parts)


def how_to_add_target_markdown(report: Report, profile: ProfileModel | None) -> str:
    """Instructions, with an example, for adding a measurable target to the profile."""
    goal = (profile.strategy.goals[0].id if profile and profile.strategy and
            profile.strategy.goals else "mal_id")
    return (f"Ett mätbart mål läggs till i `data/{PROFILE_DIR}/{report.region.code}.yaml` "
            "under `targets:`, bara om strategin själv anger det. Exemplet nedan visar "
            "fälten; värdena är ett exempel, inte ett mål för länet:\n\n"
            f"```yaml\n{EXAMPLE_TARGET.format(goal=goal)}\n```\n\n"
            "Nästa bygge visar målet med status *uppnått*, *i fas* eller *efter plan*, "
            "bedömt från trenden sedan basåret med ett 90 % prognosintervall.")


def project_kpis_markdown(report: Report, profile: ProfileModel | None) -> str:
    """Project KPIs measured by the project itself, with reported values if any."""
    if profile is None or not profile.projects:
        return ""
    kpis = load_project_kpis(report.dataset.data_dir, {report.region.code: profile})
    parts = []
    for project in profile.projects:
        reported = kpis[(kpis["region_code"] == report.region.code)
                        & (kpis["project_id"] == project.id)]
        lines = [f"**{escape_md(project.name)}** ({escape_md(project.period)}, "
                 f"{escape_md(project.owner)}). Mäts av: {escape_md(project.measured_by)}.",
                 "", "| Tema | Nyckeltal | Mål | Senast rapporterat |", "|---|---|---|---|"]
        for kpi in project.kpis:
            rows = reported[reported["kpi_id"] == kpi.id].sort_values("period")
            last = (f"{format_number(rows['value'].iloc[-1], 1)} ({escape_md(rows['period'].iloc[-1])})"
                    if not rows.empty else "ej rapporterat")
            unit = "" if kpi.unit == "antal" else f" {escape_md(kpi.unit)}"
            goal = (f"{KPI_DIRECTION_SV[kpi.direction]} {format_number(kpi.target_value, 0)}"
                    f"{unit} {KPI_PER_SV[kpi.per]}")
            lines.append(f"| {escape_md(kpi.theme or '')} | {escape_md(kpi.name)} | {goal} | "
                         f"{last} |")
        if project.qualitative_goals:
            lines += ["", "Mål utan mätetal: " + "; ".join(escape_md(g) for g in
                                                           project.qualitative_goals) + "."]
        lines += ["", f"*Källa: {escape_md(project.source)}*"]
        parts.append("\n".join(lines))
    example = project.kpis[0].id if profile.projects[-1].kpis else "kpi_id"
    parts.append(
        "Nyckeltalen är projektets egna och finns inte i officiell statistik. Projektet "
        f"rapporterar sina mätvärden i `data/{KPI_FILE}`, en rad per nyckeltal och period, "
        "på samma sätt som enkätdata:\n\n```text\n"
        "region_code,project_id,kpi_id,period,value,status,note\n"
        f"{report.region.code},{profile.projects[-1].id},{example},2025,6,reported,"
        "enligt projektets årsrapport\n```\n\nRaden ovan är ett exempel på format, inte ett "
        "rapporterat värde.")
    return "\n\n".join(parts)


# -- Klusterinitiativ --------------------------------------------------------------------------

def cluster_initiatives(report: Report) -> pd.DataFrame:
    sources = set(report.catalogue.sources)
    codes = {r.code for r in report.dataset.regions if r.code != RIKET_CODE}
    return load_cluster_initiatives(report.dataset.data_dir, region_codes=codes,
                                    source_ids=sources)


def cluster_counts(report: Report) -> pd.DataFrame:
    """Initiatives per län (an initiative working in several län counts in each)."""
    by_lan = initiatives_by_lan(cluster_initiatives(report))
    names = _region_names(report)
    counts = by_lan.groupby("region_code").size()
    codes = sorted(c for c in names if c != RIKET_CODE)
    out = pd.DataFrame({"region_code": codes})
    out["region_name"] = out["region_code"].map(names)
    out["n_initiatives"] = out["region_code"].map(counts).fillna(0).astype(int)
    out["role"] = [region_role(c, report.region.code, report.region.peers)
                   for c in out["region_code"]]
    return out.sort_values(["n_initiatives", "region_name"], ascending=[False, True])


def clusters_markdown(report: Report) -> str:
    """The län's initiatives (name, sector, start year, financiers) and their dating."""
    initiatives = cluster_initiatives(report)
    own = initiatives_by_lan(initiatives)
    own = own[own["region_code"] == report.region.code]
    name = escape_md(report.region.name)
    if initiatives.empty:
        return "Det finns inga klusterinitiativ i rapportens underlag."
    as_of = ", ".join(sorted(set(initiatives["as_of"])))
    sources = ", ".join(escape_md(report.catalogue.sources[s].citation_sv)
                        for s in sorted(set(initiatives["source_id"])))
    head = (f"Uppgifterna är daterade: de beskriver klusterinitiativen så som de kartlades "
            f"({escape_md(as_of)}). Initiativ kan ha upphört eller tillkommit sedan dess. "
            f"*Källa: {sources}.*")
    if own.empty:
        return head + f"\n\nKartläggningen listar inga klusterinitiativ i {name}."
    lines = [head, "", f"{name} har {len(own)} klusterinitiativ i kartläggningen:", "",
             "| Initiativ | Sektor | Startår | Större finansiärer | Område | Uppgift från |",
             "|---|---|---|---|---|---|"]
    for r in own.sort_values("name").itertuples():
        year = "–" if pd.isna(r.start_year) else str(int(r.start_year))
        financiers = "; ".join(escape_md(f) for f in r.financiers) or "–"
        lines.append(f"| {escape_md(r.name)} | {escape_md(r.sector)} | {year} | {financiers} | "
                     f"{escape_md(r.area)} | {escape_md(r.as_of)} |")
    sectors = sorted(set(own["sector"]))
    lines += ["", "Sektorer: " + ", ".join(escape_md(s) for s in sectors) + "."]
    return "\n".join(lines)


def cluster_count_chart(counts: pd.DataFrame) -> alt.Chart:
    order = counts["region_name"].tolist()
    colours = ROLE_COLOURS
    return alt.Chart(counts).mark_bar().encode(
        y=alt.Y("region_name:N", sort=order, title=None),
        x=alt.X("n_initiatives:Q", title="Antal klusterinitiativ", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("role:N", title=None, scale=alt.Scale(
            domain=list(colours), range=list(colours.values())),
            legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("region_name:N", title="Län"),
                 alt.Tooltip("n_initiatives:Q", title="Antal")],
    ).properties(width=CHART_WIDTH - 140, height=18 * len(counts))


def glue_targets_chapter(report: Report) -> None:
    """Måluppföljning's computed parts (the prose is in its notebook)."""
    profile = region_profile(report)
    glue_markdown("strategy", strategy_markdown(report, profile))
    glue_markdown("targets", targets_markdown(report, profile))
    # how to add a target: the draft's instructions (with a YAML example), not published
    glue_markdown("add-target", "## Så läggs ett mätbart mål till\n\n"
                  + how_to_add_target_markdown(report, profile) if is_draft(report) else "")
    glue_markdown("project-kpis", project_kpis_markdown(report, profile)
                  or "Regionprofilen listar inga projekt med egna nyckeltal.")
    glue_markdown("peers", peers_markdown(report, profile))


def glue_clusters_chapter(report: Report) -> None:
    """Klusterinitiativ's computed parts (the prose is in its notebook)."""
    glue_markdown("clusters", clusters_markdown(report))
    counts = cluster_counts(report)
    as_of = ", ".join(sorted(set(cluster_initiatives(report)["as_of"])))
    glue_chart("cluster-counts", cluster_count_chart(counts), "klusterinitiativ-per-lan",
               counts[["region_name", "n_initiatives"]],
               description="Stapeldiagram: antal klusterinitiativ per län.")
    glue_markdown("cluster-counts-caption",
                  f"Klusterinitiativ per län enligt kartläggningen ({escape_md(as_of)}). Ett "
                  "initiativ som verkar i flera län räknas i vart och ett.")
