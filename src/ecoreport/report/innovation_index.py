"""The innovation index in the report: chapter content, the map of Sweden, the English summary.

Content functions return Markdown, tables or charts (unit-tested); ``show_*`` display them
in the running notebook. Text from data files is escaped (``markup.escape.escape_myst``)
where rendered; the fixed wording is in ``book/texts/innovation_index.md``.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ecoreport.analysis.index import (
    CHOICE_LABELS_SV,
    CHOICES,
    DEFAULT_CHOICES,
    GROUPS_BY_ID,
    MIN_COVERAGE,
    MIN_REGION_COVERAGE,
    OPTION_LABELS_SV,
    PERFORMANCE_GROUPS,
    IndexResult,
)
from ecoreport.analysis.results import Report
from ecoreport.data.boundaries import load_lan_boundaries
from ecoreport.data.vocab import RIKET_CODE
from ecoreport.report.charts.index import (
    dimension_breakdown_chart,
    rank_history_chart,
    rank_interval_chart,
)
from ecoreport.report.charts.base import region_role
from ecoreport.report.charts.maps import (
    SOURCE_NOTE,
    lan_map_chart,
    map_legend_markdown,
)
from ecoreport.report import narrative
from ecoreport.markup.escape import escape_myst
from ecoreport.markup.formatting import format_number
from ecoreport.markup.tables import markdown_table
from ecoreport.report.render import chart_html, glue_chart, glue_markdown, show_chart
from ecoreport.report.texts import text

GROUP_COLOURS = {"leader": "#08519c", "strong": "#4292c6", "moderate": "#9ecae1",
                 "emerging": "#deebf7"}


def group_label(group_id: str | None, lang: str = "sv") -> str:
    if not group_id or group_id not in GROUPS_BY_ID:
        return "–"
    group = GROUPS_BY_ID[group_id]
    return group.label_sv if lang == "sv" else group.label_en


def _names(report: Report) -> dict[str, str]:
    return {r.code: r.short_name for r in report.dataset.regions}


def _index(report: Report) -> IndexResult:
    index = report.results.index
    if index is None:
        raise ValueError("the results hold no innovation index")
    return index


def index_table(report: Report) -> pd.DataFrame:
    """All län in the report year: score, rank, rank interval, per cent of Riket, group."""
    index = _index(report)
    scores = index.scores[(index.scores["year"] == index.year)
                          & (index.scores["region_code"] != RIKET_CODE)]
    table = scores.merge(index.uncertainty, on="region_code", how="left")
    names = _names(report)
    table["region_name"] = table["region_code"].map(names)
    table["role"] = [region_role(c, report.region.code, report.region.peers)
                     for c in table["region_code"]]
    table["group_sv"] = table["group"].map(group_label)
    columns = ["region_code", "region_name", "role", "score", "rank", "rank_median",
               "rank_p05", "rank_p95", "pct_of_riket", "group", "group_sv", "n_indicators",
               "coverage", "share_synthetic"]
    table = table.assign(coverage=table["coverage"] if "coverage" in table else np.nan)
    return table[columns].sort_values(["rank", "region_code"]).reset_index(drop=True)


def index_download_table(report: Report) -> pd.DataFrame:
    """The numbers behind the rank chart, with Swedish column names (CSV download)."""
    table = index_table(report)
    return pd.DataFrame({
        "Län": table["region_name"], "Index (0–1)": table["score"].round(3),
        "Plats": table["rank"], "Medianplats": table["rank_median"],
        "Plats 5 %": table["rank_p05"], "Plats 95 %": table["rank_p95"],
        "Procent av riket": table["pct_of_riket"].round(1), "Grupp": table["group_sv"],
        "Täckning (andel av indexets indikatorer)": table["coverage"].round(2),
        "Andel syntetiska värden": table["share_synthetic"].round(2)})


def index_intro_markdown(report: Report) -> str:
    """The chapter's key sentence: rank with its interval, group, per cent of Riket."""
    index = _index(report)
    row = index.region_row(report.region.code)
    if not row or not np.isfinite(row["score"]):
        return text("innovation_index", "no-index", region=escape_myst(report.region.name),
                    year=report.year, min_coverage=format_number(100 * MIN_COVERAGE, 0))
    name = escape_myst(report.region.name)
    coverage = coverage_markdown(report, row)
    if row["rank"] is None:
        return text("innovation_index", "not-ranked", region=name, year=report.year,
                    n_indicators=row["n_indicators"],
                    n_index_indicators=row["n_index_indicators"],
                    min_region_coverage=format_number(100 * MIN_REGION_COVERAGE, 0),
                    coverage=coverage)
    interval = (f"plats {row['rank_p05']}" if row["rank_p05"] == row["rank_p95"]
                else f"plats {row['rank_p05']}–{row['rank_p95']}")
    group = group_label(row["group"]).lower() if row["group"] else None
    sentence = text("innovation_index", "ranked", region=name, rank=row["rank"],
                    n_ranked=row["n_ranked"], year=report.year,
                    score=format_number(row["score"], 2), interval=interval,
                    median=format_number(row["rank_median"], 1))
    if group:
        sentence += " " + text(
            "innovation_index", "ranked-group", pct=format_number(row["pct_of_riket"], 0),
            group=group, probabilities=group_probability_sentence(
                row.get("group_probabilities") or {}, row["group"]))
    return f"{sentence} {coverage}"


