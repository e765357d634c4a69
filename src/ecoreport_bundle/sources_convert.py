"""Converters from the real source files (``../shared``) to tidy observed rows.

One function per source file. Each returns a DataFrame with the columns of
``values.csv`` (``VALUES_COLUMNS``): every row has status ``observed`` and the
``source_id`` of its producer. Suppressed values (``..``) are dropped, never
turned into zero. Region names are resolved by ``ecoreport.data.regions.RegionNames`` (the
harmoniser the import and fetch use too), so no län list is typed in here.

These converters are only used by ``scripts/build_dataset.py``; reports read the
bundled ``data/`` and never need the source files.
"""

from __future__ import annotations

import gzip
import logging
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from ecoreport.data.regions import RegionNames
from ecoreport.data.tables import SURVEY_COLUMNS, VALUES_COLUMNS, is_missing_marker, normalise_header
from ecoreport.data.tables import parse_number as parse_io_number
from ecoreport.data.vocab import RIKET_CODE
from ecoreport.errors import DataError

logger = logging.getLogger(__name__)


# Source ids (keys of data/sources.yaml).
SOURCE_FOU = "kolada_fou"
SOURCE_NYSTARTADE = "tillvaxtanalys_nystartade"
SOURCE_EXPORT = "scb_varuexport"
SOURCE_MATCHNING = "scb_matchning"
SOURCE_REGLAB = "reglab_innovationsindex"
SOURCE_INTERNATIONALISERING = "tillvaxtverket_internationalisering"
SOURCE_BEFOLKNING = "scb_befolkning"
SOURCE_MODEL_REPORT = "metric_vasterbotten_2025"
SOURCE_NLE = "nle_2024"


# Observed rows carry one column beyond values.csv, dropped when the files are written:
# "max" or "min" where the source states that the value is the highest or lowest of its
# series (the generator keeps synthetic neighbours below or above it), else "".
EXTREME_COLUMN = "extreme"
OBSERVED_COLUMNS = [*VALUES_COLUMNS, EXTREME_COLUMN]
# How the reference transcription's note column starts when the model report calls a value
# the highest or lowest of its series ("peak of 2013-2024", "highest ever", "lowest").
REFERENCE_EXTREMES = {"peak": "max", "highest": "max", "lowest": "min"}

FOU_KPIS = {
    "Företagens utgifter för egen FoU": "fou_utgifter_foretag",
    "Offentliga sektorns utgifter för FoU": "fou_utgifter_offentlig",
    "Universitets- och högskolesektorns utgifter för FoU": "fou_utgifter_hogskola",
}
# Reference-figure ids summed into one catalogue indicator (only where all parts exist).
REFERENCE_SUMS = {"studenter": ("studenter_umu", "studenter_slu")}


def parse_number(raw: object, *, file: str, row: int | None = None,
                 column: str | None = None) -> float | None:
    """Parse a source cell as float; ``None`` for suppressed/missing cells (``..``, NA).

    The number syntax is :func:`ecoreport.data.tables.parse_number`'s; this adds the source files'
    own markers ("." and "NA") and names file, row and column when a cell is not a number.
    """
    if is_missing_marker(raw):
        return None
    try:
        value = parse_io_number(raw)
    except ValueError:
        raise DataError("not a number", file=file, row=row, column=column, value=raw,
                        expected="a decimal number or '..' for suppressed") from None
    if math.isinf(value):
        raise DataError("infinite value", file=file, row=row, column=column, value=raw,
                        expected="a finite number")
    return None if math.isnan(value) else value


def long_records(raw: pd.DataFrame, file: str, index: RegionNames, *,
                 region_column: str, year_column: str, value_column: str,
                 indicator_of, source_id: str) -> list[dict[str, object]]:
    """Rows of a long source table (one value per region and year); suppressed cells are
    skipped and errors name the file's row (header = row 1) and column."""
    records = []
    for position, row in raw.iterrows():
        line = int(position) + 2
        value = parse_number(row[value_column], file=file, row=line, column=value_column)
        if value is None:
            continue
        records.append({
            "region_code": index.cell_code(row[region_column], file=file, row=line,
                                        column=region_column),
            "indicator_id": indicator_of(row), "period": str(int(row[year_column])),
            "value": value, "source_id": source_id, "note": "",
        })
    return records


def make_rows(records: list[dict[str, object]]) -> pd.DataFrame:
    """Build an observed-values frame (``OBSERVED_COLUMNS``) from record dicts."""
    frame = pd.DataFrame.from_records(records, columns=OBSERVED_COLUMNS)
    frame["status"] = "observed"
    frame["note"] = frame["note"].fillna("")
    frame[EXTREME_COLUMN] = frame[EXTREME_COLUMN].astype(object).fillna("").astype(str)
    frame["value"] = frame["value"].astype(float)
    for column in ("region_code", "indicator_id", "period", "status", "source_id", "note"):
        frame[column] = frame[column].astype(str)
    return frame.reset_index(drop=True)


def _read_csv_text(path: Path, encoding: str = "utf-8") -> pd.DataFrame:
    """Read a comma-separated file keeping every cell as text (codes keep leading zeros)."""
    return pd.read_csv(path, encoding=encoding, dtype=str, keep_default_na=False)


