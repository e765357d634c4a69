"""The table of contents and the dimension chapters are generated from one definition."""

import re
from pathlib import Path

import pytest

from ecoreport.paths import project_root
from ecoreport.data.dataset import load_dataset
from ecoreport.errors import EcoreportError
from ecoreport.report.outline import Chapter, default_dimension_notebook, dimension_ids, dimension_notebook, notebook_source, render_dimension_notebook, render_toc
from ecoreport.report.commentary import copy_commentary

ROOT = project_root()
# whole notebooks (the indicator and survey templates are sections of the dimension one)
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.md")
                   if p.name not in ("indicator.md", "survey_item.md"))


def test_top_level_toc_is_generated_from_structure():
    assert (ROOT / "_toc.yml").read_text(encoding="utf-8") == render_toc(), (
        "_toc.yml is out of date: run python -c "
        "'from ecoreport.report.outline import write_generated_sources; write_generated_sources()'")


@pytest.mark.parametrize("dimension_id", dimension_ids())
def test_dimension_notebooks_match_template(dimension_id):
    path = ROOT / f"{dimension_notebook(dimension_id)}.md"
    assert path.read_text(encoding="utf-8") == default_dimension_notebook(
        dimension_id, load_dataset()), (
        f"{path.name} is out of date: run python -m ecoreport.report.outline")


def test_every_indicator_with_data_is_a_section_of_its_dimension():
    dataset = load_dataset()
    text = notebook_source(Chapter("notebooks/dimensioner/fou", True, {"dimension": "fou"}),
                           dataset, "24", 2024)
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    fou = dataset.catalogue.indicators_in("fou")
    answered = set(dataset.survey.loc[dataset.survey["region_code"] == "24", "indicator_id"])
    expected = [i.name_sv for i in fou if i.kind == "register"] + [
        i.name_sv for i in fou if i.kind == "survey" and i.id in answered]
    assert headings == expected
    # a län without survey answers gets no survey sections
    other = notebook_source(Chapter("notebooks/dimensioner/fou", True, {"dimension": "fou"}),
                            dataset, "01", 2024)
    assert not any(f"## {i.name_sv}\n" in other for i in fou if i.kind == "survey")
    assert render_dimension_notebook("fou").count("{glue:figure}") == len(fou)


def test_toc_can_be_limited_to_some_chapters():
    toc = render_toc(only={"notebooks/dimensioner/fou"})
    assert "notebooks/dimensioner/fou" in toc
    assert "notebooks/dimensioner/teknologi" not in toc
    assert "root: notebooks/sammanfattning" in toc


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
    from ecoreport.report.outline import render_metric_page

    page = (ROOT / "book" / "metric.md").read_text(encoding="utf-8")
    assert page == render_metric_page(), (
        "book/metric.md is out of date: edit book/templates/metric.md and run "
        "write_generated_sources()")
    for dim in load_catalogue().metric_dimensions():
        assert f"| {dim.name_sv} | {' '.join(dim.description_sv.split())} |" in page
    assert "__DIMENSION_TABLE__" not in page


FOU = Chapter("notebooks/dimensioner/fou", True, {"dimension": "fou"})


def test_commentary_goes_into_its_own_chapter_only(tmp_path):
    dataset = load_dataset()
    folder = tmp_path / "2024" / "24"
    folder.mkdir(parents=True)
    (folder / "fou.md").write_text("Universitetet drar upp FoU-siffrorna.\n", encoding="utf-8")
    fou = notebook_source(FOU, dataset, "24", 2024, commentary_dir=tmp_path)
    assert "## Kommentar\n\nUniversitetet drar upp FoU-siffrorna." in fou
    assert fou.index("## Kommentar") > fou.rindex("{glue:figure}")  # after the indicators
    other_year = notebook_source(FOU, dataset, "24", 2023, commentary_dir=tmp_path)
    other_lan = notebook_source(FOU, dataset, "20", 2024, commentary_dir=tmp_path)
    assert "Universitetet" not in other_year and "Universitetet" not in other_lan
    pca = notebook_source(Chapter("notebooks/pca", True), dataset, "24", 2024,
                          commentary_dir=tmp_path)
    assert "Universitetet" not in pca and "## Kommentar" not in pca


def test_conclusions_are_the_commentary_or_say_how_to_write_it(tmp_path):
    dataset = load_dataset()
    chapter = Chapter("notebooks/slutsatser", True)
    empty = notebook_source(chapter, dataset, "24", 2024, commentary_dir=tmp_path)
    assert "ingen skrivits" in empty and "{glue:md}`how-to:myst`" in empty
    folder = tmp_path / "2024" / "24"
    folder.mkdir(parents=True)
    (folder / "slutsatser.md").write_text("## Rekommendationer\n\nSatsa på X.\n", encoding="utf-8")
    written = notebook_source(chapter, dataset, "24", 2024, commentary_dir=tmp_path)
    assert "## Rekommendationer\n\nSatsa på X." in written
    assert "ingen skrivits" not in written and "how-to" not in written


def test_commentary_is_copied_forward_only_on_purpose(tmp_path):
    old = tmp_path / "2023" / "24"
    old.mkdir(parents=True)
    (old / "fou.md").write_text("2023 års text\n", encoding="utf-8")
    (old / "kultur.md").write_text("Kultur 2023\n", encoding="utf-8")
    new = tmp_path / "2024" / "24"
    new.mkdir(parents=True)
    (new / "kultur.md").write_text("Kultur 2024\n", encoding="utf-8")
    copied, kept = copy_commentary("24", 2023, 2024, tmp_path)
    assert copied == [new / "fou.md"] and kept == [new / "kultur.md"]
    assert (new / "kultur.md").read_text(encoding="utf-8") == "Kultur 2024\n"
    with pytest.raises(EcoreportError, match="no commentary for 24 2022"):
        copy_commentary("24", 2022, 2024, tmp_path)
