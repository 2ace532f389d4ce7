"""Rows of a CSV or Excel (.xlsx) file, read as a stream: the header, then each row with
its number, never the whole file in memory. Excel is read with openpyxl's read-only mode.

Before a file is read it is checked against the limits (:class:`Limits`, from the
settings), so that a small file cannot take the server's memory:

- a workbook is a zip of XML parts: the parts together, unpacked, are at most
  ``HUIQI_XLSX_MAX_UNPACKED_MB``. Every part but the worksheets (which openpyxl streams) is
  read whole into memory: the shared strings are at most ``HUIQI_XLSX_MAX_STRINGS_MB``
  (measured: tiny strings take ~6 times their XML in memory), every other part (styles,
  theme, properties, relationships, media) at most ``HUIQI_XLSX_MAX_PART_KB`` (measured:
  each ``<xf/>`` of a style sheet becomes ~600 bytes of objects, so 1 MB of them took
  127 MB and 10 s). No worksheet holds a text run longer than a cell may be, nor a DTD or
  a CDATA section (Excel writes neither). All this is read from the archive's directory
  and one streaming pass over the worksheets, before openpyxl opens the file.
- a CSV file's encoding is found: a byte-order mark (UTF-8, UTF-16), else strict UTF-8,
  else GB18030 (what Excel saves on Chinese Windows as “CSV (逗号分隔)”; a superset of GBK
  and GB2312). A file that is none of these is refused with how to save it as UTF-8. No
  detector is used: each of these either decodes the whole file or fails, which a guess
  from byte statistics cannot promise. A row (line) is at most ``LINE_MAX`` characters.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from huiqi.errors import DataError, Problem
from huiqi.messages import message

if TYPE_CHECKING:
    from huiqi.settings import Settings

FORMATS = (".csv", ".xlsx")
Row = tuple[int, list[Any]]  # (row number as a spreadsheet shows it, cells)
MIB = 1024 * 1024
LINE_MAX = 1 << 20  # characters in one line of a CSV file
_SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_WORKSHEET = _SPREADSHEET + "worksheet+xml"
_STRINGS = _SPREADSHEET + "sharedStrings+xml"


@dataclass(frozen=True)
class Limits:
    """What an import file may unpack to (settings ``xlsx_max_unpacked_mb``,
    ``xlsx_max_strings_mb``, ``xlsx_max_part_kb``, ``import_max_cell_chars``)."""

    unpacked: int = 512 * MIB
    strings: int = 8 * MIB
    part: int = 256 * 1024
    cell_chars: int = 32767

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.xlsx_max_unpacked_mb * MIB, settings.xlsx_max_strings_mb * MIB,
                   settings.xlsx_max_part_kb * 1024, settings.import_max_cell_chars)


@dataclass(frozen=True)
class Sheet:
    """A file found readable within the limits: its format, and a CSV file's encoding."""

    path: Path
    format: str
    display: str
    encoding: str = "utf-8"


