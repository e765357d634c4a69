"""The report's content on the bundled data: text, charts and numbers a reader gets."""

from __future__ import annotations

import copy
import dataclasses
import re
from types import SimpleNamespace

import pandas as pd
import pytest

from ecoreport.report import chapters
from ecoreport.analysis.results import open_report
from ecoreport.report.charts import trend_chart
from ecoreport.report.charts.comparison import SCORE_DOMAIN, SCORE_SCHEME, relative_development_chart


@pytest.fixture(scope="module")
def report():
    return open_report("Västerbotten", 2024)


def test_open_report_resolves_names_and_defaults_to_latest_year():
    latest = open_report("24")
    assert latest.region.name == "Västerbottens län"
    assert latest.year == latest.dataset.latest_year()


def test_bankruptcies_rising_in_2024_score_as_bad(report):
    rows = report.results.relative
    konkurser = rows[(rows["indicator_id"] == "konkurser")].set_index("period")
    assert konkurser.loc["2024", "value"] > konkurser.loc["2022", "value"]
    assert konkurser.loc["2024", "score_for_innovation"] < 0
    assert konkurser.loc["2022", "score_for_innovation"] > 0
    # and the heatmap draws negative scores red, positive blue
    assert SCORE_SCHEME == "redblue" and SCORE_DOMAIN[0] < 0 < SCORE_DOMAIN[-1]
    spec = relative_development_chart(rows, report.catalogue, report.region.name).to_dict()
    assert "score_for_innovation" in str(spec)


def test_fou_chapter_shows_every_register_indicator_with_data(report):
    shown = [ind.id for ind in chapters.register_indicators(report, "fou")]
    assert shown[0] == "fou_andel_brp"
    assert {"publikationer", "doktorsexamina", "patentansokningar_prv"} <= set(shown)
    assert all(report.catalogue.indicator(i).kind == "register" for i in shown)


def test_trend_sentence_uses_observed_values_only(report):
    ind = report.catalogue.indicator("fou_andel_brp")
    text = chapters.trend_sentence(report, ind)
    # 2013 and 2023 are the län's only observed values; 2024 is synthetic and unsaid
    assert text.startswith("Utgifterna för egen FoU som andel av BRP har minskat från 3,48 procent")
    assert "2,15 procent av BRP 2023" in text and "2024" not in text
    assert "syntetisk" not in text
    # two points are no tested trend: no word of direction
    assert report.trend("fou_andel_brp").n_observed < 8
    assert "för få observerade värden" in text and "negativ utveckling" not in text
    # an indicator without any observed value for the län says so, and names no number
    none = report.catalogue.indicator("patentansokningar_prv")
    text = chapters.trend_sentence(report, none)
    assert "inga observerade värden" in text and not re.search(r"\d", text.replace("2024", ""))


def test_indicator_text_cites_the_catalogue_source(report):
    ind = report.catalogue.indicator("brp")
    text = chapters.indicator_text(report, ind)
    assert text.endswith(f"\n\n*Källa: {report.catalogue.source('brp').citation_sv}.*")
    assert re.search(r"Linjär trend \d{4}–\d{4}: .* per år \(95 % konfidensintervall", text)


def test_comparison_sentence_names_rank_riket_and_peers(report):
    ind = report.catalogue.indicator("fou_utgifter_hogskola")
    texts = [chapters.comparison_markdown(report, ind, variant) for variant in range(3)]
    assert len(set(texts)) == 3  # consecutive indicators do not read alike
    table = report.results.comparisons["fou_utgifter_hogskola"]
    own = table.loc[table["region_code"] == "24"].iloc[0]
    rank = int(own["rank"])
    assert set(table["status"].dropna()) == {"observed"}
    for text in texts:
        assert re.search(rf"\b(plats|nummer) {rank}\b", text) and "21" in text
        assert "riket" in text and "jämförelselän" in text
        assert "styrka" not in text and "svaghet" not in text
        # the period compared is named, with the rule that chose it
        assert own["period"] in text and "minst 15 av de 21 länen" in text
    # no two numbers side by side ("plats 2 2024")
    assert not any(re.search(r"\b\d+ \d{4}\b", text) for text in texts)


def test_compare_word_reads_small_differences_as_level():
    assert chapters.compare_word(10.2, 10.0, 1) == "i nivå med"
    assert chapters.compare_word(12.0, 10.0, 1) == "högre än"
    assert chapters.compare_word(8.0, 10.0, 1) == "lägre än"


