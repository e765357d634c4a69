"""Offline chart rendering: HTML that draws with the shipped Vega, PNG, CSV download."""

from __future__ import annotations

import base64
import json
import re

import altair as alt
import jsonschema
import numpy as np
import pandas as pd
import pytest

from ecoreport.report import render
from ecoreport.publishing.sphinxext import BUNDLE_NAME, _is_remote, write_vega_bundle
from ecoreport.errors import UsageError

DATA = pd.DataFrame({"year": [2013, 2014], "value": [1234.5, 2345.25]})
CHART = alt.Chart(DATA).mark_line().encode(x="year:Q", y="value:Q")


def test_bundle_has_html_png_and_no_remote_reference(monkeypatch):
    monkeypatch.delenv(render.STATIC_CHARTS_ENV, raising=False)  # the default: PNG
    bundle = render.chart_bundle(CHART, "Test ä", DATA)
    html = bundle["text/html"]
    assert "document.getElementById('chart-test-a-" in html and "vegaEmbed(el, spec, opts)" in html
    assert not re.search(r"<script[^>]+src=|cdn\.jsdelivr|unpkg", html)
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
    options = json.loads(re.search(r"var opts = (\{.*\});", html).group(1))
    assert options["formatLocale"] == {"decimal": ",", "thousands": "\u00a0", "grouping": [3],
                                       "currency": ["", " kr"]}


def test_chart_ids_are_deterministic_so_builds_repeat():
    assert render.chart_bundle(CHART, "x")["text/html"] == render.chart_bundle(CHART, "x")["text/html"]


def test_csv_download_is_swedish_excel_friendly():
    link = render.csv_download_link(DATA, "Företag per år")
    assert 'download="foretag-per-ar.csv"' in link
    payload = base64.b64decode(link.split("base64,")[1].split('"')[0]).decode("utf-8")
    assert payload.startswith("\ufeffyear;value\n2013;1234,5\n")


def test_script_closing_tags_in_data_cannot_break_the_page():
    chart = alt.Chart(pd.DataFrame({"t": ["</script><b>"]})).mark_text().encode(text="t:N")
    html = render.chart_bundle(chart, "x")["text/html"]
    assert "</script><b>" not in html


def test_vega_bundle_is_wrapped_in_an_iife(tmp_path):
    path = write_vega_bundle(tmp_path / "static")
    assert path.name == BUNDLE_NAME
    text = path.read_text(encoding="utf-8")
    assert text.startswith("(function () {\n") and text.rstrip().endswith("})();")
    assert "window.vegaEmbed" in text
    assert list((tmp_path / "static").iterdir()) == [path]  # no stamp among static files


class _Script:
    def __init__(self, filename, body=""):
        self.filename, self.attributes = filename, {"body": body}


def test_remote_scripts_are_recognised():
    assert _is_remote(_Script(None, 'const THEBE_JS_URL = "https://unpkg.com/thebe"'))
    assert _is_remote(_Script("https://cdn.example/x.js"))
    assert not _is_remote(_Script("vega-bundle.js"))
    assert not _is_remote(_Script("_static/x.js", "var a = 1;"))


def test_static_image_only_when_asked(monkeypatch):
    monkeypatch.setenv(render.STATIC_CHARTS_ENV, "none")
    assert set(render.chart_bundle(CHART, "x")) == {"text/html", "text/plain"}
    monkeypatch.setenv(render.STATIC_CHARTS_ENV, "pdf")
    pdf = base64.b64decode(render.chart_bundle(CHART, "x")["application/pdf"])
    assert pdf.startswith(b"%PDF-")
    monkeypatch.setenv(render.STATIC_CHARTS_ENV, "jpeg")
    try:
        render.chart_bundle(CHART, "x")
    except UsageError as exc:
        assert "ECOREPORT_STATIC_CHARTS='jpeg'" in str(exc)
    else:
        raise AssertionError("an unknown format was accepted")


def test_reset_state_restarts_figure_numbers(monkeypatch):
    monkeypatch.setenv(render.STATIC_CHARTS_ENV, "png")
    render.reset_state()
    assert render.next_figure_number() == 1 and render.next_figure_number() == 2
    render.reset_state("none")
    assert render.upcoming_figure_number() == 1
    assert render.static_chart_format() == "none"


