"""Innovationsindex: a composite of the METRIC indicators for all 21 län, with its uncertainty.

Method (one pass per year, all län at once):

1. **Indicators**: the register indicators with a polarity (not neutral, not context
   series), per capita / per employed where the catalogue says so
   (``compare.normalise_values``), multiplied by their polarity sign so that higher is
   always better. Survey items are left out: they exist for one län only. An indicator
   enters a year's index when at least ``MIN_COVERAGE`` of the län have a value.
2. **Imputation**: ``none`` uses only periods that contain the year; ``carry_forward``
   uses each län's latest period ending at or before the year (older data stands in).
3. **Normalisation** across the 21 län of that year: ``min_max`` (0 worst … 1 best),
   ``z_score`` (mean 0, sd 1) or ``rank`` (percentile rank 0 … 1). Riket (code 00) is
   normalised with the län's parameters, so it can be scored like a län.
4. **Aggregation**: a weighted mean of the available indicators within each dimension,
   then of the available dimensions. ``arithmetic`` lets strengths compensate weaknesses;
   ``geometric`` (on values rescaled to 1 … 100, COINr's convention) penalises imbalance.
   Weights are ``equal`` or ``dirichlet``: Dirichlet(``DIRICHLET_CONCENTRATION`` × 1), with
   concentration 1 every weighting of a dimension's indicators (and of the dimensions) is
   equally likely, so the perturbation is as wide as the weights can be (at ±25 % it
   explained under 1 % of the rank variance and said nothing).
5. **Indicator set** (data uncertainty, beside the method choices): ``all`` uses every
   indicator; ``resampled`` draws the indicators of each dimension with replacement
   (a bootstrap of the indicators within dimensions), so a rank that rests on one or two
   indicators moves.

The index is computed on observed values only (``analysis.results`` passes them): an
indicator enters a year when at least ``MIN_COVERAGE`` of the län have an observed value,
and a län is ranked only when it has a value for at least ``MIN_REGION_COVERAGE`` of the
indicators that entered (its ``coverage``); a län below gets a score but no rank.

The headline index uses ``DEFAULT_CHOICES`` (min–max, equal weights, arithmetic,
carry-forward, as the EU Regional Innovation Scoreboard). Its score relative to Riket's
score gives the performance group (``PERFORMANCE_GROUPS``: ≥ 125 %, 100–125 %, 70–100 %,
< 70 %). The Monte Carlo (``simulate_ranks``) draws every choice at random, uniformly over
its options, and reports each län's median rank and 5–95 % rank interval and the share of
draws in each performance group (``RankSimulation.group_probabilities``); the first-order
sensitivity of a choice is the share of the rank variance that its option alone explains
(Var(E[rank | choice]) / Var(rank), summed over län). ``one_at_a_time`` checks it by
changing one choice at a time from the defaults.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ecoreport.analysis.compare import (
    _get,
    _pick_period_rows,
    _region_codes,
    _subset,
    get_indicator,
    normalise_values,
    polarity_sign,
    rank_values,
    select_indicators,
)
from ecoreport.data.vocab import RIKET_CODE

logger = logging.getLogger(__name__)

CHOICES: dict[str, tuple[str, ...]] = {
    "normalisation": ("min_max", "z_score", "rank"),
    "weights": ("equal", "dirichlet"),
    "aggregation": ("arithmetic", "geometric"),
    "imputation": ("none", "carry_forward"),
    "indicator_set": ("all", "resampled"),
}
CHOICE_LABELS_SV: dict[str, str] = {
    "normalisation": "Normalisering",
    "weights": "Vikter",
    "aggregation": "Aggregering",
    "imputation": "Saknade värden",
    "indicator_set": "Urval av indikatorer",
}
OPTION_LABELS_SV: dict[str, str] = {
    "min_max": "min–max", "z_score": "z-poäng", "rank": "rangordning",
    "equal": "lika vikter", "dirichlet": "slumpade vikter (alla viktningar lika sannolika)",
    "arithmetic": "aritmetiskt medelvärde", "geometric": "geometriskt medelvärde",
    "none": "ingen ersättning", "carry_forward": "senast kända värde",
    "all": "alla indikatorer",
    "resampled": "indikatorerna dragna med återläggning inom varje dimension",
}
MIN_COVERAGE = 2 / 3      # share of län with a value for an indicator to enter a year
#: share of the year's index indicators a län needs a value for to be ranked
MIN_REGION_COVERAGE = 0.75
DIRICHLET_CONCENTRATION = 1.0
GEOMETRIC_RANGE = (1.0, 100.0)
N_DRAWS = 1000
SEED = 20261124
OAT_DIRICHLET_DRAWS = 100


@dataclass(frozen=True)
class IndexChoices:
    """One option per methodological choice."""

    normalisation: str = "min_max"
    weights: str = "equal"
    aggregation: str = "arithmetic"
    imputation: str = "carry_forward"
    indicator_set: str = "all"

    def __post_init__(self) -> None:
        for name, options in CHOICES.items():
            if getattr(self, name) not in options:
                raise ValueError(f"index choice {name}={getattr(self, name)!r}; "
                                 f"expected one of {', '.join(options)}")


DEFAULT_CHOICES = IndexChoices()


@dataclass(frozen=True)
class PerformanceGroup:
    id: str
    min_pct: float       # lower bound of the score in per cent of Riket's score
    label_sv: str
    label_en: str


PERFORMANCE_GROUPS: tuple[PerformanceGroup, ...] = (
    PerformanceGroup("leader", 125.0, "Innovationsledare", "Innovation leader"),
    PerformanceGroup("strong", 100.0, "Stark innovatör", "Strong innovator"),
    PerformanceGroup("moderate", 70.0, "Måttlig innovatör", "Moderate innovator"),
    PerformanceGroup("emerging", -np.inf, "Framväxande innovatör", "Emerging innovator"),
)
GROUPS_BY_ID = {g.id: g for g in PERFORMANCE_GROUPS}


def classify_group(pct_of_riket: float) -> str | None:
    """The performance group id of a score in per cent of Riket's (None when unknown)."""
    if pct_of_riket is None or not np.isfinite(pct_of_riket):
        return None
    return next(g.id for g in PERFORMANCE_GROUPS if pct_of_riket >= g.min_pct)