def test_count_text_writes_small_numbers_in_words():
    assert chapters.count_text(1, "fråga", "frågor") == "en fråga"
    assert chapters.count_text(12, "indikator", "indikatorer") == "tolv indikatorer"
    assert chapters.count_text(14, "indikator", "indikatorer") == "14 indikatorer"


def test_summary_states_the_observed_share_and_only_observed_findings(report):
    status = chapters.data_status_markdown(report)
    text = chapters.key_messages_markdown(report)
    found = report.results.findings
    assert 0 < found.share_observed < 1
    assert f"{round(100 * found.share_observed)} procent av värdena är observerade" in status
    assert f"de {found.n_values} värdena för modellens indikatorer" in status
    assert all(f.status == "observed" for f in found.findings)
    if found.too_few:
        assert "Ur registerstatistiken vilar färre än tre fynd på observerade värden" in text


def test_trend_figures_name_window_method_and_raw_slope(report):
    text = chapters.trend_figures_markdown(report, report.catalogue.indicator("nystartade_foretag"))
    assert text.startswith("*Linjär trend 2013–2024:") and "per 100" in text
    assert "utan normering" in text and "autokorrelation" in text


def test_pca_summary_reads_the_own_pca_as_common_development(report):
    text = chapters.pca_summary_markdown(report)
    summary = report.results.region_axis
    if report.results.region_pca is None:  # on observed values only, too few for a PCA
        assert "observerade värden" in text and "görs inte" in text
        return
    assert "gemensamma utvecklingen över tid" in text
    assert "korrelation med årtalet" in text and "slumpvandringar" in text
    assert summary.pc1_share_before_screening <= summary.pc1_share
    assert "marknadsdrivet än forskningsdrivet" not in text


def test_summary_axis_sentence_matches_the_test(report):
    text = chapters.axis_markdown(report)
    axis = report.results.axis
    if not axis.supported:
        assert "ingen placering" in text
    else:
        side = axis.position("24")["side"]
        assert {"research": "forskningssidan:", "market": "marknadssidan:",
                "middle": "inte säkert"}[side] in text


def test_survey_intro_differs_with_and_without_answers(report):
    assert "ur enkäten till företag i Västerbottens län" in chapters.survey_intro_markdown(report)
    other = open_report("01", 2024)
    assert "Det finns inga enkätsvar för Stockholms län" in chapters.survey_intro_markdown(other)
    assert chapters.survey_items(other) == []


def _fills(spec: dict) -> list:
    found = []
    for layer in spec.get("layer", []):
        fill = layer.get("encoding", {}).get("fill")
        if fill and "scale" in fill:  # markers with a status condition have no scale
            found.append(fill["scale"]["domain"])
    return found


def test_trend_chart_marks_synthetic_values_only_when_there_are_any(report):
    ind = report.catalogue.indicator("brp")
    unit = report.catalogue.unit("brp")
    series = report.series("brp")
    mixed = trend_chart(series, ind, unit, "Västerbottens län").to_dict()
    assert _fills(mixed) == [["Observerat värde", "Syntetiskt värde (framräknat)"]]
    observed_only = series[series["status"] == "observed"]
    clean = trend_chart(observed_only, ind, unit, "Västerbottens län").to_dict()
    assert _fills(clean) == [["Observerat värde"]]
    assert "Syntetiskt" not in str(clean)


def test_unit_text_reads_naturally_after_a_number(report):
    cat = report.catalogue
    assert chapters.unit_text(cat.unit("fou_andel_brp")) == "procent av BRP"
    assert chapters.unit_text(cat.unit("brp")) == "miljoner kronor"
    assert chapters.unit_text(cat.unit("publikationer")) == ""
    assert chapters.unit_text(cat.unit("doktorsexamina")) == "personer"


def test_indicator_text_refers_to_its_figure(report):
    text = chapters.indicator_text(report, report.catalogue.indicator("brp"))
    assert re.search(r"\w \(\{numref\}`figur %s <fig-brp>`\)\.\n", text)


def test_p_values_never_read_as_zero():
    assert chapters.format_p_value(0.0004) == "p < 0,001"
    assert chapters.format_p_value(0.0341) == "p = 0,034"


def test_comparison_units_read_naturally(report):
    text = chapters.comparison_markdown(report, report.catalogue.indicator("nystartade_foretag"))
    assert "företag per 100\xa0000 invånare" in text or "företag per 100 000 invånare" in text
    assert "antal företag per" not in text


