"""The analyst's yearly update end to end: build, import a revision, rebuild, see it."""

from __future__ import annotations

import pandas as pd
import pytest

from ecoreport import cli
from ecoreport.publishing.build import build_report
from ecoreport.data.regions import resolve_region
from ecoreport.markup.formatting import format_number

pytestmark = pytest.mark.integration


def test_revised_value_shows_in_the_changes_chapter(tmp_path, data_copy, monkeypatch):
    region = resolve_region("Västerbotten")
    commentary = tmp_path / "commentary"
    monkeypatch.setenv("ECOREPORT_COMMENTARY_DIR", str(commentary))
    (commentary / "2024" / "24").mkdir(parents=True)
    (commentary / "2024" / "24" / "slutsatser.md").write_text(
        "Bruttoregionprodukt (BRP) har vuxit.\n", encoding="utf-8")
    out = tmp_path / "reports"
    build_report(region, 2023, out, data_dir=data_copy, only={"notebooks/andringar"}, workers=1)
    values = pd.read_csv(data_copy / "values.csv", dtype={"region_code": str})
    before = values.loc[(values["region_code"] == region.code) & (values["indicator_id"] == "brp")
                        & (values["period"].astype(str) == "2023"), "value"].item()
    assert before != 150_000
    revision = tmp_path / "brp.csv"
    revision.write_bytes("Län;År;Värde\r\nVästerbottens län;2023;150 000,0\r\n"
                         .encode("utf-8-sig"))
    assert cli.main(["import", str(revision), "--indicator", "brp", "--source", "scb_brp",
                     "--data", str(data_copy), "--replace"]) == 0
    result = build_report(region, 2024, out, data_dir=data_copy, only={"notebooks/andringar"},
                          workers=1)
    page = (result.html_index.parent / "notebooks" / "andringar.html").read_text(encoding="utf-8")
    assert "utgåvan för 2023 och utgåvan för 2024" in page
    assert "Reviderade värden" in page
    assert "150\xa0000" in page
    # the value it replaced was synthetic: its status is shown, its number is not
    assert "syntetiskt → observerat" in page and format_number(before) not in page
    assert (result.report_dir / "edition" / "manifest.json").exists()
    # the analyst is sent back to the commentary written against the revised number
    assert "Kommentarer som gäller ändrade siffror" in page
    assert "slutsatser.md" in page