def group_probability_sentence(probabilities: dict[str, float], group_id: str | None) -> str:
    """"Länet är måttlig innovatör i 14 % av simuleringarna och framväxande innovatör i
    84 %." (groups with at least 1 %, the default group first)."""
    shown = [(g, p) for g, p in sorted(probabilities.items(), key=lambda kv: -kv[1])
             if p >= 0.01 or g == group_id]
    shown.sort(key=lambda kv: kv[0] != group_id)
    if not shown:
        return ""
    parts = [f"{group_label(g).lower()} i {format_number(100 * p, 0)} %" for g, p in shown]
    parts[0] += " av simuleringarna"
    return f"Länet är {narrative.join_sv(parts)}."


def coverage_markdown(report: Report, row: dict | None = None) -> str:
    """What the index rests on: observed values only, which indicators, the län's coverage."""
    index = _index(report)
    row = row or index.region_row(report.region.code)
    dims = {report.catalogue.indicators[i].dimension for i in index.indicator_ids}
    n_metric = len(report.catalogue.metric_dimensions())
    return text("innovation_index", "coverage", n_indicators=len(index.indicator_ids),
                n_dimensions=len(dims), n_metric=n_metric,
                min_coverage=format_number(100 * MIN_COVERAGE, 0),
                region=escape_myst(report.region.short_name),
                n_region=row.get("n_indicators", 0),
                min_region_coverage=format_number(100 * MIN_REGION_COVERAGE, 0))


def groups_markdown() -> str:
    """The four performance groups and their thresholds."""
    bounds = [g.min_pct for g in PERFORMANCE_GROUPS]
    lines = []
    for k, group in enumerate(PERFORMANCE_GROUPS):
        upper = bounds[k - 1] if k else None
        if upper is None:
            span = f"minst {format_number(group.min_pct, 0)} %"
        elif np.isfinite(group.min_pct):
            span = f"{format_number(group.min_pct, 0)}–{format_number(upper, 0)} %"
        else:
            span = f"under {format_number(upper, 0)} %"
        lines.append(f"- **{group.label_sv}**: {span} av rikets indexvärde")
    return "\n".join(lines)


def show_index_map(report: Report, what: str = "group") -> None:
    """The map of Sweden coloured by index group (``group``), index value (``score``) or
    a catalogue indicator id (its normalised value in the report year)."""
    chart, caption = index_map(report, what)
    show_chart(chart, f"karta-{what}-{report.year}", caption=caption)


def glue_index_summary(report: Report) -> None:
    """The start page's index parts: ``index-sentence`` (rank, interval, group) and the map
    ``index-map`` with its caption ``index-map-caption``."""
    glue_markdown("index-sentence", index_intro_markdown(report))
    chart, caption = index_map(report, "group")
    glue_chart("index-map", chart, f"karta-innovationsindex-{report.year}",
               index_download_table(report),
               description=text("innovation_index", "start-map-description", year=report.year))
    glue_markdown("index-map-caption", caption)


def rank_history_table(report: Report) -> pd.DataFrame:
    """The rank of the län and its peers in every year of the index (default choices)."""
    index = _index(report)
    codes = [report.region.code, *report.region.peers]
    table = index.scores[index.scores["region_code"].isin(codes)].copy()
    table["region_name"] = table["region_code"].map(_names(report))
    table["role"] = [region_role(c, report.region.code, report.region.peers)
                     for c in table["region_code"]]
    table["status_label"] = np.where(table["share_synthetic"] >= 0.5, "synthetic", "observed")
    return table.dropna(subset=["rank"]).sort_values(["region_code", "year"])


