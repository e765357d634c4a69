"""Normalisation and comparisons: a län against its own history, its peers, Riket and all län.

All functions are pure: they take the tidy values frame (``io.load_values``), the
catalogue and, where needed, the regions, and only read these catalogue attributes per
indicator: ``polarity``, ``normalise``, ``kind``, ``dimension``, ``unit``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ecoreport.data.catalogue import is_context_indicator
from ecoreport.data.vocab import NORMALISATIONS, POLARITY_SIGN, RIKET_CODE

#: A comparison between län (rank, Riket, peers, the all-län chart) uses the latest period in
#: which the län itself and at least this many län have an observed value; without one the
#: län gets no rank. Stated once here; the text and the method chapter read it from here.
MIN_COMPARED_REGIONS = 15
#: Why a comparison has no rank (``comparison_reason``): no period with enough observed
#: län, or the län itself never observed in such a period.
NO_COMMON_PERIOD = "no_common_period"
REGION_NOT_OBSERVED = "region_not_observed"

logger = logging.getLogger(__name__)

# rule -> (denominator indicator, multiplier, Swedish unit suffix), from the vocabulary
NORMALISE_RULES: dict[str, tuple[str, float, str]] = {
    rule: (n.denominator_id, n.multiplier, n.unit_sv)
    for rule, n in NORMALISATIONS.items() if n.denominator_id is not None}
POPULATION_ID = NORMALISATIONS["per_capita"].denominator_id
WORKING_AGE_POPULATION_ID = NORMALISATIONS["per_employed"].denominator_id
# A population figure missing for one year (typically the latest) is bridged from the
# neighbouring year rather than dropping every per-capita value of that year.
POPULATION_FILL_YEARS = 1


def _get(obj: object, name: str, default: object = None) -> object:
    """Attribute or mapping item; catalogue parts may be dataclasses, namespaces or dicts."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def get_indicator(catalogue: object, indicator_id: str) -> object | None:
    """The catalogue entry of ``indicator_id`` or None."""
    return catalogue.indicators.get(indicator_id)


def polarity_sign(catalogue: object, indicator_id: str) -> float:
    """+1 higher is better, -1 higher is worse, 0 neutral or unknown."""
    meta = get_indicator(catalogue, indicator_id)
    return POLARITY_SIGN.get(str(_get(meta, "polarity", "neutral")), 0.0)


def select_indicators(catalogue: object, indicator_ids: Iterable[str], *,
                      kind: str | None = "register",
                      include_context: bool = False) -> list[str]:
    """The ids that are in the catalogue, of ``kind`` and (unless asked) not context series."""
    chosen = []
    for indicator_id in sorted(set(indicator_ids)):
        meta = get_indicator(catalogue, indicator_id)
        if meta is None:
            continue
        if kind is not None and _get(meta, "kind", "register") != kind:
            continue
        if not include_context and is_context_indicator(catalogue, indicator_id):
            continue
        chosen.append(indicator_id)
    return chosen


def describe_unit(catalogue: object, indicator_id: str) -> str:
    """Swedish unit text of the normalised values, e.g. "antal per 100 000 invånare"."""
    meta = get_indicator(catalogue, indicator_id)
    unit_id = _get(meta, "unit", "") or ""
    label = str(unit_id)
    units = getattr(catalogue, "units", None)
    if isinstance(units, dict) and unit_id in units:
        label = str(_get(units[unit_id], "label_sv", unit_id))
    rule = _get(meta, "normalise", "none") or "none"
    if rule in NORMALISE_RULES:
        return f"{label} {NORMALISE_RULES[rule][2]}".strip()
    return label


def _annual_table(values: pd.DataFrame, indicator_id: str) -> tuple[pd.DataFrame, int]:
    """Region × year table of an annual context series, gaps of one year bridged."""
    rows = values[(values["indicator_id"] == indicator_id)
                  & (values["period_start"] == values["period_end"])]
    if rows.empty:
        return pd.DataFrame(), 0
    table = rows.pivot_table(index="region_code", columns="period_start", values="value",
                             aggfunc="mean")
    first, last = int(table.columns.min()), int(table.columns.max())
    years = range(first - POPULATION_FILL_YEARS, last + POPULATION_FILL_YEARS + 1)
    table = table.reindex(columns=list(years))
    table = table.interpolate(axis=1, limit_area="inside")
    table = table.ffill(axis=1, limit=POPULATION_FILL_YEARS)
    table = table.bfill(axis=1, limit=POPULATION_FILL_YEARS)
    return table, first - POPULATION_FILL_YEARS


