"""Spreadsheet templates for indicators without an API: fill in, then ``ecoreport import``.

``ecoreport template INDICATOR... --out FILE.xlsx`` writes one sheet per indicator, named by
its id: the header row is "Län" and one column per year, then one row per län (catalogue
order of regions.yaml, Riket last). Cells hold the observed values already in the data
(synthetic ones are left empty: they are not data). What the numbers are — name, unit,
source, producer's page and the catalogue's recipe (the table, the filters, the unit to
download and how it becomes the catalogue's unit) — is written where the importer does not
read it: a note on the "Län" cell, the sheet's printed page header and a first sheet "Om
mallen" with one line per indicator. So a sheet imports back unchanged with
``ecoreport import FILE.xlsx --indicator ID --sheet ID``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from ecoreport.data.catalogue import load_catalogue
from ecoreport.data.regions import load_regions
from ecoreport.data.tables import read_table
from ecoreport.data.vocab import RIKET_CODE
from ecoreport.data.xlsx import BOLD, Sheet, write_workbook
from ecoreport.errors import UsageError
from ecoreport.paths import data_dir as default_data_dir

ABOUT_SHEET = "Om mallen"
DEFAULT_YEARS = tuple(range(2013, 2025))
REGION_HEADER = "Län"


def _cell_value(text: str) -> float | int:
    number = float(text)
    return int(number) if number.is_integer() else number


def indicator_header(catalogue, indicator_id: str) -> dict[str, str]:
    """Name, unit, source and download address of one indicator (for the sheet header)."""
    indicator = catalogue.indicator(indicator_id)
    source = catalogue.source(indicator_id)
    return {"id": indicator_id, "name": indicator.name_sv,
            "unit": catalogue.unit(indicator_id).label_sv,
            "source": source.citation_sv, "url": source.url or "",
            "recipe": recipe_text(indicator.recipe)}


def recipe_text(recipe: dict[str, str] | None) -> str:
    """The catalogue's recipe in one line (empty without one): table, page, filters, unit
    downloaded, how it becomes the catalogue's unit, and the lead when there is one."""
    if not recipe:
        return ""
    text = (f"Tabell: {recipe['table_name']} ({recipe['page']}). Urval: {recipe['filters']}. "
            f"Enhet i nedladdningen: {recipe['unit']}. Omräkning: {recipe['conversion']}")
    if recipe.get("lead"):
        text += f". Spår (inte bekräftat som samma mått): {recipe['lead']}"
    return text


def indicator_page(catalogue, indicator_id: str) -> str:
    """The recipe's page for this very table, when the catalogue has one."""
    recipe = catalogue.indicator(indicator_id).recipe
    return recipe["page"] if recipe else ""


def write_template(indicator_ids: Sequence[str], out: str | Path, *,
                   data_dir: str | Path | None = None,
                   years: Iterable[int] | None = None) -> Path:
    """Write the template workbook (atomically) and return its path.

    Survey items and unknown ids are refused (``UsageError``); so is a file name that is
    not .xlsx. ``years`` default: 2013–2024 plus any later year with observed values.
    """
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"{out}: the template is an Excel file; give a name ending in .xlsx")
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    catalogue = load_catalogue(folder)
    if not indicator_ids:
        raise UsageError("name at least one indicator id")
    for indicator_id in indicator_ids:
        if catalogue.indicator(indicator_id).kind != "register":
            raise UsageError(f"{indicator_id!r} is a survey item; templates are for register "
                             "indicators (survey shares are imported as long tables)")
    regions = load_regions(folder)
    order = [r for r in regions if r.code != RIKET_CODE] + [
        r for r in regions if r.code == RIKET_CODE]
    values = read_table(folder / "values.csv")
    observed = values[(values["status"] == "observed") & values["period"].str.fullmatch(r"\d{4}")]
    if years is None:
        later = {int(period) for period in observed["period"] if int(period) > DEFAULT_YEARS[-1]}
        wanted = sorted({*DEFAULT_YEARS, *later})
    else:
        wanted = sorted(set(years))
    about = Sheet(ABOUT_SHEET)
    about.append(["Indikator (flik)", "Namn", "Enhet", "Källa", "Hämta från", "Så här"],
                 style=BOLD)
    sheets = [about]
    for indicator_id in indicator_ids:
        header = indicator_header(catalogue, indicator_id)
        about.append([header["id"], header["name"], header["unit"], header["source"],
                      (indicator_page(catalogue, indicator_id) or header["url"]),
                      header["recipe"]])
        sheet = Sheet(indicator_id[:31])
        sheets.append(sheet)
        sheet.append([REGION_HEADER, *(str(year) for year in wanted)], style=BOLD)
        sheet.add_note("A1", (
            f"{header['name']} ({header['unit']}). Källa: {header['source']}. "
            f"Hämta från: {indicator_page(catalogue, indicator_id) or header['url']}. "
            + (header["recipe"] + " " if header["recipe"] else "")
            + "Fyll i ett värde per län och år; lämna tomt där uppgift saknas."), "ecoreport")
        sheet.print_header = {"C": f"{header['name']} – {header['unit']}",
                              "R": f"Källa: {header['source']}"}
        sheet.freeze_header = sheet.freeze_first_column = True
        rows = observed[observed["indicator_id"] == indicator_id]
        known = {(code, period): text for code, period, text
                 in zip(rows["region_code"], rows["period"], rows["value"])}
        for region in order:
            sheet.append([region.name, *(
                _cell_value(known[(region.code, str(year))]) if (region.code, str(year)) in known else None for year in wanted)])
        sheet.widths[1] = 24
    about.widths.update({2: 40, 5: 60, 6: 100})
    return write_workbook(out, sheets)  # (atomically)


def template_frame(path: str | Path, indicator_id: str) -> pd.DataFrame:
    """One sheet of a template as text (for checks and tests)."""
    return read_table(path, sheet=indicator_id[:31])
