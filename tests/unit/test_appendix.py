"""The appendix chapters: method and sources, data coverage, reproducibility."""

from types import SimpleNamespace

import pandas as pd
import pytest

from ecoreport.report import appendix
from ecoreport.markup.escape import escape_myst
from ecoreport.markup.formatting import format_number
from ecoreport.data.dataset import load_dataset
from ecoreport.errors import Issue, IssueCode
from ecoreport.data.regions import resolve_region
from ecoreport.report.outline import notebook_chapters
from ecoreport.data.validate import check_against_catalogue, find_gaps, find_jumps


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


def fake_catalogue():
    """Two dimensions, three register indicators, one survey item, two sources."""
    unit = SimpleNamespace(short_sv="antal", label_sv="antal", kind="count")
    share = SimpleNamespace(short_sv="%", label_sv="procent", kind="share")

    def indicator(id_, dimension, kind="register", unit_id="count", source="src_a",
                  polarity="higher_is_better", normalise="none", axis=None):
        return SimpleNamespace(id=id_, name_sv=id_.title(), dimension=dimension, kind=kind,
                               unit=unit_id, source=source, polarity=polarity,
                               normalise=normalise, axis=axis, decimals=0)

    indicators = {
        "a": indicator("a", "d1", axis="research", normalise="per_capita"),
        "b": indicator("b", "d1", polarity="higher_is_worse", source="src_b"),
        "c": indicator("c", "d2", normalise="per_employed", axis="market"),
        "q": indicator("q", "d2", kind="survey", unit_id="share", source="src_b"),
    }
    sources = {
        sid: SimpleNamespace(id=sid, producer=f"Producent {sid}", title=f"Titel {sid}",
                             table=f"Tabell {sid}", url=f"https://example.org/{sid}",
                             licence="CC0", citation_sv=f"Citat {sid}")
        for sid in ("src_a", "src_b", "oanvand")
    }
    dimensions = [SimpleNamespace(id="d1", name_sv="Dimension ett"),
                  SimpleNamespace(id="d2", name_sv="Dimension två")]
    return SimpleNamespace(indicators=indicators, sources=sources, dimensions=dimensions,
                           units={"count": unit, "share": share})


def tiny_values() -> pd.DataFrame:
    rows = [
        ("24", "a", "2020", 1.0, "observed"), ("24", "a", "2021", 2.0, "synthetic"),
        ("24", "a", "2022", 3.0, "synthetic"), ("24", "a", "2023", 4.0, "synthetic"),
        ("24", "b", "2020", 5.0, "observed"), ("24", "b", "2021", 6.0, "observed"),
        ("24", "c", "2014-2017", 7.0, "synthetic"),
        ("01", "a", "2020", 9.0, "observed"),
    ]
    frame = pd.DataFrame(rows, columns=["region_code", "indicator_id", "period", "value",
                                        "status"])
    spans = [p.split("-") for p in frame["period"]]
    frame["period_start"] = [int(s[0]) for s in spans]
    frame["period_end"] = [int(s[-1]) for s in spans]
    return frame


# -- Metod och källor ------------------------------------------------------------------------

def test_sources_markdown_lists_every_catalogue_source(dataset):
    text = appendix.sources_markdown(dataset.catalogue, dataset.values, dataset.survey)
    for source_id, source in dataset.catalogue.sources.items():
        assert f"(`{source_id}`)" in text
        assert all(escape_myst(part) in text
                   for part in (source.producer, source.title,
                                source.licence_sv or source.licence))
        if source.url:
            assert source.url in text


def test_sources_markdown_names_sources_missing_from_the_file():
    catalogue = fake_catalogue()
    values = tiny_values().assign(source_id="okand_kalla")
    text = appendix.sources_markdown(catalogue, values)
    assert "okand\\_kalla: saknas" in text
    assert "Producent oanvand" in text  # listed even though nothing uses it


def test_indicator_table_has_one_row_per_catalogue_indicator(dataset):
    table = appendix.indicator_table(dataset.catalogue)
    assert list(table["indicator_id"]) == list(dataset.catalogue.indicators)
    markdown = appendix.indicator_tables_markdown(dataset.catalogue)
    body_rows = [line for line in markdown.splitlines()
                 if line.startswith("| ") and not line.startswith("| Indikator")]
    assert len(body_rows) == len(dataset.catalogue.indicators)


