"""Fetch indicators from public APIs into the data; check the declared ids first.

Services (one adapter each, below): SCB PxWeb API v2 and v1, Kolada API v3, Eurostat's
statistics API (JSON-stat 2.0) and Tillväxtanalys' statistics database (PxWeb API v1). Which indicators
and how is declared once, in the catalogue entry's ``api`` mapping (data/indicators.yaml;
its ``confirmed_by`` names the public code or documentation where every id was seen).
Everything is collected first; only when every request succeeded are the rows merged
(``importer.merge_observed_rows``: validated, then written atomically), so a failed or
offline run changes nothing. :func:`check_apis` (``ecoreport fetch --check``) makes only
metadata calls and reports, per indicator, whether the table/KPI and every declared
variable and code exist; offline it stops within seconds (:func:`probe_hosts`).

Requests go through one injectable function ``fetch_json(url, body, timeout) -> object``
(``body`` None means GET, else a JSON POST); tests pass recorded responses, or point the
services' base URLs (``BASE_ENV``: ``ECOREPORT_SCB_URL`` etc.) at a local stand-in server
that receives the real requests. The default, :func:`make_fetch_json`, uses
``urllib.request``, throttles calls per host (``RATE_LIMITS``) and retries HTTP 429/503 with
backoff (``Retry-After`` when sent). Every path segment is percent-encoded where the URL is
built (``quote_segment``/``quote_path``) and anything non-ASCII left is encoded before the
request (``ascii_url``); every failure — unreachable host, timeout, invalid URL, broken
connection, HTTP error, an answer that is not JSON or not in the service's format — is a
``FetchError`` naming the service and the table (and the indicator), never a traceback.
A row keeps the ``source`` of the api entry it came from (default: the indicator's), so
BRP fetched from Eurostat says ``eurostat_brp``. An entry's ``continued_by`` (another api
entry) gives the region-years the first table does not have (the population after TAB638).

The maintained clients were weighed and not used: ``pxwebpy`` (PxWeb v2 only, so not
Tillväxtanalys; calls the API's /config on construction, so it cannot run on recorded
responses without patching its HTTP session; brings requests-cache), ``koladapy`` (logs and
skips a failed batch, so a fetch could silently be partial; progress bars) and ``eurostat``
(SDMX/TSV through module-level request settings, no JSON-stat, no throttling hook). The
common part here is small: JSON-stat 2.0 is parsed once (:func:`parse_jsonstat2`) for SCB,
Eurostat and Tillväxtanalys.

Service details
---------------
- SCB v2: ``POST {SCB_BASE}/tables/{TAB…}/data?lang=sv&outputFormat=json-stat2`` with body
  ``{"selection": [{"variableCode": V, "valueCodes": [...]}]}``; variables left out are
  eliminated where the table allows it; metadata ``GET …/tables/{id}/metadata?lang=sv``
  (JSON-stat 2.0 without values). Län codes "01".."25", Riket "00"; at most 30 calls/10 s.
- Kolada v3: ``GET {KOLADA_BASE}/data/kpi/{kpi}/municipality/{ids}`` (a region is "00" +
  län code), pages followed through ``next_page``/``next_url``/``next``; gender "T" only;
  null values skipped. Metadata: ``GET {KOLADA_BASE}/kpi/{kpi}``.
- Eurostat: ``GET {EUROSTAT_BASE}/{dataset}?format=JSON&lang=EN&geo=…&{filter}=…`` (the
  län by NUTS 3 code, Riket "SE"); the check asks for ``lastTimePeriod=1`` only.
- SCB v1: ``GET {SCB_V1_BASE}/{path}`` gives the variables (codes and texts), ``POST`` the
  same URL with a PxWeb v1 query by code (``select_text`` picks a value by its text); with
  ``region_level: kommun`` every kommun of the wanted län is asked for and added up to its
  län (Riket = all kommuner); with ``numerator`` the value is the percentage the numerator's
  codes make of everything selected (education share = levels 6–7 / all levels).
- Tillväxtanalys (PxWeb v1): ``GET {TVA_BASE}/{TVA_DATABASE}/{table}`` (each segment
  percent-encoded: the database name has a space and "ä") gives the variables with their codes
  and texts (region codes are running numbers; the texts carry "20 Dalarnas län"), ``POST``
  the same URL with ``{"query": [{"code", "selection": {"filter": "item", "values"}}],
  "response": {"format": "json-stat2"}}``. Months ("2021M03") and quarters ("2021Q1") are
  summed to years, complete years only.
"""

from __future__ import annotations

import datetime as _dt
import http.client
import json
import logging
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from concurrent.futures import ThreadPoolExecutor, wait
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecoreport import __version__
from ecoreport.errors import DataError, FetchError
from ecoreport.ingest.importer import ImportResult, merge_observed_rows
from ecoreport.data.tables import format_stored_number
from ecoreport.data.catalogue import load_catalogue
from ecoreport.data.tables import read_table
from ecoreport.data.vocab import RIKET_CODE
from ecoreport.paths import data_dir as default_data_dir
from ecoreport.data.regions import RegionNames, load_regions, region_names, resolve_region

logger = logging.getLogger(__name__)

SCB_BASE = "https://statistikdatabasen.scb.se/api/v2"
SCB_V1_BASE = "https://api.scb.se/OV0104/v1/doris/sv/ssd"
KOLADA_BASE = "https://api.kolada.se/v3"
EUROSTAT_BASE = "https://ec.europa.eu/eurostat/api/dissemination/statistics/1.0/data"
TVA_BASE = "https://statistik.tillvaxtanalys.se/PxWeb/api/v1/sv"
# The database's name is a path segment with a space and "ä": always percent-encoded.
TVA_DATABASE = "Tillväxtanalys statistikdatabas"
BASES = {"scb": SCB_BASE, "scb_v1": SCB_V1_BASE, "kolada": KOLADA_BASE,
         "eurostat": EUROSTAT_BASE, "tillvaxtanalys": TVA_BASE}
