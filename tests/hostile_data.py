"""A data folder whose free text and names carry markup aimed at every output format.

Names (region names, indicator names, source citations) must pass the loaders, which refuse ``<``, ``>``,
backticks and ``{role}`` syntax, so they carry what remains allowed: Markdown links with
``javascript:``, emphasis, dollar math, LaTeX commands and ``&``. Free text (descriptions,
source fields, values.csv notes) carries everything: script tags, event handlers,
``javascript:`` links, MyST directives and roles, raw HTML and LaTeX.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import yaml

SECRET = "HEMLIGTORD4711"  # in a file that a LaTeX \input would put into the PDF

TEXT_PAYLOAD = (
    "<script>alert(1)</script><img src=x onerror=alert(4)> "
    "[klicka](javascript:alert(2)) <javascript:alert(3)> <a href='javascript:alert(9)'>a</a> "
    "{sub-ref}`today` {{ region_name }} $\\input{{SECRET_FILE}}$ \\write18{{rm -rf x}}\n"
    "```{raw} html\n<script>alert(5)</script>\n```\n"
    ":::{danger}\n<iframe src=javascript:alert(6)></iframe>\n:::\n"
    "# rubrik\n% kommentar"
)
NAME_PAYLOAD = "[klicka](javascript:alert(7)) & *fet* $\\input{{SECRET_FILE}}$"
URL_PAYLOAD = 'https://example.org/"><script>alert(8)</script>'


def write_hostile_data(source: Path, target: Path, *, region_code: str = "24") -> Path:
    """Copy ``source`` (a data folder) to ``target`` with hostile text in every field that
    is rendered; return ``target``. A file holding ``SECRET`` is written beside it."""
    shutil.copytree(source, target)
    secret = target.parent / "secret.tex"
    secret.write_text(SECRET + "\n", encoding="utf-8")
    text = TEXT_PAYLOAD.replace("{SECRET_FILE}", str(secret))
    name = NAME_PAYLOAD.replace("{SECRET_FILE}", str(secret))

    catalogue_path = target / "indicators.yaml"
    catalogue = yaml.safe_load(catalogue_path.read_text(encoding="utf-8"))
    for dimension in catalogue["dimensions"]:
        dimension["description_sv"] = text
    for indicator in catalogue["indicators"]:
        indicator["description_sv"] = indicator["description_en"] = text
        indicator["name_sv"] = f"{indicator['name_sv']} {name}"
        if indicator["kind"] == "survey":
            indicator["question_sv"] = text
    catalogue_path.write_text(yaml.safe_dump(catalogue, allow_unicode=True, sort_keys=False),
                              encoding="utf-8")

    sources_path = target / "sources.yaml"
    sources = yaml.safe_load(sources_path.read_text(encoding="utf-8"))
    for source in sources.values():
        for field in ("producer", "title", "table", "licence", "note"):
            source[field] = text
        source["citation_sv"] = name  # shown under every chart: markup refused at load
        source["url"] = URL_PAYLOAD
        if source.get("survey"):  # the survey's design: plain labels, shown in tables
            for field in ("population_sv", "sample_sv", "collector", "mode_sv",
                          "questionnaire_sv", "weighting_sv", "reference_sv"):
                source["survey"][field] = name
    sources_path.write_text(yaml.safe_dump(sources, allow_unicode=True, sort_keys=False),
                            encoding="utf-8")

    regions_path = target / "regions.yaml"
    regions = yaml.safe_load(regions_path.read_text(encoding="utf-8"))
    for region in regions:
        if region["code"] == region_code:
            region["name"] = f"{region['name']} {name}"
            region["short_name"] = f"{region['short_name']} {name}"
    regions_path.write_text(yaml.safe_dump(regions, allow_unicode=True, sort_keys=False),
                            encoding="utf-8")

    values_path = target / "values.csv"
    with values_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    note = rows[0].index("note")
    for row in rows[1:]:
        if row[0] == region_code:
            row[note] = text.replace("\n", " ")
    with values_path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return target
