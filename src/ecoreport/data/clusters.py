"""Cluster initiatives (``data/klusterinitiativ.csv``): name, län, sector, start year, financiers.

One row per initiative. ``lan_codes`` lists the län it works in (two-digit codes separated
by ";"), ``financiers`` its main financiers separated by ";". ``as_of`` dates the row
(when the listing it comes from was made, e.g. "ca 2010" for VINNOVA's map, or "2025" for
an initiative an analyst adds today); ``source_id`` is a key of ``sources.yaml``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ecoreport.data.tables import read_optional_table
from ecoreport.errors import DataError
from ecoreport.paths import data_dir as default_data_dir

CLUSTER_FILE = "klusterinitiativ.csv"
CLUSTER_COLUMNS = ["name", "lan_codes", "area", "sector", "start_year", "financiers",
                   "source_id", "as_of", "note"]
LIST_SEPARATOR = ";"


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


def load_cluster_initiatives(data_dir: str | Path | None = None, *,
                             region_codes: set[str] | None = None,
                             source_ids: set[str] | None = None) -> pd.DataFrame:
    """The initiatives, checked; ``lan_codes`` and ``financiers`` as lists, ``start_year``
    as a nullable integer. An absent file gives an empty frame."""
    base = Path(data_dir) if data_dir else default_data_dir()
    table = read_optional_table(base / CLUSTER_FILE, CLUSTER_COLUMNS)
    lan_codes, years, financiers = [], [], []
    for row, record in enumerate(table.to_dict(orient="records"), start=2):
        if not record["name"].strip():
            raise DataError("empty name", file=CLUSTER_FILE, row=row, column="name",
                            expected="the initiative's name")
        codes = _split(record["lan_codes"])
        unknown = [c for c in codes if region_codes is not None and c not in region_codes]
        if not codes or unknown:
            raise DataError("not a list of län codes", file=CLUSTER_FILE, row=row,
                            column="lan_codes", value=record["lan_codes"],
                            expected='two-digit län codes separated by ";", e.g. "24;25"')
        year = record["start_year"].strip()
        if year and not (year.isdigit() and 1900 <= int(year) <= 2100):
            raise DataError("not a year", file=CLUSTER_FILE, row=row, column="start_year",
                            value=year, expected="a year such as 2004, or empty")
        if source_ids is not None and record["source_id"] not in source_ids:
            raise DataError("unknown source", file=CLUSTER_FILE, row=row, column="source_id",
                            value=record["source_id"], expected="a key of sources.yaml")
        if not record["as_of"].strip():
            raise DataError("undated row", file=CLUSTER_FILE, row=row, column="as_of",
                            expected='when the listing was made, e.g. "2025"')
        lan_codes.append(codes)
        years.append(int(year) if year else None)
        financiers.append(_split(record["financiers"]))
    return table.assign(lan_codes=lan_codes, financiers=financiers,
                        start_year=pd.array(years, dtype="Int64"))


def initiatives_by_lan(initiatives: pd.DataFrame) -> pd.DataFrame:
    """One row per initiative × län it works in (column ``region_code``)."""
    if initiatives.empty:
        return initiatives.assign(region_code=pd.Series(dtype=str))
    return (initiatives.assign(region_code=initiatives["lan_codes"])
            .explode("region_code").reset_index(drop=True))
