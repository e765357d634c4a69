"""A small, fast writer of Excel workbooks (.xlsx, Office Open XML SpreadsheetML).

The one writer of the project's workbooks: the data workbook
(:mod:`ecoreport.publishing.datafile`) and the templates (:mod:`ecoreport.ingest.template`;
both read back by :func:`ecoreport.data.tables.read_table`). The data workbook has some
150 000 cells; a general library spends seconds per workbook building an object per cell
(XlsxWriter in its constant-memory mode took about twice as long on it, see DESIGN.md).
This writer turns each row into XML at once and knows only what the workbooks need: text
and numbers, five cell styles, column widths, a frozen header row (and first column),
links between sheets, notes on cells and a printed page header. A sheet's XML can be
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
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


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
        self.freeze_first_column = False
        #: The printed page's header: "L", "C" or "R" (left, centre, right) -> text.
        self.print_header: dict[str, str] = {}
        self.notes: dict[str, tuple[str, str]] = {}  # cell -> (text, author)
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

    def add_note(self, ref: str, text: str, author: str) -> None:
        """A note (comment) on cell ``ref`` ("A1")."""
        self.notes[ref] = (clean_text(text), clean_text(author))
        self._xml = None

    def _pane(self) -> str:
        if self.freeze_header and self.freeze_first_column:
            return ('<pane xSplit="1" ySplit="1" topLeftCell="B2" activePane="bottomRight" '
                    'state="frozen"/><selection pane="bottomRight"/>')
        if self.freeze_header:
            return ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                    'state="frozen"/><selection pane="bottomLeft"/>')
        if self.freeze_first_column:
            return ('<pane xSplit="1" topLeftCell="B1" activePane="topRight" '
                    'state="frozen"/><selection pane="topRight"/>')
        return ""

    def _header_footer(self) -> str:
        """The printed header (``&`` in the text doubled: it starts Excel's codes)."""
        codes = "".join(f"&{place}{self.print_header[place].replace('&', '&&')}"
                        for place in "LCR" if self.print_header.get(place))
        return (f"<headerFooter><oddHeader>{escape(clean_text(codes))}</oddHeader>"
                "</headerFooter>" if codes else "")

    def xml(self) -> str:
        if self._xml is not None:
            return self._xml
        relations = f' xmlns:r="{_RELATION.rstrip("/")}"' if self.notes else ""
        parts = [f'{_XML}<worksheet xmlns="{_MAIN}"{relations}>'
                 '<sheetViews><sheetView workbookViewId="0">', self._pane()]
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
        parts.append(self._header_footer())
        if self.notes:  # the notes' shapes (rId1 of the sheet's relationships, see _notes)
            parts.append('<legacyDrawing r:id="rId1"/>')
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



def _comments(notes: dict[str, tuple[str, str]]) -> str:
    authors = sorted({author for _, author in notes.values()})
    items = "".join(
        f'<comment ref="{ref}" authorId="{authors.index(author)}"><text>'
        f'<t xml:space="preserve">{escape(text)}</t></text></comment>'
        for ref, (text, author) in notes.items())
    names = "".join(f"<author>{escape(author)}</author>" for author in authors)
    return (f'{_XML}<comments xmlns="{_MAIN}"><authors>{names}</authors>'
            f"<commentList>{items}</commentList></comments>")


def _cell_position(ref: str) -> tuple[int, int]:
    """"B3" -> (row 2, column 1), counted from 0."""
    letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return int(digits) - 1, column - 1


def _note_shapes(notes: dict[str, tuple[str, str]], sheet_number: int) -> str:
    """The legacy (VML) drawing that shows a sheet's notes when the pointer is on the cell."""
    shapes = []
    for i, ref in enumerate(notes, start=1):
        row, column = _cell_position(ref)
        shapes.append(
            f'<v:shape id="_x0000_s{1024 * sheet_number + i}" type="#_x0000_t202" '
            'style="position:absolute;margin-left:80pt;margin-top:2pt;width:300pt;'
            'height:150pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
            '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            '<div style="text-align:left"></div></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:Anchor>{column + 1}, 15, {row}, 2, {column + 6}, 15, {row + 10}, 4</x:Anchor>"
            f"<x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{column}</x:Column>"
            "</x:ClientData></v:shape>")
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" '
            'xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{sheet_number}"/>'
            '</o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
            'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
            '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
            + "".join(shapes) + "</xml>")


def _notes(sheets: Sequence[Sheet]) -> list[tuple[str, str]]:
    """The parts that hold the sheets' notes: per sheet with notes, its comments, their
    drawing and the sheet's relationships to both (the drawing is rId1, see Sheet.xml)."""
    parts = []
    for i, sheet in enumerate(sheets, start=1):
        if sheet.notes:
            parts += [(f"xl/comments{i}.xml", _comments(sheet.notes)),
                      (f"xl/drawings/vmlDrawing{i}.vml", _note_shapes(sheet.notes, i)),
                      (f"xl/worksheets/_rels/sheet{i}.xml.rels", _relationships(
                          [("vmlDrawing", f"../drawings/vmlDrawing{i}.vml"),
                           ("comments", f"../comments{i}.xml")]))]
    return parts


def _relationships(targets: Sequence[tuple[str, str]]) -> str:
    """A relationships part: (kind, target) pairs, numbered rId1, rId2, …"""
    items = "".join(f'<Relationship Id="rId{i}" Type="{_RELATION}{kind}" Target="{target}"/>'
                    for i, (kind, target) in enumerate(targets, start=1))
    return (f'{_XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships">{items}</Relationships>')


def _content_types(count: int, with_notes: Sequence[int] = ()) -> str:
    parts = [("/xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
             ("/xl/styles.xml", "spreadsheetml.styles+xml"),
             *((f"/xl/worksheets/sheet{i}.xml", "spreadsheetml.worksheet+xml")
               for i in range(1, count + 1)),
             *((f"/xl/comments{i}.xml", "spreadsheetml.comments+xml") for i in with_notes)]
    overrides = "".join(f'<Override PartName="{name}" ContentType="{_OFFICE}{kind}"/>'
                        for name, kind in parts)
    return (f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>'
            + (f'<Default Extension="vml" ContentType="{_OFFICE}vmlDrawing"/>'
               if with_notes else "") + f"{overrides}</Types>")


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
    with_notes = [i for i, sheet in enumerate(sheets, start=1) if sheet.notes]
    parts = [("[Content_Types].xml", _content_types(len(sheets), with_notes)),
             ("_rels/.rels", _relationships([("officeDocument", "xl/workbook.xml")])),
             ("xl/workbook.xml", _workbook(titles)),
             # the sheets are rId1… in the workbook's order, the styles come last
             ("xl/_rels/workbook.xml.rels", _relationships(
                 [*(("worksheet", f"worksheets/sheet{i}.xml")
                    for i in range(1, len(sheets) + 1)), ("styles", "styles.xml")])),
             ("xl/styles.xml", _STYLES)]
    parts += [(f"xl/worksheets/sheet{i}.xml", sheet.xml())
              for i, sheet in enumerate(sheets, start=1)]
    parts += _notes(sheets)
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
