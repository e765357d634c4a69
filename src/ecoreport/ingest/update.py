"""``ecoreport update``: the yearly round in one command.

1. **Services.** A quick connection probe per service (``fetch.probe_hosts``, all at
   once). When none answers the round stops at once — nothing was checked or changed — and
   the command exits non-zero; a service that does not answer is left out and reported.
2. **Check.** ``fetch --check`` for the declarations of the reachable services (metadata
   calls): a declaration the service no longer confirms is not fetched and is reported.
3. **Fetch.** Every confirmed indicator, for the years asked, service by service. A
   service whose requests fail is dropped before anything is merged; the others' rows are
   validated and written in one atomic write of values.csv, or, when a validation refuses
   some rows, each service's rows on their own (``fetch.merge_fetched``, one atomic write
   each). So a failing service never undoes what the others fetched. Observed values that
   differ are reported as conflicts, never overwritten (unless ``replace``).
4. **Templates.** One workbook (``ecoreport template``) with a sheet per register indicator
   that is still missing years, with the catalogue's recipe on each sheet: nothing from it
   is imported; the analyst fills it in and runs ``ecoreport import``.
5. **Summary.** Per register indicator: route, observed values and latest observed year
   before → after, the years still missing and where to get them (the recipe).

``dry_run`` asks the services and shows what would change; it writes nothing (no values,
no workbook).
"""

from __future__ import annotations

import datetime as _dt
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ecoreport.data.catalogue import load_catalogue
from ecoreport.data.regions import load_regions
from ecoreport.data.tables import read_table
from ecoreport.errors import DataError, FetchError, UsageError
from ecoreport.ingest.fetch import (DEFAULT_TIMEOUT, PROBE_TIMEOUT, FetchJson, api_label,
                                    api_services, check_apis, fetch_rows, make_fetch_json,
                                    merge_fetched, probe_hosts, stored_population)
from ecoreport.ingest.importer import ImportResult
from ecoreport.ingest.template import write_template
from ecoreport.paths import data_dir as default_data_dir

logger = logging.getLogger(__name__)

FIRST_YEAR = 2013


@dataclass(frozen=True)
class IndicatorState:
    """Observed values of one indicator in the year range, and its latest observed year."""

    n_observed: int
    latest: int | None
    missing_years: tuple[int, ...]


@dataclass
class UpdateResult:
    """What ``update`` did (or would do, on a dry run)."""

    years: tuple[int, int]
    before: dict[str, IndicatorState]
    after: dict[str, IndicatorState]
    routes: dict[str, str]
    recipes: dict[str, dict[str, str] | None]
    unreachable: dict[str, str] = field(default_factory=dict)       # service -> reason
    not_confirmed: dict[str, str] = field(default_factory=dict)     # indicator -> problems
    failed: dict[str, str] = field(default_factory=dict)            # service -> error
    merged: dict[str, ImportResult] = field(default_factory=dict)   # service -> result
    workbook: Path | None = None
    dry_run: bool = False

    @property
    def conflicts(self) -> int:
        return sum(result.count("conflict") for result in self.merged.values())

    @property
    def ok(self) -> bool:
        return not (self.unreachable or self.not_confirmed or self.failed or self.conflicts)


def indicator_states(values: pd.DataFrame, indicator_ids: Sequence[str],
                     years: tuple[int, int]) -> dict[str, IndicatorState]:
    """Per indicator: observed single-year values in ``years`` (all regions), the latest
    observed year, and the years in the range without any observed value."""
    observed = values[(values["status"] == "observed")
                      & values["period"].astype(str).str.fullmatch(r"\d{4}")]
    year = observed["period"].astype(int)
    inside = observed[(year >= years[0]) & (year <= years[1])]
    states = {}
    for indicator_id in indicator_ids:
        mine = inside[inside["indicator_id"] == indicator_id]
        present = {int(p) for p in mine["period"]}
        all_years = observed[observed["indicator_id"] == indicator_id]["period"].astype(int)
        states[indicator_id] = IndicatorState(
            n_observed=len(mine), latest=int(all_years.max()) if len(all_years) else None,
            missing_years=tuple(y for y in range(years[0], years[1] + 1) if y not in present))
    return states


