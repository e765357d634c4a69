"""Fetch indicators from public APIs (SCB PxWeb API v2, Kolada API v3) into the data.

Which indicators and how is declared once, in the catalogue entry's ``api`` mapping (see
the header of data/indicators.yaml). Everything is collected first; only when every
request succeeded are the rows merged (``importer.merge_observed_rows``: validated, then
written atomically), so a failed or offline run changes nothing.

Requests go through one injectable function ``fetch_json(url, body, timeout) -> object``
(``body`` None means GET, else a JSON POST); tests pass a fake one and never touch the
network. The default, :func:`make_fetch_json`, uses plain ``urllib.request``, throttles
calls per host (SCB: at most 30 calls per 10 s) and retries HTTP 429/503 with backoff
(``Retry-After`` when the server sends it).

API details and what is not certain
-----------------------------------
- SCB PxWeb API v2: ``POST {SCB_BASE}/tables/{table_id}/data?lang=sv&outputFormat=json-stat2``
  with body ``{"selection": [{"variableCode": V, "valueCodes": [...]}, ...]}`` (the GET form
  ``valueCodes[V]=a,b`` is equivalent; POST is used because the age list is long).
  Variables left out of the selection are eliminated (summed) where the table allows it.
  The response is a JSON-stat 2.0 dataset (``id``, ``size``, ``dimension[..].category.index``,
  ``value`` as a list or a sparse dict). Län codes are "01".."25", Riket "00".
- v2 addresses tables by id ("TAB638"), the catalogue by its v1 path under ssd/.
  ``SCB_TABLE_IDS`` maps the paths used; BefolkningNy = TAB638 is documented in
  SCB's v2 examples; NR0105ENS2010T01A = TAB3138 is taken from a public script and not
  verified. A catalogue ``table`` starting with "TAB" is used as is. Some v2 tables renamed
  their ContentsCode (e.g. "000007ME" for Folkmängd in newer population tables); if SCB
  answers 400/404, check the table's metadata (``/tables/{id}/metadata``) and the catalogue.
- Kolada API v3: ``GET {KOLADA_BASE}/data/kpi/{kpi}/municipality/{ids}`` (ids comma
  separated; a region is "00" + län code, Riket "0000"). Response
  ``{"count", "values": [{"kpi", "municipality", "period", "values": [{"gender": "T",
  "value", "status", "count"}]}], "next_page"}``; a next page is followed whether its key
  is ``next_page``, ``next_url`` or ``next``. Only gender "T" (total) is used; ``value``
  null (suppressed) is skipped. Ids are sent in batches of ``KOLADA_BATCH`` (the service
  limits how many fit in one call; the exact limit is not documented).
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecoreport import __version__
from ecoreport.errors import FetchError
from ecoreport.ingest.importer import ImportResult, merge_observed_rows
from ecoreport.data.tables import format_stored_number
from ecoreport.data.catalogue import load_catalogue
from ecoreport.data.tables import read_table
from ecoreport.paths import data_dir as default_data_dir
from ecoreport.data.regions import load_regions, resolve_region

logger = logging.getLogger(__name__)

SCB_BASE = "https://statistikdatabasen.scb.se/api/v2"
KOLADA_BASE = "https://api.kolada.se/v3"
SCB_TABLE_IDS: dict[str, str] = {
    "BE/BE0101/BE0101A/BefolkningNy": "TAB638",
    "NR/NR0105/NR0105A/NR0105ENS2010T01A": "TAB3138",
}
# Calls allowed per window and host; SCB documents 30 calls per 10 seconds per IP.
RATE_LIMITS: dict[str, tuple[int, float]] = {"statistikdatabasen.scb.se": (30, 10.0)}
DEFAULT_TIMEOUT = 10.0
MAX_RETRIES = 4
RETRY_STATUSES = (429, 503)
KOLADA_BATCH = 10
USER_AGENT = f"ecoreport/{__version__} (+https://github.com/ecoreport)"

# fetch_json(url, body or None, timeout in seconds) -> decoded JSON
FetchJson = Callable[[str, Any, float], Any]


@dataclass(frozen=True)
class FetchedRow:
    """One value from an API, before merging."""

    region_code: str
    indicator_id: str
    period: str
    value: float
    origin: str  # e.g. "scb TAB638", "kolada N85085"


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
        host = urllib.parse.urlsplit(url).hostname or url
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(MAX_RETRIES + 1):
            if host in limiters:
                limiters[host].wait()
            request = urllib.request.Request(url, data=data, headers=headers,
                                             method="GET" if data is None else "POST")
            try:
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

def scb_table_id(table: str) -> str:
    """The v2 table id for a catalogue ``table`` (v1 path or "TAB…" id)."""
    table = table.strip().strip("/")
    if table.upper().startswith("TAB"):
        return table
    if table in SCB_TABLE_IDS:
        return SCB_TABLE_IDS[table]
    raise FetchError(f"no PxWeb v2 table id known for {table!r}; set api.table in "
                     "indicators.yaml to the v2 id (TAB…, shown on the table's page in "
                     "Statistikdatabasen) or add it to ecoreport.ingest.fetch.SCB_TABLE_IDS")


def scb_request(api: dict[str, Any], region_codes: Sequence[str]) -> tuple[str, dict]:
    """URL and POST body for one SCB indicator and all requested regions."""
    url = f"{SCB_BASE}/tables/{scb_table_id(api['table'])}/data?lang=sv&outputFormat=json-stat2"
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
                      None if value is None else float(value)))
    return cells


def rows_from_jsonstat2(doc: dict[str, Any], indicator_id: str, api: dict[str, Any],
                        origin: str) -> list[FetchedRow]:
    """Tidy rows (region, year, value) from an SCB response, summing ``sum_over``.

    A sum with a suppressed part is left out rather than understated.
    """
    value_code = api.get("value_code")
    sum_over = set(api.get("sum_over") or [])
    sums: dict[tuple[str, str], float | None] = {}
    for coordinates, value in parse_jsonstat2(doc):
        if value_code and coordinates.get("ContentsCode", value_code) != value_code:
            continue
        region, period = coordinates.get("Region"), coordinates.get("Tid")
        if region is None or period is None:
            raise FetchError(f"{origin}: the response has no Region or Tid dimension "
                             f"(dimensions: {', '.join(coordinates)})")
        others = tuple(code for dim, code in coordinates.items()
                       if dim not in sum_over | {"Region", "Tid", "ContentsCode"})
        key = (region, period, others)
        previous = sums.get(key, 0.0)
        sums[key] = None if value is None or previous is None else previous + value
    seen: set[tuple[str, str]] = set()
    for region, period, _ in sums:
        if (region, period) in seen:
            raise FetchError(f"{origin}: several values for {region} {period}; the selection "
                             "must fix every variable except Region and Tid, or name the "
                             "others in sum_over")
        seen.add((region, period))
    rows = []
    for key, value in sums.items():
        region, period = key[0], key[1]
        if value is None or not (len(period) == 4 and period.isdigit()):
            continue
        rows.append(FetchedRow(region, indicator_id, period, value, origin))
    return rows


# --- Kolada v3 ------------------------------------------------------------------------------

def kolada_urls(api: dict[str, Any], region_codes: Sequence[str]) -> list[str]:
    """One URL per batch of regions for a Kolada KPI."""
    ids = [str(api["municipality"]).replace("{region_code}", code) for code in region_codes]
    return [f"{KOLADA_BASE}/data/kpi/{api['kpi']}/municipality/"
            f"{','.join(ids[start:start + KOLADA_BATCH])}"
            for start in range(0, len(ids), KOLADA_BATCH)]


def rows_from_kolada(doc: dict[str, Any], indicator_id: str, origin: str) -> list[FetchedRow]:
    """Tidy rows from one Kolada v3 page (gender "T"; null values skipped)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("values"), list):
        raise FetchError(f"{origin}: not a Kolada data response (no 'values' list)")
    rows = []
    for item in doc["values"]:
        municipality = str(item.get("municipality", ""))
        if len(municipality) != 4 or not municipality.startswith("00"):
            logger.debug("%s: skipping non-region id %r", origin, municipality)
            continue
        total = next((entry for entry in item.get("values", [])
                      if entry.get("gender") == "T"), None)
        if total is None or total.get("value") is None:
            continue
        rows.append(FetchedRow(municipality[2:], indicator_id, str(item["period"]),
                               float(total["value"]), origin))
    return rows