# -- input matrices ----------------------------------------------------------------------------

@dataclass
class IndexInput:
    """The indicator matrices of one year: län × indicator, polarity applied, per imputation."""

    year: int
    region_codes: list[str]
    dimension_ids: list[str]                    # dimensions with at least one indicator
    indicator_ids: dict[str, list[str]]         # per imputation: indicators that qualify
    matrices: dict[str, np.ndarray]             # per imputation: n_län × n_indicators
    riket: dict[str, np.ndarray]                # per imputation: n_indicators
    synthetic: dict[str, np.ndarray]            # per imputation: bool, n_län × n_indicators
    dimension_of: dict[str, str] = field(default_factory=dict)
    cache: dict = field(default_factory=dict, repr=False)


def index_indicator_ids(catalogue: object, indicator_ids: Iterable[str]) -> list[str]:
    """Register indicators with a polarity, not context series (the index's candidates)."""
    return [i for i in select_indicators(catalogue, indicator_ids)
            if polarity_sign(catalogue, i) != 0.0]


def prepare_normalised(values: pd.DataFrame, catalogue: object,
                       regions: Sequence[object]) -> pd.DataFrame:
    """The values the index uses, normalised and signed (``signed_value``: higher = better).

    Computed once and shared by all years (``prepare_index_input``)."""
    ids = index_indicator_ids(catalogue, values["indicator_id"].unique())
    codes = set(_region_codes(regions)) | {RIKET_CODE}
    frame = normalise_values(_subset(values[values["region_code"].isin(codes)], ids),
                             catalogue)
    frame = frame[frame["indicator_id"].isin(ids)
                  & np.isfinite(frame["value_normalised"].to_numpy(dtype=float))]
    sign = frame["indicator_id"].map(lambda i: polarity_sign(catalogue, i))
    return frame.assign(signed_value=frame["value_normalised"] * sign)


