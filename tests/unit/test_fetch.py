"""ecoreport fetch: recorded SCB (JSON-stat 2.0) and Kolada v3 responses, no network."""

from __future__ import annotations

import datetime as dt
import email.message
import io
import json
import shutil
import urllib.error
from pathlib import Path

import pytest

from ecoreport import cli
from ecoreport.ingest import fetch as fetch_module
from ecoreport.data.catalogue import load_catalogue
from ecoreport.ingest.fetch import (
    FetchedRow, FetchError, RateLimiter, fetch_indicators, fetch_rows, kolada_urls,
    make_fetch_json, parse_jsonstat2, rows_from_jsonstat2, rows_from_kolada, scb_request,
    scb_table_id,
)
from ecoreport.paths import project_root

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TODAY = dt.date(2026, 11, 23)
SCB_URL = ("https://statistikdatabasen.scb.se/api/v2/tables/TAB638/data"
           "?lang=sv&outputFormat=json-stat2")
KOLADA_URL = "https://api.kolada.se/v3/data/kpi/N85085/municipality/0000,0024"


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
        return self.responses[url]


def recorded_api() -> FakeApi:
    return FakeApi({
        SCB_URL: recorded("scb_tab638_befolkning.json"),
        KOLADA_URL: recorded("kolada_N85085_page1.json"),
        KOLADA_URL + "?page=2": recorded("kolada_N85085_page2.json"),
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
        ("24", "2022", 278739.0), ("24", "2023", 281052.0)]


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


def test_table_ids():
    assert scb_table_id("TAB1234") == "TAB1234"
    with pytest.raises(FetchError, match="no PxWeb v2 table id known for 'XX/YY'"):
        scb_table_id("XX/YY")


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
    assert after["24,befolkning,2022"] == (
        "24,befolkning,2022,278739,observed,scb_befolkning,fetched 2026-11-23 from scb TAB638")
    assert after["24,fou_utgifter_foretag,2022"] == (
        "24,fou_utgifter_foretag,2022,3612.4,observed,kolada_fou,"
        "fetched 2026-11-23 from kolada N85085")
    assert after["24,befolkning,2024"] == before["24,befolkning,2024"]  # suppressed at SCB
    assert after["24,fou_utgifter_foretag,2021"] == before["24,fou_utgifter_foretag,2021"]
    assert (result.count("replaced_synthetic"), result.count("unchanged")) == (6, 2)


def test_fetch_dry_run_writes_nothing(data: Path):
    before = (data / "values.csv").read_bytes()
    result = fetch_indicators(["befolkning"], ["00", "24"], data_dir=data,
                              fetch_json=recorded_api(), dry_run=True, today=TODAY)
    assert result.count("replaced_synthetic") == 5
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
        "could not reach api.kolada.se within 10 s: [Errno -3] Temporary failure in name "
        "resolution — nothing was changed")
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


def test_cli_fetch_offline(data: Path, monkeypatch, capsys):
    before = (data / "values.csv").read_bytes()
    monkeypatch.setattr(fetch_module, "make_fetch_json",
                        lambda: make_fetch_json(offline_opener, sleep=pytest.fail))
    code = cli.main(["fetch", "--indicator", "befolkning", "--region", "24", "--data",
                     str(data)])
    assert code == 2
    assert "could not reach statistikdatabasen.scb.se within 10 s" in capsys.readouterr().err
    assert (data / "values.csv").read_bytes() == before


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
