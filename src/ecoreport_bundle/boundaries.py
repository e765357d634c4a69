"""Län boundaries for the map: SCB's "Digitala gränser" (GeoJSON) -> data/lan.geojson.

The source (``data-candidates/scb-boundaries/swe-maps-lan.geojson``, see its SOURCE.md) is
already generalised by SCB; this step only rounds coordinates to ``DECIMALS`` (about 10 m),
drops points that rounding made repeat, and keeps one property, ``code`` (the two-digit län
code; names come from regions.yaml). Ring orientation is kept as is: it is what Vega's
d3-geo expects. Output is compact, key-sorted JSON, byte-stable for the same input.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

SOURCE_PATH = "data-candidates/scb-boundaries/swe-maps-lan.geojson"
OUTPUT_NAME = "lan.geojson"
DECIMALS = 3
LAN_CODE_PROPERTY = "LnKod"


def _round_ring(ring: list[list[float]]) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y, *_ in ring:
        point = [round(x, DECIMALS), round(y, DECIMALS)]
        if not out or out[-1] != point:
            out.append(point)
    if out[0] != out[-1]:
        out.append(out[0])
    return out


def _round_polygon(polygon: list) -> list:
    rings = [_round_ring(r) for r in polygon]
    return [r for r in rings if len(r) >= 4]


def convert_lan_boundaries(path: Path) -> dict:
    """The rounded FeatureCollection of the 21 län, sorted by code."""
    source = json.loads(Path(path).read_text(encoding="utf-8"))
    features = []
    for feature in source["features"]:
        geometry = feature["geometry"]
        polygons = (geometry["coordinates"] if geometry["type"] == "MultiPolygon"
                    else [geometry["coordinates"]])
        polygons = [p for p in (_round_polygon(p) for p in polygons) if p]
        code = str(feature["properties"][LAN_CODE_PROPERTY]).zfill(2)
        features.append({"type": "Feature", "properties": {"code": code},
                         "geometry": {"type": "MultiPolygon", "coordinates": polygons}})
    features.sort(key=lambda f: f["properties"]["code"])
    return {"type": "FeatureCollection", "features": features}


EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def ring_area_km2(ring: list[list[float]]) -> float:
    """Area of one closed lon/lat ring on the sphere, in km² (unsigned).

    The line integral of Chamberlain & Duquette (2007), "Some algorithms for polygons on
    a sphere": A = R²/2 · |Σ (λ₂ − λ₁)(2 + sin φ₁ + sin φ₂)|.
    """
    total = 0.0
    for (lon1, lat1, *_), (lon2, lat2, *_) in zip(ring, ring[1:]):
        total += math.radians(lon2 - lon1) * (2 + math.sin(math.radians(lat1))
                                              + math.sin(math.radians(lat2)))
    return abs(total) * EARTH_RADIUS_KM ** 2 / 2


def lan_areas_km2(collection: dict) -> dict[str, float]:
    """Total area (land and inland water) of each län in km², from the boundary polygons:
    outer rings minus holes."""
    areas: dict[str, float] = {}
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = (geometry["coordinates"] if geometry["type"] == "MultiPolygon"
                    else [geometry["coordinates"]])
        area = sum(ring_area_km2(p[0]) - sum(ring_area_km2(hole) for hole in p[1:])
                   for p in polygons if p)
        code = feature["properties"]["code"]
        areas[code] = areas.get(code, 0.0) + area
    return areas


def write_lan_boundaries(shared_dir: Path, out_dir: Path,
                         collection: dict | None = None) -> Path:
    """Convert the shared boundary file and write ``out_dir/lan.geojson``."""
    collection = collection or convert_lan_boundaries(Path(shared_dir) / SOURCE_PATH)
    target = Path(out_dir) / OUTPUT_NAME
    target.write_text(json.dumps(collection, separators=(",", ":"), sort_keys=True) + "\n",
                      encoding="utf-8")
    return target
