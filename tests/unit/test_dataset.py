"""The dataset entry point: loading, caching, series, latest year, checksums."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from types import SimpleNamespace as NS

import pandas as pd
import pytest

from ecoreport.data import dataset as dataset_module
from ecoreport.data.dataset import Dataset, clear_cache, load_dataset
from ecoreport.errors import DataValidationError, UnknownRegionError
from ecoreport.data.tables import type_values

CATALOGUE = NS(
    units={"procent": NS(id="procent", kind="share", min=None, max=None)},
    indicators={
        "a": NS(unit="procent", kind="register", dimension="fou"),
        "b": NS(unit="procent", kind="register", dimension="fou"),
        "c": NS(unit="procent", kind="register", dimension="fou"),
        "enkat": NS(unit="procent", kind="survey", dimension="kultur", categories=["ja", "nej"]),
    },
    sources={"scb": NS()},
)
REGIONS = [NS(code="00", name="Riket"), NS(code="24", name="Västerbottens län")]
HEADER = "region_code,indicator_id,period,value,status,source_id,note\n"


def make_dataset(rows: list[tuple[str, str, str, str, str]]) -> Dataset:
    raw = pd.DataFrame([[*row, "scb" if row[4] == "observed" else "synthetic", ""]
                        for row in rows],
                       columns=["region_code", "indicator_id", "period", "value", "status",
                                "source_id", "note"])
    return Dataset(values=type_values(raw), survey=dataset_module._empty_survey(),
                   catalogue=CATALOGUE, regions=REGIONS)


def test_latest_year_needs_most_indicators() -> None:
    ds = make_dataset([
        ("24", "a", "2022", "1", "observed"), ("24", "b", "2022", "1", "observed"),
        ("24", "c", "2022", "1", "synthetic"),
        ("24", "a", "2023", "1", "observed"), ("24", "b", "2023", "1", "synthetic"),
        ("24", "a", "2024", "1", "observed"),  # only 1 of 3 indicators: not the report year
    ])
    assert ds.latest_year() == 2023
    assert ds.latest_year("24") == 2023


def test_latest_year_counts_period_end() -> None:
    ds = make_dataset([("24", "a", "2019-2022", "1", "observed"),
                       ("24", "b", "2022", "1", "observed"),
                       ("24", "a", "2018", "1", "observed")])
    assert ds.latest_year() == 2022


def test_series_is_in_period_order() -> None:
    ds = make_dataset([("24", "a", "2015", "3", "observed"), ("24", "a", "2013", "1", "observed"),
                       ("00", "a", "2014", "9", "observed"), ("24", "a", "2014", "2", "synthetic")])
    series = ds.series("24", "a")
    assert series["period"].tolist() == ["2013", "2014", "2015"]
    assert series["value"].tolist() == [1.0, 2.0, 3.0]
    assert ds.series("24", "b").empty


def test_region_by_code_and_unknown() -> None:
    ds = make_dataset([("24", "a", "2015", "3", "observed")])
    assert ds.region("24").name == "Västerbottens län"
    with pytest.raises(UnknownRegionError, match="00 Riket, 24 Västerbottens län"):
        ds.region("99")


@pytest.fixture
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> NS:
    """A data folder (``.path``) whose catalogue and regions come from fakes; ``.calls``
    counts catalogue loads."""
    calls = {"catalogue": 0}

    def load_catalogue(data_dir: object = None) -> NS:
        calls["catalogue"] += 1
        return CATALOGUE

    import ecoreport.data.dataset as dataset_module
    import ecoreport.data.validate as validate_module

    for module in (dataset_module, validate_module):
        monkeypatch.setattr(module, "load_catalogue", load_catalogue)
        monkeypatch.setattr(module, "load_regions", lambda data_dir=None: REGIONS)
    (tmp_path / "indicators.yaml").write_text("units: {}\n", encoding="utf-8")
    (tmp_path / "values.csv").write_text(
        HEADER + "24,a,2013,1.5,observed,scb,\n24,b,2013,2,observed,scb,\n"
                 "24,c,2013,2,observed,scb,\n", encoding="utf-8")
    (tmp_path / "survey.csv").write_text(
        "region_code,indicator_id,period,category,share_pct,status,source_id,note\n"
        "24,enkat,2024,ja,40,observed,scb,\n24,enkat,2024,nej,60,observed,scb,\n",
        encoding="utf-8")
    clear_cache()
    yield NS(path=tmp_path, calls=calls)
    clear_cache()


def test_load_dataset(data_folder: NS) -> None:
    ds = load_dataset(data_folder.path)
    assert ds.values["indicator_id"].tolist() == ["a", "b", "c"]
    assert ds.survey["share_pct"].tolist() == [40.0, 60.0]
    assert ds.series("24", "enkat")["category"].tolist() == ["ja", "nej"]
    assert ds.report.ok
    assert ds.latest_year() == 2013
    assert ds.data_dir == data_folder.path.resolve()


def test_load_dataset_is_cached_until_a_file_changes(data_folder: NS) -> None:
    calls = data_folder.calls
    first = load_dataset(data_folder.path)
    assert load_dataset(str(data_folder.path)) is first
    assert calls["catalogue"] == 1
    values = data_folder.path / "values.csv"
    values.write_text(values.read_text(encoding="utf-8") + "00,a,2013,1,observed,scb,\n",
                      encoding="utf-8")
    stat = values.stat()
    os.utime(values, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = load_dataset(data_folder.path)
    assert second is not first
    assert len(second.values) == 4
    assert calls["catalogue"] == 2


def test_load_dataset_raises_on_bad_values(data_folder: NS) -> None:
    (data_folder.path / "values.csv").write_text(HEADER + "24,a,2013,1x,observed,scb,\n",
                                            encoding="utf-8")
    with pytest.raises(DataValidationError, match="row 2"):
        load_dataset(data_folder.path)


def test_load_dataset_without_survey(data_folder: NS) -> None:
    (data_folder.path / "survey.csv").unlink()
    ds = load_dataset(data_folder.path)
    assert ds.survey.empty
    assert "share_pct" in ds.survey.columns


def test_sha256_of_data_files(data_folder: NS) -> None:
    digests = load_dataset(data_folder.path).sha256()
    assert sorted(digests) == ["indicators.yaml", "survey.csv", "values.csv"]
    expected = hashlib.sha256((data_folder.path / "values.csv").read_bytes()).hexdigest()
    assert digests["values.csv"] == expected


def test_bundled_data_validates() -> None:
    """The data shipped in data/ must load with zero errors."""
    from ecoreport.paths import project_root

    folder = project_root() / "data"
    needed = ["values.csv", "indicators.yaml", "regions.yaml"]
    if not all((folder / name).exists() for name in needed):
        pytest.skip("bundled data not written yet")
    pytest.importorskip("ecoreport.data.catalogue")
    from ecoreport.data.validate import run_validation

    report, coverage = run_validation(folder)
    assert [str(issue) for issue in report.errors] == []
    assert not coverage.empty


def test_run_validation_collects_errors_instead_of_raising(data_folder: NS) -> None:
    from ecoreport.data.validate import format_report, run_validation

    (data_folder.path / "values.csv").write_text(
        HEADER + "24,a,2013,1,observed,scb,\n24,a,2014,1,5,observed,scb,\n", encoding="utf-8")
    (data_folder.path / "survey.csv").write_text(
        "region_code,indicator_id,period,category,share_pct,status,source_id,note\n"
        "24,enkat,2024,ja,140,observed,scb,\n", encoding="utf-8")
    report, coverage = run_validation(data_folder.path)
    assert [str(issue) for issue in report.errors] == [
        "values.csv, row 3: 8 fields in a row of 7 columns (value "
        "'24,a,2014,1,5,observed,scb,'); expected 7 fields separated by ',', as in the header",
        "survey.csv, row 2, column 'share_pct': '140' is out of range for 'enkat' "
        "(unit 'procent', a share); expected a value between 0 and 100"]
    assert coverage["indicator_id"].tolist() == ["a", "b", "c", "enkat"]
    assert format_report(report, coverage).startswith(
        "values.csv, survey.csv: 2 error(s)")
