"""ecoreport fetch and fetch --check on recorded responses in each service's format (SCB
PxWeb v2 and Tillväxtanalys PxWeb v1 JSON-stat 2.0 and metadata, Kolada v3, Eurostat's
JSON-stat 2.0); no network."""

from __future__ import annotations

import datetime as dt
import email.message
import io
import json
import shutil
import time
import urllib.error
from pathlib import Path

import pytest

from ecoreport import cli
from ecoreport.ingest import fetch as fetch_module
from ecoreport.data.catalogue import load_catalogue
from ecoreport.ingest.fetch import (
    FetchedRow, FetchError, RateLimiter, check_apis, eurostat_url, fetch_indicators,
    fetch_rows, format_check, kolada_urls, make_fetch_json, parse_jsonstat2, probe_hosts,
    rows_from_eurostat, rows_from_jsonstat2, rows_from_kolada, scb_request, tva_url,
)
from ecoreport.paths import project_root

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TODAY = dt.date(2026, 11, 23)
SCB_URL = ("https://statistikdatabasen.scb.se/api/v2/tables/TAB638/data"
           "?lang=sv&outputFormat=json-stat2")
KOLADA_URL = "https://api.kolada.se/v3/data/kpi/N85085/municipality/0000,0024"
CKM_URL = "https://api.scb.se/OV0104/v1/doris/sv/ssd/BE/BE0101/BE0101A/BefolkningCKM"


