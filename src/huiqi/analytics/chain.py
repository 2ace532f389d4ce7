"""Industry-chain maps: a chain declared as segments from upstream to downstream (YAML in
``huiqi/analytics/chains/``), the park's enterprises mapped to segments, chain leaders
marked, counts, revenue and growth per segment, and the gaps as a 招商 target list.

Mapping, in order: a staff decision (include or exclude, and 链主), else the enterprise's
products — its offers in the supply-demand market, whose categories are the shared
vocabulary's (:mod:`huiqi.analytics.market`) — else a keyword of the segment in the
enterprise's name (the registry holds no product list; the name stands for the products of
a firm that has listed none), else the segment's industry code. The first segment that
matches wins, upstream first. Revenue is summed exactly (Decimal yuan, rounded half-even
to the fen only when shown).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import func, select

from huiqi.errors import InputError, NotFoundError
from huiqi.service.audit import record
from huiqi.service.context import Context, requires
from huiqi.service.permissions import Permission
from huiqi.store.models import Entity, FactValue
from huiqi.text import Text, text_of

from .market import vocabulary
from .models import ChainMember, MarketListing
from .schemas import ChainFirm, ChainMap, Label, MemberDecision, SegmentPublic, Target


@dataclass(frozen=True)
class Segment:
    key: str
    label: Text
    industries: tuple[str, ...]
    keywords: tuple[str, ...]
    min_firms: int
    attract: tuple[Text, ...]
    products: tuple[str, ...] = ()  # categories of the market's vocabulary


@dataclass(frozen=True)
class Chain:
    key: str
    label: Text
    segments: tuple[Segment, ...]

    def segment(self, key: str) -> Segment:
        for s in self.segments:
            if s.key == key:
                return s
        raise NotFoundError(Text("产业链环节", "chain segment"), key, [s.key for s in self.segments])


def _lbl(t: Text) -> Label:
    return Label(zh=t.zh, en=t.en)


@functools.cache
def chains() -> dict[str, Chain]:
    out: dict[str, Chain] = {}
    for f in resources.files("huiqi.analytics").joinpath("chains").iterdir():
        if not f.name.endswith(".yaml"):
            continue
        out.update([parse(yaml.safe_load(f.read_text(encoding="utf-8")))])
    return out


def parse(doc: dict[str, Any]) -> tuple[str, Chain]:
    """A chain from its YAML document; a product category outside the market's vocabulary
    is refused (the chain and the market must speak of the same things)."""
    known = vocabulary()["categories"]
    segs = []
    for s in doc["segments"]:
        unknown = sorted(set(s.get("products", [])) - set(known))
        if unknown:
            raise InputError(Text(f"产业链 {doc['key']} 的环节 {s['key']} 引用了统一词表中没有的产品类别"
                                  f" {unknown[0]}",
                                  f"Segment {s['key']} of chain {doc['key']} names a product "
                                  f"category the vocabulary lacks: {unknown[0]}"))
        segs.append(Segment(str(s["key"]), text_of(s["label"]), tuple(s.get("industries", [])),
                            tuple(s.get("keywords", [])), int(s.get("min_firms", 1)),
                            tuple(text_of(a) for a in s.get("attract", [])),
                            tuple(s.get("products", []))))
    return str(doc["key"]), Chain(str(doc["key"]), text_of(doc["label"]), tuple(segs))


def get(key: str) -> Chain:
    c = chains().get(key)
    if c is None:
        raise NotFoundError(Text("产业链", "chain"), key, list(chains()))
    return c


def _auto(chain: Chain, name: str, industry: str | None, products: Iterable[str] = ()
          ) -> tuple[str, str] | None:
    made = set(products)
    for s in chain.segments:
        if made.intersection(s.products):
            return s.key, "product"
    for s in chain.segments:
        if any(k in name for k in s.keywords):
            return s.key, "keyword"
    for s in chain.segments:
        if industry is not None and industry in s.industries:
            return s.key, "industry"
    return None


def _members(ctx: Context, chain: Chain, park: str | None
             ) -> dict[str, list[tuple[Entity, str, bool]]]:
    with ctx.db.read() as s:
        q = select(Entity).where(Entity.kind == "enterprise")
        if park:
            q = q.where(Entity.park == park)
        entities = list(s.scalars(q))
        decisions = {(d.entity_id): d for d in s.scalars(
            select(ChainMember).where(ChainMember.chain == chain.key))}
        products: dict[int, set[str]] = {}
        for eid, category in s.execute(select(MarketListing.entity_id, MarketListing.category)
                                       .where(MarketListing.side == "offer").distinct()):
            products.setdefault(eid, set()).add(category)
    out: dict[str, list[tuple[Entity, str, bool]]] = {s.key: [] for s in chain.segments}
    decided_ids = set()
    for e in entities:
        d = decisions.get(e.id)
        if d is not None:
            decided_ids.add(e.id)
            if d.decision == "include" and d.segment in out:
                out[d.segment].append((e, "staff", d.leader))
            continue
        hit = _auto(chain, e.name, e.industry, products.get(e.id, ()))
        if hit is not None:
            out[hit[0]].append((e, hit[1], False))
    return out


def _revenue(ctx: Context, ids: list[int], year: int) -> dict[tuple[int, int], Decimal]:
    if not ids:
        return {}
    with ctx.db.read() as s:
        latest = (select(func.max(FactValue.id)).where(
            FactValue.entity_id.in_(ids), FactValue.fact == "revenue",
            FactValue.year.in_([year, year - 1])).group_by(FactValue.entity_id, FactValue.year))
        rows = s.execute(select(FactValue.entity_id, FactValue.year, FactValue.value_number)
                         .where(FactValue.id.in_(latest))).all()
    return {(r[0], r[1]): Decimal(r[2]) for r in rows if r[2] is not None}


FEN = Decimal("0.01")


def yuan(v: Decimal | None) -> str | None:
    """An amount in yuan to the fen (half-even), as text; None stays None."""
    return None if v is None else format(v.quantize(FEN, ROUND_HALF_EVEN), "f")


def _growth(rev: dict[tuple[int, int], Decimal], ids: list[int], year: int) -> float | None:
    """Growth in % over the enterprises reporting both years (a ratio, rounded to 2 places)."""
    both = [i for i in ids if (i, year) in rev and (i, year - 1) in rev]
    before = sum((rev[(i, year - 1)] for i in both), Decimal(0))
    if not both or before <= 0:
        return None
    after = sum((rev[(i, year)] for i in both), Decimal(0))
    return float((100 * (after / before - 1)).quantize(FEN, ROUND_HALF_EVEN))


@requires(Permission.ANALYTICS_READ)
def chain_map(ctx: Context, key: str, year: int, park: str | None = None) -> ChainMap:
    """The chain's segments with their enterprises, leaders, revenue and growth in ``year``
    (revenue in yuan; growth over the enterprises reporting both years; None: no data)."""
    chain = get(key)
    members = _members(ctx, chain, park)
    ids = [e.id for m in members.values() for e, _, _ in m]
    rev = _revenue(ctx, ids, year)
    segments = []
    for pos, seg in enumerate(chain.segments):
        firms = members[seg.key]
        seg_ids = [e.id for e, _, _ in firms]
        revenues = [rev[(i, year)] for i in seg_ids if (i, year) in rev]
        segments.append(SegmentPublic(
            key=seg.key, label=_lbl(seg.label), position=pos, firms=len(firms),
            leaders=sum(1 for _, _, lead in firms if lead),
            revenue=yuan(sum(revenues, Decimal(0))) if revenues else None,
            growth=_growth(rev, seg_ids, year),
            members=sorted((ChainFirm(code=e.credit_code, name=e.name, basis=basis, leader=lead,
                                      revenue=yuan(rev.get((e.id, year))),
                                      growth=_growth(rev, [e.id], year))
                            for e, basis, lead in firms),
                           key=lambda f: (not f.leader, -Decimal(f.revenue or 0), f.code))))
    links = [(a.key, b.key) for a, b in zip(chain.segments, chain.segments[1:], strict=False)]
    return ChainMap(key=chain.key, label=_lbl(chain.label), year=year, park=park or "",
                    segments=segments, links=links)


@requires(Permission.ANALYTICS_READ)
def targets(ctx: Context, key: str, year: int, park: str | None = None) -> list[Target]:
    """The chain's gaps as a 招商 list: segments with fewer firms than declared, without a
    chain leader, or shrinking; with the kinds of firms to attract, the worst first."""
    chain = get(key)
    m = chain_map(ctx, key, year, park)
    out = []
    for seg, pub in zip(chain.segments, m.segments, strict=True):
        reasons = []
        priority = 0
        if pub.firms < seg.min_firms:
            reasons.append(Text(f"企业数 {pub.firms} 少于 {seg.min_firms}",
                                f"{pub.firms} firms, fewer than {seg.min_firms}"))
            priority += 2 if pub.firms == 0 else 1
        if pub.leaders == 0:
            reasons.append(Text("没有链主企业", "no chain leader"))
            priority += 1
        if pub.growth is not None and pub.growth < 0:
            reasons.append(Text(f"营业收入下降 {-pub.growth:.1f}%",
                                f"revenue fell {-pub.growth:.1f}%"))
            priority += 1
        if reasons:
            out.append(Target(chain=chain.key, segment=seg.key, label=_lbl(seg.label),
                              reasons=[_lbl(r) for r in reasons],
                              attract=[_lbl(a) for a in seg.attract], firms=pub.firms,
                              priority=priority))
    out.sort(key=lambda t: (-t.priority, t.segment))
    return out


@requires(Permission.ANALYTICS_EDIT)
def decide(ctx: Context, key: str, body: MemberDecision) -> None:
    """Staff's decision about an enterprise in a segment (audited); it overrides the
    automatic mapping. A leader must be included."""
    chain = get(key)
    chain.segment(body.segment)
    if body.leader and body.decision != "include":
        raise InputError(Text("链主必须纳入该环节", "A chain leader must be included"))
    code = body.credit_code.strip().upper()
    with ctx.db.write() as s:
        e = s.scalar(select(Entity).where(Entity.credit_code == code))
        if e is None:
            raise NotFoundError(Text("企业", "enterprise"), code)
        row = s.scalar(select(ChainMember).where(ChainMember.chain == key,
                                                 ChainMember.entity_id == e.id))
        before: Any = None
        if row is None:
            row = ChainMember(chain=key, segment=body.segment, entity_id=e.id,
                              decision=body.decision, leader=body.leader, note=body.note,
                              decided_at=ctx.now(), decided_by=ctx.actor.username)
            s.add(row)
        else:
            before = {"segment": row.segment, "decision": row.decision, "leader": row.leader}
            row.segment, row.decision, row.leader = body.segment, body.decision, body.leader
            row.note, row.decided_at, row.decided_by = body.note, ctx.now(), ctx.actor.username
        s.flush()
        record(s, ctx, "analytics.chain.decide", target=f"chain:{key}:{code}", before=before,
               after={"segment": body.segment, "decision": body.decision,
                      "leader": body.leader})


@requires(Permission.ANALYTICS_READ)
def list_chains(ctx: Context) -> list[dict[str, Any]]:
    return [{"key": c.key, "label": _lbl(c.label).model_dump(),
             "segments": [s.key for s in c.segments]} for c in chains().values()]
