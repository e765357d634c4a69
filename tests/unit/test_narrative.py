"""Swedish sentences generated from results: exact strings, so wording changes are reviewed."""

from types import SimpleNamespace

import pytest

from ecoreport.report.narrative import (
    PHRASES,
    classify_change,
    describe_change,
    describe_correlation,
    describe_dimension_strengths,
    describe_pca_position,
    describe_rank,
    describe_synthetic_share,
    describe_trend,
    describe_vs_reference,
    join_sv,
    lower_first,
    make_subject,
    mark_synthetic,
)

NB = "\u00a0"
MINUS = "\u2212"
FOU = "FoU-utgifter som andel av BRP"
POSITIVE = ", vilket är en positiv utveckling för innovationsförmågan."
NEGATIVE = ", vilket är en negativ utveckling för innovationsförmågan."


def test_falling_share_with_significant_trend_is_negative_when_higher_is_better():
    text = describe_change(FOU, "procent", "2013", 3.48, "2023", 2.15, 2,
                           polarity="higher_is_better", p_value=0.002, slope=-0.12)
    assert text == ("FoU-utgifterna som andel av BRP har minskat från 3,48 procent 2013 "
                    "till 2,15 procent 2023" + NEGATIVE)


def test_rising_share_is_positive():
    text = describe_change("Andel med eftergymnasial utbildning", "procent", "2013", 27.0,
                           "2023", 32.8, 1, polarity="higher_is_better", p_value=0.001, slope=0.6)
    assert text == ("Andelen med eftergymnasial utbildning har ökat från 27,0 procent 2013 "
                    "till 32,8 procent 2023" + POSITIVE)


def test_rising_bankruptcies_are_negative():
    text = describe_change("Antal konkurser", "", "2013", 412, "2023", 530, 0,
                           polarity="higher_is_worse", p_value=0.01, slope=11.0)
    assert text == "Antalet konkurser har ökat från 412 under 2013 till 530 under 2023" + NEGATIVE


def test_falling_bankruptcies_are_positive():
    text = describe_change("Antal konkurser", "", "2013", 530, "2023", 412, 0,
                           polarity="higher_is_worse")
    assert text.endswith(POSITIVE)


def test_neutral_polarity_has_no_verdict():
    text = describe_change("Befolkning", "", "2013", 262_362, "2023", 278_729, 0,
                           polarity="neutral", p_value=0.0001, slope=1600.0)
    assert text == f"Befolkningen har ökat från 262{NB}362 under 2013 till 278{NB}729 under 2023."


def test_non_significant_change_is_hedged_and_not_judged():
    text = describe_change("Antal personår inom FoU", "personår", "2013", 677, "2023", 601, 0,
                           polarity="higher_is_better", p_value=0.31, slope=-4.0)
    assert text == ("Antalet personår inom FoU har minskat från 677 personår 2013 till "
                    "601 personår 2023, men trenden över perioden är inte statistiskt säker.")


def test_significant_trend_against_endpoints_is_said_and_not_judged():
    text = describe_change("Antal publikationer", "", "2013", 4000, "2023", 3671, 0,
                           polarity="higher_is_better", p_value=0.01, slope=25.0)
    assert text == (f"Antalet publikationer har minskat från 4{NB}000 under 2013 till 3{NB}671 "
                    "under 2023, men trenden över hela perioden pekar uppåt.")


def test_unchanged_when_displayed_values_are_equal():
    text = describe_change("Andel kvinnor", "procent", "2013", 61.2, "2023", 60.8, 0,
                           polarity="higher_is_better", p_value=0.6, slope=-0.01)
    assert text == ("Andelen kvinnor ligger kvar på 61 procent 2023, samma nivå som 2013, "
                    "och det finns ingen tydlig trend över perioden.")


def test_unchanged_when_relative_change_below_one_percent():
    text = describe_change("Andel kvinnor", "procent", "2013", 61.0, "2023", 61.4, 1,
                           polarity="higher_is_better")
    assert text == ("Andelen kvinnor ligger kvar på ungefär samma nivå: 61,0 procent 2013 "
                    "och 61,4 procent 2023.")


