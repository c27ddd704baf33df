"""Cells of the CSV and xlsx files, safe to open in a spreadsheet whatever the feed's names say.

- xlsx: every text cell is written as a string (`data_type` "s"), never a formula, whatever it starts with
  (openpyxl makes a formula of any string beginning with "="; report.xlsx, written with XlsxWriter, uses
  `write_string`, with formulas, links and numbers from strings turned off). Characters that XML 1.0 cannot
  hold (C0 controls other than tab, newline and carriage return) become U+FFFD instead of failing the workbook.
- CSV: a text cell beginning with = + - @ tab or carriage return gets a leading apostrophe (OWASP's advice for
  CSV injection), so that Excel, LibreOffice and Google Sheets show it as text instead of evaluating it. Numbers
  are never changed: a number stays a number (a negative number too), and so does text that is only a number
  ("-5", "+1.5e3"), which a spreadsheet reads as that number and cannot run.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# what XML 1.0 cannot hold: C0 controls but tab, newline and carriage return (openpyxl's ILLEGAL_CHARACTERS_RE)
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def csv_cell(value: Any) -> Any:
    """The value as a CSV cell: text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_row(values: list[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def xlsx_text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)


def xlsx_cell(sheet: Any, value: Any, **style: Any) -> Any:
    """A write-only cell (openpyxl's); text is always a string cell, never a formula."""
    from openpyxl.cell import WriteOnlyCell  # the summary and diff workbooks only: not on an audit's path

    cell = WriteOnlyCell(sheet, value=xlsx_text(value) if isinstance(value, str) else value)
    if isinstance(value, str):
        cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def mark_text(cells: Any) -> None:
    """For a normal (not write-only) sheet's row just appended: text cells as strings, never formulas."""
    for cell in cells:
        if isinstance(cell.value, str):
            cell.data_type = "s"