def _check_columns(frame: pd.DataFrame, required: Iterable[str], file: str) -> None:
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise DataError(f"missing column(s) {missing}; found {list(frame.columns)}",
                        file=file, expected=f"columns {list(required)}")


def convert_fou(path: Path, index: RegionNames, source_id: str = SOURCE_FOU) -> pd.DataFrame:
    """FoU expenditure per inhabitant by sector (SEK) from ``forskning_fou_per_inv.csv``."""
    path = Path(path)
    raw = _read_csv_text(path)
    _check_columns(raw, ["kpi", "year", "value", "municipality"], path.name)
    for position, kpi in raw["kpi"].items():
        if kpi not in FOU_KPIS:
            raise DataError("unknown kpi", file=path.name, row=int(position) + 2, column="kpi",
                            value=kpi, expected=f"one of {sorted(FOU_KPIS)}")
    return make_rows(long_records(raw, path.name, index, region_column="municipality",
                                  year_column="year", value_column="value",
                                  indicator_of=lambda row: FOU_KPIS[row["kpi"]],
                                  source_id=source_id))


_YEAR_HEADER = re.compile(r"^\s*(\d{4})\s*(\**)\s*$")


def convert_nystartade(path: Path, index: RegionNames,
                       source_id: str = SOURCE_NYSTARTADE) -> pd.DataFrame:
    """New firms per län and Riket ("Samtliga") from ``NystartadeForetag2023Uppd.xlsx``.

    Column headers carry Tillväxtanalys method-break marks (``2010*``, ``2010**``,
    ``2011***``). A year given twice keeps the value with more marks (the newer method)
    and records the other value in ``note``.
    """
    path = Path(path)
    sheet = openpyxl.load_workbook(path, read_only=True, data_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        raise DataError("empty sheet", file=path.name, expected="a header row with years")
    header = rows[0]
    columns: dict[int, list[tuple[int, int]]] = {}  # year -> [(marks, column position)]
    for position, label in enumerate(header[1:], start=1):
        if label is None:
            continue
        match = _YEAR_HEADER.match(str(label))
        if not match:
            raise DataError("column header is not a year", file=path.name, row=1,
                            column=str(label), value=label,
                            expected="a year, optionally followed by * marks")
        columns.setdefault(int(match.group(1)), []).append((len(match.group(2)), position))
    records = []
    for row_number, row in enumerate(rows[1:], start=2):
        if row[0] is None or all(cell is None for cell in row):
            continue
        code = index.cell_code(row[0], file=path.name, row=row_number, column="Län")
        for year, variants in sorted(columns.items()):
            variants = sorted(variants)
            if len({marks for marks, _ in variants}) != len(variants):
                raise DataError(f"year {year} given twice with the same method mark",
                                file=path.name, row=1, column=str(year),
                                expected="distinct * marks for repeated years")
            marks, position = variants[-1]
            value = parse_number(row[position], file=path.name, row=row_number,
                                 column=str(header[position]))
            if value is None:
                continue
            notes = []
            if len(variants) > 1:
                others = []
                for other_marks, other_position in variants[:-1]:
                    other = parse_number(row[other_position], file=path.name, row=row_number,
                                         column=str(header[other_position]))
                    others.append(f"{header[other_position]} = "
                                  f"{'..' if other is None else format(other, 'g')}")
                notes.append(f"method break: {year} published twice; new-method value "
                             f"({header[position]}) kept, older method {', '.join(others)}")
            elif marks:
                notes.append(f"source column {header[position]} (Tillväxtanalys method-break mark)")
            records.append({"region_code": code, "indicator_id": "nystartade_foretag",
                            "period": str(year), "value": value, "source_id": source_id,
                            "note": "; ".join(notes)})
    return make_rows(records)


def convert_export(path: Path, index: RegionNames, source_id: str = SOURCE_EXPORT,
                   population_source_id: str = SOURCE_BEFOLKNING) -> pd.DataFrame:
    """Goods export per inhabitant 20–64 and population 20–64 from the latin-1 export file.

    Rows for unallocated export (code ``99``, or no län name) are dropped.
    """
    path = Path(path)
    raw = _read_csv_text(path, encoding="latin-1")
    _check_columns(raw, ["Ar", "AstLan", "Lan_namn", "bef_20_64ar", "RegExp_inv20_64ar"],
                   path.name)
    codes = index.codes
    records = []
    for position, row in raw.iterrows():
        code = row["AstLan"].strip().zfill(2)
        if code == "99" or row["Lan_namn"].strip() in {"", "NA"}:
            continue  # export not allocated to a län
        if code not in codes or code == RIKET_CODE:
            raise DataError("unknown län code", file=path.name, row=int(position) + 2,
                            column="AstLan", value=row["AstLan"],
                            expected="a län code from regions.yaml")
        period = str(int(row["Ar"]))
        for column, indicator_id, source in (
                ("RegExp_inv20_64ar", "varuexport_per_invanare", source_id),
                ("bef_20_64ar", "befolkning_20_64", population_source_id)):
            value = parse_number(row[column], file=path.name, row=int(position) + 2,
                                 column=column)
            if value is None:
                continue
            records.append({"region_code": code, "indicator_id": indicator_id,
                            "period": period, "value": value, "source_id": source,
                            "note": ""})
    return make_rows(records)


def convert_matchning(path: Path, index: RegionNames,
                      source_id: str = SOURCE_MATCHNING) -> pd.DataFrame:
    """Education–job match (percent) per län: all employed ("samtliga anställda"), column "totalt"."""
    path = Path(path)
    raw = _read_csv_text(path)
    _check_columns(raw, ["region", "kön", "år", "totalt"], path.name)
    total = raw[raw["kön"].str.strip().str.casefold() == "samtliga anställda"]
    if total.empty:
        raise DataError("no rows for all employed", file=path.name, column="kön",
                        expected="rows with kön = 'samtliga anställda'")
    if total.duplicated(["region", "år"]).any():
        raise DataError("region and year repeated among 'samtliga anställda' rows",
                        file=path.name, column="år", expected="one total row per län and year")
    records = []
    for position, row in total.iterrows():
        value = parse_number(row["totalt"], file=path.name, row=int(position) + 2,
                             column="totalt")
        if value is None:
            continue
        records.append({
            "region_code": index.cell_code(row["region"], file=path.name,
                                        row=int(position) + 2, column="region"),
            "indicator_id": "utbildningsmatchning_andel", "period": str(int(row["år"])),
            "value": value, "source_id": source_id,
            "note": "all employed, both sexes, all ages and birth regions",
        })
    return make_rows(records)


SOURCE_UTBILDNING = "scb_utbildning"
# Riksdag valkrets (Vallagen 4 kap. 2 §, numbered as in Bippen/PoliSim's
# valkrets_municipalities_2024.csv) -> the län it lies in: Stockholms kommun and Stockholms
# läns valkrets make län 01, Malmö and the three other Skåne valkretsar län 12, Göteborg and
# the four other Västra Götaland valkretsar län 14; every other valkrets is one län.
VALKRETS_LAN = {1: "01", 2: "01", 3: "03", 4: "04", 5: "05", 6: "06", 7: "07", 8: "08",
                9: "09", 10: "10", 11: "12", 12: "12", 13: "12", 14: "12", 15: "13",
                16: "14", 17: "14", 18: "14", 19: "14", 20: "14", 21: "17", 22: "18",
                23: "19", 24: "20", 25: "21", 26: "22", 27: "23", 28: "24", 29: "25"}
EDUCATION_EXTRACT = Path(__file__).parent / "extracts" / "scb_utbbefregionr_2024_valkrets_25_64.csv"
EDUCATION_YEAR = "2024"
EDUCATION_NOTE = ("share of two selections from SCB UtbBefRegionR {year} (31 Dec): persons "
                  "25–64 at level 6 (eftergymnasial 3 år eller mer) or 7 "
                  "(forskarutbildning) / all persons 25–64 (levels 1–7 and uppgift saknas); "
                  "both sexes; {how}; SCB's kommun answers as saved in Bippen/PoliSim "
                  "(valkrets_education_by_age_2024.csv)")


def convert_education_share(path: Path = EDUCATION_EXTRACT,
                            source_id: str = SOURCE_UTBILDNING) -> pd.DataFrame:
    """Share (percent) of the population 25–64 with post-secondary education of three years
    or more (levels 6 and 7) per län and Riket, 2024, from the vendored valkrets extract:
    numerator and denominator are summed over five-year bands 25–64 and over the valkretsar
    of each län (Riket: all valkretsar) before dividing."""
    path = Path(path)
    raw = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    _check_columns(raw, ["valkrets_no", "band", "level_6", "level_7", "total"], path.name)
    sums: dict[str, list[float]] = {}
    bands = set()
    for position, row in raw.iterrows():
        where = dict(file=path.name, row=int(position) + 2)
        valkrets = int(parse_number(row["valkrets_no"], column="valkrets_no", **where))
        if valkrets not in VALKRETS_LAN:
            raise DataError(f"valkrets {valkrets} is not one of the 29", column="valkrets_no",
                            value=row["valkrets_no"], expected="1–29", **where)
        band = int(parse_number(row["band"], column="band", **where))
        if not 5 <= band <= 12:
            raise DataError("a band outside 25–64", column="band", value=row["band"],
                            expected="5 (25–29) … 12 (60–64)", **where)
        bands.add((valkrets, band))
        numbers = [parse_number(row[column], column=column, **where)
                   for column in ("level_6", "level_7", "total")]
        if any(number is None for number in numbers):
            raise DataError("a count is missing", expected="whole numbers", **where)
        for code in (VALKRETS_LAN[valkrets], RIKET_CODE):
            total = sums.setdefault(code, [0.0, 0.0])
            total[0] += numbers[0] + numbers[1]
            total[1] += numbers[2]
    expected = {(v, b) for v in VALKRETS_LAN for b in range(5, 13)}
    if bands != expected:
        missing = sorted(expected - bands)
        raise DataError(f"{len(missing)} valkrets × band rows are missing, e.g. {missing[:1]}",
                        file=path.name, expected="bands 5–12 of all 29 valkretsar")
    records = []
    for code, (numerator, denominator) in sorted(sums.items()):
        how = ("all valkretsar (= all kommuner) summed" if code == RIKET_CODE else
               "valkretsar " + ", ".join(str(v) for v, lan in VALKRETS_LAN.items()
                                         if lan == code) + " summed to the län")
        records.append({"region_code": code, "indicator_id": "eftergymnasial_3ar_andel",
                        "period": EDUCATION_YEAR,
                        "value": round(100.0 * numerator / denominator, 1),
                        "source_id": source_id,
                        "note": EDUCATION_NOTE.format(year=EDUCATION_YEAR, how=how)})
    return make_rows(records)


POPULATION_EXTRACT = Path(__file__).parent / "extracts" / "scb_befolkningny_2024_valkrets_age.csv"
POPULATION_20_64_BANDS = tuple(f"band_{band}" for band in range(4, 13))  # 20–24 … 60–64


def valkrets_to_lan(raw: pd.DataFrame, columns: Iterable[str], file: str
                    ) -> dict[str, dict[str, float]]:
    """län code (and Riket) -> column -> sum over its valkretsar, from a frame with a
    ``valkrets_no`` column; every one of the 29 valkretsar must be there exactly once."""
    sums: dict[str, dict[str, float]] = {}
    seen = []
    for position, row in raw.iterrows():
        where = dict(file=file, row=int(position) + 2)
        valkrets = int(parse_number(row["valkrets_no"], column="valkrets_no", **where))
        if valkrets not in VALKRETS_LAN:
            raise DataError(f"valkrets {valkrets} is not one of the 29", column="valkrets_no",
                            value=row["valkrets_no"], expected="1–29", **where)
        seen.append(valkrets)
        for column in columns:
            number = parse_number(row[column], column=column, **where)
            if number is None:
                raise DataError("a count is missing", column=column, expected="a whole number",
                                **where)
            for code in (VALKRETS_LAN[valkrets], RIKET_CODE):
                sums.setdefault(code, {}).setdefault(column, 0.0)
                sums[code][column] += number
    if sorted(seen) != sorted(VALKRETS_LAN):
        raise DataError("each of the 29 valkretsar must appear once", file=file,
                        expected="valkrets_no 1–29, once each")
    return sums


def convert_population_20_64(path: Path = POPULATION_EXTRACT,
                             source_id: str = SOURCE_BEFOLKNING) -> pd.DataFrame:
    """Population aged 20–64 on 31 December 2024 per län and Riket: the five-year bands
    20–24 … 60–64 of the vendored valkrets extract, valkretsar summed to län."""
    path = Path(path)
    raw = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    _check_columns(raw, ["valkrets_no", *POPULATION_20_64_BANDS], path.name)
    sums = valkrets_to_lan(raw, POPULATION_20_64_BANDS, path.name)
    note = ("SCB BefolkningNy 2024 (31 Dec) via Bippen/PoliSim "
            "(valkrets_population_by_age_2024.csv): bands 20–24 … 60–64, {how}")
    records = [{"region_code": code, "indicator_id": "befolkning_20_64", "period": "2024",
                "value": sum(columns.values()), "source_id": source_id,
                "note": note.format(how="all valkretsar summed" if code == RIKET_CODE
                                    else "valkretsar summed to the län")}
               for code, columns in sorted(sums.items())]
    return make_rows(records)


def convert_reglab(path: Path, index: RegionNames,
                   source_id: str = SOURCE_REGLAB) -> pd.DataFrame:
    """Reglab innovation index per län (UTF-8 with BOM, short län names)."""
    path = Path(path)
    raw = _read_csv_text(path, encoding="utf-8-sig")
    raw.columns = [normalise_header(column) for column in raw.columns]
    _check_columns(raw, ["year of år", "region", "index"], path.name)
    return make_rows(long_records(raw, path.name, index, region_column="region",
                                  year_column="year of år", value_column="index",
                                  indicator_of=lambda row: "innovationsindex_reglab",
                                  source_id=source_id))


def convert_internationalisering(path: Path, index: RegionNames,
                                 source_id: str = SOURCE_INTERNATIONALISERING) -> pd.DataFrame:
    """Internationalisation index 2020 per län from ``totalindex_2020.xlsx``.

    Sheet 1 holds the 2020 index; sheet 2, if present, the change in index units
    2016–2020, from which the 2016 level (2020 minus change) is derived.
    """
    path = Path(path)
    sheets = openpyxl.load_workbook(path, read_only=True, data_only=True).worksheets

    def read_pairs(sheet: Any) -> dict[str, float]:
        rows = [row for row in sheet.iter_rows(values_only=True) if any(c is not None for c in row)]
        if len(rows) < 2:
            raise DataError("expected a row of län names and a row of values",
                            file=path.name, column=sheet.title)
        pairs = {}
        for name, raw_value in zip(rows[0][1:], rows[1][1:]):
            if name is None:
                continue
            code = index.cell_code(name, file=path.name, row=1, column=sheet.title)
            value = parse_number(raw_value, file=path.name, row=2, column=str(name))
            if value is not None:
                pairs[code] = value
        return pairs

    levels = read_pairs(sheets[0])
    records = [{"region_code": code, "indicator_id": "internationaliseringsindex",
                "period": "2020", "value": value, "source_id": source_id, "note": ""}
               for code, value in levels.items()]
    if len(sheets) > 1:
        for code, change in read_pairs(sheets[1]).items():
            if code in levels:
                records.append({
                    "region_code": code, "indicator_id": "internationaliseringsindex",
                    "period": "2016", "value": round(levels[code] - change, 2),
                    "source_id": source_id,
                    "note": "derived: 2020 index minus the published change 2016–2020 "
                            f"({format(change, '.2f')} index units)",
                })
    return make_rows(records)


POPULATION_YEARS_NOTE = "sum of kommuner; population 31 Dec (source year {year} refers to 31 Dec {period})"


def convert_population(path: Path, index: RegionNames,
                       source_id: str = SOURCE_BEFOLKNING) -> pd.DataFrame:
    """Population per län from the kommun panel ``municip_data.csv``.

    Kommun populations are summed to län. The source year t refers to 31 Dec of
    year t-1, so the period is t-1.
    """
    path = Path(path)
    raw = _read_csv_text(path)
    _check_columns(raw, ["municip_code", "county_code", "year", "pop"], path.name)
    if raw.duplicated(["municip_code", "year"]).any():
        raise DataError("kommun and year repeated", file=path.name, column="municip_code",
                        expected="one row per kommun and year")
    codes = index.codes
    totals: dict[tuple[str, int], float] = {}
    for position, row in raw.iterrows():
        code = row["county_code"].strip().zfill(2)
        if code not in codes or code == RIKET_CODE:
            raise DataError("unknown län code", file=path.name, row=int(position) + 2,
                            column="county_code", value=row["county_code"],
                            expected="a län code from regions.yaml")
        value = parse_number(row["pop"], file=path.name, row=int(position) + 2, column="pop")
        if value is None:
            raise DataError("missing kommun population would bias the län sum",
                            file=path.name, row=int(position) + 2, column="pop",
                            value=row["pop"], expected="a number for every kommun")
        key = (code, int(row["year"]))
        totals[key] = totals.get(key, 0.0) + value
    records = [{"region_code": code, "indicator_id": "befolkning", "period": str(year - 1),
                "value": total, "source_id": source_id,
                "note": POPULATION_YEARS_NOTE.format(year=year, period=year - 1)}
               for (code, year), total in sorted(totals.items())]
    return make_rows(records)


def convert_reference(path: Path, indicator_ids: Iterable[str],
                      source_id: str = SOURCE_MODEL_REPORT) -> pd.DataFrame:
    """Figures read from the model report (Västerbotten) as observed values.

    Ids not in ``indicator_ids`` are skipped, except the parts of ``REFERENCE_SUMS``
    (UmU + SLU students → ``studenter``), which are summed where all parts exist.
    """
    path = Path(path)
    known = set(indicator_ids)
    raw = _read_csv_text(path)
    _check_columns(raw, ["indicator", "region_code", "period", "value", "report_ref", "note"],
                   path.name)
    if raw.duplicated(["indicator", "region_code", "period"]).any():
        raise DataError("indicator, region and period repeated", file=path.name,
                        column="indicator", expected="one row per cell")
    records: list[dict[str, object]] = []
    parts: dict[tuple[str, str, str], dict[str, tuple[float, str]]] = {}
    part_of = {part: total for total, members in REFERENCE_SUMS.items() for part in members}
    skipped = set()
    for position, row in raw.iterrows():
        value = parse_number(row["value"], file=path.name, row=int(position) + 2, column="value")
        if value is None:
            continue
        code = row["region_code"].strip().zfill(2)
        ref = row["report_ref"].strip()
        extra = SURVEY_NOTE_CORRECTIONS.get(row["note"].strip(), row["note"].strip())
        note = f"model report, {ref}" + (f"; {extra}" if extra else "")
        indicator = row["indicator"].strip()
        if indicator in part_of and part_of[indicator] in known:
            parts.setdefault((part_of[indicator], code, row["period"].strip()), {})[indicator] = (
                value, ref)
            continue
        if indicator not in known:
            skipped.add(indicator)
            continue
        first_word = (row["note"].split() or [""])[0].casefold()
        records.append({"region_code": code, "indicator_id": indicator,
                        "period": row["period"].strip(), "value": value,
                        "source_id": source_id, "note": note,
                        EXTREME_COLUMN: REFERENCE_EXTREMES.get(first_word, "")})
    for (total_id, code, period), found in sorted(parts.items()):
        members = REFERENCE_SUMS[total_id]
        if set(found) != set(members):
            logger.info("%s %s %s: only %s in the reference, not summed", total_id, code,
                        period, sorted(found))
            continue
        refs = sorted({ref for _, ref in found.values()})
        detail = " + ".join(f"{member} {format(found[member][0], 'g')}" for member in members)
        records.append({"region_code": code, "indicator_id": total_id, "period": period,
                        "value": sum(found[member][0] for member in members),
                        "source_id": source_id,
                        "note": f"model report, {', '.join(refs)}; sum {detail} "
                                "(summed only for years where all parts are given)"})
    if skipped:
        logger.info("reference ids not in the catalogue, skipped: %s", sorted(skipped))
    return make_rows(records)


#: Notes of the reference survey file that misread the model report: its "omkring 1 700
#: företag" is the number of firms working with innovation (34 % of the population), not
#: the population, which the report's survey description gives as 4 979 firms (the figure
#: in sources.yaml).
SURVEY_NOTE_CORRECTIONS = {
    "305 responding firms with at least one employee; about 1700 firms in the population":
        "305 responding firms with at least one employee; about 1700 firms work with "
        "innovation (34 % of the population of 4979 firms with at least one employee)",
}


def convert_survey(path: Path, indicator_ids: Iterable[str] | None = None, region_code: str = "24",
                   period: str = "2024", source_id: str = SOURCE_NLE) -> pd.DataFrame:
    """Survey answer shares (NLE 2024, Västerbotten) to the ``survey.csv`` layout."""
    path = Path(path)
    raw = _read_csv_text(path)
    _check_columns(raw, ["item", "category", "share_pct", "report_ref", "note"], path.name)
    known = None if indicator_ids is None else set(indicator_ids)
    records = []
    for position, row in raw.iterrows():
        item = row["item"].strip()
        if known is not None and item not in known:
            raise DataError("survey item not in the catalogue", file=path.name,
                            row=int(position) + 2, column="item", value=item,
                            expected="a survey indicator id from indicators.yaml")
        share = parse_number(row["share_pct"], file=path.name, row=int(position) + 2,
                             column="share_pct")
        if share is None:
            continue
        if not 0 <= share <= 100:
            raise DataError("share outside 0–100", file=path.name, row=int(position) + 2,
                            column="share_pct", value=row["share_pct"], expected="0..100")
        ref = row["report_ref"].strip()
        extra = SURVEY_NOTE_CORRECTIONS.get(row["note"].strip(), row["note"].strip())
        note = f"model report, {ref}" + (f"; {extra}" if extra else "")
        records.append({"region_code": region_code, "indicator_id": item, "period": period,
                        "category": row["category"].strip(), "share_pct": share,
                        "status": "observed", "source_id": source_id, "note": note})
    frame = pd.DataFrame.from_records(records, columns=list(SURVEY_COLUMNS))
    frame["share_pct"] = frame["share_pct"].astype(float)
    return frame


def _decimals_written(value: float) -> int:
    """Decimals a number was written with (89045.0 -> 0, 3.48 -> 2)."""
    text = repr(float(value))
    if "e" in text or "." not in text:
        return 0
    fraction = text.split(".", 1)[1].rstrip("0")
    return len(fraction)


def merge_observed(frames: list[pd.DataFrame], reference_source: str = SOURCE_MODEL_REPORT
                   ) -> pd.DataFrame:
    """Concatenate observed frames; a cell given twice must agree within rounding.

    Where a model-report figure and a data-candidate value cover the same cell, the
    data-candidate row is kept and its note records the agreement. Two values that
    differ by more than the rounding of the less precise one raise DataError.
    """
    combined = pd.concat([frame for frame in frames if not frame.empty], ignore_index=True)
    keys = ["region_code", "indicator_id", "period"]
    duplicated = combined.duplicated(keys, keep=False)
    keep = combined[~duplicated]
    resolved = []
    for (code, indicator_id, period), group in combined[duplicated].groupby(keys, sort=True):
        group = group.assign(is_reference=group["source_id"] == reference_source)
        group = group.sort_values("is_reference", kind="stable")
        primary = group.iloc[0]
        for _, other in group.iloc[1:].iterrows():
            tolerance = 0.5 * 10 ** -min(_decimals_written(primary["value"]),
                                         _decimals_written(other["value"]))
            if abs(primary["value"] - other["value"]) > tolerance + 1e-9:
                raise DataError(
                    f"{indicator_id} {code} {period}: {primary['source_id']} gives "
                    f"{primary['value']:g} but {other['source_id']} gives {other['value']:g}",
                    column="value", value=other["value"],
                    expected=f"values that agree within rounding (±{tolerance:g})")
        others = ", ".join(f"{row['source_id']} ({row['value']:g})"
                           for _, row in group.iloc[1:].iterrows())
        note = f"agrees within rounding with {others}"
        if primary["note"]:
            note = f"{primary['note']}; {note}"
        extreme = next((mark for mark in group[EXTREME_COLUMN] if mark), "")
        resolved.append(primary.drop(labels="is_reference").to_frame().T.assign(
            note=note, **{EXTREME_COLUMN: extreme}))
        logger.info("%s %s %s given twice; kept %s, %s", indicator_id, code, period,
                    primary["source_id"], note)
    result = pd.concat([keep, *resolved], ignore_index=True) if resolved else keep
    result["value"] = result["value"].astype(float)
    return result.reset_index(drop=True)[OBSERVED_COLUMNS]


# --- Eurostat bulk TSV (NUTS 3) -------------------------------------------------------

SOURCE_EUROSTAT_POPULATION = "eurostat_befolkning"
SOURCE_EUROSTAT_GDP = "eurostat_brp"
SOURCE_UC = "uc_konkurser"
EUROSTAT_COUNTRY = "SE"  # Eurostat's geo code for Sweden as a whole (NUTS 0) = Riket
_EUROSTAT_CELL = re.compile(r"^\s*(?P<number>-?\d+(?:\.\d+)?|:)\s*(?P<flags>[a-z]*|@[A-Z])\s*$")
# Heby kommun moved from Västmanland to Uppsala län on 1 January 2007; Eurostat does not
# recompute the län before that.
HEBY_NOTE = "boundary before Heby kommun moved from Västmanland to Uppsala län (1 Jan 2007)"
HEBY_LAN = ("03", "19")


def eurostat_geo_codes(regions: Iterable[Any]) -> dict[str, str]:
    """Eurostat geo code -> region code: each län's ``nuts3`` from regions.yaml, "SE" = Riket."""
    codes = {str(getattr(region, "nuts3")): str(getattr(region, "code")) for region in regions
             if getattr(region, "nuts3", None)}
    codes[EUROSTAT_COUNTRY] = RIKET_CODE
    return codes


def read_eurostat_tsv(path: Path) -> pd.DataFrame:
    """A Eurostat bulk-download TSV (plain or gzip) as long rows.

    The first column is a comma-joined key whose names are in the header before
    ``\\time``/``\\TIME_PERIOD`` (e.g. ``unit,geo\\time``); the other headers are years.
    Returns one row per key and year with the key columns, ``year`` (int), ``value``
    (float, NaN for ``:``), ``flags`` (Eurostat's letters, e.g. ``p`` provisional) and
    ``line`` (the row in the file, header = 1). A cell that is neither a number with
    optional flags nor ``:`` raises DataError naming the file, row and column.
    """
    path = Path(path)
    opener = gzip.open if path.read_bytes()[:2] == b"\x1f\x8b" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    if not lines:
        raise DataError("empty file", file=path.name, expected="a Eurostat TSV header")
    header = lines[0].split("\t")
    key_names = header[0].split("\\")[0].split(",")
    try:
        years = [int(label.strip()) for label in header[1:]]
    except ValueError:
        raise DataError("column header is not a year", file=path.name, row=1,
                        value=header[1:4], expected="years after the key column") from None
    records = []
    for line_number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        keys = cells[0].split(",")
        if len(keys) != len(key_names) or len(cells) != len(header):
            raise DataError("row does not match the header", file=path.name, row=line_number,
                            value=cells[0], expected=f"{len(header)} tab-separated cells "
                            f"and a key of {','.join(key_names)}")
        for year, cell in zip(years, cells[1:]):
            match = _EUROSTAT_CELL.match(cell)
            if match is None:
                raise DataError("not a Eurostat value", file=path.name, row=line_number,
                                column=str(year), value=cell,
                                expected="a number with optional flag letters, or ':'")
            number = match.group("number")
            records.append((*keys, year, math.nan if number == ":" else float(number),
                            match.group("flags"), line_number))
    return pd.DataFrame.from_records(records, columns=[*key_names, "year", "value", "flags",
                                                       "line"])


def _eurostat_rows(frame: pd.DataFrame, geo_codes: dict[str, str], file: str,
                   **selection: str) -> pd.DataFrame:
    """Rows of ``frame`` matching ``selection`` (key column -> code) for the wanted geo codes."""
    for column, code in selection.items():
        if column not in frame.columns:
            raise DataError(f"no key column {column!r}", file=file,
                            expected=f"key columns {list(selection)} and geo")
        frame = frame[frame[column] == code]
    frame = frame[frame["geo"].isin(geo_codes) & frame["value"].notna()]
    missing = sorted(set(geo_codes) - set(frame["geo"]))
    if missing:
        raise DataError(f"no values for {missing}", file=file, column="geo",
                        expected="every län's NUTS 3 code and SE")
    return frame


def _flag_note(flags: str) -> str:
    return f"; Eurostat flag '{flags}'" if flags else ""


def convert_eurostat_population(paths: Iterable[Path], geo_codes: dict[str, str],
                                source_id: str = SOURCE_EUROSTAT_POPULATION) -> pd.DataFrame:
    """Population per län and Riket from Eurostat ``demo_r_pjanaggr3`` files.

    Total population (unit NR, sex T, age TOTAL) on 1 January of year Y is stored as
    period Y-1: it equals SCB's population on 31 December Y-1, the catalogue's
    definition. Years given by several files must agree exactly (else DataError).
    """
    found: dict[tuple[str, str], tuple[float, str, str]] = {}
    for path in paths:
        path = Path(path)
        frame = read_eurostat_tsv(path)
        selection = {"unit": "NR", "sex": "T", "age": "TOTAL"}
        if "freq" in frame.columns:
            selection["freq"] = "A"
        for row in _eurostat_rows(frame, geo_codes, path.name, **selection).itertuples():
            code, period = geo_codes[row.geo], str(row.year - 1)
            previous = found.get((code, period))
            if previous is not None and previous[0] != row.value:
                raise DataError(f"{row.geo} 1 January {row.year}: {previous[1]} gives "
                                f"{previous[0]:g}, {path.name} gives {row.value:g}",
                                file=path.name, row=row.line, column=str(row.year),
                                value=row.value, expected="files that agree where they overlap")
            found.setdefault((code, period), (row.value, path.name, row.flags))
    records = []
    for (code, period), (value, file, flags) in sorted(found.items()):
        note = f"population 1 January {int(period) + 1} = 31 December {period}{_flag_note(flags)}"
        if code in HEBY_LAN and int(period) < 2006:
            note += f"; {HEBY_NOTE}"
        records.append({"region_code": code, "indicator_id": "befolkning", "period": period,
                        "value": value, "source_id": source_id, "note": note})
    return make_rows(records)


def convert_eurostat_gdp(path: Path, geo_codes: dict[str, str],
                         source_id: str = SOURCE_EUROSTAT_GDP) -> pd.DataFrame:
    """GDP at current prices, million SEK (unit MIO_NAC), per län and Riket from
    Eurostat ``nama_10r_3gdp``: one vintage for all years, never spliced with another."""
    path = Path(path)
    frame = _eurostat_rows(read_eurostat_tsv(path), geo_codes, path.name, unit="MIO_NAC")
    records = [{"region_code": geo_codes[row.geo], "indicator_id": "brp",
                "period": str(row.year), "value": row.value, "source_id": source_id,
                "note": _flag_note(row.flags).lstrip("; ")}
               for row in frame.itertuples()]
    return make_rows(records)


# --- UC AB bankruptcy pages -----------------------------------------------------------

_UC_YEAR = re.compile(r"Jan-nov (\d{4})", re.IGNORECASE)
_DIGITS = re.compile(r"^\d+$")
UC_NOTE = "January–November (year to date); aktiebolag, handels- och kommanditbolag and " \
          "other legal persons, sole traders excluded"


def split_spaced_numbers(tokens: list[str], count: int, max_tokens: int = 2
                         ) -> list[int] | None:
    """Read ``count`` integers written with a space as thousands separator ("2 121 175").

    A number is a token of 1–3 digits without a leading zero (unless it is "0"), followed by
    up to ``max_tokens - 1`` tokens of exactly three digits (default: below one million).
    Returns None when the tokens do not split into
    ``count`` numbers in exactly one way (ambiguous or impossible).
    """
    solutions: list[list[int]] = []

    def walk(position: int, numbers: list[int]) -> None:
        if len(solutions) > 1:
            return
        if position == len(tokens):
            if len(numbers) == count:
                solutions.append(numbers)
            return
        first = tokens[position]
        if len(first) > 3 or (first.startswith("0") and first != "0") or len(numbers) >= count:
            return
        end = position + 1
        while True:
            walk(end, [*numbers, int("".join(tokens[position:end]))])
            if end < len(tokens) and len(tokens[end]) == 3 and end - position < max_tokens:
                end += 1
            else:
                return

    walk(0, [])
    return solutions[0] if len(solutions) == 1 else None


def convert_uc_konkurser(path: Path, index: RegionNames, source_id: str = SOURCE_UC,
                         indicator_id: str = "konkurser_uc") -> pd.DataFrame:
    """Company bankruptcies per län, January–November, from a UC AB statistics page excerpt.

    The table starts at the line "Län Jan-nov 2013 …"; each following line is a region
    name and one number per year with spaces as thousands separators. The 21 län must add
    up to the "Sverige" row in every year (else DataError), which also checks the reading
    of the separators.
    """
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next((number for number, line in enumerate(lines, start=1)
                  if line.startswith("Län ") and _UC_YEAR.search(line)), None)
    if start is None:
        raise DataError("no table header", file=path.name,
                        expected="a line 'Län Jan-nov YYYY …' (year-to-date January–November)")
    years = [int(year) for year in _UC_YEAR.findall(lines[start - 1])]
    table: dict[str, list[int]] = {}
    for line_number, line in enumerate(lines[start:], start=start + 1):
        tokens = line.split()
        if not tokens:
            continue
        first_number = next((i for i, token in enumerate(tokens) if _DIGITS.match(token)),
                            len(tokens))
        name, numbers = " ".join(tokens[:first_number]), tokens[first_number:]
        if not numbers:
            break  # end of the table
        code = index.cell_code(name, file=path.name, row=line_number, column="Län")
        values = split_spaced_numbers(numbers, len(years))
        if values is None:
            raise DataError(f"cannot read {len(years)} numbers", file=path.name,
                            row=line_number, value=" ".join(numbers),
                            expected="one number per year, thousands separated by a space")
        if code in table:
            raise DataError("region listed twice", file=path.name, row=line_number,
                            value=name, expected="one row per län")
        table[code] = values
    if RIKET_CODE not in table:
        raise DataError("no Sverige row", file=path.name, expected="a national total row")
    for position, year in enumerate(years):
        lan_sum = sum(values[position] for code, values in table.items() if code != RIKET_CODE)
        if lan_sum != table[RIKET_CODE][position]:
            raise DataError(f"the län add up to {lan_sum}, Sverige says "
                            f"{table[RIKET_CODE][position]}", file=path.name,
                            column=f"Jan-nov {year}", expected="län that sum to Sverige")
    records = [{"region_code": code, "indicator_id": indicator_id, "period": str(year),
                "value": float(values[position]), "source_id": source_id, "note": UC_NOTE}
               for code, values in table.items() for position, year in enumerate(years)]
    return make_rows(records)