def test_unchanged_endpoints_with_significant_trend_mention_the_trend():
    text = describe_change("Andel kvinnor", "procent", "2013", 61.0, "2023", 61.4, 1,
                           p_value=0.01, slope=0.05)
    assert text.endswith(", men över hela perioden finns en statistiskt säker uppåtgående trend.")


def test_multi_year_periods_use_en_dash():
    text = describe_change("Antal patentansökningar", "ansökningar", "2014-2017", 120,
                           "2018-2021", 150, 0, polarity="higher_is_better")
    assert text == ("Antalet patentansökningar har ökat från 120 ansökningar under 2014–2017 "
                    "till 150 ansökningar under 2018–2021" + POSITIVE)


def test_synthetic_values_are_marked_where_they_are_stated():
    text = describe_change(FOU, "procent", "2013", 3.48, "2023", 2.15, 2,
                           polarity="higher_is_better", last_is_synthetic=True)
    assert "3,48 procent 2013 till 2,15 procent 2023 (syntetiskt värde), vilket" in text
    assert text.count("syntetiskt värde") == 1


def test_single_observation_makes_no_trend_claim():
    text = describe_change("Andel innovativa företag", "procent", "2024", 34.0, "2024", 34.0, 0,
                           polarity="higher_is_better", last_is_synthetic=True)
    assert text == ("Endast ett värde finns (2024): andelen innovativa företag var 34 procent "
                    "(syntetiskt värde), så utvecklingen över tid kan inte beskrivas.")


def test_one_missing_endpoint_is_a_single_observation():
    text = describe_change("Andel", "procent", "2013", float("nan"), "2023", 5.0, 0)
    assert text.startswith("Endast ett värde finns (2023): andelen var 5 procent")


def test_no_data_says_data_is_missing():
    assert describe_change("Antal konkurser", "", "2013", None, "2023", float("nan"), 0) == (
        "Uppgifter om antalet konkurser saknas för länet.")


def test_negative_values_use_minus_sign():
    text = describe_change("Nettoflyttning", "personer", "2013", -150, "2023", 220, 0)
    assert text == f"Nettoflyttning har ökat från {MINUS}150 personer 2013 till 220 personer 2023."


def test_unknown_polarity_raises():
    with pytest.raises(ValueError, match="polarity"):
        describe_change("Andel", "procent", "2013", 1, "2023", 2, 0, polarity="up")


def test_describe_trend_reads_a_trend_result():
    result = SimpleNamespace(first_period="2013", first_value=3.48, last_period="2023",
                             last_value=2.15, p_value=float("nan"), slope=float("nan"))
    assert describe_trend(FOU, "procent", result, 2, polarity="higher_is_better") == (
        "FoU-utgifterna som andel av BRP har minskat från 3,48 procent 2013 till "
        "2,15 procent 2023" + NEGATIVE)


@pytest.mark.parametrize(("first", "last", "decimals", "expected"), [
    (100.0, 100.9, 1, 0), (100.0, 101.0, 1, 1), (100.0, 98.0, 0, -1), (0.0, 0.4, 0, 0),
    (0.0, 0.4, 1, 1),
])
def test_classify_change(first, last, decimals, expected):
    assert classify_change(first, last, decimals) == expected


def test_rank_sentence():
    assert describe_rank("Andel med eftergymnasial utbildning", "Västerbotten", 7, 21, "2023") == (
        "Västerbotten ligger på plats 7 av 21 län när det gäller andelen med eftergymnasial "
        "utbildning 2023 (plats 1 har det högsta värdet).")


def test_rank_first_and_last_and_synthetic():
    assert describe_rank("Antal konkurser", "Västerbotten", 1, 21, "2023", is_synthetic=True) == (
        "Västerbotten har det högsta värdet av 21 län när det gäller antalet konkurser 2023 "
        "(syntetiskt värde).")
    assert describe_rank("Antal konkurser", "Gotland", 21, 21, "2023", highest_first=False) == (
        "Gotland har det högsta värdet av 21 län när det gäller antalet konkurser 2023.")
    with pytest.raises(ValueError):
        describe_rank("Antal konkurser", "Gotland", 22, 21, "2023")


