"""The survey in the report (report.survey): every question with its answers, base and
margin of error, bars that add up to 100 %, claims only where the intervals allow them,
the survey's method, and data text escaped."""

from __future__ import annotations

import dataclasses
import re

import pytest

from ecoreport.analysis import survey as estimates
from ecoreport.analysis.results import open_report
from ecoreport.report import appendix
from ecoreport.report import chapters
from ecoreport.report import survey
from ecoreport.report.charts.survey import survey_chart, survey_table


@pytest.fixture(scope="module")
def report():
    return open_report("24", 2024)


def _results(report, item):
    return survey.question_results(report, report.catalogue.indicator(item))


def test_every_question_has_its_base_and_bars_adding_to_100(report):
    for indicator in survey.survey_items(report):
        (period, result), = _results(report, indicator.id)
        assert period == "2024"
        assert result.base.n in (305, 104)
        assert result.margin_pct in (pytest.approx(5.61, abs=0.01),
                                     pytest.approx(9.61, abs=0.01))
        # stated categories + remainder = 100; all stated: rounding of the source only
        assert abs(result.total_pct - 100) <= (0 if result.remainder else 1.5), indicator.id


def test_one_stated_category_gives_two_bars(report):
    (_, result), = _results(report, "nya_teknologiprodukter")
    frame = survey.estimates_frame([("2024", result)])
    assert list(frame["category"]) == ["inga", survey.REMAINDER_LABEL]
    assert list(frame["share_pct"]) == [72, 28]
    assert list(frame["remainder"]) == [False, True]


def test_innovating_base_is_derived_and_said(report):
    text = survey.question_markdown(report, report.catalogue.indicator(
        "systematisk_innovationsledning"))
    assert ("*Underlag:* cirka 104 svar, företag som arbetar med innovation (härlett: "
            "34\u00a0% av 305 svarande); felmarginal högst ±9,6 procentenheter.") in text
    everyone = survey.question_markdown(report, report.catalogue.indicator("natverksevent"))
    assert "*Underlag:* 305 svar, alla företag; felmarginal högst ±5,6 procentenheter." \
        in everyone


def test_claims_follow_the_intervals(report):
    def text(item):
        return survey.question_markdown(report, report.catalogue.indicator(item))
    # 58 % against 34 % and 8 %: a clear leader
    assert "Vanligast är svaret ”nej”: 58\u00a0% (95 % konfidensintervall 52–63\u00a0%)" in text(
        "innovationsarbete")
    # 48 % against 44 %: overlapping intervals, no claim either way
    membership = text("natverksmedlemskap")
    assert "inte statistiskt säker" in membership and "Vanligast" not in membership
    # a large unstated remainder: no "most common" answer
    certificates = text("yrkescertifieringar")
    assert "går det inte att säga vilket svar som är vanligast" in certificates
    assert "klart vanligare än ”inget behov”" in certificates
    # one stated category: its share and interval, nothing compared
    grants = text("innovationsbidrag")
    assert grants.count("22\u00a0% svarade ”ja” (95 % konfidensintervall 18–27\u00a0%)") == 1
    assert "återstående 78\u00a0% visas tillsammans som ”ej redovisat i källan”" in grants


def test_chart_has_intervals_every_category_and_a_grey_remainder(report):
    frame = survey.estimates_frame(_results(report, "samagda_strukturer"))
    spec = survey_chart(frame, "Samägda strukturer").to_dict()
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
             for layer in spec["layer"]]
    assert marks == ["bar", "rule", "text"]
    assert spec["layer"][1]["encoding"]["x2"]["field"] == "high_pct"
    assert "#b0b0b0" in str(spec["layer"][0]["encoding"]["color"])
    titles = [t["title"] for t in spec["layer"][0]["encoding"]["tooltip"]]
    assert titles == ["Svar", "Andel", "95 % konfidensintervall", "Underlag", "År"]
    table = survey_table(frame)
    assert list(table["Svarsalternativ"]) == ["0", "1", "2", survey.REMAINDER_LABEL]
    assert table["95 % konfidensintervall, nedre gräns (%)"].notna().all()
    assert set(table["Underlag"]) == {"305 svar, alla företag"}


