"""The public policy library (政策库): every policy of the published packs, to search and
browse by issuer, kind of support, industry, 文号 and whether it is in force.

Published policies are public documents: like the calculator, these functions need no
account and read only the published pack versions.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import select

from huiqi.packs import versions as PV
from huiqi.registry.claims import PolicyNote
from huiqi.rules.model import Pack, PolicySpec
from huiqi.rules.places import places
from huiqi.text import Text

from .audit import record
from .context import Context, Platform, requires
from .permissions import Permission
from .policies import loaded

#: Kinds of support, from what a clause gives.
KINDS: dict[str, Text] = {"money": Text("资金支持", "Money"), "title": Text("认定/称号", "Titles"),
                          "service": Text("服务", "Services")}
STATES: dict[str, Text] = {"in_force": Text("现行有效", "In force"),
                           "upcoming": Text("尚未施行", "Not yet in force"),
                           "expired": Text("已失效", "Expired")}
_INDUSTRY = re.compile(r'(?<![A-Za-z0-9_])industry\s*(?:==|in)\s*\{?([^}]*)')


@dataclass
class Entry:
    """One policy as the library lists it."""

    pack: str
    policy: PolicySpec
    state: str                      # in_force / upcoming / expired
    kinds: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)   # enum ids; empty: any industry
    places: list[str] = field(default_factory=list)       # empty: anywhere (national)

    @property
    def id(self) -> str:
        return self.policy.id


def state_of(pol: PolicySpec, day: dt.date) -> str:
    if pol.effective > day:
        return "upcoming"
    if pol.expiry is not None and pol.expiry < day:
        return "expired"
    return "in_force"


def kinds_of(pol: PolicySpec) -> list[str]:
    found = []
    for c in pol.clauses:
        b = c.benefit
        kind = "money" if b is None or b.kind not in ("title", "service") else b.kind
        if b is not None and kind not in found:
            found.append(kind)
    return [k for k in KINDS if k in found]


def industries_of(pol: PolicySpec) -> list[str]:
    found: list[str] = []
    for c in pol.clauses:
        for cond in c.all_conditions():
            for hit in _INDUSTRY.finditer(cond.text or ""):
                found.extend(x for x in re.findall(r'"([^"]+)"', hit.group(1)) if x not in found)
    return found


def entries(platform: Platform, day: dt.date) -> list[Entry]:
    """Every policy of every published pack (cached with the packs)."""
    ctx = platform.system()
    with ctx.db.read() as s:
        versions = PV.all_published(s)
    out: list[Entry] = []
    for key, v in versions:
        pack: Pack = loaded(ctx, key, v)
        for pol in pack.policies:
            out.append(Entry(pack=key, policy=pol, state=state_of(pol, day), kinds=kinds_of(pol),
                             industries=industries_of(pol), places=sorted(places(pol))))
    return out


def search(items: list[Entry], q: str | None = None, issuer: str | None = None,
           kind: str | None = None, industry: str | None = None, state: str | None = None
           ) -> list[Entry]:
    """The entries that match every filter given: ``q`` in the title, issuer or 文号."""
    out = []
    words = (q or "").strip().lower()
    for e in items:
        p = e.policy
        if words and not any(words in x.lower() for x in (
                p.title.zh, p.title.en, p.issuer.zh, p.issuer.en, p.document_number or "", p.id)):
            continue
        if issuer and issuer not in (p.issuer.zh, p.issuer.en):
            continue
        if kind and kind not in e.kinds:
            continue
        if industry and e.industries and industry not in e.industries:
            continue
        if state and e.state != state:
            continue
        out.append(e)
    order = {"in_force": 0, "upcoming": 1, "expired": 2}
    return sorted(out, key=lambda e: (order[e.state], -(e.policy.issued or e.policy.effective)
                                      .toordinal(), e.policy.title.zh))


def find(platform: Platform, day: dt.date, pack: str, policy: str) -> tuple[Entry, Pack]:
    """One policy of a published pack, and its pack; NotFoundError if none."""
    ctx = platform.system()
    with ctx.db.read() as s:
        versions = dict(PV.all_published(s))
    v = versions.get(pack)
    pk = loaded(ctx, pack, v) if v is not None else None
    pol = pk.policy(policy) if pk is not None else None
    if pk is None or pol is None:
        from huiqi.errors import NotFoundError

        raise NotFoundError(Text("政策", "policy"), f"{pack}/{policy}"[:100])
    return Entry(pack=pack, policy=pol, state=state_of(pol, day), kinds=kinds_of(pol),
                 industries=industries_of(pol), places=sorted(places(pol))), pk


def clause_title(platform: Platform, clause: str, pack: str | None = None) -> Text | None:
    """A published clause's title (``xm-torch-voucher/voucher`` → 企业申领火炬创新券), for
    where an enterprise reads of it; looked up in ``pack`` or, without one, in every
    published pack; None if no published pack has it."""
    ctx = platform.system()
    with ctx.db.read() as s:
        versions = PV.all_published(s)
    for key, v in versions:
        if pack in (None, key):
            spec = loaded(ctx, key, v).clause(clause)
            if spec is not None:
                return spec.title
    return None


@dataclass
class Note:
    """An officer's plain-language 解读 of a policy."""

    text: str
    updated_at: dt.datetime
    updated_by: str


def note(platform: Platform, pack: str, policy: str) -> Note | None:
    """The 解读 of a policy, if an officer has written one (public, like the policy)."""
    with platform.system().db.read() as s:
        row = s.scalars(select(PolicyNote).where(PolicyNote.pack == pack,
                                                 PolicyNote.policy == policy)).first()
        return Note(row.text, row.updated_at, row.updated_by) if row else None


@requires(Permission.POLICY_WRITE)
def write_note(ctx: Context, pack: str, policy: str, text: str) -> Note | None:
    """Write (or, with an empty text, remove) the 解读 of a published policy; audited."""
    find(ctx.platform, ctx.platform.today(), pack, policy)  # a published policy, or 404
    text = text.strip()[:20_000]
    with ctx.db.write() as s:
        row = s.scalars(select(PolicyNote).where(PolicyNote.pack == pack,
                                                 PolicyNote.policy == policy)).first()
        before = row.text if row else None
        if not text:
            if row is not None:
                s.delete(row)
            record(s, ctx, "policy.note", target=f"{pack}/{policy}", before=before, after=None)
            return None
        if row is None:
            row = PolicyNote(pack=pack, policy=policy, text=text, updated_at=ctx.now(),
                             updated_by=ctx.actor.username)
            s.add(row)
        else:
            row.text, row.updated_at, row.updated_by = text, ctx.now(), ctx.actor.username
        record(s, ctx, "policy.note", target=f"{pack}/{policy}", before=before, after=text)
        return Note(row.text, row.updated_at, row.updated_by)


__all__ = ["KINDS", "STATES", "Entry", "Note", "entries", "find", "note", "search",
           "write_note"]
