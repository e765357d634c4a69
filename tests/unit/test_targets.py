"""Target follow-up: a known trend gets the right status; profiles are validated."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecoreport.analysis.targets import assess_target
from ecoreport.data.profiles import check_profile, load_profile, parse_profile
from ecoreport.errors import CatalogueError, DataValidationError


def series(values: dict[int, float]) -> pd.DataFrame:
    years = list(values)
    return pd.DataFrame({"period": [str(y) for y in years], "period_start": years,
                         "period_end": years, "value": list(values.values())})


RISING = series({y: 10.0 + (y - 2015) + 0.2 * np.sin(y) for y in range(2015, 2025)})


@pytest.mark.parametrize(("target", "direction", "status"), [
    (25.0, "increase", "on_track"),   # the trend gives ~25 in 2030: 10 + 15
    (23.0, "increase", "on_track"),
    (40.0, "increase", "behind"),
    (15.0, "increase", "reached"),    # 2024 is already ~19
    (5.0, "decrease", "behind"),
    (20.0, "decrease", "reached"),
])
def test_a_target_with_a_known_trend_gets_the_right_status(target, direction, status) -> None:
    progress = assess_target(RISING, baseline_year=2015, target_value=target,
                             target_year=2030, direction=direction, until_year=2024)
    assert progress.status == status
    if status in ("on_track", "behind"):
        assert progress.projected_value == pytest.approx(25.0, abs=0.5)
        assert progress.projected_low < progress.projected_value < progress.projected_high


def test_certainty_follows_the_interval() -> None:
    clear = assess_target(RISING, baseline_year=2015, target_value=21.0, target_year=2030,
                          direction="increase")
    close = assess_target(RISING, baseline_year=2015, target_value=25.0, target_year=2030,
                          direction="increase")
    assert clear.certain and not close.certain


def test_a_falling_series_meets_a_decrease_target() -> None:
    falling = series({y: 50.0 - 2 * (y - 2016) + 0.3 * np.cos(y) for y in range(2016, 2024)})
    progress = assess_target(falling, baseline_year=2016, target_value=30.0,
                             target_year=2028, direction="decrease")
    assert progress.status == "on_track" and progress.projected_value == pytest.approx(26, abs=1)


def test_too_few_values_since_the_baseline_are_not_assessed() -> None:
    progress = assess_target(RISING, baseline_year=2023, target_value=40.0, target_year=2030,
                             direction="increase")
    assert progress.status == "not_assessed" and progress.n == 2


def test_bundled_profiles_load_and_match_the_catalogue() -> None:
    from ecoreport.data.dataset import load_dataset
    dataset = load_dataset()
    codes = {r.code for r in dataset.regions if r.code != "00"}
    for code in ("24", "18"):
        profile = load_profile(code, region_codes=codes,
                               indicator_ids=set(dataset.catalogue.indicators))
        assert profile.region_code == code and profile.strategy is not None
    assert load_profile("01") is None


def test_profile_errors_name_the_entry_and_field() -> None:
    raw = {"region_code": "24", "targets": [{
        "id": "x", "indicator": "tea", "baseline_year": 2020, "target_value": 5,
        "target_year": 2030, "direction": "upp", "source": "s"}]}
    with pytest.raises(CatalogueError, match=r"regions/24.yaml.*targets\[1\], field 'direction'"):
        parse_profile(raw, "regions/24.yaml")
    with pytest.raises(DataValidationError, match="unknown field"):
        parse_profile({**raw, "extra": 1}, "regions/24.yaml")
    good = parse_profile({**raw, "targets": [{**raw["targets"][0], "direction": "increase",
                                              "indicator": "teaa"}]}, "regions/24.yaml")
    with pytest.raises(CatalogueError, match="'teaa' is not a catalogue indicator"):
        check_profile(good, "regions/24.yaml", region_codes={"24"}, indicator_ids={"tea"})


def test_the_chapter_shows_status_and_lists_unmeasured_goals() -> None:
    from types import SimpleNamespace

    from ecoreport.report.strategy import targets_markdown
    raw = {"region_code": "24",
           "strategy": {"name": "Strategi", "source": "dokumentet", "goals": [
               {"id": "mal_a", "name": "Mål A"}, {"id": "mal_b", "name": "Mål B"}]},
           "targets": [{"id": "t1", "indicator": "tea", "goal": "mal_a", "baseline_year": 2015,
                        "target_value": 40.0, "target_year": 2030, "direction": "increase",
                        "source": "s"}]}
    profile = parse_profile(raw, "regions/24.yaml")
    frame = RISING.assign(status="observed")
    report = SimpleNamespace(
        year=2024, series=lambda indicator_id: frame,
        catalogue=SimpleNamespace(indicators={"tea": SimpleNamespace(name_sv="TEA",
                                                                     decimals=1)}))
    text = targets_markdown(report, profile)
    assert "| TEA | öka till 40,0 år 2030 (från 2015)" in text and "Efter plan" in text
    assert "Mål utan mätbart mål eller indikator: *Mål B*" in text
    none = parse_profile({**raw, "targets": []}, "regions/24.yaml")
    assert "Strategin anger inga mätbara mål" in targets_markdown(report, none)
