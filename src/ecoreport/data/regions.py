"""Riket and the 21 län: loading ``regions.yaml`` and resolving user input to a region."""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


from ecoreport.errors import CatalogueError, DataError, UnknownRegionError, shown
from ecoreport.data.files import inside, read_yaml
from ecoreport.data.schema import REGION_CODE_RE, RegionModel, validate_entry
from ecoreport.data.vocab import RIKET_ALIASES, RIKET_CODE
from ecoreport.paths import data_dir as default_data_dir

logger = logging.getLogger(__name__)

REGIONS_FILE = "regions.yaml"

_CODE_AND_NAME_RE = re.compile(r"^(\d{2})\s+\S")  # SCB writes "24 Västerbottens län"


@dataclass(frozen=True)
class Region:
    """One län (or Riket, code ``"00"``)."""

    code: str
    name: str
    short_name: str
    nuts2: str | None
    nuts3: str | None
    peers: tuple[str, ...]
    slug: str

    @property
    def is_riket(self) -> bool:
        return self.code == RIKET_CODE


def make_slug(text: str) -> str:
    """ASCII, lower-case, hyphen-separated form of a name: "Västra Götaland" -> "vastra-gotaland"."""
    folded = _fold_ascii(text).lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def load_regions(data_dir: str | Path | None = None) -> list[Region]:
    """Read and validate ``regions.yaml`` (cached per file and modification time)."""
    path = _regions_path(data_dir)
    return list(_load_cached(path, _mtime(path)))


def lan_regions(data_dir: str | Path | None = None) -> list[Region]:
    """The 21 län in code order (Riket excluded)."""
    return [region for region in load_regions(data_dir) if not region.is_riket]


def riket(data_dir: str | Path | None = None) -> Region:
    """The national total (code ``"00"``)."""
    return _index(data_dir).by_code[RIKET_CODE]


def peer_regions(region: Region | str | int, data_dir: str | Path | None = None) -> list[Region]:
    """The default comparison group of a län, in the order ``regions.yaml`` lists it."""
    resolved = resolve_region(region, data_dir)
    by_code = _index(data_dir).by_code
    return [by_code[code] for code in resolved.peers]


def resolve_region(value: Region | str | int, data_dir: str | Path | None = None) -> Region:
    """Find a region from a code ("24", 24), a name ("Västerbottens län", "Västerbotten län"),
    a short name ("västerbotten") or a slug ("vasterbotten"); case-insensitive.

    Raises UnknownRegionError listing every valid code and name.
    """
    region = find_region(value, data_dir)
    if region is None:
        raise _unknown(value, _index(data_dir).regions)
    return region


def find_region(value: Region | str | int, data_dir: str | Path | None = None) -> Region | None:
    """Like ``resolve_region`` but returns None for an unknown value, so that readers of
    source files can raise their own DataError naming file and row."""
    return _index(data_dir).find(value)


def resolve_region_cell(text: object, *, file: str, row: int | None = None,
                        column: str | None = None, data_dir: str | Path | None = None) -> str:
    """The code of a region as a source file writes it (see ``RegionNames.cell_code``)."""
    return _index(data_dir).cell_code(text, file=file, row=row, column=column)


def region_names(regions: Iterable[Region]) -> RegionNames:
    """The name harmoniser for a given list of regions (the dataset builder passes the
    regions it read; everything else uses ``find_region``/``resolve_region_cell``)."""
    return _build_index(tuple(regions))


@dataclass(frozen=True)
class RegionNames:
    """The one harmoniser of region names: every spelling of each region -> the region.

    Used by ``resolve_region`` (command line), the spreadsheet import, fetch and the
    dataset builder, so that "Västerbottens län", "Västerbotten", "vasterbotten", "24",
    "Riket", "Samtliga län" mean the same everywhere.
    """

    regions: tuple[Region, ...]
    by_code: dict[str, Region]
    by_key: dict[str, Region]

    @property
    def codes(self) -> set[str]:
        return set(self.by_code)

    def find(self, value: Region | str | int) -> Region | None:
        """The region named by a code ("24", 24), name, short name, slug or one of the
        ``RIKET_ALIASES``; case-insensitive; None if unknown."""
        if isinstance(value, Region):
            return value if self.by_code.get(value.code) == value else None
        if isinstance(value, bool):  # bool is an int; True must not mean "01"
            return None
        if isinstance(value, int):
            return self.by_code.get(f"{value:02d}") if 0 <= value <= 99 else None
        if not isinstance(value, str):
            return None
        text = value.strip()
        if text.isdigit():
            # Only the official two-digit form: "2" is not "02" (too easy to mistype a code).
            return self.by_code.get(text)
        for key in _lookup_keys(text):
            if key in self.by_key:
                return self.by_key[key]
        return None

    def cell_code(self, text: object, *, file: str, row: int | None = None,
                  column: str | None = None) -> str:
        """The two-digit code of a region as a source file writes it: "24", "Västerbotten",
        "Västerbottens län", "24 Västerbottens län", "Riket", "Samtliga"; a number Excel
        stripped of its leading zero ("1", "1.0") is read as a code. Raises DataError
        naming the cell."""
        raw = " ".join(str(text).replace("\ufeff", "").split())
        key: object = raw
        if raw.endswith(".0") and raw[:-2].isdigit():
            key = int(raw[:-2])
        elif raw.isdigit() and len(raw) == 1:
            key = int(raw)
        elif _CODE_AND_NAME_RE.match(raw):
            key = raw[:2]
        region = self.find(key) if raw else None
        if region is None:
            raise DataError(f"unknown region {raw!r}", file=file, row=row, column=column,
                            value=raw, expected="a län code (24) or name (Västerbotten, "
                                                "Västerbottens län), or Riket")
        return region.code


