"""The län boundaries bundled for maps (``data/lan.geojson``, SCB "Digitala gränser").

Built by ``ecoreport_bundle.boundaries`` from the shared source (rounded to ~100 m); source
and licence (CC BY 4.0, SCB) are declared in ``sources.yaml`` as ``scb_digitala_granser``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from ecoreport.errors import DataError
from ecoreport.paths import data_dir as default_data_dir

BOUNDARIES_FILE = "lan.geojson"
BOUNDARIES_SOURCE_ID = "scb_digitala_granser"


def load_lan_boundaries(data_dir: str | Path | None = None,
                        expected_codes: set[str] | None = None) -> dict:
    """The FeatureCollection of the län (property ``code``), checked; cached per mtime.

    ``expected_codes`` (e.g. the 21 län of regions.yaml) must match the file's codes."""
    path = Path(data_dir) if data_dir else default_data_dir()
    path = path / BOUNDARIES_FILE
    if not path.exists():
        raise DataError("file not found", file=str(path),
                        expected="the län boundaries bundled in data/ (lan.geojson)")
    collection = _load(path, path.stat().st_mtime_ns)
    if expected_codes is not None:
        codes = {f["properties"]["code"] for f in collection["features"]}
        if codes != set(expected_codes):
            missing, extra = sorted(set(expected_codes) - codes), sorted(codes - set(expected_codes))
            raise DataError(f"län codes do not match regions.yaml (missing {missing}, "
                            f"unknown {extra})", file=BOUNDARIES_FILE, column="code",
                            expected="one feature per län of regions.yaml")
    return collection


@lru_cache(maxsize=4)
def _load(path: Path, mtime: int) -> dict:
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"not valid JSON ({exc})", file=path.name,
                        expected="a GeoJSON FeatureCollection") from None
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list) or not features:
        raise DataError("no features", file=path.name, expected="a GeoJSON FeatureCollection")
    for row, feature in enumerate(features, start=1):
        code = (feature.get("properties") or {}).get("code")
        geometry = feature.get("geometry") or {}
        if not (isinstance(code, str) and len(code) == 2 and code.isdigit()):
            raise DataError("feature without a two-digit län code", file=path.name, row=row,
                            column="properties.code", value=code, expected='e.g. "24"')
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise DataError("geometry is not a (multi)polygon", file=path.name, row=row,
                            column="geometry.type", value=geometry.get("type"),
                            expected="Polygon or MultiPolygon")
    return collection
