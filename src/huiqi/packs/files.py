"""The files of a pack version: checked paths, limits on what an upload unpacks to, written
to a folder to be loaded.

An uploaded pack (loose files, or zip archives of them) is read as a stream with running
totals of the files and of their unpacked bytes: the upload is refused the moment a total
passes its limit, or an archive entry unpacks to an absurd multiple of its packed size —
never after the whole of it has been unpacked into memory.
"""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING

from huiqi.errors import InputError, TooLarge
from huiqi.messages import message

if TYPE_CHECKING:
    from huiqi.settings import Settings

MIB = 1024 * 1024
_CHUNK = 64 * 1024
_RATIO_FROM = MIB  # below this an entry may compress as well as it likes (a file of spaces)


@dataclass(frozen=True)
class Limits:
    """How large a pack may be: its files together unpacked, how many, and the largest
    compression ratio of a zip entry (settings ``pack_max_mb``, ``pack_max_files``,
    ``zip_max_ratio``)."""

    max_bytes: int = 8 * MIB
    max_files: int = 500
    max_ratio: int = 100

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.pack_max_mb * MIB, settings.pack_max_files, settings.zip_max_ratio)

    @property
    def size(self) -> str:
        return f"{self.max_bytes / MIB:g} MB"


class Budget:
    """Running totals of an upload's files and unpacked bytes; refuses past a limit."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.files = 0
        self.bytes = 0

    def file(self, path: str) -> None:
        self.files += 1
        if self.files > self.limits.max_files:
            raise TooLarge("limit.pack_files", limit=self.limits.max_files)

    def add(self, path: str, n: int) -> None:
        self.bytes += n
        if self.bytes > self.limits.max_bytes:
            raise TooLarge("limit.pack_bytes", limit=self.limits.size, path=path[:200])

    def read(self, fh: IO[bytes], path: str, packed: int | None = None) -> bytes:
        """The whole of ``fh``, counted chunk by chunk; ``packed`` (its size in an archive)
        checks the compression ratio as it unpacks."""
        chunks: list[bytes] = []
        done = 0
        while chunk := fh.read(_CHUNK):
            done += len(chunk)
            self.add(path, len(chunk))
            if packed is not None and done > _RATIO_FROM and \
                    done > self.limits.max_ratio * max(packed, 1):
                raise TooLarge("limit.zip_ratio", path=path[:200], limit=self.limits.max_ratio)
            chunks.append(chunk)
        return b"".join(chunks)


def read_uploads(uploads: Iterable[tuple[str, IO[bytes]]], limits: Limits
                 ) -> list[tuple[str, bytes]]:
    """The files of an upload: loose files as they are, ``.zip`` archives unpacked; one
    folder that holds everything is taken off the paths. Refuses (:class:`TooLarge`) as
    soon as a limit is passed."""
    budget = Budget(limits)
    files: list[tuple[str, bytes]] = []
    for given, fh in uploads:
        name = given.replace("\\", "/")
        if name.lower().endswith(".zip"):
            files.extend(_unzip(fh, name, budget))
        elif name:
            budget.file(name)
            files.append((name, budget.read(fh, name)))
    parts = [f.split("/") for f, _ in files]
    if parts and all(len(x) > 1 for x in parts) and len({x[0] for x in parts}) == 1:
        files = [("/".join(x[1:]), c) for x, (_f, c) in zip(parts, files, strict=True)]
    return files


def _unzip(fh: IO[bytes], name: str, budget: Budget) -> list[tuple[str, bytes]]:
    files: list[tuple[str, bytes]] = []
    try:
        with zipfile.ZipFile(fh) as z:
            for info in z.infolist():
                if info.is_dir():
                    continue
                budget.file(info.filename)
                # what the archive declares is checked first, then what it really unpacks to
                if budget.bytes + info.file_size > budget.limits.max_bytes:
                    raise TooLarge("limit.pack_bytes", limit=budget.limits.size,
                                   path=info.filename[:200])
                if info.file_size > _RATIO_FROM and \
                        info.file_size > budget.limits.max_ratio * max(info.compress_size, 1):
                    raise TooLarge("limit.zip_ratio", path=info.filename[:200],
                                   limit=budget.limits.max_ratio)
                with z.open(info) as entry:
                    files.append((info.filename,
                                  budget.read(entry, info.filename, info.compress_size)))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            ValueError) as exc:  # a broken, encrypted or oddly compressed archive
        raise InputError(message("limit.zip_bad", name=name[:200],
                                 detail=str(exc)[:200] or type(exc).__name__)) from None
    return files


def clean_path(path: str) -> str:
    """A pack-relative POSIX path, or :class:`InputError` for anything that could escape."""
    p = PurePosixPath(path.replace("\\", "/"))
    if (not path or path.startswith("/") or ":" in path or "\0" in path or len(path) > 400
            or any(part in ("", ".", "..") or part.startswith(".") for part in p.parts)):
        raise InputError(message("pack.bad_path", path=path[:100]))
    return str(p)


def check_files(files: Sequence[tuple[str, bytes]], limits: Limits | None = None
                ) -> list[tuple[str, bytes]]:
    limits = limits or Limits()
    if not files:
        raise InputError(message("pack.no_files"))
    budget = Budget(limits)
    out: dict[str, bytes] = {}
    for path, content in files:
        budget.file(path)
        budget.add(path, len(content))
        clean = clean_path(path)
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(message("pack.not_utf8", path=clean)) from None
        out[clean] = content
    return sorted(out.items())


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@contextmanager
def materialised(key: str, files: Sequence[tuple[str, bytes]]) -> Iterator[Path]:
    """The files written under a temporary folder named after the pack."""
    with tempfile.TemporaryDirectory(prefix="huiqi-pack-") as tmp:
        root = Path(tmp) / key
        root.mkdir()
        for path, content in files:
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        yield root


def read_folder(root: Path) -> list[tuple[str, bytes]]:
    """Every file of a pack folder (hidden files aside), as (relative path, bytes)."""
    return sorted((str(p.relative_to(root).as_posix()), p.read_bytes())
                  for p in root.rglob("*") if p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(root).parts))
