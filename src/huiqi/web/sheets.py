"""Tables to download: Excel (.xlsx, openpyxl) and CSV (UTF-8 with a byte-order mark, so
that Excel opens the Chinese right). Money stays exact: Excel cells hold the decimal,
formatted ¥#,##0.00. Every cell goes through :mod:`huiqi.cells`: no text is ever a
formula."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from huiqi.cells import csv_writer, xlsx_append

MONEY_FORMAT = '"¥"#,##0.00'


def xlsx(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]],
         lines: Sequence[str] = (), widths: Sequence[int] = ()) -> bytes:
    """One worksheet: ``lines`` above a table whose header is bold and frozen."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]

    wb = Workbook()
    wrap = Alignment(wrap_text=True, vertical="top")
    ws = wb.active
    assert ws is not None
    ws.title = title[:31]
    for line in lines:
        xlsx_append(ws, [line])
    top = len(lines) + 1
    xlsx_append(ws, header)
    for c in ws[top]:
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor="1D4E89")
    money_columns: set[int] = set()
    for r in rows:
        xlsx_append(ws, [_cell(v) for v in r])
        money_columns.update(i for i, v in enumerate(r, start=1) if isinstance(v, Decimal))
    for col in money_columns:
        for (c,) in ws.iter_rows(min_row=top + 1, min_col=col, max_col=col):
            c.number_format = MONEY_FORMAT
    if len(rows) <= 200:  # wrapping is for reading a short summary; a long export stays fast
        for line in ws.iter_rows(min_row=top + 1):
            for c in line:
                c.alignment = wrap
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=top, column=i).column_letter].width = w
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return "\n".join(str(x) for x in v)
    return v


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    w = csv_writer(buf)
    w.writerow(header)
    for r in rows:
        w.writerow(["; ".join(str(x) for x in v) if isinstance(v, list | tuple) else
                    ("" if v is None else v) for v in r])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


__all__ = ["csv_bytes", "xlsx"]
