"""Editions: snapshot round trip, finding the previous one, and the diff between two."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from ecoreport import cli
from ecoreport.data.catalogue import load_catalogue
from ecoreport.data.dataset import load_dataset
from ecoreport.report.editions import (
    diff_editions, diff_markdown, find_previous_edition, format_diff, load_edition,
    write_edition,
)
from ecoreport.errors import DataError
from ecoreport.ingest.importer import import_file
from ecoreport.paths import project_root
from ecoreport.data.regions import resolve_region

CREATED = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(project_root() / "data", target)
    return target


def report_dir(out: Path, year: int) -> Path:
    return out / str(year) / "24-vasterbotten"


def test_round_trip(data: Path, tmp_path: Path):
    dataset = load_dataset(data)
    folder = write_edition(report_dir(tmp_path / "reports", 2024), dataset, "24", 2024,
                           created=CREATED)
    edition = load_edition(folder)

    manifest = edition.manifest
    assert (manifest["region_code"], manifest["year"]) == ("24", 2024)
    assert manifest["build_command"] == "ecoreport build --region 24 --year 2024"
    assert manifest["regions_included"] == sorted({"00", "24", *dataset.region("24").peers})
    assert set(edition.values["region_code"]) == set(manifest["regions_included"])
    assert manifest["data_sha256"] == dataset.sha256()
    assert manifest["created"] == "2026-11-23T12:00:00+00:00"
    original = dataset.values[dataset.values["region_code"] == "24"]
    loaded = edition.values[edition.values["region_code"] == "24"]
    assert loaded["value"].tolist() == original["value"].tolist()
    assert loaded["status"].tolist() == original["status"].tolist()
    assert (edition.survey["region_code"] == "24").sum() == (dataset.survey["region_code"]
                                                           == "24").sum()
    # a rebuild from the same data gives byte-identical files and digests
    first = {name: (folder / name).read_bytes() for name in ("values.csv", "survey.csv")}
    write_edition(report_dir(tmp_path / "reports", 2024), dataset, "24", 2024,
                  created=CREATED + dt.timedelta(days=1))
    assert {name: (folder / name).read_bytes() for name in first} == first
    assert json.loads((folder / "manifest.json").read_text())["files"] == manifest["files"]


def test_edited_edition_is_refused(data: Path, tmp_path: Path):
    folder = write_edition(tmp_path / "r", load_dataset(data), "24", 2024, created=CREATED)
    with (folder / "values.csv").open("a", encoding="utf-8") as handle:
        handle.write("24,brp,2030,1,observed,scb_brp,\n")
    with pytest.raises(DataError, match="file changed since the edition was written"):
        load_edition(folder)


def test_find_previous_edition(data: Path, tmp_path: Path):
    out = tmp_path / "reports"
    dataset = load_dataset(data)
    region = resolve_region("24", data)
    assert find_previous_edition(out, region, 2024) is None
    write_edition(report_dir(out, 2021), dataset, "24", 2021, created=CREATED)
    write_edition(out / "2022" / "25-norrbotten", dataset, "25", 2022, created=CREATED)
    assert find_previous_edition(out, region, 2024) == report_dir(out, 2021) / "edition"
    write_edition(report_dir(out, 2023), dataset, "24", 2023, created=CREATED)
    assert find_previous_edition(out, "Västerbotten", 2024) == \
        report_dir(out, 2023) / "edition"
    assert find_previous_edition(out, region, 2021) is None


@pytest.fixture()
def two_editions(data: Path, tmp_path: Path):
    """The 2023 edition from the bundled data; the 2024 edition after importing a revised
    2023 value (synthetic -> observed) and a new 2025 value for Västerbotten."""
    out = tmp_path / "reports"
    write_edition(report_dir(out, 2023), load_dataset(data), "24", 2023, created=CREATED)
    source = tmp_path / "brp.csv"
    source.write_text("Län;2022;2025\nVästerbotten;141 000;160 000\n", encoding="utf-8")
    import_file(source, "brp", data_dir=data, today=dt.date(2026, 11, 23))
    write_edition(report_dir(out, 2024), load_dataset(data), "24", 2024, created=CREATED)
    return out


def test_diff_shows_a_revised_value_for_vasterbotten(two_editions: Path, data: Path):
    old = load_edition(report_dir(two_editions, 2023))
    new = load_edition(report_dir(two_editions, 2024))
    diff = diff_editions(old, new, "24", load_catalogue(data))

    bundled = pd.read_csv(project_root() / "data" / "values.csv", dtype=str).set_index(
        ["region_code", "indicator_id", "period"])
    before = float(bundled.loc[("24", "brp", "2022"), "value"])  # synthetic in the bundle
    assert diff.revised.to_dict("records") == [{
        "indicator_id": "brp", "title": "Bruttoregionprodukt (BRP)", "period": "2022",
        "old_value": before, "new_value": 141000.0, "change_abs": 141000.0 - before,
        "change_pct": pytest.approx(100 * (141000.0 - before) / before),
        "old_status": "synthetic", "new_status": "observed"}]
    assert diff.new_points[["indicator_id", "period", "value", "status"]].to_dict(
        "records") == [{"indicator_id": "brp", "period": "2025", "value": 160000.0,
                        "status": "observed"}]
    assert diff.removed.empty
    assert diff.indicators_added == diff.indicators_dropped == []
    assert (diff.old_year, diff.new_year) == (2023, 2024)

    text = format_diff(diff)
    assert "Revised values: 1" in text and f"{before:.0f}" in text and "synthetic" in text
    markdown = diff_markdown(diff)
    assert "## Reviderade värden" in markdown

    def swedish(number: float) -> str:
        return f"{number:,.0f}".replace(",", "\u00a0")

    # the synthetic value it replaced is no number of the report's text
    assert ("| Bruttoregionprodukt (BRP) | 2022 | – | 141\u00a0000 | – | – | "
            "syntetiskt → observerat |") in markdown
    assert swedish(before) not in markdown


def test_diff_of_identical_editions_is_empty(data: Path, tmp_path: Path):
    dataset = load_dataset(data)
    old = load_edition(write_edition(tmp_path / "a", dataset, "24", 2024, created=CREATED))
    new = load_edition(write_edition(tmp_path / "b", dataset, "24", 2024, created=CREATED))
    diff = diff_editions(old, new, "24", dataset.catalogue)
    assert diff.is_empty
    assert diff_markdown(diff).endswith("Inga värden, indikatorer eller trender har ändrats "
                                        "sedan förra utgåvan.")


def test_trend_direction_change_is_reported(data: Path, tmp_path: Path):
    dataset = load_dataset(data)
    old = load_edition(write_edition(tmp_path / "a", dataset, "24", 2024, created=CREATED))
    new = load_edition(write_edition(tmp_path / "b", dataset, "24", 2024, created=CREATED))
    # Replace one rising series of the newer edition by a steadily falling one.
    series = (new.values["region_code"] == "24") & (new.values["indicator_id"] == "befolkning")
    years = new.values.loc[series, "period_start"].to_numpy(dtype=float)
    new.values.loc[series, "value"] = 300_000.0 - 1_000.0 * (years - years.min())
    diff = diff_editions(old, new, "24", dataset.catalogue)
    change = diff.trend_changes.set_index("indicator_id").loc["befolkning"]
    assert (change["old_direction"], change["new_direction"]) == ("rising", "falling")
    assert "stigande → fallande" in diff_markdown(diff)


def test_cli_diff(two_editions: Path, data: Path, capsys):
    code = cli.main(["diff", "--from", "2023", "--to", "2024", "--region", "Västerbotten",
                     "--out", str(two_editions), "--data", str(data)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Changes for region 24: edition 2023 → 2024")
    assert "New data points: 1" in out


def test_chapter_text_without_previous_edition(data: Path):
    from ecoreport.analysis.results import open_report
    from ecoreport.report.editions import changes_markdown

    text = changes_markdown(open_report("24", 2024, None, str(data)), None)
    assert text.startswith("Det finns ingen tidigare utgåva av rapporten för Västerbottens "
                           "län att jämföra med")
    assert "`ecoreport diff --from ÅR --to ÅR --region 24`" in text


def test_chapter_text_with_previous_edition(two_editions: Path, data: Path):
    from ecoreport.analysis.results import open_report
    from ecoreport.report.editions import changes_markdown

    previous = find_previous_edition(two_editions, "24", 2024)
    text = changes_markdown(open_report("24", 2024, None, str(data)), previous)
    assert text.startswith("Jämförelsen gäller utgåvan för 2023 och utgåvan för 2024.")
    assert "| Bruttoregionprodukt (BRP) | 2022 |" in text


def test_commentary_on_changed_numbers_is_listed(two_editions: Path, data: Path,
                                                 tmp_path: Path):
    from ecoreport.report.editions import commentary_changes_markdown, commentary_on_changes

    catalogue = load_catalogue(data)
    diff = diff_editions(load_edition(report_dir(two_editions, 2023)),
                         load_edition(report_dir(two_editions, 2024)), "24", catalogue)
    root = tmp_path / "commentary"
    folder = root / "2024" / "24"
    folder.mkdir(parents=True)
    # by glue key, by name, and a dimension chapter's own indicators (kontext holds brp)
    (folder / "slutsatser.md").write_text("Tillväxten ({glue:text}`brp-latest`) bär.\n",
                                          encoding="utf-8")
    (folder / "analys.md").write_text("Bruttoregionprodukt (BRP) ökar.\n", encoding="utf-8")
    (folder / "kontext.md").write_text("Befolkningen växer.\n", encoding="utf-8")
    (folder / "kultur.md").write_text("Kulturen är stark; brpx och xbrp är inga id.\n",
                                      encoding="utf-8")

    rows = commentary_on_changes(diff, catalogue, "24", 2024, root)
    by_file = {name: [(i, kinds) for n, i, kinds in rows if n == name]
               for name in {n for n, _, _ in rows}}
    assert by_file["analys.md"] == by_file["slutsatser.md"] == [("brp", ["revised", "new"])]
    # every changed indicator of the dimension (the edition's trends moved too)
    assert ("brp", ["revised", "new"]) in by_file["kontext.md"]
    assert "kultur.md" not in by_file
    text = commentary_changes_markdown(diff, catalogue, "24", 2024, root)
    assert text.startswith("## Kommentarer som gäller ändrade siffror\n\n3 kommentarer för 2024")
    assert "| slutsatser.md | Bruttoregionprodukt (BRP) | reviderat värde, nytt värde |" in text
    assert "kultur.md" not in text

    # commentary that refers to nothing that changed, and no commentary at all
    for path in folder.glob("*.md"):
        if path.name != "kultur.md":
            path.unlink()
    assert "Ingen av kommentarerna för 2024" in commentary_changes_markdown(
        diff, catalogue, "24", 2024, root)
    assert commentary_changes_markdown(diff, catalogue, "24", 2025, root) == ""
