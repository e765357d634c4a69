"""The indicator catalogue: ``indicators.yaml`` + ``sources.yaml``, validated and typed.

Charts, tables and text read titles, units, decimals and sources from here and never type
them in. ``load_catalogue()`` is cached per data folder (and file modification time), so
notebooks can call it freely.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ecoreport.errors import DataError, DataValidationError, EcoreportError
from ecoreport.data.vocab import NORMALISATIONS, POLARITIES, POLARITY_SIGN
from ecoreport.paths import data_dir as default_data_dir

logger = logging.getLogger(__name__)

INDICATORS_FILE = "indicators.yaml"
SOURCES_FILE = "sources.yaml"

METRIC_DIMENSIONS = (
    "teknologi", "fou", "humankapital", "entreprenorskap", "affarsstod",
    "aktorer_kopplingar", "finansiellt_kapital", "infrastruktur", "legal_regulatorisk",
    "kultur", "marknader",
)
UNIT_KINDS = ("share", "count", "amount", "score", "index", "ratio")
INDICATOR_KINDS = ("register", "survey")
AXES = ("research", "market")
API_SERVICES = ("scb", "kolada")

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_KOLADA_KPI_RE = re.compile(r"^[NU]\d{5}$")

_UNIT_FIELDS = {"label_sv": True, "short_sv": True, "label_en": True, "kind": True,
                "min": False, "max": False}
_DIMENSION_FIELDS = {"id": True, "name_sv": True, "name_en": True, "description_sv": True,
                     "order": True, "metric": False}
_INDICATOR_FIELDS = {
    "id": True, "name_sv": True, "name_en": True, "description_sv": True,
    "description_en": True, "dimension": True, "unit": True, "source": True,
    "polarity": True, "decimals": True, "kind": True, "normalise": True, "axis": True,
    "question_sv": False, "categories": False, "favourable_categories": False, "api": False,
    "method_break": False,
}
_SOURCE_FIELDS = {"producer": True, "title": True, "table": True, "url": True,
                  "licence": True, "retrieved": True, "citation_sv": True, "note": False}


class CatalogueError(DataError):
    """A catalogue entry breaks the schema. Names file, entry, field, value and expectation."""

    def __init__(self, problem: str, *, file: str, entry: str | None = None,
                 field: str | None = None, value: object = None,
                 expected: str | None = None) -> None:
        where = ", ".join(part for part in (entry, f"field '{field}'" if field else None) if part)
        super().__init__(f"{where}: {problem}" if where else problem, file=file,
                         value=value, expected=expected)
        self.entry = entry
        self.field = field


class UnknownIndicatorError(EcoreportError, KeyError):
    """An indicator id that the catalogue does not declare."""

    def __str__(self) -> str:  # KeyError would show the repr of the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Unit:
    id: str
    label_sv: str
    short_sv: str
    label_en: str
    kind: str
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Dimension:
    id: str
    name_sv: str
    name_en: str
    description_sv: str
    order: int
    metric: bool = True  # False for the context series (population, BRP)


@dataclass(frozen=True)
class Indicator:
    id: str
    name_sv: str
    name_en: str
    description_sv: str
    description_en: str
    dimension: str
    unit: str
    source: str
    polarity: str
    decimals: int
    kind: str
    normalise: str
    axis: str | None
    question_sv: str | None = None
    categories: tuple[str, ...] = ()
    favourable_categories: tuple[str, ...] = ()
    api: dict[str, Any] | None = field(default=None, compare=False, hash=False)
    # First year of a series that is comparable with today's definition (a change of method
    # before it); trends are never fitted across it.
    method_break: int | None = None

    @property
    def is_survey(self) -> bool:
        return self.kind == "survey"

    @property
    def direction(self) -> int:
        """+1 if higher is better, -1 if higher is worse, 0 if neutral."""
        return int(POLARITY_SIGN.get(self.polarity, 0))


@dataclass(frozen=True)
class Source:
    id: str
    producer: str
    title: str
    table: str
    url: str | None
    licence: str
    retrieved: str | None  # ISO date
    citation_sv: str
    note: str | None = None


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Units, dimensions (in report order), indicators (in catalogue order) and sources."""

    units: dict[str, Unit]
    dimensions: list[Dimension]
    indicators: dict[str, Indicator]
    sources: dict[str, Source]

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id; UnknownIndicatorError (a KeyError) names close matches."""
        try:
            return self.indicators[indicator_id]
        except KeyError:
            close = difflib.get_close_matches(str(indicator_id), list(self.indicators), n=3)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise UnknownIndicatorError(
                f"unknown indicator {indicator_id!r}: not declared in {INDICATORS_FILE}{hint}"
            ) from None

    def dimension(self, dimension_id: str) -> Dimension:
        """The dimension with this id (KeyError listing the valid ids if unknown)."""
        for dim in self.dimensions:
            if dim.id == dimension_id:
                return dim
        raise KeyError(f"unknown dimension {dimension_id!r}; expected one of "
                       + ", ".join(d.id for d in self.dimensions))

    def is_context(self, indicator_id: str) -> bool:
        """True for a context series (its dimension has ``metric: false``)."""
        self.indicator(indicator_id)
        return is_context_indicator(self, indicator_id)

    def metric_dimensions(self) -> list[Dimension]:
        """The 11 METRIC dimensions in report order (without the context series)."""
        return [dim for dim in self.dimensions if dim.metric]

    def indicators_in(self, dimension_id: str, kind: str | None = None) -> list[Indicator]:
        """Indicators of one dimension in catalogue order, optionally only one kind."""
        self.dimension(dimension_id)  # fail loudly on a typo instead of returning []
        return [ind for ind in self.indicators.values()
                if ind.dimension == dimension_id and (kind is None or ind.kind == kind)]

    def indicators_by_kind(self, kind: str) -> list[Indicator]:
        """All register or all survey indicators, in catalogue order."""
        if kind not in INDICATOR_KINDS:
            raise ValueError(f"kind must be one of {', '.join(INDICATOR_KINDS)}, not {kind!r}")
        return [ind for ind in self.indicators.values() if ind.kind == kind]

    def axis_groups(self) -> dict[str, list[str]]:
        """Indicator ids on the research side and on the market side, in catalogue order."""
        return {axis: [ind.id for ind in self.indicators.values() if ind.axis == axis]
                for axis in AXES}

    def unit(self, indicator_id: str) -> Unit:
        return self.units[self.indicator(indicator_id).unit]

    def source(self, indicator_id: str) -> Source:
        return self.sources[self.indicator(indicator_id).source]

    def title(self, indicator_id: str) -> str:
        """Swedish name of the indicator (chart and table titles)."""
        return self.indicator(indicator_id).name_sv

    def unit_label(self, indicator_id: str) -> str:
        """Swedish short unit, e.g. "mnkr" or "% av BRP" (axis labels)."""
        return self.unit(indicator_id).short_sv

    def citation(self, indicator_id: str) -> str:
        """Swedish source attribution without "Källa:", e.g. "SCB, regionalräkenskaperna"."""
        return self.source(indicator_id).citation_sv


def is_context_indicator(catalogue: Any, indicator_id: str) -> bool:
    """True when the indicator's dimension is declared with ``metric: false`` (population,
    BRP: context series, not part of the METRIC model). Duck-typed, so analysis tests may
    pass a namespace with ``indicators`` and ``dimensions``."""
    indicator = catalogue.indicators.get(indicator_id)
    dimension_id = getattr(indicator, "dimension", None)
    return any(dim.id == dimension_id and not getattr(dim, "metric", True)
               for dim in getattr(catalogue, "dimensions", ()))


def load_catalogue(data_dir: str | Path | None = None) -> Catalogue:
    """Load and validate ``indicators.yaml`` and ``sources.yaml`` from ``data_dir``
    (default ``ecoreport.paths.data_dir()``). Raises DataError on any schema violation."""
    base = (Path(data_dir) if data_dir is not None else default_data_dir()).resolve()
    indicators_path, sources_path = base / INDICATORS_FILE, base / SOURCES_FILE
    return _load_cached(base, _mtime(indicators_path), _mtime(sources_path))


def clear_cache() -> None:
    """Forget cached catalogues (the cache already notices edited files)."""
    _load_cached.cache_clear()


# --- loading ------------------------------------------------------------------------------


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        raise DataError("file not found", file=str(path),
                        expected=f"{path.name} in the data folder") from None


@functools.lru_cache(maxsize=8)
def _load_cached(base: Path, _indicators_mtime: int, _sources_mtime: int) -> Catalogue:
    logger.debug("loading catalogue from %s", base)
    sources_raw = _read_yaml(base / SOURCES_FILE)
    indicators_raw = _read_yaml(base / INDICATORS_FILE)
    catalogue = parse_catalogue(indicators_raw, sources_raw)
    logger.info("catalogue: %d indicators, %d sources from %s",
                len(catalogue.indicators), len(catalogue.sources), base)
    return catalogue


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (PyYAML silently keeps the last)."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode,
                              deep: bool = False) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _construct_unique_mapping)


def _read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        try:
            return yaml.load(handle, Loader=_UniqueKeyLoader)  # noqa: S506 - safe subclass
        except yaml.YAMLError as exc:
            raise DataError(f"not valid YAML: {exc}".replace("\n", " "), file=path.name,
                            expected="well-formed YAML without duplicate keys") from exc


# --- validation ---------------------------------------------------------------------------


def parse_catalogue(indicators_raw: Any, sources_raw: Any) -> Catalogue:
    """Validate already-parsed YAML documents and build a Catalogue (used by tests and
    by ``load_catalogue``). Raises CatalogueError, or DataValidationError for several."""
    issues: list[CatalogueError] = []
    sources = _parse_sources(sources_raw, issues)
    units, dimensions, indicators = _parse_indicators(indicators_raw, sources, issues)
    if len(issues) == 1:
        raise issues[0]
    if issues:
        raise DataValidationError([issue.issue for issue in issues])
    return Catalogue(units=units, dimensions=dimensions, indicators=indicators, sources=sources)


def _check_fields(entry: dict, spec: dict[str, bool], file: str, where: str,
                  issues: list[CatalogueError]) -> bool:
    ok = True
    for name in entry:
        if name not in spec:
            close = difflib.get_close_matches(str(name), list(spec), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            issues.append(CatalogueError(f"unknown field{hint}", file=file, entry=where,
                                         field=str(name), value=entry[name],
                                         expected="only " + ", ".join(spec)))
            ok = False
    for name, required in spec.items():
        if required and name not in entry:
            issues.append(CatalogueError("missing", file=file, entry=where, field=name,
                                         expected="the field to be present"))
            ok = False
    return ok


def _check_text(entry: dict, name: str, file: str, where: str,
                issues: list[CatalogueError], *, nullable: bool = False) -> None:
    value = entry.get(name)
    if value is None and nullable:
        return
    if not isinstance(value, str) or not value.strip():
        issues.append(CatalogueError(f"{value!r} is not a text", file=file, entry=where,
                                     field=name, value=value, expected="a non-empty string"))


def _check_choice(entry: dict, name: str, choices: tuple, file: str, where: str,
                  issues: list[CatalogueError]) -> bool:
    value = entry.get(name)
    if value not in choices:
        shown = ", ".join("null" if c is None else str(c) for c in choices)
        issues.append(CatalogueError(f"{value!r} is not allowed", file=file, entry=where,
                                     field=name, value=value, expected=f"one of: {shown}"))
        return False
    return True


def _parse_sources(raw: Any, issues: list[CatalogueError]) -> dict[str, Source]:
    file = SOURCES_FILE
    if not isinstance(raw, dict) or not raw:
        issues.append(CatalogueError("the file must map source ids to sources", file=file,
                                     value=type(raw).__name__,
                                     expected="a YAML mapping of source_id -> fields"))
        return {}
    sources: dict[str, Source] = {}
    for source_id, entry in raw.items():
        where = f"source '{source_id}'"
        if not isinstance(source_id, str) or not _ID_RE.match(source_id):
            issues.append(CatalogueError("not a valid id", file=file, entry=where,
                                         value=source_id,
                                         expected="lower-case snake_case, e.g. 'scb_brp'"))
            continue
        if not isinstance(entry, dict):
            issues.append(CatalogueError("not a mapping", file=file, entry=where, value=entry,
                                         expected="a mapping with " + ", ".join(_SOURCE_FIELDS)))
            continue
        if not _check_fields(entry, _SOURCE_FIELDS, file, where, issues):
            continue
        for name in ("producer", "title", "table", "licence", "citation_sv"):
            _check_text(entry, name, file, where, issues)
        _check_text(entry, "note", file, where, issues, nullable=True)
        url = entry.get("url")
        if url is not None and (not isinstance(url, str)
                                or not url.startswith(("https://", "http://"))):
            issues.append(CatalogueError(f"{url!r} is not a web address", file=file,
                                         entry=where, field="url", value=url,
                                         expected="an http(s) URL or null"))
        retrieved = _parse_date(entry.get("retrieved"))
        if retrieved is False:
            issues.append(CatalogueError(f"{entry['retrieved']!r} is not a date", file=file,
                                         entry=where, field="retrieved",
                                         value=entry["retrieved"],
                                         expected="an ISO date (YYYY-MM-DD) or null"))
            retrieved = None  # keep the source so its users do not report it as undeclared
        sources[source_id] = Source(
            id=source_id, producer=entry["producer"], title=entry["title"],
            table=entry["table"], url=url, licence=entry["licence"], retrieved=retrieved,
            citation_sv=entry["citation_sv"], note=entry.get("note"))
    return sources


def _parse_date(value: Any) -> str | None | bool:
    """ISO text of a YAML date or quoted ISO date; None for null; False if not a date."""
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return False
    return False


def _parse_indicators(raw: Any, sources: dict[str, Source], issues: list[CatalogueError]
                      ) -> tuple[dict[str, Unit], list[Dimension], dict[str, Indicator]]:
    file = INDICATORS_FILE
    if not isinstance(raw, dict):
        issues.append(CatalogueError("the file must be a mapping", file=file,
                                     value=type(raw).__name__,
                                     expected="top-level keys units, dimensions, indicators"))
        return {}, [], {}
    expected_keys = ("units", "dimensions", "indicators")
    for key in raw:
        if key not in expected_keys:
            issues.append(CatalogueError("unknown top-level key", file=file, value=key,
                                         expected="only " + ", ".join(expected_keys)))
    units = _parse_units(raw.get("units"), file, issues)
    dimensions = _parse_dimensions(raw.get("dimensions"), file, issues)
    dimension_ids = {dim.id for dim in dimensions}
    entries = raw.get("indicators")
    if not isinstance(entries, list) or not entries:
        issues.append(CatalogueError("'indicators' must be a non-empty list", file=file,
                                     value=type(entries).__name__,
                                     expected="a YAML list of indicator mappings"))
        return units, dimensions, {}
    indicators: dict[str, Indicator] = {}
    for number, entry in enumerate(entries, start=1):
        indicator = _parse_indicator(entry, number, units, dimension_ids, sources, file, issues)
        if indicator is None:
            continue
        if indicator.id in indicators:
            issues.append(CatalogueError("declared twice", file=file,
                                         entry=f"indicator '{indicator.id}'", field="id",
                                         value=indicator.id, expected="unique indicator ids"))
            continue
        indicators[indicator.id] = indicator
    return units, dimensions, indicators


def _parse_units(raw: Any, file: str, issues: list[CatalogueError]) -> dict[str, Unit]:
    if not isinstance(raw, dict) or not raw:
        issues.append(CatalogueError("'units' must map unit ids to units", file=file,
                                     value=type(raw).__name__,
                                     expected="a YAML mapping of unit_id -> fields"))
        return {}
    units: dict[str, Unit] = {}
    for unit_id, entry in raw.items():
        where = f"unit '{unit_id}'"
        if not isinstance(unit_id, str) or not _ID_RE.match(unit_id):
            issues.append(CatalogueError("not a valid id", file=file, entry=where,
                                         value=unit_id, expected="lower-case snake_case"))
            continue
        if not isinstance(entry, dict):
            issues.append(CatalogueError("not a mapping", file=file, entry=where, value=entry,
                                         expected="a mapping with " + ", ".join(_UNIT_FIELDS)))
            continue
        if not _check_fields(entry, _UNIT_FIELDS, file, where, issues):
            continue
        for name in ("label_sv", "short_sv", "label_en"):
            _check_text(entry, name, file, where, issues)
        if not _check_choice(entry, "kind", UNIT_KINDS, file, where, issues):
            continue
        kind = entry["kind"]
        low, high = entry.get("min"), entry.get("max")
        bad_bound = False
        for name, bound in (("min", low), ("max", high)):
            if bound is not None and (isinstance(bound, bool)
                                      or not isinstance(bound, (int, float))):
                issues.append(CatalogueError(f"{bound!r} is not a number", file=file,
                                             entry=where, field=name, value=bound,
                                             expected="a number or nothing"))
                bad_bound = True
        if bad_bound:
            continue
        # Implied ranges (DESIGN.md): shares 0..100, counts and amounts >= 0.
        if kind == "share":
            low = 0 if low is None else low
            high = 100 if high is None else high
        elif kind in ("count", "amount") and low is None:
            low = 0
        elif kind == "score" and (low is None or high is None):
            issues.append(CatalogueError("a score needs an explicit scale", file=file,
                                         entry=where, field="min" if low is None else "max",
                                         value=None, expected="min and max, e.g. 1 and 6"))
            continue
        if low is not None and high is not None and low >= high:
            issues.append(CatalogueError(f"min {low} is not below max {high}", file=file,
                                         entry=where, field="max", value=high,
                                         expected=f"a number above {low}"))
            continue
        units[unit_id] = Unit(id=unit_id, label_sv=entry["label_sv"], short_sv=entry["short_sv"],
                              label_en=entry["label_en"], kind=kind, min=low, max=high)
    return units


def _parse_dimensions(raw: Any, file: str, issues: list[CatalogueError]) -> list[Dimension]:
    if not isinstance(raw, list) or not raw:
        issues.append(CatalogueError("'dimensions' must be a non-empty list", file=file,
                                     value=type(raw).__name__,
                                     expected="a YAML list of dimension mappings"))
        return []
    dimensions: list[Dimension] = []
    for number, entry in enumerate(raw, start=1):
        where = f"dimension {number}"
        if not isinstance(entry, dict):
            issues.append(CatalogueError("not a mapping", file=file, entry=where, value=entry,
                                         expected="a mapping with "
                                         + ", ".join(_DIMENSION_FIELDS)))
            continue
        if isinstance(entry.get("id"), str):
            where = f"dimension '{entry['id']}'"
        if not _check_fields(entry, _DIMENSION_FIELDS, file, where, issues):
            continue
        if not isinstance(entry["id"], str) or not _ID_RE.match(entry["id"]):
            issues.append(CatalogueError("not a valid id", file=file, entry=where, field="id",
                                         value=entry["id"], expected="lower-case snake_case"))
            continue
        for name in ("name_sv", "name_en", "description_sv"):
            _check_text(entry, name, file, where, issues)
        order, metric = entry["order"], entry.get("metric", True)
        if isinstance(order, bool) or not isinstance(order, int):
            issues.append(CatalogueError(f"{order!r} is not a whole number", file=file,
                                         entry=where, field="order", value=order,
                                         expected="an integer giving the report order"))
            continue
        if not isinstance(metric, bool):
            issues.append(CatalogueError(f"{metric!r} is not true/false", file=file,
                                         entry=where, field="metric", value=metric,
                                         expected="true or false"))
            continue
        if any(dim.id == entry["id"] for dim in dimensions):
            issues.append(CatalogueError("declared twice", file=file, entry=where, field="id",
                                         value=entry["id"], expected="unique dimension ids"))
            continue
        dimensions.append(Dimension(id=entry["id"], name_sv=entry["name_sv"],
                                    name_en=entry["name_en"],
                                    description_sv=entry["description_sv"],
                                    order=order, metric=metric))
    declared = {dim.id for dim in dimensions}
    for missing in (dim_id for dim_id in METRIC_DIMENSIONS if dim_id not in declared):
        issues.append(CatalogueError(f"METRIC dimension '{missing}' is missing", file=file,
                                     value=missing,
                                     expected="all 11 METRIC dimensions: "
                                     + ", ".join(METRIC_DIMENSIONS)))
    return sorted(dimensions, key=lambda dim: dim.order)


def _parse_indicator(entry: Any, number: int, units: dict[str, Unit], dimension_ids: set[str],
                     sources: dict[str, Source], file: str, issues: list[CatalogueError]
                     ) -> Indicator | None:
    where = f"indicator {number}"
    if not isinstance(entry, dict):
        issues.append(CatalogueError("not a mapping", file=file, entry=where, value=entry,
                                     expected="a mapping with " + ", ".join(
                                         k for k, req in _INDICATOR_FIELDS.items() if req)))
        return None
    if isinstance(entry.get("id"), str):
        where = f"indicator '{entry['id']}'"
    before = len(issues)
    if not _check_fields(entry, _INDICATOR_FIELDS, file, where, issues):
        return None
    if not isinstance(entry["id"], str) or not _ID_RE.match(entry["id"]):
        issues.append(CatalogueError("not a valid id", file=file, entry=where, field="id",
                                     value=entry["id"],
                                     expected="lower-case snake_case, e.g. 'fou_andel_brp'"))
    for name in ("name_sv", "name_en", "description_sv", "description_en"):
        _check_text(entry, name, file, where, issues)
    references = (("dimension", sorted(dimension_ids), "dimensions declared under 'dimensions:'"),
                  ("unit", list(units), "units declared under 'units:'"),
                  ("source", list(sources), f"source ids declared in {SOURCES_FILE}"))
    for name, known, what in references:
        value = entry[name]
        if value not in known:
            close = difflib.get_close_matches(str(value), known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            issues.append(CatalogueError(f"{value!r} is not declared{hint}", file=file,
                                         entry=where, field=name, value=value,
                                         expected=f"one of the {what}"))
    _check_choice(entry, "polarity", POLARITIES, file, where, issues)
    kind_ok = _check_choice(entry, "kind", INDICATOR_KINDS, file, where, issues)
    _check_choice(entry, "normalise", tuple(NORMALISATIONS), file, where, issues)
    _check_choice(entry, "axis", AXES + (None,), file, where, issues)
    decimals = entry["decimals"]
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 4:
        issues.append(CatalogueError(f"{decimals!r} is not a number of decimals", file=file,
                                     entry=where, field="decimals", value=decimals,
                                     expected="a whole number from 0 to 4"))
    if kind_ok:
        _check_survey_fields(entry, units, file, where, issues)
    if "api" in entry:
        _check_api(entry["api"], file, where, issues)
    if len(issues) > before:
        return None
    return Indicator(
        id=entry["id"], name_sv=entry["name_sv"], name_en=entry["name_en"],
        description_sv=entry["description_sv"], description_en=entry["description_en"],
        dimension=entry["dimension"], unit=entry["unit"], source=entry["source"],
        polarity=entry["polarity"], decimals=decimals, kind=entry["kind"],
        normalise=entry["normalise"], axis=entry["axis"],
        question_sv=entry.get("question_sv"),
        categories=tuple(entry.get("categories") or ()),
        favourable_categories=tuple(entry.get("favourable_categories") or ()),
        api=entry.get("api"),
        method_break=entry.get("method_break"),
    )


def _check_survey_fields(entry: dict, units: dict[str, Unit], file: str, where: str,
                         issues: list[CatalogueError]) -> None:
    survey_only = ("question_sv", "categories", "favourable_categories")
    if entry["kind"] == "register":
        for name in survey_only:
            if name in entry:
                issues.append(CatalogueError("only survey items have this field", file=file,
                                             entry=where, field=name, value=entry[name],
                                             expected="no such field on a register indicator"))
        return
    _check_text(entry, "question_sv", file, where, issues)
    categories = entry.get("categories")
    if (not isinstance(categories, list) or not categories
            or not all(isinstance(c, str) and c.strip() for c in categories)):
        issues.append(CatalogueError(f"{categories!r} is not a list of answer categories",
                                     file=file, entry=where, field="categories",
                                     value=categories,
                                     expected="a non-empty list of answer texts in display "
                                     "order (quote numbers, e.g. \"0\")"))
        return
    duplicates = sorted({c for c in categories if categories.count(c) > 1})
    if duplicates:
        issues.append(CatalogueError("an answer category is listed twice", file=file,
                                     entry=where, field="categories", value=duplicates[0],
                                     expected="distinct categories"))
    favourable = entry.get("favourable_categories", [])
    if not isinstance(favourable, list) or any(c not in categories for c in favourable):
        stray = next((c for c in favourable if c not in categories), favourable) \
            if isinstance(favourable, list) else favourable
        issues.append(CatalogueError(f"{stray!r} is not one of the categories", file=file,
                                     entry=where, field="favourable_categories", value=stray,
                                     expected="a subset of: " + ", ".join(categories)))
    unit = units.get(entry["unit"])
    if unit is not None and unit.kind != "share":
        issues.append(CatalogueError("a survey item must be a share of firms", file=file,
                                     entry=where, field="unit", value=entry["unit"],
                                     expected="a unit of kind 'share', e.g. percent_of_firms"))


def _check_api(api: Any, file: str, where: str, issues: list[CatalogueError]) -> None:
    if not isinstance(api, dict) or api.get("service") not in API_SERVICES:
        value = api.get("service") if isinstance(api, dict) else api
        issues.append(CatalogueError(f"{value!r} is not a supported API service", file=file,
                                     entry=where, field="api.service", value=value,
                                     expected="one of: " + ", ".join(API_SERVICES)))
        return
    if api["service"] == "kolada":
        kpi = api.get("kpi")
        if not isinstance(kpi, str) or not _KOLADA_KPI_RE.match(kpi):
            issues.append(CatalogueError(f"{kpi!r} is not a Kolada KPI id", file=file,
                                         entry=where, field="api.kpi", value=kpi,
                                         expected="an id like 'N85085'"))
        return
    for name in ("table", "value_code"):
        if not isinstance(api.get(name), str) or not api[name].strip():
            issues.append(CatalogueError(f"{api.get(name)!r} is not set", file=file,
                                         entry=where, field=f"api.{name}", value=api.get(name),
                                         expected="a PxWeb table path and ContentsCode"))
    if not isinstance(api.get("selection"), dict):
        issues.append(CatalogueError(f"{api.get('selection')!r} is not a selection",
                                     file=file, entry=where, field="api.selection",
                                     value=api.get("selection"),
                                     expected="a mapping of PxWeb variable -> value(s)"))
