"""Catalogue: the real indicators.yaml/sources.yaml against the schema, and broken inputs."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
import yaml

from ecoreport.data.catalogue import (
    METRIC_DIMENSIONS,
    CatalogueError,
    UnknownIndicatorError,
    load_catalogue,
)
from ecoreport.errors import DataError, DataValidationError

# Every indicator of the model report's chapter 2.1 plus the context series.
EXPECTED_IDS = {
    "teknologi": ["innovationsarbete", "avancerad_teknik", "systematisk_innovationsledning"],
    "fou": ["fou_andel_brp", "fou_utgifter_foretag", "fou_utgifter_offentlig",
            "fou_utgifter_hogskola", "forskningssamarbeten", "publikationer",
            "fou_arsverken_privat", "doktorsexamina", "studenter", "patentansokningar_prv",
            "patentansokningar_pct", "varumarkesansokningar", "designansokningar",
            "licensintakter"],
    "humankapital": ["kunskapsintensiva_jobb_antal", "kunskapsintensiva_jobb_andel",
                     "eftergymnasial_3ar_andel", "stem_andel", "utbildningsmatchning_andel",
                     "kompetensutveckling", "yrkescertifieringar",
                     "rekrytering_nyckelkompetens"],
    "entreprenorskap": ["tea", "nystartade_foretag", "konkurser", "snabbvaxare_anstallda",
                        "snabbvaxare_omsattning", "anvandardriven_innovation"],
    "affarsstod": ["inkubatorforetag", "inkubatorforetag_lonsamhet", "exportsamverkan"],
    "aktorer_kopplingar": ["intermediarer", "natverksmedlemskap", "samagda_strukturer",
                           "natverksevent"],
    "finansiellt_kapital": ["aktiva_riskkapitalbolag", "riskkapital_investeringar",
                            "sadd_andel", "utlandsagda_arbetsstallen", "almi_lan",
                            "innovationsbidrag"],
    "infrastruktur": ["lokaler_kvm", "transport_nojdhet", "bredband_1gbit_andel",
                      "mobil_30mbit_yta"],
    "legal_regulatorisk": ["skatteincitament_fou", "regionalt_innovationsstod",
                           "regionalt_innovationsstod_nojdhet", "innovationsupphandlingar"],
    "kultur": ["radsla_misslyckas", "tvarfunktionella_samarbeten",
               "kunskapsintensiva_arbetskraftsinvandrare", "internationella_forskare"],
    "marknader": ["nya_teknologiprodukter", "innovationer_omsattning", "innovationer_export",
                  "varuexport_per_invanare", "internationaliseringsindex"],
    "kontext": ["befolkning", "befolkning_20_64", "brp", "innovationsindex_reglab",
                "konkurser_uc"],
}
SURVEY_IDS = {
    "innovationsarbete", "avancerad_teknik", "systematisk_innovationsledning",
    "forskningssamarbeten", "licensintakter", "kompetensutveckling", "yrkescertifieringar",
    "rekrytering_nyckelkompetens", "anvandardriven_innovation", "exportsamverkan",
    "intermediarer", "natverksmedlemskap", "samagda_strukturer", "natverksevent",
    "innovationsbidrag", "regionalt_innovationsstod", "regionalt_innovationsstod_nojdhet",
    "tvarfunktionella_samarbeten", "nya_teknologiprodukter", "innovationer_omsattning",
    "innovationer_export",
}


# --- the real catalogue ------------------------------------------------------------------


@pytest.fixture(scope="module")
def real():
    return load_catalogue()


def test_real_catalogue_declares_exactly_the_expected_indicators(real):
    by_dimension = {dim.id: [ind.id for ind in real.indicators_in(dim.id)]
                    for dim in real.dimensions}
    assert by_dimension == EXPECTED_IDS


def test_every_metric_dimension_has_indicators_and_context_is_not_metric(real):
    assert [dim.id for dim in real.metric_dimensions()] == list(METRIC_DIMENSIONS)
    assert all(real.indicators_in(dim_id) for dim_id in METRIC_DIMENSIONS)
    assert real.dimension("kontext").metric is False


def test_survey_items_are_shares_of_firms_with_categories(real):
    assert {ind.id for ind in real.indicators_by_kind("survey")} == SURVEY_IDS
    for ind in real.indicators_by_kind("survey"):
        assert ind.unit == "percent_of_firms", ind.id
        assert ind.question_sv and len(ind.categories) >= 2, ind.id
        assert set(ind.favourable_categories) <= set(ind.categories), ind.id
    for ind in real.indicators_by_kind("register"):
        assert ind.categories == () and ind.question_sv is None, ind.id


def test_reference_survey_categories_are_declared(real):
    # A few category texts exactly as the model report's survey figures use them.
    assert "i begränsad utsträckning" in real.indicator("systematisk_innovationsledning").categories
    assert "81-100 procent" in real.indicator("innovationer_omsattning").categories
    assert real.indicator("samagda_strukturer").categories[:3] == ("0", "1", "2")


def test_axis_groups_and_polarity(real):
    groups = real.axis_groups()
    assert "fou_andel_brp" in groups["research"] and "tea" in groups["market"]
    assert not set(groups["research"]) & set(groups["market"])
    assert real.indicator("konkurser").polarity == "higher_is_worse"
    assert real.indicator("radsla_misslyckas").polarity == "higher_is_worse"
    assert real.indicator("konkurser").direction == -1
    assert real.indicator("befolkning").polarity == "neutral"


def test_helpers_read_titles_units_and_citations(real):
    assert real.title("fou_andel_brp") == "Utgifter för egen FoU som andel av BRP"
    assert real.unit_label("brp") == "mnkr"
    assert real.unit("transport_nojdhet").min == 1 and real.unit("transport_nojdhet").max == 6
    assert real.unit("tea").min == 0 and real.unit("tea").max == 100  # implied by 'share'
    assert real.citation("brp") == "SCB, regionalräkenskaperna"
    assert real.source("nystartade_foretag").producer.endswith("(Tillväxtanalys)")
    assert real.sources["synthetic"].producer == "ecoreport"


def test_api_mappings_are_declared_for_kolada_and_scb(real):
    assert real.indicator("fou_utgifter_foretag").api["kpi"] == "N85085"
    assert real.indicator("brp").api["dataset"] == "nama_10r_3gdp"
    assert real.indicator("befolkning").api["service"] == "scb"
    # every declared fetch path says where its ids were confirmed
    apis = [indicator.api for indicator in real.indicators.values() if indicator.api]
    assert len(apis) == 11 and all(api["confirmed_by"].strip() for api in apis)
    continuation = real.indicator("befolkning").api["continued_by"]
    assert continuation["table"] == "BE/BE0101/BE0101A/BefolkningCKM"
    assert continuation["confirmed_by"].strip()
    assert real.indicator("brp").api["source"] == "eurostat_brp"


def test_unknown_indicator_suggests_close_ids(real):
    with pytest.raises(UnknownIndicatorError) as info:
        real.indicator("konkurs")
    assert str(info.value) == ("unknown indicator 'konkurs': not declared in indicators.yaml;"
                               " did you mean 'konkurser', 'konkurser_uc'?")
    assert isinstance(info.value, KeyError)
    with pytest.raises(KeyError):
        real.indicators_in("ekonomi")


# --- broken inputs -------------------------------------------------------------------------

MINIMAL_SOURCES = {
    "scb_test": {"producer": "SCB", "title": "Testtabell", "table": "T1",
                 "url": "https://www.scb.se/", "licence": "CC0 1.0",
                 "retrieved": "2024-05-01", "citation_sv": "SCB"},
}


def _minimal_indicators() -> dict:
    dims = [{"id": dim_id, "order": n, "name_sv": dim_id.title(), "name_en": dim_id,
             "description_sv": "Beskrivning."} for n, dim_id in enumerate(METRIC_DIMENSIONS, 1)]
    register = {"id": "tea", "name_sv": "TEA", "name_en": "TEA", "description_sv": "Andel.",
                "description_en": "Share.", "dimension": "entreprenorskap",
                "unit": "percent", "source": "scb_test", "polarity": "higher_is_better",
                "decimals": 1, "kind": "register", "normalise": "none", "axis": "market"}
    survey = {"id": "natverksevent", "name_sv": "Nätverksevent", "name_en": "Events",
              "description_sv": "Andel.", "description_en": "Share.",
              "dimension": "aktorer_kopplingar", "unit": "percent", "source": "scb_test",
              "polarity": "higher_is_better", "decimals": 0, "kind": "survey",
              "normalise": "none", "axis": None, "question_sv": "Deltog ni?",
              "categories": ["ja", "nej"], "favourable_categories": ["ja"]}
    return {"units": {"percent": {"label_sv": "procent", "short_sv": "%",
                                  "label_en": "percent", "kind": "share"}},
            "dimensions": dims, "indicators": [register, survey]}


def _write(tmp_path: Path, indicators: dict | str, sources: dict | str = MINIMAL_SOURCES
           ) -> Path:
    for name, doc in (("indicators.yaml", indicators), ("sources.yaml", sources)):
        text = doc if isinstance(doc, str) else yaml.safe_dump(doc, allow_unicode=True,
                                                               sort_keys=False)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _changed(change) -> dict:
    doc = copy.deepcopy(_minimal_indicators())
    change(doc)
    return doc


def _broken(tmp_path: Path, change) -> str:
    with pytest.raises(DataError) as info:
        load_catalogue(_write(tmp_path, _changed(change)))
    return str(info.value)


def test_minimal_catalogue_loads(tmp_path):
    catalogue = load_catalogue(_write(tmp_path, _minimal_indicators()))
    assert list(catalogue.indicators) == ["tea", "natverksevent"]
    assert catalogue.sources["scb_test"].retrieved == "2024-05-01"
    assert catalogue.axis_groups() == {"research": [], "market": ["tea"]}


def test_unknown_unit_names_file_indicator_field_value_and_expectation(tmp_path):
    def change(doc):
        doc["indicators"][0]["unit"] = "procent"
    assert _broken(tmp_path, change) == (
        "indicators.yaml: indicator 'tea', field 'unit': 'procent' is not declared "
        "(did you mean 'percent'?); "
        "expected one of the units declared under 'units:'")


def test_unknown_source_suggests_the_close_id(tmp_path):
    def change(doc):
        doc["indicators"][0]["source"] = "scb_tset"
    assert _broken(tmp_path, change) == (
        "indicators.yaml: indicator 'tea', field 'source': 'scb_tset' is not declared "
        "(did you mean 'scb_test'?); expected one of the source ids declared in sources.yaml")


def test_decimals_out_of_range(tmp_path):
    def change(doc):
        doc["indicators"][0]["decimals"] = 5
    assert _broken(tmp_path, change) == (
        "indicators.yaml: indicator 'tea', field 'decimals': 5 is not a number of decimals; "
        "expected a whole number from 0 to 4")


def test_axis_must_be_research_market_or_null(tmp_path):
    def change(doc):
        doc["indicators"][0]["axis"] = "both"
    assert _broken(tmp_path, change) == (
        "indicators.yaml: indicator 'tea', field 'axis': 'both' is not allowed; "
        "expected one of: research, market, null")


def test_survey_item_without_categories(tmp_path):
    def change(doc):
        del doc["indicators"][1]["categories"]
        del doc["indicators"][1]["favourable_categories"]
    assert _broken(tmp_path, change) == (
        "indicators.yaml: indicator 'natverksevent', field 'categories': None is not a list "
        "of answer categories; expected a non-empty list of answer texts in display order "
        "(quote numbers, e.g. \"0\")")


def test_favourable_category_must_be_a_category(tmp_path):
    def change(doc):
        doc["indicators"][1]["favourable_categories"] = ["yes"]
    assert _broken(tmp_path, change) == (
        "indicators.yaml: indicator 'natverksevent', field 'favourable_categories': 'yes' is "
        "not one of the categories; expected a subset of: ja, nej")


def test_missing_field_and_misspelt_field(tmp_path):
    def change(doc):
        doc["indicators"][0]["decimal"] = doc["indicators"][0].pop("decimals")
    message = _broken(tmp_path, change)
    assert message.startswith("2 data error(s):")
    assert ("indicators.yaml: indicator 'tea', field 'decimal': unknown field "
            "(did you mean 'decimals'?)") in message
    assert "indicators.yaml: indicator 'tea', field 'decimals': missing" in message


def test_duplicate_indicator_id(tmp_path):
    def change(doc):
        doc["indicators"][1]["id"] = "tea"
        doc["indicators"][1]["kind"] = "register"
        for name in ("question_sv", "categories", "favourable_categories"):
            del doc["indicators"][1][name]
    assert _broken(tmp_path, change) == (
        "indicators.yaml: indicator 'tea', field 'id': declared twice; "
        "expected unique indicator ids")


def test_missing_metric_dimension(tmp_path):
    def change(doc):
        doc["dimensions"] = [d for d in doc["dimensions"] if d["id"] != "kultur"]
    assert _broken(tmp_path, change) == (
        "indicators.yaml: METRIC dimension 'kultur' is missing; expected all "
        "11 METRIC dimensions: " + ", ".join(METRIC_DIMENSIONS))


def test_score_unit_needs_a_scale(tmp_path):
    def change(doc):
        doc["units"]["betyg"] = {"label_sv": "betyg", "short_sv": "betyg",
                                 "label_en": "rating", "kind": "score", "min": 1}
    assert _broken(tmp_path, change) == (
        "indicators.yaml: unit 'betyg', field 'max': a score needs an explicit scale; "
        "expected min and max, e.g. 1 and 6")


def test_duplicate_source_key_is_refused(tmp_path):
    entry = ("  producer: SCB\n  title: T\n  table: T1\n  url: null\n  licence: CC0\n"
             "  retrieved: null\n  citation_sv: SCB\n")
    sources = f"scb_test:\n{entry}scb_test:\n{entry}"
    with pytest.raises(DataError) as info:
        load_catalogue(_write(tmp_path, _minimal_indicators(), sources))
    assert str(info.value).startswith("sources.yaml: not valid YAML:")
    assert "duplicate key 'scb_test'" in str(info.value)


def test_bad_retrieved_date_in_sources(tmp_path):
    sources = copy.deepcopy(MINIMAL_SOURCES)
    sources["scb_test"]["retrieved"] = "maj 2024"
    with pytest.raises(CatalogueError) as info:
        load_catalogue(_write(tmp_path, _minimal_indicators(), sources))
    assert str(info.value) == (
        "sources.yaml: source 'scb_test', field 'retrieved': 'maj 2024' is not a date; "
        "expected an ISO date (YYYY-MM-DD) or null")


def test_several_errors_are_reported_together(tmp_path):
    def change(doc):
        doc["indicators"][0]["polarity"] = "up"
        doc["indicators"][1]["normalise"] = "per_firm"
    with pytest.raises(DataValidationError) as info:
        load_catalogue(_write(tmp_path, _changed(change)))
    assert len(info.value.issues) == 2
    assert "indicator 'tea', field 'polarity': 'up' is not allowed" in str(info.value)
    assert "indicator 'natverksevent', field 'normalise'" in str(info.value)


def test_cache_returns_same_object_until_the_file_changes(tmp_path):
    path = _write(tmp_path, _minimal_indicators())
    first = load_catalogue(path)
    assert load_catalogue(path) is first
    doc = _minimal_indicators()
    doc["indicators"][0]["name_sv"] = "Tidig entreprenöriell aktivitet"
    _write(tmp_path, doc)
    stat = (tmp_path / "indicators.yaml").stat()
    # Force a different mtime even on coarse-grained file systems.
    os.utime(tmp_path / "indicators.yaml", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert load_catalogue(path).title("tea") == "Tidig entreprenöriell aktivitet"


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(DataError, match="indicators.yaml: file not found"):
        load_catalogue(tmp_path)


# --- the declared schema (ecoreport.data.schema) -------------------------------------------


@pytest.mark.parametrize("name", ["<b>TEA</b>", "TEA `code`", "TEA {sub-ref}`today`",
                                  "```{raw} html", "a > b"])
def test_markup_in_a_name_is_refused_when_loading(tmp_path, name):
    def change(doc):
        doc["indicators"][0]["name_sv"] = name
    message = _broken(tmp_path, change)
    assert message.startswith(f"indicators.yaml: indicator 'tea', field 'name_sv': {name!r} "
                              "contains markup")
    assert message.endswith("expected plain text without <, >, backticks or MyST {role} syntax")


def test_markup_in_a_unit_label_and_a_category_is_refused(tmp_path):
    def change(doc):
        doc["units"]["percent"]["short_sv"] = "<i>%</i>"
        doc["indicators"][1]["categories"] = ["ja", "nej`"]
        doc["indicators"][1]["favourable_categories"] = []
    message = _broken(tmp_path, change)
    assert "unit 'percent', field 'short_sv': '<i>%</i>' contains markup" in message
    assert "indicator 'natverksevent', field 'categories': 'nej`' contains markup" in message


def test_plain_punctuation_in_names_is_accepted(tmp_path):
    def change(doc):
        doc["indicators"][0]["name_sv"] = "TEA (andel, %) – 18–64 år {ej roll}"
    assert load_catalogue(_write(tmp_path, _changed(change))).title("tea").startswith("TEA")


def test_api_is_a_union_by_service(tmp_path):
    def change(doc):
        doc["indicators"][0]["api"] = {"service": "ukä", "dataset": "x"}
    assert _broken(tmp_path, change) == (
        "indicators.yaml: indicator 'tea', field 'api.service': 'ukä' is not a "
        "supported API service; expected one of: scb, scb_v1, kolada, eurostat, "
        "tillvaxtanalys")

    def change_unconfirmed(doc):
        doc["indicators"][0]["api"] = {"service": "eurostat", "dataset": "rd_e_gerdreg"}
    assert "field 'api.confirmed_by'" in _broken(tmp_path, change_unconfirmed)

    def change_kolada(doc):
        doc["indicators"][0]["api"] = {"service": "kolada", "kpi": "85085",
                                       "municipality": "00{region_code}", "sum_over": []}
    message = _broken(tmp_path, change_kolada)
    assert ("indicator 'tea', field 'api.kpi': '85085' is not a Kolada KPI id; "
            "expected an id like 'N85085'") in message
    assert "field 'api.sum_over': unknown field" in message


def test_valid_api_entries_are_kept_as_written(tmp_path):
    api = {"service": "scb", "table": "TAB638",
           "selection": {"Region": "{region_code}", "Tid": ["2020", "2021"]},
           "value_code": "BE0101N1", "confirmed_by": "rOpenGov/pxweb vignettes/pxweb.html"}

    def change(doc):
        doc["indicators"][0]["api"] = api
    assert load_catalogue(_write(tmp_path, _changed(change))).indicator("tea").api == api


def test_method_break_is_an_optional_year(tmp_path):
    def change(doc):
        doc["indicators"][0]["method_break"] = 2010
    assert load_catalogue(_write(tmp_path, _changed(change))).indicator("tea").method_break \
        == 2010

    def change_bad(doc):
        doc["indicators"][0]["method_break"] = "2010"
    assert _broken(tmp_path, change_bad) == (
        "indicators.yaml: indicator 'tea', field 'method_break': '2010' is not a year; "
        "expected a year such as 2010, or nothing")


def test_entry_that_is_not_a_mapping(tmp_path):
    def change(doc):
        doc["indicators"][1] = "natverksevent"
    assert _broken(tmp_path, change).startswith(
        "indicators.yaml: indicator 2: not a mapping (value 'natverksevent'); expected a "
        "mapping with fields id, name_sv")


def test_context_indicators_are_those_of_a_dimension_with_metric_false(real):
    context = {i for i in real.indicators if real.is_context(i)}
    assert context == {i.id for d in real.dimensions if not d.metric
                       for i in real.indicators_in(d.id)}
    assert "befolkning" in context and "tea" not in context


def test_markup_in_a_source_citation_is_refused(tmp_path):
    sources = copy.deepcopy(MINIMAL_SOURCES)
    sources["scb_test"]["citation_sv"] = "SCB {sub-ref}`today`"
    with pytest.raises(CatalogueError, match=r"sources.yaml: source 'scb_test', field "
                                             r"'citation_sv': .* contains markup"):
        load_catalogue(_write(tmp_path, _minimal_indicators(), sources))


def test_counted_words_proper_names_singular_units_and_swedish_licences(tmp_path):
    def change(doc):
        doc["units"]["persons"] = {"label_sv": "antal personer", "short_sv": "personer",
                                   "singular_sv": "person", "label_en": "persons",
                                   "kind": "count"}
        doc["indicators"][0].update(unit="persons", name_sv="Almis lån",
                                    counted_sv={"one": "ansökan", "many": "ansökningar"},
                                    proper_name=True)
    sources = {"scb_test": {**MINIMAL_SOURCES["scb_test"], "licence_sv": "CC0 1.0 (öppna data)"}}
    catalogue = load_catalogue(_write(tmp_path, _changed(change), sources))
    indicator = catalogue.indicator("tea")
    assert indicator.counted_sv == ("ansökan", "ansökningar") and indicator.proper_name
    assert catalogue.units["persons"].singular_sv == "person"
    assert catalogue.sources["scb_test"].licence_sv == "CC0 1.0 (öppna data)"
    survey = catalogue.indicator("natverksevent")
    assert survey.counted_sv is None and survey.proper_name is False


def test_a_unit_that_is_not_an_id_is_an_error_not_a_traceback(tmp_path):
    for value in ({}, ["percent"]):
        def change(doc, value=value):
            doc["indicators"][1]["unit"] = value
        message = _broken(tmp_path, change)
        assert "indicator 'natverksevent', field 'unit':" in message
        assert "is not an id; expected a unit id" in message


def test_counted_words_need_both_forms(tmp_path):
    def change(doc):
        doc["indicators"][0]["counted_sv"] = {"one": "ansökan"}
    assert "counted_sv" in _broken(tmp_path, change)


def test_real_catalogue_names_what_counts_count(real):
    for indicator in real.indicators.values():
        if real.units[indicator.unit].short_sv == "antal" and indicator.normalise != "none":
            assert indicator.counted_sv, indicator.id  # else "6 år 2013" reads as years
    assert real.indicator("almi_lan").proper_name


# --- survey design and bases ----------------------------------------------------------------

SURVEY_DESIGN = {"region_code": "24", "period": "2024",
                 "population_sv": "alla företag med minst en anställd",
                 "population_size": 4979, "sample_sv": "stratifierat urval",
                 "sample_size": 2000, "answers": 305, "fieldwork_start": "2024-05-13",
                 "fieldwork_end": "2024-06-05", "collector": "Verian",
                 "weighting_sv": None,
                 "innovating_filter": {"item": "natverksevent", "category": "ja"},
                 "reference_sv": "rapporten, avsnitt 6"}


def _with_survey(**changes) -> dict:
    sources = copy.deepcopy(MINIMAL_SOURCES)
    sources["scb_test"]["survey"] = {**SURVEY_DESIGN, **changes}
    return sources


def test_real_survey_design_and_bases(real):
    design = real.sources["nle_2024"].survey
    assert (design.population_size, design.sample_size, design.answers) == (4979, 2000, 305)
    assert (design.fieldwork_start, design.fieldwork_end) == ("2024-05-13", "2024-06-05")
    assert design.collector == "Verian" and design.weighting_sv is None
    assert round(design.response_rate, 3) == 0.152
    assert (design.innovating_filter.item, design.innovating_filter.category) == (
        "innovationsarbete", "ja")
    innovating = {i.id for i in real.indicators_by_kind("survey") if i.base == "innovating_firms"}
    assert innovating == {"systematisk_innovationsledning", "intermediarer"}
    assert real.indicator("fou_andel_brp").base == "all_firms"


def test_survey_design_loads_and_defaults(tmp_path):
    catalogue = load_catalogue(_write(tmp_path, _minimal_indicators(), _with_survey()))
    design = catalogue.sources["scb_test"].survey
    assert design.answers == 305 and design.innovating_filter.item == "natverksevent"
    assert catalogue.indicator("natverksevent").base == "all_firms"


def test_survey_design_errors_name_the_nested_field(tmp_path):
    with pytest.raises(CatalogueError) as info:
        load_catalogue(_write(tmp_path, _minimal_indicators(), _with_survey(answers=3000)))
    assert str(info.value) == (
        "sources.yaml: source 'scb_test', field 'survey.answers': 3000 answers from a sample "
        "of 2000; expected answers not above sample_size")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(_write(tmp_path, _minimal_indicators(), _with_survey(weighting="nej")))
    assert "field 'survey.weighting': unknown field (did you mean 'weighting_sv'?)" in str(
        info.value)


def test_survey_filter_must_name_a_survey_item_and_its_category(tmp_path):
    with pytest.raises(CatalogueError) as info:
        load_catalogue(_write(tmp_path, _minimal_indicators(), _with_survey(
            innovating_filter={"item": "natverksevnt", "category": "ja"})))
    assert str(info.value) == (
        "sources.yaml: source 'scb_test', field 'survey.innovating_filter.item': "
        "'natverksevnt' is not a survey item of indicators.yaml (did you mean "
        "'natverksevent'?); expected a survey item id")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(_write(tmp_path, _minimal_indicators(), _with_survey(
            innovating_filter={"item": "natverksevent", "category": "yes"})))
    assert "not an answer category of 'natverksevent'; expected one of: ja, nej" in str(
        info.value)


def test_base_is_survey_only_and_from_the_vocabulary(tmp_path):
    def register_base(doc):
        doc["indicators"][0]["base"] = "all_firms"
    assert "only survey items have this field" in _broken(tmp_path, register_base)

    def unknown_base(doc):
        doc["indicators"][1]["base"] = "innovators"
    assert _broken(tmp_path, unknown_base) == (
        "indicators.yaml: indicator 'natverksevent', field 'base': 'innovators' is not "
        "allowed; expected one of: all_firms, innovating_firms")
