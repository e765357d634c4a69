"""Offline display of Altair charts in executed notebooks.

Every chart becomes one output with two representations:

- ``text/html``: a ``<div>`` and a small script calling ``vegaEmbed`` from the Vega bundle
  the book ships in ``_static`` (see :mod:`ecoreport.publishing.sphinxext`), so nothing is fetched from
  a CDN, plus a link that downloads the chart's numbers as CSV;
- a static rendering by vl-convert for the LaTeX/PDF builder, only when a PDF is built:
  ``application/pdf`` (vector, cheaper and smaller than PNG) or ``image/png``; which one
  (or none) is chosen by the ``ECOREPORT_STATIC_CHARTS`` environment variable that the build
  sets for its kernels (``png`` when unset, so ``jupyter-book build .`` gets a PDF too).

Numbers are formatted with the Swedish locale (decimal comma, space as thousands
separator) in both representations.

Altair checks every spec against the Vega-Lite schema when it is written out, which costs
about as much as writing it. ``ECOREPORT_VALIDATE_CHARTS=0`` skips that check (the spec is
the same either way): the build sets it for its kernels, since the chart code is tested with
the check and a test checks the charts of a built book against the schema. The setting also
covers Altair's checks as objects are made and properties set. Three more costs of Altair
are cut, each leaving the specs unchanged (tests compare them): its table of schema classes
is built once, copies are made without running constructors again, and the charts' data is
made JSON-ready column by column (:func:`fast_data_transformer`). Importing this module
changes nothing in Altair: the process that makes charts asks for the speed-ups
(:func:`apply_altair_speedups`, or the :func:`altair_speedups` context), and they are
applied only on the Altair versions they were tested on (:data:`ALTAIR_TESTED`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import re
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from ecoreport.errors import UsageError
from ecoreport.report.charts.base import CHART_CONFIG
from ecoreport.markup.escape import escape_html, escape_script_json
from ecoreport.markup.formatting import VEGA_SV_LOCALE

logger = logging.getLogger(__name__)

PNG_SCALE = 2
#: The Altair versions (from, below) the speed-ups were tested on (requirements.txt pins
#: 6.3.0); on any other version Altair is left alone (see :func:`apply_altair_speedups`).
ALTAIR_TESTED = ((6, 3), (6, 4))
STATIC_CHARTS_ENV = "ECOREPORT_STATIC_CHARTS"
VALIDATE_CHARTS_ENV = "ECOREPORT_VALIDATE_CHARTS"
STATIC_MIME = {"png": "image/png", "pdf": "application/pdf", "none": None}
# Each chart of a side-by-side pair; with their axes they fit the web book's text column
# (about 620 px) unscaled, and on A4 the figure height cap binds either way.
SIDE_WIDTH = 220
SIDE_HEIGHT = 250
EMBED_OPTIONS: dict[str, Any] = {
    "renderer": "svg",
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
    "formatLocale": VEGA_SV_LOCALE,
    # every text of vega-embed's action menu (also the ones switched off above)
    "i18n": {"PNG_ACTION": "Spara som PNG", "SVG_ACTION": "Spara som SVG",
             "CLICK_TO_VIEW_ACTIONS": "Visa åtgärder för diagrammet",
             "SOURCE_ACTION": "Visa källkoden", "COMPILED_ACTION": "Visa kompilerad Vega",
             "EDITOR_ACTION": "Öppna i Vega-redigeraren"},
}


def _memoise_altair_class_table() -> bool:
    """Build Altair's schema-to-class table once per process instead of once per encoding.

    For every encoding given as a string or a dict (``"x:Q"``, ``alt.value(...)``,
    ``alt.condition(...)``) Altair 5–6 builds a table of all its ~600 schema classes,
    hashing each class's JSON schema (``altair.utils.schemapi._FromDict``); that is a fifth
    of the cost of making a chart. The table depends only on the classes, so it is kept
    per set of classes. The specs are the same (a test compares them). Returns whether
    the table is memoised (False, and nothing changed, if Altair's internals differ)."""
    from altair.utils import schemapi

    converter = getattr(schemapi, "_FromDict", None)
    init = getattr(converter, "__init__", None)
    if converter is None or getattr(init, "_ecoreport_memoised", False):
        return converter is not None
    tables: dict[tuple, dict] = {}

    def memoised_init(self, wrapper_classes, /) -> None:
        classes = tuple(wrapper_classes)
        table = tables.get(classes)
        if table is None:
            init(self, classes)
            table = tables[classes] = getattr(self, "class_dict", None)
            if table is None:
                return
        self.class_dict = table

    memoised_init._ecoreport_memoised = True
    memoised_init._ecoreport_original = init
    converter.__init__ = memoised_init
    return True


def _copy_altair_objects_without_constructors() -> bool:
    """Copy Altair's schema objects without running their constructors again.

    Altair copies a chart whenever it is changed (``properties``, ``resolve_scale``) or
    combined (``layer``, ``hconcat``), and a copy is made by calling the class again with
    the stored arguments. For a layered or concatenated chart the constructor copies every
    subchart deeply and merges their parameters once more, so the cost of a copy grows
    with the square of the nesting: a third of the cost of making the report's charts.
    The constructors' work is already done in the object being copied (the arguments it
    stored are its result), so here a copy stores the same arguments, copied as deeply as
    asked, in a new object of the same class. The specs are the same (a test compares
    them, and a build's charts with and without this). Returns whether copies are made
    this way (False, and nothing changed, if Altair's internals differ)."""
    from altair.utils import schemapi

    base = getattr(schemapi, "SchemaBase", None)
    copy = getattr(base, "copy", None)
    is_iterable = getattr(schemapi, "_is_iterable", None)
    if base is None or copy is None or is_iterable is None:
        return False
    if getattr(copy, "_ecoreport_bare", False):
        return True

    def bare(obj, args: tuple, kwds: dict):
        new = object.__new__(type(obj))
        object.__setattr__(new, "_args", args)
        object.__setattr__(new, "_kwds", kwds)
        return new

    def deep_copy(obj, by_ref: set[str]):
        if isinstance(obj, base):
            if getattr(obj, "__deepcopy__", None) is not None:
                return copy(obj)  # Altair's own way for the classes that define one
            return bare(obj, tuple(deep_copy(arg, by_ref) for arg in obj._args),
                        {k: (v if k in by_ref else deep_copy(v, by_ref))
                         for k, v in obj._kwds.items()})
        if isinstance(obj, list):
            return [deep_copy(v, by_ref) for v in obj]
        if isinstance(obj, dict):
            return {k: (v if k in by_ref else deep_copy(v, by_ref)) for k, v in obj.items()}
        return obj

    def bare_copy(self, deep=True, ignore=None):
        if deep is True:
            return deep_copy(self, set(ignore) if ignore else set())
        new = bare(self, self._args, dict(self._kwds))
        if is_iterable(deep):
            for attr in deep:
                value = new._get(attr)
                if isinstance(value, base):
                    value = value.copy(deep=False)
                elif isinstance(value, (list, dict)):
                    value = value.copy()
                new[attr] = value
        return new

    bare_copy._ecoreport_bare = True
    bare_copy._ecoreport_original = copy
    bare_copy.__doc__ = copy.__doc__
    base.copy = bare_copy
    return True


def _check_properties_only_when_validating() -> bool:
    """``chart.properties(...)`` checks each value against the schema at once, which costs
    a tenth of making the report's charts; with the checks turned off (see the module
    doc) it only sets them, as ``to_dict`` then does not check either. Returns whether the
    check follows the setting (False, and nothing changed, if Altair's internals differ)."""
    from altair.utils import schemapi

    base = getattr(schemapi, "SchemaBase", None)
    check = getattr(base, "validate_property", None) if base is not None else None
    if check is None:
        return False
    if getattr(check, "_ecoreport_optional", False):
        return True
    original = check.__func__

    def validate_property(cls, name, value, schema=None):
        if validate_charts():
            original(cls, name, value, schema)

    validate_property._ecoreport_optional = True
    validate_property._ecoreport_original = original
    validate_property.__doc__ = original.__doc__
    base.validate_property = classmethod(validate_property)
    return True


def altair_version() -> tuple[int, int] | None:
    """The installed Altair's (major, minor), or None if its version cannot be read."""
    found = re.match(r"(\d+)\.(\d+)", getattr(alt, "__version__", ""))
    return (int(found.group(1)), int(found.group(2))) if found else None


def altair_speedups_supported(version: tuple[int, int] | None = None) -> bool:
    """Whether the speed-ups were tested on ``version`` (default: the installed Altair)."""
    version = altair_version() if version is None else version
    return version is not None and ALTAIR_TESTED[0] <= version < ALTAIR_TESTED[1]


#: What :func:`apply_altair_speedups` replaced, to put back (:func:`revert_altair_speedups`):
#: None while nothing is applied.
_saved_altair: dict[str, Any] | None = None
_warned_version = False


def _altair_state() -> dict[str, Any]:
    """The attributes and settings of Altair the speed-ups change, as they are now."""
    from altair.utils import schemapi

    return {"from_dict_init": schemapi._FromDict.__dict__["__init__"],
            "copy": schemapi.SchemaBase.__dict__["copy"],
            "validate_property": schemapi.SchemaBase.__dict__["validate_property"],
            "transformer": alt.data_transformers.active,
            "debug_mode": schemapi.DEBUG_MODE}


def apply_altair_speedups() -> bool:
    """Make Altair cheaper for this process (the module doc lists how; the specs are the
    same) and let its checks follow ``ECOREPORT_VALIDATE_CHARTS``. Called where charts are
    made: in the build's kernels (:func:`ecoreport.publishing.notebook_state.reset`) and in
    the tests. Only on the Altair versions of :data:`ALTAIR_TESTED`; on others nothing is
    changed and a warning is logged (the charts come out the same, only slower). Returns
    whether the speed-ups are applied; calling it again does nothing more."""
    global _saved_altair, _warned_version
    if _saved_altair is not None:
        follow_validation_setting()
        return True
    if not altair_speedups_supported():
        if not _warned_version:
            _warned_version = True
            logger.warning("Altair %s: the chart speed-ups are tested on %d.%d to below "
                           "%d.%d; charts are made without them", getattr(alt, "__version__",
                           "?"), *ALTAIR_TESTED[0], *ALTAIR_TESTED[1])
        return False
    try:
        _saved_altair = _altair_state()
        applied = (_memoise_altair_class_table() and _copy_altair_objects_without_constructors()
                   and _check_properties_only_when_validating())
        _use_fast_data_transformer()  # (unless another transformer was chosen)
    except Exception:  # noqa: BLE001 - Altair's internals differ: leave it as it was
        applied = False
    if not applied:  # Altair's internals differ from the tested ones after all
        revert_altair_speedups()
        logger.warning("Altair %s: its internals differ from the tested ones; charts are "
                       "made without the speed-ups", getattr(alt, "__version__", "?"))
        return False
    follow_validation_setting()
    return True


def revert_altair_speedups() -> None:
    """Put back what :func:`apply_altair_speedups` changed (nothing if it changed nothing)."""
    global _saved_altair
    from altair.utils import schemapi

    saved, _saved_altair = _saved_altair, None
    if saved is None:
        return
    type.__setattr__(schemapi._FromDict, "__init__", saved["from_dict_init"])
    type.__setattr__(schemapi.SchemaBase, "copy", saved["copy"])
    type.__setattr__(schemapi.SchemaBase, "validate_property", saved["validate_property"])
    registry = alt.data_transformers
    registry.enable(saved["transformer"])
    if "ecoreport" in registry.names():
        registry.register("ecoreport", None)  # (None unregisters)
    if saved["debug_mode"]:
        schemapi.enable_debug_mode()
    else:
        schemapi.disable_debug_mode()


def altair_speedups_applied() -> bool:
    return _saved_altair is not None


@contextlib.contextmanager
def altair_speedups():
    """The speed-ups within a ``with`` block (reverted after it unless they were applied
    before it); yields whether they are applied."""
    already = altair_speedups_applied()
    try:
        yield apply_altair_speedups()
    finally:
        if not already:
            revert_altair_speedups()



def display_markdown(text: str) -> None:
    """Show Markdown as a cell's output (the notebook's visible result)."""
    from IPython.display import Markdown, display

    display(Markdown(text))


def slugify(text: str) -> str:
    """An ASCII identifier for HTML ids and file names ("Västerbotten" -> "vasterbotten")."""
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "Å": "a", "Ä": "a", "Ö": "o", "é": "e"})
    return re.sub(r"[^a-z0-9]+", "-", text.translate(table).lower()).strip("-") or "chart"


