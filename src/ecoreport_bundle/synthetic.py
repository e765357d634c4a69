"""Seeded generator that completes the default dataset with plausible synthetic values.

The real data bundled with ecoreport is fragmentary. So that every chapter, comparison
and the PCA can be shown, :func:`generate` completes every register indicator for the
21 län and Riket for each year 2013–2024 (or each multi-year period) where no observed
value exists. The values draw shapes in charts; the report computes no number from them:

* **Neutral by design.** The generator plants no structure that the analysis could then
  report: no regional traits, no loading of indicators on a research or a market side, no
  national time path, no regional slope. Every series (one län, one indicator) varies
  independently of every other.
* **Level.** A series with observed values follows its own observed level: the
  observed-minus-model difference (on the transformed scale) is interpolated linearly in
  time between observed anchors and held constant beyond them, so the synthetic years run
  through the observed points and continue at the level of the nearest ones. A series
  without observed values gets the documented default: the national level of
  ``data/synthetic.yaml`` (``Spec.level``; a rate per 100 000 inhabitants, or per 1 000
  inhabitants aged 20–64 for ``per_employed`` indicators, times the län's population in
  that year for counts and amounts) plus an independent regional level
  (``Spec.regional_sd``). An isolated observed spike (more than a factor ``SPIKE_FACTOR``
  away from both neighbouring anchors) is kept as observed but not used as an anchor.
* **Process.** Around its level each series varies by stationary AR(1) noise
  (``Spec.noise_sd``, ``Spec.phi``), drawn independently for every län and indicator.
* **Transformed scale.** Shares and bounded scores live on a logit scale between their
  bounds (so they stay inside them); counts and amounts on a log scale.
* **Riket** is the sum of the 21 län for counts and amounts and a weighted mean for shares,
  rates, scores and indices (:func:`aggregate_riket`). An aggregate is ``observed`` only if
  every input (and weight) is observed.
* **Derived.** ``fou_andel_brp`` is computed from FoU per inhabitant × population / BRP
  where all inputs are observed (and the län has no other observed series for it); those
  values count as observed. Its synthetic years are filled like any series, anchored to the
  observed ones, never derived from synthetic inputs (which would tie it to them).

Observed values are never overwritten. Counts are rounded to integers (small expected
counts are drawn from a Poisson distribution so that zeros occur), other values to the
catalogue's ``decimals``. Survey items are never generated. One seed drives everything,
through one ``numpy.random.default_rng`` per indicator keyed by (seed, CRC32 of its id),
so adding an indicator does not change the others.

None of this is a finding about any län. Because the process is neutral, the pooled
research–market axis test finds no axis in the generator's output alone
(``tests/unit/test_synthetic.py``).
"""

from __future__ import annotations

import logging
import math
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ecoreport.data.tables import VALUES_COLUMNS, parse_period
from ecoreport_bundle.sources_convert import EXTREME_COLUMN
from ecoreport.data.vocab import NORMALISATIONS, RIKET_CODE, SYNTHETIC_SOURCE_ID
from ecoreport.errors import DataError

logger = logging.getLogger(__name__)

VALUE_COLUMNS = list(VALUES_COLUMNS)
YEARS: tuple[int, ...] = tuple(range(2013, 2025))
# GEM-style pooled periods (as in the model report) for survey-based multi-year indicators.
MULTI_YEAR_PERIODS: tuple[str, ...] = ("2014-2017", "2018-2020", "2021-2023")
# High-growth firms: three growth years after a base year, e.g. "2020-2023" (as in the report).
ROLLING_SPAN = 3
CONTEXT_IDS = ("befolkning", "befolkning_20_64", "brp")
FOU_SECTOR_IDS = ("fou_utgifter_foretag", "fou_utgifter_offentlig", "fou_utgifter_hogskola")
SPIKE_FACTOR = 2.5
POISSON_BELOW = 20.0
_SIZE_DENOMINATOR = {rule.denominator_id: rule.multiplier for rule in NORMALISATIONS.values()
                     if rule.denominator_id}