def index_map(report: Report, what: str = "group"):
    """(chart, caption) of the map; see :func:`show_index_map`."""
    boundaries = load_lan_boundaries(report.dataset.data_dir,
                                     {r.code for r in report.dataset.regions
                                      if r.code != RIKET_CODE})
    names = _names(report)
    legend = map_legend_markdown(escape_myst(report.region.name), len(report.region.peers))
    if what in ("group", "score"):
        table = index_table(report)
        if what == "group":
            table = table.assign(group_sv=table["group"].map(group_label))
            chart = lan_map_chart(
                table, boundaries, names, value_column="group_sv", legend_title="Grupp",
                region_code=report.region.code, peer_codes=report.region.peers,
                categories=[g.label_sv for g in PERFORMANCE_GROUPS],
                category_colours=[GROUP_COLOURS[g.id] for g in PERFORMANCE_GROUPS])
            caption = text("innovation_index", "map-caption-group", year=report.year,
                           legend=legend)
        else:
            chart = lan_map_chart(table, boundaries, names, value_column="score",
                                  legend_title="Index (0–1)", region_code=report.region.code,
                                  peer_codes=report.region.peers)
            caption = text("innovation_index", "map-caption-score", year=report.year,
                           legend=legend)
        return chart, caption
    comparison = report.results.comparisons.get(what)
    if comparison is None:
        raise KeyError(f"no comparison between län for indicator {what!r}")
    meta = report.catalogue.indicators[what]
    unit = comparison["normalised_unit"].iloc[0]
    chart = lan_map_chart(comparison, boundaries, names, value_column="value_normalised",
                          legend_title=unit, region_code=report.region.code,
                          peer_codes=report.region.peers)
    periods = comparison["period"].dropna()
    period = str(periods.iloc[0]) if len(periods) else str(report.year)
    caption = text("innovation_index", "map-caption-indicator",
                   indicator=escape_myst(meta.name_sv), period=period, unit=escape_myst(unit),
                   legend=legend)
    return chart, caption


def dimension_table(report: Report) -> pd.DataFrame:
    """The län's dimension scores with rank among the län and per cent of Riket."""
    index = _index(report)
    dims = index.dimensions[index.dimensions["region_code"] == report.region.code].copy()
    order = {d.id: d.order for d in report.catalogue.dimensions}
    dims["name_sv"] = dims["dimension"].map(lambda d: report.catalogue.dimension(d).name_sv)
    dims["order"] = dims["dimension"].map(order)
    n = int(index.dimensions.loc[index.dimensions["region_code"] != RIKET_CODE,
                                 "region_code"].nunique())
    dims["n_ranked"] = n
    dims["rank_label"] = [f"plats {r} av {n}" if pd.notna(r) else "" for r in dims["rank"]]
    return dims.sort_values("order").reset_index(drop=True)


def usable_choices_of(index: IndexResult) -> dict[str, tuple[str, ...]]:
    """The options the index's Monte Carlo drew from."""
    return getattr(index, "drawn_choices", None) or dict(CHOICES)


def sensitivity_markdown(report: Report) -> str:
    """Which methodological choice moves the ranks most, as a Markdown table."""
    index = _index(report)
    drawn = usable_choices_of(index)
    rows = [[CHOICE_LABELS_SV[row.choice],
             ", ".join(OPTION_LABELS_SV[o] for o in drawn.get(row.choice, CHOICES[row.choice])),
             f"{format_number(100 * row.first_order, 0)} %",
             format_number(row.mean_abs_rank_change, 2)]
            for row in index.sensitivity.itertuples()]
    table = markdown_table(["Metodval", "Alternativ", "Förklarad andel av rangvariationen",
                            text("innovation_index", "sensitivity-column-change")], rows, "  rr")
    top = index.sensitivity.iloc[0]
    defaults = ", ".join(OPTION_LABELS_SV[getattr(DEFAULT_CHOICES, c)] for c in CHOICES)
    notes = [text("innovation_index", "sensitivity-weights")]
    skipped = [o for o in CHOICES["imputation"] if o not in drawn.get("imputation", ())]
    if skipped:
        notes.append(text("innovation_index", "sensitivity-not-drawn", year=index.year,
                          options=narrative.join_sv([OPTION_LABELS_SV[o] for o in skipped])))
    return (text("innovation_index", "sensitivity-intro", n_draws=index.n_draws,
                 defaults=defaults, choice=CHOICE_LABELS_SV[top.choice].lower())
            + " " + " ".join(notes) + "\n\n" + table)