def prepare_index_input(normalised: pd.DataFrame, catalogue: object, regions: Sequence[object],
                        year: int) -> IndexInput:
    """The matrices of ``year`` from ``prepare_normalised``'s frame."""
    codes = _region_codes(regions)
    dims = [str(_get(d, "id")) for d in (getattr(catalogue, "dimensions", None) or [])]
    frame = normalised[normalised["period_end"] <= year]
    dimension_of = {i: str(_get(get_indicator(catalogue, i), "dimension"))
                    for i in frame["indicator_id"].unique()}
    matrices, riket, synthetic, chosen = {}, {}, {}, {}
    for imputation in CHOICES["imputation"]:
        rows = _pick_period_rows(frame, year, latest_before=imputation == "carry_forward")
        table = rows.pivot(index="region_code", columns="indicator_id", values="signed_value")
        status = rows.pivot(index="region_code", columns="indicator_id", values="status")
        lan = table.reindex(index=codes)
        coverage = lan.notna().mean(axis=0)
        ids = sorted((i for i in lan.columns if coverage[i] >= MIN_COVERAGE),
                     key=lambda i: (dims.index(dimension_of[i])
                                    if dimension_of[i] in dims else len(dims), i))
        chosen[imputation] = ids
        matrices[imputation] = lan.reindex(columns=ids).to_numpy(dtype=float)
        riket[imputation] = (table.reindex(index=[RIKET_CODE], columns=ids)
                             .to_numpy(dtype=float)[0])
        synthetic[imputation] = (status.reindex(index=codes, columns=ids)
                                 == "synthetic").to_numpy()
    used = {dimension_of[i] for ids in chosen.values() for i in ids}
    dimension_ids = [d for d in dims if d in used] + sorted(used - set(dims))
    return IndexInput(year=year, region_codes=codes, dimension_ids=dimension_ids,
                      indicator_ids=chosen, matrices=matrices, riket=riket,
                      synthetic=synthetic, dimension_of=dimension_of)


# -- normalisation and aggregation -----------------------------------------------------------

def normalise_matrix(matrix: np.ndarray, riket: np.ndarray,
                     method: str) -> tuple[np.ndarray, np.ndarray]:
    """Normalise each column across the län (rows); Riket with the same parameters."""
    with np.errstate(invalid="ignore", divide="ignore"), _quiet_nan_warnings():
        if method == "min_max":
            low, high = np.nanmin(matrix, axis=0), np.nanmax(matrix, axis=0)
            span = np.where(high > low, high - low, np.nan)
            out, out_r = (matrix - low) / span, (riket - low) / span
            flat = ~(high > low)
            out[:, flat] = np.where(np.isnan(matrix[:, flat]), np.nan, 0.5)
            out_r[flat] = 0.5
            return out, out_r
        if method == "z_score":
            mean, std = np.nanmean(matrix, axis=0), np.nanstd(matrix, axis=0)
            std = np.where(std > 0, std, np.nan)
            out, out_r = (matrix - mean) / std, (riket - mean) / std
            out = np.where(np.isnan(std) & ~np.isnan(matrix), 0.0, out)
            out_r = np.where(np.isnan(std), 0.0, out_r)
            return out, out_r
        if method == "rank":
            frame = pd.DataFrame(matrix)
            n = frame.notna().sum(axis=0).to_numpy(dtype=float)
            ranks = frame.rank(axis=0, method="average").to_numpy(dtype=float)
            span = np.where(n > 1, n - 1, np.nan)
            out = np.where(n > 1, (ranks - 1) / span, 0.5)
            out = np.where(np.isnan(matrix), np.nan, out)
            below = np.nansum(matrix < riket, axis=0) + 0.5 * np.nansum(matrix == riket, axis=0)
            out_r = np.where(n > 1, (below - 0.5) / span, 0.5)
            out_r = np.where(np.isnan(riket), np.nan, np.clip(out_r, 0.0, 1.0))
            return out, out_r
    raise ValueError(f"unknown normalisation {method!r}; expected one of "
                     f"{', '.join(CHOICES['normalisation'])}")


@contextmanager
def _quiet_nan_warnings() -> Iterator[None]:
    """Silence numpy's 'All-NaN slice' / 'Mean of empty slice' warnings for empty columns."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        yield


def _to_positive(matrix: np.ndarray, riket: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rescale each column to GEOMETRIC_RANGE over the län (Riket clipped into it)."""
    low_t, high_t = GEOMETRIC_RANGE
    scaled, scaled_r = normalise_matrix(matrix, riket, "min_max")
    scaled_r = np.clip(scaled_r, 0.0, 1.0)
    return low_t + (high_t - low_t) * scaled, low_t + (high_t - low_t) * scaled_r


def _weighted_mean(x: np.ndarray, weights: np.ndarray, geometric: bool) -> np.ndarray:
    """Row-wise weighted mean over the non-missing columns (NaN when none)."""
    mask = np.isfinite(x)
    w = np.where(mask, weights[np.newaxis, :], 0.0)
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if geometric:
            logs = np.where(mask, np.log(np.where(mask, x, 1.0)), 0.0)
            return np.where(total > 0, np.exp((w * logs).sum(axis=1) / total), np.nan)
        return np.where(total > 0, (w * np.where(mask, x, 0.0)).sum(axis=1) / total, np.nan)


