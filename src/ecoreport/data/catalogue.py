"""The indicator catalogue: ``indicators.yaml`` + ``sources.yaml``, validated and typed.

Charts, tables and text read titles, units, decimals and sources from here and never type
them in. ``load_catalogue()`` is cached per data folder (and file modification time), so
notebooks can call it freely.
"""

from __future__ import annotations

import difflib
import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ecoreport.data.schema import (
    API_MODELS,
    AXES,
    ID_RE,
    INDICATOR_KINDS,
    DimensionModel,
    IndicatorModel,
    Problem,
    SourceModel,
    SurveyFilterModel,
    SurveyModel,
    UnitModel,
    plausible_limit,
    validate_entry,
)
from ecoreport.data.files import BoundedSafeLoader, inside, read_yaml
from ecoreport.errors import (
    CatalogueError,
    shown,
    DataError,
    DataValidationError,
    UnknownDimensionError,
    UnknownIndicatorError,
)
from ecoreport.paths import data_dir as default_data_dir

logger = logging.getLogger(__name__)

INDICATORS_FILE = "indicators.yaml"
SOURCES_FILE = "sources.yaml"

METRIC_DIMENSIONS = (
    "teknologi", "fou", "humankapital", "entreprenorskap", "affarsstod",
    "aktorer_kopplingar", "finansiellt_kapital", "infrastruktur", "legal_regulatorisk",
    "kultur", "marknader",
)
API_SERVICES = tuple(API_MODELS)


# The records are the schema's models (frozen pydantic models: the fields are declared once,
# in ``schema``); a unit and a source also hold their id, the key they are written under.
Dimension = DimensionModel
Indicator = IndicatorModel
SurveyDesign = SurveyModel  # how a survey was made (``survey:`` of its source)
SurveyFilter = SurveyFilterModel  # firms answering ``item`` with ``category`` innovate


class Unit(UnitModel):
    """A unit with its id. ``min``/``max`` are the bounds its kind implies (shares 0..100)
    and ``max_plausible`` the limit that applies (``schema.plausible_limit``)."""

    id: str