# Each service's address can be replaced (a mirror, a proxy, a local stand-in server in
# the tests) by an environment variable holding the base URL, e.g.
# ECOREPORT_TVA_URL=http://127.0.0.1:8123/tva; unset, the official https address is used.
BASE_ENV = {"scb": "ECOREPORT_SCB_URL", "scb_v1": "ECOREPORT_SCB_V1_URL",
            "kolada": "ECOREPORT_KOLADA_URL", "eurostat": "ECOREPORT_EUROSTAT_URL",
            "tillvaxtanalys": "ECOREPORT_TVA_URL"}
EUROSTAT_COUNTRY = "SE"  # Eurostat's geo code for Sweden = Riket
# Calls allowed per window and host; SCB documents 30 calls per 10 seconds per IP (PxWeb's
# default, used for Tillväxtanalys too); Kolada and Eurostat: a polite 5 per second.
RATE_LIMITS: dict[str, tuple[int, float]] = {
    "statistikdatabasen.scb.se": (30, 10.0), "statistik.tillvaxtanalys.se": (30, 10.0),
    "api.kolada.se": (5, 1.0), "ec.europa.eu": (5, 1.0)}
PROBE_TIMEOUT = 5.0
TOTAL_WORDS = ("totalt", "samtliga", "alla ", "summa")
DEFAULT_TIMEOUT = 10.0
MAX_RETRIES = 4
RETRY_STATUSES = (429, 503)
KOLADA_BATCH = 10
USER_AGENT = f"ecoreport/{__version__} (+https://github.com/ecoreport)"

# fetch_json(url, body or None, timeout in seconds) -> decoded JSON
FetchJson = Callable[[str, Any, float], Any]


def base_url(service: str) -> str:
    """The service's base URL: the environment's override (``BASE_ENV``) or the official one."""
    override = os.environ.get(BASE_ENV[service], "").strip()
    return (override or BASES[service]).rstrip("/")


def quote_segment(text: Any) -> str:
    """One URL path segment, percent-encoded (UTF-8; "/" included)."""
    return urllib.parse.quote(str(text), safe="")


def quote_path(path: str) -> str:
    """A "/"-separated path, each segment percent-encoded."""
    return "/".join(quote_segment(part) for part in str(path).split("/"))


def ascii_url(url: str) -> str:
    """``url`` with anything that is not printable ASCII percent-encoded (existing %XX kept):
    a last guard so that no request can fail on the URL's characters."""
    return urllib.parse.quote(url, safe="%:/?#[]@!$&'()*+,;=~-._")


@dataclass(frozen=True)
class FetchedRow:
    """One value from an API, before merging."""

    region_code: str
    indicator_id: str
    period: str
    value: float
    origin: str  # e.g. "scb TAB638", "kolada N85085"
    source_id: str = ""  # the sources.yaml entry of the service it came from (set by fetch_rows)


# --- HTTP -----------------------------------------------------------------------------------

