"""The declared schema of the catalogue files: ``indicators.yaml``, ``sources.yaml``, ``regions.yaml``.

pydantic v2 models with ``extra="forbid"`` and strict types, one model per kind of entry.
The models are also the catalogue's records (frozen): ``catalogue.Indicator`` is
:class:`IndicatorModel`, ``catalogue.SurveyDesign`` is :class:`SurveyModel` and so on; what a
record holds that the file does not write (the id of a unit or source, given by its key) is
added in ``catalogue``. Checks that need more than one entry (an indicator's unit must be declared, peers must be
other län, ids must be unique) are made by the loaders (``catalogue``, ``regions``).

Errors stay readable for the person editing the YAML: :func:`validate_entry` turns
pydantic's errors into :class:`Problem` s naming the field, the value, what is wrong and
what was expected; every field says how (the ``Expect`` in its annotation). Names, labels,
short names, answer categories and citations are shown in the report, so markup in them
(``<``, ``>``, backticks, MyST ``{role}`` syntax) is refused here, when the file is loaded
(the renderer escapes text as well).

To add an API service, write its model (a ``service: Literal[...]`` field) and add it to
``ApiModel``; ``API_MODELS`` follows.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NamedTuple, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ecoreport.errors import shown
from ecoreport.data.vocab import (
    NORMALISATIONS,
    POLARITIES,
    POLARITY_SIGN,
    RIKET_CODE,
    SURVEY_BASES,
)

UNIT_KINDS = ("share", "count", "amount", "score", "index", "ratio")
INDICATOR_KINDS = ("register", "survey")
AXES = ("research", "market")
SURVEY_ONLY_FIELDS = ("question_sv", "categories", "favourable_categories", "base")

ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")  # ids of units, dimensions, indicators, sources
REGION_CODE_RE = re.compile(r"^\d{2}$")  # "00" Riket, "01".."25" län
# Markup that would be interpreted when a name is rendered: HTML/XML tags, Markdown code,
# MyST roles and directives ("{sub-ref}`x`", "```{note}").
_MARKUP_RE = re.compile(r"[<>`]|\{[A-Za-z][\w:.+-]*\}")


@dataclass(frozen=True)
class Expect:
    """How an error describes a field: "'x' is not {noun}; expected {expected}"."""

    noun: str
    expected: str


@dataclass(frozen=True)
class Problem:
    """One schema violation of one entry."""

    field: str | None
    value: object
    problem: str
    expected: str


def _problem(problem: str, expected: str, *, field: str | None = None,
             value: object = None) -> PydanticCustomError:
    """An error raised inside a validator, carrying the message parts."""
    return PydanticCustomError("ecoreport", "{problem}", {
        "problem": problem, "expected": expected, "field": field, "value": value})


def _non_empty(text: str) -> str:
    if not text.strip():
        raise ValueError("empty")
    return text


def _plain(text: str) -> str:
    found = _MARKUP_RE.search(text)
    if found:
        raise _problem(f"{text!r} contains markup ({found.group(0)!r})",
                       "plain text without <, >, backticks or MyST {role} syntax")
    return text


def _valid_id(text: str) -> str:
    if not ID_RE.match(text):
        raise ValueError("not an id")
    return text


def _iso_date(value: Any) -> Any:
    """A YAML date or a quoted ISO date as ISO text; anything else is left to fail."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            return value
    return value


def _is_date(text: str | None) -> str | None:
    if text is not None:
        dt.date.fromisoformat(text)  # ValueError for "maj 2024"
    return text


def _is_url(text: str | None) -> str | None:
    if text is not None and not text.startswith(("https://", "http://")):
        raise ValueError("not a URL")
    return text


def _as_tuple(value: Any) -> Any:
    """A YAML list as a tuple (records are frozen and hashable); anything else is left to
    the field's type."""
    return tuple(value) if isinstance(value, list) else value


