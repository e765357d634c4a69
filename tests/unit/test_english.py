"""The English summary says what the Swedish start page says, from the same results."""

from __future__ import annotations

import re

import pytest

from ecoreport.analysis.results import open_report
from ecoreport.report import chapters
from ecoreport.report import english


@pytest.fixture(scope="module")
def report():
    return open_report("24", 2024)


def test_english_summary_has_the_start_pages_messages_notice_and_figures(report):
    text = english.english_summary_markdown(report)
    for heading in ("## Key messages", "## Strengths and weaknesses", "## Key figures",
                    "## Innovation index"):
        assert heading in text
    found = report.results.findings
    # the data-status notice: the start page's share and count of values
    assert f"{round(100 * found.share_observed)} % of the {found.n_values} values" in text
    # the same survey key messages as the start page, with their interval and year
    room = max(0, min(chapters.SURVEY_MESSAGES_MAX,
                      chapters.KEY_MESSAGES_MAX - len(chapters.key_messages(report))))
    assert room >= 1
    for indicator, period, leader, result in chapters.survey_key_messages(report, room):
        assert f"**{indicator.name_en}:** {round(leader.share_pct)} % of all firms" in text
        assert f"business survey {period}" in text
    # strengths and weaknesses in words, from the profile behind the start page's chart
    profile = report.results.profile
    for row in profile[profile["profile"].isin(["strength", "weakness"])].itertuples():
        name = report.catalogue.dimension(row.dimension).name_en.lower()
        assert f"{name} (rank {row.rank} of {row.n_regions})" in text
    # key figures with their years, one row per start-page row
    rows = chapters.key_figure_rows(report)
    table = [line for line in text.splitlines() if line.startswith("| ") and "(" in line
             and "Indicator" not in line]
    assert len(table) == len(rows)
    assert all(re.search(r"\((\d{4}|\d{4}–\d{4})\) \|", line) for line in table)
    assert "None." not in text and "Largest" not in text


def test_english_numbers_are_written_the_english_way():
    assert english._number(889243.0) == "889,243"
    assert english._value(1348.8, 1) == "1,349" and english._value(2.094, 2) == "2.09"
    assert english._number(-0.137, 2) == "\u22120.14"
