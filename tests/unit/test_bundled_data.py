"""The bundled default dataset (data/values.csv, data/survey.csv) and its reproducibility."""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ecoreport_bundle import synthetic
from ecoreport.paths import project_root

DATA = project_root() / "data"
# ECOREPORT_SHARED points elsewhere, e.g. from a git worktree
SHARED = Path(os.environ.get("ECOREPORT_SHARED", project_root().parent / "shared"))
SPECS = synthetic.load_specs(DATA)


@lru_cache(maxsize=1)
def read_values() -> pd.DataFrame:
    return pd.read_csv(DATA / "values.csv", dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def read_yaml(name: str) -> object:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def register_infos() -> dict[str, synthetic.IndicatorInfo]:
    return synthetic.indicator_infos(read_yaml("indicators.yaml"))


def region_codes() -> list[str]:
    return [entry["code"] for entry in read_yaml("regions.yaml")]


def test_population_and_brp_are_observed_from_one_eurostat_vintage():
    values = read_values()
    population = values[values["indicator_id"] == "befolkning"]
    for year in range(2000, 2025):
        rows = population[population["period"] == str(year)]
        assert set(rows["region_code"]) == set(region_codes()), year
        assert set(rows["status"]) == {"observed"}, year
        assert set(rows["source_id"]) == {"eurostat_befolkning"}, year
    # Eurostat's 1 January 2024 is the population on 31 December 2023
    vb = population.set_index(["region_code", "period"])["value"].astype(float)
    assert vb[("24", "2023")] == 278729 and vb[("00", "2024")] == 10587710
    brp = values[(values["indicator_id"] == "brp") & (values["status"] == "observed")]
    assert set(brp["source_id"]) == {"eurostat_brp"}
    row = brp[(brp["region_code"] == "24") & (brp["period"] == "2013")]
    assert float(row.iloc[0]["value"]) == 89963.12


def test_uc_bankruptcies_are_their_own_indicator():
    values = read_values()
    uc = values[(values["indicator_id"] == "konkurser_uc") & (values["status"] == "observed")]
    assert set(uc["period"]) == {str(year) for year in range(2013, 2023)}
    assert set(uc["source_id"]) == {"uc_konkurser"}
    assert not (values[values["indicator_id"] == "konkurser"]["source_id"] == "uc_konkurser").any()
    total = uc.set_index(["region_code", "period"])["value"].astype(float)
    assert total[("00", "2022")] == 5776 and total[("24", "2013")] == 118


def test_every_register_indicator_covers_every_region_and_year():
    values = read_values()
    cells = set(zip(values["indicator_id"], values["region_code"], values["period"]))
    missing = []
    for indicator_id in register_infos():
        for period in synthetic.grid_periods(SPECS[indicator_id]):
            missing += [(indicator_id, code, period) for code in region_codes()
                        if (indicator_id, code, period) not in cells]
    assert not missing, missing[:10]


def test_columns_keys_and_order():
    values = read_values()
    assert list(values.columns) == ["region_code", "indicator_id", "period", "value",
                                    "status", "source_id", "note"]
    assert not values.duplicated(["region_code", "indicator_id", "period"]).any()
    ordered = values.sort_values(["indicator_id", "region_code", "period"], kind="stable")
    assert values.index.equals(ordered.index)
    assert set(values["indicator_id"]) <= set(register_infos())
    assert set(values["region_code"]) <= set(region_codes())
    assert set(values["status"]) == {"observed", "synthetic"}


def test_sources_exist_and_synthetic_rows_say_so():
    values = read_values()
    sources = read_yaml("sources.yaml")
    assert set(values["source_id"]) <= set(sources)
    assert ((values["status"] == "synthetic") == (values["source_id"] == "synthetic")).all()


def test_values_respect_unit_bounds():
    values = read_values().assign(number=lambda f: f["value"].astype(float))
    for indicator_id, info in register_infos().items():
        rows = values.loc[values["indicator_id"] == indicator_id, "number"]
        if info.bounds is not None:
            assert rows.between(*info.bounds).all(), indicator_id
        if info.unit_kind in ("count", "amount"):
            assert (rows >= 0).all(), indicator_id
        if info.unit_kind == "count":
            synthetic_rows = values[(values["indicator_id"] == indicator_id)
                                    & (values["status"] == "synthetic")]["number"]
            assert (synthetic_rows % 1 == 0).all(), indicator_id


def test_model_report_series_are_kept_for_vasterbotten():
    values = read_values()
    vb = values[(values["region_code"] == "24") & (values["status"] == "observed")]
    cells = {(i, p): float(v) for i, p, v in zip(vb["indicator_id"], vb["period"], vb["value"])}
    assert cells[("fou_andel_brp", "2013")] == 3.48
    assert cells[("fou_andel_brp", "2023")] == 2.15
    assert cells[("konkurser", "2024")] == 146
    assert cells[("bredband_1gbit_andel", "2023")] == 95


def test_survey_rows_are_observed_and_in_the_catalogue():
    survey = pd.read_csv(DATA / "survey.csv", dtype=str, keep_default_na=False)
    assert list(survey.columns) == ["region_code", "indicator_id", "period", "category",
                                    "share_pct", "status", "source_id", "note"]
    catalogue = read_yaml("indicators.yaml")
    survey_ids = {entry["id"] for entry in catalogue["indicators"] if entry["kind"] == "survey"}
    assert set(survey["indicator_id"]) <= survey_ids
    assert set(survey["status"]) == {"observed"}
    assert survey["share_pct"].astype(float).between(0, 100).all()


def load_build_script() -> object:
    path = project_root() / "scripts" / "build_dataset.py"
    spec = importlib.util.spec_from_file_location("build_dataset", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not SHARED.is_dir(),
                    reason=f"source files not available at {SHARED} (only in the dev checkout)")
def test_rebuild_from_sources_reproduces_data_bytes(tmp_path: Path):
    """Rebuilding data/ from the sources gives the same bytes."""
    build = load_build_script()
    build.run(SHARED, tmp_path, build.DEFAULT_SEED, catalogue_dir=DATA)
    for name in ("values.csv", "survey.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
