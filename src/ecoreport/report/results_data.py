"""Results as data: every build writes ``results/`` in the report folder.

* one CSV per figure and table: exactly what the chart's "Ladda ner diagrammets data (CSV)"
  link offers (same file name, same columns, UTF-8 with BOM, ``;`` separated, decimal
  comma), taken from the executed notebooks so the two can never differ;
* ``summary.json`` (schema in the README): region, year, observed share, findings, trends,
  the län's own PCA and the tested research–market axis, with plain JSON numbers.
"""

from __future__ import annotations

import base64
import json
import math
import re
from pathlib import Path

import pandas as pd

from ecoreport.analysis.results import Results
from ecoreport.report import narrative
from ecoreport.report.innovation_index import index_summary_entry

RESULTS_DIR = "results"
SUMMARY_NAME = "summary.json"
_LINK = re.compile(r'download="([^"]+\.csv)" href="data:text/csv;charset=utf-8;base64,([^"]+)"')


def _number(value: object) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def comparison_entries(results: Results) -> list[dict]:
    """Per analysed indicator: the period the comparison between län uses (the latest with
    the län and at least ``MIN_COMPARED_REGIONS`` län observed), rank, Riket, peers; or
    why there is no rank (``reason``)."""
    entries = []
    for indicator_id in results.findings.key_figures["indicator_id"]:
        table = results.comparisons.get(indicator_id)
        own = (table[table["region_code"] == results.region_code]
               if table is not None else None)
        if own is None or own.empty or pd.isna(own.iloc[0]["rank"]):
            reason = getattr(results, "comparison_reasons", {}).get(indicator_id)
            if reason:
                entries.append({"indicator_id": indicator_id, "period": None, "rank": None,
                                "of": None, "value": None, "riket_value": None,
                                "peer_mean": None, "reason": reason})
            continue
        row = own.iloc[0]
        entries.append({"indicator_id": indicator_id, "period": str(row["period"]),
                        "rank": int(row["rank"]), "of": int(row["n_ranked"]),
                        "value": _number(row["value_normalised"]),
                        "riket_value": _number(row["riket_value"]),
                        "peer_mean": _number(row["peer_mean"]), "reason": None})
    return entries


def summary_dict(results: Results, catalogue, region_short: str) -> dict:
    """The fields of ``results/summary.json`` (see the README for their meaning)."""
    found = results.findings
    findings = []
    for finding in found.findings:
        indicator = catalogue.indicator(finding.indicator_id)
        findings.append({"text": narrative.describe_finding(
            finding, indicator.name_sv, region_short,
            narrative.normalised_unit_text(finding.normalised_unit,
                                           getattr(indicator, "counted_sv", None)),
            proper_name=getattr(indicator, "proper_name", False)),
            "kind": finding.kind, "indicator_id": finding.indicator_id,
            "status": finding.status})
    trends = [{
        "indicator_id": row.indicator_id, "from_period": row.first_period,
        "to_period": row.last_period, "slope": _number(row.slope),
        "ci_low": _number(row.slope_ci_low), "ci_high": _number(row.slope_ci_high),
        "p_value": _number(row.p_value), "q_value": _number(getattr(row, "q_value", None)),
        "se_method": row.se_method,
        "status": "synthetic" if row.has_synthetic else "observed", "claim": row.claim,
        "unit": row.normalised_unit, "n": int(row.n)}
        for row in results.trends.itertuples()
        if row.indicator_id in set(found.key_figures["indicator_id"])]
    pca_region = None
    if results.region_axis is not None:
        summary = results.region_axis
        pca_region = {
            "pc1_share": _number(summary.pc1_share),
            "pc1_share_before_screening": _number(summary.pc1_share_before_screening),
            "pc1_year_correlation": _number(summary.pc1_year_correlation),
            "null_pc1_share_p95": _number(summary.null_pc1_share_p95),
            "research_market_r": _number(summary.correlation),
            "research_market_r_ci": [_number(x) for x in summary.correlation_ci],
            "drift_slope": _number(summary.drift.slope),
            "drift_ci": [_number(summary.drift.slope_ci_low), _number(summary.drift.slope_ci_high)],
            "drift_claim": summary.drift.claim,
            "drift_observed_share": _number(summary.observed_share)}
    axis = None
    if results.axis is not None:
        row = results.axis.position(results.region_code)
        axis = {"supported": results.axis.supported, "test": results.axis.test,
                "p_value": _number(results.axis.p_value), "component": results.axis.component,
                "explained_variance": _number(
                    results.axis.explained_variance_ratio[results.axis.component]),
                "stability": _number(results.axis.stability),
                "position": None, "position_ci_low": None, "position_ci_high": None,
                "side": "middle", "rank": None, "n_regions": results.axis.n_regions}
        if row is not None and results.axis.supported:  # no position on an axis not found
            axis.update(position=_number(row["position"]), position_ci_low=_number(row["ci_low"]),
                        position_ci_high=_number(row["ci_high"]), side=str(row["side"]),
                        rank=int(row["rank"]))
    elif "axis" in results.pca_messages:
        axis = {"supported": False, "test": None, "reason": results.pca_messages["axis"]}
    summary = {"region_code": results.region_code, "year": int(results.year),
               "share_observed": _number(found.share_observed), "findings": findings,
               "trends": trends, "comparisons": comparison_entries(results),
               "pca_region": pca_region, "axis": axis}
    index = getattr(results, "index", None)
    if index is not None and index_summary_entry(index, results.region_code):
        summary["index"] = index_summary_entry(index, results.region_code)
    return summary


def write_summary(report_dir: Path, results: Results, catalogue, region_short: str) -> Path:
    """Write ``results/summary.json`` (creating the folder)."""
    folder = Path(report_dir) / RESULTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SUMMARY_NAME
    path.write_text(json.dumps(summary_dict(results, catalogue, region_short),
                               ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def write_figure_tables(report_dir: Path) -> list[Path]:
    """Copy every chart's CSV download from the executed notebooks into ``results/``."""
    folder = Path(report_dir) / RESULTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for notebook in sorted(Path(report_dir).glob("notebooks/**/*.ipynb")):
        for html in _html_outputs(json.loads(notebook.read_text(encoding="utf-8"))):
            for name, payload in _LINK.findall(html):
                path = folder / Path(name).name
                path.write_bytes(base64.b64decode(payload))
                written.append(path)
    return written


def _html_outputs(notebook: dict) -> list[str]:
    """The text/html outputs of a notebook's cells, shown or glued (myst-nb stores glued
    outputs under "application/papermill.record/text/html")."""
    found = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            for mime, html in output.get("data", {}).items():
                if mime.endswith("text/html") and html:
                    found.append("".join(html) if isinstance(html, list) else str(html))
    return found


def write_results(report_dir: Path, results: Results, catalogue, region_short: str) -> None:
    """``results/``: summary.json and one CSV per figure/table (after the notebooks ran)."""
    write_summary(report_dir, results, catalogue, region_short)
    write_figure_tables(report_dir)
