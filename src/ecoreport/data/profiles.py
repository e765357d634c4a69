"""Region profiles (``data/regions/<code>.yaml``): peers with reasons, strategy, targets, KPIs.

A profile holds what a län has decided about itself, as data: the peers it compares with
and why, its innovation strategy (name, period, vision, goals, focus areas), the measurable
targets bound to catalogue indicators, and project KPIs that a project measures itself
(values in ``data/project_kpis.csv``, one row per KPI and period, like survey data).
Everything is taken from the strategy documents; a target the strategy does not state is
not written here. Validated by pydantic models (``extra="forbid"``, strict) like the
catalogue (``schema.py``); errors name the file, the entry and the field.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, Union

import pandas as pd
from pydantic import AfterValidator, Field, ValidationError, model_validator

from ecoreport.data.files import inside, read_yaml
from ecoreport.data.schema import Expect, Id, Label, Text, _Model, _non_empty
from ecoreport.data.tables import read_optional_table
from ecoreport.errors import (CatalogueError, DataError, DataValidationError, EcoreportError,
                              Issue)
from ecoreport.paths import data_dir as default_data_dir

PROFILE_DIR = "regions"
KPI_FILE = "project_kpis.csv"
KPI_COLUMNS = ["region_code", "project_id", "kpi_id", "period", "value", "status", "note"]
KPI_STATUSES = ("reported",)

Code = Annotated[str, AfterValidator(_non_empty),
                 Expect("a län code", 'a two-digit code in quotes, e.g. "24"')]
Year = Annotated[int, Field(ge=1990, le=2100), Expect("a year", "a year such as 2030")]
Number = Annotated[Union[int, float], Expect("a number", "a number")]


class PeerModel(_Model):
    code: Code
    reason: Text


class GoalModel(_Model):
    id: Id
    name: Label
    description: Union[Text, None] = None
    indicators: list[Id] = Field(default_factory=list)


class StrategyModel(_Model):
    name: Label
    adopted: Union[Year, None] = None
    period: Union[Label, None] = None
    vision: Union[Label, None] = None
    source: Text
    goals: list[GoalModel] = Field(default_factory=list)
    focus_areas: list[Label] = Field(default_factory=list)
    note: Union[Text, None] = None


class TargetModel(_Model):
    """A measurable target: the indicator should reach ``target_value`` by ``target_year``."""

    id: Id
    indicator: Id
    goal: Union[Id, None] = None
    baseline_year: Year
    target_value: Number
    target_year: Year
    direction: Annotated[Literal["increase", "decrease"],
                         Expect("a direction", "increase or decrease")]
    source: Text
    note: Union[Text, None] = None

    @model_validator(mode="after")
    def _check_years(self) -> TargetModel:
        if self.target_year <= self.baseline_year:
            raise ValueError(f"target_year {self.target_year} is not after baseline_year "
                             f"{self.baseline_year}")
        return self


class KpiModel(_Model):
    """A project KPI measured by the project itself (not in the catalogue)."""

    id: Id
    name: Label
    unit: Label
    target_value: Number
    per: Annotated[Literal["year", "project"], Expect("a period", "year or project")]
    direction: Annotated[Literal["at_least", "at_most"],
                         Expect("a direction", "at_least or at_most")]
    theme: Union[Label, None] = None


class ProjectModel(_Model):
    id: Id
    name: Label
    period: Label
    owner: Label
    measured_by: Label
    source: Text
    kpis: list[KpiModel] = Field(default_factory=list)
    qualitative_goals: list[Label] = Field(default_factory=list)


class ProfileModel(_Model):
    """One file ``data/regions/<code>.yaml``."""

    region_code: Code
    peers: list[PeerModel] = Field(default_factory=list)
    strategy: Union[StrategyModel, None] = None
    targets: list[TargetModel] = Field(default_factory=list)
    projects: list[ProjectModel] = Field(default_factory=list)


def _describe(error: dict, raw: object) -> tuple[str, str | None, object, str]:
    """(entry, field, value, problem) of one pydantic error, with list positions named."""
    loc = list(error["loc"])
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int) and parts:
            parts[-1] += f"[{part + 1}]"
        elif isinstance(part, str) and not part.startswith(("function-", "union[")) \
                and part not in ("int", "float", "str", "none", "literal['increase','decrease']"):
            parts.append(part)
    value = raw
    for part in loc:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
    entry = ".".join(parts[:-1]) or None
    field = parts[-1] if parts else None
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        message = "unknown field"
    return entry, field, value, message


def parse_profile(raw: object, file: str) -> ProfileModel:
    """Validate a profile's YAML content; every problem named (file, entry, field, value)."""
    try:
        return ProfileModel.model_validate(raw)
    except ValidationError as exc:
        found: dict[tuple, Issue] = {}
        for error in exc.errors():
            entry, field, value, message = _describe(error, raw)
            shown = value if not isinstance(value, (dict, list)) else None
            # a number field is a union of int and float: say its problem once (the last)
            found[(entry, field)] = Issue(message=f"{entry + ', ' if entry else ''}field "
                                                  f"'{field}': {message}", file=file,
                                          value=shown)
        issues = list(found.values())
        if len(issues) == 1:
            issue = issues[0]
            raise CatalogueError(issue.message, file=file, value=issue.value) from None
        raise DataValidationError(issues) from None


