"""Small files that unpack or expand to very large ones, for the tests of the limits (made
as a stream: the test process never holds what they expand to)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

MIB = 1024 * 1024
_SHEET_HEAD = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               b'<dimension ref="A1:B2"/><sheetData>')
_SHEET_TAIL = b"</sheetData></worksheet>"
_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def zip_bomb(entries: int = 120, size: int = 8 * MIB, folder: str = "pack") -> bytes:
    """A zip of ``entries`` files of ``size`` zero bytes each: one deflate stream (about
    1 KB per MB) written under every name, the archive put together by hand so that the
    test compresses 8 MB once, not a gigabyte."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = packer.compress(bytes(size)) + packer.flush()
    crc = zlib.crc32(bytes(size))
    out, central = io.BytesIO(), io.BytesIO()
    for i in range(entries):
        name = f"{folder}/{i}.yaml".encode()
        offset = out.tell()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc,
                              len(data), size, len(name), 0) + name + data)
        central.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0,
                                  0x21, crc, len(data), size, len(name), 0, 0, 0, 0, 0,
                                  offset) + name)
    start = out.tell()
    out.write(central.getvalue())
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, entries, entries,
                          len(central.getvalue()), start, 0))
    return out.getvalue()


def workbook(path: Path, code: str, *, name_cell: Iterable[bytes] | None = None,
             shared: Iterable[bytes] | None = None, extra_rows: Iterable[bytes] = ()) -> Path:
    """An .xlsx with a header (id, name) and one row for ``code``: the name written inline
    (the chunks of ``name_cell``) or as the first shared string (the chunks of ``shared``),
    the worksheet and the strings written as streams."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    base = io.BytesIO()
    wb = Workbook()
    wb.active.append(["id", "name"])
    wb.save(base)
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml" and shared is not None:
                data = data.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" '
                                    f'ContentType="{_STRINGS}"/></Types>'.encode())
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, data)
        with out.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c>'
                        b'<c r="B1" t="inlineStr"><is><t>name</t></is></c></row>'
                        b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + code.encode() +
                        b"</t></is></c>")
            if shared is not None:
                sheet.write(b'<c r="B2" t="s"><v>0</v></c>')
            else:
                sheet.write(b'<c r="B2" t="inlineStr"><is><t>')
                for chunk in name_cell or (b"x",):
                    sheet.write(chunk)
                sheet.write(b"</t></is></c>")
            sheet.write(b"</row>")
            for row in extra_rows:
                sheet.write(row)
            sheet.write(_SHEET_TAIL)
        if shared is not None:
            with out.open("xl/sharedStrings.xml", "w") as strings:
                strings.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                              b'2006/main" count="1" uniqueCount="1"><si><t>')
                for chunk in shared:
                    strings.write(chunk)
                strings.write(b"</t></si></sst>")
    return path


def repeated(total: int, piece: bytes = b"a" * MIB) -> Iterable[bytes]:
    """``total`` bytes of ``piece`` repeated, as chunks."""
    for _ in range(total // len(piece)):
        yield piece


def billion_laughs(levels: int = 9, fanout: int = 10) -> str:
    """YAML whose aliases expand to ``fanout ** levels`` values (a few hundred bytes)."""
    lines = ['a0: &a0 "lol"']
    for i in range(1, levels + 1):
        refs = ", ".join(f"*a{i - 1}" for _ in range(fanout))
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"