def run_update(*, data_dir: str | Path | None = None, first_year: int = FIRST_YEAR,
               last_year: int | None = None, out: str | Path | None = None,
               dry_run: bool = False, replace: bool = False,
               fetch_json: FetchJson | None = None, timeout: float = DEFAULT_TIMEOUT,
               probe_timeout: float = PROBE_TIMEOUT,
               today: _dt.date | None = None) -> UpdateResult:
    """The yearly round (see the module docstring). Raises ``FetchError`` when no service
    can be reached (nothing was checked or changed)."""
    today = today or _dt.date.today()
    last_year = last_year if last_year is not None else today.year - 1
    if last_year < first_year:
        raise UsageError(f"the year range {first_year}–{last_year} is empty; give --from "
                         "before --to")
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    out = Path(out) if out is not None else folder.parent / f"ecoreport-mallar-{last_year}.xlsx"
    catalogue = load_catalogue(folder)
    register = [i for i, ind in catalogue.indicators.items() if ind.kind == "register"]
    years = (first_year, last_year)
    before = indicator_states(read_table(folder / "values.csv"), register, years)
    routes = {i: (f"{catalogue.indicator(i).api['service']} "
                  f"{api_label(catalogue.indicator(i).api)}" if catalogue.indicator(i).api
                  else "template/import") for i in register}
    result = UpdateResult(years=years, before=before, after=before, routes=routes,
                          recipes={i: catalogue.indicator(i).recipe for i in register},
                          dry_run=dry_run)
    declared = [i for i in register if catalogue.indicator(i).api]
    services = sorted(set().union(*(api_services(catalogue.indicator(i).api)
                                    for i in declared)))
    reachable = set(services)
    if fetch_json is None:
        result.unreachable = _probe_each(services, probe_timeout)
        reachable -= set(result.unreachable)
        if not reachable:
            raise FetchError("cannot reach any of the statistics APIs (no network?): "
                             + "; ".join(result.unreachable.values())
                             + " — nothing was checked or changed")
    fetch_json = fetch_json or make_fetch_json()
    usable = [i for i in declared if api_services(catalogue.indicator(i).api) <= reachable]
    checks = check_apis(usable, data_dir=folder, fetch_json=fetch_json, timeout=timeout,
                        probe=False) if usable else []
    result.not_confirmed = {c.indicator_id: "; ".join(c.problems) for c in checks if not c.ok}
    confirmed = [c.indicator_id for c in checks if c.ok]
    regions = load_regions(folder)
    codes = [region.code for region in regions]
    by_service: dict[str, list[str]] = {}
    for indicator_id in confirmed:
        by_service.setdefault(catalogue.indicator(indicator_id).api["service"],
                              []).append(indicator_id)
    fetched: dict[str, list] = {}
    for service, indicator_ids in sorted(by_service.items()):
        try:
            rows = fetch_rows(indicator_ids, codes, catalogue, fetch_json, timeout=timeout,
                              population=stored_population(folder, catalogue, indicator_ids),
                              regions=regions)
        except FetchError as exc:  # this service's rows are dropped; the others go on
            result.failed[service] = str(exc)
            continue
        fetched[service] = [row for row in rows if row.period.isdigit()
                            and first_year <= int(row.period) <= last_year]
    result.merged = _merge_by_service(fetched, folder, catalogue, result.failed,
                                      replace=replace, dry_run=dry_run, today=today)
    if dry_run:
        after = pd.concat([read_table(folder / "values.csv")]
                          + [_changed_rows(r) for r in result.merged.values()],
                          ignore_index=True)
    else:
        after = read_table(folder / "values.csv")
    result.after = indicator_states(after, register, years)
    left = [i for i in register if result.after[i].missing_years]
    if left and not dry_run:
        result.workbook = write_template(left, out, data_dir=folder,
                                         years=range(first_year, last_year + 1))
    return result


def _merge_by_service(fetched: dict[str, list], folder: Path, catalogue: Any,
                      failed: dict[str, str], *, replace: bool, dry_run: bool,
                      today: _dt.date) -> dict[str, ImportResult]:
    """Merge the services' rows: all in one validated atomic write when they pass together,
    else each service on its own (one atomic write each), so that rows a validation refuses
    cost only their own service (recorded in ``failed``)."""
    if not fetched:
        return {}
    try:
        combined = merge_fetched([row for rows in fetched.values() for row in rows], folder,
                                 replace=replace, dry_run=dry_run, today=today)
    except DataError:
        merged = {}
        for service, rows in fetched.items():
            try:
                merged[service] = merge_fetched(rows, folder, replace=replace,
                                                dry_run=dry_run, today=today)
            except DataError as exc:
                failed[service] = str(exc)
        return merged
    service_of = {i: catalogue.indicator(i).api["service"]
                  for i in {row.indicator_id for rows in fetched.values() for row in rows}}
    changes = combined.changes
    return {service: ImportResult(
        changes=changes[changes["indicator_id"].map(service_of) == service].reset_index(
            drop=True), files_written=combined.files_written, dry_run=dry_run)
        for service in fetched}