@dataclass
class Weights:
    indicator: np.ndarray   # per indicator (sums to 1 within each dimension)
    dimension: np.ndarray   # per dimension of IndexInput.dimension_ids


def resample_indicators(weights: Weights, dimension_index: np.ndarray,
                        rng: np.random.Generator) -> Weights:
    """The indicators of each dimension drawn with replacement: each indicator's weight is
    multiplied by how often it was drawn (0 leaves it out of this draw)."""
    counts = np.zeros(len(dimension_index))
    for d in np.unique(dimension_index):
        members = np.flatnonzero(dimension_index == d)
        picked = rng.choice(members, size=len(members), replace=True)
        counts += np.bincount(picked, minlength=len(dimension_index))
    return Weights(weights.indicator * counts, weights.dimension)


def draw_weights(dimension_index: np.ndarray, n_dimensions: int, how: str,
                 rng: np.random.Generator | None = None) -> Weights:
    """Equal weights, or Dirichlet-drawn ones around them."""
    n = len(dimension_index)
    if how == "equal":
        return Weights(np.ones(n), np.ones(n_dimensions))
    if how != "dirichlet":
        raise ValueError(f"unknown weights {how!r}; expected one of "
                         f"{', '.join(CHOICES['weights'])}")
    rng = rng or np.random.default_rng(SEED)
    indicator = np.ones(n)
    for d in range(n_dimensions):
        members = np.flatnonzero(dimension_index == d)
        if len(members) > 1:
            indicator[members] = rng.dirichlet(np.full(len(members), DIRICHLET_CONCENTRATION))
    dimension = rng.dirichlet(np.full(n_dimensions, DIRICHLET_CONCENTRATION)) * n_dimensions
    return Weights(indicator, dimension)


def _dimension_index(inp: IndexInput, imputation: str) -> np.ndarray:
    return np.array([inp.dimension_ids.index(inp.dimension_of[i])
                     for i in inp.indicator_ids[imputation]], dtype=int)


def _normalised_stack(inp: IndexInput, choices: IndexChoices) -> np.ndarray:
    """Normalised län rows with Riket as the last row (cached per input and choices)."""
    key = (choices.imputation, choices.normalisation, choices.aggregation)
    if key not in inp.cache:
        matrix, riket = inp.matrices[choices.imputation], inp.riket[choices.imputation]
        z, z_r = normalise_matrix(matrix, riket, choices.normalisation)
        if choices.aggregation == "geometric":
            z, z_r = _to_positive(z, z_r)
        inp.cache[key] = np.vstack([z, z_r[np.newaxis, :]])
    return inp.cache[key]


