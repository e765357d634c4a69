"""The small .xlsx writer (data/xlsx.py), read back with openpyxl."""

from __future__ import annotations

import numpy as np
import pytest

openpyxl = pytest.importorskip("openpyxl")

from ecoreport.data.xlsx import (  # noqa: E402
    BOLD, LINK, SHADE_COLOUR, SHADED, TITLE, Cell, Sheet, column_letter, write_workbook)


def _sheets() -> list[Sheet]:
    about = Sheet("Om filen")
    about.widths[1] = 110
    about.append(["Rubrik"], style=TITLE)
    about.append([Cell("till tabellen", LINK, link_to="Län's tabell")])
    table = Sheet("Län's tabell")
    table.freeze_header = True
    table.widths.update({1: 12, 3: 30.5})
    table.append(["Namn", "Värde", "Status"], style=BOLD)
    table.append(["=HYPERLINK(\"http://x\")", np.int64(7), Cell("syntetiskt", SHADED)])
    table.append(["a\x07b <&>", float("nan"), None])
    table.append(["", np.float64(2.5), 3.0])
    return [about, table]


def test_column_letters():
    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]


def test_workbook_reads_back_with_values_styles_and_links(tmp_path):
    path = write_workbook(tmp_path / "sub" / "book.xlsx", _sheets())
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Om filen", "Län's tabell"]
    table = wb["Län's tabell"]
    rows = list(table.iter_rows(values_only=True))
    assert rows[0] == ("Namn", "Värde", "Status")
    # text stays text (never a formula); numpy numbers are numbers; NaN is an empty cell
    assert table["A2"].data_type == "s" and table["A2"].value.startswith("=HYPERLINK")
    assert rows[1][1] == 7 and rows[3][1] == 2.5 and rows[3][2] == 3
    assert isinstance(rows[3][2], int)  # a whole float is written as a whole number
    assert rows[2] == ("ab <&>", None, None)  # control characters are dropped
    assert table["A1"].font.b and not table["A2"].font.b
    assert table["C2"].fill.fgColor.rgb.endswith(SHADE_COLOUR)
    assert table.freeze_panes == "A2"
    assert table.column_dimensions["A"].width == 12
    assert table.column_dimensions["C"].width == 30.5
    about = wb["Om filen"]
    assert about["A1"].font.sz == 13 and about["A1"].font.b
    assert about["A2"].hyperlink.location == "'Län''s tabell'!A1"
    assert about["A2"].font.u == "single"


def test_same_sheets_give_the_same_bytes_and_no_temporary_file(tmp_path):
    first = write_workbook(tmp_path / "a.xlsx", _sheets()).read_bytes()
    assert write_workbook(tmp_path / "b.xlsx", _sheets()).read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "b.xlsx"]


def test_a_failed_write_leaves_the_old_file(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"old")
    with pytest.raises(ValueError, match="unique"):
        write_workbook(path, [Sheet("A"), Sheet("a")])
    (tmp_path / "folder.xlsx").mkdir()
    with pytest.raises(OSError):
        write_workbook(tmp_path / "folder.xlsx", [Sheet("A")])
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx", "folder.xlsx"]


def test_notes_print_header_and_frozen_first_row_and_column_read_back(tmp_path):
    # what the templates use (ingest/template.py): the one writer of the project's workbooks
    sheet = Sheet("mall")
    sheet.append(["Län", "2023"], style=BOLD)
    sheet.append(["Norrbottens län", 3])
    sheet.add_note("A1", "Källa: SCB & <UKÄ>\x07", "ecoreport")
    sheet.add_note("B2", "Andra", "någon")
    sheet.print_header = {"C": "Namn – enhet", "R": "Källa: A & B"}
    sheet.freeze_header = sheet.freeze_first_column = True
    plain = Sheet("utan")
    plain.append(["x"])
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "mall.xlsx", [plain, sheet]))
    ws = wb["mall"]
    assert ws.freeze_panes == "B2" and ws["A1"].font.b
    assert (ws["A1"].comment.text, ws["A1"].comment.author) == ("Källa: SCB & <UKÄ>", "ecoreport")
    assert (ws["B2"].comment.text, ws["B2"].comment.author) == ("Andra", "någon")
    assert ws.oddHeader.center.text == "Namn – enhet"
    assert ws.oddHeader.right.text == "Källa: A && B"  # (Excel's code for one "&")
    assert wb["utan"]["A1"].comment is None and wb["utan"].freeze_panes is None
