"""The demo's programmes (``huiqi init-demo``): real programmes on the seed pack's clauses,
with applications in every stage, made by replaying the steps on a clock that moves
through the weeks before the demo's date (so that every deadline and 公示 period is real):

- 桂林市市长质量奖 (competitive, a panel of five, at most 2 winners, ¥500,000, may stay
  vacant, valid 4 years): last year's round decided and paid; this year's open, with
  drafts, a return for correction, and a panel at work (one reviewer recused);
- 宁波高新区贯标认证补助 (普惠, formal review, payment): one application in each state;
- 厦门火炬创新平台兑付奖励 (免申即享): listed from the data, confirmed with an exclusion,
  公示, granted and partly paid.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from huiqi.clock import day_start
from huiqi.errors import HuiqiError
from huiqi.facts.catalogue import default_catalogue
from huiqi.service.context import Actor, Context, Platform
from huiqi.service.permissions import Role
from huiqi.store.models import Entity, MatchResult

from . import applications as A
from . import automatic, calls, reviews
from .panel import GUILIN
from .schemas import (
    ConflictAnswer,
    FactsConfirm,
    HonourSpec,
    MaterialSpec,
    PaymentIn,
    ProgrammeCreate,
    RubricSpec,
    ScoreIn,
)

PDF = b"%PDF-1.4\n% huiqi demo material\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
REPORT = MaterialSpec(kind="report", label_zh="自评报告", label_en="Self-assessment report")
CERT = MaterialSpec(kind="certificate", label_zh="认证证书", label_en="Certificate")


class Demo:
    """A platform on a clock the demo moves, and contexts of each role."""

    def __init__(self, platform: Platform, reviewers: list[str], log: Callable[[str], None]) -> None:
        self.now = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        self.platform = Platform(platform.db, platform.settings.model_copy(update={"as_of": None}),
                                 clock=lambda: self.now, cache=platform.cache, lock=platform.lock)
        self.reviewers = reviewers
        self.log = log

    def at(self, day: dt.date) -> None:
        self.now = day_start(day).astimezone(dt.UTC) + dt.timedelta(hours=10)

    def staff(self, role: str = "case_officer") -> Context:
        return self.platform.as_actor(Actor(username=f"demo_{role}", role=Role(role)))

    def firm(self, code: str, entity_id: int) -> Context:
        return self.platform.as_actor(Actor(username=f"demo_enterprise_{code[-6:]}", role=Role.ENTERPRISE,
                                            entity_id=entity_id, entity_code=code))

    def reviewer(self, name: str) -> Context:
        return self.platform.as_actor(Actor(username=name, role=Role.REVIEWER))


def _candidates(platform: Platform, clause: str, limit: int, first: str | None) -> list[tuple[str, int]]:
    """Enterprises the stored results do not rule out for ``clause`` (the demo's enterprise
    user's first, if it is among them)."""
    with platform.db.read() as s:
        rows = s.execute(select(Entity.credit_code, Entity.id).join(
            MatchResult, MatchResult.entity_id == Entity.id).where(
            MatchResult.clause_key == clause, MatchResult.status.in_(("eligible", "needs_review")),
            Entity.kind == "enterprise").order_by(Entity.credit_code).distinct()).all()
    out = [(c, i) for c, i in rows]
    out.sort(key=lambda r: r[0] != first)
    return out[:limit]


def _ready(d: Demo, key: str, code: str, eid: int, materials: list[str]) -> int | None:
    """A draft with the facts confirmed (records nobody gave confirmed as none) and the
    materials uploaded; None if the enterprise cannot apply."""
    me = d.firm(code, eid)
    try:
        app = A.start(me, key, code)
        cat = default_catalogue()
        fill: dict[str, Any] = {}
        for k, v in app.facts.items():
            f = cat.facts.get(k.split("@")[0])
            if v is None and f is not None and f.kind == "records":
                fill[k] = []
        if fill:
            A.confirm_facts(me, app.id, FactsConfirm(facts=fill))
        for kind in materials:
            A.upload(me, app.id, kind, f"{kind}.pdf", PDF)
        return app.id
    except HuiqiError as exc:
        d.log(f"  · {code}: {exc.message('zh')}")
        return None


def _submitted(d: Demo, key: str, code: str, eid: int, materials: list[str]) -> int | None:
    app = _ready(d, key, code, eid, materials)
    if app is None:
        return None
    try:
        A.move(d.firm(code, eid), app, "submit")
    except HuiqiError as exc:
        d.log(f"  · {code}: {exc.message('zh')}")
        return None
    return app


def _score_all(d: Demo, app: int, values: list[int], recuse: str | None = None) -> None:
    for name, v in zip(d.reviewers, values, strict=False):
        r = d.reviewer(name)
        if name == recuse:
            reviews.answer_conflict(r, app, ConflictAnswer(conflict=True, reason="近4年曾为该企业提供咨询服务"))
            continue
        reviews.answer_conflict(r, app, ConflictAnswer(conflict=False))
        scores = {c.id: str(max(0, min(100, v + (i % 3) - 1))) for i, c in enumerate(GUILIN.criteria)}
        reviews.score(r, app, ScoreIn(scores=scores, comment="材料完整,指标可信。"))


def _guilin(d: Demo, day: dt.date, first: str | None) -> None:
    firms = _candidates(d.platform, "gl-mayor-quality/award", 12, first)
    if len(firms) < 4:
        d.log("桂林市市长质量奖:可申报企业不足,跳过 / too few enterprises, skipped")
        return
    rubric = RubricSpec.model_validate(GUILIN.to_json())
    common: dict[str, Any] = dict(
        pack="seed", clause="gl-mayor-quality/award", mode="competitive", budget="1000000",
        materials=[REPORT], rubric=rubric, reviewers=d.reviewers,
        honour=HonourSpec(fact="awards", kind="quality", level="municipal"))
    # two years ago: nobody reached the pass mark, the award stayed vacant; last year: two
    # winners, 公示, granted, one paid (their award is now a fact the rule reads)
    _decided_round(d, day.replace(month=6, day=15) - dt.timedelta(days=730), firms[8:10], common,
                   [[72, 70, 75, 68, 74], [65, 70, 71, 69, 60]])
    _decided_round(d, day.replace(month=6, day=15) - dt.timedelta(days=365), firms[4:8], common,
                   [[92, 90, 88, 91, 85], [86, 84, 82, 85, 79], [80, 78, 76, 79, 73], [74, 72, 70, 73, 67]])
    # this year's round: open, in every stage before the decision
    d.at(day - dt.timedelta(days=20))
    key = f"gl-quality-{day.year}"
    calls.create(d.staff("policy_officer"), ProgrammeCreate(
        key=key, title_zh=f"{day.year}年桂林市市长质量奖", title_en=f"Guilin Mayor's Quality Award {day.year}",
        year=day.year, opens_on=day - dt.timedelta(days=30), closes_on=day + dt.timedelta(days=25),
        **common))
    now_firms = [f for f in firms if f not in firms[4:8]]
    staged = [a for a in (_submitted(d, key, c, i, ["report"]) for c, i in now_firms[:5]) if a]
    for a in staged[:3]:
        A.move(d.staff(), a, "pass")
    if staged:
        _score_all(d, staged[0], [93, 88, 90, 86, 95], recuse=d.reviewers[4])
    if len(staged) > 1:
        _score_all(d, staged[1], [80, 84])   # two of five done
    if len(staged) > 3:
        d.at(day - dt.timedelta(days=3))
        A.move(d.staff(), staged[3], "return", reason="自评报告缺少法定代表人签字页,请补正后重新提交。")
    for c, i in now_firms[5:6]:
        _ready(d, key, c, i, [])   # a draft, nothing uploaded yet
    d.log(f"✓ 桂林市市长质量奖 / Guilin award: {key}")


def _decided_round(d: Demo, when: dt.date, firms: list[tuple[str, int]], common: dict[str, Any],
                   marks: list[list[int]]) -> None:
    d.at(when - dt.timedelta(days=10))
    key = f"gl-quality-{when.year}"
    calls.create(d.staff("policy_officer"), ProgrammeCreate(
        key=key, title_zh=f"{when.year}年桂林市市长质量奖", title_en=f"Guilin Mayor's Quality Award {when.year}",
        year=when.year, opens_on=when - dt.timedelta(days=20), closes_on=when + dt.timedelta(days=10),
        **common))
    apps = [a for a in (_submitted(d, key, c, i, ["report"]) for c, i in firms) if a]
    for a in apps:
        A.move(d.staff(), a, "pass")
    for n, (a, values) in enumerate(zip(apps, marks, strict=False)):
        _score_all(d, a, values, recuse=d.reviewers[4] if n == 1 else None)
    d.at(when)
    reviews.decide(d.staff(), key)
    automatic.publicise_all(d.staff(), key)
    d.at(when + dt.timedelta(days=14))
    automatic.grant_all(d.staff(), key)
    for won in A.list_for(d.staff(), programme=key, state="granted")[:1]:
        A.pay(d.staff(), won.id, PaymentIn(amount=won.amount or "0", paid_on=d.now.date(),
                                           reference="桂财拨〔demo〕1号"))
    d.log(f"✓ {key}")


def _ningbo(d: Demo, day: dt.date, first: str | None) -> None:
    firms = _candidates(d.platform, "nbgx-ip/ip_mgmt_cert", 12, first)
    if not firms:
        d.log("宁波贯标补助:无符合企业,跳过 / nobody eligible, skipped")
        return
    start = day - dt.timedelta(days=40)
    d.at(start)
    key = f"nb-ip-cert-{day.year}"
    calls.create(d.staff("policy_officer"), ProgrammeCreate(
        key=key, title_zh=f"{day.year}年宁波高新区知识产权贯标认证补助",
        title_en=f"Ningbo IP-management certification subsidy {day.year}", pack="seed",
        clause="nbgx-ip/ip_mgmt_cert", mode="universal", year=day.year, opens_on=start,
        closes_on=day + dt.timedelta(days=40), budget="200000", materials=[CERT],
        exclusive_group="nbgx-ip", enterprise_year_cap="500000"))
    # one enterprise per final state, the furthest first; each later one stops a step earlier
    stops = ["paid", "review", "returned", "publicised", "submitted", "granted", "closed",
             "selected", "rejected", "withdrawn", "draft"]
    for (code, eid), stop in zip(firms, stops, strict=False):
        d.at(start + dt.timedelta(days=1))
        if stop == "draft":
            _ready(d, key, code, eid, [])
            continue
        app = _submitted(d, key, code, eid, ["certificate"])
        if app is None or stop == "submitted":
            continue
        me, officer = d.firm(code, eid), d.staff()
        if stop == "returned":
            d.at(day - dt.timedelta(days=2))
            A.move(officer, app, "return", reason="认证证书扫描件不清晰,请重新上传。")
            continue
        if stop == "withdrawn":
            A.move(me, app, "withdraw", reason="本年度不再申报")
            continue
        if stop == "rejected":
            A.move(officer, app, "reject", reason="认证机构不在认可名录内。")
            continue
        d.at(start + dt.timedelta(days=5))
        A.move(officer, app, "pass")
        if stop == "review":
            continue
        reviews.select_one(officer, app)
        if stop == "selected":
            continue
        d.at(day - dt.timedelta(days=(20 if stop != "publicised" else 1)))
        A.move(officer, app, "publicise")
        if stop == "publicised":
            continue
        d.at(day - dt.timedelta(days=10))
        A.move(officer, app, "grant")
        if stop == "granted":
            continue
        A.pay(officer, app, PaymentIn(amount="20000", paid_on=d.now.date(), reference="甬高财拨〔demo〕"))
        if stop == "closed":
            A.move(officer, app, "close")
    d.log(f"✓ 宁波贯标补助 / Ningbo subsidy: {key}")


def _xiamen(d: Demo, day: dt.date) -> None:
    d.at(day - dt.timedelta(days=25))
    key = f"xm-platform-bonus-{day.year}"
    calls.create(d.staff("policy_officer"), ProgrammeCreate(
        key=key, title_zh=f"{day.year}年火炬创新平台兑付奖励(免申即享)",
        title_en=f"Torch platform bonus {day.year} (no application)", pack="seed",
        clause="xm-torch-voucher/platform_bonus", mode="automatic", year=day.year,
        opens_on=day - dt.timedelta(days=30), closes_on=day + dt.timedelta(days=30), budget="2000000"))
    officer = d.staff()
    n = automatic.propose(officer, key)
    if n:
        proposed = A.list_for(officer, programme=key, state="proposed")
        excluded = [{"enterprise": proposed[0].enterprise, "reason": "本期兑付记录存在争议,待核实后再议"}] \
            if len(proposed) > 2 else []
        from .schemas import AutomaticConfirm

        automatic.confirm(officer, key, AutomaticConfirm.model_validate({"exclusions": excluded}))
        automatic.publicise_all(officer, key)
        d.at(day - dt.timedelta(days=5))
        automatic.grant_all(officer, key)
        granted = A.list_for(officer, programme=key, state="granted")
        for a in granted[:max(1, len(granted) // 3)] if len(granted) > 1 else []:
            A.pay(officer, a.id, PaymentIn(amount=str(Decimal(a.amount or 0)), paid_on=d.now.date(),
                                           reference="厦火炬财拨〔demo〕"))
    d.log(f"✓ 厦门火炬平台奖励 / Xiamen platform bonus: {key} ({n} listed)")


def create(platform: Platform, day: dt.date, reviewers: list[str], first: str | None,
           log: Callable[[str], None]) -> None:
    """Every demo programme, each on its own (one that cannot be made is reported and
    skipped, the others still made)."""
    d = Demo(platform, reviewers, log)
    steps: list[Callable[[], None]] = [lambda: _guilin(d, day, first), lambda: _ningbo(d, day, first),
                                       lambda: _xiamen(d, day)]
    for make in steps:
        try:
            make()
        except HuiqiError as exc:
            log(f"✗ {exc.message('zh')} / {exc.message('en')}")
