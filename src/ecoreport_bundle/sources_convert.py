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
SOURCE_BRP = "scb_brp"
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


def convert_brp(path: Path, index: RegionNames, source_id: str = SOURCE_BRP) -> pd.DataFrame:
    """BRP (MSEK, current prices) per län from ``effektivitet_brp_utslapp.csv``.

    Stockholm is listed twice a year in the file: exact duplicates are dropped, but
    duplicates that disagree raise DataError.
    """
    path = Path(path)
    raw = _read_csv_text(path)
    _check_columns(raw, ["Region", "År", "BRP"], path.name)
    raw = raw.drop_duplicates()
    clash = raw[raw.duplicated(["Region", "År"], keep=False)]
    if not clash.empty:
        first = clash.iloc[0]
        raise DataError(f"{first['Region']} {first['År']} appears with different values",
                        file=path.name, row=int(clash.index[0]) + 2, column="BRP",
                        value=list(clash["BRP"]), expected="duplicated rows to be identical")
    return make_rows(long_records(raw, path.name, index, region_column="Region",
                                  year_column="År", value_column="BRP",
                                  indicator_of=lambda row: "brp", source_id=source_id))


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
        note = f"model report, {ref}" + (f"; {row['note'].strip()}" if row["note"].strip() else "")
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
        note = f"model report, {ref}" + (f"; {row['note'].strip()}" if row["note"].strip() else "")
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
