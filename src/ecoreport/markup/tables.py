"""Markdown tables: the one place that writes the pipe syntax."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

_RULES = {"": "---", "l": ":---", "r": "---:", "c": ":---:"}


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]],
                   align: str | Sequence[str] = "") -> str:
    """A pipe table. ``align`` has one letter per column (``l``, ``r``, ``c`` or a space /
    empty for the default), e.g. ``"lrr"``. Cells are put in as given: text from data
    files is escaped by the caller first (``escape_myst`` escapes ``|`` too); a cell with a
    line break would end the table and is refused."""
    width = len(header)
    align = list(align) + [""] * (width - len(align))
    if len(align) != width:
        raise ValueError(f"{len(align)} alignments for {width} columns")
    lines = [_row(header, width), "|" + "|".join(_RULES[a.strip()] for a in align) + "|"]
    lines += [_row(row, width) for row in rows]
    return "\n".join(lines)


def _row(cells: Sequence[object], width: int) -> str:
    cells = [str(cell) for cell in cells]
    if len(cells) != width:
        raise ValueError(f"a row of {len(cells)} cells in a table of {width} columns: {cells!r}")
    if any("\n" in cell or "\r" in cell for cell in cells):
        raise ValueError(f"a table cell with a line break: {cells!r}")
    return "| " + " | ".join(cells) + " |"