def check_profile(profile: ProfileModel, file: str, *, region_codes: set[str],
                  indicator_ids: set[str]) -> None:
    """Cross-checks with regions.yaml and the catalogue (codes, indicators, goal ids)."""
    problems = []
    if profile.region_code not in region_codes:
        problems.append(("region_code", profile.region_code, "is not a län of regions.yaml"))
    expected = Path(file).stem
    if profile.region_code != expected:
        problems.append(("region_code", profile.region_code,
                         f"does not match the file name ({expected}.yaml)"))
    for k, peer in enumerate(profile.peers, start=1):
        if peer.code not in region_codes or peer.code == profile.region_code:
            problems.append((f"peers[{k}].code", peer.code, "is not another län"))
    goals = {g.id for g in profile.strategy.goals} if profile.strategy else set()
    for k, goal in enumerate(profile.strategy.goals if profile.strategy else [], start=1):
        for indicator in goal.indicators:
            if indicator not in indicator_ids:
                problems.append((f"strategy.goals[{k}].indicators", indicator,
                                 "is not a catalogue indicator"))
    for k, target in enumerate(profile.targets, start=1):
        if target.indicator not in indicator_ids:
            problems.append((f"targets[{k}].indicator", target.indicator,
                             "is not a catalogue indicator"))
        if target.goal is not None and target.goal not in goals:
            problems.append((f"targets[{k}].goal", target.goal,
                             "is not the id of a strategy goal"))
    if problems:
        issues = [Issue(message=f"field '{f}': {v!r} {p}", file=file) for f, v, p in problems]
        if len(issues) == 1:
            raise CatalogueError(issues[0].message, file=file)
        raise DataValidationError(issues)


def profile_path(region_code: str, data_dir: str | Path | None = None) -> Path:
    base = Path(data_dir) if data_dir else default_data_dir()
    return base / PROFILE_DIR / f"{region_code}.yaml"


def load_profile(region_code: str, data_dir: str | Path | None = None, *,
                 region_codes: set[str] | None = None,
                 indicator_ids: set[str] | None = None) -> ProfileModel | None:
    """The län's profile, validated (None when the län has no profile file)."""
    path = profile_path(region_code, data_dir)
    if not path.exists() and not path.is_symlink():
        return None
    path = inside(path, path.parent, "the region profiles (data/regions)")
    profile = _load(path, path.stat().st_mtime_ns)
    if region_codes is not None and indicator_ids is not None:
        check_profile(profile, f"{PROFILE_DIR}/{path.name}", region_codes=region_codes,
                      indicator_ids=indicator_ids)
    return profile


@lru_cache(maxsize=32)
def _load(path: Path, mtime: int) -> ProfileModel:
    file = f"{PROFILE_DIR}/{path.name}"
    raw = read_yaml(path, file=file, expected="a region profile in YAML")
    return parse_profile(raw, file)


def validate_profiles(data_dir: str | Path | None = None, *, region_codes: set[str],
                      indicator_ids: set[str]) -> tuple[list[str], list[Issue]]:
    """Check every profile under ``regions/`` and ``project_kpis.csv`` as a build would read
    them (``ecoreport validate``): returns the files checked and their problems."""
    base = Path(data_dir) if data_dir else default_data_dir()
    folder = base / PROFILE_DIR
    files: list[str] = []
    issues: list[Issue] = []
    profiles: dict[str, ProfileModel] = {}
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    for path in paths:
        files.append(f"{PROFILE_DIR}/{path.name}")
        try:
            profile = load_profile(path.stem, base, region_codes=region_codes,
                                   indicator_ids=indicator_ids)
        except DataValidationError as exc:
            issues.extend(exc.issues)
            continue
        except DataError as exc:
            issues.append(exc.issue)
            continue
        except EcoreportError as exc:  # a symlink pointing out of the folder
            issues.append(Issue(message=str(exc), file=f"{PROFILE_DIR}/{path.name}"))
            continue
        if profile is not None:
            profiles[profile.region_code] = profile
    if (base / KPI_FILE).exists():
        files.append(KPI_FILE)
        try:
            load_project_kpis(base, profiles)
        except DataError as exc:
            issues.append(exc.issue)
    return files, issues


def load_project_kpis(data_dir: str | Path | None = None,
                      profiles: dict[str, ProfileModel] | None = None) -> pd.DataFrame:
    """Reported KPI values (``project_kpis.csv``), checked against the profiles' KPIs."""
    base = Path(data_dir) if data_dir else default_data_dir()
    table = read_optional_table(base / KPI_FILE, KPI_COLUMNS)
    known = {(code, project.id, kpi.id) for code, profile in (profiles or {}).items()
             for project in profile.projects for kpi in project.kpis}
    values = []
    for row, record in enumerate(table.to_dict(orient="records"), start=2):
        key = (record["region_code"], record["project_id"], record["kpi_id"])
        if profiles is not None and key not in known:
            raise DataError("KPI not declared in the län's profile", file=KPI_FILE, row=row,
                            column="kpi_id", value=record["kpi_id"],
                            expected=f"a KPI of project {record['project_id']!r} in "
                                     f"regions/{record['region_code']}.yaml")
        if record["status"] not in KPI_STATUSES:
            raise DataError("unknown status", file=KPI_FILE, row=row, column="status",
                            value=record["status"], expected=", ".join(KPI_STATUSES))
        try:
            values.append(float(record["value"].replace(",", ".")))
        except ValueError:
            raise DataError("not a number", file=KPI_FILE, row=row, column="value",
                            value=record["value"], expected="a decimal number") from None
    return table.assign(value=values)
