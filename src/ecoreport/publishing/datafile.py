"""One Excel workbook with all the data of a report (linked from the book).

``write_data_workbook`` writes, for one län and year:

* ``Om filen``: what the file holds, what the columns mean, and that synthetic values are
  computed by ecoreport and are no facts about the län;
* ``Värden``: every register value of the report (all län and Riket, up to the report
  year) with indicator, unit, status (observerat/syntetiskt), source and note;
* ``Enkät``: the survey shares (answer category, share, status, source);
* ``Indikatorer``: the catalogue (dimension, unit, polarity, normalisation, source);
* ``Innehåll`` and one sheet per table of ``results/``: the numbers behind every chart and
  table of the book (the same CSV files the charts offer for download).

Every text cell comes from data files, so it is written as text, never as a formula (a
name starting with ``=`` stays text), and characters that XML cannot hold are removed.
Synthetic rows say so in their status column, which is shaded.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path
from typing import Any, Iterable, Sequence

from ecoreport.data.vocab import STATUS_LABELS
from ecoreport.data.xlsx import (BOLD, LINK, PLAIN, SHADE_COLOUR, SHADED, TITLE, Cell, Sheet,
                                   clean_text, plain_value, write_workbook)

#: What the status column says (lower case, as in running text).
STATUS_TEXT = {status: label.adjective for status, label in STATUS_LABELS.items()}
SYNTHETIC_FILL = SHADE_COLOUR
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def cell_text(value: Any) -> Any:
    """A value safe for a cell: numbers as numbers (NaN as empty), text without characters
    XML cannot hold."""
    value = plain_value(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and (math.isnan(value) or math.isinf(value)) \
            else value
    return clean_text(value)


def _sheet_title(name: str, taken: set[str]) -> str:
    """A unique sheet name of at most 31 characters without the forbidden ``[]:*?/\\``."""
    base = _SHEET_FORBIDDEN.sub("-", name).strip("'") or "Blad"
    title, n = base[:SHEET_NAME_MAX], 2
    while title.lower() in taken:
        suffix = f"~{n}"
        title, n = base[:SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _table_sheet(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]],
                 status_column: int | None = None) -> Sheet:
    """Header in bold, frozen; the status cell of a synthetic row is shaded."""
    sheet = Sheet(title)
    for column, name in enumerate(header, start=1):
        sheet.widths[column] = max(10, min(45, len(str(name)) + 4))
    sheet.freeze_header = True
    sheet.append([cell_text(name) for name in header], style=BOLD)
    synthetic = STATUS_TEXT["synthetic"]
    for values in rows:
        values = [cell_text(value) for value in values]
        if status_column is not None and values[status_column] == synthetic:
            values[status_column] = Cell(synthetic, SHADED)
        sheet.append(values)
    return sheet


def read_results_csv(path: Path) -> tuple[list[str], list[list[Any]]]:
    """A ``results/`` CSV (UTF-8 with BOM, ``;``, decimal comma) as header and rows, numbers
    as numbers."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        rows = list(reader)
    if not rows:
        return [], []
    return rows[0], [[_number_or_text(v) for v in row] for row in rows[1:]]


_NUMBER = re.compile(r"^[\u2212-]?\d+(,\d+)?$")


def _number_or_text(text: str) -> Any:
    plain = text.replace("\u00a0", "").replace(" ", "")
    if text and _NUMBER.match(plain):
        return float(plain.replace("\u2212", "-").replace(",", "."))
    return text


def _status(status: Any) -> str:
    return STATUS_TEXT.get(str(status), str(status))