class RateLimiter:
    """At most ``max_calls`` per ``period`` seconds (sliding window); sleeps when full."""

    def __init__(self, max_calls: int, period: float, *,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.max_calls, self.period = max_calls, period
        self._clock, self._sleep = clock, sleep
        self._calls: deque[float] = deque()

    def wait(self) -> None:
        """Block until one more call is allowed, then count it."""
        now = self._clock()
        while self._calls and now - self._calls[0] >= self.period:
            self._calls.popleft()
        if len(self._calls) >= self.max_calls:
            delay = self.period - (now - self._calls[0])
            logger.info("rate limit: waiting %.1f s", delay)
            self._sleep(delay)
            now = self._clock()
            self._calls.popleft()
        self._calls.append(now)


def make_fetch_json(opener: Callable[..., Any] = urllib.request.urlopen, *,
                    sleep: Callable[[float], None] = time.sleep,
                    clock: Callable[[], float] = time.monotonic) -> FetchJson:
    """A ``fetch_json`` using ``opener`` (``urlopen``-like) with throttling and retries.

    Unreachable hosts and timeouts raise ``FetchError`` saying which host, after how many
    seconds, and that nothing was changed.
    """
    limiters = {host: RateLimiter(calls, period, clock=clock, sleep=sleep)
                for host, (calls, period) in RATE_LIMITS.items()}

    def fetch_json(url: str, body: dict[str, Any] | None = None,
                   timeout: float = DEFAULT_TIMEOUT) -> Any:
        url = ascii_url(url)
        host = urllib.parse.urlsplit(url).hostname or url
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(MAX_RETRIES + 1):
            if host in limiters:
                limiters[host].wait()
            try:
                request = urllib.request.Request(url, data=data, headers=headers,
                                                 method="GET" if data is None else "POST")
                with opener(request, timeout=timeout) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as exc:
                if exc.code in RETRY_STATUSES and attempt < MAX_RETRIES:
                    delay = _retry_delay(exc, attempt)
                    logger.warning("%s answered %d; retrying in %.0f s", host, exc.code, delay)
                    sleep(delay)
                    continue
                raise FetchError(f"{host} answered HTTP {exc.code} {exc.reason} for {url}"
                                 " — nothing was changed") from exc
            except (urllib.error.URLError, TimeoutError, socket.timeout, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                raise FetchError(f"could not reach {host} within {timeout:g} s: {reason}"
                                 " — nothing was changed") from exc
            except http.client.InvalidURL as exc:
                raise FetchError(f"the address {url!r} is not a valid URL ({exc})"
                                 " — nothing was changed") from exc
            except http.client.HTTPException as exc:  # e.g. the connection broke mid-answer
                raise FetchError(f"{host} broke off the answer for {url}: "
                                 f"{type(exc).__name__} {exc} — nothing was changed") from exc
            except (ValueError, UnicodeDecodeError) as exc:
                raise FetchError(f"{host} did not answer with JSON for {url}: {exc}"
                                 " — nothing was changed") from exc
        raise FetchError(f"{host} kept answering 'too many requests' after {MAX_RETRIES} "
                         "retries — nothing was changed")

    return fetch_json


def _retry_delay(error: urllib.error.HTTPError, attempt: int) -> float:
    retry_after = error.headers.get("Retry-After") if error.headers else None
    if retry_after and retry_after.strip().isdigit():
        return float(retry_after)
    return float(2 ** (attempt + 1))


# --- SCB PxWeb v2 ---------------------------------------------------------------------------

def scb_request(api: dict[str, Any], region_codes: Sequence[str]) -> tuple[str, dict]:
    """URL and POST body for one SCB indicator and all requested regions."""
    url = (f"{base_url('scb')}/tables/{quote_segment(api['table'])}/data"
           "?lang=sv&outputFormat=json-stat2")
    selection = []
    for variable, values in api["selection"].items():
        codes = values if isinstance(values, list) else [values]
        expanded: list[str] = []
        for code in codes:
            if "{region_code}" in str(code):
                expanded.extend(str(code).replace("{region_code}", region)
                                for region in region_codes)
            else:
                expanded.append(str(code))
        selection.append({"variableCode": variable, "valueCodes": expanded})
    return url, {"selection": selection}


def parse_jsonstat2(doc: dict[str, Any]) -> list[tuple[dict[str, str], float | None]]:
    """Every cell of a JSON-stat 2.0 dataset as ({dimension: category code}, value)."""
    try:
        ids, sizes, dimensions = doc["id"], doc["size"], doc["dimension"]
        values = doc["value"]
    except (KeyError, TypeError) as exc:
        raise FetchError(f"not a JSON-stat 2.0 dataset (missing {exc})") from None
    codes_by_dim = []
    for dim, size in zip(ids, sizes):
        index = dimensions[dim]["category"].get("index")
        if index is None:  # a single category may come without an index
            labels = dimensions[dim]["category"].get("label", {})
            codes = list(labels)
        elif isinstance(index, list):
            codes = list(index)
        else:
            codes = [code for code, _ in sorted(index.items(), key=lambda item: item[1])]
        if len(codes) != size:
            raise FetchError(f"JSON-stat dimension {dim!r} has {len(codes)} categories, "
                             f"size says {size}")
        codes_by_dim.append(codes)
    total = 1
    for size in sizes:
        total *= size
    if isinstance(values, dict):
        flat = [values.get(str(i)) for i in range(total)]
    else:
        flat = list(values)
    if len(flat) != total:
        raise FetchError(f"JSON-stat dataset has {len(flat)} values, its size says {total}")
    cells = []
    for flat_index, value in enumerate(flat):
        remainder, coordinates = flat_index, {}
        for dim, size, codes in reversed(list(zip(ids, sizes, codes_by_dim))):
            remainder, position = divmod(remainder, size)
            coordinates[dim] = codes[position]
        cells.append(({dim: coordinates[dim] for dim in ids},
                      None if value is None else api_number(value, "JSON-stat dataset",
                                                            f"value {flat_index}")))
    return cells


_SUB_YEAR = re.compile(r"^(\d{4})(?:([MQ])(\d{1,2}))?$")


def year_of(period: str) -> tuple[str, int] | None:
    """("2021", parts per year) for "2021", "2021M03" or "2021Q1"; None for anything else."""
    match = _SUB_YEAR.match(str(period))
    if match is None:
        return None
    return match.group(1), {None: 1, "M": 12, "Q": 4}[match.group(2)]


def tidy_cells(cells: Iterable[tuple[dict[str, str], float | None]], indicator_id: str,
               origin: str, *, region_dim: str, time_dim: str,
               keep: dict[str, str] | None = None, sum_over: Iterable[str] = (),
               region_of: Callable[[str], str | None] = lambda code: code,
               year_shift: int = 0) -> list[FetchedRow]:
    """Rows (region, year, value) from JSON-stat cells.

    Cells whose ``keep`` dimensions have other codes are skipped; ``sum_over`` dimensions,
    and months or quarters of a year, are added up. A sum with a suppressed part, or a year
    with missing months/quarters, is left out rather than understated. Any other dimension
    with several codes is an error (the selection must fix it).
    """
    keep = keep or {}
    summed = set(sum_over)
    # (region, year, other codes) -> {period as published: sum over sum_over, or None}
    sums: dict[tuple[str, str, tuple[str, ...]], dict[str, float | None]] = {}
    parts: dict[tuple[str, str, tuple[str, ...]], int] = {}
    for coordinates, value in cells:
        if any(coordinates.get(dim, code) != code for dim, code in keep.items()):
            continue
        if region_dim not in coordinates or time_dim not in coordinates:
            raise FetchError(f"{origin}: the response has no {region_dim} or {time_dim} "
                             f"dimension (dimensions: {', '.join(coordinates)})")
        region, when = region_of(coordinates[region_dim]), year_of(coordinates[time_dim])
        if region is None or when is None:
            continue
        others = tuple(code for dim, code in coordinates.items()
                       if dim not in summed | set(keep) | {region_dim, time_dim})
        key = (region, when[0], others)
        slot = sums.setdefault(key, {})
        previous = slot.get(coordinates[time_dim], 0.0)
        slot[coordinates[time_dim]] = (None if value is None or previous is None
                                       else previous + value)
        parts[key] = when[1]
    seen: set[tuple[str, str]] = set()
    rows = []
    for key, slot in sums.items():
        region, year, _ = key
        if (region, year) in seen:
            raise FetchError(f"{origin}: several values for {region} {year}; the selection "
                             "must fix every variable except region and time, or name the "
                             "others in sum_over")
        seen.add((region, year))
        if len(slot) != parts[key] or any(value is None for value in slot.values()):
            continue  # suppressed part or incomplete year: left out, never understated
        rows.append(FetchedRow(region, indicator_id, str(int(year) + year_shift),
                               float(sum(slot.values())), origin))
    return rows


def api_number(value: Any, origin: str, where: str) -> float:
    """A number from an API answer; anything else (text, a list) is a ``FetchError``
    naming the answer, the cell and the value."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise FetchError(f"{origin}: {where} is {value!r}, not a number")


def rows_from_jsonstat2(doc: dict[str, Any], indicator_id: str, api: dict[str, Any],
                        origin: str) -> list[FetchedRow]:
    """Tidy rows from an SCB response (Region, Tid, ContentsCode), summing ``sum_over``."""
    keep = {"ContentsCode": api["value_code"]} if api.get("value_code") else {}
    return tidy_cells(parse_jsonstat2(doc), indicator_id, origin, region_dim="Region",
                      time_dim="Tid", keep=keep, sum_over=api.get("sum_over") or ())


def _scb_codes(api: dict[str, Any], region_codes: Sequence[str]) -> dict[str, list[str]]:
    _, body = scb_request(api, region_codes)
    return {item["variableCode"]: item["valueCodes"] for item in body["selection"]}


def check_scb(api: dict[str, Any], fetch_json: FetchJson, region_codes: Sequence[str],
              timeout: float) -> list[str]:
    """Problems with an SCB declaration, from the table's metadata (empty list = fine)."""
    doc = fetch_json(f"{base_url('scb')}/tables/{quote_segment(api['table'])}/metadata?lang=sv",
                     None, timeout)
    categories = _jsonstat_categories(doc)
    wanted = _scb_codes(api, region_codes)
    wanted.setdefault("ContentsCode", []).append(api["value_code"])
    problems = [f"no variable {name}" for name in api.get("sum_over") or []
                if name not in categories]
    return problems + _missing_codes(categories, wanted)


def _jsonstat_categories(doc: Any) -> dict[str, set[str]]:
    """Dimension -> category codes of a JSON-stat 2.0 document (metadata or data)."""
    try:
        return {dim: set(_category_codes(doc["dimension"][dim]["category"]))
                for dim in doc["id"]}
    except (KeyError, TypeError) as exc:
        raise FetchError(f"not a JSON-stat 2.0 document (missing {exc})") from None


def _category_codes(category: dict[str, Any]) -> list[str]:
    index = category.get("index")
    if index is None:
        return list(category.get("label", {}))
    if isinstance(index, list):
        return list(index)
    return [code for code, _ in sorted(index.items(), key=lambda item: item[1])]


def _missing_codes(categories: dict[str, set[str]], wanted: dict[str, list[str]]) -> list[str]:
    problems = []
    for variable, codes in wanted.items():
        if variable not in categories:
            problems.append(f"no variable {variable}")
            continue
        missing = [code for code in codes if code != "*" and code not in categories[variable]]
        if missing:
            problems.append(f"{variable}: no code(s) {', '.join(missing)}")
    return problems


# --- Eurostat (statistics API, JSON-stat 2.0) -----------------------------------------------

def eurostat_url(api: dict[str, Any], geo_codes: Sequence[str], *, last: bool = False) -> str:
    """Data URL for the given geo codes (``last``: only the latest period, for the check)."""
    query = [("format", "JSON"), ("lang", "EN")]
    query += [(dim, code) for dim, code in (api.get("filters") or {}).items()]
    query += [("geo", code) for code in geo_codes]
    if last:
        query.append(("lastTimePeriod", "1"))
    return (f"{base_url('eurostat')}/{quote_segment(api['dataset'])}"
            f"?{urllib.parse.urlencode(query)}")


def rows_from_eurostat(doc: dict[str, Any], indicator_id: str, api: dict[str, Any],
                       geo_to_region: dict[str, str], origin: str) -> list[FetchedRow]:
    """Tidy rows from a Eurostat JSON-stat dataset (dimensions geo and time)."""
    return tidy_cells(parse_jsonstat2(doc), indicator_id, origin, region_dim="geo",
                      time_dim="time", keep=dict(api.get("filters") or {}),
                      region_of=geo_to_region.get, year_shift=int(api.get("year_shift", 0)))


def check_eurostat(api: dict[str, Any], fetch_json: FetchJson,
                   geo_to_region: dict[str, str], timeout: float) -> list[str]:
    """Problems with a Eurostat declaration: one latest-period call for all geo codes."""
    doc = fetch_json(eurostat_url(api, list(geo_to_region), last=True), None, timeout)
    categories = _jsonstat_categories(doc)
    wanted = {dim: [code] for dim, code in (api.get("filters") or {}).items()}
    wanted["geo"] = list(geo_to_region)
    return _missing_codes(categories, wanted)


# --- Tillväxtanalys (PxWeb API v1) ----------------------------------------------------------

def tva_url(api: dict[str, Any]) -> str:
    """The table's PxWeb v1 address: database name and every folder percent-encoded."""
    return f"{base_url('tillvaxtanalys')}/{quote_segment(TVA_DATABASE)}/{quote_path(api['table'])}"


def _pxweb_variables(doc: Any, origin: str) -> dict[str, dict[str, str]]:
    """Variable code -> {value code: value text} from PxWeb v1 table metadata."""
    try:
        return {variable["code"]: dict(zip(variable["values"], variable["valueTexts"]))
                for variable in doc["variables"]}
    except (KeyError, TypeError) as exc:
        raise FetchError(f"{origin}: not PxWeb table metadata (missing {exc})") from None


def tva_region_map(texts: dict[str, str], names: RegionNames) -> dict[str, str]:
    """PxWeb value code -> region code, from texts such as "20 Dalarnas län" (unknown
    texts, e.g. "99 Okänt län", are left out)."""
    result = {}
    for code, text in texts.items():
        try:
            result[code] = names.cell_code(text, file="Tillväxtanalys")
        except DataError:
            continue
    return result


def tva_query(api: dict[str, Any], variables: dict[str, dict[str, str]],
              region_values: Sequence[str], origin: str) -> dict[str, Any]:
    """The PxWeb v1 POST body: regions, every period, the ``select_text`` values by text."""
    query = [{"code": api["region_variable"],
              "selection": {"filter": "item", "values": list(region_values)}},
             {"code": api.get("time_variable", "Tid"),
              "selection": {"filter": "all", "values": ["*"]}}]
    for variable in api.get("sum_over") or []:
        query.append({"code": variable, "selection": {"filter": "all", "values": ["*"]}})
    for variable, text in api["select_text"].items():
        codes = [code for code, value_text in variables.get(variable, {}).items()
                 if value_text.strip().casefold() == text.strip().casefold()]
        if len(codes) != 1:
            raise FetchError(f"{origin}: variable {variable!r} has no value {text!r}")
        query.append({"code": variable, "selection": {"filter": "item", "values": codes}})
    return {"query": query, "response": {"format": "json-stat2"}}


def check_tillvaxtanalys(api: dict[str, Any], fetch_json: FetchJson, names: RegionNames,
                         timeout: float) -> list[str]:
    """Problems with a Tillväxtanalys declaration, from the table's metadata."""
    origin = f"tillvaxtanalys {api['table']}"
    variables = _pxweb_variables(fetch_json(tva_url(api), None, timeout), origin)
    problems = [f"no variable {name}" for name in
                (api["region_variable"], api.get("time_variable", "Tid"),
                 *api["select_text"], *(api.get("sum_over") or [])) if name not in variables]
    if problems:
        return problems
    for variable, text in api["select_text"].items():
        if not any(value.strip().casefold() == text.strip().casefold()
                   for value in variables[variable].values()):
            problems.append(f"{variable}: no value {text!r}")
    for variable in api.get("sum_over") or []:
        totals = [text for text in variables[variable].values()
                  if text.strip().casefold().startswith(TOTAL_WORDS)]
        if totals:
            problems.append(f"{variable} has a total ({totals[0]!r}): adding up all its "
                            "values would count twice")
    regions = set(tva_region_map(variables[api["region_variable"]], names).values())
    missing = sorted(names.codes - regions - {"00"})
    if missing:
        problems.append(f"{api['region_variable']}: no län {', '.join(missing)}")
    return problems


# --- SCB PxWeb v1 (api.scb.se) -------------------------------------------------------------

def scb_v1_url(api: dict[str, Any]) -> str:
    """The table's PxWeb v1 address (``UF/UF0506/UF0506B/UtbBefRegionR``), every folder
    percent-encoded."""
    return f"{base_url('scb_v1')}/{quote_path(api['table'])}"


def _codes(value: Any) -> list[str]:
    return [str(code) for code in (value if isinstance(value, list) else [value])]


def scb_v1_regions(api: dict[str, Any], variables: dict[str, dict[str, str]],
                   region_codes: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """The region values to ask for and value -> län code.

    ``region_level: lan`` asks for the län codes (and "00") the table has; ``kommun`` asks
    for every kommun (four digits, the first two the län's code) and adds them up to län
    (Riket = all kommuner, done separately by the caller)."""
    available = variables.get(api.get("region_variable", "Region"), {})
    wanted = set(region_codes)
    if api.get("region_level", "lan") == "lan":
        values = [code for code in available if code in wanted]
        return values, {code: code for code in values}
    lan = {code for code in wanted if code != RIKET_CODE}
    if RIKET_CODE in wanted:
        lan |= {code[:2] for code in available if len(code) == 4 and code.isdigit()}
    values = [code for code in available
              if len(code) == 4 and code.isdigit() and code[:2] in lan]
    return values, {code: code[:2] for code in values}


def scb_v1_query(api: dict[str, Any], region_values: Sequence[str],
                 variables: dict[str, dict[str, str]] | None = None) -> dict[str, Any]:
    """The PxWeb v1 POST body: the regions, each ``selection`` variable by code ("*" = all),
    each ``select_text`` variable by its value's text (from the metadata ``variables``);
    the time variable, when not selected, with every period."""
    region_variable = api.get("region_variable", "Region")
    time_variable = api.get("time_variable", "Tid")
    query = [{"code": region_variable,
              "selection": {"filter": "item", "values": list(region_values)}}]
    selection = dict(api.get("selection") or {})
    for variable, text in (api.get("select_text") or {}).items():
        codes = [code for code, value_text in (variables or {}).get(variable, {}).items()
                 if value_text.strip().casefold() == text.strip().casefold()]
        if len(codes) != 1:
            raise FetchError(f"scb_v1 {api['table']}: variable {variable!r} has no value "
                             f"{text!r}")
        selection[variable] = codes
    selection.setdefault(time_variable, "*")
    for variable, value in selection.items():
        codes = _codes(value)
        if codes == ["*"]:
            query.append({"code": variable, "selection": {"filter": "all", "values": ["*"]}})
        else:
            query.append({"code": variable, "selection": {"filter": "item", "values": codes}})
    return {"query": query, "response": {"format": "json-stat2"}}


def rows_from_scb_v1(doc: Any, indicator_id: str, api: dict[str, Any],
                     region_of: dict[str, str], origin: str, *,
                     riket: bool = False) -> list[FetchedRow]:
    """Tidy rows from an SCB PxWeb v1 answer: ``sum_over`` variables (and kommuner within a
    län) added up; with ``numerator`` the value is 100 × (sum over the numerator's codes) /
    (sum over everything selected), the share of the second selection that the first is.
    ``riket``: also Riket as the sum over all kommuner of the answer."""
    cells = parse_jsonstat2(doc)
    region_variable = api.get("region_variable", "Region")
    keep = {"ContentsCode": api["value_code"]} if api.get("value_code") else {}
    options = dict(region_dim=region_variable, time_dim=api.get("time_variable", "Tid"),
                   keep=keep, sum_over=api.get("sum_over") or ())
    mappers = [region_of.get]
    if riket:
        mappers.append(lambda code: RIKET_CODE if code in region_of else None)

    def totals(selected: list) -> dict[tuple[str, str], float]:
        found: dict[tuple[str, str], float] = {}
        for mapper in mappers:
            for row in tidy_cells(selected, indicator_id, origin, region_of=mapper, **options):
                found[(row.region_code, row.period)] = row.value
        return found

    denominators = totals(cells)
    numerator = {variable: set(_codes(value))
                 for variable, value in (api.get("numerator") or {}).items()}
    if not numerator:
        return [FetchedRow(region, indicator_id, period, value, origin)
                for (region, period), value in sorted(denominators.items())]
    numerators = totals([cell for cell in cells
                         if all(cell[0].get(variable) in codes
                                for variable, codes in numerator.items())])
    return [FetchedRow(region, indicator_id, period, 100.0 * numerators[key] / total, origin)
            for key, total in sorted(denominators.items())
            for region, period in [key] if total > 0 and key in numerators]


def _scb_v1_rows(indicator_id: str, api: dict[str, Any], region_codes: Sequence[str],
                 fetch_json: FetchJson, timeout: float) -> list[FetchedRow]:
    origin = f"scb_v1 {api['table']}"
    variables = _pxweb_variables(fetch_json(scb_v1_url(api), None, timeout), origin)
    values, region_of = scb_v1_regions(api, variables, region_codes)
    if not values:
        raise FetchError(f"{origin}: the table has none of the regions asked for")
    doc = fetch_json(scb_v1_url(api), scb_v1_query(api, values, variables), timeout)
    riket = api.get("region_level") == "kommun" and RIKET_CODE in set(region_codes)
    return rows_from_scb_v1(doc, indicator_id, api, region_of, origin, riket=riket)


def check_scb_v1(api: dict[str, Any], fetch_json: FetchJson, region_codes: Sequence[str],
                 timeout: float) -> list[str]:
    """Problems with an SCB PxWeb v1 declaration, from the table's metadata."""
    origin = f"scb_v1 {api['table']}"
    variables = _pxweb_variables(fetch_json(scb_v1_url(api), None, timeout), origin)
    categories = {variable: set(values) for variable, values in variables.items()}
    wanted = {variable: _codes(value) for variable, value in (api.get("selection") or {}).items()}
    for variable, value in (api.get("numerator") or {}).items():
        wanted.setdefault(variable, []).extend(_codes(value))
    if api.get("value_code"):
        wanted.setdefault("ContentsCode", []).append(api["value_code"])
    problems = [f"no variable {name}" for name in
                (api.get("region_variable", "Region"), api.get("time_variable", "Tid"),
                 *(api.get("sum_over") or [])) if name not in categories]
    for variable, text in (api.get("select_text") or {}).items():
        if not any(value.strip().casefold() == text.strip().casefold()
                   for value in variables.get(variable, {}).values()):
            problems.append(f"{variable}: no value {text!r}")
    values, region_of = scb_v1_regions(api, variables, region_codes)
    missing = sorted(set(region_codes) - set(region_of.values()) - {RIKET_CODE})
    if missing:
        problems.append(f"{api.get('region_variable', 'Region')}: no values for län "
                        f"{', '.join(missing)}")
    return problems + _missing_codes(categories, wanted)


# --- Kolada v3 ------------------------------------------------------------------------------

def kolada_urls(api: dict[str, Any], region_codes: Sequence[str]) -> list[str]:
    """One URL per batch of regions for a Kolada KPI."""
    ids = [quote_segment(str(api["municipality"]).replace("{region_code}", code))
           for code in region_codes]
    return [f"{base_url('kolada')}/data/kpi/{quote_segment(api['kpi'])}/municipality/"
            f"{','.join(ids[start:start + KOLADA_BATCH])}"
            for start in range(0, len(ids), KOLADA_BATCH)]


def rows_from_kolada(doc: dict[str, Any], indicator_id: str, origin: str) -> list[FetchedRow]:
    """Tidy rows from one Kolada v3 page (gender "T"; null values skipped)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("values"), list):
        raise FetchError(f"{origin}: not a Kolada data response (no 'values' list)")
    rows = []
    for item in doc["values"]:
        if not isinstance(item, dict) or not isinstance(item.get("values", []), list):
            raise FetchError(f"{origin}: an entry of 'values' is {item!r}, not a Kolada value")
        municipality = str(item.get("municipality", ""))
        if len(municipality) != 4 or not municipality.startswith("00"):
            logger.debug("%s: skipping non-region id %r", origin, municipality)
            continue
        total = next((entry for entry in item.get("values", [])
                      if entry.get("gender") == "T"), None)
        if total is None or total.get("value") is None:
            continue
        where = f"the value for {municipality} {item.get('period')}"
        rows.append(FetchedRow(municipality[2:], indicator_id, str(item.get("period")),
                               api_number(total["value"], origin, where), origin))
    return rows


def _next_page(doc: dict[str, Any]) -> str | None:
    for key in ("next_page", "next_url", "next"):
        if isinstance(doc, dict) and doc.get(key):
            return str(doc[key])
    return None


def check_kolada(api: dict[str, Any], fetch_json: FetchJson, timeout: float) -> list[str]:
    """Problems with a Kolada declaration, from the KPI's metadata."""
    doc = fetch_json(f"{base_url('kolada')}/kpi/{quote_segment(api['kpi'])}", None, timeout)
    items = doc.get("values") if isinstance(doc, dict) else None
    found = any(str(item.get("id")) == api["kpi"] for item in items or [])
    return [] if found else [f"no KPI {api['kpi']}"]


# --- dispatch -------------------------------------------------------------------------------

def _geo_codes(regions: Sequence[Any], region_codes: Sequence[str]) -> dict[str, str]:
    """Eurostat geo code -> region code for the requested regions (Riket = "SE")."""
    wanted = set(region_codes)
    codes = {region.nuts3: region.code for region in regions
             if region.nuts3 and region.code in wanted}
    if RIKET_CODE in wanted:
        codes[EUROSTAT_COUNTRY] = RIKET_CODE
    return codes


def _service_rows(indicator_id: str, api: dict[str, Any], region_codes: Sequence[str],
                  regions: Sequence[Any], fetch_json: FetchJson, timeout: float,
                  population: dict[tuple[str, str], float]) -> list[FetchedRow]:
    """One indicator's rows from its service, then from ``continued_by`` (the table that
    continues the series, for the region-years the first does not have). Any failure is a
    ``FetchError`` naming the service, the table and the indicator."""
    origin = f"{api['service']} {api_label(api)}"
    where = f"{origin} ({indicator_id})"
    try:
        rows = _one_service_rows(indicator_id, api, region_codes, regions, fetch_json,
                                 timeout, population)
    except FetchError as exc:
        if str(exc).startswith(origin):  # the message already names service and table
            raise
        raise FetchError(f"{where}: {exc}") from exc
    except (KeyError, TypeError, ValueError, AttributeError, IndexError,
            ZeroDivisionError) as exc:
        raise FetchError(f"{where}: unexpected answer ({type(exc).__name__}: {exc}) "
                         "— nothing was changed") from exc
    rows = [FetchedRow(r.region_code, r.indicator_id, r.period, r.value, r.origin,
                       api.get("source") or "") for r in rows]
    if api.get("continued_by"):
        have = {(row.region_code, row.period) for row in rows}
        rows += [row for row in _service_rows(indicator_id, api["continued_by"], region_codes,
                                              regions, fetch_json, timeout, population)
                 if (row.region_code, row.period) not in have]
    return rows


def _one_service_rows(indicator_id: str, api: dict[str, Any], region_codes: Sequence[str],
                      regions: Sequence[Any], fetch_json: FetchJson, timeout: float,
                      population: dict[tuple[str, str], float]) -> list[FetchedRow]:
    service = api["service"]
    if service == "scb_v1":
        return _scb_v1_rows(indicator_id, api, region_codes, fetch_json, timeout)
    if service == "scb":
        url, body = scb_request(api, region_codes)
        return rows_from_jsonstat2(fetch_json(url, body, timeout), indicator_id, api,
                                   f"scb {api['table']}")
    if service == "kolada":
        origin, fetched = f"kolada {api['kpi']}", []
        for url in kolada_urls(api, region_codes):
            while url:
                doc = fetch_json(url, None, timeout)
                fetched.extend(rows_from_kolada(doc, indicator_id, origin))
                url = _next_page(doc)
        if api.get("transform") == "per_capita_from_total":
            fetched = _per_capita(fetched, population)
        return fetched
    if service == "eurostat":
        geo = _geo_codes(regions, region_codes)
        return rows_from_eurostat(fetch_json(eurostat_url(api, list(geo)), None, timeout),
                                  indicator_id, api, geo, f"eurostat {api['dataset']}")
    if service == "tillvaxtanalys":
        origin = f"tillvaxtanalys {api['table']}"
        variables = _pxweb_variables(fetch_json(tva_url(api), None, timeout), origin)
        region_map = {code: region for code, region in tva_region_map(
            variables.get(api["region_variable"], {}), region_names(regions)).items()
            if region in set(region_codes)}
        body = tva_query(api, variables, list(region_map), origin)
        return tidy_cells(parse_jsonstat2(fetch_json(tva_url(api), body, timeout)),
                          indicator_id, origin, region_dim=api["region_variable"],
                          time_dim=api.get("time_variable", "Tid"),
                          sum_over=api.get("sum_over") or (), region_of=region_map.get)
    raise FetchError(f"unknown api service {service!r} for {indicator_id!r}")


def fetch_rows(indicator_ids: Iterable[str] | None, region_codes: Sequence[str], catalogue: Any,
               fetch_json: FetchJson, *, timeout: float = DEFAULT_TIMEOUT,
               population: dict[tuple[str, str], float] | None = None,
               regions: Sequence[Any] | None = None) -> list[FetchedRow]:
    """Request every indicator with an ``api`` entry (or those named) for the regions.

    Raises ``FetchError`` on the first failed request: all or nothing.
    """
    regions = list(regions) if regions is not None else load_regions()
    rows: list[FetchedRow] = []
    for indicator_id in _selected(indicator_ids, catalogue):
        indicator = catalogue.indicator(indicator_id)
        rows.extend(FetchedRow(r.region_code, r.indicator_id, r.period, r.value, r.origin,
                               r.source_id or indicator.source)
                    for r in _service_rows(indicator_id, indicator.api, region_codes, regions,
                                           fetch_json, timeout, population or {}))
        logger.info("%s: %d values", indicator_id, sum(r.indicator_id == indicator_id
                                                       for r in rows))
    wanted = set(region_codes)
    return [row for row in rows if row.region_code in wanted]


def _selected(indicator_ids: Iterable[str] | None, catalogue: Any) -> list[str]:
    selected = list(indicator_ids) if indicator_ids else [
        id_ for id_, indicator in catalogue.indicators.items() if indicator.api]
    for indicator_id in selected:
        if not catalogue.indicator(indicator_id).api:
            raise FetchError(f"indicator {indicator_id!r} has no 'api' entry in "
                             "indicators.yaml; import it from a file with 'ecoreport import' "
                             "(a sheet to fill in: 'ecoreport template')")
    return selected


def api_label(api: dict[str, Any]) -> str:
    """The table, KPI or dataset an ``api`` entry names."""
    return str(api.get("table") or api.get("kpi") or api.get("dataset"))


def api_services(api: dict[str, Any] | None) -> set[str]:
    """The services an ``api`` entry uses (its own and its continuation's)."""
    services: set[str] = set()
    while api:
        services.add(api["service"])
        api = api.get("continued_by")
    return services


def probe_hosts(services: Iterable[str], timeout: float = PROBE_TIMEOUT) -> None:
    """Fail fast without network: open a TCP connection to each service's host, all at once.

    Raises FetchError naming the first host that cannot be reached within ``timeout``
    seconds (DNS included); the whole probe takes at most about ``timeout`` seconds.
    """
    addresses = {}
    for service in services:
        parts = urllib.parse.urlsplit(base_url(service))
        addresses[parts.hostname or parts.netloc] = parts.port or (
            443 if parts.scheme == "https" else 80)
    hosts = sorted(addresses)

    def connect(host: str) -> str | None:
        try:
            socket.create_connection((host, addresses[host]), timeout=timeout).close()
            return None
        except OSError as exc:
            return f"{host}: {exc}"

    pool = ThreadPoolExecutor(max_workers=max(1, len(hosts)))
    futures = [pool.submit(connect, host) for host in hosts]
    done, _ = wait(futures, timeout=timeout + 1)
    pool.shutdown(wait=False, cancel_futures=True)
    problems = [future.result() for future in done if future.result()]
    problems += [f"{host}: no answer within {timeout:g} s" for host, future
                 in zip(hosts, futures) if future not in done]
    if problems:
        raise FetchError("cannot reach the statistics APIs (no network?): "
                         + "; ".join(sorted(problems)) + " — nothing was checked or changed")


@dataclass(frozen=True)
class CheckResult:
    """One indicator's ``fetch --check`` outcome."""

    indicator_id: str
    service: str
    declared: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_apis(indicator_ids: Iterable[str] | None = None, *,
               data_dir: str | Path | None = None, fetch_json: FetchJson | None = None,
               timeout: float = DEFAULT_TIMEOUT, probe: bool = True) -> list[CheckResult]:
    """``ecoreport fetch --check``: does every declared table/KPI exist with the declared
    variables and codes? Metadata calls only; nothing is written."""
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    catalogue = load_catalogue(folder)
    regions = load_regions(folder)
    selected = _selected(indicator_ids, catalogue)
    if probe:
        probe_hosts(set().union(*(api_services(catalogue.indicator(i).api) for i in selected)))
    fetch_json = fetch_json or make_fetch_json()
    codes = [region.code for region in regions]
    names = region_names(regions)
    results = []
    for indicator_id in selected:
        api = catalogue.indicator(indicator_id).api
        problems = check_api(api, fetch_json, regions, codes, names, timeout)
        continuation = api.get("continued_by")
        while continuation:  # the table that continues the series: named in its problems
            problems += [f"{continuation['service']} {api_label(continuation)}: {problem}"
                         for problem in check_api(continuation, fetch_json, regions, codes,
                                                  names, timeout)]
            continuation = continuation.get("continued_by")
        results.append(CheckResult(indicator_id, api["service"], api_label(api),
                                   tuple(problems)))
    return results


def check_api(api: dict[str, Any], fetch_json: FetchJson, regions: Sequence[Any],
              codes: Sequence[str], names: RegionNames, timeout: float) -> list[str]:
    """Problems with one declaration (not its continuation), from metadata calls; a failed
    call or an unreadable answer is a problem too, never an exception."""
    service = api["service"]
    try:
        if service == "scb_v1":
            return check_scb_v1(api, fetch_json, codes, timeout)
        if service == "scb":
            return check_scb(api, fetch_json, codes, timeout)
        if service == "kolada":
            return check_kolada(api, fetch_json, timeout)
        if service == "eurostat":
            return check_eurostat(api, fetch_json, _geo_codes(regions, codes), timeout)
        return check_tillvaxtanalys(api, fetch_json, names, timeout)
    except FetchError as exc:
        return [str(exc)]
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        return [f"unexpected answer ({type(exc).__name__}: {exc})"]


def format_check(results: Sequence[CheckResult]) -> str:
    """A plain-text table: indicator, service, table/KPI, OK or the problems."""
    rows = [("indicator", "service", "table/KPI", "result")]
    rows += [(r.indicator_id, r.service, r.declared, "OK" if r.ok else "; ".join(r.problems))
             for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths)) + "  " + row[3]
             for row in rows]
    failed = sum(not r.ok for r in results)
    lines.append(f"{len(results) - failed} of {len(results)} declarations confirmed by the "
                 "services" + (f"; {failed} need attention" if failed else ""))
    return "\n".join(lines)


def _per_capita(rows: list[FetchedRow], population: dict[tuple[str, str], float]
                ) -> list[FetchedRow]:
    """Totals divided by the population of the same län and year (left out without one)."""
    result = []
    for row in rows:
        inhabitants = population.get((row.region_code, row.period))
        if not inhabitants:
            logger.warning("%s %s %s: no population to divide by; skipped", row.indicator_id,
                           row.region_code, row.period)
            continue
        result.append(FetchedRow(row.region_code, row.indicator_id, row.period,
                                 row.value / inhabitants, row.origin))
    return result


def fetch_indicators(indicator_ids: Iterable[str] | None = None,
                     regions: Iterable[str] | None = None, *,
                     data_dir: str | Path | None = None, fetch_json: FetchJson | None = None,
                     timeout: float = DEFAULT_TIMEOUT, dry_run: bool = False,
                     replace: bool = False, today: _dt.date | None = None,
                     probe: bool | None = None) -> ImportResult:
    """``ecoreport fetch``: request, validate and merge (all or nothing).

    ``regions`` are codes or names (default: Riket and the 21 län). ``probe`` (default:
    when no ``fetch_json`` is given) first checks that the services' hosts answer at all.
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    catalogue = load_catalogue(folder)
    codes = region_codes_for(regions, folder)
    selected = _selected(indicator_ids, catalogue)
    if probe if probe is not None else fetch_json is None:
        probe_hosts(set().union(*(api_services(catalogue.indicator(i).api) for i in selected)))
    rows = fetch_rows(selected, codes, catalogue, fetch_json or make_fetch_json(),
                      timeout=timeout, population=stored_population(folder, catalogue, selected),
                      regions=load_regions(folder))
    return merge_fetched(rows, folder, replace=replace, dry_run=dry_run, today=today)


def region_codes_for(regions: Iterable[str] | None, folder: Path) -> list[str]:
    """Region codes from codes or names (default: every region of regions.yaml)."""
    return [resolve_region(region, folder).code for region in regions] if regions else [
        region.code for region in load_regions(folder)]


def stored_population(folder: Path, catalogue: Any, selected: Iterable[str]
                      ) -> dict[tuple[str, str], float]:
    """(region, year) -> population from values.csv, when a selected indicator divides by it."""
    population: dict[tuple[str, str], float] = {}
    if any((catalogue.indicator(i).api or {}).get("transform") == "per_capita_from_total"
           for i in selected):
        values = read_table(folder / "values.csv")
        for record in values[values["indicator_id"] == "befolkning"].to_dict("records"):
            population[(record["region_code"], record["period"])] = float(record["value"])
    return population


def merge_fetched(rows: Sequence[FetchedRow], folder: Path, *, replace: bool = False,
                  dry_run: bool = False, today: _dt.date | None = None) -> ImportResult:
    """Validate fetched rows and merge them into values.csv in one atomic write; each row
    keeps the source entry of the service it came from (``FetchedRow.source_id``)."""
    catalogue = load_catalogue(folder)
    today = today or _dt.date.today()
    tidy, origins = [], []
    source_id_for: dict[str, str] = {}
    note_for: dict[tuple[str, str], str] = {}
    for position, row in enumerate(sorted(rows, key=lambda r: (r.indicator_id, r.region_code,
                                                               r.period)), start=1):
        tidy.append({"region_code": row.region_code, "indicator_id": row.indicator_id,
                     "period": row.period, "number": format_stored_number(row.value),
                     "source_id": row.source_id or catalogue.indicator(row.indicator_id).source})
        origins.append((row.origin, position, "value"))
        source_id_for[row.indicator_id] = catalogue.indicator(row.indicator_id).source
        note_for[(row.indicator_id, row.origin)] = \
            f"fetched {today.isoformat()} from {row.origin}"
    notes = [] if rows else ["the APIs returned no values for the selection"]
    return merge_observed_rows({False: (tidy, origins), True: ([], [])}, data_dir=folder,
                               source_id_for=source_id_for, note_for=note_for,
                               replace=replace, dry_run=dry_run, notes=notes)