def _with_findings(report, findings):
    """The report with ``results.findings`` set (as the analysis stores it)."""
    results = copy.copy(report.results)
    results.findings = findings
    return dataclasses.replace(report, results=results)


def _finding(kind, indicator_id, **fields):
    base = dict(kind=kind, indicator_id=indicator_id, dimension=None, period="2023",
                value_normalised=12.5, normalised_unit="procent", rank=None, n_ranked=None,
                riket_value=None, from_period=None, slope=None)
    base.update(fields)
    return SimpleNamespace(**base)


def _findings(findings, figures=None):
    return SimpleNamespace(findings=findings, key_figures=figures if figures is not None
                           else pd.DataFrame(), too_few=len(findings) < 3, shortfall={},
                           of_kind=lambda kind: [f for f in findings if f.kind == kind])


def test_key_messages_take_the_kinds_in_turn_and_stop_at_six(report):
    findings = ([_finding("strength", "doktorsexamina", rank=2, n_ranked=21, riket_value=9.0)] * 3
                + [_finding("decline", "brp", slope=-1.0, from_period="2013")] * 3
                + [_finding("improvement", "publikationer", slope=2.0, from_period="2013")] * 3)
    chosen = chapters.key_messages(_with_findings(report, _findings(findings)))
    assert len(chosen) == chapters.KEY_MESSAGES_MAX
    assert [f.kind for f in chosen[:3]] == ["strength", "improvement", "decline"]
    text = chapters.key_messages_markdown(_with_findings(report, _findings(findings)))
    assert "plats 2 av 21 län 2023" in text and "bland de högsta" in text
    assert "har minskat sedan 2013" in text and "negativt för innovationsförmågan" in text


def test_no_observed_findings_says_so_instead_of_inventing_messages(report):
    text = chapters.key_messages_markdown(_with_findings(report, _findings([])))
    assert "syntetiska" in text
    # the only messages then are the survey's clearest answers (observed), none invented
    messages = [line for line in text.splitlines() if line.startswith("- ")]
    assert messages and all("svar i företagsenkäten" in line for line in messages)


def test_survey_key_messages_only_where_the_intervals_single_out_an_answer(report):
    from ecoreport.analysis.survey import clearly_above

    chosen = chapters.survey_key_messages(report, limit=10)
    assert chosen and len({ind.dimension for ind, *_ in chosen}) == len(chosen)
    for indicator, period, leader, result in chosen:
        assert all(clearly_above(leader, other) for other in result.shares
                   if other is not leader)
    sentence = chapters.survey_message_sentence(*chosen[0])
    indicator, period, leader, result = chosen[0]
    assert sentence.startswith(f"**{indicator.name_sv}:**")
    assert f"{result.base.n} svar i företagsenkäten {period}" in sentence
    # six register findings leave no room for survey messages
    findings = ([_finding("strength", "doktorsexamina", rank=2, n_ranked=21, riket_value=9.0)] * 3
                + [_finding("decline", "brp", slope=-1.0, from_period="2013")] * 3)
    text = chapters.key_messages_markdown(_with_findings(report, _findings(findings)))
    assert "företagsenkäten" not in text


def test_key_figures_one_row_per_dimension_with_rank_riket_and_synthetic_mark(report):
    figures = pd.DataFrame([
        dict(indicator_id="fou_andel_brp", dimension="fou", period="2024", value_normalised=2.09,
             normalised_unit="procent av BRP", status="synthetic", change_per_year=-0.139,
             change_claim="significant", rank=9, n_ranked=21, riket_value=2.95),
        dict(indicator_id="publikationer", dimension="fou", period="2024",
             value_normalised=1.0, normalised_unit="x", status="observed",
             change_per_year=0.1, change_claim="not_significant", rank=1, n_ranked=21,
             riket_value=1.0),
        dict(indicator_id="brp", dimension="kontext", period="2024", value_normalised=float("nan"),
             normalised_unit="", status="observed", change_per_year=float("nan"),
             change_claim=None, rank=None, n_ranked=None, riket_value=None),
    ])
    text = chapters.key_figures_markdown(_with_findings(report, _findings([], figures)))
    rows = [line for line in text.splitlines() if line.startswith("| {ref}")]
    assert len(rows) == 1  # one per dimension, rows without a value left out
    assert "2,09\\* (2024)" in rows[0] and "9 av 21" in rows[0] and "2,95" in rows[0]
    assert "<ind-fou_andel_brp>" in rows[0]
    assert "| −0,14 |" in rows[0]  # the change to two significant figures
    assert "syntetiska" in text