@dataclass(frozen=True)
class IndicatorInfo:
    """What the generator needs from the catalogue about one register indicator."""

    id: str
    unit_kind: str
    normalise: str = "none"
    decimals: int = 1
    min: float | None = None
    max: float | None = None

    @property
    def bounds(self) -> tuple[float, float] | None:
        """Hard bounds of the value (shares 0–100, scores their scale) or None."""
        if self.unit_kind == "share":
            return (0.0, 100.0)
        if self.min is not None and self.max is not None:
            return (float(self.min), float(self.max))
        return None


@dataclass(frozen=True)
class Spec:
    """How one indicator is modelled where it has no observed values: ``level`` is the
    national level, independent regional levels (``regional_sd``) and AR(1) noise
    (``noise_sd``, ``phi``) around it, all on the transformed scale.

    For size-scaled indicators the level is a rate (per 100 000 inhabitants, or per 1 000
    aged 20–64); otherwise it is the value itself (share, score, index, amount per head).
    """

    level: float
    regional_sd: float = 0.1
    noise_sd: float = 0.03
    phi: float = 0.6
    periods: str = "annual"          # annual | multi | rolling
    size: str | None = "auto"        # auto (from normalise) | befolkning | befolkning_20_64 | None
    aggregate: str = "auto"          # auto (sum for count/amount) | sum | mean
    weight: str = "befolkning"       # weight of the Riket mean: an indicator, or "area"
    poisson: bool = True             # small counts drawn from Poisson (zeros possible)


SETTINGS_FILE = "synthetic.yaml"
DEFAULT_REGIONAL_SD = 0.2
DEFAULT_NOISE_SD = 0.05


def parse_specs(settings: Mapping[str, Any], file: str = SETTINGS_FILE) -> dict[str, Spec]:
    """``Spec`` per indicator from the parsed settings file (``{"indicators": {id: {...}}}``).

    Unknown fields, a missing ``level`` or a value of the wrong type raise DataError
    naming the file, the indicator and the field.
    """
    names = {item.name for item in fields(Spec)}
    entries = settings.get("indicators") if isinstance(settings, Mapping) else None
    if not isinstance(entries, Mapping):
        raise DataError("no 'indicators' mapping", file=file,
                        expected="indicators: {indicator id: settings}")
    specs = {}
    for indicator_id, entry in entries.items():
        where = f"indicator {indicator_id!r}"
        if not isinstance(entry, Mapping):
            raise DataError(f"{where}: settings are not a mapping", file=file, value=entry,
                            expected="a mapping of generator settings")
        unknown = sorted(set(entry) - names)
        if unknown:
            raise DataError(f"{where}: unknown field(s) {unknown}", file=file,
                            value=unknown[0], expected=f"fields among {sorted(names)}")
        level = entry.get("level")
        if level is None or isinstance(level, (bool, Mapping, list)):
            raise DataError(f"{where}, field 'level': no national level", file=file,
                            value=level, expected="a number, e.g. level: 38.0")
        try:
            options = {name: (value if isinstance(value, (str, bool)) or value is None
                              else float(value))
                       for name, value in entry.items() if name != "level"}
            specs[str(indicator_id)] = Spec(level=float(level), **options)
        except (TypeError, ValueError) as exc:
            raise DataError(f"{where}: {exc}", file=file,
                            expected="numbers for levels and standard deviations") from None
    return specs


def load_specs(data_dir: str | Path) -> dict[str, Spec]:
    """The generator settings beside the catalogue (``data/synthetic.yaml``)."""
    path = Path(data_dir) / SETTINGS_FILE
    try:
        settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"cannot read the generator settings: {exc}", file=path.name,
                        expected="a readable YAML file") from None
    return parse_specs(settings, path.name)