class Source(SourceModel):
    """A source with its id."""

    id: str


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
        """The dimension with this id (UnknownDimensionError, a KeyError, lists the valid ids)."""
        for dim in self.dimensions:
            if dim.id == dimension_id:
                return dim
        raise UnknownDimensionError(f"unknown dimension {dimension_id!r}; expected one of "
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


class _UniqueKeyLoader(BoundedSafeLoader):
    """The bounded SafeLoader (``data.files``), refusing duplicate mapping keys (PyYAML
    silently keeps the last)."""


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
    return read_yaml(inside(path, path.parent, "the data folder"), file=path.name,
                     expected="well-formed YAML without duplicate keys",
                     loader=_UniqueKeyLoader)


# --- validation ---------------------------------------------------------------------------
# The fields of each entry are checked by the models in ``schema``; here what needs more than
# one entry: references between the files, unique ids, all METRIC dimensions present.

_TOP_LEVEL_KEYS = ("units", "dimensions", "indicators")


def parse_catalogue(indicators_raw: Any, sources_raw: Any) -> Catalogue:
    """Validate already-parsed YAML documents and build a Catalogue (used by tests and
    by ``load_catalogue``). Raises CatalogueError, or DataValidationError for several."""
    issues: list[CatalogueError] = []
    sources, source_ids = _parse_sources(sources_raw, issues)
    units, dimensions, indicators = _parse_indicators(indicators_raw, source_ids, issues)
    _check_survey_designs(sources, indicators, issues)
    if len(issues) == 1:
        raise issues[0]
    if issues:
        raise DataValidationError([issue.issue for issue in issues])
    return Catalogue(units=units, dimensions=dimensions, indicators=indicators, sources=sources)


def _report(problems: list[Problem], file: str, where: str,
            issues: list[CatalogueError]) -> None:
    issues.extend(CatalogueError(p.problem, file=file, entry=where, field=p.field,
                                 value=p.value, expected=p.expected) for p in problems)


def _keyed_entries(raw: Any, file: str, what: str, example: str,
                   issues: list[CatalogueError]) -> list[tuple[str, Any]]:
    """(id, entry) of a mapping id -> fields, refusing keys that are not ids."""
    if not isinstance(raw, dict) or not raw:
        issues.append(CatalogueError(f"{what} must map ids to entries", file=file,
                                     value=type(raw).__name__,
                                     expected="a YAML mapping of id -> fields"))
        return []
    entries = []
    for key, entry in raw.items():
        if not isinstance(key, str) or not ID_RE.match(key):
            issues.append(CatalogueError("not a valid id", file=file, entry=f"'{key}'",
                                         value=key,
                                         expected=f"lower-case snake_case, {example}"))
            continue
        entries.append((key, entry))
    return entries


def _listed_entries(raw: Any, file: str, what: str, issues: list[CatalogueError]
                    ) -> list[tuple[str, Any]]:
    """(name used in messages, entry) of a list of mappings with an ``id``."""
    if not isinstance(raw, list) or not raw:
        issues.append(CatalogueError(f"'{what}s' must be a non-empty list", file=file,
                                     value=type(raw).__name__,
                                     expected=f"a YAML list of {what} mappings"))
        return []
    return [(f"{what} '{entry['id']}'" if isinstance(entry, dict)
             and isinstance(entry.get("id"), str) else f"{what} {number}", entry)
            for number, entry in enumerate(raw, start=1)]


def _parse_sources(raw: Any, issues: list[CatalogueError]
                   ) -> tuple[dict[str, Source], set[str]]:
    """The valid sources, and the ids declared (valid or not, so that an indicator citing a
    source with a bad field is not reported a second time as citing an unknown one)."""
    sources: dict[str, Source] = {}
    entries = _keyed_entries(raw, SOURCES_FILE, "the file", "e.g. 'scb_brp'", issues)
    for source_id, entry in entries:
        model, problems = validate_entry(SourceModel, entry)
        _report(problems, SOURCES_FILE, f"source '{source_id}'", issues)
        if model is not None:
            sources[source_id] = Source.model_construct(id=source_id, **dict(model))
    return sources, {source_id for source_id, _ in entries}


def _check_survey_designs(sources: dict[str, Source], indicators: dict[str, Indicator],
                          issues: list[CatalogueError]) -> None:
    """A survey's filter question must be one of the catalogue's survey items, answered
    with one of its categories."""
    for source in sources.values():
        rule = source.survey.innovating_filter if source.survey else None
        if rule is None:
            continue
        where = f"source '{source.id}'"
        item = indicators.get(rule.item)
        if item is None or not item.is_survey:
            names = [i.id for i in indicators.values() if i.is_survey]
            close = difflib.get_close_matches(rule.item, names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            issues.append(CatalogueError(f"{rule.item!r} is not a survey item of "
                                         f"{INDICATORS_FILE}{hint}",
                                         file=SOURCES_FILE, entry=where,
                                         field="survey.innovating_filter.item",
                                         value=rule.item, expected="a survey item id"))
        elif rule.category not in item.categories:
            issues.append(CatalogueError(
                f"{rule.category!r} is not an answer category of '{item.id}'",
                file=SOURCES_FILE, entry=where,
                field="survey.innovating_filter.category", value=rule.category,
                expected="one of: " + ", ".join(item.categories)))


def _parse_indicators(raw: Any, source_ids: set[str], issues: list[CatalogueError]
                      ) -> tuple[dict[str, Unit], list[Dimension], dict[str, Indicator]]:
    file = INDICATORS_FILE
    if not isinstance(raw, dict):
        issues.append(CatalogueError("the file must be a mapping", file=file,
                                     value=type(raw).__name__,
                                     expected="top-level keys " + ", ".join(_TOP_LEVEL_KEYS)))
        return {}, [], {}
    for key in raw:
        if key not in _TOP_LEVEL_KEYS:
            issues.append(CatalogueError("unknown top-level key", file=file, value=key,
                                         expected="only " + ", ".join(_TOP_LEVEL_KEYS)))
    units: dict[str, Unit] = {}
    unit_entries = _keyed_entries(raw.get("units"), file, "'units'", "e.g. 'percent'", issues)
    for unit_id, entry in unit_entries:
        model, problems = validate_entry(UnitModel, entry)
        _report(problems, file, f"unit '{unit_id}'", issues)
        if model is not None:
            low, high = model.bounds()
            limit = plausible_limit(model.kind, model.max_plausible)
            units[unit_id] = Unit.model_construct(
                id=unit_id, **{**dict(model), "min": low, "max": high, "max_plausible": limit})
    dimensions = _parse_dimensions(raw.get("dimensions"), file, issues)
    known = {
        "dimension": ([d.id for d in dimensions], "dimensions declared under 'dimensions:'"),
        "unit": ([unit_id for unit_id, _ in unit_entries], "units declared under 'units:'"),
        "source": (sorted(source_ids), f"source ids declared in {SOURCES_FILE}"),
    }
    indicators: dict[str, Indicator] = {}
    for where, entry in _listed_entries(raw.get("indicators"), file, "indicator", issues):
        model, problems = validate_entry(Indicator, entry)
        _report(problems, file, where, issues)
        before = len(issues)
        _check_references(entry, known, units, file, where, issues)
        if model is None or len(issues) > before:
            continue
        if model.id in indicators:
            issues.append(CatalogueError("declared twice", file=file, entry=where, field="id",
                                         value=model.id, expected="unique indicator ids"))
            continue
        indicators[model.id] = model
    return units, dimensions, indicators


def _check_references(entry: Any, known: dict[str, tuple[list[str], str]],
                      units: dict[str, Unit], file: str, where: str,
                      issues: list[CatalogueError]) -> None:
    """Dimension, unit and source must be declared ("did you mean" the closest); a survey
    item's unit must be a share."""
    if not isinstance(entry, dict):
        return
    for name, (ids, what) in known.items():
        value = entry.get(name)
        if isinstance(value, str) and value not in ids:
            close = difflib.get_close_matches(value, ids, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            issues.append(CatalogueError(f"{shown(value)} is not declared{hint}", file=file,
                                         entry=where, field=name, value=value,
                                         expected=f"one of the {what}"))
    api = entry.get("api")
    while isinstance(api, dict):  # an api entry's own source (and its continuation's)
        value = api.get("source")
        ids, what = known["source"]
        if isinstance(value, str) and value not in ids:
            issues.append(CatalogueError(f"{value!r} is not declared", file=file, entry=where,
                                         field="api.source", value=value,
                                         expected=f"one of the {what}"))
        api = api.get("continued_by")
    unit = units.get(entry["unit"]) if isinstance(entry.get("unit"), str) else None
    if entry.get("kind") == "survey" and unit is not None and unit.kind != "share":
        issues.append(CatalogueError("a survey item must be a share of firms", file=file,
                                     entry=where, field="unit", value=entry["unit"],
                                     expected="a unit of kind 'share', e.g. percent_of_firms"))


def _parse_dimensions(raw: Any, file: str, issues: list[CatalogueError]) -> list[Dimension]:
    dimensions: list[Dimension] = []
    for where, entry in _listed_entries(raw, file, "dimension", issues):
        model, problems = validate_entry(Dimension, entry)
        _report(problems, file, where, issues)
        if model is None:
            continue
        if any(dim.id == model.id for dim in dimensions):
            issues.append(CatalogueError("declared twice", file=file, entry=where, field="id",
                                         value=model.id, expected="unique dimension ids"))
            continue
        dimensions.append(model)
    declared = {dim.id for dim in dimensions}
    for missing in (dim_id for dim_id in METRIC_DIMENSIONS if dim_id not in declared):
        issues.append(CatalogueError(f"METRIC dimension '{missing}' is missing", file=file,
                                     value=missing,
                                     expected="all 11 METRIC dimensions: "
                                     + ", ".join(METRIC_DIMENSIONS)))
    return sorted(dimensions, key=lambda dim: dim.order)