def chart_to_png(chart: alt.TopLevelMixin | dict) -> bytes:
    """Render a chart (or a Vega-Lite spec) to PNG with the Swedish number locale."""
    import vl_convert as vlc

    spec = chart if isinstance(chart, dict) else chart_spec(chart)
    return vlc.vegalite_to_png(spec, scale=PNG_SCALE, format_locale=VEGA_SV_LOCALE)


def chart_to_pdf(chart: alt.TopLevelMixin | dict) -> bytes:
    """Render a chart (or a Vega-Lite spec) to a one-page vector PDF."""
    import vl_convert as vlc

    spec = chart if isinstance(chart, dict) else chart_spec(chart)
    return vlc.vegalite_to_pdf(spec, format_locale=VEGA_SV_LOCALE)


def static_chart_format() -> str:
    """``png``, ``pdf`` or ``none``: the static rendering charts carry (see module doc)."""
    value = os.environ.get(STATIC_CHARTS_ENV, "png").strip().lower() or "png"
    if value not in STATIC_MIME:
        raise UsageError(f"{STATIC_CHARTS_ENV}={value!r}; expected one of "
                         f"{', '.join(STATIC_MIME)}")
    return value


def validate_charts() -> bool:
    """Whether specs are checked against the Vega-Lite schema (see the module doc)."""
    return os.environ.get(VALIDATE_CHARTS_ENV, "1").strip() != "0"