def test_vs_reference_higher_lower_level():
    assert describe_vs_reference(FOU, "Västerbotten", 2.15, 3.40, "procent", 2, "2023",
                                 polarity="higher_is_better") == (
        "Med 2,15 procent 2023 ligger Västerbotten lägre än riket (3,40 procent), "
        "vilket är en svaghet för länet.")
    assert describe_vs_reference("Andel", "Västerbotten", 32.8, 30.1, "procent", 1, "2023") == (
        "Med 32,8 procent 2023 ligger Västerbotten högre än riket (30,1 procent).")
    assert describe_vs_reference("Antal konkurser", "Västerbotten", 10.2, 10.0, "", 1, "2023",
                                 polarity="higher_is_worse", is_synthetic=True,
                                 reference_is_synthetic=True) == (
        "Med 10,2 (syntetiskt värde) 2023 ligger Västerbotten i nivå med riket "
        "(10,0, syntetiskt värde).")


def test_vs_reference_missing():
    assert describe_vs_reference("Andel", "Västerbotten", None, 3.0, "procent", 1, "2023") == (
        "Det går inte att jämföra Västerbotten med riket för andelen 2023 eftersom "
        "uppgifter saknas.")


def test_pca_position_and_drift():
    text = describe_pca_position("Västerbotten", ["2013", "2018", "2023"], [-1.4, -0.9, -0.2],
                                 explained_variance_pct=46.3, is_synthetic=[False, True, False])
    assert text == (
        "År 2023 ligger Västerbotten nära mitten av axeln, vilket betyder att "
        "innovationssystemet varken är tydligt forskningsdrivet eller marknadsdrivet. "
        "Sedan 2013 har länet rört sig åt höger, mot mer marknadsdriven innovation. "
        "Axeln fångar 46 procent av variationen i indikatorerna. "
        "Positionen för 2018 bygger på syntetiska värden.")


def test_pca_position_left_single_period():
    assert describe_pca_position("Västerbotten", ["2014-2017"], [-2.0]) == (
        "Perioden 2014–2017 ligger Västerbotten till vänster på axeln, vilket betyder att "
        "innovationssystemet är mer forskningsdrivet än marknadsdrivet.")


@pytest.mark.parametrize(("r", "expected"), [
    (-0.38, f"Det finns ett måttligt negativt samband (r = {MINUS}0,38)."),
    (0.62, "Det finns ett starkt positivt samband (r = 0,62)."),
    (-0.15, f"Det finns ett svagt negativt samband (r = {MINUS}0,15)."),
    (0.04, "Det finns inget tydligt samband (r = 0,04)."),
    (float("nan"), "Sambandet kan inte beräknas eftersom uppgifter saknas."),
])
def test_correlation_wording(r, expected):
    assert describe_correlation(r) == expected


def test_correlation_named_and_not_significant():
    assert describe_correlation(-0.38, FOU, "Antal patentansökningar", p_value=0.2) == (
        "Det finns inget säkert samband mellan FoU-utgifterna som andel av BRP "
        f"och antalet patentansökningar (r = {MINUS}0,38).")
    assert describe_correlation(-0.12, "Forskningsindex", "Marknadsindex",
                                ci=(-0.65, 0.49)) == (
        "Det finns inget säkert samband mellan forskningsindexet och marknadsindexet "
        f"(r = {MINUS}0,12, 95 % konfidensintervall {MINUS}0,65 till 0,49).")
    # an interval clear of zero keeps the strength words
    assert describe_correlation(0.6, ci=(0.2, 0.85)).startswith("Det finns ett starkt positivt")


def test_dimension_strengths():
    assert describe_dimension_strengths(["Humankapital", "FoU", "Kultur"], ["Marknader"]) == (
        "Länets styrkor finns inom humankapital, FoU och kultur, medan svagheterna "
        "främst gäller marknader.")
    assert describe_dimension_strengths([], []) == (
        "Inga dimensioner sticker ut som tydliga styrkor eller svagheter.")