def test_top_bar_download_menu_offers_the_reports_pdf_and_data():
    from ecoreport.publishing.sphinxext import report_download_buttons

    dlfiles = {"downloads/r-data.xlsx": ({"index"}, "bbb/r-data.xlsx"),
               "downloads/r.pdf": ({"index"}, "aaa/r.pdf"),
               "notebooks/fou.ipynb": ({"x"}, "ccc/fou.ipynb")}
    buttons = report_download_buttons(dlfiles, lambda target, _: "../" + target)
    assert [b["text"] for b in buttons] == ["Rapporten som PDF", "Alla data (Excel)"]
    assert buttons[0]["url"] == "../_downloads/aaa/r.pdf"
    assert report_download_buttons({}, lambda target, _: target) == []


def test_vega_embed_menu_is_swedish():
    from ecoreport.report.render import EMBED_OPTIONS

    texts = EMBED_OPTIONS["i18n"]
    assert {"CLICK_TO_VIEW_ACTIONS", "PNG_ACTION", "SVG_ACTION", "SOURCE_ACTION",
            "EDITOR_ACTION", "COMPILED_ACTION"} <= set(texts)
    assert not any(word in " ".join(texts.values()) for word in ("View", "Save", "Open"))


def test_copy_button_speaks_swedish():
    from ecoreport.publishing.sphinxext import add_copybutton_swedish, translate_ui

    script = "// x\nconst messages = {\n  'en': {\n    'copy': 'Copy',\n  },\n}\n"
    swedish = add_copybutton_swedish(script)
    assert "'sv': {" in swedish and "Kopiera till urklipp" in swedish
    assert add_copybutton_swedish(swedish) == swedish
    assert "JavaScript" in translate_ui(
        "<p>Please activate JavaScript to enable the search functionality.</p>")
    assert "Please" not in translate_ui(
        "<p>Please activate JavaScript to enable the search functionality.</p>")


def test_unvalidated_specs_are_the_same_as_validated_ones(monkeypatch):
    validated = render.chart_bundle(CHART, "x", DATA)
    monkeypatch.setenv(render.VALIDATE_CHARTS_ENV, "0")
    assert not render.validate_charts()
    assert render.chart_bundle(CHART, "x", DATA) == validated


def test_reset_state_sets_chart_validation_per_notebook(monkeypatch):
    monkeypatch.delenv(render.VALIDATE_CHARTS_ENV, raising=False)
    assert render.validate_charts()  # Altair's default outside a build
    render.reset_state("none", False)
    assert not render.validate_charts()
    render.reset_state("none", True)
    assert render.validate_charts()


def test_cached_vega_bundle_is_made_once_per_version(tmp_path, monkeypatch):
    from ecoreport.publishing import sphinxext

    made = []
    monkeypatch.setattr(sphinxext, "_bundle_text", lambda: made.append(1) or "(bundle)")
    first = sphinxext.cached_vega_bundle(tmp_path / "cache")
    again = sphinxext.cached_vega_bundle(tmp_path / "cache")
    assert first == again and first.read_text(encoding="utf-8") == "(bundle)"
    assert made == [1]
    assert list(first.parent.iterdir()) == [first]  # the folder serves as a static path
    copy = write_vega_bundle(tmp_path / "page" / "_static", cache_dir=tmp_path / "cache")
    assert copy.read_text(encoding="utf-8") == "(bundle)" and made == [1]


def test_source_maps_and_their_comments_are_dropped(tmp_path):
    from ecoreport.publishing.sphinxext import drop_source_maps

    static = tmp_path / "_static"
    (static / "scripts").mkdir(parents=True)
    (static / "scripts" / "theme.js").write_text(
        "var a = 1;\n//# sourceMappingURL=theme.js.map\n", encoding="utf-8")
    (static / "scripts" / "theme.js.map").write_text("{}", encoding="utf-8")
    (static / "theme.css").write_text("a{}\n/*# sourceMappingURL=theme.css.map*/",
                                      encoding="utf-8")
    (static / "theme.css.map").write_text("{}", encoding="utf-8")
    (static / "other.js").write_text("// mentions sourceMappingURL=x.map mid-file\nvar b;\n",
                                     encoding="utf-8")
    assert drop_source_maps(static) == 2
    assert not list(static.rglob("*.map"))
    assert (static / "scripts" / "theme.js").read_text(encoding="utf-8") == "var a = 1;\n"
    assert (static / "theme.css").read_text(encoding="utf-8") == "a{}\n"
    assert "mid-file" in (static / "other.js").read_text(encoding="utf-8")


