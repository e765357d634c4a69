"""Principal component analysis of indicators (model report chapter 3, Figur 5–6).

Method, fixed so that the report is reproducible:

* Variables are register indicators (not the context series, ``metric: false``), normalised
  per the catalogue (``compare.normalise_values``). Only annual periods enter: indicators
  published for multi-year periods only are left out (listed in ``dropped``), because
  expanding one value over four years would invent within-period variation.
* Observations are years (``fit_region_pca``) or län × year (``fit_pooled_pca``). Years
  with data for fewer than half of the candidate indicators are left out, then indicators
  observed in fewer than ``min_coverage`` of the remaining observations, then constant ones.
  Remaining gaps are filled by linear interpolation within a series, at the ends by the
  nearest value of the same series (the share filled is reported as ``imputed_share``).
* Each variable is standardised (z-score, ddof=1); the fit is an SVD of that matrix.
  ``loadings`` are variable–component correlations, so ``cos2 = loading**2``.
* Variables with cos² on PC1+PC2 below ``min_cos2`` are dropped and the PCA is refitted
  once (if fewer than three pass, the three best represented are kept).
* Sign rule (independent of solver, indicator order and region order): PC1 is flipped if
  mean(research-axis loadings) − mean(market-axis loadings) > 0, so research lies left and
  market right; with only one group present its mean is oriented (research negative,
  market positive). With neither group, or a zero difference, the variable with the
  largest |loading| is made positive (ties: first indicator id). PC2 and later: the mean
  loading is made positive, falling back to the same largest-|loading| rule.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ecoreport.analysis.compare import POLARITY_SIGN, _get, get_indicator, normalise_values
from ecoreport.data.catalogue import is_context_indicator
from ecoreport.data.vocab import RIKET_CODE
from ecoreport.errors import PcaInputError

logger = logging.getLogger(__name__)

MIN_YEAR_COVERAGE = 0.5
DEFAULT_MIN_COVERAGE = 0.75
DEFAULT_MIN_COS2 = 0.3
MIN_KEPT_VARIABLES = 3
_EPS = 1e-9


@dataclass
class PcaResult:
    """A fitted PCA. Frames are indexed by indicator id or hold one row per observation.

    ``scores`` has columns region_code, year, PC1, PC2, …, share_synthetic and
    share_imputed (of the kept variables' cells in that observation); ``loadings`` and
    ``components`` are variables × components; ``screening`` is the first fit's cos²
    table for every candidate variable; ``indices`` holds the research and market index
    per observation.
    """

    explained_variance_ratio: pd.Series
    loadings: pd.DataFrame
    components: pd.DataFrame
    scores: pd.DataFrame
    screening: pd.DataFrame
    variables: pd.DataFrame
    dropped: dict[str, str]
    indices: pd.DataFrame
    research_market_corr: float
    matrix: pd.DataFrame
    min_cos2: float
    imputed_share: float
    reliability_message: str | None
    observation_label: str = "år"
    #: explained variance ratio of the first fit, before the cos² screen and refit
    explained_variance_before_screening: pd.Series | None = None
    axis_masks: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def n_observations(self) -> int:
        return int(self.matrix.shape[0])

    @property
    def n_variables(self) -> int:
        return int(self.matrix.shape[1])

    @property
    def kept_variables(self) -> list[str]:
        return list(self.loadings.index)

    @property
    def cos2(self) -> pd.DataFrame:
        """cos² of the final fit per kept variable: PC1, PC2 and their sum ``PC1+PC2``."""
        squared = self.loadings[["PC1", "PC2"]] ** 2 if "PC2" in self.loadings else \
            self.loadings[["PC1"]].assign(PC2=0.0) ** 2
        return squared.assign(**{"PC1+PC2": squared.sum(axis=1)})

    @property
    def research_index(self) -> pd.Series:
        return self.indices["research_index"]

    @property
    def market_index(self) -> pd.Series:
        return self.indices["market_index"]

    def positions(self, year: int) -> pd.DataFrame:
        """Scores of all observations in ``year`` (pooled PCA: one row per län)."""
        return self.scores[self.scores["year"] == year].reset_index(drop=True)

    def trajectory(self, region_code: str) -> pd.DataFrame:
        """Scores of one region over the years, in year order."""
        rows = self.scores[self.scores["region_code"] == region_code]
        return rows.sort_values("year").reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate variable: loadings, cos² (final and screening), kept or why not."""
        table = self.variables.copy()
        final = self.loadings[[c for c in ("PC1", "PC2") if c in self.loadings]]
        final = final.rename(columns=lambda c: f"loading_{c.lower()}")
        table = table.join(final, how="left").join(
            self.cos2.rename(columns={"PC1": "cos2_pc1", "PC2": "cos2_pc2",
                                      "PC1+PC2": "cos2_pc12"}), how="left")
        table = table.join(self.screening[["cos2_pc12"]].rename(
            columns={"cos2_pc12": "screening_cos2_pc12"}), how="left")
        table["is_kept"] = table.index.isin(self.loadings.index)
        table["drop_reason"] = [self.dropped.get(i, "") for i in table.index]
        return table.reset_index()

    def tables(self) -> dict[str, pd.DataFrame]:
        """All result tables, ready for CSV download."""
        evr = self.explained_variance_ratio.rename("explained_variance_ratio")
        return {
            "variables": self.to_frame(),
            "explained_variance": evr.rename_axis("component").reset_index(),
            "scores": self.scores,
            "indices": self.indices.reset_index(),
        }


@dataclass
class BootstrapResult:
    """Stability of a PCA under resampled observations.

    ``sign_stability`` is the share of resamples whose PC1 loadings (oriented by the
    sign rule) correlate positively with the full fit's; ``loadings`` has per variable
    the full-fit loading and 2.5/97.5 % percentiles for PC1 and PC2 and
    ``is_uncertain_pc1``/``_pc2`` where the interval contains 0.
    """

    n_boot: int
    seed: int
    sign_stability: float
    sign_stability_pc2: float
    loadings: pd.DataFrame
    explained_variance: pd.DataFrame
    reliability_message: str | None

    def to_frame(self) -> pd.DataFrame:
        """The per-variable interval table with the indicator id as a column."""
        return self.loadings.reset_index()


# ---------------------------------------------------------------- matrix construction

def _axis_masks(catalogue: object, ids: Sequence[str]) -> dict[str, np.ndarray]:
    axes = [_get(get_indicator(catalogue, i), "axis") for i in ids]
    return {"research": np.array([a == "research" for a in axes], dtype=bool),
            "market": np.array([a == "market" for a in axes], dtype=bool)}


def _candidate_frame(values: pd.DataFrame, catalogue: object,
                     region_codes: Sequence[str], years: Iterable[int] | None,
                     until_year: int | None) -> tuple[pd.DataFrame, dict[str, str]]:
    """Annual normalised register values of the regions, and candidates left out."""
    frame = values[values["region_code"].isin(list(region_codes))]
    if until_year is not None:
        frame = frame[frame["period_end"] <= until_year]
    if years is not None:
        frame = frame[frame["period_start"].isin(list(years))
                      | (frame["period_start"] != frame["period_end"])]
    dropped: dict[str, str] = {}
    keep_ids = []
    for indicator_id in sorted(frame["indicator_id"].unique()):
        meta = get_indicator(catalogue, indicator_id)
        if meta is None or _get(meta, "kind", "register") != "register":
            continue
        if is_context_indicator(catalogue, indicator_id):
            continue
        keep_ids.append(indicator_id)
    normalised = normalise_values(frame, catalogue)
    normalised = normalised[normalised["indicator_id"].isin(keep_ids)]
    annual = normalised[normalised["period_start"] == normalised["period_end"]]
    annual_ids = set(annual["indicator_id"].unique())
    for indicator_id in keep_ids:
        if indicator_id not in annual_ids:
            dropped[indicator_id] = "multi_year_periods"
    annual = annual[np.isfinite(annual["value_normalised"].to_numpy(dtype=float))]
    return annual, dropped


def _fill_gaps(wide: pd.DataFrame) -> pd.DataFrame:
    """Interpolate inside each region's series, then nearest value at the ends."""
    parts = []
    for _, block in wide.groupby(level="region_code", sort=False):
        block = block.interpolate(axis=0, limit_area="inside").ffill().bfill()
        parts.append(block)
    filled = pd.concat(parts) if parts else wide
    # A region without a single value of a variable gets the pooled mean (z-score 0).
    return filled.fillna(filled.mean())


def build_matrix(annual: pd.DataFrame, *, min_coverage: float,
                 dropped: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Observations (region_code, year) × indicators, filtered and gap-filled.

    Also returns two boolean frames of the same shape: which cells are synthetic and
    which were filled in (gaps), so positions built on them can be marked.
    """
    wide = annual.pivot_table(index=["region_code", "period_start"], columns="indicator_id",
                              values="value_normalised", aggfunc="mean")
    wide = wide.rename_axis(index=["region_code", "year"], columns=None)
    wide = wide.sort_index().sort_index(axis=1)
    if wide.empty:
        return wide, wide.astype(bool), wide.astype(bool)
    year_cover = wide.notna().mean(axis=1)
    wide = wide[year_cover >= MIN_YEAR_COVERAGE]
    col_cover = wide.notna().mean(axis=0)
    for indicator_id in col_cover.index[col_cover < min_coverage]:
        dropped[indicator_id] = "low_coverage"
    wide = wide.loc[:, col_cover >= min_coverage]
    imputed = wide.isna()
    filled = _fill_gaps(wide)
    tolerance = _EPS * (filled.abs().max() + 1)
    is_varying = filled.std(axis=0, ddof=1) > tolerance
    for indicator_id in is_varying.index[~is_varying]:
        dropped[indicator_id] = "constant"
    filled = filled.loc[:, is_varying]
    synthetic = annual.assign(is_synthetic=annual["status"] == "synthetic").pivot_table(
        index=["region_code", "period_start"], columns="indicator_id", values="is_synthetic",
        aggfunc="any").rename_axis(index=["region_code", "year"], columns=None)
    synthetic = synthetic.reindex(index=filled.index, columns=filled.columns)
    synthetic = synthetic.fillna(False).astype(bool)
    return filled, synthetic, imputed.loc[:, filled.columns]


# ---------------------------------------------------------------- fitting

def standardise(matrix: np.ndarray) -> np.ndarray:
    """Column z-scores with ddof=1; constant columns become 0. Works on (..., n, p)."""
    mean = matrix.mean(axis=-2, keepdims=True)
    std = matrix.std(axis=-2, ddof=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (matrix - mean) / std
    return np.where(std > _EPS, z, 0.0)


def orientation_signs(loadings: np.ndarray, research: np.ndarray,
                      market: np.ndarray) -> np.ndarray:
    """±1 per component by the module's sign rule; ``loadings`` is (..., p, k)."""
    rounded = np.round(np.abs(loadings), 9)
    top = np.take_along_axis(loadings, np.argmax(rounded, axis=-2)[..., None, :], axis=-2)
    fallback = np.where(top[..., 0, :] < 0, -1.0, 1.0)
    mean_all = loadings.mean(axis=-2)
    signs = np.where(mean_all > _EPS, 1.0, np.where(mean_all < -_EPS, -1.0, fallback))
    first = loadings[..., 0]
    has_research, has_market = bool(research.any()), bool(market.any())
    if has_research or has_market:
        diff = np.zeros(first.shape[:-1])
        if has_research:
            diff = diff + first[..., research].mean(axis=-1)
        if has_market:
            diff = diff - first[..., market].mean(axis=-1)
        signs[..., 0] = np.where(diff > _EPS, -1.0,
                                 np.where(diff < -_EPS, 1.0, fallback[..., 0]))
    else:
        signs[..., 0] = fallback[..., 0]
    return signs


def _svd_fit(z: np.ndarray, research: np.ndarray, market: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Explained variance ratio, loadings (p×k), eigenvectors (p×k), scores (n×k), oriented."""
    n = z.shape[0]
    u, s, vt = np.linalg.svd(z, full_matrices=False)
    k = max(1, min(n - 1, z.shape[1]))
    u, s, vt = u[:, :k], s[:k], vt[:k]
    total = float((z ** 2).sum())
    evr = s ** 2 / total if total > 0 else np.zeros_like(s)
    vectors = vt.T
    loadings = vectors * s / np.sqrt(n - 1)
    signs = orientation_signs(loadings, research, market)
    return evr, loadings * signs, vectors * signs, u * s * signs


def _pc_names(k: int) -> list[str]:
    return [f"PC{j + 1}" for j in range(k)]


def _cos2_table(loadings: np.ndarray, ids: Sequence[str]) -> pd.DataFrame:
    squared = loadings[:, :2] ** 2
    if squared.shape[1] == 1:
        squared = np.column_stack([squared, np.zeros(len(ids))])
    table = pd.DataFrame(squared, index=pd.Index(ids, name="indicator_id"),
                         columns=["cos2_pc1", "cos2_pc2"])
    table["cos2_pc12"] = table["cos2_pc1"] + table["cos2_pc2"]
    return table


def compose_reliability_message(n_obs: int, n_vars: int, observation_label: str) -> str | None:
    """Swedish caveat when there are fewer than two observations per variable, else None."""
    if n_obs >= 2 * n_vars:
        return None
    return (f"Analysen bygger på {n_obs} {observation_label} och {n_vars} indikatorer; det är "
            f"för få observationer för en säker PCA (tumregeln är minst {2 * n_vars}, två per "
            "indikator). Mönstren ska därför läsas som indikationer, inte som säkra samband.")


def _fit(matrix: pd.DataFrame, catalogue: object, *, min_cos2: float,
         dropped: dict[str, str], observation_label: str, context: str,
         synthetic: pd.DataFrame, imputed: pd.DataFrame) -> PcaResult:
    """Screen by cos², refit, orient and assemble the result."""
    n, p = matrix.shape
    if n < 3 or p < 2:
        raise PcaInputError(
            f"{context}: too little data for a PCA after filtering: {n} observation(s) and "
            f"{p} indicator(s) (expected at least 3 and 2); dropped: "
            f"{dict(list(dropped.items())[:10])}")
    ids = list(matrix.columns)
    raw = matrix.to_numpy(dtype=float)
    masks = _axis_masks(catalogue, ids)
    first_evr, first_loadings, _, _ = _svd_fit(standardise(raw), masks["research"],
                                               masks["market"])
    screening = _cos2_table(first_loadings, ids)
    keep = screening["cos2_pc12"] >= min_cos2
    if keep.sum() < MIN_KEPT_VARIABLES:
        best = screening["cos2_pc12"].sort_values(ascending=False, kind="stable")
        keep = screening.index.isin(best.index[:MIN_KEPT_VARIABLES])
        logger.warning("%s: fewer than %d variables reach cos2 >= %s; keeping the %d best",
                       context, MIN_KEPT_VARIABLES, min_cos2, int(keep.sum()))
    for indicator_id in screening.index[~np.asarray(keep)]:
        dropped[indicator_id] = "low_cos2"
    kept = [i for i, k in zip(ids, np.asarray(keep)) if k]
    final = matrix[kept]
    masks = _axis_masks(catalogue, kept)
    z = standardise(final.to_numpy(dtype=float))
    evr, loadings, vectors, scores = _svd_fit(z, masks["research"], masks["market"])
    names = _pc_names(len(evr))
    variable_index = pd.Index(kept, name="indicator_id")
    score_frame = pd.DataFrame(scores, columns=names, index=final.index).reset_index()
    score_frame["year"] = score_frame["year"].astype(int)
    score_frame["share_synthetic"] = synthetic[kept].mean(axis=1).to_numpy(dtype=float)
    score_frame["share_imputed"] = imputed[kept].mean(axis=1).to_numpy(dtype=float)

    signs = np.array([POLARITY_SIGN.get(str(_get(get_indicator(catalogue, i), "polarity")),
                                        1.0) or 1.0 for i in kept])
    adjusted = z * signs
    indices = pd.DataFrame(index=final.index)
    for axis in ("research", "market"):
        mask = masks[axis]
        indices[f"{axis}_index"] = adjusted[:, mask].mean(axis=1) if mask.any() else np.nan
    corr = _pearson(indices["research_index"].to_numpy(), indices["market_index"].to_numpy())

    all_ids = sorted(set(ids) | set(dropped))
    variables = pd.DataFrame({
        "dimension": [_get(get_indicator(catalogue, i), "dimension") for i in all_ids],
        "axis": [_get(get_indicator(catalogue, i), "axis") for i in all_ids],
        "polarity": [_get(get_indicator(catalogue, i), "polarity") for i in all_ids],
    }, index=pd.Index(all_ids, name="indicator_id"))
    message = compose_reliability_message(n, len(kept), observation_label)
    logger.info("%s: PCA on %d observations × %d indicators (screened from %d), PC1 %.0f %%",
                context, n, len(kept), p, 100 * evr[0])
    return PcaResult(
        explained_variance_ratio=pd.Series(evr, index=names, name="explained_variance_ratio"),
        loadings=pd.DataFrame(loadings, index=variable_index, columns=names),
        components=pd.DataFrame(vectors, index=variable_index, columns=names),
        scores=score_frame, screening=screening, variables=variables,
        dropped=dict(sorted(dropped.items())), indices=indices,
        research_market_corr=corr, matrix=final, min_cos2=min_cos2,
        imputed_share=float(imputed[kept].to_numpy().mean()),
        reliability_message=message,
        observation_label=observation_label, axis_masks=masks,
        explained_variance_before_screening=pd.Series(
            first_evr, index=_pc_names(len(first_evr)), name="explained_variance_ratio"),
    )


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3 or np.std(a[ok]) == 0 or np.std(b[ok]) == 0:
        return float("nan")
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


# ---------------------------------------------------------------- public entry points

def fit_region_pca(values: pd.DataFrame, catalogue: object, region_code: str, *,
                   until_year: int | None, min_cos2: float = DEFAULT_MIN_COS2,
                   min_coverage: float = DEFAULT_MIN_COVERAGE) -> PcaResult:
    """PCA of one region with years as observations (see the module docstring for the method).

    Raises ``PcaInputError`` when fewer than 3 years or 2 indicators remain.
    """
    annual, dropped = _candidate_frame(values, catalogue, [region_code], None, until_year)
    matrix, synthetic, imputed = build_matrix(annual, min_coverage=min_coverage,
                                              dropped=dropped)
    return _fit(matrix, catalogue, min_cos2=min_cos2, dropped=dropped,
                observation_label="år", context=f"region {region_code}",
                synthetic=synthetic, imputed=imputed)


def fit_pooled_pca(values: pd.DataFrame, catalogue: object, regions: Sequence[object], *,
                   years: Iterable[int], min_cos2: float = DEFAULT_MIN_COS2,
                   min_coverage: float = DEFAULT_MIN_COVERAGE) -> PcaResult:
    """PCA over all län × ``years`` (Riket excluded), normalised per the catalogue.

    Use ``result.positions(year)`` for all län in one year and
    ``result.trajectory(code)`` for one län over time.
    """
    years = sorted(int(y) for y in years)
    codes = sorted(str(r.code) for r in regions if str(r.code) != RIKET_CODE)
    annual, dropped = _candidate_frame(values, catalogue, codes, years, None)
    matrix, synthetic, imputed = build_matrix(annual, min_coverage=min_coverage,
                                              dropped=dropped)
    span = f"{years[0]}–{years[-1]}" if years else "no years"
    return _fit(matrix, catalogue, min_cos2=min_cos2, dropped=dropped,
                observation_label="observationer (län och år)",
                context=f"pooled PCA of {len(codes)} län {span}",
                synthetic=synthetic, imputed=imputed)


def bootstrap_pca(result: PcaResult, *, n_boot: int = 200, seed: int = 0,
                  confidence: float = 0.95) -> BootstrapResult:
    """Resample the observations of a fitted PCA ``n_boot`` times and refit (vectorised).

    Each resample is standardised and oriented by the same sign rule; the result says how
    often PC1 keeps its sign relative to the full fit and gives loading percentiles.
    """
    if n_boot < 1:
        raise ValueError(f"bootstrap_pca: n_boot must be at least 1, got {n_boot}")
    raw = result.matrix.to_numpy(dtype=float)
    n, p = raw.shape
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n, size=(n_boot, n))
    z = standardise(raw[picks])
    u, s, vt = np.linalg.svd(z, full_matrices=False)
    k = min(2, s.shape[-1])
    loadings = np.swapaxes(vt[:, :k, :], -1, -2) * s[:, None, :k] / np.sqrt(n - 1)
    masks = result.axis_masks or _axis_masks_from(result)
    signs = orientation_signs(loadings, masks["research"], masks["market"])
    loadings = loadings * signs[:, None, :]
    totals = (z ** 2).sum(axis=(-2, -1))
    evr = np.where(totals[:, None] > 0, s[:, :k] ** 2 / np.where(totals > 0, totals, 1)[:, None],
                   0.0)

    full = result.loadings.to_numpy()[:, :k]
    tail = (1 - confidence) / 2 * 100
    table = pd.DataFrame(index=result.loadings.index)
    stability = []
    for j in range(k):
        name = f"pc{j + 1}"
        # sign of the Pearson correlation with the full fit = sign of the centred product
        centred = loadings[:, :, j] - loadings[:, :, j].mean(axis=1, keepdims=True)
        agreement = centred @ (full[:, j] - full[:, j].mean())
        stability.append(float(np.mean(agreement > 0)) if n_boot else float("nan"))
        low, high = np.percentile(loadings[:, :, j], [tail, 100 - tail], axis=0)
        table[f"loading_{name}"] = full[:, j]
        table[f"{name}_low"] = low
        table[f"{name}_high"] = high
        table[f"is_uncertain_{name}"] = (low < 0) & (high > 0)
    evr_low, evr_high = np.percentile(evr, [tail, 100 - tail], axis=0)
    explained = pd.DataFrame({
        "component": _pc_names(k),
        "explained_variance_ratio": result.explained_variance_ratio.to_numpy()[:k],
        "low": evr_low, "high": evr_high,
    })
    logger.info("bootstrap_pca: %d resamples, PC1 sign kept in %.0f %%", n_boot,
                100 * stability[0])
    return BootstrapResult(
        n_boot=n_boot, seed=seed, sign_stability=stability[0],
        sign_stability_pc2=stability[1] if k > 1 else float("nan"),
        loadings=table, explained_variance=explained,
        reliability_message=result.reliability_message,
    )


def _axis_masks_from(result: PcaResult) -> dict[str, np.ndarray]:
    axes = result.variables.reindex(result.loadings.index)["axis"]
    return {"research": (axes == "research").to_numpy(dtype=bool),
            "market": (axes == "market").to_numpy(dtype=bool)}


def group_years(years: Iterable[int], breaks: Sequence[int] | None = None,
                n_groups: int = 3) -> pd.Series:
    """Label each year with its period, e.g. "2013–2017".

    ``breaks`` are the first years of the later groups (e.g. (2018, 2021)); without them
    the sorted years are cut into ``n_groups`` consecutive groups of near-equal size.
    """
    ordered = sorted({int(y) for y in years})
    if not ordered:
        return pd.Series(dtype="string")
    if breaks is None:
        chunks = np.array_split(np.array(ordered), min(n_groups, len(ordered)))
        breaks = [int(chunk[0]) for chunk in chunks[1:] if len(chunk)]
    group = np.searchsorted(np.asarray(sorted(breaks)), ordered, side="right")
    frame = pd.DataFrame({"year": ordered, "group": group})
    bounds = frame.groupby("group")["year"].agg(["min", "max"])
    labels = {g: (f"{lo}–{hi}" if lo != hi else str(lo)) for g, (lo, hi) in bounds.iterrows()}
    return pd.Series([labels[g] for g in group], index=ordered, name="period_group")