def _column_values(column: pd.Series) -> list | None:
    """One column as Altair's sanitiser leaves it (JSON-ready Python values, missing as
    None), or None for a kind of column it treats in ways not repeated here."""
    dtype = column.dtype
    name = str(dtype)
    if name in ("float64", "float32"):
        array = column.to_numpy()
        values = array.astype(object)
        values[~np.isfinite(array)] = None
        return values.tolist()
    if name in ("int64", "int32", "int16", "int8", "uint8", "uint16", "uint32", "bool"):
        return column.to_numpy().tolist()
    if name in ("object", "str", "string", "category"):
        values = column.astype(object).to_numpy()
        missing = pd.isna(values)
        out = []
        for value, absent in zip(values.tolist(), missing.tolist()):
            if absent:
                out.append(None)
            elif isinstance(value, np.ndarray):
                out.append(value.tolist())
            elif isinstance(value, np.generic):
                out.append(value.item())
            else:
                out.append(value)
        return out
    return None


def fast_data_transformer(data, max_rows: int = 5000):
    """Altair's default data transformer (rows limited, values sanitised), made cheaper for
    plain pandas frames: column by column with numpy instead of a pandas operation per
    step (a fifth of the time the report's charts take). The values are the same, type
    for type (a test compares them); other data goes to Altair's own."""
    from altair.utils.data import limit_rows, to_values

    checked = limit_rows(data, max_rows=max_rows)  # (a narwhals frame for a pandas one)
    if (isinstance(data, pd.DataFrame) and not isinstance(data.columns, pd.MultiIndex)
            and not isinstance(data.index, pd.MultiIndex)
            and all(isinstance(name, str) for name in data.columns)
            and data.columns.is_unique):
        columns = [_column_values(data[name]) for name in data.columns]
        if all(values is not None for values in columns):
            names = list(data.columns)
            return {"values": [dict(zip(names, row)) for row in zip(*columns)]
                    if names else [{} for _ in range(len(data))]}
    return to_values(checked)