def _period_means(table: pd.DataFrame, first_year: int, region_codes: pd.Series,
                  starts: pd.Series, ends: pd.Series) -> np.ndarray:
    """Mean of ``table`` over each row's inclusive period (NaN unless every year is known)."""
    out = np.full(len(region_codes), np.nan)
    if table.empty:
        return out
    arr = table.to_numpy(dtype=float)
    known = np.isfinite(arr)
    csum = np.concatenate([np.zeros((len(arr), 1)), np.cumsum(np.where(known, arr, 0), 1)], 1)
    ccount = np.concatenate([np.zeros((len(arr), 1)), np.cumsum(known, 1)], 1)
    row_of = {code: i for i, code in enumerate(table.index)}
    r = region_codes.map(row_of).to_numpy(dtype=float)
    s = starts.to_numpy(dtype=float) - first_year
    e = ends.to_numpy(dtype=float) - first_year
    ok = np.isfinite(r) & (s >= 0) & (e < arr.shape[1]) & (e >= s)
    ri, si, ei = r[ok].astype(int), s[ok].astype(int), e[ok].astype(int)
    total = csum[ri, ei + 1] - csum[ri, si]
    count = ccount[ri, ei + 1] - ccount[ri, si]
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(count == (ei - si + 1), total / count, np.nan)
    out[ok] = means
    return out


_warned: set[str] = set()


def _log_missing_denominators(rows: pd.DataFrame, denominators: np.ndarray,
                              table: pd.DataFrame, first_year: int, rule: str,
                              denominator_id: str) -> None:
    """Warn about gaps inside the population series; periods outside it are only info."""
    missing = np.isnan(denominators)
    if not missing.any():
        return
    last_year = first_year + table.shape[1] - 1 if not table.empty else first_year - 1
    outside = ((rows["period_start"] < first_year) | (rows["period_end"] > last_year)).to_numpy()
    if (missing & outside).any():
        logger.info("normalise_values: %d %s value(s) lie outside the years of %s (%s); "
                    "left as NaN", int((missing & outside).sum()), rule, denominator_id,
                    ", ".join(sorted(set(rows.loc[missing & outside, "indicator_id"]))))
    if (missing & ~outside).any():
        gaps = rows.loc[missing & ~outside]
        message = (f"normalise_values: {len(gaps)} {rule} value(s) lack {denominator_id} for "
                   "their region and period (e.g. "
                   + ", ".join(f"{r.region_code} {r.indicator_id} {r.period_start}"
                               for r in gaps.head(3).itertuples()) + "); left as NaN")
        if message not in _warned:  # the analyses normalise the same values several times
            _warned.add(message)
            logger.warning("%s", message)


def normalise_values(values: pd.DataFrame, catalogue: object) -> pd.DataFrame:
    """Return ``values`` with ``normalise``, ``value_normalised`` and ``normalised_unit`` added.

    per_capita divides by ``befolkning`` (×100 000), per_employed by ``befolkning_20_64``
    (×1 000), of the same region and year; a multi-year period uses the mean population
    over its years. Indicators not in the catalogue are left as they are (rule "none").
    """
    out = values.copy()
    ids = out["indicator_id"].astype(str)
    rule_of = {i: str(_get(get_indicator(catalogue, i), "normalise", "none") or "none")
               for i in ids.unique()}
    unit_of = {i: describe_unit(catalogue, i) if get_indicator(catalogue, i) is not None else ""
               for i in ids.unique()}
    out["normalise"] = ids.map(rule_of)
    out["normalised_unit"] = ids.map(unit_of)
    normalised = pd.to_numeric(out["value"]).to_numpy(dtype=float).copy()
    for rule, (denominator_id, multiplier, _) in NORMALISE_RULES.items():
        mask = (out["normalise"] == rule).to_numpy()
        if not mask.any():
            continue
        table, first_year = _annual_table(values, denominator_id)
        subset = out.loc[mask]
        denominators = _period_means(table, first_year, subset["region_code"],
                                     subset["period_start"], subset["period_end"])
        with np.errstate(invalid="ignore", divide="ignore"):
            normalised[mask] = np.where(denominators > 0,
                                        normalised[mask] / denominators * multiplier, np.nan)
        _log_missing_denominators(subset, denominators, table, first_year, rule,
                                  denominator_id)
    out["value_normalised"] = normalised
    return out