def test_theme_translation_catalogues_are_dropped(tmp_path):
    from ecoreport.publishing.sphinxext import drop_translation_catalogues

    static = tmp_path / "_static"
    for lang in ("pl", "sv"):
        folder = static / "locales" / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "booktheme.po").write_text("msgid", encoding="utf-8")
        (folder / "booktheme.mo").write_bytes(b"\x00")
    (static / "other.js").write_text("var locales;", encoding="utf-8")
    assert drop_translation_catalogues(static) == 4
    assert not (static / "locales").exists()
    assert (static / "other.js").is_file()
    assert drop_translation_catalogues(static) == 0


def test_vega_bundle_process_only_when_the_bundle_is_missing(tmp_path, monkeypatch):
    from ecoreport.publishing import sphinxext

    monkeypatch.setattr(sphinxext, "_bundle_text", lambda: "(bundle)")
    sphinxext.cached_vega_bundle(tmp_path)
    assert sphinxext.start_vega_bundle(tmp_path) is None


def test_memoised_altair_class_table_gives_the_same_specs(monkeypatch):
    # render memoises Altair's schema-to-class table (made anew for every string or dict
    # encoding otherwise); charts with such encodings must come out the same without it
    from altair.utils import schemapi

    def chart() -> dict:
        base = alt.Chart(DATA).encode(x="year:Q", y=alt.Y("value:Q", title="Värde"))
        line = base.mark_line().encode(
            strokeDash=alt.condition(alt.datum.value > 2000, alt.value([4, 2]), alt.value([1, 0])))
        text = base.mark_text().encode(text="value:Q", y=alt.value(0))
        return alt.hconcat(alt.layer(line, text), line).to_dict()

    assert render._memoise_altair_class_table()
    assert getattr(schemapi._FromDict.__init__, "_ecoreport_memoised", False)
    memoised = chart()
    monkeypatch.setattr(schemapi._FromDict, "__init__",
                        schemapi._FromDict.__init__._ecoreport_original)
    assert chart() == memoised


def _nested_chart() -> alt.TopLevelMixin:
    """Layers with a selection inside a concatenation, resolved and sized: every path on
    which Altair copies a chart."""
    hover = alt.selection_point(fields=["year"], on="pointerover", nearest=True)
    base = alt.Chart(DATA).encode(x="year:Q", y=alt.Y("value:Q", title="Värde"))
    line = base.mark_line().encode(
        strokeDash=alt.condition(alt.datum.value > 2000, alt.value([4, 2]), alt.value([1, 0])))
    points = base.mark_point().add_params(hover).encode(
        opacity=alt.condition(hover, alt.value(1), alt.value(0)))
    layered = alt.layer(line, points).properties(title="Tid")
    return render.side_by_side(layered, line + base.mark_text().encode(text="value:Q"))


def test_copies_without_constructors_give_the_same_specs(monkeypatch):
    from altair.utils import schemapi

    assert render._copy_altair_objects_without_constructors()
    assert getattr(schemapi.SchemaBase.copy, "_ecoreport_bare", False)
    chart = _nested_chart()
    bare = chart.to_dict()
    # the selection was lifted to the top and names its view
    assert bare["params"][0]["views"] == [bare["hconcat"][0]["layer"][1]["name"]]
    monkeypatch.setattr(schemapi.SchemaBase, "copy",
                        schemapi.SchemaBase.copy._ecoreport_original)
    assert _nested_chart().to_dict() == bare


def test_copies_without_constructors_are_independent():
    chart = _nested_chart()
    before = chart.to_dict()
    deep = chart.copy()
    deep.hconcat[0].layer[0].mark = "bar"
    deep.resolve.scale["color"] = "shared"
    shallow = chart.copy(deep=["resolve"])  # as Altair's resolve_* do
    shallow.resolve["legend"] = alt.LegendResolveMap(color="shared")
    chart.properties(title="Ny")  # a copy, as always in Altair
    assert chart.to_dict() == before
    assert type(deep) is type(chart) and deep.hconcat[0].layer[0].mark == "bar"


def test_property_checks_follow_the_validation_setting(monkeypatch):
    from altair.utils import schemapi

    assert render._check_properties_only_when_validating()
    monkeypatch.setenv(render.VALIDATE_CHARTS_ENV, "1")
    render.follow_validation_setting()
    assert schemapi.DEBUG_MODE
    with pytest.raises(jsonschema.ValidationError):
        CHART.properties(width="wide")
    render.reset_state(validate=False)
    try:
        assert not schemapi.DEBUG_MODE
        assert CHART.properties(width="wide").to_dict(validate=False)["width"] == "wide"
    finally:
        render.reset_state(validate=True)
    assert schemapi.DEBUG_MODE