def _use_fast_data_transformer() -> bool:
    """Register :func:`fast_data_transformer` and make it the active one (unless someone
    chose another); returns whether it is active."""
    registry = alt.data_transformers
    if "ecoreport" not in registry.names():
        registry.register("ecoreport", fast_data_transformer)
    if registry.active == "default":
        registry.enable("ecoreport")
    return registry.active == "ecoreport"


def follow_validation_setting() -> None:
    """Altair also checks every schema object as it is made (its "debug mode", on by
    default): that check follows the setting too."""
    from altair.utils import schemapi

    if validate_charts():
        schemapi.enable_debug_mode()
    else:
        schemapi.disable_debug_mode()


def with_chart_config(spec: dict) -> dict:
    """``spec`` with the report's chart settings (:data:`charts.base.CHART_CONFIG`: text
    sizes, marks hidden from screen readers) under any the chart sets itself."""
    config = spec.get("config") or {}
    merged = {key: ({**value, **config[key]} if isinstance(value, dict)
                    and isinstance(config.get(key), dict) else config.get(key, value))
              for key, value in CHART_CONFIG.items()}
    spec["config"] = {**config, **merged}
    return spec


def chart_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec (checked against the schema unless turned off), with the
    report's chart settings (:func:`with_chart_config`)."""
    return with_chart_config(chart.to_dict(validate=validate_charts()))


