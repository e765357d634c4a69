"""compare: normalisation, relative development, ranks and peer distances on tiny frames."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ecoreport.analysis.compare import (
    compare_regions,
    dimension_profile,
    normalise_values,
    peer_trend,
    relative_development,
)

CATALOGUE = SimpleNamespace(
    indicators={
        "befolkning": SimpleNamespace(kind="register", polarity="neutral", normalise="none",
                                      dimension="kontext", unit="antal"),
        "befolkning_20_64": SimpleNamespace(kind="register", polarity="neutral",
                                            normalise="none", dimension="kontext",
                                            unit="antal"),
        "konkurser": SimpleNamespace(kind="register", polarity="higher_is_worse",
                                     normalise="per_capita", dimension="entreprenorskap",
                                     unit="antal"),
        "nyforetag": SimpleNamespace(kind="register", polarity="higher_is_better",
                                     normalise="per_employed", dimension="entreprenorskap",
                                     unit="antal"),
        "hogutb": SimpleNamespace(kind="register", polarity="higher_is_better",
                                  normalise="none", dimension="humankapital", unit="procent"),
        "alder": SimpleNamespace(kind="register", polarity="neutral", normalise="none",
                                 dimension="humankapital", unit="ar"),
    },
    units={"antal": SimpleNamespace(label_sv="antal"),
           "procent": SimpleNamespace(label_sv="procent")},
    dimensions=[SimpleNamespace(id="humankapital", name_sv="Humankapital", order=3),
                SimpleNamespace(id="entreprenorskap", name_sv="Entreprenörskap", order=4),
                SimpleNamespace(id="kontext", name_sv="Bakgrund", order=99, metric=False)],
)
REGIONS = [
    SimpleNamespace(code="00", short_name="Riket", peers=[]),
    SimpleNamespace(code="01", short_name="A", peers=["02", "03"]),
    SimpleNamespace(code="02", short_name="B", peers=["01"]),
    SimpleNamespace(code="03", short_name="C", peers=["01", "02"]),
]


def make_values(rows: list[tuple[str, str, str, float]], status: str = "observed") -> pd.DataFrame:
    """Tidy frame from (region, indicator, period, value) tuples."""
    frame = pd.DataFrame(rows, columns=["region_code", "indicator_id", "period", "value"])
    bounds = frame["period"].str.split("-", expand=True)
    frame["period_start"] = bounds[0].astype(int)
    frame["period_end"] = bounds[bounds.columns[-1]].fillna(bounds[0]).astype(int)
    frame["year"] = (frame["period_start"] + frame["period_end"]) / 2
    frame["status"] = status
    frame["source_id"] = "test"
    frame["note"] = ""
    return frame


def test_normalise_per_capita_per_employed_and_multi_year_mean() -> None:
    values = make_values([
        ("01", "befolkning", "2014", 1000.0), ("01", "befolkning", "2015", 3000.0),
        ("01", "befolkning_20_64", "2014", 500.0),
        ("01", "konkurser", "2014", 5.0), ("01", "konkurser", "2014-2015", 8.0),
        ("01", "konkurser", "2016", 3.0),  # bridged from 2015's population
        ("01", "konkurser", "2019", 1.0),  # too far from any population figure
        ("01", "nyforetag", "2014", 50.0), ("01", "hogutb", "2014", 31.5),
    ])
    out = normalise_values(values, CATALOGUE).set_index(["indicator_id", "period"])
    assert out.loc[("konkurser", "2014"), "value_normalised"] == pytest.approx(500.0)
    assert out.loc[("konkurser", "2014-2015"), "value_normalised"] == pytest.approx(400.0)
    assert out.loc[("konkurser", "2016"), "value_normalised"] == pytest.approx(100.0)
    assert np.isnan(out.loc[("konkurser", "2019"), "value_normalised"])
    assert out.loc[("nyforetag", "2014"), "value_normalised"] == pytest.approx(100.0)
    assert out.loc[("hogutb", "2014"), "value_normalised"] == pytest.approx(31.5)
    assert out.loc[("konkurser", "2014"), "normalised_unit"] == "antal per 100 000 invånare"
    assert out.loc[("hogutb", "2014"), "normalised_unit"] == "procent"
    assert list(values.columns) == ["region_code", "indicator_id", "period", "value",
                                    "period_start", "period_end", "year", "status",
                                    "source_id", "note"]  # input untouched


def test_normalise_warns_only_for_gaps_inside_the_population_years(caplog,
                                                                   monkeypatch) -> None:
    from ecoreport.analysis import compare

    monkeypatch.setattr(compare, "_warned", set())
    values = make_values([
        ("01", "befolkning", "2014", 1000.0), ("01", "konkurser", "2010", 5.0),
        ("02", "konkurser", "2014", 5.0),  # region without any population figure
    ])
    with caplog.at_level("INFO", logger="ecoreport.analysis.compare"):
        out = normalise_values(values, CATALOGUE)
    assert out["value_normalised"].isna().sum() == 2
    levels = {record.levelname: record.getMessage() for record in caplog.records}
    assert "02 konkurser 2014" in levels["WARNING"]
    assert "outside the years" in levels["INFO"]
    caplog.clear()  # the same gap found again (another analysis) is not warned twice
    with caplog.at_level("INFO", logger="ecoreport.analysis.compare"):
        normalise_values(values, CATALOGUE)
    assert not [record for record in caplog.records if record.levelname == "WARNING"]


def test_rising_bankruptcies_score_negative() -> None:
    rows = [("01", "befolkning", str(y), 1000.0) for y in range(2015, 2020)]
    rows += [("01", "konkurser", str(y), float(v)) for y, v in zip(range(2015, 2020),
                                                                     [1, 2, 3, 4, 6])]
    rows += [("01", "hogutb", str(y), float(v)) for y, v in zip(range(2015, 2020),
                                                                  [30, 31, 32, 33, 34])]
    rows += [("01", "alder", str(y), float(y)) for y in range(2015, 2020)]
    rows += [("01", "nyforetag", "2019", 7.0), ("01", "befolkning_20_64", "2019", 700.0)]
    table = relative_development(make_values(rows), CATALOGUE, "01")
    last = table[table["period"] == "2019"].set_index("indicator_id")
    assert last.loc["konkurser", "relative_value"] > 0
    assert last.loc["konkurser", "score_for_innovation"] < 0
    assert last.loc["hogutb", "score_for_innovation"] > 0
    assert last.loc["alder", "score_for_innovation"] == 0
    assert last.loc["nyforetag", "relative_value"] == 0  # single observation: neutral
    assert "befolkning" not in set(table["indicator_id"])  # context series left out
    hogutb = table[table["indicator_id"] == "hogutb"]["relative_value"].to_numpy()
    expected = (np.arange(30, 35) - 32) / np.std(np.arange(30, 35), ddof=1)
    np.testing.assert_allclose(hogutb, expected)


def test_relative_development_until_year_and_status() -> None:
    values = make_values([("01", "hogutb", str(y), float(y - 2000)) for y in range(2015, 2020)])
    values.loc[values["period"] == "2016", "status"] = "synthetic"
    table = relative_development(values, CATALOGUE, "01", until_year=2017)
    assert list(table["period"]) == ["2015", "2016", "2017"]
    assert list(table["status"]) == ["observed", "synthetic", "observed"]
    window = relative_development(values, CATALOGUE, "01", from_year=2017)
    assert list(window["period"]) == ["2017", "2018", "2019"]
    assert window["relative_value"].tolist() == pytest.approx([-1.0, 0.0, 1.0])


def test_compare_regions_rank_and_distances() -> None:
    values = make_values([
        ("00", "konkurser", "2020", 30.0), ("01", "konkurser", "2020", 10.0),
        ("02", "konkurser", "2020", 4.0), ("03", "konkurser", "2020", 9.0),
        ("00", "befolkning", "2020", 10000.0), ("01", "befolkning", "2020", 1000.0),
        ("02", "befolkning", "2020", 1000.0), ("03", "befolkning", "2020", 3000.0),
    ])
    table = compare_regions(values, CATALOGUE, REGIONS, "konkurser", 2020)
    table = table.set_index("region_code")
    # per 100 000: 01 -> 1000, 02 -> 400, 03 -> 300, Riket -> 300; fewer is better
    assert list(table.index) == ["01", "02", "03"]
    assert table["value_normalised"].tolist() == pytest.approx([1000.0, 400.0, 300.0])
    assert table["rank"].tolist() == [3, 2, 1]
    assert table.loc["01", "diff_riket_abs"] == pytest.approx(700.0)
    assert table.loc["01", "diff_riket_pct"] == pytest.approx(700.0 / 300.0 * 100)
    assert table.loc["01", "peer_mean"] == pytest.approx(350.0)
    assert table.loc["01", "diff_peer_abs"] == pytest.approx(650.0)
    assert table.loc["02", "peer_mean"] == pytest.approx(1000.0)
    assert table.loc["02", "diff_peer_pct"] == pytest.approx(-60.0)
    assert table.loc["03", "n_peers"] == 2


def test_peer_trend_long_format() -> None:
    values = make_values([
        ("01", "hogutb", "2020", 30.0), ("01", "hogutb", "2021", 32.0),
        ("02", "hogutb", "2020", 20.0), ("03", "hogutb", "2020", 40.0),
        ("03", "hogutb", "2021", 44.0), ("00", "hogutb", "2021", 35.0),
    ])
    values.loc[(values["region_code"] == "03") & (values["period"] == "2021"),
               "status"] = "synthetic"
    table = peer_trend(values, CATALOGUE, REGIONS, "01", "hogutb")
    assert list(table["series"]) == ["region", "region", "peers", "peers", "riket"]
    peers = table[table["series"] == "peers"].set_index("period")
    assert peers.loc["2020", "value_normalised"] == pytest.approx(30.0)
    assert peers.loc["2020", "n_regions"] == 2
    assert peers.loc["2021", "value_normalised"] == pytest.approx(44.0)
    assert peers.loc["2021", "status"] == "synthetic"


def test_dimension_profile_scores_rank_and_profile() -> None:
    rows = []
    for code, hog, kon in [("01", 40.0, 1.0), ("02", 30.0, 5.0), ("03", 20.0, 3.0)]:
        rows += [(code, "hogutb", "2019", hog - 5), (code, "hogutb", "2020", hog),
                 (code, "konkurser", "2020", kon), (code, "befolkning", "2020", 100000.0),
                 (code, "alder", "2020", 40.0)]
    table = dimension_profile(make_values(rows), CATALOGUE, REGIONS, "01", 2020)
    table = table.set_index("dimension")
    assert list(table.index) == ["humankapital", "entreprenorskap"]  # catalogue order
    # hogutb min 15, max 40 across län and years: 01 scores 1.0; konkurser: fewest best
    assert table.loc["humankapital", "score"] == pytest.approx(1.0)
    assert table.loc["entreprenorskap", "score"] == pytest.approx(1.0)
    assert table.loc["humankapital", "median"] == pytest.approx((30 - 15) / 25)
    assert table.loc["humankapital", "rank"] == 1
    assert table.loc["humankapital", "profile"] == "strength"
    assert table.loc["humankapital", "n_indicators"] == 1  # neutral "alder" not scored
    weak = dimension_profile(make_values(rows), CATALOGUE, REGIONS, "03", 2020)
    assert weak.set_index("dimension").loc["humankapital", "profile"] == "weakness"