def recorded(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(project_root() / "data", target)
    return target


class FakeApi:
    """A fetch_json answering from recorded responses and logging every call."""

    def __init__(self, responses: dict[str, dict]) -> None:
        self.responses = responses
        self.calls: list[tuple[str, dict | None, float]] = []

    def __call__(self, url: str, body: dict | None, timeout: float) -> dict:
        self.calls.append((url, body, timeout))
        if body is not None and (url, "POST") in self.responses:  # PxWeb v1: GET and POST
            return self.responses[(url, "POST")]
        return self.responses[url]


def recorded_api() -> FakeApi:
    return FakeApi({
        SCB_URL: recorded("scb_tab638_befolkning.json"),
        KOLADA_URL: recorded("kolada_N85085_page1.json"),
        KOLADA_URL + "?page=2": recorded("kolada_N85085_page2.json"),
        CKM_URL: recorded("scb_v1_befolkningckm_metadata.json"),
        (CKM_URL, "POST"): recorded("scb_v1_befolkningckm_data.json"),
    })


def lines_of(path: Path) -> dict[str, str]:
    return {",".join(line.split(",")[:3]): line
            for line in path.read_text(encoding="utf-8").splitlines()[1:]}


# --- parsing ------------------------------------------------------------------------------

def test_jsonstat2_cells_in_row_major_order():
    cells = parse_jsonstat2(recorded("scb_tab638_befolkning.json"))
    assert cells[1] == ({"Region": "00", "ContentsCode": "BE0101N1", "Tid": "2023"}, 10551707.0)
    assert cells[5] == ({"Region": "24", "ContentsCode": "BE0101N1", "Tid": "2024"}, None)


def test_scb_rows_skip_suppressed_cells():
    api = load_catalogue(project_root() / "data").indicator("befolkning").api
    rows = rows_from_jsonstat2(recorded("scb_tab638_befolkning.json"), "befolkning", api,
                               "scb TAB638")
    assert [(r.region_code, r.period, r.value) for r in rows] == [
        ("00", "2022", 10521556.0), ("00", "2023", 10551707.0), ("00", "2024", 10587710.0),
        ("24", "2022", 276295.0), ("24", "2023", 278729.0)]


def test_scb_sum_over_ages_with_sparse_values():
    api = load_catalogue(project_root() / "data").indicator("befolkning_20_64").api
    rows = rows_from_jsonstat2(recorded("scb_tab638_befolkning_20_64.json"), "befolkning_20_64",
                               api, "scb TAB638")
    # 2023: 3000 + 3100 + 3200; 2024 has a suppressed age, so no sum rather than a low one
    assert rows == [FetchedRow("24", "befolkning_20_64", "2023", 9300.0, "scb TAB638")]


def test_scb_extra_dimension_without_sum_over_is_refused():
    doc = recorded("scb_tab638_befolkning_20_64.json")
    with pytest.raises(FetchError, match="several values for 24 2023"):
        rows_from_jsonstat2(doc, "befolkning", {"value_code": "BE0101N1"}, "scb TAB638")


def test_kolada_rows_use_the_total_and_skip_nulls_and_kommuner():
    rows = rows_from_kolada(recorded("kolada_N85085_page1.json"), "fou_utgifter_foretag",
                            "kolada N85085")
    rows += rows_from_kolada(recorded("kolada_N85085_page2.json"), "fou_utgifter_foretag",
                             "kolada N85085")
    assert [(r.region_code, r.period, r.value) for r in rows] == [
        ("24", "2021", 3307.073422), ("24", "2022", 3612.4), ("00", "2021", 12584.66)]


# --- requests -------------------------------------------------------------------------------

def test_scb_request_for_population_20_64():
    api = load_catalogue(project_root() / "data").indicator("befolkning_20_64").api
    url, body = scb_request(api, ["00", "24"])
    assert url == SCB_URL
    selection = {item["variableCode"]: item["valueCodes"] for item in body["selection"]}
    assert selection["Region"] == ["00", "24"]
    assert selection["Alder"] == [str(age) for age in range(20, 65)]
    assert selection["ContentsCode"] == ["BE0101N1"]
    assert selection["Tid"] == ["*"]


def test_kolada_urls_are_batched():
    urls = kolada_urls({"kpi": "N85085", "municipality": "00{region_code}"},
                       [f"{code:02d}" for code in range(12)])
    assert urls == [
        "https://api.kolada.se/v3/data/kpi/N85085/municipality/"
        "0000,0001,0002,0003,0004,0005,0006,0007,0008,0009",
        "https://api.kolada.se/v3/data/kpi/N85085/municipality/0010,0011"]


def test_fetch_rows_follows_kolada_pages():
    api = recorded_api()
    catalogue = load_catalogue(project_root() / "data")
    rows = fetch_rows(["fou_utgifter_foretag"], ["00", "24"], catalogue, api, timeout=5)
    assert [call[0] for call in api.calls] == [KOLADA_URL, KOLADA_URL + "?page=2"]
    assert {(r.region_code, r.period) for r in rows} == {("24", "2021"), ("24", "2022"),
                                                         ("00", "2021")}
    assert all(call[2] == 5 for call in api.calls)


# --- merging --------------------------------------------------------------------------------

def test_fetch_merges_observed_values(data: Path):
    before = lines_of(data / "values.csv")
    result = fetch_indicators(["befolkning", "fou_utgifter_foretag"], ["Riket", "Västerbotten"],
                              data_dir=data, fetch_json=recorded_api(), today=TODAY)
    after = lines_of(data / "values.csv")
    # SCB's year-end population equals the bundled Eurostat 1 January figure a day later
    assert after["24,befolkning,2022"] == before["24,befolkning,2022"]
    assert after["24,befolkning,2022"].split(",")[3] == "276295"
    assert after["24,fou_utgifter_foretag,2022"] == (
        "24,fou_utgifter_foretag,2022,3612.4,observed,kolada_fou,"
        "fetched 2026-11-23 from kolada N85085")
    assert after["24,befolkning,2024"] == before["24,befolkning,2024"]  # suppressed at SCB
    assert after["24,fou_utgifter_foretag,2021"] == before["24,fou_utgifter_foretag,2021"]
    # 2025 is not in TAB638: it comes from the table that continues it (BefolkningCKM),
    # both sexes added up, under the same source
    assert after["24,befolkning,2025"] == (
        "24,befolkning,2025,277500,observed,scb_befolkning,"
        "fetched 2026-11-23 from scb_v1 BE/BE0101/BE0101A/BefolkningCKM")
    assert (result.count("replaced_synthetic"), result.count("unchanged"),
            result.count("new")) == (1, 7, 2)


def test_fetch_dry_run_writes_nothing(data: Path):
    before = (data / "values.csv").read_bytes()
    result = fetch_indicators(["fou_utgifter_foretag"], ["00", "24"], data_dir=data,
                              fetch_json=recorded_api(), dry_run=True, today=TODAY)
    assert result.count("replaced_synthetic") == 1
    assert (data / "values.csv").read_bytes() == before


# --- offline, failures, throttling ----------------------------------------------------------

def offline_opener(request, timeout):
    raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")


def test_offline_fails_fast_with_a_clear_message(data: Path):
    before = (data / "values.csv").read_bytes()
    calls = []

    def opener(request, timeout):
        calls.append(request.full_url)
        offline_opener(request, timeout)

    with pytest.raises(FetchError) as caught:
        fetch_indicators(["fou_utgifter_foretag"], ["24"], data_dir=data,
                         fetch_json=make_fetch_json(opener, sleep=pytest.fail), today=TODAY)
    assert str(caught.value) == (
        "kolada N85085 (fou_utgifter_foretag): could not reach api.kolada.se within 10 s: "
        "[Errno -3] Temporary failure in name resolution — nothing was changed")
    assert len(calls) == 1  # no retries when the host cannot be reached
    assert (data / "values.csv").read_bytes() == before


def test_one_failing_service_means_nothing_is_written(data: Path):
    before = (data / "values.csv").read_bytes()
    responses = recorded_api().responses

    def fetch_json(url, body, timeout):
        if "kolada" in url:
            raise FetchError("could not reach api.kolada.se within 10 s: timed out "
                             "— nothing was changed")
        return responses[url]

    with pytest.raises(FetchError):
        fetch_indicators(["befolkning", "fou_utgifter_foretag"], ["00", "24"], data_dir=data,
                         fetch_json=fetch_json, today=TODAY)
    assert (data / "values.csv").read_bytes() == before


def no_network(address, timeout):
    raise OSError(f"[Errno -2] Name or service not known: {address[0]}")


def test_cli_fetch_offline(data: Path, monkeypatch, capsys):
    before = (data / "values.csv").read_bytes()
    monkeypatch.setattr(fetch_module.socket, "create_connection", no_network)
    code = cli.main(["fetch", "--indicator", "befolkning", "--region", "24", "--data",
                     str(data)])
    assert code == 2
    message = capsys.readouterr().err
    assert "cannot reach the statistics APIs (no network?): " in message
    assert "statistikdatabasen.scb.se" in message and "api.scb.se" in message
    assert (data / "values.csv").read_bytes() == before


def test_cli_fetch_check_offline_fails_fast(data: Path, monkeypatch, capsys):
    monkeypatch.setattr(fetch_module.socket, "create_connection", no_network)
    started = time.monotonic()
    code = cli.main(["fetch", "--check", "--data", str(data)])
    assert code == 2 and time.monotonic() - started < 15
    message = capsys.readouterr().err
    for host in ("api.kolada.se", "ec.europa.eu", "statistik.tillvaxtanalys.se",
                 "statistikdatabasen.scb.se"):
        assert host in message
    assert "nothing was checked or changed" in message


def test_probe_gives_up_on_a_silent_host(monkeypatch):
    def hang(address, timeout):
        time.sleep(timeout + 2)

    monkeypatch.setattr(fetch_module.socket, "create_connection", hang)
    started = time.monotonic()
    with pytest.raises(FetchError, match="api.kolada.se: no answer within 0.2 s"):
        probe_hosts(["kolada"], timeout=0.2)
    assert time.monotonic() - started < 2


class Response(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_retry_after_429():
    headers = email.message.Message()
    headers["Retry-After"] = "3"
    answers = [urllib.error.HTTPError(SCB_URL, 429, "Too Many Requests", headers, None),
               Response(b'{"ok": true}')]
    sleeps: list[float] = []
    seen: list[tuple[str, str, bytes]] = []

    def opener(request, timeout):
        seen.append((request.get_method(), request.full_url, request.data))
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    fetch_json = make_fetch_json(opener, sleep=sleeps.append, clock=lambda: 0.0)
    assert fetch_json(SCB_URL, {"selection": []}, 10) == {"ok": True}
    assert sleeps == [3.0]
    assert seen == [("POST", SCB_URL, b'{"selection": []}')] * 2


def test_http_error_is_reported_with_status():
    def opener(request, timeout):
        raise urllib.error.HTTPError(KOLADA_URL, 404, "Not Found", email.message.Message(),
                                     None)

    with pytest.raises(FetchError, match="api.kolada.se answered HTTP 404 Not Found"):
        make_fetch_json(opener, sleep=pytest.fail)(KOLADA_URL, None, 10)


def test_rate_limiter_allows_30_calls_per_10_seconds():
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(30, 10.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(30):
        limiter.wait()
        now[0] += 0.1
    assert sleeps == []
    limiter.wait()  # the 31st call at t = 3.0 waits until the first is 10 s old
    assert sleeps == [pytest.approx(7.0)]


# --- Eurostat and Tillväxtanalys ------------------------------------------------------------

def test_eurostat_rows_by_nuts3_code_with_missing_cells_left_out():
    api = load_catalogue(project_root() / "data").indicator("brp").api
    geo = {"SE": "00", "SE110": "01", "SE331": "24"}
    assert eurostat_url(api, list(geo)) == (
        "https://ec.europa.eu/eurostat/api/dissemination/statistics/1.0/data/nama_10r_3gdp"
        "?format=JSON&lang=EN&unit=MIO_NAC&geo=SE&geo=SE110&geo=SE331")
    rows = rows_from_eurostat(recorded("eurostat_nama_10r_3gdp.json"), "brp", api, geo,
                              "eurostat nama_10r_3gdp")
    assert sorted((r.region_code, r.period, r.value) for r in rows) == [
        ("00", "2020", 5038538.0), ("00", "2021", 5449533.0), ("01", "2020", 1614271.69),
        ("24", "2020", 100019.25), ("24", "2021", 106802.4)]  # Stockholm 2021 is missing
    shifted = rows_from_eurostat(recorded("eurostat_nama_10r_3gdp.json"), "x",
                                 {**api, "year_shift": -1}, geo, "o")
    assert {r.period for r in shifted} == {"2019", "2020"}


def test_tillvaxtanalys_months_add_up_to_complete_years_only():
    catalogue = load_catalogue(project_root() / "data")
    url = tva_url(catalogue.indicator("konkurser").api)
    calls = []

    def fetch_json(called, body, timeout):
        calls.append((called, body))
        return recorded("tva_konkurser_metadata.json" if body is None
                        else "tva_konkurser_data.json")

    rows = fetch_rows(["konkurser"], ["24", "25"], catalogue, fetch_json)
    # Västerbotten 2023: twelve months 10 … 21; 2024 has six months only; Norrbotten 2023
    # has a suppressed month: both left out rather than understated
    assert [(r.region_code, r.period, r.value) for r in rows] == [("24", "2023", 186.0)]
    assert [called for called, _ in calls] == [url, url]
    query = {item["code"]: item["selection"] for item in calls[1][1]["query"]}
    assert query["Län"] == {"filter": "item", "values": ["20", "21"]}  # running numbers
    assert query["variabel"] == {"filter": "item", "values": ["0"]}
    assert query["Tid"] == {"filter": "all", "values": ["*"]}
    assert calls[1][1]["response"] == {"format": "json-stat2"}
    assert url.startswith("https://statistik.tillvaxtanalys.se/PxWeb/api/v1/sv/")


# --- fetch --check --------------------------------------------------------------------------

def metadata_api() -> FakeApi:
    catalogue = load_catalogue(project_root() / "data")
    geo = "&".join(f"geo={code}" for code in
                   ["SE110", "SE121", "SE122", "SE123", "SE211", "SE212", "SE213", "SE214",
                    "SE221", "SE224", "SE231", "SE232", "SE311", "SE124", "SE125", "SE312",
                    "SE313", "SE321", "SE322", "SE331", "SE332", "SE"])
    eurostat = recorded("eurostat_nama_10r_3gdp.json")
    responses = {
        "https://statistikdatabasen.scb.se/api/v2/tables/TAB638/metadata?lang=sv":
            recorded("scb_tab638_metadata.json"),
        "https://statistikdatabasen.scb.se/api/v2/tables/TAB6366/metadata?lang=sv":
            recorded("scb_tab6366_metadata.json"),
        CKM_URL: recorded("scb_v1_befolkningckm_metadata.json"),
        "https://api.scb.se/OV0104/v1/doris/sv/ssd/UF/UF0506/UF0506B/UtbBefRegionR":
            recorded("scb_v1_utbbefregionr_metadata.json"),
        "https://ec.europa.eu/eurostat/api/dissemination/statistics/1.0/data/nama_10r_3gdp"
        f"?format=JSON&lang=EN&unit=MIO_NAC&{geo}&lastTimePeriod=1": eurostat,
    }
    for kpi in ("N85085", "N85086", "N85087"):
        kpi_doc = recorded("kolada_kpi_N85085.json")
        kpi_doc["values"][0]["id"] = kpi
        responses[f"https://api.kolada.se/v3/kpi/{kpi}"] = kpi_doc
    for indicator_id in ("konkurser", "nystartade_foretag", "utlandsagda_arbetsstallen"):
        responses[tva_url(catalogue.indicator(indicator_id).api)] = recorded(
            "tva_konkurser_metadata.json")
    return FakeApi(responses)


def test_check_reports_each_declaration(data: Path):
    fake = metadata_api()
    results = {r.indicator_id: r for r in check_apis(data_dir=data, fetch_json=fake,
                                                      probe=False)}
    assert set(results) == {"befolkning", "befolkning_20_64", "brp", "fou_utgifter_foretag",
                            "fou_utgifter_offentlig", "fou_utgifter_hogskola", "konkurser",
                            "nystartade_foretag", "utlandsagda_arbetsstallen",
                            "eftergymnasial_3ar_andel", "utbildningsmatchning_andel"}
    for ok in ("befolkning", "befolkning_20_64", "fou_utgifter_foretag", "konkurser",
               "eftergymnasial_3ar_andel", "utbildningsmatchning_andel"):
        assert results[ok].ok, results[ok]
    # the recorded Eurostat answer has three geo codes only
    assert results["brp"].problems[0].startswith("geo: no code(s) SE121")
    # the konkurser table has no value "antal nystartade företag", nor Ägarland/Bransch
    assert results["nystartade_foretag"].problems == (
        "variabel: no value 'antal nystartade företag'",)
    assert results["utlandsagda_arbetsstallen"].problems == (
        "no variable Ägarland", "no variable Bransch")
    assert all(body is None for _, body, _ in fake.calls)  # metadata GETs only
    table = format_check(list(results.values()))
    assert "befolkning" in table and "TAB638" in table and "OK" in table
    assert table.splitlines()[-1] == ("8 of 11 declarations confirmed by the services; "
                                      "3 need attention")


def test_check_finds_a_content_code_the_table_does_not_have(data: Path):
    text = (data / "indicators.yaml").read_text(encoding="utf-8")
    (data / "indicators.yaml").write_text(text.replace(
        "ContentsCode: BE0101N1\n        Tid: \"*\"\n      value_code: BE0101N1\n      confirmed",
        "ContentsCode: BE0101N9\n        Tid: \"*\"\n      value_code: BE0101N9\n      confirmed",
        1), encoding="utf-8")
    [result] = check_apis(["befolkning"], data_dir=data, fetch_json=metadata_api(), probe=False)
    assert result.problems == ("ContentsCode: no code(s) BE0101N9, BE0101N9",)