def test_without_a_declared_design_no_margin_and_no_claim(report):
    sources = dict(report.catalogue.sources)
    sources["nle_2024"] = sources["nle_2024"].model_copy(update={"survey": None})
    catalogue = dataclasses.replace(report.catalogue, sources=sources)
    bare = dataclasses.replace(report, dataset=dataclasses.replace(report.dataset,
                                                                   catalogue=catalogue))
    text = survey.question_markdown(bare, bare.catalogue.indicator("innovationsarbete"))
    assert "antalet svar anges inte i data" in text and "Vanligast" not in text
    assert "anges inte i data" in survey.method_markdown(bare)


def test_survey_chapter_method_and_overview(report):
    method = survey.method_markdown(report)
    for fact in ("(N = 4\u00a0979)", "2\u00a0000 företag", "1\u00a0740 i huvudurvalet",
                 "305 svar av 2\u00a0000 tillfrågade företag, en svarsfrekvens på 15\u00a0%",
                 "Genomfördes av Verian 13 maj–5 juni 2024", "Källan anger ingen viktning",
                 "Cirka 104 svarande (härlett: 34\u00a0% av 305 svarade ”ja”"):
        assert fact in method, fact
    overview = survey.overview_markdown(report)
    assert len(re.findall(r"\n\| {ref}`[^`<]+ <ind-[a-z0-9_]+>`", overview)) == len(
        survey.survey_items(report))
    assert "| cirka 104 (innovativa) | ±9,6 |" in overview
    assert "| 305 (alla) | ±5,6 |" in overview
    assert "Teknologi och Aktörer och kopplingar är enkäten den enda källan" in \
        chapters.survey_intro_markdown(report)


def test_survey_only_dimensions_read_as_chapters(report):
    intro = chapters.dimension_intro_markdown(report, "teknologi")
    assert intro.startswith("Registerstatistiken har inga mått på dimensionen, så kapitlet "
                            "bygger på näringslivsenkäten: två frågor")
    assert "Enkätsvar saknas för användning av högteknologi" in intro
    assert "{ref}`kapitlet om näringslivsenkäten <enkat-metod>`" in intro
    assert "fyra frågor" in chapters.dimension_intro_markdown(report, "aktorer_kopplingar")


def test_appendix_and_sources_describe_the_survey(report):
    text = appendix.survey_markdown(report.dataset.survey, report.catalogue, report.region)
    assert "Enkät 2024: 305 svar av 2\u00a0000 tillfrågade (15\u00a0%)" in text
    assert "insamlat av Verian 13 maj–5 juni 2024; ingen viktning anges" in text
    sources = appendix.sources_markdown(report.catalogue)
    assert "ur en population om 4\u00a0979 företag" in sources


def test_data_text_is_escaped(report):
    # model_copy does not validate: the text the schema would refuse reaches the renderer
    indicator = report.catalogue.indicator("innovationsbidrag").model_copy(update={
        "question_sv": "Fråga <script>x</script> {sub-ref}`today`",
        "categories": ("ja", "nej <b>", "osäker")})
    result = estimates.question_result(indicator.categories, {"ja": 22},
                                       estimates.Base("all_firms", 305))
    sentence = survey.remainder_sentence(result)
    assert "<b>" not in sentence and "nej" in sentence
    design = report.catalogue.sources["nle_2024"].survey.model_copy(update={
        "mode_sv": "brev <script>alert(1)</script>", "collector": "Verian {sub-ref}`today`"})
    table = survey.method_table(report, design)
    assert "<script>" not in table and "{sub-ref}`" not in table


def test_dates_in_swedish():
    assert survey.date_text("2024-05-13", "2024-06-05") == "13 maj–5 juni 2024"
    assert survey.date_text("2024-05-02", "2024-05-30") == "2–30 maj 2024"
    assert survey.date_text("2023-12-01", "2024-01-15") == "1 december 2023–15 januari 2024"
    assert survey.date_text(None, "2024-01-15") == ""


def test_reproducibility_names_the_survey_data_and_design(report):
    text = appendix.survey_provenance_markdown(report)
    assert text.startswith("### Enkäten")
    assert "källa `nle_2024`: Region Västerbotten, näringslivsenkäten 2024 (Verian)" in text
    assert "står under `survey:` för källan i `sources.yaml`" in text
    assert appendix.survey_provenance_markdown(open_report("01", 2024)) == ""
