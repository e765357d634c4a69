"""The table of contents and the dimension chapters are generated from one definition."""

import re
from pathlib import Path

import pytest

from ecoreport.paths import project_root
from ecoreport.report.structure import (
    dimension_ids,
    dimension_notebook,
    render_dimension_notebook,
    render_toc,
)

ROOT = project_root()
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.md"))


def test_top_level_toc_is_generated_from_structure():
    assert (ROOT / "_toc.yml").read_text(encoding="utf-8") == render_toc(), (
        "_toc.yml is out of date: run python -c "
        "'from ecoreport.report.structure import write_generated_sources; write_generated_sources()'")


@pytest.mark.parametrize("dimension_id", dimension_ids())
def test_dimension_notebooks_match_template(dimension_id):
    path = ROOT / f"{dimension_notebook(dimension_id)}.md"
    assert path.read_text(encoding="utf-8") == render_dimension_notebook(dimension_id)


def test_toc_can_be_limited_to_some_chapters():
    toc = render_toc(only={"notebooks/dimensioner/fou"})
    assert "notebooks/dimensioner/fou" in toc
    assert "notebooks/dimensioner/teknologi" not in toc
    assert "root: book/index" in toc


def test_there_are_eleven_dimension_chapters():
    assert len(dimension_ids()) == 11


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_define_no_functions_or_classes(path):
    text = path.read_text(encoding="utf-8")
    code = "\n".join(re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", text, flags=re.S))
    assert not re.search(r"^\s*(async\s+def|def|class)\s", code, flags=re.M), (
        f"{path.name} defines a function or class: move it into src/ecoreport")
    assert not re.search(r"\blambda\b", code), f"{path.name} uses lambda: move it into the library"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_have_one_parameters_cell_with_region_and_year(path):
    text = path.read_text(encoding="utf-8")
    cells = re.findall(r"```\{code-cell\}[^\n]*\n:tags: \[parameters\]\n(.*?)```", text, flags=re.S)
    assert len(cells) == 1, f"{path.name} needs exactly one cell tagged parameters"
    assert re.search(r'^region = "24"', cells[0], flags=re.M)
    assert re.search(r"^year = None", cells[0], flags=re.M)


def test_top_level_config_states_the_package_version():
    """The standalone book's default substitution is the one copy of the version outside
    pyproject.toml (a build replaces it); it must not drift."""
    import yaml

    from ecoreport import __version__
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["parse"]["myst_substitutions"]["ecoreport_version"] == __version__


def test_metric_page_lists_the_catalogue_dimensions():
    """Dimension descriptions live only in the catalogue; book/metric.md is generated."""
    from ecoreport.data.catalogue import load_catalogue
    from ecoreport.report.structure import render_metric_page

    page = (ROOT / "book" / "metric.md").read_text(encoding="utf-8")
    assert page == render_metric_page(), (
        "book/metric.md is out of date: edit book/templates/metric.md and run "
        "write_generated_sources()")
    for dim in load_catalogue().metric_dimensions():
        assert f"| {dim.name_sv} | {' '.join(dim.description_sv.split())} |" in page
    assert "__DIMENSION_TABLE__" not in page
