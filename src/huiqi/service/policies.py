"""Policy packs and their versions: list, show, upload a draft, check, publish, retire."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiqi.engine.matcher import Matcher, matcher_for
from huiqi.errors import NotFoundError, PackError
from huiqi.facts.catalogue import Catalogue, Field
from huiqi.packs import versions as PV
from huiqi.packs.files import Limits
from huiqi.rules.model import Pack
from huiqi.store.models import PackFile, PackVersion, PolicyPack
from huiqi.text import Text

from .audit import record
from .catalogue import others
from .context import Context, requires
from .memo import Memo
from .permissions import Permission
from .schemas import (
    CheckPublic,
    ClausePublic,
    DeclaredFactPublic,
    DeclaredFieldPublic,
    DiffPublic,
    FileDiffPublic,
    PackFilePublic,
    PackPublic,
    VersionPublic,
)

#: memory for remembered check results (a few KB each), per process
CHECKS_MEMO_BYTES = 4 * 1024 * 1024


def published_stamp(s: Session, key: str) -> list[tuple[str, int]]:
    """The other packs' published versions (a check's result depends on their facts)."""
    return [(k, v.id) for k, v in PV.all_published(s) if k != key]


def _public(s: Session, key: str, v: PackVersion) -> VersionPublic:
    files = [PackFilePublic(path=f.path, sha256=f.sha256, size=len(f.content))
             for f in s.scalars(select(PackFile).where(PackFile.version_id == v.id)
                                .order_by(PackFile.path))]
    return VersionPublic(pack=key, number=v.number, status=v.status,  # type: ignore[arg-type]
                         version_key=v.version_key, title=v.title, note=v.note,
                         created_at=v.created_at, created_by=v.created_by,
                         published_at=v.published_at, published_by=v.published_by,
                         ended_at=v.ended_at, files=files)


def _snapshot(v: PackVersion) -> dict[str, object]:
    return {"number": v.number, "status": v.status, "version_key": v.version_key}


def _drafts_visible(ctx: Context) -> bool:
    """Whether the actor may read unpublished versions: staff roles only, never an
    enterprise user (a draft is not yet a policy)."""
    return ctx.scope(Permission.POLICY_DRAFT_READ) is not None


def _unless_draft(ctx: Context, key: str, number: int, status: str) -> None:
    """Refuse (and audit) reading a draft without the right to."""
    if status == PV.DRAFT and not _drafts_visible(ctx):
        ctx.refuse(Permission.POLICY_DRAFT_READ, f"{key} #{number}")


@requires(Permission.POLICY_READ)
def list_packs(ctx: Context) -> list[PackPublic]:
    """Every pack with its versions (without the drafts, for a role that may not see them)."""
    drafts = _drafts_visible(ctx)
    with ctx.db.read() as s:
        packs = [_pack(s, p, drafts) for p in s.scalars(
            select(PolicyPack).order_by(PolicyPack.key))]
    return [p for p in packs if drafts or p.versions]


def _pack(s: Session, p: PolicyPack, drafts: bool) -> PackPublic:
    stmt = select(PackVersion).where(PackVersion.pack_id == p.id)
    if not drafts:
        stmt = stmt.where(PackVersion.status != PV.DRAFT)
    versions = [_public(s, p.key, v) for v in s.scalars(stmt.order_by(PackVersion.number))]
    current = next((v for v in versions if v.status == PV.PUBLISHED), None)
    return PackPublic(key=p.key, current=current, versions=versions)


@requires(Permission.POLICY_READ)
def get_pack(ctx: Context, key: str) -> PackPublic:
    drafts = _drafts_visible(ctx)
    with ctx.db.read() as s:
        pack = _pack(s, PV.get_pack(s, key), drafts)
    if not drafts and not pack.versions:  # a pack that is only drafts is not there yet
        raise NotFoundError(Text("政策包", "policy pack"), key)
    return pack


@requires(Permission.POLICY_READ)
def get_version(ctx: Context, key: str, number: int) -> VersionPublic:
    with ctx.db.read() as s:
        out = _public(s, key, PV.get_version(s, key, number))
    _unless_draft(ctx, key, number, out.status)
    return out


@requires(Permission.POLICY_WRITE)
def upload(ctx: Context, key: str, files: Sequence[tuple[str, bytes]],
           note: str | None = None) -> VersionPublic:
    with ctx.db.write() as s:
        v = PV.upload(s, key, files, PV.Where(ctx.actor.username, ctx.now()), note,
                      Limits.of(ctx.settings))
        out = _public(s, key, v)
        record(s, ctx, "policy.upload", target=f"{key} #{v.number}", after={
            "number": v.number, "files": {f.path: f.sha256 for f in out.files}})
        return out


@requires(Permission.POLICY_WRITE)
def check(ctx: Context, key: str, number: int) -> CheckPublic:
    """Run the checker on a stored version; changes nothing. The result is remembered by
    the digest of the version's files, so viewing a draft's files again does not check it
    again (a version's files never change; an edit is a new version)."""
    with ctx.db.read() as s:
        v = PV.get_version(s, key, number)
        digest = hashlib.sha256(repr((key, [(f.path, f.sha256) for f in s.scalars(
            select(PackFile).where(PackFile.version_id == v.id).order_by(PackFile.path))],
            published_stamp(s, key))).encode()).hexdigest()
        memo = ctx.platform.cache.get("pack-checks")
        if memo is None:
            with ctx.platform.lock:
                memo = ctx.platform.cache.setdefault("pack-checks", Memo(CHECKS_MEMO_BYTES))
        known = memo.get(digest)
        if known is not None:
            return CheckPublic.model_validate_json(known)
        files = PV.files_of(s, v.id)
    try:
        pack = PV.load(key, files, others(ctx, key))
    except PackError as exc:
        result = CheckPublic(ok=False, version_key=None, policies=0, clauses=0,
                             problems=[p.as_dict() for p in exc.problems])  # type: ignore[misc]
    else:
        result = CheckPublic(ok=True, version_key=pack.version_id, policies=len(pack.policies),
                             clauses=len(pack.clauses()), problems=[])
    memo.put(digest, result.model_dump_json().encode())
    return result


@requires(Permission.POLICY_READ)
def diff(ctx: Context, key: str, number: int) -> DiffPublic:
    """A version's files against the published version: what publishing it would change
    (rules and texts), line by line."""
    with ctx.db.read() as s:
        v = PV.get_version(s, key, number)
        status = v.status
        d = PV.diff(s, key, v)
    _unless_draft(ctx, key, number, status)
    return DiffPublic(pack=key, number=number, base=d.base, digest=d.digest, files=[
        FileDiffPublic(path=f.path, change=f.change, diff=f.diff,  # type: ignore[arg-type]
                       added_lines=f.added_lines, removed_lines=f.removed_lines)
        for f in d.files])


@requires(Permission.POLICY_PUBLISH)
def publish(ctx: Context, key: str, number: int, reviewed: str | None = None) -> VersionPublic:
    """Publish a draft; a pack with any problem raises PackError and nothing changes.

    Four eyes: a person (an account) publishes only a version someone else uploaded, and
    only with ``reviewed``, the digest of the differences (:func:`diff`) they looked at —
    if the draft or the published version changed since, the digest no longer matches.
    Both refusals are audited. The platform itself (``huiqi init-demo``, an operator's
    command) has no account and is not held to this."""
    if ctx.actor.account_id is not None:
        _four_eyes(ctx, key, number, reviewed)
    checked_against = others(ctx, key)  # the facts of the other published packs
    with ctx.db.write() as s:
        v = PV.get_version(s, key, number)
        before = _snapshot(v)
        pack = PV.publish(s, key, v, PV.Where(ctx.actor.username, ctx.now()), checked_against)
        remember(ctx, v.id, pack)
        record(s, ctx, "policy.publish", target=f"{key} #{number}", before=before,
               after=_snapshot(v))
        return _public(s, key, v)


def _four_eyes(ctx: Context, key: str, number: int, reviewed: str | None) -> None:
    from huiqi.errors import Conflict

    with ctx.db.read() as s:
        v = PV.get_version(s, key, number)
        author, status = v.created_by, v.status
        current = PV.diff(s, key, v).digest
    if status != PV.DRAFT:
        return  # publish() says why it cannot
    reason = ("version.own" if author == ctx.actor.username else
              "version.review" if reviewed != current else None)
    if reason is None:
        return
    with ctx.db.write() as s:
        record(s, ctx, "policy.publish", target=f"{key} #{number}", outcome="denied",
               detail=reason)
    raise Conflict(reason, version=f"{key} #{number}")


@requires(Permission.POLICY_PUBLISH)
def retire(ctx: Context, key: str, number: int) -> VersionPublic:
    with ctx.db.write() as s:
        v = PV.get_version(s, key, number)
        before = _snapshot(v)
        PV.retire(s, key, v, PV.Where(ctx.actor.username, ctx.now()))
        record(s, ctx, "policy.retire", target=f"{key} #{number}", before=before,
               after=_snapshot(v))
        return _public(s, key, v)


@requires(Permission.POLICY_READ)
def clauses(ctx: Context, key: str) -> list[ClausePublic]:
    """The clauses of the published version of a pack."""
    with ctx.db.read() as s:
        v = PV.published(s, key)
    pack = loaded(ctx, key, v)
    return [ClausePublic(key=c.key, policy=c.key.split("/")[0], clause=c.id,
                         title=c.title.as_dict())  # type: ignore[arg-type]
            for c in pack.clauses()]


@requires(Permission.POLICY_READ)
def declared_facts(ctx: Context, key: str) -> list[DeclaredFactPublic]:
    """The facts the published version of a pack declares (its facts.yaml), with where."""
    with ctx.db.read() as s:
        v = PV.published(s, key)
    cat = loaded(ctx, key, v).catalogue
    out = []
    for fid, (file, line) in cat.declared.items():
        f = cat.facts[fid]
        fields = None
        if f.record is not None:
            fields = [_field_public(cat, sub) for sub in cat.records[f.record].fields.values()]
        out.append(DeclaredFactPublic(**_field_public(cat, f).model_dump(), yearly=f.yearly,
                                      source=f.source, file=file, line=line, fields=fields))
    return out


def _field_public(cat: Catalogue, f: Field) -> DeclaredFieldPublic:
    e = cat.enum_of(f)
    return DeclaredFieldPublic(
        id=f.id, type=f.kind,  # type: ignore[arg-type]
        label=f.label.as_dict(),  # type: ignore[arg-type]
        description=f.description.as_dict() if f.description else None,  # type: ignore[arg-type]
        unit=f.unit, min=f.min, max=f.max, optional=f.optional,
        options={k: t.as_dict() for k, t in e.values.items()} if e else None,  # type: ignore[misc]
    )


@requires(Permission.POLICY_READ)
def files(ctx: Context, key: str, number: int) -> list[tuple[str, bytes]]:
    """The stored files of a version (its policy YAML and texts)."""
    with ctx.db.read() as s:
        v = PV.get_version(s, key, number)
        status, stored = v.status, PV.files_of(s, v.id)
    _unless_draft(ctx, key, number, status)
    return stored


@requires(Permission.POLICY_READ)
def pack_of(ctx: Context, key: str, number: int | None = None) -> Pack:
    """The checked pack of the published version (or of version ``number``; a version that
    fails checking raises :class:`PackError`)."""
    with ctx.db.read() as s:
        v = PV.published(s, key) if number is None else PV.get_version(s, key, number)
        if v.status == PV.PUBLISHED:
            return loaded(ctx, key, v)
        status, stored = v.status, PV.files_of(s, v.id)
    _unless_draft(ctx, key, v.number, status)
    return PV.load(key, stored, others(ctx, key))


# ------------------------------------------------------------------ loaded packs

def remember(ctx: Context, version_id: int, pack: Pack) -> None:
    ctx.platform.cache[("pack", version_id)] = pack


def loaded(ctx: Context, key: str, v: PackVersion) -> Pack:
    """The pack of a stored version, loaded once per process from its stored files."""
    cache_key = ("pack", v.id)
    pack = ctx.platform.cache.get(cache_key)
    if pack is None:
        with ctx.platform.lock:  # one thread loads it; the others wait for it
            pack = ctx.platform.cache.get(cache_key)
            if pack is None:
                with ctx.db.read() as s:
                    files = PV.files_of(s, v.id)
                pack = PV.load(key, files)
                ctx.platform.cache[cache_key] = pack
    assert isinstance(pack, Pack)
    return pack


def matcher(ctx: Context, key: str, v: PackVersion, day: dt.date) -> Matcher:
    """The compiled matcher of a stored version for a date (compiled once per process)."""
    pack = loaded(ctx, key, v)
    m = pack.cache.get(("matcher", day))
    if m is None:
        with ctx.platform.lock:
            m = matcher_for(pack, day)
    assert isinstance(m, Matcher)
    return m


def warm(ctx: Context, day: dt.date) -> int:
    """Load every published version and compile it for ``day`` (at the server's start)."""
    with ctx.db.read() as s:
        versions = PV.all_published(s)
    for key, v in versions:
        matcher(ctx, key, v, day)
    return len(versions)