# --- internals -------------------------------------------------------------------------


def _regions_path(data_dir: str | Path | None) -> Path:
    base = Path(data_dir) if data_dir is not None else default_data_dir()
    return inside(base / REGIONS_FILE, base, "the data folder")


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        raise DataError("file not found", file=str(path),
                        expected="a regions.yaml in the data folder") from None


def _index(data_dir: str | Path | None) -> RegionNames:
    path = _regions_path(data_dir)
    return _build_index(_load_cached(path, _mtime(path)))


@functools.lru_cache(maxsize=16)
def _build_index(regions: tuple[Region, ...]) -> RegionNames:
    by_code = {region.code: region for region in regions}
    by_key: dict[str, Region] = {}
    for region in regions:
        names = [region.name, region.short_name, region.slug]
        if region.is_riket:
            names += list(RIKET_ALIASES)
        for name in names:
            for key in _lookup_keys(name):
                by_key.setdefault(key, region)
    return RegionNames(regions=regions, by_code=by_code, by_key=by_key)


def _fold_ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _lookup_keys(text: str) -> list[str]:
    """Normalised spellings of a name: case-folded, with and without "län", ASCII-folded."""
    base = re.sub(r"[\s_\-]+", " ", text.strip()).casefold()
    variants = [base]
    if base.startswith("region "):
        variants.append(base[len("region "):])
    keys: list[str] = []
    for variant in variants:
        for form in (variant, _fold_ascii(variant)):
            keys.append(form)
            for suffix in (" län", " lan"):
                if form.endswith(suffix):
                    stem = form[: -len(suffix)]
                    keys.append(stem)
                    # "Västerbottens län" -> "västerbotten"; harmless for "Kalmar län"
                    if stem.endswith("s"):
                        keys.append(stem[:-1])
    return list(dict.fromkeys(keys))


def _unknown(value: object, regions: tuple[Region, ...]) -> UnknownRegionError:
    listing = ", ".join(f"{r.code} {r.name} ({r.short_name})" if r.name != r.short_name
                        else f"{r.code} {r.name}" for r in regions)
    return UnknownRegionError(
        f"unknown region {shown(value)}; expected a two-digit län code or a name, one of: {listing}"
    )


@functools.lru_cache(maxsize=16)
def _load_cached(path: Path, mtime_ns: int) -> tuple[Region, ...]:
    logger.debug("loading %s", path)
    raw = read_yaml(path, expected="a YAML list of regions")
    return tuple(_parse_regions(raw, path.name))


def _parse_regions(raw: object, file: str) -> list[Region]:
    if not isinstance(raw, list) or not raw:
        raise DataError("the file must be a non-empty list of regions", file=file,
                        value=type(raw).__name__, expected="a YAML list of mappings")
    regions: list[Region] = []
    seen: dict[str, int] = {}
    for number, entry in enumerate(raw, start=1):
        code = entry.get("code") if isinstance(entry, dict) else None
        where = (f"region '{code}'" if isinstance(code, str) and REGION_CODE_RE.match(code)
                 else f"entry {number}")
        model, problems = validate_entry(RegionModel, entry)
        if problems:  # the first is enough: the file is short and edited by hand
            first = problems[0]
            raise CatalogueError(first.problem, file=file, entry=where, field=first.field,
                                 value=first.value, expected=first.expected)
        if model.code in seen:
            raise DataError(f"{where}: code '{model.code}' appears twice (entries "
                            f"{seen[model.code]} and {number})", file=file, value=model.code,
                            expected="unique codes")
        seen[model.code] = number
        regions.append(Region(code=model.code, name=model.name.strip(),
                              short_name=model.short_name.strip(), nuts2=model.nuts2,
                              nuts3=model.nuts3, peers=tuple(model.peers),
                              slug=make_slug(model.short_name)))
    _check_references(regions, file)
    return sorted(regions, key=lambda region: region.code)


def _check_references(regions: list[Region], file: str) -> None:
    codes = {region.code for region in regions}
    if RIKET_CODE not in codes:
        raise DataError("Riket is missing", file=file, value=None,
                        expected=f"an entry with code '{RIKET_CODE}'")
    slugs: dict[str, str] = {}
    for region in regions:
        where = f"region '{region.code}'"
        if region.slug in slugs:
            raise DataError(f"{where}: short name gives the same slug as region "
                            f"'{slugs[region.slug]}'", file=file, value=region.slug,
                            expected="distinct short names")
        slugs[region.slug] = region.code
        if region.is_riket and region.peers:
            raise DataError(f"{where}, field 'peers': Riket has no peers", file=file,
                            value=list(region.peers), expected="[]")
        for peer in region.peers:
            if peer not in codes or peer == RIKET_CODE or peer == region.code:
                raise DataError(f"{where}, field 'peers': '{peer}' is not another län",
                                file=file, value=peer,
                                expected="codes of other län listed in the file")
        if len(set(region.peers)) != len(region.peers):
            raise DataError(f"{where}, field 'peers': a peer is listed twice", file=file,
                            value=list(region.peers), expected="distinct codes")