def default_spec(info: IndicatorInfo, observed: pd.DataFrame,
                 sizes: Mapping[tuple[str, str], tuple[float, str, str]] | None,
                 years: Iterable[int] = YEARS) -> Spec:
    """Settings for a register indicator that has none in the settings file.

    The national level: the median of the indicator's observed values in ``years``
    (divided by the size series where the indicator is size-scaled, as a rate per
    100 000 inhabitants or per 1 000 aged 20–64); without observed values 50 for shares,
    the middle of a bounded scale, otherwise 1. regional_sd 0.2, noise_sd 0.05, other
    fields as ``Spec``'s defaults.
    """
    spec = Spec(level=1.0, regional_sd=DEFAULT_REGIONAL_SD, noise_sd=DEFAULT_NOISE_SD)
    size_name = _size_name(spec, info)
    wanted = {str(year) for year in years}
    rows = observed[(observed["indicator_id"] == info.id) & observed["period"].isin(wanted)]
    levels = []
    for code, period, value in zip(rows["region_code"], rows["period"], rows["value"]):
        if size_name is None:
            levels.append(float(value))
        elif sizes and sizes.get((code, period)) and sizes[(code, period)][0] > 0:
            levels.append(float(value) / sizes[(code, period)][0]
                          * _SIZE_DENOMINATOR[size_name])
    if levels:
        level = float(np.median(levels))
    elif info.bounds is not None:
        level = sum(info.bounds) / 2
    else:
        level = 1.0
    return Spec(level=level, regional_sd=DEFAULT_REGIONAL_SD, noise_sd=DEFAULT_NOISE_SD)


def indicator_infos(catalogue: Any) -> dict[str, IndicatorInfo]:
    """Register indicators of a ``Catalogue`` (or its parsed YAML dict) as ``IndicatorInfo``."""
    if isinstance(catalogue, Mapping):
        units = catalogue["units"]
        entries = catalogue["indicators"]

        def get(obj: Any, name: str, default: Any = None) -> Any:
            return obj.get(name, default)
    else:
        units = catalogue.units
        entries = list(catalogue.indicators.values())

        def get(obj: Any, name: str, default: Any = None) -> Any:
            return getattr(obj, name, default)
    infos = {}
    for entry in entries:
        if get(entry, "kind") != "register":
            continue
        unit = units[get(entry, "unit")]
        infos[get(entry, "id")] = IndicatorInfo(
            id=get(entry, "id"), unit_kind=get(unit, "kind"),
            normalise=get(entry, "normalise", "none") or "none",
            decimals=int(get(entry, "decimals", 1)),
            min=get(unit, "min"), max=get(unit, "max"))
    return infos


# --------------------------------------------------------------------------- periods

def period_midpoint(period: str) -> float:
    """Midpoint of a period in years (used as its position in time)."""
    start, end = parse_period(period)
    return (start + end) / 2


def grid_periods(spec: Spec, years: Iterable[int] = YEARS) -> list[str]:
    """The periods the generator completes for one indicator."""
    years = list(years)
    if spec.periods == "multi":
        return list(MULTI_YEAR_PERIODS)
    if spec.periods == "rolling":
        return [f"{year - ROLLING_SPAN}-{year}" for year in years]
    return [str(year) for year in years]


# ------------------------------------------------------------------ transformed scale

@dataclass(frozen=True)
class Scale:
    """Log scale (counts, amounts) or logit scale between bounds (shares, scores)."""

    bounds: tuple[float, float] | None = None
    offset: float = 0.0
    eps: float = 1e-4

    def forward(self, value: np.ndarray | float) -> np.ndarray:
        value = np.asarray(value, dtype=float)
        if self.bounds is None:
            return np.log(np.maximum(value + self.offset, 1e-12))
        low, high = self.bounds
        share = np.clip((value - low) / (high - low), self.eps, 1 - self.eps)
        return np.log(share / (1 - share))

    def inverse(self, value: np.ndarray | float) -> np.ndarray:
        value = np.asarray(value, dtype=float)
        if self.bounds is None:
            return np.maximum(np.exp(value) - self.offset, 0.0)
        low, high = self.bounds
        return low + (high - low) / (1 + np.exp(-value))