def csv_download_link(table: pd.DataFrame, name: str, label: str = "") -> str:
    """An HTML link that downloads ``table`` as a UTF-8 CSV (Excel-friendly, with BOM)."""
    payload = ("\ufeff" + table.to_csv(index=False, sep=";", decimal=",")).encode("utf-8")
    href = "data:text/csv;charset=utf-8;base64," + base64.b64encode(payload).decode("ascii")
    filename = f"{slugify(name)}.csv"
    return (f'<a class="ecoreport-download" download="{escape_html(filename)}" href="{href}">'
            f"Ladda ner diagrammets data{label} (CSV)</a>")


#: Narrower than this (CSS px), a chart's side-by-side panels are drawn one above the other.
STACK_BELOW_PX = 600

#: After vegaEmbed has drawn a chart (``el``: its container; ``label``: its text
#: alternative): the drawing (vega-embed's wrapper, else the SVG) becomes the image, named
#: by the label, and the SVG's marks are hidden from screen readers (one image, no unnamed
#: mark groups; the numbers are in the table and CSV beside it); the container loses its
#: image role, so the action menu beside the drawing is not inside an image; the menu's
#: button gets a name and its icon is hidden.
_AFTER_DRAW = (
    "  function accessible(el, label) {\n"
    "    var svg = el.querySelector('svg');\n"
    "    var image = el.querySelector('.chart-wrapper') || svg;\n"
    "    if (image) { image.setAttribute('role', 'img'); image.setAttribute('aria-label', label);\n"
    "      image.removeAttribute('aria-roledescription'); }\n"
    "    if (svg) { (svg === image ? svg.querySelectorAll(':scope > g') : [svg])\n"
    "      .forEach(function (g) { g.setAttribute('aria-hidden', 'true'); }); }\n"
    "    el.removeAttribute('role'); el.removeAttribute('aria-label');\n"
    "    var summary = el.querySelector('details > summary');\n"
    "    if (summary) { summary.setAttribute('aria-label', opts.i18n.CLICK_TO_VIEW_ACTIONS);\n"
    "      summary.querySelectorAll('svg').forEach(function (s) {\n"
    "        s.setAttribute('aria-hidden', 'true'); s.removeAttribute('role'); }); }\n"
    "  }\n")


def chart_html(spec: dict, element_id: str) -> str:
    """The HTML fragment that draws ``spec`` with the shipped ``vegaEmbed``; the spec's
    ``description`` is the chart's text alternative. Before the chart is drawn (or without
    JavaScript) the container is an image named by it; once drawn, the SVG is. Side-by-side
    panels (``hconcat``) are stacked (``vconcat``) when the container is narrower than
    :data:`STACK_BELOW_PX`."""
    spec = with_chart_config(dict(spec))
    payload = escape_script_json(spec)
    options = json.dumps(EMBED_OPTIONS, ensure_ascii=False, sort_keys=True)
    label = escape_html(spec.get("description") or "Diagram")
    return (
        f'<div id="{element_id}" class="ecoreport-chart" role="img" aria-label="{label}">'
        '</div>\n'
        '<script type="text/javascript">\n'
        "(function () {\n"
        f"  var spec = {payload};\n"
        f"  var opts = {options};\n"
        + _AFTER_DRAW +
        "  function draw() {\n"
        f"    var el = document.getElementById('{element_id}');\n"
        "    var label = el.getAttribute('aria-label');\n"
        f"    if (spec.hconcat && el.clientWidth < {STACK_BELOW_PX}) {{\n"
        "      spec.vconcat = spec.hconcat; delete spec.hconcat; }\n"
        "    vegaEmbed(el, spec, opts).then(function () { accessible(el, label); })\n"
        "      .catch(function (e) { console.error(e); });\n"
        "  }\n"
        "  if (window.vegaEmbed) { draw(); } else { window.addEventListener('load', draw); }\n"
        "})();\n"
        "</script>"
    )


