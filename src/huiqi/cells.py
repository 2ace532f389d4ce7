"""Cells of the tables huiqi exports (Excel and CSV), safe to open in a spreadsheet.

A text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is what
Excel, WPS and LibreOffice read as a formula: an enterprise that names itself
``=HYPERLINK("http://…", "点击")`` would otherwise put a live link, or worse, into the
workbook a staff member opens. Every export writes its cells through this module:

- CSV: such a text gets a leading ``'``, which the spreadsheet shows as text and never
  computes (:func:`csv_value`, :func:`csv_writer`);
- Excel (.xlsx): every text is written as a string cell, never a formula
  (:func:`xlsx_append`); the text itself is kept as it is.

Numbers stay numbers: ``int``, ``float`` and ``Decimal`` are never touched, and neither is a
text that is a plain number (``-5``, ``+3.25``, ``1e6``), which no spreadsheet reads as a
formula.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula."""
    return text.startswith(FORMULA_START) and _NUMBER.fullmatch(text) is None


def csv_value(value: Any) -> Any:
    """``value`` as a CSV cell: a formula-like text gets a leading ``'``; anything else as
    it is."""
    if isinstance(value, str) and is_formula(value):
        return "'" + value
    return value


class _Writer:
    """A ``csv.writer`` whose every cell goes through :func:`csv_value`."""

    def __init__(self, fh: IO[str]) -> None:
        self._w = csv.writer(fh)

    def writerow(self, row: Iterable[Any]) -> None:
        self._w.writerow([csv_value(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(fh: IO[str]) -> _Writer:
    """A CSV writer for an export (every cell neutralised)."""
    return _Writer(fh)


def xlsx_append(ws: Any, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl worksheet with every text a string cell (openpyxl makes
    a text that starts with ``=`` a formula)."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


__all__ = ["FORMULA_START", "csv_value", "csv_writer", "is_formula", "xlsx_append"]
