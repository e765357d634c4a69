"""fetch, fetch --check and update against a local HTTP server standing in for every service.

The real request code (``make_fetch_json`` with ``urllib``) sends real requests to a
threaded ``http.server`` on 127.0.0.1; the services' base URLs point there through the
``ECOREPORT_*_URL`` variables. The server records the path (as it arrives, percent-encoded),
the query and the JSON body of every request and answers in each service's format, with
numbers chosen so that the expected values are known.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ecoreport import cli
from ecoreport.data.catalogue import load_catalogue
from ecoreport.ingest import fetch as fetch_module
from ecoreport.ingest.fetch import (FetchError, check_apis, fetch_indicators, fetch_rows,
                                    make_fetch_json)
from ecoreport.data.regions import load_regions
from ecoreport.paths import project_root

TODAY = dt.date(2026, 11, 23)
TVA_DB = "Tillväxtanalys statistikdatabas"
YEARS = ["2023", "2024"]


def jsonstat(dims: dict[str, list[str]], value) -> dict:
    """A JSON-stat 2.0 dataset over ``dims`` (ordered), cell value ``value(coordinates)``."""
    ids = list(dims)
    cells = [{}]
    for dim in ids:
        cells = [{**cell, dim: code} for cell in cells for code in dims[dim]]
    return {"version": "2.0", "class": "dataset", "id": ids,
            "size": [len(dims[d]) for d in ids],
            "dimension": {d: {"category": {"index": {c: i for i, c in enumerate(dims[d])}}}
                          for d in ids},
            "value": [value(cell) for cell in cells]}


# PxWeb v1 tables the stand-in knows: variable -> {code: text}
AGES = {str(age): f"{age} år" for age in range(16, 70)}
PXWEB_V1 = {
    "UF/UF0506/UF0506B/UtbBefRegionR": {
        # two kommuner of Stockholms län and of Västerbotten, one of every other län
        "Region": {code: code for code in [
            "0114", "0180", "0380", "0480", "0580", "0680", "0780", "0880", "0980", "1080",
            "1280", "1380", "1480", "1780", "1880", "1980", "2080", "2180", "2281", "2380",
            "2480", "2482", "2580"]},
        "UtbildningsNiva": {c: c for c in ["1", "2", "3", "4", "5", "6", "7", "US"]},
        "Alder": AGES, "Kon": {"1": "män", "2": "kvinnor"},
        "ContentsCode": {"000000I2": "Antal"}, "Tid": {"2024": "2024"}},
    "BE/BE0101/BE0101A/BefolkningCKM": {
        "Region": {r.code: r.name for r in load_regions(project_root() / "data")},
        "Alder": {"TotSA": "totalt, samtliga åldrar", "0": "0 år"},
        "Civilstand": {"SC": "totalt", "OG": "ogifta"},
        "Kon": {"1": "män", "2": "kvinnor"},
        "ContentsCode": {"000007SV": "Folkmängd", "000007SW": "Folkökning"},
        "Tid": {"2024": "2024", "2025": "2025"}},
}
# Tillväxtanalys: running numbers as codes, "24 Västerbottens län" as texts
TVA_LAN = {str(int(r.code)): f"{r.code} {r.name}" for r in load_regions(project_root() / "data")
           if r.code != "00"} | {"99": "99 Okänt län"}


def tva_table(api: dict) -> dict[str, dict[str, str]]:
    table = api["table"]
    monthly = "manad" in table
    periods = ([f"{y}M{m:02d}" for y in YEARS for m in range(1, 13)] if monthly else
               [f"{y}Q{q}" for y in YEARS for q in range(1, 5)] if "kvartal" in table else YEARS)
    variables = {api["region_variable"]: TVA_LAN,
                 api.get("time_variable", "Tid"): {p: p for p in periods}}
    for variable, text in api["select_text"].items():
        variables[variable] = {"0": text, "1": "något annat"}
    for variable in api.get("sum_over") or []:
        variables[variable] = {"a": "första", "b": "andra"}
    return variables


def pxweb_metadata(variables: dict[str, dict[str, str]]) -> dict:
    return {"title": "stand-in", "variables": [
        {"code": code, "text": code, "values": list(texts), "valueTexts": list(texts.values())}
        for code, texts in variables.items()]}


def pxweb_answer(variables: dict[str, dict[str, str]], body: dict, value) -> dict:
    selected = {}
    for item in body["query"]:
        values = item["selection"]["values"]
        codes = list(variables[item["code"]]) if values == ["*"] else values
        assert set(codes) <= set(variables[item["code"]]), (item, variables[item["code"]])
        selected[item["code"]] = codes
    dims = {code: selected.get(code, list(texts)) for code, texts in variables.items()}
    return jsonstat(dims, value)


class StandIn(BaseHTTPRequestHandler):
    """Answers as SCB v2, SCB v1, Kolada v3, Eurostat and Tillväxtanalys would."""

    requests: list[dict] = []
    catalogue = None
    fail: set[str] = set()       # services that answer every request with an HTTP error
    fail_data: set[str] = set()  # services whose metadata answers but whose data fails

    def log_message(self, *args) -> None:  # keep pytest's output clean
        pass

    def do_GET(self) -> None:
        self.answer(None)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.answer(json.loads(self.rfile.read(length)))

    def answer(self, body) -> None:
        raw_path, _, query = self.path.partition("?")
        path = urllib.parse.unquote(raw_path)
        self.requests.append({"method": self.command, "raw_path": raw_path, "path": path,
                              "query": urllib.parse.parse_qs(query), "body": body})
        service = path.strip("/").split("/")[0]
        is_data = body is not None or "/data/" in path or service == "eurostat"
        if service in self.fail or (service in self.fail_data and is_data):
            self.send_error(503 if service != "kolada" else 500)
            return
        try:
            document = getattr(self, "answer_" + service)(path, query, body)
        except LookupError as exc:
            self.send_error(404, str(exc))
            return
        data = json.dumps(document).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def answer_scb(self, path, query, body):
        table = path.split("/")[3]
        if path.endswith("/metadata"):
            regions = [r.code for r in load_regions(project_root() / "data")]
            dims = {"TAB638": {"Region": regions, "Alder": [str(a) for a in range(101)],
                               "ContentsCode": ["BE0101N1", "BE0101N2"], "Tid": YEARS},
                    "TAB6366": {"Region": regions, "Kon": ["1", "2"],
                                "AlderFodelselandgr": ["Sverige", "totalt"],
                                "ContentsCode": ["000007I3"], "Tid": YEARS}}[table]
            document = jsonstat(dims, lambda cell: 0.0)
            del document["value"]
            return document
        dims = {s["variableCode"]: s["valueCodes"] for s in body["selection"]}
        dims["Tid"] = YEARS if dims.get("Tid") == ["*"] else dims["Tid"]
        summed = [d for d in dims if d not in ("Region", "Tid", "ContentsCode")]
        for dim in summed:
            assert dim in ("Alder", "AlderFodelselandgr"), f"{table}: unexpected {dim}"
        # population 1000 per age and year; the match share 70.5
        return jsonstat(dims, lambda c: 70.5 if table == "TAB6366" else 1000.0)

    def answer_scbv1(self, path, query, body):
        table = path.split("/", 2)[2]
        variables = PXWEB_V1[table]
        if body is None:
            return pxweb_metadata(variables)

        def value(cell):
            if table.endswith("UtbBefRegionR"):  # 10 persons per cell, 30 at level 6
                return 30.0 if cell["UtbildningsNiva"] == "6" else 10.0
            return 111.0 if cell["ContentsCode"] == "000007SV" else -5.0
        return pxweb_answer(variables, body, value)

    def answer_kolada(self, path, query, body):
        parts = path.strip("/").split("/")
        if parts[1] == "kpi":  # metadata
            return {"count": 1, "values": [{"id": parts[2], "title": "stand-in"}]}
        kpi, ids = parts[3], parts[5].split(",")
        return {"count": len(ids), "values": [
            {"kpi": kpi, "municipality": m, "period": int(y),
             "values": [{"gender": "T", "value": 1234.5}]} for m in ids for y in YEARS]}

    def answer_eurostat(self, path, query, body):
        params = urllib.parse.parse_qs(query)
        dims = {"unit": params["unit"], "geo": params["geo"], "time": YEARS}
        return jsonstat(dims, lambda c: 150000.0)

    def answer_tva(self, path, query, body):
        assert path.split("/")[2] == TVA_DB, path
        table = path.split("/", 3)[3]
        api = next(i.api for i in self.catalogue.indicators.values()
                   if i.api and i.api["service"] == "tillvaxtanalys" and i.api["table"] == table)
        variables = tva_table(api)
        if body is None:
            return pxweb_metadata(variables)
        return pxweb_answer(variables, body, lambda cell: 2.0)


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(project_root() / "data", target)
    return target


@pytest.fixture()
def standin(monkeypatch, data):
    """The stand-in server on 127.0.0.1 (a free port), every service's base URL on it."""
    StandIn.requests = []
    StandIn.fail = set()
    StandIn.fail_data = set()
    StandIn.catalogue = load_catalogue(data)
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    for service, variable in fetch_module.BASE_ENV.items():
        name = {"scb_v1": "scbv1", "tillvaxtanalys": "tva"}.get(service, service)
        monkeypatch.setenv(variable, f"{base}/{name}")
    yield StandIn
    server.shutdown()
    server.server_close()