def _next_page(doc: dict[str, Any]) -> str | None:
    for key in ("next_page", "next_url", "next"):
        if isinstance(doc, dict) and doc.get(key):
            return str(doc[key])
    return None


# --- the command ----------------------------------------------------------------------------

def fetch_rows(indicator_ids: Iterable[str] | None, region_codes: Sequence[str], catalogue: Any,
               fetch_json: FetchJson, *, timeout: float = DEFAULT_TIMEOUT,
               population: dict[tuple[str, str], float] | None = None) -> list[FetchedRow]:
    """Request every indicator with an ``api`` entry (or those named) for the regions.

    Raises ``FetchError`` on the first failed request: all or nothing.
    """
    selected = list(indicator_ids) if indicator_ids else [
        id_ for id_, indicator in catalogue.indicators.items() if indicator.api]
    rows: list[FetchedRow] = []
    for indicator_id in selected:
        api = catalogue.indicator(indicator_id).api
        if not api:
            raise FetchError(f"indicator {indicator_id!r} has no 'api' entry in "
                             "indicators.yaml; import it from a file with 'ecoreport import'")
        if api["service"] == "scb":
            url, body = scb_request(api, region_codes)
            origin = f"scb {scb_table_id(api['table'])}"
            rows.extend(rows_from_jsonstat2(fetch_json(url, body, timeout), indicator_id,
                                            api, origin))
        elif api["service"] == "kolada":
            origin = f"kolada {api['kpi']}"
            fetched = []
            for url in kolada_urls(api, region_codes):
                while url:
                    doc = fetch_json(url, None, timeout)
                    fetched.extend(rows_from_kolada(doc, indicator_id, origin))
                    url = _next_page(doc)
            if api.get("transform") == "per_capita_from_total":
                fetched = _per_capita(fetched, population or {})
            rows.extend(fetched)
        else:
            raise FetchError(f"unknown api service {api['service']!r} for {indicator_id!r}")
        logger.info("%s: %d values", indicator_id, sum(r.indicator_id == indicator_id
                                                       for r in rows))
    wanted = set(region_codes)
    return [row for row in rows if row.region_code in wanted]


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
                     replace: bool = False, today: _dt.date | None = None) -> ImportResult:
    """``ecoreport fetch``: request, validate and merge (all or nothing).

    ``regions`` are codes or names (default: Riket and the 21 län).
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    catalogue = load_catalogue(folder)
    codes = [resolve_region(region, folder).code for region in regions] if regions else [
        region.code for region in load_regions(folder)]
    population: dict[tuple[str, str], float] = {}
    if any((catalogue.indicator(i).api or {}).get("transform") == "per_capita_from_total"
           for i in (indicator_ids or catalogue.indicators)):
        values = read_table(folder / "values.csv")
        for record in values[values["indicator_id"] == "befolkning"].to_dict("records"):
            population[(record["region_code"], record["period"])] = float(record["value"])
    rows = fetch_rows(indicator_ids, codes, catalogue, fetch_json or make_fetch_json(),
                      timeout=timeout, population=population)
    today = today or _dt.date.today()
    tidy, origins = [], []
    source_id_for: dict[str, str] = {}
    note_for: dict[tuple[str, str], str] = {}
    for position, row in enumerate(sorted(rows, key=lambda r: (r.indicator_id, r.region_code,
                                                               r.period)), start=1):
        tidy.append({"region_code": row.region_code, "indicator_id": row.indicator_id,
                     "period": row.period, "number": format_stored_number(row.value)})
        origins.append((row.origin, position, "value"))
        source_id_for[row.indicator_id] = catalogue.indicator(row.indicator_id).source
        note_for[(row.indicator_id, row.origin)] = \
            f"fetched {today.isoformat()} from {row.origin}"
    notes = [] if rows else ["the APIs returned no values for the selection"]
    return merge_observed_rows({False: (tidy, origins), True: ([], [])}, data_dir=folder,
                               source_id_for=source_id_for, note_for=note_for,
                               replace=replace, dry_run=dry_run, notes=notes)

