"""Pieces of the build that need no kernel: config, tagging, folders, CLI errors."""

from __future__ import annotations

import nbformat
import pytest
import yaml

from ecoreport import cli
from ecoreport.publishing.build import book_config, report_dir_for
from ecoreport.publishing.folders import replace_dir
from ecoreport.publishing.kernels import tag_for_readers
from ecoreport.errors import EcoreportError
from ecoreport.publishing.pdf import TEX_PACKAGES, check_latex, write_pdf_config
from ecoreport.data.regions import resolve_region


def test_book_config_names_the_lan_and_turns_execution_off():
    config = book_config(resolve_region("12"), 2022, execute=False)
    assert config["title"] == "Innovationsekosystemet i Skåne län 2022"
    assert config["execute"]["execute_notebooks"] == "off"
    subs = config["parse"]["myst_substitutions"]
    assert subs["region_name"] == "Skåne län" and subs["year"] == "2022"
    assert config["latex"]["latex_engine"] == "xelatex"
    assert config["latex"]["use_jupyterbook_latex"] is False


def test_readers_see_outputs_reviewers_can_open_code_and_parameters():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("region = '24'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("region = '01'", metadata={"tags": ["injected-parameters"]}),
        nbformat.v4.new_code_cell("show()"),
        nbformat.v4.new_code_cell("x", metadata={"tags": ["remove-input"]}),
        nbformat.v4.new_markdown_cell("text"),
    ])
    tag_for_readers(nb)
    tags = [c.metadata.get("tags") for c in nb.cells]
    assert tags == [["parameters", "hide-cell"], ["injected-parameters", "hide-cell"],
                    ["hide-input"], ["remove-input"], None]


def test_report_folders_are_per_year_and_lan(tmp_path):
    target = report_dir_for(tmp_path, resolve_region("Västerbottens län"), 2024)
    assert target == tmp_path / "2024" / "24-vasterbotten"


def test_replacing_a_report_swaps_folders_whole(tmp_path):
    old, new = tmp_path / "report", tmp_path / "staging"
    old.mkdir(); (old / "index.html").write_text("old")
    new.mkdir(); (new / "index.html").write_text("new")
    replace_dir(new, old)
    assert (old / "index.html").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_pdf_config_drops_code_cells(tmp_path):
    (tmp_path / "_config.yml").write_text(yaml.safe_dump({"title": "T"}))
    config = yaml.safe_load(write_pdf_config(tmp_path).read_text())
    assert config["sphinx"]["config"]["nb_remove_code_source"] is True


def test_missing_latex_says_what_to_install(monkeypatch):
    monkeypatch.setattr("shutil.which", lambda tool: None)
    with pytest.raises(EcoreportError) as err:
        check_latex()
    assert TEX_PACKAGES in str(err.value) and "xelatex" in str(err.value)


def test_cli_unknown_region_is_an_error_listing_valid_lan(capsys):
    assert cli.main(["build", "--region", "99"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ecoreport: error:")
    assert "'99'" in err and "24" in err and "Västerbottens län" in err and "Skåne län" in err


def test_cli_validate_passes_on_bundled_data(capsys):
    assert cli.main(["validate"]) == 0
    assert "0 error" in capsys.readouterr().out


def test_report_year_defaults_to_latest_and_must_have_data():
    from ecoreport.publishing.build import check_year
    from ecoreport.data.dataset import load_dataset

    dataset = load_dataset()
    assert check_year(None, dataset) == dataset.latest_year() == 2024
    assert check_year(2022, dataset) == 2022
    with pytest.raises(EcoreportError, match="no report can be built for 2031: the data covers 2013–2024"):
        check_year(2031, dataset)


def test_failure_names_the_source_code_cell_not_papermills_count():
    from ecoreport.publishing.kernels import NotebookJob, failure_message

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Metod och källor"),
        nbformat.v4.new_code_cell("region = '24'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("a()"),
        nbformat.v4.new_markdown_cell("Text\n\n## Källor"),
        nbformat.v4.new_code_cell("b()"),
    ])
    job = NotebookJob("metod.md", "metod.ipynb", {}, ".", label="Västerbottens län (24)",
                      name="notebooks/metod.md")
    # executed: heading, parameters, injected, a(), text, b()
    assert failure_message(job, nb, 5, "RuntimeError", "boom") == (
        'Västerbottens län (24), notebooks/metod.md, code cell 3 ("Källor"): RuntimeError: boom')
    assert failure_message(job, nb, 3, "KeyError", "'x'") == (
        "Västerbottens län (24), notebooks/metod.md, code cell 2 (\"Metod och källor\"): "
        "KeyError: 'x'")