def format_of(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        raise DataError([Problem(code="file.format", file=name, message=message(
            "file.format", suffix=suffix or "-", allowed=" ".join(FORMATS)))], name)
    return suffix[1:]


def check(path: Path, display: str, limits: Limits) -> Sheet:
    """The file, checked against the limits before anything reads it; :class:`DataError`
    (with the import report's problem) if it cannot be read within them."""
    fmt = format_of(display)
    if fmt == "xlsx":
        _check_workbook(path, display, limits)
        return Sheet(path, fmt, display)
    return Sheet(path, fmt, display, _encoding(path, display))


# --------------------------------------------------------------------------- CSV


def _encoding(path: Path, display: str) -> str:
    with path.open("rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        where = ""
        for encoding in ("utf-8", "gb18030"):
            fh.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            done = 0
            try:
                while chunk := fh.read(MIB):
                    decoder.decode(chunk)
                    done += len(chunk)
                decoder.decode(b"", final=True)
                return encoding
            except UnicodeDecodeError as exc:
                if not where:  # where UTF-8 failed first is what a person can look for
                    where = f"UTF-8: byte {done + exc.start + 1}"
    raise DataError([Problem(code="import.encoding", file=display,
                             message=message("import.encoding", detail=where),
                             hint=message("import.encoding.hint"))], display)


def _lines(text: IO[str], display: str, first: int = 1) -> Iterator[str]:
    """The lines of ``text``, refusing one longer than :data:`LINE_MAX` (before it is split
    into cells: a line of commas is a row of millions of cells)."""
    n = first
    while line := text.readline(LINE_MAX + 1):
        if len(line) > LINE_MAX and not line.endswith("\n"):
            raise DataError([Problem(code="import.line_too_long", file=display, line=n,
                                     message=message("import.line_too_long", limit=LINE_MAX))],
                            display)
        n += 1
        yield line


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
def open_rows(sheet: Sheet) -> Iterator[tuple[list[str], Iterator[Row], Callable[[], float]]]:
    """The header, an iterator over the rows, and a function giving the share read so far."""
    path, display = sheet.path, sheet.display
    size = max(path.stat().st_size, 1)
    if sheet.format == "csv":
        with path.open("rb") as raw:
            counting = _Counting(raw)
            text = io.TextIOWrapper(io.BufferedReader(counting, 1 << 16),
                                    encoding=sheet.encoding, newline="")
            first = next(_lines(text, display), None)
            if first is None:
                raise DataError([Problem(code="import.empty", message=message("import.empty"),
                                         file=display)], display)
            # Excel's “Unicode text” (UTF-16) separates cells with tabs, not commas
            delimiter = "\t" if "\t" in first and "," not in first else ","
            try:
                header = next(csv.reader([first], delimiter=delimiter))
            except csv.Error as exc:
                raise _unreadable(display, str(exc)) from None
            reader = csv.reader(_lines(text, display, 2), delimiter=delimiter)

            def rows() -> Iterator[Row]:
                n = 1
                try:
                    for cells in reader:
                        n += 1
                        if cells:
                            yield n, list(cells)
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
        first_row = next(it, None)
        if first_row is None:
            raise DataError([Problem(code="import.empty", message=message("import.empty"),
                                     file=display)], display)
        header = ["" if h is None else str(h).strip() for h in first_row]
        done = [1]

        def xrows() -> Iterator[Row]:
            n = 1
            for cells in it:
                n += 1
                done[0] = n
                if cells.count(None) == len(cells):  # an empty row (quickly, however wide)
                    continue
                values = [_cell(c) for c in cells]
                if any(v is not None for v in values):
                    yield n, values

        yield header, xrows(), lambda: min(done[0] / total, 1.0)
    finally:
        wb.close()


# --------------------------------------------------------------------------- Excel


def _check_workbook(path: Path, display: str, limits: Limits) -> None:
    def refuse(code: str, **params: object) -> DataError:
        return DataError([Problem(code=code, file=display, message=message(code, **params),
                                  hint=message(code + ".hint"))], display)

    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            # a part unpacks to at most what the directory says (zipfile stops there)
            total = sum(i.file_size for i in infos)
            if total > limits.unpacked:
                raise refuse("import.xlsx_too_large", size=_mb(total), limit=_mb(limits.unpacked))
            sheets, strings = _parts(z, limits, refuse)
            for info in infos:
                limit = limits.strings if info.filename in strings else limits.part
                if info.filename not in sheets and info.file_size > limit:
                    raise refuse("import.xlsx_part_too_large", part=info.filename[:100],
                                 size=_mb(info.file_size), limit=_mb(limit))
            for info in infos:  # openpyxl reads a chart sheet whole: a data file has none
                if info.filename.endswith(".rels") and b"/chartsheet" in z.read(info):
                    raise _unreadable(display, "chartsheet")
            for name in sheets:
                if name in z.NameToInfo:
                    _scan_worksheet(z, name, display, limits)
    except DataError:
        raise
    except (zipfile.BadZipFile, zlib.error, KeyError, EOFError, NotImplementedError,
            RuntimeError, ValueError, OSError) as exc:
        raise _unreadable(display, type(exc).__name__) from None


def _parts(z: zipfile.ZipFile, limits: Limits, refuse: Callable[..., DataError]
           ) -> tuple[set[str], set[str]]:
    """The parts the package declares as worksheets and as shared strings (as openpyxl
    finds them: by their content type)."""
    from openpyxl.packaging.manifest import Manifest  # type: ignore[import-untyped]
    from openpyxl.xml.functions import fromstring  # type: ignore[import-untyped]

    info = z.getinfo("[Content_Types].xml")
    if info.file_size > limits.part:
        raise refuse("import.xlsx_part_too_large", part=info.filename,
                     size=_mb(info.file_size), limit=_mb(limits.part))
    manifest = Manifest.from_tree(fromstring(z.read(info)))

    def of(content_type: str) -> set[str]:
        return {o.PartName.lstrip("/") for o in manifest.Override
                if o.ContentType == content_type}

    return of(_WORKSHEET), of(_STRINGS)


_MARKUP = re.compile(rb"<!(?:DOCTYPE|ENTITY|\[CDATA\[)", re.IGNORECASE)


def _scan_worksheet(z: zipfile.ZipFile, name: str, display: str, limits: Limits) -> None:
    """One streaming pass over a worksheet: no text run (a cell's value, escaped) longer
    than a cell may be, no DTD and no CDATA section (which could hide one)."""
    longest = limits.cell_chars * 10  # a character written as &#x10FFFF; is 10 bytes
    # a run longer than that, from just after a "<" (each run is tried once: linear)
    run_long = re.compile(rb"(?<=<)[^<]{%d}" % (longest + 1))
    tail = 0  # length of the text run at the end of the previous chunk
    keep = b""  # the previous chunk's last bytes, for markup cut in two
    with z.open(name) as fh:
        while chunk := fh.read(MIB):
            first = chunk.find(b"<")
            if first < 0:
                tail += len(chunk)
            else:
                tail += first
                if tail > longest or run_long.search(chunk, first):
                    tail = longest + 1
                else:
                    tail = len(chunk) - chunk.rfind(b"<") - 1
            if tail > longest:
                raise DataError([Problem(code="import.xlsx_cell_too_long", file=display,
                                         message=message("import.xlsx_cell_too_long",
                                                         part=name[:100],
                                                         limit=limits.cell_chars))], display)
            if _MARKUP.search(keep + chunk):
                raise _unreadable(display, "DTD/CDATA")
            keep = chunk[-12:]


def _mb(n: int) -> str:
    return f"{n / MIB:.1f} MB" if n >= MIB else f"{n / 1024:.0f} KB"


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
