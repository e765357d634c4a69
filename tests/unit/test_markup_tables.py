from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from ecoreport.markup.escape import escape_myst
from ecoreport.markup.tables import markdown_table


def test_a_table_renders_with_its_alignment_and_escaped_cells():
    table = markdown_table(["Län", "Värde"], [[escape_myst("A|B"), "1,5"], ["C", "2"]], "lr")
    assert table.splitlines()[:2] == ["| Län | Värde |", "|:---|---:|"]
    html = MarkdownIt("commonmark").enable("table").render(table)
    assert html.count("<tr>") == 3 and 'style="text-align:right"' in html
    assert "A|B" in html and html.count("<td") == 4


def test_a_cell_that_would_break_the_table_is_refused():
    with pytest.raises(ValueError, match="line break"):
        markdown_table(["a"], [["x\ny"]])
    with pytest.raises(ValueError, match="1 cells in a table of 2"):
        markdown_table(["a", "b"], [["x"]])
    with pytest.raises(ValueError, match="3 alignments for 2"):
        markdown_table(["a", "b"], [], "lrr")
