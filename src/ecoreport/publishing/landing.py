"""The landing page of a year: ``<out>/<year>/index.html`` links every län's book and PDF.

The overview table shows each län's key figures, recorded in the report's build stamp (see
:mod:`ecoreport.publishing.cache`), and the composite index rank when the report has one
(an ``index`` entry in ``results/summary.json``). Every string from the data is escaped.
The page's fixed wording is in ``book/texts/landing.md`` (:mod:`ecoreport.report.texts`).
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from urllib.parse import quote

from ecoreport.publishing.cache import CACHE_DIR, STAMP, read_stamp
from ecoreport.markup.formatting import format_number
from ecoreport.report.texts import text
from ecoreport.publishing.sphinxext import BUNDLE_NAME, write_vega_bundle

LANDING_PAGE = "index.html"
SUMMARY_FILE = Path("results") / "summary.json"
MAP_FRAGMENT = "index-map.html"  # the map of the index groups, kept for rebuilds that reuse


def key_figures(results) -> dict:
    """The figures the overview shows for one län (from its analysis results)."""
    profile = results.profile
    figures: dict = {"strengths": None, "weaknesses": None, "strongest": None,
                     "share_synthetic": None}
    if profile is None or profile.empty:
        return figures
    kinds = profile["profile"].value_counts()
    figures["strengths"] = int(kinds.get("strength", 0))
    figures["weaknesses"] = int(kinds.get("weakness", 0))
    ranked = profile.dropna(subset=["rank"]).sort_values("rank")
    if not ranked.empty:
        best = ranked.iloc[0]
        figures["strongest"] = {"name": str(best["name_sv"]), "rank": int(best["rank"]),
                                "of": int(best["n_regions"])}
    # the report's one observed share (its complement), as on the report's start page
    found = getattr(results, "findings", None)
    share = (1.0 - found.share_observed if found is not None
             else profile["share_synthetic"].mean())
    if share is not None and not math.isnan(share):
        figures["share_synthetic"] = float(share)
    return figures


def index_rank(report_dir: Path) -> str | None:
    """The composite index rank of a report, as text, if its summary has one."""
    try:
        summary = json.loads((report_dir / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    entry = summary.get("index") if isinstance(summary, dict) else None
    if isinstance(entry, dict):
        rank, of = entry.get("rank"), entry.get("of") or entry.get("n_regions")
        if rank is None:
            return None
        return text("landing", "rank", rank=rank, of=of) if of else str(rank)
    return None if entry is None else str(entry)


def _link(report_dir: Path, relative: str | None, text: str) -> str:
    if not relative:
        return "–"
    href = quote(f"{report_dir.name}/{relative}")
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def _row(report_dir: Path, stamp: dict) -> str:
    figures = stamp.get("summary") or {}
    strongest = figures.get("strongest")
    share = figures.get("share_synthetic")
    cells = [
        html.escape(f"{stamp.get('region_name', report_dir.name)} "
                    f"({stamp.get('region_code', '')})"),
        _link(report_dir, stamp.get("html"), text("landing", "web-book-link")),
        _link(report_dir, stamp.get("pdf"), "PDF"),
        html.escape(str(figures.get("strengths", "–"))),
        html.escape(str(figures.get("weaknesses", "–"))),
        html.escape(f"{strongest['name']} ("
                    + text("landing", "rank", rank=strongest["rank"], of=strongest["of"]) + ")"
                    if strongest else "–"),
        html.escape(f"{format_number(100 * share, 0)} %" if share is not None else "–"),
        html.escape(index_rank(report_dir) or "–"),
    ]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _map_section(year_dir: Path, index_map_html: str | None) -> tuple[str, str]:
    """(head script, body section) of the index map; the fragment is stored beside the page
    so that a rebuild which reuses every report keeps its map."""
    fragment = year_dir / MAP_FRAGMENT
    if index_map_html is not None:
        year_dir.mkdir(parents=True, exist_ok=True)
        fragment.write_text(index_map_html, encoding="utf-8")
    if not fragment.exists():
        return "", ""
    write_vega_bundle(year_dir / "_static", cache_dir=year_dir.parent / CACHE_DIR)
    head = f'<script src="_static/{BUNDLE_NAME}"></script>'
    body = (f"<h2>{html.escape(text('landing', 'map-heading'))}</h2>\n"
            f"<p>{html.escape(text('landing', 'map-intro'))}</p>\n"
            + fragment.read_text(encoding="utf-8"))
    return head, body


def _columns() -> list[str]:
    """The overview table's column headings (one ``- heading`` per line of the text)."""
    return [line.removeprefix("- ") for line in text("landing", "columns").splitlines()
            if line.strip()]


def write_landing_page(out_dir: Path, year: int, index_map_html: str | None = None) -> Path:
    """Write ``<out>/<year>/index.html`` for every report built for ``year``;
    ``index_map_html`` (``innovation_index.landing_map_html``) adds the map of Sweden."""
    year_dir = Path(out_dir) / str(year)
    map_head, map_body = _map_section(year_dir, index_map_html)
    reports = []
    for stamp_path in sorted(year_dir.glob(f"*/{STAMP}")):
        stamp = read_stamp(stamp_path.parent)
        if stamp and stamp.get("year") == year:
            reports.append((stamp.get("region_code", ""), stamp_path.parent, stamp))
    rows = "\n".join(_row(report_dir, stamp) for _, report_dir, stamp in sorted(
        reports, key=lambda item: item[0]))
    title = text("landing", "title", year=year)
    intro = html.escape(text("landing", "intro", count=len(reports)))
    columns = "".join(f"<th>{html.escape(column)}</th>" for column in _columns())
    page = f"""<!DOCTYPE html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .4rem .6rem; text-align: left; }}
th {{ background: #f3f3f3; }}
</style>
{map_head}
</head>
<body>
<h1>{html.escape(title)}</h1>
<p>{intro}</p>
<table id="reports">
<thead><tr>{columns}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
{map_body}
</body>
</html>
"""
    target = year_dir / LANDING_PAGE
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(target)
    return target