def scale_for(info: IndicatorInfo) -> Scale:
    """The transformed scale of an indicator (offset 0.5 lets count anchors be zero)."""
    return Scale(bounds=info.bounds, offset=0.5 if info.unit_kind == "count" else 0.0)


def national_level(level: float, scale: Scale, sized: bool) -> float:
    """The national level on the transformed scale (log of a rate for size-scaled
    indicators, else the indicator's own scale)."""
    return math.log(level) if sized else float(scale.forward(level))


# ------------------------------------------------------------------------- anchoring

def find_spikes(times: np.ndarray, deltas: np.ndarray, factor: float = SPIKE_FACTOR) -> np.ndarray:
    """Mask of anchors that differ from both neighbouring anchors by more than ``factor``."""
    spikes = np.zeros(len(deltas), dtype=bool)
    limit = math.log(factor)
    order = np.argsort(times)
    for rank in range(1, len(order) - 1):
        here, before, after = order[rank], order[rank - 1], order[rank + 1]
        if (abs(deltas[here] - deltas[before]) > limit
                and abs(deltas[here] - deltas[after]) > limit
                and np.sign(deltas[here] - deltas[before]) == np.sign(deltas[here] - deltas[after])):
            spikes[here] = True
    return spikes


def anchor_series(times: np.ndarray, model: np.ndarray, anchor_times: np.ndarray,
                  anchor_values: np.ndarray) -> np.ndarray:
    """Shift a model series (transformed scale) so it passes through the anchors.

    The anchor-minus-model difference is interpolated linearly in time between anchors and
    held constant beyond the first and last; without anchors the model is returned.
    """
    times = np.asarray(times, dtype=float)
    model = np.asarray(model, dtype=float)
    if len(anchor_times) == 0:
        return model.copy()
    anchor_times = np.asarray(anchor_times, dtype=float)
    model_at_anchors = np.interp(anchor_times, times, model)
    deltas = np.asarray(anchor_values, dtype=float) - model_at_anchors
    order = np.argsort(anchor_times)
    return model + np.interp(times, anchor_times[order], deltas[order])


# ------------------------------------------------------------------------- generator

def _rng_for(seed: int, indicator_id: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), zlib.crc32(indicator_id.encode("utf-8"))])


def _size_name(spec: Spec, info: IndicatorInfo) -> str | None:
    if spec.size != "auto":
        return spec.size
    return NORMALISATIONS[info.normalise].denominator_id


def _aggregate_kind(spec: Spec, info: IndicatorInfo) -> str:
    if spec.aggregate != "auto":
        return spec.aggregate
    return "sum" if info.unit_kind in ("count", "amount") else "mean"


def _lookup(values: pd.DataFrame, indicator_id: str) -> dict[tuple[str, str], tuple[float, str, str]]:
    rows = values[values["indicator_id"] == indicator_id]
    return {(code, period): (float(value), status, source)
            for code, period, value, status, source in zip(
                rows["region_code"], rows["period"], rows["value"], rows["status"],
                rows["source_id"])}


def _period_mean(table: Mapping[tuple[str, str], tuple[float, str, str]], code: str,
                 period: str) -> tuple[float, bool] | None:
    """Mean of an annual series over a period's years, and whether all inputs are observed."""
    start, end = parse_period(period)
    found = [table[(code, str(year))] for year in range(start, end + 1)
             if (code, str(year)) in table]
    if not found:
        return None
    return (float(np.mean([item[0] for item in found])),
            len(found) == end - start + 1 and all(item[1] == "observed" for item in found))


