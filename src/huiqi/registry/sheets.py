"""Rows of a CSV or Excel (.xlsx) file, read as a stream: the header, then each row with
its number, never the whole file in memory. Excel is read with openpyxl's read-only mode.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from huiqi.errors import DataError, Problem
from huiqi.messages import message

FORMATS = (".csv", ".xlsx")
Row = tuple[int, list[Any]]  # (row number as a spreadsheet shows it, cells)


def format_of(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        raise DataError([Problem(code="file.format", file=name, message=message(
            "file.format", suffix=suffix or "-", allowed=" ".join(FORMATS)))], name)
    return suffix[1:]


class _Counting(io.RawIOBase):
    """A binary file that counts the bytes read (for a progress bar)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        return n


@contextmanager
def open_rows(path: Path, fmt: str, display: str) -> Iterator[tuple[list[str], Iterator[Row],
                                                                     Callable[[], float]]]:
    """The header, an iterator over the rows, and a function giving the share read so far."""
    size = max(path.stat().st_size, 1)
    if fmt == "csv":
        with path.open("rb") as raw:
            counting = _Counting(raw)
            text = io.TextIOWrapper(io.BufferedReader(counting, 1 << 16), encoding="utf-8-sig",
                                    newline="")
            reader = csv.reader(text)
            try:
                header = next(reader, None)
            except UnicodeDecodeError as exc:
                raise _unreadable(display, f"UTF-8: {exc.reason}") from None
            except csv.Error as exc:
                raise _unreadable(display, str(exc)) from None
            if header is None:
                raise DataError([Problem(code="import.empty", message=message("import.empty"),
                                         file=display)], display)

            def rows() -> Iterator[Row]:
                n = 1
                try:
                    for cells in reader:
                        n += 1
                        if cells:
                            yield n, list(cells)
                except UnicodeDecodeError as exc:
                    raise _unreadable(display, f"UTF-8 ({n}): {exc.reason}") from None
                except csv.Error as exc:
                    raise _unreadable(display, f"{n}: {exc}") from None

            yield [h.strip() for h in header], rows(), lambda: min(counting.count / size, 1.0)
        return
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many different errors for a broken file
        raise _unreadable(display, type(exc).__name__) from None
    try:
        ws = wb.worksheets[0]
        total = max(ws.max_row or 1, 1)
        it = ws.iter_rows(values_only=True)
        first = next(it, None)
        if first is None:
            raise DataError([Problem(code="import.empty", message=message("import.empty"),
                                     file=display)], display)
        header = ["" if h is None else str(h).strip() for h in first]
        done = [1]

        def xrows() -> Iterator[Row]:
            n = 1
            for cells in it:
                n += 1
                done[0] = n
                values = [_cell(c) for c in cells]
                if any(v is not None for v in values):
                    yield n, values

        yield header, xrows(), lambda: min(done[0] / total, 1.0)
    finally:
        wb.close()


def _cell(c: Any) -> Any:
    if isinstance(c, float):
        # Excel keeps numbers as binary floats; take the shortest decimal that reads back
        # the same, which is what Excel shows (never the float's binary expansion)
        return str(int(c)) if math.isfinite(c) and c.is_integer() else repr(c)
    if isinstance(c, str):
        return c.strip() or None
    return c


def _unreadable(display: str, detail: str) -> DataError:
    return DataError([Problem(code="file.unreadable", file=display,
                              message=message("file.unreadable", detail=detail))], display)