def data_sheets(*, year: int, values, survey, catalogue,
                regions: Sequence[Any]) -> list[Sheet]:
    """The sheets that are the same for every län of a year: Värden, Enkät, Indikatorer
    (made once per ``--all``, see :func:`write_data_workbook`)."""
    names = {r.code: r.name for r in regions}
    names.setdefault("00", "Riket")
    indicators = catalogue.indicators
    rows = []
    frame = values[values["period_start"] <= int(year)]
    for rec in frame.sort_values(["indicator_id", "region_code", "period_start"]).itertuples():
        indicator = indicators.get(rec.indicator_id)
        unit = catalogue.units.get(indicator.unit) if indicator is not None else None
        source = catalogue.sources.get(rec.source_id)
        rows.append([
            rec.indicator_id, indicator.name_sv if indicator else "",
            catalogue.dimension(indicator.dimension).name_sv if indicator else "",
            rec.region_code, names.get(rec.region_code, rec.region_code), rec.period,
            rec.value, unit.label_sv if unit else "", _status(rec.status),
            source.citation_sv if source else rec.source_id,
            "" if not isinstance(rec.note, str) else rec.note])
    value_sheet = _table_sheet(
        "Värden", ["Indikator-id", "Indikator", "Dimension", "Länskod", "Län", "Period",
                   "Värde", "Enhet", "Status", "Källa", "Anmärkning"], rows, status_column=8)

    rows = []
    for rec in survey.sort_values(["indicator_id", "region_code"]).itertuples():
        indicator = indicators.get(rec.indicator_id)
        source = catalogue.sources.get(rec.source_id)
        rows.append([
            rec.indicator_id, indicator.name_sv if indicator else "",
            (indicator.question_sv or "") if indicator else "",
            rec.region_code, names.get(rec.region_code, rec.region_code), rec.period,
            rec.category, rec.share_pct, _status(rec.status),
            source.citation_sv if source else rec.source_id])
    survey_sheet = _table_sheet(
        "Enkät", ["Indikator-id", "Indikator", "Fråga", "Länskod", "Län", "Period",
                  "Svarsalternativ", "Andel av företagen (procent)", "Status", "Källa"],
        rows, status_column=8)

    rows = []
    for indicator in indicators.values():
        unit = catalogue.units.get(indicator.unit)
        source = catalogue.sources.get(indicator.source)
        rows.append([indicator.id, indicator.name_sv,
                     catalogue.dimension(indicator.dimension).name_sv,
                     unit.label_sv if unit else indicator.unit, indicator.polarity,
                     indicator.normalise, indicator.kind,
                     source.citation_sv if source else indicator.source,
                     " ".join(indicator.description_sv.split())])
    catalogue_sheet = _table_sheet(
        "Indikatorer", ["Indikator-id", "Indikator", "Dimension", "Enhet", "Polaritet",
                        "Normalisering", "Slag", "Källa", "Beskrivning"], rows)
    return [value_sheet, survey_sheet, catalogue_sheet]


def write_data_workbook(path: Path, *, region_name: str, year: int, values, survey,
                        catalogue, regions: Sequence[Any], results_dir: Path | None = None,
                        region_slug: str = "", shared: Sequence[Sheet] | None = None) -> Path:
    """Write the report's data workbook to ``path`` (see the module docstring);
    ``shared`` is :func:`data_sheets` for the same data and year, when already made."""
    about = Sheet("Om filen")
    about.widths[1] = 110
    lines = [
        f"Alla data i rapporten Innovationsekosystemet i {region_name} {year}",
        "",
        "Värden: alla registervärden som rapporten bygger på, för alla län och riket till och "
        f"med {year}. Kolumnen Status säger om värdet är observerat (officiell statistik) "
        "eller syntetiskt.",
        "Syntetiska värden är framräknade av ecoreport där statistik saknas. Deras status är "
        "markerad med gul bakgrund, och de ska inte läsas som uppgifter om länet.",
        "Enkät: andel av de svarande företagen per svarsalternativ (procent).",
        "Indikatorer: katalogen med enhet, polaritet, normalisering och källa.",
        "Innehåll: tabellerna bakom rapportens diagram och tabeller, en flik per tabell "
        "(samma siffror som diagrammens CSV-filer).",
    ]
    for row, line in enumerate(lines):
        about.append([cell_text(line)], style=TITLE if row == 0 else PLAIN)
    sheets = [about, *(shared if shared is not None else data_sheets(
        year=year, values=values, survey=survey, catalogue=catalogue, regions=regions))]
    taken = {sheet.title.lower() for sheet in sheets}

    files = sorted(Path(results_dir).glob("*.csv")) if results_dir else []
    if files:
        index = Sheet(_sheet_title("Innehåll", taken))
        sheets.append(index)
        titles = [_sheet_title(file.stem.removeprefix(f"{region_slug}-") if region_slug
                               else file.stem, taken) for file in files]
        index.widths.update({1: 34, 2: 70})
        index.append(["Flik", "Tabell (CSV-fil i results/)"], style=BOLD)
        for title, file in zip(titles, files):
            index.append([Cell(title, LINK, link_to=title), cell_text(file.name)])
        for title, file in zip(titles, files):
            header, table = read_results_csv(file)
            lowered = [str(h).lower() for h in header]
            status_column = lowered.index("status") if "status" in lowered else None
            table = [[_status(v) if i == status_column else v for i, v in enumerate(r)]
                     for r in table]
            sheets.append(_table_sheet(title, header, table, status_column=status_column))
    return write_workbook(path, sheets)
