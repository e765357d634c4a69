"""Survey answers as estimates: per answer category the share, the number of answers
behind it and a 95 % interval, and which comparisons between categories the intervals
support.

The data holds the published shares per answer category (``survey.csv``), often rounded
and often for only some of a question's categories. The survey's design (answers,
population, the filter question that defines "innovating firms") is declared once, on
its source in ``sources.yaml`` (``catalogue.SurveyDesign``); a question's base (all firms
or innovating firms only) on the item in ``indicators.yaml``.

Method
------
- **Base.** ``all_firms``: every responding firm (the survey's ``answers``).
  ``innovating_firms``: the firms that answered the filter question with its category
  (e.g. ``innovationsarbete`` = ``ja``); their number is *derived* as answers × that
  share, rounded (34 % of 305 → 104), because the source does not state it.
- **Remainder.** When the source states shares for only some of the catalogue's
  categories, 100 − (sum of the stated shares) is one extra share, the remainder (the
  unstated categories together; never split between them). When every category is
  stated, the difference from 100 is rounding and no remainder is formed.
- **Intervals: Wilson score intervals** for each share. Wald intervals (p ± z·√(p(1−p)/n))
  break down exactly where this survey needs them: small shares (2 %, 6 %) and the
  smaller base of innovating firms, where they reach below zero and cover too rarely;
  Wilson's stay inside 0–100 % and keep close to 95 % coverage.
- **Margin of error** of a question (its one headline number): the Wald half-width at a
  share of 50 %, 1.96·√(0.25/n), the largest any share of the question can have and the
  figure surveys conventionally publish (n = 100: ±9.8 percentage points; n = 305: ±5.6).
- **Design.** Both assume a simple random sample of the answering firms. The survey was
  a stratified sample with an oversample and answered by about 15 %; the source states no
  weighting. Non-response and unequal selection probabilities are not in the intervals, so
  they are lower bounds of the uncertainty. The finite-population correction is supported
  (``population``) but not applied by the report (``APPLY_FPC``): with 305 of 4 979 firms it
  would narrow the intervals by 3 %, less than the design effect of the oversample is
  likely to widen them.
- **Comparisons.** One category is said to be more common than another only when their
  intervals do not overlap (``clearly_above``); the most common answer is named only
  when it is clearly above every other share, the remainder included (the remainder may
  be a single unstated category).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ecoreport.data.vocab import SURVEY_BASES as BASES

Z_95 = 1.959963984540054  # two-sided 95 % normal quantile
# The report does not apply the finite-population correction (see the module docstring).
APPLY_FPC = False


def _check(p: float, n: int, population: int | None) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"share {p!r} is not a proportion between 0 and 1")
    if n < 1:
        raise ValueError(f"number of answers {n!r}; expected at least 1")
    if population is not None and population < n:
        raise ValueError(f"population {population} is smaller than the sample {n}")


def _fpc(n: int, population: int | None) -> float:
    """The finite-population correction of the variance, (N − n) / (N − 1); 1 without N."""
    if population is None or population <= 1:
        return 1.0
    return max(population - n, 0) / (population - 1)


def wald_margin(p: float, n: int, population: int | None = None, z: float = Z_95) -> float:
    """Half-width of the Wald interval of a proportion (proportion units):
    z·√(p(1−p)/n), times √((N−n)/(N−1)) when the population size N is given."""
    _check(p, n, population)
    return z * math.sqrt(p * (1.0 - p) / n * _fpc(n, population))


def max_margin(n: int, population: int | None = None, z: float = Z_95) -> float:
    """The largest Wald margin any share of a question with n answers can have (p = 0.5)."""
    return wald_margin(0.5, n, population, z)


def wilson_interval(p: float, n: int, population: int | None = None,
                    z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a proportion (proportion units). With the population
    size N, n is replaced by the effective size n·(N−1)/(N−n) (the same correction of the
    variance as for Wald)."""
    _check(p, n, population)
    fpc = _fpc(n, population)
    if fpc == 0.0:  # a census: no sampling error
        return p, p
    m = n / fpc
    denominator = 1.0 + z * z / m
    centre = (p + z * z / (2.0 * m)) / denominator
    half = z / denominator * math.sqrt(p * (1.0 - p) / m + z * z / (4.0 * m * m))
    return max(0.0, centre - half), min(1.0, centre + half)


