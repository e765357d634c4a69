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


def test_web_only_chapters_are_left_out_of_the_pdf_toc(tmp_path):
    from ecoreport.report.pdf import PRINT_LEAVE_OUT, write_pdf_toc

    (tmp_path / "_toc.yml").write_text(yaml.safe_dump({
        "format": "jb-book", "root": "notebooks/sammanfattning",
        "parts": [{"caption": "Appendix", "chapters": [
            {"file": "notebooks/metod"}, {"file": "notebooks/reproducerbarhet"}]},
            {"caption": "Bara webb", "chapters": [{"file": "notebooks/reproducerbarhet"}]}]}),
        encoding="utf-8")
    assert "notebooks/reproducerbarhet" in PRINT_LEAVE_OUT
    toc = yaml.safe_load(write_pdf_toc(tmp_path).read_text(encoding="utf-8"))
    assert toc["parts"] == [{"caption": "Appendix", "chapters": [{"file": "notebooks/metod"}]}]


def test_pdf_says_where_the_data_is_instead_of_links(tmp_path):
    (tmp_path / "_config.yml").write_text(yaml.safe_dump({
        "title": "T", "parse": {"myst_substitutions": {"downloads": "{download}`x </a.pdf>`"}}}),
        encoding="utf-8")
    config = yaml.safe_load(write_pdf_config(tmp_path, "2026-02-03", downloads_text="Filen x.xlsx")
                            .read_text(encoding="utf-8"))
    assert config["parse"]["myst_substitutions"]["downloads"] == "Filen x.xlsx"
    preamble = config["sphinx"]["config"]["latex_elements"]["preamble"]
    assert "multicols" in preamble  # the contents in two columns