def test_indicator_table_labels_in_swedish():
    table = appendix.indicator_table(fake_catalogue()).set_index("indicator_id")
    assert table.loc["a", "Jämförs per"] == "100\u00a0000 inv."
    assert table.loc["c", "Jämförs per"] == "1\u00a0000 inv. 20–64 år"
    assert table.loc["b", "Polaritet"] == "högre sämre"
    assert table.loc["a", "Axel"] == "forskning" and table.loc["b", "Axel"] == "–"
    assert table.loc["q", "Indikator"] == "Q (%)"
    assert table.loc["b", "Källa"] == "Citat src_b"


def test_markdown_table_escapes_pipes_and_newlines():
    text = appendix.markdown_table(pd.DataFrame({"x": ["a|b\nc"], "n": ["1"]}), right=["n"])
    assert text.splitlines() == ["| x | n |", "|:---|---:|", "| a\\|b c | 1 |"]


def test_method_chapter_describes_the_generator_and_the_methods(dataset):
    """The fixed prose is in notebooks/metod.md; every glued fact it names exists, and
    together they state the methods with the numbers the code uses."""
    import re

    from ecoreport.paths import project_root

    report = SimpleNamespace(catalogue=dataset.catalogue, dataset=dataset,
                             region=resolve_region("24"), year=2024)
    facts = appendix.method_facts(report)
    notebook = (project_root() / "notebooks" / "metod.md").read_text(encoding="utf-8")
    used = set(re.findall(r"\{glue:md\}`([\w-]+):myst`", notebook))
    assert used == set(facts), (used ^ set(facts))
    text = " ".join(re.sub(r"\{glue:md\}`([\w-]+):myst`", lambda m: facts[m.group(1)],
                           notebook).split())
    for phrase in ("statsmodels", "95 % konfidensintervall", "0,05", "z-värden", "konkurser",
                   "per 100 000 invånare", "21 län", "återgiven andel av variationen under 0,3", "block (bootstrap)",
                   "autokorrelation", "Newey–West", "metodbrott", "nystartade företag (2010)",
                   "permutationstest", "Tuckers", "indikativ", "bara på observerade värden",
                   "syntetiska", "generatorn", "Västerbottens län", "Norrbotten",
                   "länens ytor", "mindre än 50 procent påstår den ingen förskjutning",
                   "minst 15 av de 21 länen", "demonstration av metoden",
                   "texten blir identisk"):
        assert phrase in text, phrase
    # The observed share is the report's one share, computed from the data, not typed in.
    from ecoreport.analysis.findings import observed_share
    _, n_values, n_observed = observed_share(dataset.values, dataset.catalogue, "24", 2024)
    method = facts["method-observed"].replace("\u00a0", "")
    assert f"{n_observed} (" in method and f"{n_values} värdena" in method


# -- Dataappendix ----------------------------------------------------------------------------

def test_region_coverage_counts_and_shares_on_a_tiny_frame():
    coverage = appendix.region_coverage(tiny_values(), fake_catalogue(), "24", year=2022)
    rows = coverage.set_index("indicator_id")
    assert list(rows.index) == ["a", "b", "c"]  # register only, catalogue order
    assert rows.loc["a", "n_values"] == 3  # 2023 is after the report year
    assert rows.loc["a", "share_observed"] == pytest.approx(1 / 3)
    assert rows.loc["b", "share_observed"] == 1.0
    assert (rows.loc["c", "first_period"], rows.loc["c", "last_period"]) == ("2014-2017",) * 2
    assert rows.loc["c", "share_observed"] == 0.0


