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

#: What the status column says (lower case, as in running text).
STATUS_TEXT = {status: label.adjective for status, label in STATUS_LABELS.items()}
SYNTHETIC_FILL = "FFF2CC"
SHEET_NAME_MAX = 31
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def cell_text(value: Any) -> Any:
    """A value safe for a cell: numbers as numbers (NaN as empty), text without characters
    XML cannot hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and (math.isnan(value) or math.isinf(value)) \
            else value
    text = _ILLEGAL_XML.sub("", str(value))
    return text


def _cell(ws, value: Any, *, fill=None, font=None):
    """One streamed cell; text stays text (openpyxl would read "=…" as a formula)."""
    from openpyxl.cell import WriteOnlyCell

    value = cell_text(value)
    formula_like = isinstance(value, str) and value.startswith("=")
    if not formula_like and fill is None and font is None:
        return value  # plain text and numbers stream as they are (fast)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    if fill is not None:
        cell.fill = fill
    if font is not None:
        cell.font = font
    return cell


def _sheet_title(name: str, taken: set[str]) -> str:
    """A unique sheet name of at most 31 characters without the forbidden ``[]:*?/\\``."""
    base = _SHEET_FORBIDDEN.sub("-", name).strip("'") or "Blad"
    title, n = base[:SHEET_NAME_MAX], 2
    while title.lower() in taken:
        suffix = f"~{n}"
        title, n = base[:SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _write_table(ws, header: Sequence[str], rows: Iterable[Sequence[Any]],
                 status_column: int | None = None) -> int:
    """Header in bold, frozen; rows whose status column says synthetic are shaded."""
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    fill = PatternFill("solid", fgColor=SYNTHETIC_FILL)
    bold = Font(bold=True)
    for column, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(column)].width = \
            max(10, min(45, len(str(name)) + 4))
    ws.freeze_panes = "A2"
    ws.append([_cell(ws, name, font=bold) for name in header])
    count = 0
    for count, values in enumerate(rows, start=1):
        synthetic = status_column is not None and \
            values[status_column] == STATUS_TEXT["synthetic"]
        # the status cell of a synthetic row is shaded (one style per row keeps it fast)
        ws.append([_cell(ws, value, fill=fill if synthetic and i == status_column else None)
                   for i, value in enumerate(values)])
    return count


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


def write_data_workbook(path: Path, *, region_name: str, year: int, values, survey,
                        catalogue, regions: Sequence[Any], results_dir: Path | None = None,
                        region_slug: str = "") -> Path:
    """Write the report's data workbook to ``path`` (see the module docstring)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    names = {r.code: r.name for r in regions}
    names.setdefault("00", "Riket")
    wb = Workbook(write_only=True)
    about = wb.create_sheet("Om filen")
    taken = {"om filen"}
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
    about.column_dimensions["A"].width = 110
    for row, line in enumerate(lines):
        about.append([_cell(about, line, font=Font(bold=True, size=13) if row == 0 else None)])

    indicators = catalogue.indicators
    ws = wb.create_sheet(_sheet_title("Värden", taken))
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
    _write_table(ws, ["Indikator-id", "Indikator", "Dimension", "Länskod", "Län", "Period",
                      "Värde", "Enhet", "Status", "Källa", "Anmärkning"], rows,
                 status_column=8)

    ws = wb.create_sheet(_sheet_title("Enkät", taken))
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
    _write_table(ws, ["Indikator-id", "Indikator", "Fråga", "Länskod", "Län", "Period",
                      "Svarsalternativ", "Andel av företagen (procent)", "Status", "Källa"],
                 rows, status_column=8)

    ws = wb.create_sheet(_sheet_title("Indikatorer", taken))
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
    _write_table(ws, ["Indikator-id", "Indikator", "Dimension", "Enhet", "Polaritet",
                      "Normalisering", "Slag", "Källa", "Beskrivning"], rows)

    files = sorted(Path(results_dir).glob("*.csv")) if results_dir else []
    if files:
        index = wb.create_sheet(_sheet_title("Innehåll", taken))
        titles = [_sheet_title(file.stem.removeprefix(f"{region_slug}-") if region_slug
                               else file.stem, taken) for file in files]
        index.column_dimensions["A"].width = 34
        index.column_dimensions["B"].width = 70
        index.append([_cell(index, "Flik", font=Font(bold=True)),
                      _cell(index, "Tabell (CSV-fil i results/)", font=Font(bold=True))])
        for title, file in zip(titles, files):
            link = _cell(index, title, font=Font(color="1F5F8B", underline="single"))
            link.hyperlink = f"#'{title}'!A1"
            index.append([link, _cell(index, file.name)])
        for title, file in zip(titles, files):
            header, table = read_results_csv(file)
            sheet = wb.create_sheet(title)
            lowered = [str(h).lower() for h in header]
            status_column = lowered.index("status") if "status" in lowered else None
            table = [[_status(v) if i == status_column else v for i, v in enumerate(r)]
                     for r in table]
            _write_table(sheet, header, table, status_column=status_column)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