@pytest.mark.parametrize(("share", "start"), [
    (0.38, "38 procent av värdena är observerade; resten är syntetiska"),
    (0.999, "Över 99 procent av värdena är observerade"),
    (0.001, "Under 1 procent av värdena är observerade"),
    (1.0, "Alla värden i rapporten är observerade."),
    (0.0, "Inga värden i rapporten är observerade"),
])
def test_synthetic_share(share, start):
    assert describe_synthetic_share(share).startswith(start)


def test_synthetic_share_rejects_percent():
    with pytest.raises(ValueError, match="fraction"):
        describe_synthetic_share(38)


def test_helpers():
    assert mark_synthetic("3,5 procent", True) == "3,5 procent (syntetiskt värde)"
    assert mark_synthetic("3,5 procent", False) == "3,5 procent"
    assert make_subject("Handel per invånare") == "Handeln per invånare"
    assert make_subject("Nyregistrerade företag") == "Nyregistrerade företag"
    assert lower_first("BRP per invånare") == "BRP per invånare"
    assert lower_first("Teknologi") == "teknologi"
    assert join_sv(["a", "b", "c"]) == "a, b och c"
    assert all(isinstance(v, str) for v in PHRASES.values())


def test_drift_is_claimed_only_on_mostly_observed_indices():
    from ecoreport.report.narrative import describe_drift

    market = describe_drift("significant", 0.12, 0.07, 0.18, 2013, 2024, observed_share=0.8)
    assert market.startswith("Länet har förskjutits mot marknadssidan 2013–2024")
    assert market.endswith("Indexen bygger till 80 procent på observerade värden.")
    research = describe_drift("significant", -0.12, -0.18, -0.07, 2013, 2024)
    assert "mot forskningssidan" in research and "0,12 per år" in research
    # the same significant trend on mostly synthetic indices is no finding about the län
    synthetic = describe_drift("significant", 0.12, 0.07, 0.18, 2013, 2024,
                               observed_share=0.31)
    assert "förskjutits" not in synthetic
    assert "bara till 31 procent på observerade värden" in synthetic
    assert "inget säkert om länet" in synthetic
    none = describe_drift("not_significant", 0.01, -0.05, 0.07, 2013, 2024,
                          observed_share=0.9)
    assert none.startswith("Det finns ingen säker förskjutning")


def test_region_indices_count_observed_cells():
    import pandas as pd

    from ecoreport.analysis.axis import region_indices
    from ecoreport.data.catalogue import load_catalogue
    from ecoreport.data.dataset import load_dataset

    dataset = load_dataset()
    catalogue = load_catalogue()
    indices = region_indices(dataset.values, catalogue, "24", range(2013, 2025))
    assert ((indices["observed_share"] >= 0) & (indices["observed_share"] <= 1)).all()
    # planted: mark every value of the län observed -> every year fully observed
    values = dataset.values.copy()
    values.loc[values["region_code"] == "24", "status"] = "observed"
    planted = region_indices(values, catalogue, "24", range(2013, 2025))
    assert (planted["observed_share"] == 1).all()
    pd.testing.assert_series_equal(planted["difference"], indices["difference"])


# -- units agree with the number; proper names keep their capital -------------------------------

def test_counted_unit_words_follow_the_number_and_never_read_as_years():
    text = describe_change("Designansökningar", "ansökningar", "2013", 6, "2023", 3, 0,
                           polarity="higher_is_better", p_value=0.4, slope=-0.3,
                           unit_one="ansökan")
    assert text.startswith("Designansökningarna har minskat från 6 ansökningar 2013 till "
                           "3 ansökningar 2023")
    assert "6 år" not in text