def requests_to(server, service: str) -> list[dict]:
    return [r for r in server.requests if r["path"].startswith(f"/{service}/")]


def test_fetch_every_declared_indicator_through_real_requests(standin, data):
    catalogue = load_catalogue(data)
    declared = [i for i, ind in catalogue.indicators.items() if ind.api]
    rows = fetch_rows(declared, ["00", "24"], catalogue, make_fetch_json(),
                      regions=load_regions(data), timeout=5)
    got = {(r.indicator_id, r.region_code, r.period): r for r in rows}
    # every declared indicator came back with values for Västerbotten
    assert {r.indicator_id for r in rows if r.region_code == "24"} == set(declared)
    # Tillväxtanalys: the database name and the folders arrive percent-encoded
    tva = requests_to(standin, "tva")
    assert tva and all(r["raw_path"].startswith("/tva/Tillv%C3%A4xtanalys%20statistikdatabas/")
                       for r in tva)
    assert any(r["raw_path"].endswith("/Nystartade%20f%C3%B6retag/"
                                      "nystartade_foretag_kvartal_lan.px") for r in tva)
    konkurser_post = next(r for r in tva if r["method"] == "POST" and "konkurser" in r["path"])
    assert konkurser_post["body"]["query"][0] == {
        "code": "Län", "selection": {"filter": "item", "values": ["24"]}}
    assert konkurser_post["body"]["response"] == {"format": "json-stat2"}
    # 12 months × 2.0 per year; quarters the same way; summed owner countries × industries
    assert got[("konkurser", "24", "2024")].value == 24.0
    assert got[("nystartade_foretag", "24", "2023")].value == 8.0
    assert got[("utlandsagda_arbetsstallen", "24", "2024")].value == 8.0
    # SCB v2: the POST body names the table's variables and codes
    scb = requests_to(standin, "scb")
    body = next(r["body"] for r in scb if "/TAB6366/" in r["path"])
    assert {"variableCode": "AlderFodelselandgr", "valueCodes": ["totalt"]} in body["selection"]
    assert next(r for r in scb if "/TAB6366/" in r["path"])["query"] == {
        "lang": ["sv"], "outputFormat": ["json-stat2"]}
    assert got[("utbildningsmatchning_andel", "24", "2024")].value == 70.5
    assert got[("befolkning_20_64", "24", "2024")].value == 45 * 1000.0
    # the population continues in BefolkningCKM for the year TAB638 does not have
    assert got[("befolkning", "24", "2024")].origin == "scb TAB638"
    assert got[("befolkning", "24", "2025")].origin == "scb_v1 BE/BE0101/BE0101A/BefolkningCKM"
    assert got[("befolkning", "24", "2025")].value == 2 * 111.0  # two sexes, Folkmängd only
    ckm = [r for r in requests_to(standin, "scbv1") if "BefolkningCKM" in r["path"]
           and r["method"] == "POST"]
    assert {"code": "ContentsCode", "selection": {"filter": "item", "values": ["000007SV"]}} \
        in ckm[0]["body"]["query"]
    # SCB v1 education share: kommuner 2480 + 2482 make län 24; Riket = all kommuner;
    # level 6 (30) + level 7 (10) over 8 levels (30 + 7 × 10 = 100) = 40 %
    edu = next(r for r in requests_to(standin, "scbv1")
               if "UtbBefRegionR" in r["path"] and r["method"] == "POST")
    assert len(edu["body"]["query"][0]["selection"]["values"]) == 23  # Riket asked: all
    assert got[("eftergymnasial_3ar_andel", "24", "2024")].value == pytest.approx(40.0)
    assert got[("eftergymnasial_3ar_andel", "00", "2024")].value == pytest.approx(40.0)
    # Kolada and Eurostat: ids in the path and the query
    assert any(r["path"] == "/kolada/data/kpi/N85085/municipality/0000,0024"
               for r in requests_to(standin, "kolada"))
    euro = requests_to(standin, "eurostat")[0]
    assert euro["path"] == "/eurostat/nama_10r_3gdp"
    assert euro["query"]["geo"] == ["SE331", "SE"] and euro["query"]["unit"] == ["MIO_NAC"]
    # each row carries the source entry of the service it came from
    assert got[("brp", "24", "2024")].source_id == "eurostat_brp"
    assert got[("befolkning", "24", "2024")].source_id == "scb_befolkning"
    assert got[("konkurser", "24", "2024")].source_id == "tillvaxtanalys_konkurser"