def test_coverage_by_dimension_shares_on_a_tiny_frame():
    shares = appendix.region_coverage_by_dimension(tiny_values(), fake_catalogue(), "24")
    d1 = shares.set_index("dimension").loc["d1"]
    assert (d1["n_values"], d1["n_observed"]) == (6, 3)
    assert d1["share_observed"] == pytest.approx(0.5)
    table = appendix.coverage_chart_table(shares, fake_catalogue())
    one = table[table["Dimension"] == "Dimension ett"].set_index("Status")["Andel (%)"]
    assert one.to_dict() == {"Observerade": 50.0, "Syntetiska": 50.0}
    two = table[table["Dimension"] == "Dimension två"].set_index("Status")["Andel (%)"]
    assert two.to_dict() == {"Observerade": 0.0, "Syntetiska": 100.0}


def test_coverage_chart_builds(dataset):
    shares = appendix.region_coverage_by_dimension(dataset.values, dataset.catalogue, "24", 2024)
    table = appendix.coverage_chart_table(shares, dataset.catalogue)
    spec = appendix.coverage_chart(table, "Västerbottens län").to_dict()
    assert spec["mark"]["type"] == "bar"
    assert set(table["Status"]) == {"Observerade", "Syntetiska"}


def test_coverage_markdown_uses_swedish_periods_and_percent():
    catalogue = fake_catalogue()
    coverage = appendix.region_coverage(tiny_values(), catalogue, "24")
    text = appendix.coverage_markdown(coverage, catalogue)
    assert "### Dimension ett" in text and "2014–2017" in text and "100\u00a0%" in text


def test_warnings_are_described_in_swedish():
    catalogue = fake_catalogue()
    values = pd.DataFrame({
        "region_code": ["24"] * 5, "indicator_id": ["a"] * 5,
        "period": ["2013", "2014", "2015", "2017", "2018"],
        "value": [100.0, 102.0, 900.0, 101.0, 103.0]})
    values["period_start"] = values["period_end"] = values["period"].astype(int)
    issues = (find_jumps(values) + find_gaps(values)
              + check_against_catalogue(values, catalogue, kind="register").warnings)
    kinds = [appendix.classify_warning(issue) for issue in issues]
    assert sorted(kinds) == ["gap", "jump", "no_data", "no_data"]
    text = {appendix.classify_warning(i): appendix.describe_warning(i, catalogue) for i in issues}
    assert text["jump"] == "900 år 2015 mot 102 år 2014 och 101 år 2017"
    assert text["gap"] == "inget värde för 2016 inom 2013–2018"
    # written from the structured fields: the English message plays no part
    jump = next(i for i in issues if i.code == IssueCode.ABRUPT_JUMP)
    jump.message = "(English text that changed)"
    assert appendix.describe_warning(jump, catalogue) == text["jump"]
    assert jump.details["before_period"] == "2014" and jump.period == "2015"
    assert "data saknas" in text["no_data"]


def test_relevant_warnings_keep_the_lan_riket_and_the_catalogue():
    values = tiny_values()
    values = pd.concat([values, values.assign(region_code="00")])
    values = values[~((values["region_code"] == "00") & (values["period"] == "2021"))]
    warnings = [
        Issue("…", code=IssueCode.ABRUPT_JUMP, region_code="24", indicator_id="a"),
        Issue("…", code=IssueCode.ABRUPT_JUMP, region_code="01", indicator_id="a"),
        Issue("…", code=IssueCode.NO_DATA, indicator_id="x"),
        Issue("…", code=IssueCode.GAP, indicator_id="a"),
    ]
    kept = appendix.relevant_warnings(warnings, values, "24")
    assert [(i.region_code, appendix.classify_warning(i)) for i in kept] == [
        ("24", "jump"), (None, "no_data"), ("00", "gap")]


def test_warnings_table_on_real_data_names_regions(dataset):
    issues = appendix.relevant_warnings(dataset.report.warnings, dataset.values, "24")
    table = appendix.warnings_table(issues, dataset.catalogue, dataset.regions)
    assert set(table["Region"]) <= {"Västerbotten", "Riket", "alla"}
    assert not table["Beskrivning"].str.contains("abrupt|gap in|no value").any()
    assert "| Typ | Indikator | Region | Beskrivning |" in appendix.warnings_markdown(table)
    assert appendix.warnings_markdown(table.iloc[0:0]) == "Kontrollen gav inga sådana varningar."