def aggregate(inp: IndexInput, choices: IndexChoices, weights: Weights | None = None,
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Composite scores under ``choices``.

    Returns (overall per län, overall of Riket, dimension scores n_län × n_dim, Riket's
    dimension scores)."""
    dim_index = _dimension_index(inp, choices.imputation)
    n_dims = len(inp.dimension_ids)
    if weights is None:
        weights = draw_weights(dim_index, n_dims, "equal")
    geometric = choices.aggregation == "geometric"
    both = _normalised_stack(inp, choices)
    dims = np.full((both.shape[0], n_dims), np.nan)
    for d in range(n_dims):
        members = np.flatnonzero(dim_index == d)
        if len(members):
            dims[:, d] = _weighted_mean(both[:, members], weights.indicator[members], geometric)
    overall = _weighted_mean(dims, weights.dimension, geometric)
    return overall[:-1], overall[-1], dims[:-1], dims[-1]


def rank_scores(scores: np.ndarray) -> np.ndarray:
    """Rank 1 = highest score (ties share the best rank); NaN stays NaN."""
    return rank_values(pd.Series(scores)).to_numpy(dtype=float)


# -- the headline index ----------------------------------------------------------------------

def compute_index(inp: IndexInput, choices: IndexChoices = DEFAULT_CHOICES) -> pd.DataFrame:
    """One row per län (and Riket): score, rank, per cent of Riket, group, coverage."""
    overall, overall_r, _, _ = aggregate(inp, choices)
    matrix = inp.matrices[choices.imputation]
    n_ind = np.isfinite(matrix).sum(axis=1)
    synthetic = inp.synthetic[choices.imputation] & np.isfinite(matrix)
    coverage = region_coverage(inp, choices.imputation)
    with np.errstate(invalid="ignore", divide="ignore"):
        share_synthetic = np.where(n_ind > 0, synthetic.sum(axis=1) / n_ind, np.nan)
        pct = 100.0 * overall / overall_r if overall_r and np.isfinite(overall_r) else (
            np.full(len(overall), np.nan))
    ranked = np.where(coverage >= MIN_REGION_COVERAGE, overall, np.nan)
    out = pd.DataFrame({
        "year": inp.year, "region_code": inp.region_codes, "score": overall,
        "rank": rank_scores(ranked), "pct_of_riket": pct,
        "n_indicators": n_ind.astype(int), "coverage": coverage,
        "share_synthetic": share_synthetic,
    })
    out["group"] = out["pct_of_riket"].map(classify_group)
    riket = pd.DataFrame({"year": [inp.year], "region_code": [RIKET_CODE],
                          "score": [overall_r], "rank": [np.nan], "pct_of_riket": [100.0],
                          "n_indicators": [int(np.isfinite(inp.riket[choices.imputation]).sum())],
                          "coverage": [np.nan], "share_synthetic": [np.nan], "group": [None]})
    out = pd.concat([out, riket], ignore_index=True)
    out["rank"] = out["rank"].astype("Int64")
    out["n_ranked"] = int(np.isfinite(ranked).sum())
    out["n_index_indicators"] = len(inp.indicator_ids[choices.imputation])
    return out


def region_coverage(inp: IndexInput, imputation: str) -> np.ndarray:
    """Per län: share of the year's index indicators it has a value for (0–1)."""
    matrix = inp.matrices[imputation]
    if matrix.shape[1] == 0:
        return np.zeros(matrix.shape[0])
    return np.isfinite(matrix).sum(axis=1) / matrix.shape[1]


def compute_dimension_scores(inp: IndexInput,
                             choices: IndexChoices = DEFAULT_CHOICES) -> pd.DataFrame:
    """Long frame: one row per län (and Riket) × dimension, with the rank among län."""
    _, _, dims, dims_r = aggregate(inp, choices)
    frame = pd.DataFrame(dims, index=inp.region_codes, columns=inp.dimension_ids)
    rankable = region_coverage(inp, choices.imputation) >= MIN_REGION_COVERAGE
    ranks = frame[rankable].rank(axis=0, ascending=False, method="min").reindex(frame.index)
    frame.loc[RIKET_CODE] = dims_r
    long = frame.rename_axis("region_code").reset_index().melt(
        id_vars="region_code", var_name="dimension", value_name="score")
    long["rank"] = [ranks.at[r, d] if r in ranks.index else np.nan
                    for r, d in zip(long["region_code"], long["dimension"])]
    riket_scores = long[long["region_code"] == RIKET_CODE].set_index("dimension")["score"]
    with np.errstate(invalid="ignore", divide="ignore"):
        long["pct_of_riket"] = 100.0 * long["score"] / long["dimension"].map(riket_scores)
    long["rank"] = long["rank"].astype("Int64")
    long["year"] = inp.year
    return long


def compute_index_series(values: pd.DataFrame, catalogue: object, regions: Sequence[object],
                         years: Iterable[int],
                         choices: IndexChoices = DEFAULT_CHOICES) -> pd.DataFrame:
    """The headline index for every year in ``years`` (rows of ``compute_index``)."""
    normalised = prepare_normalised(values, catalogue, regions)
    frames = [compute_index(prepare_index_input(normalised, catalogue, regions, y), choices)
              for y in years]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# -- uncertainty -----------------------------------------------------------------------------

@dataclass
class RankSimulation:
    """The Monte Carlo: one row of ``draws`` (the choices) per row of ``ranks`` (per län)."""

    region_codes: list[str]
    draws: pd.DataFrame
    ranks: np.ndarray          # n_draws × n_län
    groups: np.ndarray | None = None   # n_draws × n_län performance group ids (or None)

    def group_probabilities(self) -> pd.DataFrame:
        """Per län: the share of the draws (0–1) in which it falls in each performance
        group (columns are the group ids of ``PERFORMANCE_GROUPS``), among the draws on a
        scale where a share of Riket's score means something (``ratio_scale``)."""
        out = pd.DataFrame({"region_code": self.region_codes})
        valid = (None if self.groups is None
                 else np.array([[g is not None for g in row] for row in self.groups]))
        for group in PERFORMANCE_GROUPS:
            if valid is None:
                out[group.id] = np.nan
                continue
            with np.errstate(invalid="ignore", divide="ignore"):
                out[group.id] = ((self.groups == group.id).sum(axis=0)
                                 / valid.sum(axis=0))
        return out

    def summary(self) -> pd.DataFrame:
        """Per län: median rank, 5 % and 95 % quantiles of the rank, and the interval width."""
        ranks = self.ranks
        with _quiet_nan_warnings():  # a län below the coverage has no rank in any draw
            out = pd.DataFrame({
                "region_code": self.region_codes,
                "rank_median": np.nanmedian(ranks, axis=0),
                "rank_p05": np.nanquantile(ranks, 0.05, axis=0, method="inverted_cdf"),
                "rank_p95": np.nanquantile(ranks, 0.95, axis=0, method="inverted_cdf"),
            })
        out["interval_width"] = out["rank_p95"] - out["rank_p05"]
        return out

    def sensitivity(self) -> pd.DataFrame:
        """First-order sensitivity of the ranks to each choice, largest first (län without
        a rank in any draw are left out)."""
        ranks = self.ranks
        ranks = ranks[:, np.isfinite(ranks).any(axis=0)]
        total = np.nanvar(ranks, axis=0).sum()
        rows = []
        for choice in self.draws.columns:
            levels = self.draws[choice].to_numpy()
            explained = np.zeros(ranks.shape[1])
            grand = np.nanmean(ranks, axis=0)
            for level in np.unique(levels):
                hit = levels == level
                explained += hit.mean() * (np.nanmean(ranks[hit], axis=0) - grand) ** 2
            rows.append({"choice": choice, "label_sv": CHOICE_LABELS_SV[choice],
                         "first_order": float(explained.sum() / total) if total > 0 else 0.0})
        out = pd.DataFrame(rows).sort_values("first_order", ascending=False, kind="stable")
        return out.reset_index(drop=True)


def ratio_scale(choices: IndexChoices) -> bool:
    """Whether scores under ``choices`` have a true zero, so a share of Riket's score (the
    performance group) means something: not z-scores aggregated arithmetically."""
    return not (choices.normalisation == "z_score" and choices.aggregation == "arithmetic")


def usable_choices(inp: IndexInput) -> dict[str, tuple[str, ...]]:
    """The options the Monte Carlo draws from: all of ``CHOICES`` except an imputation that
    leaves no indicator in the year (with observed values only, ``none`` when no indicator
    has a value for the report year itself)."""
    options = dict(CHOICES)
    kept = tuple(o for o in CHOICES["imputation"] if inp.indicator_ids.get(o))
    options["imputation"] = kept or CHOICES["imputation"]
    return options


def simulate_ranks(inp: IndexInput, n_draws: int = N_DRAWS, seed: int = SEED,
                   choices: dict[str, tuple[str, ...]] | None = None) -> RankSimulation:
    """Draw every choice uniformly at random ``n_draws`` times; rank the län each time."""
    options = choices or usable_choices(inp)
    rng = np.random.default_rng(seed)
    draws = pd.DataFrame({name: rng.choice(np.array(opts), size=n_draws)
                          for name, opts in options.items()})
    scores = np.full((n_draws, len(inp.region_codes)), np.nan)
    groups = np.full((n_draws, len(inp.region_codes)), None, dtype=object)
    n_dims = len(inp.dimension_ids)
    dim_index = {imp: _dimension_index(inp, imp) for imp in CHOICES["imputation"]}
    rankable = {imp: region_coverage(inp, imp) >= MIN_REGION_COVERAGE
                for imp in CHOICES["imputation"]}
    for k, row in enumerate(draws.itertuples(index=False)):
        chosen = IndexChoices(**row._asdict())
        weights = draw_weights(dim_index[chosen.imputation], n_dims, chosen.weights, rng)
        if chosen.indicator_set == "resampled":
            weights = resample_indicators(weights, dim_index[chosen.imputation], rng)
        overall, overall_r = aggregate(inp, chosen, weights)[:2]
        scores[k] = np.where(rankable[chosen.imputation], overall, np.nan)
        # a share of Riket's score needs a scale with a true zero: z-scores (centred on the
        # län mean) have none unless aggregated geometrically (rescaled to 1–100)
        if ratio_scale(chosen) and np.isfinite(overall_r) and overall_r > 0:
            with np.errstate(invalid="ignore", divide="ignore"):
                pct = 100.0 * overall / overall_r
            groups[k] = [classify_group(x) for x in pct]
    ranks = pd.DataFrame(scores).rank(axis=1, ascending=False, method="min").to_numpy()
    return RankSimulation(region_codes=list(inp.region_codes), draws=draws, ranks=ranks,
                          groups=groups)


def one_at_a_time(inp: IndexInput, base: IndexChoices = DEFAULT_CHOICES,
                  seed: int = SEED, dirichlet_draws: int = OAT_DIRICHLET_DRAWS) -> pd.DataFrame:
    """Mean absolute change of the expected rank (over län and alternative options) when
    one choice changes from ``base``.

    Like the first-order index, it measures how far a choice moves the ranks *on average*:
    Dirichlet weights are random, so ranks are averaged over ``dirichlet_draws`` first."""
    rng = np.random.default_rng(seed)
    base_ranks = rank_scores(aggregate(inp, base)[0])
    rows = []
    for choice, options in usable_choices(inp).items():
        shifts = [0.0] if len(options) == 1 else []
        for option in options:
            if option == getattr(base, choice):
                continue
            changed = replace(base, **{choice: option})
            dim_index = _dimension_index(inp, changed.imputation)
            random = changed.weights == "dirichlet" or changed.indicator_set == "resampled"
            n_rep = dirichlet_draws if random else 1

            def weights_of(changed=changed, dim_index=dim_index):
                weights = draw_weights(dim_index, len(inp.dimension_ids), changed.weights, rng)
                if changed.indicator_set == "resampled":
                    weights = resample_indicators(weights, dim_index, rng)
                return weights
            ranks = np.nanmean([rank_scores(aggregate(inp, changed, weights_of())[0])
                                for _ in range(n_rep)], axis=0)
            shifts.append(np.nanmean(np.abs(ranks - base_ranks)))
        rows.append({"choice": choice, "label_sv": CHOICE_LABELS_SV[choice],
                     "mean_abs_rank_change": float(np.mean(shifts))})
    out = pd.DataFrame(rows).sort_values("mean_abs_rank_change", ascending=False,
                                         kind="stable")
    return out.reset_index(drop=True)


# -- everything a report needs -----------------------------------------------------------------

@dataclass
class IndexResult:
    """The index of one year for all län, its history, uncertainty and sensitivity."""

    year: int
    scores: pd.DataFrame              # compute_index rows for every year (default choices)
    dimensions: pd.DataFrame          # compute_dimension_scores of the report year
    uncertainty: pd.DataFrame         # RankSimulation.summary of the report year
    sensitivity: pd.DataFrame         # first order, with the one-at-a-time check beside it
    indicator_ids: list[str]          # indicators behind the headline index
    observed: pd.DataFrame | None     # observed-only index (None: no synthetic values)
    observed_indicator_ids: list[str] = field(default_factory=list)
    n_draws: int = N_DRAWS
    seed: int = SEED
    #: RankSimulation.group_probabilities of the report year (one column per group id)
    group_probabilities: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the options the Monte Carlo drew from (``usable_choices``)
    drawn_choices: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(CHOICES))

    def region_row(self, region_code: str) -> dict:
        """Score, rank, interval and group of one län in the report year."""
        scores = self.scores[(self.scores["year"] == self.year)
                             & (self.scores["region_code"] == region_code)]
        unc = self.uncertainty[self.uncertainty["region_code"] == region_code]
        if scores.empty or unc.empty:
            return {}
        s, u = scores.iloc[0], unc.iloc[0]
        return {"score": float(s["score"]), "rank": _int_or_none(s["rank"]),
                "rank_median": float(u["rank_median"]),
                "rank_p05": _int_or_none(u["rank_p05"]), "rank_p95": _int_or_none(u["rank_p95"]),
                "pct_of_riket": float(s["pct_of_riket"]), "group": s["group"],
                "group_probabilities": self.region_group_probabilities(region_code),
                "n_ranked": int(s["n_ranked"]), "coverage": float(s["coverage"]),
                "n_indicators": int(s["n_indicators"]),
                "n_index_indicators": int(s["n_index_indicators"]),
                "share_synthetic": float(s["share_synthetic"])}

    def region_group_probabilities(self, region_code: str) -> dict[str, float]:
        """{group id: share of the Monte Carlo draws} of one län ({} when unknown)."""
        table = self.group_probabilities
        if table.empty or region_code not in set(table["region_code"]):
            return {}
        row = table[table["region_code"] == region_code].iloc[0]
        return {g.id: float(row[g.id]) for g in PERFORMANCE_GROUPS if pd.notna(row[g.id])}