def test_fetch_writes_eurostat_rows_with_the_eurostat_source(standin, data):
    fetch_indicators(["brp"], ["24"], data_dir=data, today=TODAY, replace=True)
    line = next(line for line in (data / "values.csv").read_text(encoding="utf-8").splitlines()
                if line.startswith("24,brp,2024,"))
    assert line.split(",")[5] == "eurostat_brp"
    assert "fetched 2026-11-23 from eurostat nama_10r_3gdp" in line


def test_check_against_the_standin_makes_only_metadata_calls(standin, data, monkeypatch):
    results = {r.indicator_id: r for r in check_apis(data_dir=data)}
    assert [r.problems for r in results.values() if not r.ok] == []
    assert all(r["method"] == "GET" for r in standin.requests)
    # a table without a kommun of Gotland: the check names the län that would be missing
    regions = dict(PXWEB_V1["UF/UF0506/UF0506B/UtbBefRegionR"]["Region"])
    del regions["0980"]
    monkeypatch.setitem(PXWEB_V1["UF/UF0506/UF0506B/UtbBefRegionR"], "Region", regions)
    [result] = check_apis(["eftergymnasial_3ar_andel"], data_dir=data)
    assert result.problems == ("Region: no values for län 09",)


@pytest.mark.parametrize("service", ["scb", "kolada", "tva", "eurostat", "scbv1"])
def test_a_failing_service_is_a_fetch_error_naming_it(standin, data, service):
    standin.fail = {service}
    before = (data / "values.csv").read_bytes()
    indicator = {"scb": "befolkning_20_64", "kolada": "fou_utgifter_foretag",
                 "tva": "konkurser", "eurostat": "brp",
                 "scbv1": "eftergymnasial_3ar_andel"}[service]
    fetch_json = make_fetch_json(sleep=lambda seconds: None)
    with pytest.raises(FetchError) as caught:
        fetch_indicators([indicator], ["24"], data_dir=data, fetch_json=fetch_json,
                         today=TODAY)
    label = catalogue_label(data, indicator)
    assert str(caught.value).startswith(label) and "nothing was changed" in str(caught.value)
    assert (data / "values.csv").read_bytes() == before