def test_survey_markdown_with_and_without_answers(dataset):
    with_answers = appendix.survey_markdown(dataset.survey, dataset.catalogue,
                                            resolve_region("24"))
    n_items = dataset.survey.loc[dataset.survey["region_code"] == "24", "indicator_id"].nunique()
    assert f"svar på {n_items} frågor" in with_answers
    without = appendix.survey_markdown(dataset.survey, dataset.catalogue, resolve_region("01"))
    assert "inga enkätsvar" in without


# -- Reproducerbarhet ------------------------------------------------------------------------

BUILD_INFO = {
    "command": "ecoreport build --region 24 --year 2024 --pdf",
    "ecoreport_version": "0.1.0",
    "git_commit": "0123456789abcdef0123456789abcdef01234567-dirty",
    "python": "3.11.7",
    "packages": {"pandas": "3.1.1", "ecoreport": "0.1.0", "zzz": None},
    "data_sha256": {"values.csv": "a" * 64, "indicators.yaml": "b" * 64},
}


def test_reproducibility_markdown_has_command_commit_and_every_hash():
    facts = {**appendix.build_info_facts(BUILD_INFO),
             **appendix.rebuild_facts(BUILD_INFO, "24", 2024)}
    text = "\n".join(facts.values())
    assert facts["repro-command"] == f"`{BUILD_INFO['command']}`"
    assert facts["repro-rebuild-explicit"] == ""  # the command names län and year already
    assert BUILD_INFO["command"] in text
    assert BUILD_INFO["git_commit"] in text
    assert "git checkout 0123456789abcdef0123456789abcdef01234567\n" in text
    for name, digest in BUILD_INFO["data_sha256"].items():
        assert f"`{name}`: `{digest}`" in text
        assert f"data/{name}" in text
    assert facts["repro-python"] == "3.11.7" and facts["repro-dirty"].startswith("Tillägget `-dirty`")
    assert text.index("| ecoreport |") < text.index("| pandas |") < text.index("| zzz |")
    assert "| zzz | saknas |" in text


def test_reproducibility_markdown_on_the_real_build_info(dataset):
    from ecoreport.provenance import collect_build_info

    info = collect_build_info("ecoreport build", dataset)
    facts = appendix.build_info_facts(info)
    text = facts["repro-data-files"]
    assert facts["repro-dirty"] == "" or "-dirty" in facts["repro-commit"]
    rebuild = appendix.rebuild_facts(info, "24", 2024)
    assert rebuild["repro-rebuild-explicit"].startswith(
        "Med län och år utskrivna är kommandot `ecoreport build --region 24 --year 2024`")
    assert appendix.build_info_facts({})["repro-data-files"] == \
        "Inga kontrollsummor registrerades för detta bygge."
    for digest in dataset.sha256().values():
        assert digest in text


def test_shell_lines_wraps_long_commands():
    text = appendix.shell_lines(["sha256sum", *[f"data/file{i}.csv" for i in range(10)]], 40)
    lines = text.splitlines()
    assert all(len(line) <= 40 for line in lines)
    assert all(line.endswith(" \\") for line in lines[:-1])
    assert text.replace(" \\\n  ", " ").split() == ["sha256sum",
                                                     *[f"data/file{i}.csv" for i in range(10)]]


def test_download_links_for_every_notebook_chapter():
    paths = [c.path for c in notebook_chapters()]
    text = appendix.notebook_links_markdown(paths, executed=True)
    for path in paths:
        relative = path.removeprefix("notebooks/") + ".ipynb"
        name = relative.rsplit("/", 1)[-1]
        assert f"{{download}}`{name} <{relative}>`" in text
    sources = appendix.notebook_links_markdown(paths, executed=False)
    assert "<dimensioner/fou.md>" in sources and ".ipynb" not in sources


def test_notebook_paths_follow_the_books_toc(tmp_path):
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: notebooks/sammanfattning\nparts:\n  - caption: X\n"
        "    chapters:\n      - file: notebooks/dimensioner/fou\n      - file: notebooks/metod\n"
        "      - file: book/metric\n", encoding="utf-8")
    # the start page is a notebook in every book
    assert appendix.notebook_paths(None, tmp_path) == ["notebooks/sammanfattning",
                                                       "notebooks/dimensioner/fou",
                                                       "notebooks/metod"]
    assert appendix.find_book_root(str(tmp_path / "results.pkl")) == tmp_path.resolve()