def _int_or_none(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def compute_index_result(values: pd.DataFrame, catalogue: object, regions: Sequence[object],
                         year: int, *, first_year: int | None = None,
                         n_draws: int = N_DRAWS, seed: int = SEED) -> IndexResult:
    """The index for ``year`` (with Monte Carlo) and its default-choice history. Pass the
    observed values (``compare.observed_values``): every number of the index is a number
    of the text; ``observed`` is then None."""
    normalised = prepare_normalised(values, catalogue, regions)
    if first_year is None:
        first_year = int(normalised["period_end"].min()) if len(normalised) else year
    inputs = {y: prepare_index_input(normalised, catalogue, regions, y)
              for y in range(first_year, year + 1)}
    scores = pd.concat([compute_index(inp) for inp in inputs.values()], ignore_index=True)
    scores = scores[scores["n_ranked"] > 1].reset_index(drop=True)
    inp = inputs[year]
    simulation = simulate_ranks(inp, n_draws=n_draws, seed=seed)
    sensitivity = simulation.sensitivity().merge(
        one_at_a_time(inp, seed=seed)[["choice", "mean_abs_rank_change"]], on="choice")
    observed = None
    observed_ids: list[str] = []
    if (values["status"] == "synthetic").any():
        obs_values = values[values["status"] == "observed"]
        obs_input = prepare_index_input(prepare_normalised(obs_values, catalogue, regions),
                                        catalogue, regions, year)
        observed_ids = obs_input.indicator_ids[DEFAULT_CHOICES.imputation]
        if observed_ids:
            observed = compute_index(obs_input)
    return IndexResult(year=year, scores=scores, dimensions=compute_dimension_scores(inp),
                       uncertainty=simulation.summary(), sensitivity=sensitivity,
                       indicator_ids=inp.indicator_ids[DEFAULT_CHOICES.imputation],
                       observed=observed, observed_indicator_ids=observed_ids,
                       n_draws=n_draws, seed=seed,
                       group_probabilities=simulation.group_probabilities(),
                       drawn_choices=usable_choices(inp))


PROFILE_COLUMNS = ["dimension", "name_sv", "order", "score", "median", "rank", "n_regions",
                   "n_indicators", "share_synthetic", "profile"]


def dimension_profile_from_index(index: IndexResult | None, catalogue: object,
                                 region_code: str) -> pd.DataFrame:
    """The län's score and rank per METRIC dimension: the index's dimension scores of the
    report year (the one definition of a dimension's rank, used by the start page, the
    index chapter and the English page). ``profile`` is "strength" in the top third of
    the ranked län, "weakness" in the bottom third, "middle" between, and "no_data" for a
    dimension without an index indicator (or a län not ranked)."""
    dims = [d for d in (getattr(catalogue, "dimensions", None) or [])
            if _get(d, "metric", True)]
    rows = []
    table = index.dimensions if index is not None else pd.DataFrame(
        columns=["region_code", "dimension", "score", "rank"])
    lan = table[table["region_code"] != RIKET_CODE]
    ids = index.indicator_ids if index is not None else []
    for d in dims:
        dim_id = str(_get(d, "id"))
        part = lan[lan["dimension"] == dim_id]
        own = part[part["region_code"] == region_code]
        ranked = part[part["rank"].notna()]
        score = float(own["score"].iloc[0]) if len(own) else np.nan
        rank = own["rank"].iloc[0] if len(own) else pd.NA
        members = [i for i in ids if str(_get(get_indicator(catalogue, i), "dimension")) == dim_id]
        rows.append({"dimension": dim_id, "name_sv": _get(d, "name_sv", dim_id),
                     "order": _get(d, "order", np.nan), "score": score,
                     "median": float(part["score"].median()) if len(part) else np.nan,
                     "rank": rank, "n_regions": int(len(ranked)),
                     "n_indicators": len(members), "share_synthetic": 0.0})
    out = pd.DataFrame(rows, columns=PROFILE_COLUMNS[:-1])
    out["rank"] = pd.array(out["rank"], dtype="Int64")
    n = out["n_regions"].astype(float)
    rank = out["rank"].astype(float)
    out["profile"] = np.select([rank <= n / 3, rank > n - n / 3], ["strength", "weakness"],
                               default="middle")
    out.loc[out["rank"].isna() | out["score"].isna(), "profile"] = "no_data"
    return out[PROFILE_COLUMNS].sort_values(["order", "dimension"]).reset_index(drop=True)