def catalogue_label(data: Path, indicator: str) -> str:
    api = load_catalogue(data).indicator(indicator).api
    return f"{api['service']} {fetch_module.api_label(api)} ({indicator}): "


def test_a_malformed_url_is_a_fetch_error_not_a_traceback(monkeypatch, data):
    monkeypatch.setenv("ECOREPORT_TVA_URL", "http://127.0.0.1:notaport/tva")
    with pytest.raises(FetchError) as caught:
        fetch_indicators(["konkurser"], ["24"], data_dir=data, fetch_json=make_fetch_json(),
                         today=TODAY)
    assert str(caught.value).startswith("tillvaxtanalys Konkurser och offentliga ackord/")


def test_an_answer_that_is_not_json_is_a_fetch_error(standin, data, monkeypatch):
    monkeypatch.setattr(StandIn, "answer_kolada",
                        lambda self, path, query, body: "not a Kolada answer")
    with pytest.raises(FetchError) as caught:
        fetch_indicators(["fou_utgifter_foretag"], ["24"], data_dir=data,
                         fetch_json=make_fetch_json(), today=TODAY)
    assert str(caught.value).startswith("kolada N85085")


def test_cli_fetch_check_against_the_standin_exits_without_traceback(standin, data, capsys):
    code = cli.main(["fetch", "--check", "--indicator", "konkurser", "--data", str(data)])
    assert code == 0
    assert "1 of 1 declarations confirmed" in capsys.readouterr().out


