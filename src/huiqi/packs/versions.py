"""Pack versions in the database: upload a draft, check it, publish it, retire it, load it.

Publishing runs huiqi's checker (:func:`huiqi.rules.loader.load_pack`) on the stored
files; a pack with any problem is not published and nothing changes. Publishing a version
supersedes the version of the same pack published before it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiqi.errors import Conflict, InputError, NotFoundError, PackError, Problem
from huiqi.facts.catalogue import Catalogue
from huiqi.messages import message
from huiqi.rules.loader import load_pack
from huiqi.rules.model import Pack
from huiqi.store.models import PackFile, PackVersion, PolicyPack
from huiqi.text import Text

from .files import Limits, check_files, clean_path, materialised, sha256

DRAFT, PUBLISHED, SUPERSEDED, RETIRED = "draft", "published", "superseded", "retired"
STATES = (DRAFT, PUBLISHED, SUPERSEDED, RETIRED)
STATE_TEXT = {DRAFT: Text("草稿", "a draft"), PUBLISHED: Text("已发布", "published"),
              SUPERSEDED: Text("已被取代", "superseded"), RETIRED: Text("已废止", "retired")}


@dataclass(frozen=True)
class Where:
    by: str
    at: dt.datetime


def check_key(key: str) -> str:
    import re

    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{0,63}", key):
        raise InputError(message("id.bad", id=key[:64]) + message("id.bad.hint"))
    return key


def get_pack(s: Session, key: str) -> PolicyPack:
    p = s.scalar(select(PolicyPack).where(PolicyPack.key == key))
    if p is None:
        raise NotFoundError(Text("政策包", "policy pack"), key)
    return p


def get_version(s: Session, key: str, number: int) -> PackVersion:
    p = get_pack(s, key)
    v = s.scalar(select(PackVersion).where(PackVersion.pack_id == p.id,
                                           PackVersion.number == number))
    if v is None:
        raise NotFoundError(Text("政策包版本", "pack version"), f"{key} #{number}")
    return v


def published(s: Session, key: str) -> PackVersion:
    p = get_pack(s, key)
    v = s.scalar(select(PackVersion).where(PackVersion.pack_id == p.id,
                                           PackVersion.status == PUBLISHED))
    if v is None:
        raise Conflict("version.no_published", pack=key)
    return v


def all_published(s: Session) -> list[tuple[str, PackVersion]]:
    rows = s.execute(select(PolicyPack.key, PackVersion).join(
        PackVersion, PackVersion.pack_id == PolicyPack.id).where(
        PackVersion.status == PUBLISHED).order_by(PolicyPack.key))
    return [(k, v) for k, v in rows]


def files_of(s: Session, version_id: int) -> list[tuple[str, bytes]]:
    return [(f.path, f.content) for f in s.scalars(
        select(PackFile).where(PackFile.version_id == version_id).order_by(PackFile.path))]


def upload(s: Session, key: str, files: Sequence[tuple[str, bytes]], w: Where,
           note: str | None = None, limits: Limits | None = None) -> PackVersion:
    """Store a new draft version of pack ``key`` (created if new)."""
    check_key(key)
    clean = check_files([(clean_path(p), c) for p, c in files], limits)
    pack = s.scalar(select(PolicyPack).where(PolicyPack.key == key))
    if pack is None:
        pack = PolicyPack(key=key, created_at=w.at)
        s.add(pack)
        s.flush()
    number = (s.scalar(select(func.max(PackVersion.number)).where(
        PackVersion.pack_id == pack.id)) or 0) + 1
    v = PackVersion(pack_id=pack.id, number=number, status=DRAFT, created_at=w.at,
                    created_by=w.by, note=note)
    s.add(v)
    s.flush()
    for path, content in clean:
        s.add(PackFile(version_id=v.id, path=path, content=content, sha256=sha256(content)))
    s.flush()
    return v


@dataclass(frozen=True)
class FileDiff:
    """One file of a draft against the published version: ``added``, ``removed``,
    ``changed`` or ``same``, with a unified diff of the text for a changed file."""

    path: str
    change: str
    diff: str = ""
    added_lines: int = 0
    removed_lines: int = 0


@dataclass(frozen=True)
class Diff:
    """A version against the pack's published version (``base`` None: nothing published
    yet, every file is added). ``digest`` names exactly what was compared: publishing
    with it proves the publisher saw these differences and not older ones."""

    base: int | None
    files: tuple[FileDiff, ...]
    digest: str

    @property
    def changed(self) -> tuple[FileDiff, ...]:
        return tuple(f for f in self.files if f.change != "same")


def diff(s: Session, key: str, v: PackVersion) -> Diff:
    """The files (policy YAML: the rules; texts) of ``v`` against the published version."""
    import difflib
    import hashlib

    p = get_pack(s, key)
    base = s.scalar(select(PackVersion).where(PackVersion.pack_id == p.id,
                                              PackVersion.status == PUBLISHED))
    old = dict(files_of(s, base.id)) if base is not None and base.id != v.id else {}
    new = dict(files_of(s, v.id))
    out = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a == b:
            out.append(FileDiff(path, "same"))
            continue
        la = a.decode("utf-8", "replace").splitlines() if a is not None else []
        lb = b.decode("utf-8", "replace").splitlines() if b is not None else []
        lines = list(difflib.unified_diff(la, lb, f"#{base.number if base else 0}/{path}",
                                          f"#{v.number}/{path}", lineterm="", n=3))
        out.append(FileDiff(path, "added" if a is None else "removed" if b is None else "changed",
                            "\n".join(lines),
                            sum(1 for x in lines if x.startswith("+") and not x.startswith("+++")),
                            sum(1 for x in lines if x.startswith("-") and not x.startswith("---"))))
    seen = repr((key, v.number, base.number if base is not None else None,
                 sorted((k, sha256(c)) for k, c in new.items()),
                 sorted((k, sha256(c)) for k, c in old.items())))
    return Diff(base.number if base is not None and base.id != v.id else None, tuple(out),
                hashlib.sha256(seen.encode()).hexdigest()[:32])


def load(key: str, files: Sequence[tuple[str, bytes]], cat: Catalogue | None = None) -> Pack:
    """Check and load stored files; :class:`PackError` with every problem if they fail."""
    with materialised(key, files) as root:
        try:
            pack = load_pack(root, cat)
        except PackError as exc:  # name files as stored, not where they were written
            raise PackError([_relative(p, root) for p in exc.problems], key) from None
        prefix = str(root) + "/"
        for fid, (file, line) in list(pack.catalogue.declared.items()):
            if file.startswith(prefix):  # a fact it declares: named as ``key/facts.yaml``
                pack.catalogue.declared[fid] = (f"{key}/{file[len(prefix):]}", line)
    if pack.id != key:
        raise PackError([Problem(code="pack.id_mismatch", file="pack.yaml", line=1,
                                 message=message("pack.id_mismatch", found=pack.id, pack=key))],
                        key)
    return pack


def _relative(p: Problem, root: Path) -> Problem:
    prefix = str(root) + "/"
    if p.file and p.file.startswith(prefix):
        return dataclasses.replace(p, file=p.file[len(prefix):])
    return p


def publish(s: Session, key: str, v: PackVersion, w: Where, cat: Catalogue | None = None
            ) -> Pack:
    if v.status != DRAFT:
        raise _state(key, v, Text("发布", "published"))
    pack = load(key, files_of(s, v.id), cat)  # raises PackError: nothing changes
    for old in s.scalars(select(PackVersion).where(PackVersion.pack_id == v.pack_id,
                                                   PackVersion.status == PUBLISHED)):
        old.status = SUPERSEDED
        old.ended_at = w.at
    v.status = PUBLISHED
    v.version_key = pack.version_id
    v.title = pack.title.as_dict()
    v.published_at = w.at
    v.published_by = w.by
    s.flush()
    return pack


def retire(s: Session, key: str, v: PackVersion, w: Where) -> None:
    if v.status != PUBLISHED:
        raise _state(key, v, Text("废止", "retired"))
    v.status = RETIRED
    v.ended_at = w.at


def _state(key: str, v: PackVersion, action: Text) -> Conflict:
    state = STATE_TEXT.get(v.status, Text(v.status, v.status))
    return Conflict("version.state", version=f"{key} #{v.number}", state_zh=state.zh,
                    state_en=state.en,
                    action_zh=action.zh, action_en=action.en)