def observed_values(values: pd.DataFrame) -> pd.DataFrame:
    """The rows with status observed: what every number, rank and word of a report is
    computed from (synthetic values only draw charts). Population denominators are
    observed too, so a normalised value never rests on an invented one."""
    if "status" not in values.columns:
        return values
    return values[values["status"] == "observed"]


def _subset(values: pd.DataFrame, indicator_ids: Iterable[str]) -> pd.DataFrame:
    """Rows of the given indicators plus the population series needed to normalise them."""
    keep = set(indicator_ids) | {POPULATION_ID, WORKING_AGE_POPULATION_ID}
    return values[values["indicator_id"].isin(keep)]


def relative_development(values: pd.DataFrame, catalogue: object, region_code: str, *,
                         until_year: int | None = None,
                         from_year: int | None = None) -> pd.DataFrame:
    """Each register indicator's value relative to its own history (model report Figur 4).

    ``relative_value`` is the z-score of the normalised value against the series' own
    mean and standard deviation (ddof=1) over the periods shown; a series with one
    observation or no variation gets 0 (neutral). ``score_for_innovation`` multiplies it
    by +1 (higher is better), −1 (higher is worse) or 0 (neutral), so blue/positive
    always means better for innovation. One row per indicator × period. ``from_year`` and
    ``until_year`` set the window (periods starting before or ending after are left out),
    so the history a year is compared with is the window shown.
    """
    frame = values[values["region_code"] == region_code]
    if until_year is not None:
        frame = frame[frame["period_end"] <= until_year]
    if from_year is not None:
        frame = frame[frame["period_start"] >= from_year]
    ids = select_indicators(catalogue, frame["indicator_id"].unique())
    frame = normalise_values(_subset(frame, ids), catalogue)
    frame = frame[frame["indicator_id"].isin(ids)]
    frame = frame[np.isfinite(frame["value_normalised"].to_numpy(dtype=float))]
    grouped = frame.groupby("indicator_id")["value_normalised"]
    mean = grouped.transform("mean")
    std = grouped.transform(lambda s: s.std(ddof=1) if len(s) > 1 else np.nan)
    n_obs = grouped.transform("size")
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = (frame["value_normalised"] - mean) / std
    relative = relative.where(np.isfinite(relative) & (std > 0), 0.0)
    sign = frame["indicator_id"].map(lambda i: polarity_sign(catalogue, i))
    out = pd.DataFrame({
        "indicator_id": frame["indicator_id"],
        "dimension": frame["indicator_id"].map(
            lambda i: _get(get_indicator(catalogue, i), "dimension")),
        "polarity": frame["indicator_id"].map(
            lambda i: _get(get_indicator(catalogue, i), "polarity", "neutral")),
        "period": frame["period"], "period_start": frame["period_start"],
        "period_end": frame["period_end"], "year": frame["year"],
        "value": frame["value"], "value_normalised": frame["value_normalised"],
        "normalised_unit": frame["normalised_unit"],
        "relative_value": relative.astype(float), "n_obs": n_obs.astype(int),
        "score_for_innovation": (relative * sign).astype(float) + 0.0,
        "status": frame["status"],
    })
    return out.sort_values(["indicator_id", "period_start", "period_end"]).reset_index(drop=True)


def _pick_period_rows(frame: pd.DataFrame, year: int, *, latest_before: bool) -> pd.DataFrame:
    """One row per region × indicator for ``year``.

    With ``latest_before`` False the period must contain the year; otherwise the latest
    period ending at or before it is used (per region). Ties prefer the shortest period.
    """
    if latest_before:
        candidates = frame[frame["period_end"] <= year]
        order = ["period_end", "span"]
        ascending = [False, True]
    else:
        candidates = frame[(frame["period_start"] <= year) & (frame["period_end"] >= year)]
        order = ["span", "period_end"]
        ascending = [True, False]
    candidates = candidates.assign(span=candidates["period_end"] - candidates["period_start"])
    candidates = candidates.sort_values(["region_code", "indicator_id", *order],
                                        ascending=[True, True, *ascending])
    return candidates.drop_duplicates(["region_code", "indicator_id"]).drop(columns="span")


