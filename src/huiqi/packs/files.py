"""The files of a pack version: checked paths, written to a folder to be loaded."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from huiqi.errors import InputError
from huiqi.messages import message

MAX_FILES = 500
MAX_BYTES = 8 * 1024 * 1024


def clean_path(path: str) -> str:
    """A pack-relative POSIX path, or :class:`InputError` for anything that could escape."""
    p = PurePosixPath(path.replace("\\", "/"))
    if (not path or path.startswith("/") or ":" in path or "\0" in path or len(path) > 400
            or any(part in ("", ".", "..") or part.startswith(".") for part in p.parts)):
        raise InputError(message("pack.bad_path", path=path[:100]))
    return str(p)


def check_files(files: Sequence[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    if not files:
        raise InputError(message("pack.no_files"))
    if len(files) > MAX_FILES or sum(len(c) for _, c in files) > MAX_BYTES:
        raise InputError(message("usage.error", detail_zh=f"文件过多或过大(至多 {MAX_FILES} 个、"
                                 f"共 {MAX_BYTES // 1048576} MB)", detail_en=f"too many or too "
                                 f"large files (at most {MAX_FILES}, {MAX_BYTES // 1048576} MB)"))
    out: dict[str, bytes] = {}
    for path, content in files:
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
