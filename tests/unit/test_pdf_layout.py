"""The PDF's configuration: a designed cover, compact layout, contents after the findings."""

from __future__ import annotations

import yaml

from ecoreport.report.pdf import latex_elements, latex_text, write_pdf_config


def test_cover_names_the_lan_year_and_edition():
    elements = latex_elements({"region_name": "Västerbottens län", "year": "2024",
                               "ecoreport_version": "0.1.0"}, "2026-11-24")
    cover = elements["maketitle"]
    assert "i Västerbottens län" in cover and "2024" in cover
    assert "Utgåva 2026-11-24" in cover
    assert elements["tableofcontents"] == ""  # placed after the start page instead
    assert elements["fncychap"] == ""  # no half-page "Kapitel N" openers
    assert "\\titleclass{\\chapter}{straight}" in elements["preamble"]


def test_cover_text_is_escaped_for_latex():
    assert latex_text("A & B_1 {x} 50%") == "A \\& B\\_1 \\{x\\} 50\\%"
    cover = latex_elements({"region_name": "X\\input{/etc/passwd}", "year": "2024"},
                           "2026-01-01")["maketitle"]
    assert "\\input{" not in cover


def test_pdf_config_keeps_the_book_config_and_adds_the_layout(tmp_path):
    (tmp_path / "_config.yml").write_text(yaml.safe_dump({
        "title": "T", "parse": {"myst_substitutions": {"region_name": "Örebro län",
                                                       "year": "2023"}},
        "sphinx": {"config": {"language": "sv"}}}, allow_unicode=True), encoding="utf-8")
    config = yaml.safe_load(write_pdf_config(tmp_path, "2026-02-03").read_text(encoding="utf-8"))
    sphinx = config["sphinx"]["config"]
    assert sphinx["language"] == "sv" and sphinx["nb_remove_code_source"] is True
    assert "Örebro län" in sphinx["latex_elements"]["maketitle"]
    assert "2026-02-03" in sphinx["latex_elements"]["maketitle"]
