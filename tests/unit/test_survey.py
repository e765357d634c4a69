"""Survey answers as estimates: margins, Wilson intervals, bases, the remainder and the
comparisons the intervals allow (analysis.survey)."""

from __future__ import annotations

import math

import pytest

from ecoreport.analysis import survey
from ecoreport.analysis.survey import Base, question_base, question_result
from ecoreport.data.catalogue import SurveyDesign, SurveyFilter

DESIGN = SurveyDesign(region_code="24", period="2024", population_sv="alla företag",
                      sample_sv="urval", answers=305, reference_sv="rapporten",
                      population_size=4979, sample_size=2000,
                      innovating_filter=SurveyFilter(item="innovationsarbete", category="ja"))
SHARES = {"innovationsarbete": {"ja": 34.0, "nej": 58.0, "osäker": 8.0}}


def test_wald_margin_known_answers():
    assert survey.wald_margin(0.5, 100) == pytest.approx(0.098, abs=5e-5)  # ±9.8 pp
    assert survey.max_margin(305) == pytest.approx(0.0561, abs=5e-5)        # ±5.6 pp
    assert survey.max_margin(1000) == pytest.approx(0.031, abs=5e-4)        # ±3.1 pp
    # finite-population correction: √((N − n)/(N − 1))
    assert survey.wald_margin(0.5, 305, population=4979) == pytest.approx(
        0.0561 * math.sqrt(4674 / 4978), abs=5e-5)
    assert survey.wald_margin(0.5, 100, population=100) == 0.0  # a census
    assert survey.wald_margin(0.0, 50) == 0.0


def test_wilson_interval_known_answers():
    # 50 of 100: [0.404, 0.596] (Wilson 1927; e.g. Newcombe 1998, table I)
    low, high = survey.wilson_interval(0.5, 100)
    assert (round(low, 3), round(high, 3)) == (0.404, 0.596)
    # 0 of 10: [0, 0.278]; 1 of 10: [0.018, 0.404]
    assert tuple(round(x, 3) for x in survey.wilson_interval(0.0, 10)) == (0.0, 0.278)
    assert tuple(round(x, 3) for x in survey.wilson_interval(0.1, 10)) == (0.018, 0.404)
    # a small share stays above zero where Wald would not: 2 % of 305
    low, high = survey.wilson_interval(0.02, 305)
    assert 0.0 < low < 0.02 < high
    # 9 % of 104: Wald's lower end (3.5 %) sits further from the share than Wilson's
    assert survey.wilson_interval(0.09, 104)[0] > 0.09 - survey.wald_margin(0.09, 104)
    # the population narrows the interval
    narrow = survey.wilson_interval(0.5, 305, population=4979)
    wide = survey.wilson_interval(0.5, 305)
    assert wide[0] < narrow[0] < 0.5 < narrow[1] < wide[1]


@pytest.mark.parametrize("p, n, population", [(1.2, 10, None), (0.5, 0, None),
                                              (0.5, 100, 50)])
def test_impossible_inputs_are_refused(p, n, population):
    with pytest.raises(ValueError):
        survey.wilson_interval(p, n, population)


def test_bases_all_firms_and_derived_innovating_firms():
    everyone = question_base("all_firms", DESIGN, SHARES)
    assert (everyone.n, everyone.derived, everyone.population) == (305, False, 4979)
    innovating = question_base("innovating_firms", DESIGN, SHARES)
    # 34 % of 305 = 103.7: about 104 firms, derived
    assert (innovating.n, innovating.derived, innovating.filter_share_pct) == (104, True, 34.0)
    assert question_base("innovating_firms", DESIGN, {}).n is None  # no filter answers
    assert question_base("all_firms", None, SHARES).n is None       # survey not declared
    with pytest.raises(ValueError):
        question_base("everyone", DESIGN, SHARES)


def test_all_categories_stated_no_remainder_and_rounding_kept():
    base = question_base("all_firms", DESIGN, SHARES)
    result = question_result(["ja", "nej", "osäker"], {"nej": 48, "ja": 44, "osäker": 7}, base)
    assert [s.category for s in result.shares] == ["ja", "nej", "osäker"]  # catalogue order
    assert result.remainder is None and result.unstated == ()
    assert result.total_pct == 99  # rounding in the source is not a category
    assert result.margin_pct == pytest.approx(5.61, abs=0.01)


def test_remainder_makes_the_bars_add_to_100():
    base = question_base("all_firms", DESIGN, SHARES)
    # one stated category ("inga 72 %") gives two bars
    result = question_result(["inga", "en", "två till fyra", "osäker"], {"inga": 72}, base)
    assert [(s.category, s.share_pct) for s in result.shares] == [("inga", 72), (None, 28)]
    assert result.unstated == ("en", "två till fyra", "osäker")
    assert result.total_pct == 100
    assert result.remainder.low_pct < 28 < result.remainder.high_pct
    # stated shares above 100 leave an empty remainder, never a negative one
    over = question_result(["a", "b", "c"], {"a": 60, "b": 41}, base)
    assert over.remainder.share_pct == 0.0


def test_innovating_base_widens_the_intervals():
    everyone = question_result(["a", "b"], {"a": 36, "b": 64},
                               question_base("all_firms", DESIGN, SHARES))
    innovating = question_result(["a", "b"], {"a": 36, "b": 64},
                                 question_base("innovating_firms", DESIGN, SHARES))
    assert innovating.margin_pct == pytest.approx(100 * 1.96 * math.sqrt(0.25 / 104), abs=0.01)
    a_all, a_inn = everyone.shares[0], innovating.shares[0]
    assert a_inn.high_pct - a_inn.low_pct > a_all.high_pct - a_all.low_pct


def test_without_a_base_no_intervals_and_no_claims():
    result = question_result(["ja", "nej"], {"ja": 90, "nej": 10}, Base("all_firms", None))
    assert result.margin_pct is None
    assert all(s.low_pct is None for s in result.shares)
    assert survey.leading_category(result) is None


def test_leading_category_only_when_the_intervals_separate():
    base = question_base("all_firms", DESIGN, SHARES)
    clear = question_result(["ja", "nej", "osäker"], {"ja": 34, "nej": 58, "osäker": 8}, base)
    assert survey.leading_category(clear).category == "nej"
    close = question_result(["ja", "nej", "osäker"], {"ja": 44, "nej": 48, "osäker": 7}, base)
    assert survey.leading_category(close) is None
    assert [s.category for s in survey.close_to(close, close.shares[1])] == ["ja"]
    # the remainder may be one unstated category: no leader when it could be larger
    partial = question_result(["a", "b", "c", "d"], {"a": 25}, base)
    assert survey.leading_category(partial) is None
    # 79 % against 9 %, 5 % and a remainder of 7 %: a clear leader
    ventures = question_result(["0", "1", "2", "3+"], {"0": 79, "1": 9, "2": 5}, base)
    assert survey.leading_category(ventures).category == "0"
    # the smaller innovating base: 36 % against 22 % separates, 9 % and 9 % do not
    innovating = question_base("innovating_firms", DESIGN, SHARES)
    management = question_result(["inte alls", "begränsad", "ganska", "mycket", "osäker"],
                                 {"inte alls": 36, "begränsad": 22, "ganska": 9, "mycket": 9},
                                 innovating)
    first, second = management.shares[0], management.shares[1]
    assert not survey.clearly_above(first, second)  # 36 vs 22 with n = 104: overlap
    assert survey.leading_category(management) is None
