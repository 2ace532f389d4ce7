"""The files of an uploaded pack: zip archives unpacked as a stream, refused the moment a
limit is passed (files, unpacked bytes, compression ratio)."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from bombs import zip_bomb
from huiqi.errors import InputError, TooLarge
from huiqi.packs.files import MIB, Limits, check_files, read_uploads


class Counting(io.BytesIO):
    """A file that remembers how much of it was read."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.total = 0

    def read(self, n: int | None = -1) -> bytes:
        out = super().read(n)
        self.total += len(out)
        return out


def archive(entries: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, content in entries:
            z.writestr(name, content)
    return buf.getvalue()


def test_a_zip_bomb_is_refused_by_its_ratio_before_it_is_unpacked() -> None:
    bomb = zip_bomb(entries=120, size=8 * MIB, folder="p")  # the issue's: 1 MB, 960 MB unpacked
    assert len(bomb) < 2 * MIB
    with pytest.raises(TooLarge) as exc:
        read_uploads([("pack.zip", io.BytesIO(bomb))], Limits(max_bytes=64 * MIB))
    assert exc.value.reason == "limit.zip_ratio"
    assert "p/0.yaml" in exc.value.message("zh") and "压缩炸弹" in exc.value.message("zh")
    assert "zip bomb" in exc.value.message("en")


def test_the_running_total_of_unpacked_bytes_is_refused_as_soon_as_it_passes() -> None:
    # incompressible entries of 1 MB each: no ratio to catch, only the total
    entries = [(f"{i}.txt", os.urandom(MIB)) for i in range(12)]
    data = Counting(archive(entries, zipfile.ZIP_STORED))
    with pytest.raises(TooLarge) as exc:
        read_uploads([("pack.zip", data)], Limits(max_bytes=4 * MIB))
    assert exc.value.reason == "limit.pack_bytes"
    assert "“4.txt”" in exc.value.message("zh") and "4 MB" in exc.value.message("zh")
    assert data.total < 6 * MIB  # the rest of the archive was never read


def test_a_zip_that_lies_about_its_sizes_is_still_counted() -> None:
    data = bytearray(archive([("a.yaml", b"x" * (2 * MIB))]))
    # make the local and central headers claim 10 bytes unpacked
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(sig) + offset
        data[at:at + 4] = (10).to_bytes(4, "little")
    with pytest.raises((TooLarge, InputError)) as exc:
        read_uploads([("pack.zip", io.BytesIO(bytes(data)))], Limits(max_bytes=MIB))
    assert not isinstance(exc.value, TooLarge) or exc.value.reason == "limit.pack_bytes"


def test_too_many_files_and_loose_files_count_too() -> None:
    with pytest.raises(TooLarge) as exc:
        read_uploads([("many.zip", io.BytesIO(archive([(f"{i}.txt", b"x") for i in range(6)])))],
                     Limits(max_files=5))
    assert exc.value.reason == "limit.pack_files" and "至多 5 个" in exc.value.message("zh")
    with pytest.raises(TooLarge):
        read_uploads([("a.yaml", io.BytesIO(b"x" * 600)), ("b.yaml", io.BytesIO(b"y" * 600))],
                     Limits(max_bytes=1000))
    with pytest.raises(TooLarge):
        check_files([("a.yaml", b"x" * 600), ("b.yaml", b"y" * 600)], Limits(max_bytes=1000))


def test_a_good_upload_and_a_broken_archive() -> None:
    good = archive([("pack/pack.yaml", b"id: x\n"), ("pack/x.yaml", b"a: 1\n")])
    assert read_uploads([("pack.zip", io.BytesIO(good)), ], Limits()) == [
        ("pack.yaml", b"id: x\n"), ("x.yaml", b"a: 1\n")]
    with pytest.raises(InputError) as exc:
        read_uploads([("pack.zip", io.BytesIO(b"PK\x03\x04 not a zip"))], Limits())
    assert "无法读取压缩包“pack.zip”" in exc.value.message("zh")