def model_series(info: IndicatorInfo, spec: Spec, periods: list[str], lan_codes: list[str],
                 sizes: Mapping[tuple[str, str], tuple[float, str, str]] | None,
                 rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Model values (transformed scale) per län over ``periods``, before anchoring: the
    national level, an independent regional level and AR(1) noise, nothing else."""
    scale = scale_for(info)
    size_name = _size_name(spec, info)
    times = np.array([period_midpoint(period) for period in periods])
    national = national_level(spec.level, scale, sized=size_name is not None)
    draws = {code: (rng.standard_normal(), rng.standard_normal(len(times)))
             for code in lan_codes}
    deviation = {code: spec.regional_sd * draws[code][0] for code in lan_codes}
    log_size = {}
    if size_name is not None:
        if sizes is None:
            raise DataError(f"{info.id}: size series {size_name} is needed first",
                            expected="context series generated before scaled indicators")
        for code in lan_codes:
            log_size[code] = np.empty(len(periods))
            for position, period in enumerate(periods):
                found = _period_mean(sizes, code, period)
                if found is None:
                    raise DataError(f"{info.id}: no {size_name} for län {code} in {period}",
                                    expected="a completed population series")
                log_size[code][position] = math.log(found[0] / _SIZE_DENOMINATOR.get(size_name, 1.0))
        # keep the national rate: population-weighted mean of exp(deviation) = 1
        weights = np.array([math.exp(log_size[code].mean()) for code in lan_codes])
        factors = np.array([math.exp(deviation[code]) for code in lan_codes])
        shift = math.log(float(np.sum(weights * factors) / np.sum(weights)))
        deviation = {code: value - shift for code, value in deviation.items()}
    result = {}
    innovation_sd = spec.noise_sd * math.sqrt(1 - spec.phi ** 2)
    for code in lan_codes:
        _, noise_draws = draws[code]
        noise = np.empty(len(times))
        noise[0] = spec.noise_sd * noise_draws[0]
        for position in range(1, len(times)):
            noise[position] = spec.phi * noise[position - 1] + innovation_sd * noise_draws[position]
        values = national + deviation[code] + noise
        if size_name is not None:
            # the national rate lives on a log scale; move to the indicator's own scale
            values = scale.forward(np.exp(values + log_size[code]))
        result[code] = values
    return result


def complete_indicator(info: IndicatorInfo, spec: Spec, observed: pd.DataFrame,
                       lan_codes: list[str],
                       sizes: Mapping[tuple[str, str], tuple[float, str, str]] | None,
                       rng: np.random.Generator, years: Iterable[int] = YEARS,
                       model: Mapping[str, np.ndarray] | None = None,
                       spike_cells: dict[tuple[str, str, str], float] | None = None,
                       limits: Mapping[str, tuple[float | None, float | None]] | None = None
                       ) -> pd.DataFrame:
    """Synthetic rows for one indicator's empty län cells, anchored to its observed values.

    Observed spikes are not used as anchors; if ``spike_cells`` is given, the model value
    that replaces each spike for derived quantities is stored there.
    ``limits`` (region -> (floor, cap), from :func:`stated_limits`) keep the synthetic
    values of a series below a stated highest value and above a stated lowest one.
    """
    periods = grid_periods(spec, years)
    scale = scale_for(info)
    times = np.array([period_midpoint(period) for period in periods])
    if model is None:
        model = model_series(info, spec, periods, lan_codes, sizes, rng)
    known = _lookup(observed[observed["indicator_id"] == info.id], info.id)
    limits = limits or {}
    records = []
    for code in lan_codes:
        anchor_positions = [position for position, period in enumerate(periods)
                            if (code, period) in known]
        spikes = np.zeros(len(anchor_positions), dtype=bool)
        anchor_times = times[anchor_positions]
        anchor_values = scale.forward(np.array([known[(code, periods[p])][0]
                                                for p in anchor_positions]))
        if len(anchor_positions) >= 3:
            spikes = find_spikes(anchor_times, anchor_values - model[code][anchor_positions])
            if spikes.any():
                logger.info("%s %s: observed spike(s) at %s not used as anchor", info.id, code,
                            [periods[p] for p, s in zip(anchor_positions, spikes) if s])
        values = scale.inverse(anchor_series(times, model[code], anchor_times[~spikes],
                                             anchor_values[~spikes]))
        if spike_cells is not None:
            for position, is_spike in zip(anchor_positions, spikes):
                if is_spike:
                    spike_cells[(info.id, code, periods[position])] = float(values[position])
        low, high = limits.get(code, (None, None))
        for position, period in enumerate(periods):
            if (code, period) in known:
                continue
            value = _finish(values[position], info, spec, rng)
            value = _respect_limits(value, low, high, info)
            records.append({"region_code": code, "indicator_id": info.id, "period": period,
                            "value": value,
                            "status": "synthetic", "source_id": SYNTHETIC_SOURCE_ID, "note": ""})
    return pd.DataFrame.from_records(records, columns=VALUE_COLUMNS)




def stated_limits(observed: pd.DataFrame) -> dict[str, tuple[float | None, float | None]]:
    """Per region, (floor, cap): the observed values of one series marked as its stated
    lowest or highest (``extreme`` "min"/"max", see ``sources_convert.EXTREME_COLUMN``)."""
    limits: dict[str, tuple[float | None, float | None]] = {}
    if EXTREME_COLUMN not in observed:
        return limits
    for code, value, extreme in zip(observed["region_code"], observed["value"],
                                    observed[EXTREME_COLUMN]):
        low, high = limits.get(code, (None, None))
        if extreme == "max":
            high = float(value) if high is None else max(high, float(value))
        if extreme == "min":
            low = float(value) if low is None else min(low, float(value))
        if low is not None or high is not None:
            limits[code] = (low, high)
    return limits


def _respect_limits(value: float, low: float | None, high: float | None,
                    info: IndicatorInfo) -> float:
    """Reflect a value that passes a stated peak (or lowest value) back inside it.

    Reflection, rather than clipping, keeps the year-to-year variation of the series.
    """
    step = 1.0 if info.unit_kind == "count" else 10.0 ** -info.decimals
    if high is not None and value >= high:
        value = high - max((value - high) / 2, step)
    if low is not None and value <= low:
        value = low + max((low - value) / 2, step)
    if info.unit_kind == "count":
        return float(round(value))
    return round(value, info.decimals) + 0.0


def _finish(value: float, info: IndicatorInfo, spec: Spec, rng: np.random.Generator) -> float:
    """Round a generated value as published data would be (counts integer, >= 0, in bounds)."""
    value = max(float(value), 0.0) if info.unit_kind in ("count", "amount") else float(value)
    if info.unit_kind == "count":
        if spec.poisson and value < POISSON_BELOW:
            return float(rng.poisson(value))
        return float(round(value))
    value = round(value, info.decimals)
    if info.bounds is not None:
        value = min(max(value, info.bounds[0]), info.bounds[1])
    return value + 0.0  # no "-0.0"


AREA_WEIGHT = "area"


def _area_weights(areas: Mapping[str, float] | None, periods: Iterable[str]
                  ) -> dict[tuple[str, str], tuple[float, str, str]]:
    """The län areas as a weight table over every year of the periods (constant, observed)."""
    if not areas:
        raise DataError("a Riket mean weighted by area needs the län areas",
                        expected="areas from the boundary file (ecoreport_bundle.boundaries)")
    years = {year for period in periods
             for year in range(parse_period(period)[0], parse_period(period)[1] + 1)}
    return {(code, str(year)): (float(area), "observed", "scb_digitala_granser")
            for code, area in areas.items() for year in years}


def aggregate_riket(values: pd.DataFrame, info: IndicatorInfo, spec: Spec,
                    lan_codes: list[str], areas: Mapping[str, float] | None = None
                    ) -> pd.DataFrame:
    """Riket rows for every period where all län have a value and Riket has none.

    Sum of län for counts and amounts; otherwise the mean weighted by ``spec.weight``
    (averaged over the period's years): an indicator such as the population, or
    ``"area"`` (``areas``, km² per län) for shares of the county's area. Observed only if
    all inputs and weights are.
    """
    table = _lookup(values, info.id)
    kind = _aggregate_kind(spec, info)
    weights = {}
    if kind == "mean":
        weights = (_area_weights(areas, {period for _, period in table})
                   if spec.weight == AREA_WEIGHT else _lookup(values, spec.weight))
    periods = sorted({period for code, period in table if code != RIKET_CODE})
    records = []
    for period in periods:
        if (RIKET_CODE, period) in table:
            continue
        items = [table.get((code, period)) for code in lan_codes]
        if any(item is None for item in items):
            continue
        observed = all(item[1] == "observed" for item in items)
        if kind == "sum":
            value = float(sum(item[0] for item in items))
        else:
            found = [_period_mean(weights, code, period) for code in lan_codes]
            if any(item is None for item in found):
                continue
            weight = np.array([item[0] for item in found])
            value = float(np.sum(weight * np.array([item[0] for item in items])) / weight.sum())
            observed = observed and all(item[1] for item in found)
        sources = {item[2] for item in items}
        if observed and len(sources) == 1:
            how = "sum" if kind == "sum" else f"mean weighted by {spec.weight}"
            records.append({"region_code": RIKET_CODE, "indicator_id": info.id, "period": period,
                            "value": _round(value, info), "status": "observed",
                            "source_id": sources.pop(),
                            "note": f"aggregated from the 21 län ({how})"})
        else:
            records.append({"region_code": RIKET_CODE, "indicator_id": info.id, "period": period,
                            "value": _round(value, info), "status": "synthetic",
                            "source_id": SYNTHETIC_SOURCE_ID, "note": ""})
    return pd.DataFrame.from_records(records, columns=VALUE_COLUMNS)


def _round(value: float, info: IndicatorInfo) -> float:
    if info.unit_kind == "count":
        return float(round(value))
    return round(value, max(info.decimals, 2)) + 0.0


def derive_fou_andel_brp(values: pd.DataFrame, lan_codes: list[str],
                         indicator_id: str = "fou_andel_brp",
                         source_id: str = "kolada_fou") -> pd.DataFrame:
    """FoU as percent of BRP = (sum of sector FoU per inhabitant) × population / BRP.

    Returns one row per län and year where all inputs exist: status observed when all
    inputs are observed, else synthetic.
    """
    tables = {name: _lookup(values, name) for name in (*FOU_SECTOR_IDS, "befolkning", "brp")}
    records = []
    for code in lan_codes:
        for year in sorted({period for c, period in tables["brp"] if c == code}):
            items = [tables[name].get((code, year)) for name in tables]
            if any(item is None for item in items) or "-" in year:
                continue
            *sectors, population, brp = items
            if brp[0] <= 0:
                continue
            value = 100 * sum(item[0] for item in sectors) * population[0] / 1e6 / brp[0]
            observed = all(item[1] == "observed" for item in items)
            records.append({
                "region_code": code, "indicator_id": indicator_id, "period": year,
                "value": round(value, 4),
                "status": "observed" if observed else "synthetic",
                "source_id": source_id if observed else SYNTHETIC_SOURCE_ID,
                "note": ("derived: (business + public + university FoU per inhabitant) × "
                         "population / BRP" if observed else "")})
    return pd.DataFrame.from_records(records, columns=VALUE_COLUMNS)


def replace_spikes(values: pd.DataFrame,
                   spike_cells: Mapping[tuple[str, str, str], float]) -> pd.DataFrame:
    """Copy of ``values`` with observed spikes replaced by model values (marked synthetic)."""
    if not spike_cells:
        return values
    keys = list(zip(values["indicator_id"], values["region_code"], values["period"]))
    hit = np.array([key in spike_cells for key in keys])
    result = values.copy()
    result.loc[hit, "value"] = [spike_cells[key] for key, is_hit in zip(keys, hit) if is_hit]
    result.loc[hit, "status"] = "synthetic"
    return result


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[VALUE_COLUMNS]


def generate(observed: pd.DataFrame, infos: Mapping[str, IndicatorInfo], lan_codes: list[str],
             seed: int, specs: Mapping[str, Spec], years: Iterable[int] = YEARS,
             areas: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Complete ``observed`` (tidy values) for every register indicator in ``infos``.

    Returns observed rows unchanged plus synthetic rows (and Riket aggregates), unsorted.
    ``specs`` are the settings per indicator (:func:`load_specs`); an indicator without
    one gets :func:`default_spec` (logged). ``areas`` (km² per län) weight the Riket mean
    of indicators whose settings say ``weight: area``.
    """
    specs = dict(specs)
    years = list(years)
    lan_codes = sorted(code for code in lan_codes if code != RIKET_CODE)
    unknown = sorted(set(observed["indicator_id"]) - set(infos))
    if unknown:
        raise DataError(f"observed values for indicator(s) not in the catalogue: {unknown}",
                        column="indicator_id", expected="register indicators of the catalogue")
    limits = {indicator_id: stated_limits(rows)
              for indicator_id, rows in observed.groupby("indicator_id", sort=False)}
    observed = observed[VALUE_COLUMNS].copy()
    values = observed.copy()
    spike_cells: dict[tuple[str, str, str], float] = {}

    def add(frame: pd.DataFrame) -> None:
        nonlocal values
        values = _concat([values, frame])

    for indicator_id in sorted(set(infos) - set(specs)):
        info = infos[indicator_id]
        size_name = _size_name(Spec(level=1.0), info)
        specs[indicator_id] = default_spec(info, observed,
                                           _lookup(observed, size_name) if size_name else None,
                                           years)
        logger.warning("%s: no settings in %s; using the default (level %.4g)",
                       indicator_id, SETTINGS_FILE, specs[indicator_id].level)
    # 1. context series first: everything else is scaled by them
    for indicator_id in CONTEXT_IDS:
        if indicator_id not in infos:
            continue
        info, spec = infos[indicator_id], specs[indicator_id]
        sizes = _lookup(values, _size_name(spec, info)) if _size_name(spec, info) else None
        add(complete_indicator(info, spec, values, lan_codes, sizes,
                               _rng_for(seed, indicator_id), years,
                               limits=limits.get(indicator_id)))
        add(aggregate_riket(values, info, spec, lan_codes, areas))
    # 2. every other register indicator except the derived FoU share
    derived = "fou_andel_brp" in infos and all(name in infos for name in FOU_SECTOR_IDS)
    for indicator_id in sorted(infos):
        if indicator_id in CONTEXT_IDS or (derived and indicator_id == "fou_andel_brp"):
            continue
        info, spec = infos[indicator_id], specs[indicator_id]
        size_name = _size_name(spec, info)
        sizes = _lookup(values, size_name) if size_name else None
        add(complete_indicator(info, spec, values, lan_codes, sizes,
                               _rng_for(seed, indicator_id), years, spike_cells=spike_cells,
                               limits=limits.get(indicator_id)))
        add(aggregate_riket(values, info, spec, lan_codes, areas))
    # 3. the FoU share of BRP: derived where all inputs are observed, the rest filled like
    #    any series (never derived from synthetic inputs, which would tie it to them)
    if derived:
        info, spec = infos["fou_andel_brp"], specs["fou_andel_brp"]
        rows = derive_fou_andel_brp(replace_spikes(values, spike_cells), lan_codes)
        own = observed[observed["indicator_id"] == info.id]
        # a län with its own observed series keeps it alone: definitions may differ
        derived_observed = rows[(rows["status"] == "observed")
                                & ~rows["region_code"].isin(set(own["region_code"]))]
        anchors = _concat([own, derived_observed])
        size_name = _size_name(spec, info)
        add(derived_observed)
        add(complete_indicator(info, spec, anchors, lan_codes,
                               _lookup(values, size_name) if size_name else None,
                               _rng_for(seed, info.id), years,
                               limits=limits.get(info.id)))
        add(aggregate_riket(values, info, spec, lan_codes, areas))
    return values.reset_index(drop=True)
