"""Build real (small) books and check what a reader and a reviewer get."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import nbformat
import pytest

from ecoreport.publishing.build import build_report, report_dir_for
from ecoreport.errors import DataValidationError
from ecoreport.data.regions import resolve_region
from tests.conftest import SMALL_BOOK

pytestmark = pytest.mark.integration

CDN = re.compile(r"cdn\.jsdelivr|unpkg\.com|cdnjs\.cloudflare|<script[^>]+src=[\"']?(https?:)?//")


def test_book_names_the_lan_and_year(small_book):
    redirect = small_book.html_index.read_text(encoding="utf-8")
    # index.html forwards to the start page: the findings
    assert "notebooks/sammanfattning.html" in redirect
    index = (small_book.html_index.parent / "notebooks" / "sammanfattning.html").read_text(
        encoding="utf-8")
    assert "Innovationsekosystemet i Västerbottens län 2024" in index
    # findings first: key messages and key figures open the book
    assert "Det viktigaste" in index and "Nyckeltal" in index


def test_charts_of_a_build_are_valid_vega_lite(small_book):
    # the build's kernels skip Altair's check of each spec (render.validate_charts): the
    # charts a build wrote are checked against the Vega-Lite schema here instead
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema.core import VegaLiteSchema

    schema = VegaLiteSchema._rootschema
    specs = []
    for path in small_book.notebooks:
        for cell in nbformat.read(path, 4).cells:
            for output in cell.get("outputs", []):
                for value in output.get("data", {}).values():
                    if isinstance(value, str):
                        specs += [json.loads(m) for m in re.findall(
                            r"var spec = (\{.*\});\n  var opts", value)]
    assert len(specs) >= 5
    for spec in specs:
        error = validate_jsonschema(spec, schema, rootschema=schema, raise_error=False)
        assert error is None, f"{spec.get('description')}: {error}"


def test_fou_page_has_charts_and_csv(small_book):
    page = (small_book.html_index.parent / "notebooks" / "dimensioner" / "fou.html").read_text(
        encoding="utf-8")
    assert page.count('class="ecoreport-chart"') >= 5
    assert "vegaEmbed(" in page
    assert "Ladda ner diagrammets data" in page
    assert "Utgifter för egen FoU som andel av BRP" in page
    # the default edition marks synthetic values in the charts and never states them
    assert "syntetiska värden" in page and "syntetiskt värde)" not in page
    # every indicator is a section listed in the page's contents, with a numbered figure
    toc = page[page.index('id="pst-page-toc-nav"'):]
    assert 'href="#utgifter-for-egen-fou-som-andel-av-brp"' in toc
    assert re.search(r"Figur \d+\.", page)
    # readers get no code and a Swedish interface
    assert "Visa koden" not in page and "Search this book" not in page
    assert 'placeholder="Sök i rapporten' in page


def test_start_page_links_the_data_workbook_which_opens(small_book):
    import html as html_lib
    from urllib.parse import unquote

    import openpyxl

    html_dir = small_book.html_index.parent
    page = (html_dir / "notebooks" / "sammanfattning.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+-data\.xlsx)"', page)
    assert links, "no link to the data workbook on the start page"
    assert not re.search(r'href="[^"]+\.pdf"', page)  # no PDF was built
    target = (html_dir / "notebooks" / unquote(html_lib.unescape(links[0]))).resolve()
    assert target.is_file() and target.is_relative_to(html_dir.resolve())
    wb = openpyxl.load_workbook(target, read_only=True)
    assert {"Om filen", "Värden", "Enkät", "Indikatorer", "Innehåll"} <= set(wb.sheetnames)
    rows = wb["Värden"].iter_rows(values_only=True)
    header = next(rows)
    statuses = {row[header.index("Status")] for row in rows}
    assert statuses <= {"observerat", "syntetiskt"} and "syntetiskt" in statuses
    # the top bar's download menu offers the same file
    assert "download-report-xlsx" in page


def test_vega_ships_with_the_book_and_no_cdn_is_referenced(small_book):
    html_dir = small_book.html_index.parent
    bundle = html_dir / "_static" / "vega-bundle.js"
    assert bundle.stat().st_size > 500_000
    assert bundle.read_text(encoding="utf-8").startswith("(function () {")
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not CDN.search(text), f"{page.name} references a CDN"
        if "ecoreport-chart" in text:
            assert "vega-bundle.js" in text


def test_executed_notebook_keeps_injected_parameters(small_book):
    nb = nbformat.read(small_book.report_dir / "notebooks" / "dimensioner" / "fou.ipynb", 4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert 'region = "24"' in injected[0].source
    assert "year = 2024" in injected[0].source
    assert "hide-cell" in injected[0].metadata["tags"]
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    # an HTML-only build renders no static images (only the PDF needs them)
    # (glued outputs carry their MIME types under papermill's record prefix)
    mime_types = [key for o in outputs for key in o.get("data", {})]
    assert any(key.endswith("text/html") for key in mime_types)
    assert not any(key.endswith("image/png") for key in mime_types)


def test_report_dir_is_per_lan_and_year(small_book, tmp_path):
    assert small_book.report_dir.name == "24-vasterbotten"
    assert small_book.report_dir.parent.name == "2024"
    assert not list(small_book.report_dir.parent.glob(".*staging*"))


def test_bad_data_leaves_the_previous_report_untouched(small_book, data_copy):
    out = small_book.report_dir.parent.parent
    before = small_book.html_index.read_bytes()
    values = data_copy / "values.csv"
    lines = values.read_text(encoding="utf-8").splitlines()
    lines[5] = re.sub(r",[^,]*,(observed|synthetic),", ",14x0,\\1,", lines[5], count=1)
    values.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        build_report(resolve_region("24"), 2024, out, data_dir=data_copy,
                     only={"notebooks/dimensioner/fou"}, workers=1)
    assert "values.csv, row 6, column 'value'" in str(err.value)
    assert small_book.html_index.read_bytes() == before
    assert not list(report_dir_for(out, resolve_region("24"), 2024).parent.glob(".*staging*"))


def test_bad_data_writes_nothing_though_kernels_started_early(data_copy, tmp_path):
    # the command line starts the kernels before it loads the data: a validation error
    # still leaves no output folder, cache or kernel log behind
    values = data_copy / "values.csv"
    lines = values.read_text(encoding="utf-8").splitlines()
    lines[3] = re.sub(r",[^,]*,(observed|synthetic),", ",14x0,\\1,", lines[3], count=1)
    values.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "reports"
    logs = tmp_path / "tmp"
    logs.mkdir()
    proc = subprocess.run([sys.executable, "-m", "ecoreport.cli", "build", "--region", "24",
                           "--data", str(data_copy), "--out", str(out)],
                          capture_output=True, text=True, env={**os.environ, "TMPDIR": str(logs)})
    assert proc.returncode != 0
    assert "values.csv, row 4, column 'value'" in proc.stderr
    assert not out.exists()
    assert not list(logs.iterdir())


def test_cli_rejects_unknown_region_and_lists_valid_ones():
    proc = subprocess.run([sys.executable, "-m", "ecoreport.cli", "build", "--region", "99"],
                          capture_output=True, text=True)
    assert proc.returncode != 0
    assert "99" in proc.stderr
    for name in ("Stockholms län", "Skåne län", "Västerbottens län", "Norrbottens län"):
        assert name in proc.stderr
    assert "24" in proc.stderr


def _outputs(path):
    nb = nbformat.read(path, 4)
    return [json.dumps(cell.get("outputs", []), sort_keys=True) for cell in nb.cells
            if cell.cell_type == "code"]


def test_building_twice_gives_identical_numbers_text_and_charts(small_book, tmp_path):
    again = build_report(resolve_region("24"), 2024, tmp_path, only=set(SMALL_BOOK), workers=2)
    for first in small_book.notebooks:
        second = again.report_dir / first.relative_to(small_book.report_dir)
        assert _outputs(first) == _outputs(second), f"{first.name} differs between builds"


def test_commentary_file_appears_in_its_chapter(tmp_path, monkeypatch):
    commentary = tmp_path / "commentary"
    (commentary / "2024" / "24").mkdir(parents=True)
    (commentary / "2024" / "24" / "fou.md").write_text(
        "Umeå universitet står för merparten av länets FoU, se {numref}`fig-fou_andel_brp`.\n",
        encoding="utf-8")
    (commentary / "2024" / "24" / "slutsatser.md").write_text(
        "## Rekommendationer\n\nStärk kopplingen mellan forskning och företag.\n",
        encoding="utf-8")
    monkeypatch.setenv("ECOREPORT_COMMENTARY_DIR", str(commentary))
    result = build_report(resolve_region("24"), 2024, tmp_path / "out", workers=2, strict=True,
                          only={"notebooks/dimensioner/fou", "notebooks/slutsatser"})
    html = result.html_index.parent / "notebooks"
    fou = (html / "dimensioner" / "fou.html").read_text(encoding="utf-8")
    assert "Umeå universitet står för merparten av länets FoU" in fou
    assert fou.index("Umeå universitet") > fou.index("Utgifter för egen FoU som andel av BRP")
    conclusions = (html / "slutsatser.html").read_text(encoding="utf-8")
    assert "Stärk kopplingen mellan forskning och företag." in conclusions
    assert "ingen skrivits" not in conclusions
    start = (html / "sammanfattning.html").read_text(encoding="utf-8")
    assert "Umeå universitet" not in start


def test_book_builds_run_forked_and_report_failures(tmp_path):
    # books are built in processes forked from a preloaded server (publishing.jupyterbook):
    # the caller's environment applies, and a failure comes back with the output's tail
    from ecoreport.errors import BuildError
    from ecoreport.publishing.jupyterbook import run_jupyter_book

    book = tmp_path / "book"
    book.mkdir()
    (book / "_config.yml").write_text("title: Test\nexecute:\n  execute_notebooks: 'off'\n",
                                      encoding="utf-8")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\n", encoding="utf-8")
    (book / "intro.md").write_text("# Inledning\n\nText.\n", encoding="utf-8")
    run_jupyter_book(book, "html", cache_dir=tmp_path / "cache")
    assert "Inledning" in (book / "_build" / "html" / "intro.html").read_text(encoding="utf-8")
    (book / "intro.md").write_text("# Inledning\n\n{ref}`no-such-label`\n", encoding="utf-8")
    with pytest.raises(BuildError, match="no-such-label"):
        run_jupyter_book(book, "html", strict=True)


def test_ctrl_c_ends_the_build_its_kernels_and_unfinished_folders(tmp_path):
    import signal
    import time

    out = tmp_path / "reports"
    proc = subprocess.Popen([sys.executable, "-m", "ecoreport.cli", "build", "--region", "24",
                             "--out", str(out), "--only", "notebooks/dimensioner/fou"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True,
                            # as a command typed at a terminal: Ctrl-C not ignored (a test
                            # run started as a background job would pass SIGINT ignored on)
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not list(out.glob("2024/.*staging*")) and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    time.sleep(0.5)  # the notebooks are queued or running
    os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C in a terminal: the whole group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert not list(out.glob("2024/.*staging*")) and not (out / "2024" / "24-vasterbotten").exists()
    deadline = time.monotonic() + 30  # the book server ends once its imports are done
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break  # no worker, kernel, server or book process is left
        time.sleep(0.2)
    else:
        raise AssertionError("processes of the interrupted build are still running")