def _written(schema: Any) -> BeforeValidator:
    """Check a mapping against ``schema`` (its errors keep their place: ``api.kpi``) and keep
    it as written: the fetchers and the download template read the mapping, without the
    defaults the model would fill in."""
    adapter = TypeAdapter(schema)

    def check(value: Any) -> Any:
        if value is not None:
            adapter.validate_python(value)
        return value

    return BeforeValidator(check)


TEXT = Expect("a text", "a non-empty string")
Text = Annotated[str, AfterValidator(_non_empty), TEXT]
Label = Annotated[str, AfterValidator(_non_empty), AfterValidator(_plain), TEXT]
Id = Annotated[str, AfterValidator(_valid_id), Expect("a valid id", "lower-case snake_case")]
Number = Annotated[Union[int, float], Expect("a number", "a number or nothing")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# --- sources.yaml ---------------------------------------------------------------------------


Count = Annotated[int, Field(ge=1), Expect("a whole number", "a whole number of at least 1")]
Date = Annotated[Union[str, None], BeforeValidator(_iso_date), AfterValidator(_is_date),
                 Expect("a date", "an ISO date (YYYY-MM-DD) or null")]


class SurveyFilterModel(_Model):
    """The question and answer that make a firm an "innovating firm"."""

    item: Id
    category: Label


class SurveyModel(_Model):
    """How a survey was made (``survey:`` of its source): stated once, shown in the survey
    chapter and used for the number of answers and the margins of error. Texts are
    Swedish phrases that fit into a sentence (lower-case start)."""

    region_code: Annotated[str, Field(pattern=REGION_CODE_RE.pattern), Expect(
        "a two-digit code", 'the quoted län code of the answers, e.g. "24"')]
    period: Annotated[str, AfterValidator(_non_empty),
                      Expect("a period", 'the quoted period of survey.csv, e.g. "2024"')]
    population_sv: Label
    population_size: Union[Count, None] = None
    sample_sv: Label
    sample_size: Union[Count, None] = None
    answers: Count
    fieldwork_start: Date = None
    fieldwork_end: Date = None
    collector: Union[Label, None] = None
    mode_sv: Union[Label, None] = None
    questionnaire_sv: Union[Label, None] = None
    # null: the source says nothing about weighting (the report says so)
    weighting_sv: Union[Label, None] = None
    innovating_filter: Union[SurveyFilterModel, None] = None
    reference_sv: Label  # where the facts above are stated

    @model_validator(mode="after")
    def _check_sizes(self) -> SurveyModel:
        if self.sample_size is not None and self.answers > self.sample_size:
            raise _problem(f"{self.answers} answers from a sample of {self.sample_size}",
                           "answers not above sample_size", field="answers",
                           value=self.answers)
        if (self.population_size is not None and self.sample_size is not None
                and self.sample_size > self.population_size):
            raise _problem(f"a sample of {self.sample_size} from {self.population_size}",
                           "sample_size not above population_size", field="sample_size",
                           value=self.sample_size)
        if (self.fieldwork_start and self.fieldwork_end
                and self.fieldwork_start > self.fieldwork_end):
            raise _problem("the fieldwork ends before it starts",
                           "fieldwork_end on or after fieldwork_start",
                           field="fieldwork_end", value=self.fieldwork_end)
        return self

    @property
    def response_rate(self) -> float | None:
        """Answers as a share (0–1) of the sample; None without a sample size."""
        return self.answers / self.sample_size if self.sample_size else None


class SourceModel(_Model):
    """One producer's table (``sources.yaml``: source_id -> these fields)."""

    producer: Text
    title: Text
    table: Text
    url: Annotated[Union[str, None], AfterValidator(_is_url),
                   Expect("a web address", "an http(s) URL or null")]
    licence: Text
    # The licence in Swedish, as the report shows it (``licence`` when absent).
    licence_sv: Union[Text, None] = None
    retrieved: Annotated[Union[str, None], BeforeValidator(_iso_date),
                         AfterValidator(_is_date),
                         Expect("a date", "an ISO date (YYYY-MM-DD) or null")]
    citation_sv: Label  # shown under every chart and table
    note: Union[Text, None] = None
    survey: Union[SurveyModel, None] = None  # a survey's design (survey.csv rows cite it)


# --- indicators.yaml ------------------------------------------------------------------------


class UnitModel(_Model):
    """A unit (``units:`` unit_id -> these fields). Shares imply 0..100, counts and amounts
    >= 0; a score needs its scale."""

    label_sv: Label
    short_sv: Label
    label_en: Label
    kind: Literal[UNIT_KINDS]
    # The unit word after the number 1 when ``short_sv`` is a plural noun ("1 person",
    # "1 årsverke"; "2 personer"): running text agrees with the number.
    singular_sv: Union[Label, None] = None
    min: Union[Number, None] = None
    max: Union[Number, None] = None
    # Values above this are possible in principle but not in Swedish regional statistics
    # (a count above 1e9, an amount per inhabitant above 1e7 SEK): a unit or keying error.
    max_plausible: Annotated[Union[Annotated[Union[int, float], Field(gt=0)], None],
                             Expect("a positive number",
                                    "a positive number (e.g. 1e9) or nothing")] = None

    @model_validator(mode="after")
    def _check_scale(self) -> UnitModel:
        if self.kind == "score" and (self.min is None or self.max is None):
            raise _problem("a score needs an explicit scale", "min and max, e.g. 1 and 6",
                           field="min" if self.min is None else "max")
        low, high = self.bounds()
        if low is not None and high is not None and low >= high:
            raise _problem(f"min {low} is not below max {high}", f"a number above {low}",
                           field="max", value=high)
        return self

    def bounds(self) -> tuple[float | None, float | None]:
        """(min, max) with the ranges the kind implies."""
        return implied_bounds(self.kind, self.min, self.max)


#: The largest plausible absolute value of a unit of each kind when the unit states no
#: ``max_plausible``: nothing in Swedish regional statistics comes near these, so a larger
#: value is a keying, unit or separator error (``1e308`` is refused for every unit).
DEFAULT_MAX_PLAUSIBLE = {"share": 1.0e3, "count": 1.0e9, "amount": 1.0e12, "score": 1.0e6,
                         "index": 1.0e6, "ratio": 1.0e6}


def plausible_limit(kind: str | None, max_plausible: float | None) -> float:
    """A unit's ``max_plausible``, else the default of its kind."""
    if max_plausible is not None:
        return max_plausible
    return DEFAULT_MAX_PLAUSIBLE.get(kind or "", max(DEFAULT_MAX_PLAUSIBLE.values()))


def implied_bounds(kind: str | None, low: float | None, high: float | None
                   ) -> tuple[float | None, float | None]:
    """A unit's allowed range: explicit min/max, else what its kind implies (shares
    0..100, counts and amounts >= 0)."""
    if kind == "share":
        return (0 if low is None else low), (100 if high is None else high)
    if kind in ("count", "amount") and low is None:
        return 0, high
    return low, high


class DimensionModel(_Model):
    """A METRIC dimension, or a context dimension with ``metric: false``."""

    id: Id
    name_sv: Label
    name_en: Label
    description_sv: Text
    order: Annotated[int, Expect("a whole number", "an integer giving the report order")]
    metric: Annotated[bool, Expect("true/false", "true or false")] = True


_SelectionValue = Union[str, list[str]]


ConfirmedBy = Annotated[str, AfterValidator(_non_empty), Expect(
    "a confirmation", "where the ids were confirmed: 'owner/repo path' of public code that "
    "calls them, or the URL of the documentation")]


ApiSource = Annotated[Union[str, None], Expect(
    "a source id", "the sources.yaml entry of this service's values (default: the "
    "indicator's source)")]


class ScbApi(_Model):
    """SCB PxWeb API v2: table id ("TAB638"), selection (variable -> value(s);
    "{region_code}" is replaced by the län code), ContentsCode, variables to add up."""

    service: Literal["scb"]
    table: Annotated[str, Field(pattern=r"^TAB\d+$"),
                     Expect("a PxWeb v2 table id", "an id like 'TAB638'")]
    selection: Annotated[dict[str, _SelectionValue],
                         Expect("a selection", "a mapping of PxWeb variable -> value(s)")]
    value_code: Annotated[str, AfterValidator(_non_empty),
                          Expect("set", "a PxWeb table path and ContentsCode")]
    sum_over: Annotated[list[str], Expect("a list of variables", "a list of PxWeb variables")
                        ] = []
    source: ApiSource = None
    # The table that continues the series (the years this one does not have).
    continued_by: Union["ApiModel", None] = None
    confirmed_by: ConfirmedBy


class ScbV1Api(_Model):
    """SCB PxWeb API v1 (api.scb.se): table path ("UF/UF0506/UF0506B/UtbBefRegionR"),
    selection by code ("*" = all), ContentsCode, variables to add up, the region level
    (``kommun``: kommuner added up to län, Riket = all kommuner) and, for a share, the
    ``numerator`` codes: value = 100 × numerator / everything selected."""

    service: Literal["scb_v1"]
    table: Annotated[str, Field(pattern=r"^[A-Z]{2}/[A-Z]{2}\d{4}/[A-Z0-9]+/[A-Za-z0-9_]+$"),
                     Expect("a PxWeb v1 table path", "a path like 'BE/BE0101/BE0101A/BefolkningNy'")]
    region_variable: Annotated[str, AfterValidator(_non_empty),
                               Expect("a variable", "the region variable, e.g. 'Region'")
                               ] = "Region"
    time_variable: Annotated[str, AfterValidator(_non_empty),
                             Expect("a variable", "the time variable, e.g. 'Tid'")] = "Tid"
    region_level: Literal["lan", "kommun"] = "lan"
    selection: Annotated[dict[str, _SelectionValue],
                         Expect("a selection", "a mapping of PxWeb variable -> code(s)")] = {}
    value_code: Union[str, None] = None
    sum_over: Annotated[list[str], Expect("a list of variables", "a list of PxWeb variables")
                        ] = []
    numerator: Annotated[dict[str, _SelectionValue], Expect(
        "a selection", "variable -> the code(s) counted in the share's numerator")] = {}
    select_text: Annotated[dict[str, str], Expect(
        "a selection", "variable -> the text of the one value to choose, e.g. "
        "{ContentsCode: Folkmängd}")] = {}
    source: ApiSource = None
    continued_by: Union["ApiModel", None] = None
    confirmed_by: ConfirmedBy


class KoladaApi(_Model):
    """Kolada v3: KPI id, municipality id ("00{region_code}"), optional transform."""

    service: Literal["kolada"]
    kpi: Annotated[str, Field(pattern=r"^[NU]\d{5}$"),
                   Expect("a Kolada KPI id", "an id like 'N85085'")]
    municipality: Annotated[str, AfterValidator(_non_empty),
                            Expect("a Kolada id", 'a municipality id such as "00{region_code}"')]
    transform: Literal["none", "per_capita_from_total"] = "none"
    source: ApiSource = None
    confirmed_by: ConfirmedBy


class EurostatApi(_Model):
    """Eurostat statistics API (JSON-stat 2.0): dataset code, fixed dimension codes; the
    län by their NUTS 3 code (regions.yaml), Riket as "SE". ``year_shift`` -1 stores a
    1 January figure as 31 December of the year before."""

    service: Literal["eurostat"]
    dataset: Annotated[str, Field(pattern=r"^[a-z0-9_]+$"),
                       Expect("a Eurostat dataset code", "a code like 'nama_10r_3gdp'")]
    filters: Annotated[dict[str, str], Expect("filters", "a mapping dimension -> code")] = {}
    year_shift: Literal[0, -1] = 0
    source: ApiSource = None
    confirmed_by: ConfirmedBy


class TillvaxtanalysApi(_Model):
    """Tillväxtanalys' statistics database (PxWeb API v1): table path, the region and time
    variables, values chosen by their text (the database's codes are running numbers),
    variables to add up; months or quarters are summed to complete years."""

    service: Literal["tillvaxtanalys"]
    table: Annotated[str, Field(pattern=r"^[^/].*\.px$"),
                     Expect("a table path", "'<folder>/<table>.px' under the database")]
    region_variable: Annotated[str, AfterValidator(_non_empty),
                               Expect("a variable", "the region variable, e.g. 'Län'")]
    time_variable: Annotated[str, AfterValidator(_non_empty),
                             Expect("a variable", "the time variable, e.g. 'Tid'")] = "Tid"
    select_text: Annotated[dict[str, str], Expect(
        "a selection", "a mapping variable -> the value's text, e.g. {variabel: Antal konkurser}")]
    sum_over: Annotated[list[str], Expect("a list of variables",
                                          "a list of variables to add up")] = []
    source: ApiSource = None
    confirmed_by: ConfirmedBy


ApiModel = Annotated[Union[ScbApi, ScbV1Api, KoladaApi, EurostatApi, TillvaxtanalysApi],
                     Field(discriminator="service")]
ScbApi.model_rebuild()
ScbV1Api.model_rebuild()
API_MODELS: dict[str, type[_Model]] = {
    typing.get_args(model.model_fields["service"].annotation)[0]: model
    for model in typing.get_args(typing.get_args(ApiModel)[0])}


class RecipeModel(_Model):
    """How to get an indicator without an API by hand: the producer's page for that very
    table, the table's name, the filters to choose, the unit downloaded and how it becomes
    the catalogue's unit."""

    page: Annotated[str, AfterValidator(_is_url), Expect(
        "a URL", "the address of the producer's page for this table (https://…)")]
    table_name: Label
    filters: Text
    unit: Text
    conversion: Text
    # Optional: a machine-readable source seen in public code or documentation that comes
    # close, with the ids seen and why it is not declared as `api` (another definition, a
    # missing list of codes, no adapter yet). Never a confirmed path.
    lead: Union[Text, None] = None


class Counted(NamedTuple):
    """What a count counts, after a number: ``{one: ansökan, many: ansökningar}`` gives
    "1 ansökan", "6 ansökningar" (instead of a bare "6"). A tuple (singular, plural)."""

    one: Label
    many: Label


def _mapping(value: Any) -> Any:
    if value is not None and not isinstance(value, dict):
        raise ValueError("not a mapping")
    return value


class IndicatorModel(_Model):
    """One indicator of ``indicators:`` (see DESIGN.md, "Data files"), and the catalogue's
    record of it (``catalogue.Indicator``)."""

    id: Annotated[str, AfterValidator(_valid_id),
                  Expect("a valid id", "lower-case snake_case, e.g. 'fou_andel_brp'")]
    name_sv: Label
    name_en: Label
    description_sv: Text
    description_en: Text
    dimension: Annotated[str, Expect("an id", "a dimension id")]
    unit: Annotated[str, Expect("an id", "a unit id")]
    source: Annotated[str, Expect("an id", "a source id")]
    polarity: Literal[POLARITIES]
    decimals: Annotated[int, Field(ge=0, le=4),
                        Expect("a number of decimals", "a whole number from 0 to 4")]
    kind: Literal[INDICATOR_KINDS]
    normalise: Literal[tuple(NORMALISATIONS)]
    axis: Union[Literal[AXES], None]
    question_sv: Union[Text, None] = None
    # Survey items: the answer categories in display order (register indicators: none).
    categories: Annotated[Union[tuple[Label, ...], None], BeforeValidator(_as_tuple), Expect(
        "a list of answer categories",
        'a non-empty list of answer texts in display order (quote numbers, e.g. "0")')] = ()
    favourable_categories: Annotated[Union[tuple[str, ...], None], BeforeValidator(_as_tuple),
                                     Expect("a list of answer categories",
                                            "a subset of the categories")] = ()
    # who was asked: every responding firm, or only the innovating ones
    base: Literal[SURVEY_BASES] = "all_firms"
    # The API entry as written, checked against ApiModel.
    api: Annotated[Union[dict[str, Any], None], _written(ApiModel)] = None
    # Register indicators without an API: how to download them by hand (see RecipeModel),
    # as written.
    recipe: Annotated[Union[dict[str, Any], None], _written(RecipeModel)] = None
    # Counts only: the noun a number of this indicator counts (see Counted).
    counted_sv: Annotated[Union[Counted, None], BeforeValidator(_mapping)] = None
    # The name begins with a proper noun ("Almis lån …"): running text keeps its capital.
    proper_name: bool = False
    # First year comparable with today's definition (a change of method before it).
    method_break: Annotated[Union[Annotated[int, Field(ge=1900, le=2100)], None],
                            Expect("a year", "a year such as 2010, or nothing")] = None

    @model_validator(mode="after")
    def _check_survey_fields(self) -> IndicatorModel:
        if self.kind == "register":
            for name in SURVEY_ONLY_FIELDS:
                if name in self.model_fields_set:
                    value = getattr(self, name)
                    raise _problem("only survey items have this field",
                                   "no such field on a register indicator", field=name,
                                   value=list(value) if isinstance(value, tuple) else value)
            return self
        if self.recipe is not None:
            raise _problem("survey items are not downloaded by hand",
                           "no recipe on a survey item", field="recipe")
        if self.question_sv is None:
            raise _problem("None is not a text", TEXT.expected, field="question_sv")
        categories = self.categories
        if not categories:
            written = (list(categories) if categories is not None
                       and "categories" in self.model_fields_set else None)
            expect = _expect(IndicatorModel.model_fields["categories"])
            raise _problem(f"{written!r} is not {expect.noun}", expect.expected,
                           field="categories", value=written)
        duplicates = sorted({c for c in categories if categories.count(c) > 1})
        if duplicates:
            raise _problem("an answer category is listed twice", "distinct categories",
                           field="categories", value=duplicates[0])
        stray = [c for c in self.favourable_categories or () if c not in categories]
        if stray:
            raise _problem(f"{stray[0]!r} is not one of the categories",
                           "a subset of: " + ", ".join(categories),
                           field="favourable_categories", value=stray[0])
        return self

    def __hash__(self) -> int:  # the api and recipe mappings are not hashable
        return hash((type(self), self.id))

    @property
    def is_survey(self) -> bool:
        return self.kind == "survey"

    @property
    def direction(self) -> int:
        """+1 if higher is better, -1 if higher is worse, 0 if neutral."""
        return int(POLARITY_SIGN.get(self.polarity, 0))


# --- regions.yaml ---------------------------------------------------------------------------


class RegionModel(_Model):
    """Riket (code "00", no NUTS codes) or a län."""

    code: Annotated[str, Field(pattern=REGION_CODE_RE.pattern), Expect(
        "a two-digit code", 'a quoted two-digit string such as "01" or "24"')]
    name: Annotated[str, AfterValidator(_non_empty), AfterValidator(_plain),
                    Expect("a name", "a non-empty string")]
    short_name: Annotated[str, AfterValidator(_non_empty), AfterValidator(_plain),
                          Expect("a name", "a non-empty string")]
    nuts2: Annotated[Union[str, None], Field(pattern=r"^SE\d{2}$"),
                     Expect("a NUTS2 code", "'SE' and two digits, e.g. 'SE33', or null")]
    nuts3: Annotated[Union[str, None], Field(pattern=r"^SE\d{3}$"),
                     Expect("a NUTS3 code", "'SE' and three digits, e.g. 'SE331', or null")]
    peers: Annotated[list[str], Expect("a list of codes",
                                       'a list of quoted codes, e.g. ["25", "22"]')] = []

    @model_validator(mode="after")
    def _check_nuts(self) -> RegionModel:
        if self.code == RIKET_CODE:
            if self.nuts2 is not None or self.nuts3 is not None:
                raise _problem("Riket has no NUTS2/NUTS3 code", "null",
                               value=self.nuts2 or self.nuts3)
        elif self.nuts2 is None:
            raise _problem("None is not a NUTS2 code", "'SE' and two digits, e.g. 'SE33'",
                           field="nuts2")
        elif self.nuts3 is None or not self.nuts3.startswith(self.nuts2):
            raise _problem(f"{self.nuts3!r} is not a NUTS3 code inside {self.nuts2}",
                           f"'{self.nuts2}' and one digit, e.g. '{self.nuts2}1'",
                           field="nuts3", value=self.nuts3)
        return self


# --- errors -----------------------------------------------------------------------------------


def validate_entry(model: type[_Model], raw: Any) -> tuple[Any, list[Problem]]:
    """Validate one YAML entry: (model instance, []) or (None, the problems)."""
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        problems = [_describe(error, model, raw) for error in exc.errors()]
        # A union reports each of its branches; say each problem once.
        unique = {(problem.field, problem.problem): problem for problem in problems}
        return None, list(unique.values())


def _describe(error: dict, model: type[_Model], raw: Any) -> Problem:
    holder, path = _locate(model, tuple(error["loc"]))
    field = ".".join(path) or None
    value = _value_at(raw, path)
    kind = error["type"]
    if kind == "ecoreport":
        ctx = error["ctx"]
        if ctx["field"]:
            field = ".".join((*path, ctx["field"]))
        if ctx["field"] or ctx["value"] is not None:
            value = ctx["value"]
        return Problem(field, value, ctx["problem"], ctx["expected"])
    if not path and kind not in ("extra_forbidden", "ecoreport"):
        return Problem(None, raw, "not a mapping",
                       "a mapping with fields " + ", ".join(model.model_fields))
    if kind == "missing":
        return Problem(field, None, "missing", "the field to be present")
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        known = list(holder.model_fields)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return Problem(".".join((*path, name)), error["input"], f"unknown field{hint}",
                       "only " + ", ".join(known))
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tag = value.get("service") if isinstance(value, dict) else value
        return Problem(f"{field}.service", tag, f"{shown(tag)} is not a supported API service",
                       "one of: " + ", ".join(API_MODELS))
    info = holder.model_fields[path[-1]]
    if kind == "literal_error":
        return Problem(field, value, f"{shown(value)} is not allowed",
                       "one of: " + ", ".join(_choices(info.annotation)))
    expect = _expect(info)
    return Problem(field, value, f"{shown(value)} is not {expect.noun}", expect.expected)


def _locate(model: type[_Model], loc: tuple) -> tuple[type[_Model], list[str]]:
    """The model holding the field an error is about, and the field's path ("api", "kpi").

    List positions, dict keys and the API union's tag are not part of the path: an error
    in one answer category is reported for the field ``categories`` with its whole value.
    """
    holder, path, parts = model, [], list(loc)
    while parts and isinstance(parts[0], str) and parts[0] in holder.model_fields:
        name = parts.pop(0)
        path.append(name)
        if name == "api" and parts and parts[0] in API_MODELS:
            holder = API_MODELS[parts.pop(0)]
        elif name in _NESTED_MODELS and parts:
            holder = _NESTED_MODELS[name]
        else:
            break
    return holder, path


# Fields holding a model whose own fields are reported by name ("survey.answers").
_NESTED_MODELS: dict[str, type[_Model]] = {"survey": SurveyModel,
                                           "innovating_filter": SurveyFilterModel}


def _value_at(raw: Any, path: list[str]) -> Any:
    for name in path:
        if not isinstance(raw, dict):
            return None
        raw = raw.get(name)
    return raw


def _expect(info: Any) -> Expect:
    """The field's ``Expect``, also when it sits inside a Union (``Union[Text, None]``)."""
    candidates = list(info.metadata)
    stack = [info.annotation]
    while stack:
        annotation = stack.pop()
        if typing.get_origin(annotation) is Annotated:
            candidates.extend(annotation.__metadata__)
        stack.extend(typing.get_args(annotation))
    return next((item for item in candidates if isinstance(item, Expect)),
                Expect("valid", "a value of the declared type"))


def _choices(annotation: Any) -> list[str]:
    """The allowed values of a Literal field, "null" for None."""
    if typing.get_origin(annotation) is Literal:
        return [str(choice) for choice in typing.get_args(annotation)]
    if annotation is type(None):
        return ["null"]
    return [choice for arg in typing.get_args(annotation) for choice in _choices(arg)]