def test_chapter_titles_come_from_the_sources():
    assert appendix.chapter_title("notebooks/reproducerbarhet") == "Reproducerbarhet"
    assert appendix.chapter_title("notebooks/finns_inte") == "finns_inte"


def test_update_routes_table_names_route_share_and_address():
    from ecoreport.data.catalogue import load_catalogue
    from ecoreport.data.dataset import load_dataset
    from ecoreport.paths import data_dir
    dataset = load_dataset(data_dir())
    text = appendix.update_routes_markdown(dataset.values, load_catalogue(data_dir()), "24",
                                           2024)
    lines = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines()[2:]}
    assert "| 100\u00a0% | hämtas (scb) | <https://www.statistikdatabasen.scb.se/" in \
        lines["Folkmängd"]
    assert "| mall och import |" in lines["Almis lån till småföretag"]
    assert "| hämtas (tillvaxtanalys) |" in lines["Konkurser"]
    assert not any("enkät" in line for line in lines.values())  # register indicators only
    assert appendix._link_cell("javascript:alert(1)|x") == "javascript:alert(1)\\|x"


# -- the appendix notebooks carry their own text -----------------------------------------------

def _glued_by(monkeypatch, *calls) -> dict[str, str]:
    glued: dict[str, str] = {}
    monkeypatch.setattr(appendix, "glue_markdown", lambda key, value: glued.__setitem__(key, value))
    for call in calls:
        call()
    return glued


def _glue_names(notebook: str) -> set[str]:
    import re

    return (set(re.findall(r"\{glue:md\}`([\w-]+):myst`", notebook))
            | set(re.findall(r"```\{glue:md\} ([\w-]+)", notebook)))


def _filled(notebook: str, glued: dict[str, str]) -> str:
    import re

    return " ".join(re.sub(r"\{glue:md\}`([\w-]+):myst`", lambda m: glued[m.group(1)],
                           notebook).split())


def test_data_appendix_text_is_in_its_notebook_and_its_numbers_are_glued(monkeypatch):
    from ecoreport.analysis.results import open_report
    from ecoreport.paths import project_root

    report = open_report("24", 2024)
    glued = _glued_by(monkeypatch, lambda: appendix.glue_data_appendix(report))
    notebook = (project_root() / "notebooks" / "dataappendix.md").read_text(encoding="utf-8")
    assert _glue_names(notebook) == set(glued), _glue_names(notebook) ^ set(glued)
    text = _filled(notebook, glued)
    found = report.results.findings
    assert (f"är {format_number(found.n_observed)} av {format_number(found.n_values)} "
            "(") in text
    assert "Här visas varningarna som gäller Västerbottens län, riket eller katalogen." in text
    assert glued["coverage-tables"].startswith("## Täckning per indikator\n\nFör varje")


def test_reproducibility_text_is_in_its_notebook_and_the_build_is_glued(monkeypatch):
    from ecoreport.analysis.results import open_report
    from ecoreport.paths import project_root

    report = open_report("24", 2024)
    glued = _glued_by(monkeypatch, lambda: appendix.glue_build_info(report),
                      lambda: appendix.glue_notebook_links(report, None))
    notebook = (project_root() / "notebooks" / "reproducerbarhet.md").read_text(
        encoding="utf-8")
    assert _glue_names(notebook) == set(glued), _glue_names(notebook) ^ set(glued)
    text = _filled(notebook, glued)
    assert "Rapporten om Västerbottens län 2024 är byggd helt automatiskt" in text
    assert "principalkomponentanalysen använder fröet 20261123," in text
    assert glued["repro-notebooks"].startswith("Varje kapitel som räknar är en notebook i MyST")
    # the notebook's source names what the build cache treats as book-wide
    from ecoreport.publishing.cache import BOOK_WIDE_MARKERS
    assert all(marker in notebook for marker in BOOK_WIDE_MARKERS)
