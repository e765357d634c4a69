"""Strategy follow-up (Måluppföljning) and cluster initiatives (Klusterinitiativ).

Reads the län's profile (``data/regions/<code>.yaml``), the project KPI values
(``data/project_kpis.csv``) and the cluster initiatives (``data/klusterinitiativ.csv``);
every text from these files is escaped where rendered. The fixed wording is in
``book/texts/strategy.md``.
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
from ecoreport.markup.escape import escape_myst
from ecoreport.markup.formatting import format_number
from ecoreport.markup.tables import markdown_table
from ecoreport.report.draft import is_draft
from ecoreport.report.render import glue_chart, glue_markdown
from ecoreport.report.texts import text

DIRECTION_SV = {"increase": "öka", "decrease": "minska"}
KPI_DIRECTION_SV = {"at_least": "minst", "at_most": "högst"}
KPI_PER_SV = {"year": "per år", "project": "under projektet"}
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
    name = escape_myst(report.region.name)
    if profile is None or profile.strategy is None:
        if not is_draft(report):
            return text("strategy", "no-strategy", region=name)
        return text("strategy", "no-profile", region=name,
                    profile=f"{PROFILE_DIR}/{report.region.code}.yaml")
    s = profile.strategy
    when = []
    if s.adopted:
        when.append(f"antagen {s.adopted}")
    if s.period:
        when.append(f"period {escape_myst(s.period)}")
    lines = [f"**{escape_myst(s.name)}** ({', '.join(when)})." if when
             else text("strategy", "strategy-undated", name=escape_myst(s.name))]
    if s.vision:
        lines.append(f"Vision: *{escape_myst(s.vision)}*.")
    if s.note:
        lines.append(escape_myst(" ".join(s.note.split())))
    lines.append("")
    if s.goals:
        lines.append("Strategins mål:")
        lines += [f"{k}. {escape_myst(g.name)}" for k, g in enumerate(s.goals, start=1)]
        lines.append("")
    if s.focus_areas:
        lines.append("Styrkeområden: " + ", ".join(escape_myst(a) for a in s.focus_areas) + ".")
        lines.append("")
    lines.append(f"*Källa: {escape_myst(s.source)}*")
    return "\n".join(lines)


def peers_markdown(report: Report, profile: ProfileModel | None) -> str:
    """The peers the län compares itself with, and why."""
    names = _region_names(report)
    if profile is None or not profile.peers:
        peers = ", ".join(names.get(c, c) for c in report.region.peers)
        return f"Jämförelselän (standardurvalet): {escape_myst(peers)}."
    return markdown_table(["Jämförelselän", "Varför"],
                          [[escape_myst(names.get(p.code, p.code)), escape_myst(p.reason)]
                           for p in profile.peers])


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
        parts.append(text("strategy", "no-targets"))
    else:
        rows = []
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
            rows.append([escape_myst(r.indicator), goal, latest, projection, status])
        parts.append(markdown_table(["Indikator", "Mål", "Senaste värde",
                                     "Prognos för målåret (90 % intervall)", "Status"], rows))
    unmeasured = [g for g in goals if g.id not in measured]
    if unmeasured:
        parts.append("Mål utan mätbart mål eller indikator: "
                     + "; ".join(f"*{escape_myst(g.name)}*" for g in unmeasured) + ".")
    return "\n\n".join(parts)


def how_to_add_target_markdown(report: Report, profile: ProfileModel | None) -> str:
    """Instructions, with an example, for adding a measurable target to the profile."""
    goal = (profile.strategy.goals[0].id if profile and profile.strategy and
            profile.strategy.goals else "mal_id")
    return text("strategy", "add-target", profile=f"{PROFILE_DIR}/{report.region.code}.yaml",
                goal=goal)


def project_kpis_markdown(report: Report, profile: ProfileModel | None) -> str:
    """Project KPIs measured by the project itself, with reported values if any."""
    if profile is None or not profile.projects:
        return ""
    kpis = load_project_kpis(report.dataset.data_dir, {report.region.code: profile})
    parts = []
    for project in profile.projects:
        reported = kpis[(kpis["region_code"] == report.region.code)
                        & (kpis["project_id"] == project.id)]
        lines = [f"**{escape_myst(project.name)}** ({escape_myst(project.period)}, "
                 f"{escape_myst(project.owner)}). Mäts av: {escape_myst(project.measured_by)}.",
                 ""]
        rows = []
        for kpi in project.kpis:
            rows = reported[reported["kpi_id"] == kpi.id].sort_values("period")
            last = (f"{format_number(rows['value'].iloc[-1], 1)} ({escape_myst(rows['period'].iloc[-1])})"
                    if not rows.empty else "ej rapporterat")
            unit = "" if kpi.unit == "antal" else f" {escape_myst(kpi.unit)}"
            goal = (f"{KPI_DIRECTION_SV[kpi.direction]} {format_number(kpi.target_value, 0)}"
                    f"{unit} {KPI_PER_SV[kpi.per]}")
            rows.append([escape_myst(kpi.theme or ""), escape_myst(kpi.name), goal, last])
        lines.append(markdown_table(["Tema", "Nyckeltal", "Mål", "Senast rapporterat"], rows))
        if project.qualitative_goals:
            lines += ["", "Mål utan mätetal: " + "; ".join(escape_myst(g) for g in
                                                           project.qualitative_goals) + "."]
        lines += ["", f"*Källa: {escape_myst(project.source)}*"]
        parts.append("\n".join(lines))
    example = project.kpis[0].id if profile.projects[-1].kpis else "kpi_id"
    parts.append(text("strategy", "kpi-file", file=KPI_FILE, region_code=report.region.code,
                      project=profile.projects[-1].id, kpi=example))
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
    name = escape_myst(report.region.name)
    if initiatives.empty:
        return text("strategy", "no-clusters")
    as_of = ", ".join(sorted(set(initiatives["as_of"])))
    sources = ", ".join(escape_myst(report.catalogue.sources[s].citation_sv)
                        for s in sorted(set(initiatives["source_id"])))
    head = text("strategy", "clusters-dated", as_of=escape_myst(as_of), sources=sources)
    if own.empty:
        return head + "\n\n" + text("strategy", "no-clusters-in-region", region=name)
    rows = []
    for r in own.sort_values("name").itertuples():
        year = "–" if pd.isna(r.start_year) else str(int(r.start_year))
        financiers = "; ".join(escape_myst(f) for f in r.financiers) or "–"
        rows.append([escape_myst(r.name), escape_myst(r.sector), year, financiers,
                     escape_myst(r.area), escape_myst(r.as_of)])
    sectors = sorted(set(own["sector"]))
    lines = [head, "", text("strategy", "clusters-in-region", region=name, n=len(own)), "",
             markdown_table(["Initiativ", "Sektor", "Startår", "Större finansiärer", "Område",
                             "Uppgift från"], rows)]
    lines += ["", "Sektorer: " + ", ".join(escape_myst(s) for s in sectors) + "."]
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
                  or text("strategy", "no-projects"))
    glue_markdown("peers", peers_markdown(report, profile))


def glue_clusters_chapter(report: Report) -> None:
    """Klusterinitiativ's computed parts (the prose is in its notebook)."""
    glue_markdown("clusters", clusters_markdown(report))
    counts = cluster_counts(report)
    as_of = ", ".join(sorted(set(cluster_initiatives(report)["as_of"])))
    glue_chart("cluster-counts", cluster_count_chart(counts), "klusterinitiativ-per-lan",
               counts[["region_name", "n_initiatives"]],
               description=text("strategy", "cluster-counts-description"))
    glue_markdown("cluster-counts-caption",
                  text("strategy", "cluster-counts-caption", as_of=escape_myst(as_of)))