def chart_bundle(chart: alt.TopLevelMixin, name: str,
                 table: pd.DataFrame | dict[str, pd.DataFrame] | None = None,
                 description: str | None = None) -> dict:
    """The MIME bundle (HTML, and PNG or PDF for print) of a chart; ``table`` adds CSV download links (a dict:
    one link per table, named by its key); ``description`` is the Swedish text alternative
    (without it Vega would announce the chart as "Vega visualization")."""
    spec = chart_spec(chart)
    spec["description"] = description or name
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:8]
    element_id = f"chart-{slugify(name)}-{digest}"
    body = chart_html(spec, element_id)
    tables = table if isinstance(table, dict) else {"": table} if table is not None else {}
    links = [csv_download_link(t, f"{name}-{key}" if key else name,
                               f" ({key.replace('-', ' ')})" if len(tables) > 1 else "")
             for key, t in tables.items()]
    if links:
        body += "\n<p>" + " · ".join(links) + "</p>"
    bundle = {"text/html": body, "text/plain": f"<Diagram: {escape_html(name)}>"}
    static = static_chart_format()
    if static != "none":
        image = chart_to_png(spec) if static == "png" else chart_to_pdf(spec)
        bundle[STATIC_MIME[static]] = base64.b64encode(image).decode("ascii")
    return bundle


class ChartOutput:
    """A chart's MIME bundle as a display object, so myst-nb's ``glue`` can store it."""

    def __init__(self, bundle: dict) -> None:
        self.bundle = bundle

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return self.bundle


#: What the running notebook glued so far, in order: (key, kind, text or chart name); the
#: review cells of the notebooks list it (see :mod:`ecoreport.report.review`).
_glued: list[tuple[str, str, str]] = []


def glued_values() -> list[tuple[str, str, str]]:
    """(key, "text" or "chart", the MyST text or the chart's name) of every value glued in
    this notebook so far."""
    return list(_glued)


def glue_chart(key: str, chart: alt.TopLevelMixin, name: str,
               table: pd.DataFrame | dict[str, pd.DataFrame] | None = None,
               description: str | None = None) -> None:
    """Store a chart for ``{glue:figure} key`` in the notebook's text.

    Glued values are also shown as the cell's output (``display=True``), so the executed
    notebook shows them in Jupyter; the notebooks tag the cells that glue ``remove-output``,
    so the book shows each value only where the text places it."""
    from myst_nb import glue

    glue(key, ChartOutput(chart_bundle(chart, name, table, description)), display=True)
    _glued.append((key, "chart", name))


def glue_markdown(key: str, text: str) -> None:
    """Store MyST text for ``{glue:md} key`` (block) or ``{glue:md}`key:myst``` (inline);
    shown as the cell's output too (see :func:`glue_chart`)."""
    from IPython.display import Markdown
    from myst_nb import glue

    glue(key, Markdown(text), display=True)
    _glued.append((key, "text", text))


def side_by_side(left: alt.TopLevelMixin, right: alt.TopLevelMixin, *,
                 width: int = SIDE_WIDTH, height: int = SIDE_HEIGHT) -> alt.HConcatChart:
    """Two charts that belong together in one figure (one row on paper, half the pages)."""
    return alt.hconcat(left.properties(width=width, height=height),
                       right.properties(width=width, height=height),
                       spacing=24).resolve_scale(color="independent", fill="independent",
                                                 opacity="independent",
                                                 strokeDash="independent").resolve_legend(
        color="independent", fill="independent", opacity="independent",
        strokeDash="independent")


_figure_count = 0


def reset_state(static_charts: str | None = None, validate: bool | None = None) -> None:
    """A new notebook in a warm kernel: figures count from 1 again (see publishing.kernels)."""
    global _figure_count
    _figure_count = 0
    _glued.clear()
    if static_charts is not None:
        os.environ[STATIC_CHARTS_ENV] = static_charts
        static_chart_format()
    if validate is not None:
        os.environ[VALIDATE_CHARTS_ENV] = "1" if validate else "0"
        follow_validation_setting()


def next_figure_number() -> int:
    """Figures are numbered per chapter (see :func:`reset_state`)."""
    global _figure_count
    _figure_count += 1
    return _figure_count


def upcoming_figure_number() -> int:
    """The number the next chart will get, so text above it can refer to it."""
    return _figure_count + 1


def figure_caption(number: int, caption: str) -> str:
    return f"*Figur {number}. {caption}*"


def show_chart(chart: alt.TopLevelMixin, name: str, table: pd.DataFrame | None = None,
               caption: str | None = None) -> int:
    """Display a chart (HTML for the web book, PNG for the PDF) and its numbered caption.

    Returns the figure number so the text can refer to it.
    """
    from IPython.display import Markdown, display

    number = next_figure_number()
    display(chart_bundle(chart, name, table), raw=True)
    if caption:
        display(Markdown(figure_caption(number, caption)))
    return number