def _probe_each(services: Sequence[str], timeout: float) -> dict[str, str]:
    """service -> why it cannot be reached (all probed at once, within ~``timeout``)."""
    def probe(service: str) -> str | None:
        try:
            probe_hosts([service], timeout=timeout)
            return None
        except FetchError as exc:
            return str(exc).split(": ", 1)[-1].split(" — ")[0]

    with ThreadPoolExecutor(max_workers=max(1, len(services))) as pool:
        reasons = dict(zip(services, pool.map(probe, services)))
    return {service: reason for service, reason in reasons.items() if reason}


def _changed_rows(result: ImportResult) -> pd.DataFrame:
    """The rows a dry run would add or replace, as observed values (for the after-count)."""
    changes = result.changes
    if not len(changes):
        return pd.DataFrame(columns=["region_code", "indicator_id", "period", "status"])
    wanted = changes[changes["action"].isin(["new", "replaced_synthetic", "replaced"])]
    return wanted[["region_code", "indicator_id", "period"]].assign(status="observed")


def format_update(result: UpdateResult) -> str:
    """The closing table: per register indicator, before → after and what is missing."""
    first, last = result.years
    lines = [f"ecoreport update {first}–{last}" + (" (dry run: nothing written)"
                                                    if result.dry_run else "")]
    for service, reason in sorted(result.unreachable.items()):
        lines.append(f"  service {service} not reachable, left out: {reason}")
    for indicator_id, problems in sorted(result.not_confirmed.items()):
        lines.append(f"  {indicator_id}: declaration not confirmed, not fetched: {problems}")
    for service, error in sorted(result.failed.items()):
        lines.append(f"  service {service} failed, nothing of it merged: {error}")
    for service, merged in sorted(result.merged.items()):
        counts = ", ".join(f"{merged.count(action)} {action}" for action in
                           ("new", "replaced_synthetic", "replaced", "unchanged", "conflict")
                           if merged.count(action))
        lines.append(f"  service {service}: {counts or 'no values'}")
    header = ("indicator", "route", "observed values", "latest observed year",
              f"years {first}–{last} still missing")
    rows = [header]
    for indicator_id in result.before:
        b, a = result.before[indicator_id], result.after[indicator_id]
        rows.append((indicator_id, result.routes[indicator_id],
                     f"{b.n_observed} → {a.n_observed}",
                     f"{b.latest or '–'} → {a.latest or '–'}", _years_text(a.missing_years)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines += [" | ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
              for row in rows]
    still = [i for i in result.before if result.after[i].missing_years
             and result.recipes.get(i)]
    if still:
        lines.append("Still missing, and where to get it:")
    for indicator_id in still:
        recipe = result.recipes[indicator_id]
        lines.append(f"  {indicator_id}: {recipe['table_name']} — {recipe['page']}; "
                     f"{recipe['filters']}; unit: {recipe['unit']}; {recipe['conversion']}"
                     + (f"; lead: {recipe['lead']}" if recipe.get("lead") else ""))
    no_recipe = [i for i in result.before if result.after[i].missing_years
                 and not result.recipes.get(i) and result.routes[i] == "template/import"]
    if result.workbook is not None:
        lines.append(f"Templates for what is left: {result.workbook} (fill in, then "
                     f"'ecoreport import {result.workbook} --indicator ID --sheet ID'); "
                     "nothing from it has been imported.")
    total_before = sum(s.n_observed for s in result.before.values())
    total_after = sum(s.n_observed for s in result.after.values())
    lines.append(f"Observed register values {first}–{last}: {total_before} → {total_after}"
                 + (f"; {len(no_recipe)} indicators without a recipe" if no_recipe else ""))
    return "\n".join(lines)


def _years_text(years: Sequence[int]) -> str:
    """2013, 2015–2017 style ranges; "none" when nothing is missing."""
    if not years:
        return "none"
    parts, start, previous = [], years[0], years[0]
    for year in [*years[1:], None]:
        if year is not None and year == previous + 1:
            previous = year
            continue
        parts.append(str(start) if start == previous else f"{start}–{previous}")
        if year is not None:
            start = previous = year
    return ", ".join(parts)
