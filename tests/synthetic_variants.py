"""Data with every synthetic value changed, and the visible text of a built book.

The synthetic-invariance test (``tests/integration/test_synthetic_invariance.py``) builds the
same report on the default data and on a copy whose synthetic values are all different
(:func:`change_synthetic_values`): the text of every page and ``summary.json`` must not
move, because no number in the text may rest on a synthetic value.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

from ecoreport.data.catalogue import load_catalogue
from ecoreport.data.vocab import RIKET_CODE


def _bounds(catalogue, indicator_id: str) -> tuple[float, float]:
    """The range a value of the indicator may take (validation refuses others)."""
    meta = catalogue.indicators.get(indicator_id)
    unit = catalogue.units.get(getattr(meta, "unit", None)) if meta is not None else None
    kind = getattr(unit, "kind", None)
    low = getattr(unit, "min", None)
    high = getattr(unit, "max_plausible", None) or getattr(unit, "max", None)
    if kind == "share":
        low, high = 0.0, 100.0
    if kind in ("count", "amount") and low is None:
        low = 0.0
    return (-np.inf if low is None else float(low)), (np.inf if high is None else float(high))


def change_synthetic_values(data_dir: Path, seed: int = 7) -> int:
    """Rewrite ``data_dir/values.csv`` with every synthetic value changed: permuted between
    the län within indicator × period, then redrawn on another scale (a random factor of
    0.6–1.6 per indicator and län, plus noise per value). Observed rows are kept byte for
    byte. Returns how many values changed."""
    path = Path(data_dir) / "values.csv"
    catalogue = load_catalogue(data_dir)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    rng = np.random.default_rng(seed)
    values = frame["value"].astype(float).to_numpy().copy()
    synthetic = (frame["status"] == "synthetic").to_numpy()
    # 1. permute between län (not Riket) within indicator × period
    lan = synthetic & (frame["region_code"] != RIKET_CODE).to_numpy()
    for _, idx in frame[lan].groupby(["indicator_id", "period"]).groups.items():
        idx = np.asarray(list(idx))
        values[idx] = values[rng.permutation(idx)]
    # 2. another scale per indicator × region, and noise per value
    factors = {}
    for i in np.flatnonzero(synthetic):
        key = (frame.at[i, "indicator_id"], frame.at[i, "region_code"])
        if key not in factors:
            factors[key] = rng.uniform(0.6, 1.6)
        low, high = _bounds(catalogue, key[0])
        changed = values[i] * factors[key] * rng.uniform(0.9, 1.1)
        values[i] = float(np.clip(changed, low, high))
    changed = 0
    out = frame.copy()
    for i in np.flatnonzero(synthetic):
        decimals = len(frame.at[i, "value"].split(".")[1]) if "." in frame.at[i, "value"] else 0
        text = f"{values[i]:.{max(decimals, 2)}f}".rstrip("0").rstrip(".")
        if text != frame.at[i, "value"]:
            changed += 1
        out.at[i, "value"] = text
    out.to_csv(path, index=False, lineterminator="\n")
    return changed


class _Text(HTMLParser):
    """The visible text of a page: no scripts, styles, chart specs or download links."""

    SKIP = {"script", "style", "noscript", "svg", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(page: Path) -> str:
    """The words and numbers a reader sees on ``page``."""
    parser = _Text()
    parser.feed(page.read_text(encoding="utf-8"))
    return "\n".join(parser.parts)


def book_texts(html_dir: Path) -> dict[str, str]:
    """Visible text of every page of a built book, by path."""
    return {str(p.relative_to(html_dir)): visible_text(p)
            for p in sorted(Path(html_dir).rglob("*.html"))
            if "_static" not in p.parts and "_sources" not in p.parts
            and p.name not in ("search.html", "genindex.html")}


def first_difference(a: str, b: str, context: int = 160) -> str:
    """Where two texts part, with some context (for the assertion message)."""
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    start = max(0, n - context)
    return f"…{a[start:n + context]!r}\n  ≠\n…{b[start:n + context]!r}"


def summary_of(report_dir: Path) -> dict:
    return json.loads((Path(report_dir) / "results" / "summary.json").read_text("utf-8"))


__all__ = ["book_texts", "change_synthetic_values", "first_difference", "summary_of",
           "visible_text"]