def latest_period_rows(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per region × indicator: the indicator's latest period ending at or before
    ``year`` (ties prefer the shortest period).

    The period is chosen per indicator, not per region, so every län is ranked and scored
    on the same period; a län without a value for it is left out. The ranking
    (``compare_regions``) and the profile (``score_indicators``) share this rule.
    """
    candidates = frame[frame["period_end"] <= year]
    candidates = candidates.assign(span=candidates["period_end"] - candidates["period_start"])
    latest = candidates.sort_values(["indicator_id", "period_end", "span"],
                                    ascending=[True, False, True]).drop_duplicates(
        "indicator_id")[["indicator_id", "period_start", "period_end"]]
    picked = candidates.merge(latest, on=["indicator_id", "period_start", "period_end"])
    picked = picked.sort_values(["region_code", "indicator_id"])
    return picked.drop_duplicates(["region_code", "indicator_id"]).drop(columns="span")


def _region_codes(regions: Sequence[object]) -> list[str]:
    """The län codes (Riket excluded), sorted."""
    return sorted(str(r.code) for r in regions if str(r.code) != RIKET_CODE)


def _peers_of(regions: Sequence[object]) -> dict[str, list[str]]:
    return {str(r.code): [str(p) for p in (getattr(r, "peers", None) or [])] for r in regions}


def _pct(diff: pd.Series, base: pd.Series) -> pd.Series:
    with np.errstate(invalid="ignore", divide="ignore"):
        return (diff / base.abs()).where(base != 0) * 100.0


def rank_values(scores: pd.Series) -> pd.Series:
    """Rank 1 = highest score; ties share the best rank; NaN stays unranked."""
    return scores.rank(ascending=False, method="min")


def normalised_by_indicator(values: pd.DataFrame, catalogue: object,
                            indicator_ids: Iterable[str]) -> dict[str, pd.DataFrame]:
    """:func:`normalise_values` of several indicators at once (the population tables are
    made once), one frame per indicator; what :func:`compare_regions` takes as
    ``normalised``."""
    wanted = list(indicator_ids)
    frame = normalise_values(_subset(values, wanted), catalogue)
    groups = dict(tuple(frame.groupby("indicator_id", sort=False)))
    return {indicator_id: groups[indicator_id] for indicator_id in wanted
            if indicator_id in groups}


def comparison_periods(normalised: pd.DataFrame, regions: Sequence[object], year: int,
                       min_regions: int = MIN_COMPARED_REGIONS) -> pd.DataFrame:
    """The periods (ending at or before ``year``) of one indicator in which at least
    ``min_regions`` län have a value, latest first: columns period, period_start,
    period_end, n_regions and ``region_codes`` (a frozenset). Pass observed values only."""
    codes = set(_region_codes(regions))
    rows = normalised[(normalised["period_end"] <= year)
                      & normalised["region_code"].isin(codes)
                      & np.isfinite(normalised["value_normalised"].to_numpy(dtype=float))]
    columns = ["period", "period_start", "period_end", "n_regions", "region_codes"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    grouped = rows.groupby(["period", "period_start", "period_end"])["region_code"].agg(
        lambda s: frozenset(s)).reset_index(name="region_codes")
    grouped["n_regions"] = grouped["region_codes"].map(len)
    grouped = grouped[grouped["n_regions"] >= min_regions]
    grouped = grouped.assign(span=grouped["period_end"] - grouped["period_start"])
    grouped = grouped.sort_values(["period_end", "span"], ascending=[False, True])
    return grouped[columns].reset_index(drop=True)


def choose_comparison_period(periods: pd.DataFrame, region_code: str
                             ) -> tuple[pd.Series | None, str | None]:
    """The latest of ``comparison_periods`` in which ``region_code`` has a value, or
    (None, reason): ``NO_COMMON_PERIOD`` or ``REGION_NOT_OBSERVED``."""
    if periods.empty:
        return None, NO_COMMON_PERIOD
    for _, row in periods.iterrows():
        if region_code in row["region_codes"]:
            return row, None
    return None, REGION_NOT_OBSERVED


def compare_regions(values: pd.DataFrame, catalogue: object, regions: Sequence[object],
                    indicator_id: str, year: int,
                    normalised: pd.DataFrame | None = None,
                    period: tuple[int, int] | None = None) -> pd.DataFrame:
    """Every län's normalised value of one indicator, its latest period ending at or before
    ``year`` (the same period for all län), with rank and distances.

    ``rank`` is 1 = best given polarity (neutral indicators: 1 = highest value).
    Distances are to Riket (code 00) and to the mean of each län's own peer group, in
    the normalised unit (``diff_*_abs``) and in per cent of the reference (``diff_*_pct``).
    ``normalised`` is the indicator's rows already normalised (see
    :func:`normalised_by_indicator`), when several indicators are compared. ``period``
    (start, end) fixes the period compared (see :func:`comparison_periods`).
    """
    if normalised is None:
        normalised = normalise_values(_subset(values, [indicator_id]), catalogue)
    rows = normalised[normalised["indicator_id"] == indicator_id]
    if period is not None:
        rows = rows[(rows["period_start"] == period[0]) & (rows["period_end"] == period[1])]
        rows = rows[np.isfinite(rows["value_normalised"].to_numpy(dtype=float))]
    frame = latest_period_rows(rows, year).set_index("region_code")
    codes = _region_codes(regions)
    out = pd.DataFrame({"region_code": codes})
    names = {str(r.code): getattr(r, "short_name", str(r.code)) for r in regions}
    out["region_name"] = out["region_code"].map(names)
    for column in ("period", "value", "value_normalised", "status"):
        out[column] = out["region_code"].map(frame[column]) if column in frame else np.nan
    out["value_normalised"] = out["value_normalised"].astype(float)
    out["normalised_unit"] = describe_unit(catalogue, indicator_id)
    sign = polarity_sign(catalogue, indicator_id) or 1.0
    out["rank"] = rank_values(out["value_normalised"] * sign).astype("Int64")
    out["n_ranked"] = int(out["value_normalised"].notna().sum())
    riket = float(frame["value_normalised"].get(RIKET_CODE, np.nan))
    out["riket_value"] = riket
    out["riket_status"] = frame["status"].get(RIKET_CODE, None) if "status" in frame else None
    out["diff_riket_abs"] = out["value_normalised"] - riket
    out["diff_riket_pct"] = _pct(out["diff_riket_abs"], out["riket_value"])
    by_code = dict(zip(out["region_code"], out["value_normalised"].to_numpy(dtype=float)))
    peers = _peers_of(regions)
    peer_values = [np.array([by_code[p] for p in peers.get(code, [])
                             if p in by_code and not np.isnan(by_code[p])], dtype=float)
                   for code in codes]
    out["peer_mean"] = [float(v.mean()) if len(v) else np.nan for v in peer_values]
    out["n_peers"] = [len(v) for v in peer_values]
    out["diff_peer_abs"] = out["value_normalised"] - out["peer_mean"]
    out["diff_peer_pct"] = _pct(out["diff_peer_abs"], out["peer_mean"])
    return out


def peer_trend(values: pd.DataFrame, catalogue: object, regions: Sequence[object],
               region_code: str, indicator_id: str) -> pd.DataFrame:
    """The region, its peer-group mean and Riket over time, normalised (long format).

    ``series`` is "region", "peers" or "riket"; ``status`` is "synthetic" when any value
    behind the point is synthetic; ``n_regions`` counts the län behind a peer mean.
    """
    frame = normalise_values(_subset(values, [indicator_id]), catalogue)
    frame = frame[(frame["indicator_id"] == indicator_id)
                  & np.isfinite(frame["value_normalised"].to_numpy(dtype=float))]
    peers = _peers_of(regions).get(region_code, [])
    groups = {"region": [region_code], "peers": peers, "riket": [RIKET_CODE]}
    parts = []
    for series, codes in groups.items():
        rows = frame[frame["region_code"].isin(codes)]
        if rows.empty:
            continue
        agg = rows.assign(is_synthetic=rows["status"] == "synthetic").groupby(
            ["period", "period_start", "period_end", "year"], as_index=False).agg(
            value_normalised=("value_normalised", "mean"),
            n_regions=("region_code", "nunique"), is_synthetic=("is_synthetic", "any"))
        agg["series"] = series
        parts.append(agg)
    columns = ["series", "period", "period_start", "period_end", "year", "value_normalised",
               "normalised_unit", "status", "n_regions"]
    if not parts:
        return pd.DataFrame(columns=columns)
    out = pd.concat(parts, ignore_index=True)
    out["status"] = np.where(out["is_synthetic"], "synthetic", "observed")
    out["normalised_unit"] = describe_unit(catalogue, indicator_id)
    order = {"region": 0, "peers": 1, "riket": 2}
    out = out.sort_values(["series", "period_start", "period_end"],
                          key=lambda s: s.map(order) if s.name == "series" else s)
    return out[columns].reset_index(drop=True)


def score_indicators(values: pd.DataFrame, catalogue: object, regions: Sequence[object],
                     year: int) -> pd.DataFrame:
    """Per län × indicator: normalised value in ``year`` rescaled to 0..1 (1 = best).

    Register indicators with a polarity (not neutral, not context) are min–max rescaled
    across all län and all periods up to ``year``; the value used is the indicator's latest
    period ending at or before ``year`` (see ``period``), the same one the ranking uses.
    """
    frame = values[values["period_end"] <= year]
    ids = [i for i in select_indicators(catalogue, frame["indicator_id"].unique())
           if polarity_sign(catalogue, i) != 0.0]
    codes = _region_codes(regions)
    frame = normalise_values(_subset(frame[frame["region_code"].isin(codes)], ids), catalogue)
    frame = frame[frame["indicator_id"].isin(ids)
                  & np.isfinite(frame["value_normalised"].to_numpy(dtype=float))]
    grouped = frame.groupby("indicator_id")["value_normalised"]
    low, high = grouped.transform("min"), grouped.transform("max")
    sign = frame["indicator_id"].map(lambda i: polarity_sign(catalogue, i))
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = (frame["value_normalised"] - low) / (high - low)
    scaled = scaled.where(high > low, 0.5)
    frame = frame.assign(score=np.where(sign < 0, 1.0 - scaled, scaled))
    latest = latest_period_rows(frame, year)
    latest = latest.assign(dimension=latest["indicator_id"].map(
        lambda i: _get(get_indicator(catalogue, i), "dimension")))
    return latest[["region_code", "indicator_id", "dimension", "period", "value_normalised",
                   "score", "status"]].reset_index(drop=True)


def dimension_profile(values: pd.DataFrame, catalogue: object, regions: Sequence[object],
                      region_code: str, year: int) -> pd.DataFrame:
    """The region's score per METRIC dimension against all län, with strengths and weaknesses.

    ``score`` is the mean of the region's indicator scores (``score_indicators``),
    ``median`` the län median, ``rank`` 1 = best of ``n_regions``. ``profile`` is
    "strength" in the top third of län, "weakness" in the bottom third, else "middle".
    """
    scores = score_indicators(values, catalogue, regions, year)
    columns = ["dimension", "name_sv", "order", "score", "median", "rank", "n_regions",
               "n_indicators", "share_synthetic", "profile"]
    if scores.empty:
        return pd.DataFrame(columns=columns)
    scores = scores.assign(is_synthetic=scores["status"] == "synthetic")
    per_region = scores.groupby(["dimension", "region_code"], as_index=False).agg(
        score=("score", "mean"), n_indicators=("indicator_id", "nunique"),
        share_synthetic=("is_synthetic", "mean"))
    per_region["rank"] = per_region.groupby("dimension")["score"].rank(
        ascending=False, method="min")
    summary = per_region.groupby("dimension").agg(
        median=("score", "median"), n_regions=("region_code", "nunique"))
    own = per_region[per_region["region_code"] == region_code].set_index("dimension")
    out = summary.join(own[["score", "rank", "n_indicators", "share_synthetic"]], how="left")
    out = out.reset_index()
    third = out["n_regions"] / 3.0
    out["profile"] = np.select(
        [out["rank"] <= third, out["rank"] > out["n_regions"] - third],
        ["strength", "weakness"], default="middle")
    out.loc[out["score"].isna(), "profile"] = "no_data"
    dims = {str(_get(d, "id")): d for d in (getattr(catalogue, "dimensions", None) or [])}
    out["name_sv"] = out["dimension"].map(lambda d: _get(dims.get(d), "name_sv", d))
    out["order"] = out["dimension"].map(lambda d: _get(dims.get(d), "order", np.nan))
    out["rank"] = out["rank"].astype("Int64")
    out = out.sort_values(["order", "dimension"], na_position="last")
    return out[columns].reset_index(drop=True)