def test_singular_unit_word_after_exactly_one():
    text = describe_change("Designansökningar", "ansökningar", "2013", 1, "2023", 4, 0,
                           unit_one="ansökan")
    assert "från 1 ansökan 2013 till 4 ansökningar 2023" in text
    # a decimal 1,0 is not "one": plural
    text = describe_change("Årsverken", "årsverken", "2013", 1.0, "2023", 2.5, 1,
                           unit_one="årsverke")
    assert "från 1,0 årsverken 2013" in text


def test_bare_count_without_unit_word_says_under_the_year():
    text = describe_change("Konkurser", "", "2013", 6, "2023", 9, 0)
    assert "från 6 under 2013 till 9 under 2023" in text
    assert " år 2013" not in text


def test_single_value_uses_the_singular():
    text = describe_change("Designansökningar", "ansökningar", "2023", None, "2023", 1, 0,
                           unit_one="ansökan")
    assert "var 1 ansökan" in text


def test_proper_names_keep_their_capital_inside_sentences():
    from ecoreport.report.narrative import describe_rank, describe_unavailable, name_in_sentence

    assert name_in_sentence("Almis lån till småföretag", proper_name=True) == \
        "Almis lån till småföretag"
    assert name_in_sentence("Andel kvinnor") == "andel kvinnor"
    assert name_in_sentence("FoU-årsverken") == "FoU-årsverken"
    text = describe_rank("Almis lån till småföretag", "Västerbotten", 4, 21, "2023",
                         proper_name=True)
    assert "när det gäller Almis lån till småföretag 2023" in text
    assert "almis" not in describe_unavailable("Almis lån", proper_name=True)
    assert "almis lån" in describe_unavailable("Almis lån")  # without the catalogue flag


def test_normalised_unit_names_what_is_counted():
    from ecoreport.report.narrative import normalised_unit_text

    assert normalised_unit_text("antal per 100 000 invånare", ("ansökan", "ansökningar")) == \
        "ansökningar per 100 000 invånare"
    assert normalised_unit_text("antal per 100 000 invånare") == "per 100 000 invånare"
    assert normalised_unit_text("antal företag per 100 000 invånare",
                                ("bolag", "bolag")) == "företag per 100 000 invånare"
    assert normalised_unit_text("procent") == "procent"


def test_variants_reword_the_same_statement_with_the_same_numbers():
    from ecoreport.report.narrative import VARIANTS

    texts = [describe_change("Andel med eftergymnasial utbildning", "procent", "2013", 27.0,
                             "2023", 32.8, 1, polarity="higher_is_better", p_value=0.001,
                             slope=0.6, variant=v) for v in range(3)]
    assert len(set(texts)) == 3
    assert all("27,0 procent 2013" in t and "32,8 procent 2023" in t for t in texts)
    assert texts[0] == describe_change("Andel med eftergymnasial utbildning", "procent",
                                       "2013", 27.0, "2023", 32.8, 1,
                                       polarity="higher_is_better", p_value=0.001, slope=0.6)
    assert texts[2].startswith("Från 27,0 procent 2013 har andelen med eftergymnasial")
    # the logic does not depend on the wording: a hedge never comes with a verdict
    for v in range(len(VARIANTS["not_significant"])):
        hedged = describe_change("Konkurser", "", "2013", 6, "2023", 9, 0,
                                 polarity="higher_is_worse", p_value=0.4, slope=0.3, variant=v)
        assert hedged.endswith(VARIANTS["not_significant"][v] + ".")
        assert "innovationsförmågan" not in hedged
    negative = [describe_change("Konkurser", "", "2013", 6, "2023", 9, 0,
                                polarity="higher_is_worse", p_value=0.01, slope=0.3, variant=v)
                for v in range(3)]
    assert [n.endswith(VARIANTS["negative"][v] + ".") for v, n in enumerate(negative)] == \
        [True] * 3


def test_a_unit_ending_in_an_age_is_not_followed_by_a_bare_year():
    text = describe_change("Eftergymnasial utbildning", "procent av befolkningen 25–64 år",
                           "2013", 27.0, "2024", 33.5, 1)
    assert "25–64 år under 2013" in text and "år 2013" not in text.replace("år under", "")