# --- ecoreport update ---------------------------------------------------------------------

def test_update_against_the_standin_prints_before_and_after(standin, data, tmp_path, capsys):
    out = tmp_path / "mallar.xlsx"
    code = cli.main(["update", "--from", "2013", "--to", "2024", "--data", str(data),
                     "--out", str(out)])
    printed = capsys.readouterr().out
    cells = {line.split(" | ")[0].strip(): [c.strip() for c in line.split(" | ")]
             for line in printed.splitlines() if " | " in line}
    konkurser = cells["konkurser"]
    assert konkurser[1] == ("tillvaxtanalys Konkurser och offentliga ackord/"
                            "11_konkurser_manad_lan.px")
    before, after = (int(n) for n in konkurser[2].split(" → "))
    assert after > before                                     # observed values added
    assert cells["eftergymnasial_3ar_andel"][3].endswith("→ 2024")  # latest year after
    assert cells["patentansokningar_prv"][1] == "template/import"
    assert "service kolada:" in printed and "service scb_v1:" in printed
    # the rest is in one workbook, with the recipe on its sheets; nothing imported from it
    assert out.exists() and f"Templates for what is left: {out}" in printed
    assert "nothing from it has been imported" in printed
    assert code in (0, 1)


def test_update_dry_run_writes_nothing(standin, data, tmp_path, capsys):
    before = (data / "values.csv").read_bytes()
    out = tmp_path / "mallar.xlsx"
    code = cli.main(["update", "--dry-run", "--to", "2024", "--data", str(data),
                     "--out", str(out)])
    printed = capsys.readouterr().out
    assert "(dry run: nothing written)" in printed and "konkurser" in printed
    assert (data / "values.csv").read_bytes() == before and not out.exists()
    assert code in (0, 1)


def test_update_keeps_what_other_services_fetched_when_one_fails(standin, data, tmp_path):
    from ecoreport.ingest.update import format_update, run_update

    standin.fail_data = {"kolada"}  # the check passes, the data requests fail
    result = run_update(data_dir=data, first_year=2013, last_year=2024,
                        out=tmp_path / "m.xlsx", today=TODAY)
    assert set(result.failed) == {"kolada"} and "N85085" in result.failed["kolada"]
    assert result.merged["tillvaxtanalys"].count("new") + \
        result.merged["tillvaxtanalys"].count("replaced_synthetic") > 0
    text = (data / "values.csv").read_text(encoding="utf-8")
    assert "fetched 2026-11-23 from tillvaxtanalys" in text
    assert "fetched 2026-11-23 from kolada" not in text
    assert not result.ok
    assert "service kolada failed, nothing of it merged" in format_update(result)


def test_update_offline_stops_fast_and_changes_nothing(data, tmp_path, monkeypatch, capsys):
    def no_network(address, timeout):
        raise OSError(f"[Errno -3] Temporary failure in name resolution: {address[0]}")

    monkeypatch.setattr(fetch_module.socket, "create_connection", no_network)
    before = (data / "values.csv").read_bytes()
    out = tmp_path / "mallar.xlsx"
    started = time.monotonic()
    code = cli.main(["update", "--dry-run", "--data", str(data), "--out", str(out)])
    assert time.monotonic() - started < 15
    assert code != 0
    message = capsys.readouterr().err
    assert "cannot reach any of the statistics APIs (no network?)" in message
    assert "nothing was checked or changed" in message
    assert (data / "values.csv").read_bytes() == before and not out.exists()


def test_update_offline_against_silent_hosts_gives_up_within_15_seconds(data, monkeypatch,
                                                                         capsys):
    def hang(address, timeout):
        time.sleep(timeout + 2)

    monkeypatch.setattr(fetch_module.socket, "create_connection", hang)
    started = time.monotonic()
    code = cli.main(["update", "--data", str(data)])
    assert code == 2 and time.monotonic() - started < 15
    assert "no answer within" in capsys.readouterr().err
