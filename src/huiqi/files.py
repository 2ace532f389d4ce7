"""Files the platform creates are readable by their owner only.

The database file (and SQLite's ``-wal`` and ``-shm`` beside it, which SQLite creates with
the database file's permissions), the demo logins, uploads kept for an import: each holds
enterprises' finances or passwords. The service's commands (``serve``, ``init-demo``,
``import``) and its ASGI factories run with the umask ``077``, so that whatever they
create is ``0600`` (folders ``0700``); the database file and the demo logins are also
created with those modes explicitly, whatever the umask of the process that opens them.
Files that exist already keep the modes their owner gave them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

UMASK = 0o077
FILE_MODE = 0o600
FOLDER_MODE = 0o700


@contextmanager
def owner_only() -> Iterator[None]:
    """Run the block with the umask ``077`` (the previous umask is restored after it)."""
    previous = os.umask(UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def private_folder(path: Path) -> None:
    """``path`` and its missing parents, created ``0700`` (existing ones left as they are)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for p in reversed(missing):
        p.mkdir(mode=FOLDER_MODE, exist_ok=True)


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode ``0600`` if it does not exist (its folder ``0700``)."""
    private_folder(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, readable by its owner only (also if it existed)."""
    private_folder(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


__all__ = ["owner_only", "private_file", "private_folder", "write_private"]