def _typed(values: dict) -> list:
    """Records with each value's type, so 1 and 1.0 or True and 1 differ."""
    return [[(key, type(value).__name__, repr(value)) for key, value in row.items()]
            for row in values["values"]]


def test_fast_data_transformer_gives_altairs_values_type_for_type(monkeypatch):
    from altair.utils import data as altair_data
    from altair.utils.data import to_values

    frames = [
        pd.DataFrame({"f": [1.5, float("nan"), float("inf"), -0.0], "i": [1, 2, 3, 4],
                      "b": [True, False, True, False],
                      "s": ["a", None, "ö", float("nan")],
                      "o": [np.int64(3), np.float64(2.5), [1, 2], np.array([1.0, 2.0])],
                      "c": pd.Categorical(["x", None, "x", "y"]),
                      "t": pd.array(["p", pd.NA, "q", "r"], dtype="string"),
                      "f32": np.array([0.1, 0.2, np.nan, 1.0], dtype="float32")},
                     index=[10, 11, 12, 13]),
        pd.DataFrame({"year": [2013, 2014], "value": [1234.5, 2345.25]}),
        pd.DataFrame({"x": pd.Series([], dtype=float)}),
        pd.DataFrame(index=range(3)),
        # kinds handled by Altair itself
        pd.DataFrame({"d": pd.to_datetime(["2024-01-01", None]), "n": pd.array([1, None],
                                                                                dtype="Int64")}),
    ]
    expected = [_typed(to_values(frame)) for frame in frames]

    def altairs_own(data):  # counts the frames the fast path left to Altair
        left.append(data)
        return to_values(data)

    left: list = []
    monkeypatch.setattr(altair_data, "to_values", altairs_own)
    assert [_typed(render.fast_data_transformer(frame)) for frame in frames] == expected
    assert len(left) == 1  # only the frame with dates and nullable integers
    with pytest.raises(ValueError, match="Column names must be strings"):
        render.fast_data_transformer(pd.DataFrame({0: [1, 2]}))  # as Altair says
    assert alt.data_transformers.active == "ecoreport"
    assert render.fast_data_transformer({"values": [{"a": 1}]}) == {"values": [{"a": 1}]}
    too_many = pd.DataFrame({"x": range(5001)})
    with pytest.raises(alt.MaxRowsError):
        render.fast_data_transformer(too_many)


def test_every_chart_gets_readable_text_and_marks_hidden_from_screen_readers():
    import altair as alt
    import pandas as pd

    from ecoreport.report.charts.base import MIN_FONT_PX
    from ecoreport.report.render import chart_bundle, chart_spec

    chart = alt.Chart(pd.DataFrame({"x": [1, 2], "y": [3, 4]})).mark_line().encode(x="x", y="y")
    spec = chart_spec(chart.configure_axis(labelFontSize=14))
    assert spec["config"]["aria"] is False
    assert spec["config"]["axis"]["labelFontSize"] == 14  # the chart's own setting wins
    assert spec["config"]["axis"]["titleFontSize"] >= MIN_FONT_PX
    assert spec["config"]["legend"]["labelFontSize"] >= MIN_FONT_PX
    html = chart_bundle(chart, "Test", description="Ett test")["text/html"]
    # before drawing the container is the image; once drawn, the drawing is, and the
    # action menu (outside it) gets a name
    assert 'role="img" aria-label="Ett test"' in html
    assert "el.removeAttribute('role')" in html and "summary.setAttribute('aria-label'" in html
    assert "spec.vconcat = spec.hconcat" in html  # paired panels stack on a narrow screen


def test_theme_markup_repaired_and_english_pages_keep_a_swedish_interface():
    from ecoreport.publishing.sphinxext import translate_ui

    page = ('<html lang="en" data-content_root="../">\n<header id="pst-header" class="x">'
            '<button class="btn search-button-field search-button__button pst-js-only" '
            'title="Search" aria-label="Search"><span>Sök</span></button>'
            '<div id="pst-primary-sidebar" class="bd-sidebar-primary bd-sidebar"></div>'
            '<i class="theme-switch" data-mode="light" title="Light"></i>')
    out = translate_ui(page.replace('title="Search" aria-label="Search"',
                                    'title="Sök" aria-label="Sök"'))
    assert 'aria-label="Sök"' not in out  # named by its visible text
    assert 'data-mode="light" aria-hidden="true"' in out
    assert 'role="navigation" aria-label="Rapporten"' in out
    assert '<header id="pst-header" lang="sv"' in out
    swedish = translate_ui(page.replace('lang="en"', 'lang="sv"'))
    assert '<header id="pst-header" class' in swedish