def test_table_values_keep_at_most_three_significant_figures_of_decimals():
    assert chapters.shown_decimals(889_243.04, 1) == 0
    assert chapters.shown_decimals(387.7, 1) == 0
    assert chapters.shown_decimals(9.6, 1) == 1
    assert chapters.shown_decimals(2.09, 2) == 2
    assert chapters.shown_decimals(0.0123, 2) == 2  # never more than the catalogue says
    assert chapters.shown_decimals(float("nan"), 1) == 1


def test_key_figures_without_the_findings_analysis_come_from_the_comparisons(report):
    report = _with_findings(report, None)
    text = chapters.key_figures_markdown(report)
    rows = [line for line in text.splitlines() if line.startswith("| {ref}")]
    dimensions = {report.catalogue.indicator(i).dimension for i in report.results.comparisons}
    assert 1 <= len(rows) == len(dimensions)
    assert all(re.search(r"\d+ av 21", row) for row in rows)
    assert all(re.search(r"(−?\d+,\d\s%|–)", row) for row in rows)  # change in percent a year


def test_counts_read_with_their_unit_word_not_as_years(report):
    indicator = report.catalogue.indicator("designansokningar")
    assert chapters.unit_words(report.catalogue, indicator) == ("ansökan", "ansökningar")
    text = chapters.trend_sentence(report, indicator)
    assert "ansökningar" in text and not re.search(r"\d år \d{4}", text)
    persons = report.catalogue.indicator("doktorsexamina")
    assert chapters.unit_words(report.catalogue, persons) == ("doktorsexamen", "doktorsexamina")
    comparison = chapters.comparison_markdown(report, indicator)
    # too few län are observed to rank it, and the text says why
    assert "ingen placering" in comparison and "minst 15 av de 21 länen" in comparison


def test_proper_names_keep_their_capital_in_the_dimension_text(report):
    text = " ".join(chapters.indicator_text(report, ind, n) for n, ind in enumerate(
        chapters.register_indicators(report, "finansiellt_kapital")))
    assert "almis lån" not in text


def test_a_dimension_page_does_not_repeat_one_sentence_pattern(report):
    indicators = chapters.register_indicators(report, "fou")
    text = " ".join(chapters.indicator_text(report, ind, n) for n, ind in enumerate(indicators))
    assert len(indicators) >= 9
    for pattern in ("har ökat från", "har minskat från", "vilket är en positiv utveckling",
                    "men trenden över perioden är inte statistiskt säker",
                    "jämförelselänens medelvärde"):
        assert text.count(pattern) <= max(3, len(indicators) // 3 + 1), pattern


def test_trend_chart_begins_at_the_report_window_and_outliers_are_told(report):
    from ecoreport.analysis.trends import REPORT_FIRST_YEAR

    ind = report.catalogue.indicator("brp")
    series = report.series("brp")
    assert series["period_start"].min() < REPORT_FIRST_YEAR  # older years exist
    spec = trend_chart(series, ind, report.catalogue.unit("brp"), "Västerbottens län",
                       from_year=REPORT_FIRST_YEAR, until_year=2024).to_dict()
    years = [row["year"] for rows in spec["datasets"].values() for row in rows if "year" in row]
    assert years and min(years) >= REPORT_FIRST_YEAR
    # the observed 2019 value far below its neighbours is told in its figure's caption
    caption = chapters.indicator_caption(report, report.catalogue.indicator(
        "fou_utgifter_hogskola"))
    assert "Det observerade värdet 2019, 2\u00a0061, skiljer sig starkt" in caption
    assert "Det observerade värdet" not in chapters.indicator_caption(report, ind)


def test_chapter_texts_keep_a_paragraph_on_one_line():
    """The pages get a text as written: a paragraph broken over lines in book/texts would
    be broken on the page (only fenced blocks and tables take more than one line)."""
    from ecoreport.report.texts import load_texts

    for key, body in load_texts("chapters").items():
        for block in body.split("\n\n"):
            assert "\n" not in block or block.startswith(("```", "|")), key


def test_unknown_trend_methods_and_claims_read_as_they_are():
    assert chapters.se_method_text("ols") == "vanliga OLS-standardfel"
    assert chapters.claim_text("not_significant") == "inte statistiskt säker"
    assert chapters.se_method_text("bootstrap_x") == "bootstrap_x"
    assert chapters.claim_text("new_claim") == "new_claim"
