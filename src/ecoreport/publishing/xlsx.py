"""A small, fast writer of Excel workbooks (.xlsx, Office Open XML SpreadsheetML).

The data workbook (:mod:`ecoreport.publishing.datafile`) has some 150 000 cells; a general
library spends seconds per workbook building an object per cell. This writer turns each
row into XML at once and knows only what the workbook needs: text and numbers, five cell
styles, column widths, a frozen header row and links between sheets. A sheet's XML can be
written once and put into many workbooks (``--all`` writes one workbook per län with the
same data sheets).

Text is always stored as text (inline strings), so a value starting with ``=`` is never a
formula; characters XML cannot hold are dropped. The same sheets give the same bytes (the
archive's timestamps are fixed), and the file is written atomically.
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr


# cell styles (indexes into styles.xml's cellXfs)
PLAIN, BOLD, TITLE, SHADED, LINK = range(5)
SHADE_COLOUR = "FFF2CC"
LINK_COLOUR = "1F5F8B"
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_OFFICE = "application/vnd.openxmlformats-officedocument."
_RELATION = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def clean_text(value: Any) -> str:
    """Text without the characters XML cannot hold."""
    return _ILLEGAL_XML.sub("", str(value))


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True)
class Cell:
    """A value with a style, and for a link, the sheet it leads to."""

    value: Any
    style: int = PLAIN
    link_to: str | None = None


def _cell_xml(ref: str, value: Any, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or isinstance(value, str) and value == "":
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return f'<c r="{ref}"{s}/>' if style else ""
        if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
            value = int(value)  # "5", not "5.0": the same number, read as a whole number
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    text = escape(clean_text(value))
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def plain_value(value: Any) -> Any:
    """numpy numbers as Python numbers (their repr is not a number in newer numpy)."""
    if isinstance(value, (str, bytes, int, float)) and type(value) in (str, bytes, int, float):
        return value
    item = getattr(value, "item", None)
    return item() if callable(item) else value


class Sheet:
    """One worksheet: rows are turned into XML as they are appended."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.widths: dict[int, float] = {}
        self.freeze_header = False
        self._rows: list[str] = []
        self._links: list[tuple[str, str, str]] = []  # (cell, sheet, shown text)
        self._xml: str | None = None

    def append(self, values: Sequence[Any], style: int = PLAIN) -> None:
        """Append a row; a value may be a :class:`Cell` (its own style, a link)."""
        number = len(self._rows) + 1
        cells = []
        for column, value in enumerate(values, start=1):
            ref = f"{column_letter(column)}{number}"
            if isinstance(value, Cell):
                if value.link_to is not None:
                    self._links.append((ref, value.link_to, clean_text(value.value)))
                cells.append(_cell_xml(ref, plain_value(value.value), value.style))
            else:
                cells.append(_cell_xml(ref, plain_value(value), style))
        self._rows.append(f'<row r="{number}">{"".join(cells)}</row>')
        self._xml = None

    def xml(self) -> str:
        if self._xml is not None:
            return self._xml
        parts = [f'{_XML}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                 '<sheetViews><sheetView workbookViewId="0">']
        if self.freeze_header:
            parts.append('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                         'state="frozen"/><selection pane="bottomLeft"/>')
        parts.append('</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
        if self.widths:
            parts.append("<cols>")
            parts += [f'<col min="{c}" max="{c}" width="{w:g}" customWidth="1"/>'
                      for c, w in sorted(self.widths.items())]
            parts.append("</cols>")
        parts.append(f'<sheetData>{"".join(self._rows)}</sheetData>')
        if self._links:
            parts.append("<hyperlinks>")
            parts += [f'<hyperlink ref="{ref}" location={quoteattr(sheet_reference(sheet))} '
                      f'display={quoteattr(text)}/>' for ref, sheet, text in self._links]
            parts.append("</hyperlinks>")
        parts.append("</worksheet>")
        self._xml = "".join(parts)
        return self._xml


def sheet_reference(title: str) -> str:
    """The cell A1 of a sheet, as a link's location ('it''s'!A1)."""
    return "'" + title.replace("'", "''") + "'!A1"


_STYLES = f"""{_XML}<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="4"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>
<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>
<font><b/><sz val="13"/><name val="Calibri"/><family val="2"/></font>
<font><u/><sz val="11"/><color rgb="FF{LINK_COLOUR}"/><name val="Calibri"/><family val="2"/></font>
</fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill>
<fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FF{SHADE_COLOUR}"/><bgColor indexed="64"/></patternFill></fill>
</fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/>
<xf numFmtId="0" fontId="3" fillId="0" borderId="0" xfId="0" applyFont="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""



def _relationships(targets: Sequence[tuple[str, str]]) -> str:
    """A relationships part: (kind, target) pairs, numbered rId1, rId2, …"""
    items = "".join(f'<Relationship Id="rId{i}" Type="{_RELATION}{kind}" Target="{target}"/>'
                    for i, (kind, target) in enumerate(targets, start=1))
    return (f'{_XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships">{items}</Relationships>')


def _content_types(count: int) -> str:
    parts = [("/xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
             ("/xl/styles.xml", "spreadsheetml.styles+xml"),
             *((f"/xl/worksheets/sheet{i}.xml", "spreadsheetml.worksheet+xml")
               for i in range(1, count + 1))]
    overrides = "".join(f'<Override PartName="{name}" ContentType="{_OFFICE}{kind}"/>'
                        for name, kind in parts)
    return (f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>')


def _workbook(titles: Sequence[str]) -> str:
    sheets = "".join(f'<sheet name={quoteattr(title)} sheetId="{i}" r:id="rId{i}"/>'
                     for i, title in enumerate(titles, start=1))
    return (f'{_XML}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
            f'main" xmlns:r="{_RELATION.rstrip("/")}">'
            f'<bookViews><workbookView/></bookViews><sheets>{sheets}</sheets></workbook>')


def write_workbook(path: Path, sheets: Iterable[Sheet]) -> Path:
    """Write the sheets, in order, as one workbook at ``path`` (atomically)."""
    sheets = list(sheets)
    titles = [sheet.title for sheet in sheets]
    if len({title.lower() for title in titles}) != len(titles):
        raise ValueError(f"sheet titles must be unique: {titles}")
    parts = [("[Content_Types].xml", _content_types(len(sheets))),
             ("_rels/.rels", _relationships([("officeDocument", "xl/workbook.xml")])),
             ("xl/workbook.xml", _workbook(titles)),
             # the sheets are rId1… in the workbook's order, the styles come last
             ("xl/_rels/workbook.xml.rels", _relationships(
                 [*(("worksheet", f"worksheets/sheet{i}.xml")
                    for i in range(1, len(sheets) + 1)), ("styles", "styles.xml")])),
             ("xl/styles.xml", _STYLES)]
    parts += [(f"xl/worksheets/sheet{i}.xml", sheet.xml())
              for i, sheet in enumerate(sheets, start=1)]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w") as archive:
            for name, text in parts:
                info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, text.encode("utf-8"), compresslevel=6)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