def observed_only_markdown(report: Report) -> str:
    """The observed-only index beside the headline one (or why there is none)."""
    index = _index(report)
    if index.observed is None:
        names = narrative.join_sv([escape_myst(report.catalogue.indicators[i].name_sv)
                                   for i in index.indicator_ids])
        return text("innovation_index", "observed-only-indicators",
                    names=names) if names else ""
    own = index.observed[index.observed["region_code"] == report.region.code]
    names = ", ".join(escape_myst(report.catalogue.indicators[i].name_sv)
                      for i in index.observed_indicator_ids)
    if own.empty or pd.isna(own.iloc[0]["rank"]):
        return text("innovation_index", "observed-only-no-rank", names=names)
    row = own.iloc[0]
    return text("innovation_index", "observed-only-rank",
                n_indicators=len(index.observed_indicator_ids), names=names,
                region=escape_myst(report.region.name), rank=int(row["rank"]),
                n_ranked=int(row["n_ranked"]), group=group_label(row["group"]).lower(),
                pct=format_number(row["pct_of_riket"], 0))


def index_summary_entry(index: IndexResult, region_code: str) -> dict:
    """The ``index`` entry of results/summary.json."""
    row = index.region_row(region_code)
    if not row:
        return {}
    return {"score": round(row["score"], 4), "rank": row["rank"], "of": row["n_ranked"],
            "rank_p05": row["rank_p05"], "rank_p95": row["rank_p95"],
            "group": row["group"], "pct_of_riket": round(row["pct_of_riket"], 1),
            "group_probabilities": {g: round(p, 3) for g, p in
                                    row.get("group_probabilities", {}).items()},
            "coverage": round(row["coverage"], 3), "n_indicators": row["n_indicators"],
            "n_index_indicators": row["n_index_indicators"],
            "indicator_ids": list(index.indicator_ids)}


def landing_map_html(dataset, index: IndexResult, *, element_id: str = "index-map") -> str:
    """An HTML fragment (chart and source) of the index groups of all län, for the
    ``--all`` landing page; needs the Vega bundle (``sphinxext.write_vega_bundle``)."""
    boundaries = load_lan_boundaries(dataset.data_dir, {r.code for r in dataset.regions
                                                        if r.code != RIKET_CODE})
    names = {r.code: r.short_name for r in dataset.regions}
    table = index.scores[(index.scores["year"] == index.year)
                         & (index.scores["region_code"] != RIKET_CODE)]
    table = table.merge(index.uncertainty, on="region_code", how="left")
    table = table.assign(group_sv=table["group"].map(group_label))
    chart = lan_map_chart(table, boundaries, names, value_column="group_sv",
                          legend_title="Grupp i innovationsindexet",
                          categories=[g.label_sv for g in PERFORMANCE_GROUPS],
                          category_colours=[GROUP_COLOURS[g.id] for g in PERFORMANCE_GROUPS])
    return chart_html(chart.to_dict(), element_id) + f"\n<p>{html.escape(SOURCE_NOTE)}.</p>"


def glue_index_chapter(report: Report) -> None:
    """The index chapter's figures and computed text (the prose is in its notebook)."""
    year, name = report.year, escape_myst(report.region.name)
    glue_markdown("index-sentence", index_intro_markdown(report))
    glue_chart("index-ranks", rank_interval_chart(index_table(report)),
               f"innovationsindex-rang-{year}", index_download_table(report),
               description=text("innovation_index", "ranks-description", year=year))
    history = rank_history_table(report)
    glue_chart("index-history", rank_history_chart(history), f"innovationsindex-over-tid-{year}",
               history[["region_name", "year", "rank", "score", "share_synthetic"]],
               description=text("innovation_index", "history-description", region=name))
    glue_markdown("index-groups", groups_markdown())
    chart, caption = index_map(report, "group")
    glue_chart("index-map", chart, f"karta-innovationsindex-{year}", index_download_table(report),
               description=text("innovation_index", "map-description", year=year))
    glue_markdown("index-map-caption", caption)
    dims = dimension_table(report)
    glue_chart("index-dimensions", dimension_breakdown_chart(dims),
               f"innovationsindex-dimensioner-{year}",
               dims[["name_sv", "score", "pct_of_riket", "rank"]],
               description=text("innovation_index", "dimensions-description", region=name))
    glue_markdown("index-dimensions-caption",
                  text("innovation_index", "dimensions-caption", region=name, year=year))
    glue_markdown("index-sensitivity", sensitivity_markdown(report))
    glue_markdown("index-observed", observed_only_markdown(report))
    glue_markdown("index-min-coverage", format_number(100 * MIN_COVERAGE, 0) + " %")
    glue_markdown("index-min-region-coverage",
                  format_number(100 * MIN_REGION_COVERAGE, 0) + " %")