# --- bases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Base:
    """Who answered a question and how many."""

    kind: str                       # one of BASES
    n: int | None                   # answers behind the shares; None when unknown
    derived: bool = False           # n computed from the filter question's share
    answers: int | None = None      # all answers of the survey
    filter_share_pct: float | None = None  # share answering the filter question's category
    population: int | None = None   # firms the base stands for (all firms only)


def question_base(kind: str, design, shares_by_item: Mapping[str, Mapping[str, float]]
                  ) -> Base:
    """The base of a question of ``kind`` (``all_firms``/``innovating_firms``) in a survey
    of ``design`` (a ``SurveyDesign`` or None when the data's survey is not declared);
    ``shares_by_item`` holds the same survey's shares per item and category (for the
    filter question)."""
    if kind not in BASES:
        raise ValueError(f"base {kind!r}; expected one of {', '.join(BASES)}")
    if design is None:
        return Base(kind, None)
    if kind == "all_firms":
        return Base(kind, design.answers, answers=design.answers,
                    population=design.population_size)
    rule = design.innovating_filter
    share = None if rule is None else shares_by_item.get(rule.item, {}).get(rule.category)
    if share is None:
        return Base(kind, None, answers=design.answers)
    n = int(math.floor(design.answers * share / 100.0 + 0.5))
    return Base(kind, n if n >= 1 else None, derived=True, answers=design.answers,
                filter_share_pct=float(share))


# --- a question's shares ------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryShare:
    """One bar: a stated category, or (``category`` None) the remainder."""

    category: str | None
    share_pct: float
    low_pct: float | None = None   # 95 % Wilson interval; None without a base
    high_pct: float | None = None

    @property
    def is_remainder(self) -> bool:
        return self.category is None


@dataclass(frozen=True)
class QuestionResult:
    """A question's answers in one survey: stated shares (catalogue order), the remainder
    last when the source leaves categories out."""

    base: Base
    shares: tuple[CategoryShare, ...]
    unstated: tuple[str, ...]       # catalogue categories without a stated share
    margin_pct: float | None        # max_margin in percentage points; None without a base

    @property
    def stated(self) -> tuple[CategoryShare, ...]:
        return tuple(s for s in self.shares if not s.is_remainder)

    @property
    def remainder(self) -> CategoryShare | None:
        return next((s for s in self.shares if s.is_remainder), None)

    @property
    def total_pct(self) -> float:
        return float(sum(s.share_pct for s in self.shares))


def _share(category: str | None, share_pct: float, base: Base) -> CategoryShare:
    if base.n is None:
        return CategoryShare(category, share_pct)
    population = base.population if APPLY_FPC else None
    low, high = wilson_interval(min(max(share_pct / 100.0, 0.0), 1.0), base.n, population)
    return CategoryShare(category, share_pct, 100.0 * low, 100.0 * high)


def question_result(categories: Sequence[str], shares: Mapping[str, float] | Iterable,
                    base: Base) -> QuestionResult:
    """Shares in catalogue order (categories the catalogue lacks after them), the
    remainder when some categories are unstated, and the intervals for ``base``."""
    stated = dict(shares)
    order = [c for c in categories if c in stated] + [c for c in stated if c not in categories]
    unstated = tuple(c for c in categories if c not in stated)
    bars = [_share(c, float(stated[c]), base) for c in order]
    if unstated:
        rest = max(0.0, 100.0 - sum(float(v) for v in stated.values()))
        bars.append(_share(None, rest, base))
    margin = None
    if base.n is not None:
        population = base.population if APPLY_FPC else None
        margin = 100.0 * max_margin(base.n, population)
    return QuestionResult(base, tuple(bars), unstated, margin)


# --- comparisons --------------------------------------------------------------------------


def clearly_above(a: CategoryShare, b: CategoryShare) -> bool:
    """True when a's interval lies wholly above b's (no claim without intervals)."""
    if a.low_pct is None or b.high_pct is None:
        return False
    return a.low_pct > b.high_pct


def leading_category(result: QuestionResult) -> CategoryShare | None:
    """The stated category that is clearly more common than every other share (the
    remainder included), or None when the intervals do not single one out."""
    if not result.stated:
        return None
    top = max(result.stated, key=lambda s: s.share_pct)
    others = [s for s in result.shares if s is not top]
    if others and all(clearly_above(top, other) for other in others):
        return top
    return None


def close_to(result: QuestionResult, share: CategoryShare) -> list[CategoryShare]:
    """The stated categories whose intervals overlap ``share``'s (other than itself)."""
    return [s for s in result.stated if s is not share
            and not clearly_above(share, s) and not clearly_above(s, share)]
