"""Regions: the real regions.yaml, resolving user input, and broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecoreport.errors import DataError, UnknownRegionError
from ecoreport.data.regions import (
    find_region,
    lan_regions,
    load_regions,
    make_slug,
    peer_regions,
    resolve_region,
    riket,
)

OFFICIAL_CODES = ["01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14",
                  "17", "18", "19", "20", "21", "22", "23", "24", "25"]


def test_real_file_has_riket_and_the_21_lan():
    regions = load_regions()
    assert [r.code for r in regions] == ["00"] + OFFICIAL_CODES
    assert [r.code for r in lan_regions()] == OFFICIAL_CODES
    assert riket().name == "Riket" and riket().peers == () and riket().nuts2 is None


def test_real_names_nuts_and_peers():
    by_code = {r.code: r for r in load_regions()}
    assert by_code["24"].name == "Västerbottens län"
    assert by_code["24"].short_name == "Västerbotten"
    assert (by_code["24"].nuts2, by_code["24"].nuts3) == ("SE33", "SE331")
    assert by_code["12"].name == "Skåne län" and by_code["12"].nuts3 == "SE224"
    assert by_code["14"].name == "Västra Götalands län" and by_code["14"].slug == "vastra-gotaland"
    assert by_code["09"].name == "Gotlands län" and by_code["23"].name == "Jämtlands län"
    assert [r.short_name for r in peer_regions("24")] == [
        "Norrbotten", "Västernorrland", "Jämtland", "Uppsala", "Östergötland"]
    for region in lan_regions():
        assert 3 <= len(region.peers) <= 5, region.code
        assert region.nuts3.startswith(region.nuts2), region.code


@pytest.mark.parametrize("value", [
    "24", 24, "Västerbotten", "västerbotten", "Västerbottens län", "VÄSTERBOTTENS LÄN",
    "Västerbotten län", "vasterbotten", "Vasterbottens lan", "  Västerbotten ",
    "Region Västerbotten",
])
def test_resolve_region_accepts_codes_names_and_slugs(value):
    assert resolve_region(value).code == "24"


def test_resolve_region_other_forms():
    assert resolve_region("Västra Götaland").code == "14"
    assert resolve_region("vastra_gotaland").code == "14"
    assert resolve_region("Skåne län").code == "12"
    assert resolve_region(1).code == "01"
    assert resolve_region("Riket").code == "00"
    assert resolve_region("Sverige").code == "00"
    region = resolve_region("24")
    assert resolve_region(region) is region


@pytest.mark.parametrize("value", ["2", "024", "Lappland", "", 99, True, "11"])
def test_resolve_region_rejects_unknown_values(value):
    with pytest.raises(UnknownRegionError):
        resolve_region(value)


def test_unknown_region_message_lists_every_code_and_name():
    with pytest.raises(UnknownRegionError) as info:
        resolve_region("Lappland")
    message = str(info.value)
    assert message.startswith("unknown region 'Lappland'; expected a two-digit län code or a "
                              "name, one of: 00 Riket, 01 Stockholms län (Stockholm), ")
    assert message.endswith("24 Västerbottens län (Västerbotten), 25 Norrbottens län "
                            "(Norrbotten)")
    for region in load_regions():
        assert f"{region.code} {region.name}" in message


def test_find_region_returns_none_instead_of_raising():
    assert find_region("Västerbottens län").code == "24"
    assert find_region("Lappland") is None
    assert find_region(None) is None


def test_make_slug():
    assert make_slug("Jönköping") == "jonkoping"
    assert make_slug("Västra Götaland") == "vastra-gotaland"


# --- broken files ----------------------------------------------------------------------------

GOOD = """\
- code: "00"
  name: Riket
  short_name: Riket
  nuts2: null
  nuts3: null
  peers: []
- code: "24"
  name: Västerbottens län
  short_name: Västerbotten
  nuts2: SE33
  nuts3: SE331
  peers: ["25"]
- code: "25"
  name: Norrbottens län
  short_name: Norrbotten
  nuts2: SE33
  nuts3: SE332
  peers: ["24"]
"""


def _load(tmp_path: Path, text: str):
    (tmp_path / "regions.yaml").write_text(text, encoding="utf-8")
    return load_regions(tmp_path)


def _error(tmp_path: Path, text: str) -> str:
    with pytest.raises(DataError) as info:
        _load(tmp_path, text)
    return str(info.value)


def test_small_file_loads_and_resolves_from_its_own_folder(tmp_path):
    assert [r.code for r in _load(tmp_path, GOOD)] == ["00", "24", "25"]
    assert resolve_region("norrbotten", tmp_path).code == "25"
    with pytest.raises(UnknownRegionError, match="one of: 00 Riket, 24 Västerbottens län"):
        resolve_region("Skåne", tmp_path)


def test_unquoted_code_is_refused(tmp_path):
    text = GOOD.replace('code: "24"', "code: 24")
    assert _error(tmp_path, text) == (
        "regions.yaml: entry 2, field 'code': 24 is not a two-digit code; "
        'expected a quoted two-digit string such as "01" or "24"')


def test_duplicate_code(tmp_path):
    text = GOOD.replace('code: "25"', 'code: "24"')
    assert _error(tmp_path, text) == (
        "regions.yaml: region '24': code '24' appears twice (entries 2 and 3); "
        "expected unique codes")


def test_peer_must_exist(tmp_path):
    text = GOOD.replace('peers: ["24"]', 'peers: ["24", "26"]')
    assert _error(tmp_path, text) == (
        "regions.yaml: region '25', field 'peers': '26' is not another län; "
        "expected codes of other län listed in the file")


def test_nuts3_must_lie_in_nuts2(tmp_path):
    text = GOOD.replace("nuts3: SE332", "nuts3: SE321")
    assert _error(tmp_path, text) == (
        "regions.yaml: region '25', field 'nuts3': 'SE321' is not a NUTS3 code inside SE33; "
        "expected 'SE33' and one digit, e.g. 'SE331'")


def test_riket_is_required(tmp_path):
    text = GOOD.split("- code: \"24\"", 1)[1]
    assert _error(tmp_path, "- code: \"24\"" + text) == (
        "regions.yaml: Riket is missing; expected an entry with code '00'")


def test_markup_in_a_region_name_is_refused(tmp_path):
    text = GOOD.replace("short_name: Norrbotten", "short_name: Norrbotten<script>")
    assert _error(tmp_path, text) == (
        "regions.yaml: region '25', field 'short_name': 'Norrbotten<script>' contains markup "
        "('<'); expected plain text without <, >, backticks or MyST {role} syntax")


def test_unknown_field_in_a_region(tmp_path):
    text = GOOD.replace("  peers: [\"24\"]", "  peers: [\"24\"]\n  peer: [\"24\"]")
    assert _error(tmp_path, text).startswith(
        "regions.yaml: region '25', field 'peer': unknown field (did you mean 'peers'?)")
