"""揭榜挂帅 challenge lists (issue 13 item 2): a list of tasks published by the park, each
a chip described in the supply-demand market's vocabulary (:mod:`huiqi.analytics.market`,
so car makers' recorded needs and the list speak of the same things), applied for by teams
from anywhere in China alone or as a consortium, selected by a panel on weighted criteria
(the programmes' rubric), one winner or several (赛马), paid in stages as milestones are
accepted. The list's budget holds: the list's row is locked while selecting, and the
awards of its winners never sum above it.
"""

from __future__ import annotations

import hashlib
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huiqi.analytics.market import check_description, vocabulary
from huiqi.analytics.models import MarketListing
from huiqi.errors import Conflict, InputError, NotFoundError
from huiqi.messages import message
from huiqi.programmes.applications import CONTENT_TYPES, MAGIC
from huiqi.programmes.panel import Criterion, Rubric, aggregate
from huiqi.service.audit import record
from huiqi.service.context import Context, requires
from huiqi.service.permissions import Permission, Scope
from huiqi.store.database import Database
from huiqi.store.stored_file import stored
from huiqi.text import Text

from .models import (
    ChallengeAgreement,
    ChallengeApplication,
    ChallengeList,
    ChallengeMilestone,
    ChallengeTask,
)
from .schemas import (
    ApplicationOut,
    ChallengeApply,
    ChallengeListCreate,
    ChallengeListOut,
    MilestoneAccept,
    Selection,
    TaskCreate,
    TaskOut,
)

LIST = Text("榜单", "challenge list")
TASK = Text("榜单任务", "task")
APP = Text("揭榜申请", "application")
FEN = Decimal("0.01")
#: the agreement's accepted types: content type and first bytes, as for the programmes' materials
AGREEMENT_TYPES = {k: (CONTENT_TYPES[k], MAGIC[k]) for k in ("pdf", "docx", "ofd")}
AGREEMENT_MAX = 20 * 1024 * 1024
ZERO = Decimal(0)

#: Beijing's criteria (PRODUCT.md: technical maturity, mass-producibility, team capability,
#: responsiveness to the indicators); the weights are not in any source reached — assumed
BEIJING_CRITERIA = [
    {"id": "maturity", "label_zh": "技术成熟度", "label_en": "Technical maturity", "weight": "30",
     "assumed": True},
    {"id": "mass_production", "label_zh": "量产能力", "label_en": "Mass-producibility",
     "weight": "25", "assumed": True},
    {"id": "team", "label_zh": "团队能力", "label_en": "Team capability", "weight": "20",
     "assumed": True},
    {"id": "indicators", "label_zh": "指标响应度", "label_en": "Responsiveness to the indicators",
     "weight": "25", "assumed": True},
]


def money(v: Decimal | None) -> str:
    return format(Decimal(v or 0).quantize(FEN), "f")


def _dec(v: str, name: str) -> Decimal:
    d = Decimal(v)
    if d < 0 or d != d.quantize(FEN):
        raise InputError(message("programme.bad_number", name=name, value=v))
    return d


def _list(s: Session, key: str, *, lock: bool = False) -> ChallengeList:
    stmt = select(ChallengeList).where(ChallengeList.key == key)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    row = s.scalar(stmt)
    if row is None:
        raise NotFoundError(LIST, key)
    return row


def _task(s: Session, task_id: int) -> ChallengeTask:
    t = s.get(ChallengeTask, task_id)
    if t is None:
        raise NotFoundError(TASK, str(task_id))
    return t


def rubric(cl: ChallengeList) -> Rubric:
    r = cl.rubric
    return Rubric(criteria=tuple(Criterion(c["id"], Text(c["label_zh"], c["label_en"]),
                                           Decimal(c["weight"]), bool(c.get("assumed")))
                                 for c in r["criteria"]),
                  pass_mark=Decimal(r["pass_mark"]), aggregation=r.get("aggregation", "mean"))


def committed(s: Session, list_id: int) -> Decimal:
    """The awards of the list's winners."""
    v = s.scalar(select(func.sum(ChallengeApplication.award)).join(
        ChallengeTask, ChallengeTask.id == ChallengeApplication.task_id).where(
        ChallengeTask.list_id == list_id, ChallengeApplication.state == "selected"))
    return Decimal(v or 0).quantize(FEN)


def _paid(s: Session, list_id: int) -> Decimal:
    v = s.scalar(select(func.sum(ChallengeApplication.paid)).join(
        ChallengeTask, ChallengeTask.id == ChallengeApplication.task_id).where(
        ChallengeTask.list_id == list_id))
    return Decimal(v or 0).quantize(FEN)


# ---------------------------------------------------------------------- the list

@requires(Permission.VOUCHER_MANAGE)
def create_list(ctx: Context, data: ChallengeListCreate) -> ChallengeListOut:
    with ctx.db.write() as s:
        if s.scalar(select(ChallengeList.id).where(ChallengeList.key == data.key)):
            raise Conflict("challenge.exists", key=data.key)
        cl = ChallengeList(key=data.key, title_zh=data.title_zh, title_en=data.title_en,
                           issuer=data.issuer, budget=_dec(data.budget, "budget"), state="draft",
                           opens_on=data.opens_on, closes_on=data.closes_on,
                           rubric={"criteria": [c.model_dump() for c in data.criteria],
                                   "pass_mark": data.pass_mark, "aggregation": "mean"},
                           created_at=ctx.now(), created_by=ctx.actor.username)
        s.add(cl)
        s.flush()
        rubric(cl)
        record(s, ctx, "challenge.create", target=f"challenge_list:{cl.key}",
               after={"budget": money(cl.budget)})
        return _out(s, cl)


@requires(Permission.VOUCHER_MANAGE)
def add_task(ctx: Context, key: str, data: TaskCreate) -> TaskOut:
    """A task of a draft list, in the market's vocabulary; the tasks' shares stay within
    the list's budget and the milestones' shares sum to one."""
    check_description(data.category, data.indicators, list(data.qualifications))
    if sum((Decimal(m.share) for m in data.milestones), ZERO) != 1:
        raise InputError(message("challenge.milestone_shares"))
    budget = _dec(data.budget, "budget")
    with ctx.db.write() as s:
        cl = _list(s, key, lock=True)
        if cl.state != "draft":
            raise Conflict("challenge.state", state=cl.state)
        planned = Decimal(s.scalar(select(func.sum(ChallengeTask.budget)).where(
            ChallengeTask.list_id == cl.id)) or 0)
        if planned + budget > cl.budget:
            raise Conflict("challenge.budget_exceeded", budget=money(cl.budget),
                           total=money(planned + budget))
        t = ChallengeTask(list_id=cl.id, code=data.code, group_zh=data.group_zh,
                          title_zh=data.title_zh, title_en=data.title_en, category=data.category,
                          indicators=data.indicators, qualifications=list(data.qualifications),
                          packaging=data.packaging, deliverables=list(data.deliverables),
                          period_months=data.period_months, budget=budget, winners=data.winners,
                          milestones=[m.model_dump() for m in data.milestones])
        s.add(t)
        s.flush()
        record(s, ctx, "challenge.task", target=f"challenge_task:{t.id}",
               after={"list": cl.key, "code": t.code, "budget": money(budget)})
        return _task_out(s, t)


@requires(Permission.VOUCHER_MANAGE)
def publish(ctx: Context, key: str) -> ChallengeListOut:
    with ctx.db.write() as s:
        cl = _list(s, key, lock=True)
        if cl.state != "draft":
            raise Conflict("challenge.state", state=cl.state)
        cl.state = "published"
        record(s, ctx, "challenge.publish", target=f"challenge_list:{cl.key}")
        return _out(s, cl)


def public(db: Database, key: str) -> ChallengeListOut:
    """A published list as anyone may see it (no sign-in)."""
    with db.read() as s:
        cl = _list(s, key)
        if cl.state == "draft":
            raise NotFoundError(LIST, key)
        return _out(s, cl)


def published_lists(db: Database) -> list[ChallengeListOut]:
    with db.read() as s:
        return [_out(s, cl) for cl in s.scalars(select(ChallengeList).where(
            ChallengeList.state != "draft").order_by(ChallengeList.opens_on.desc()))]


@requires(Permission.VOUCHER_READ)
def get_list(ctx: Context, key: str) -> ChallengeListOut:
    with ctx.db.read() as s:
        return _out(s, _list(s, key))


# ---------------------------------------------------------------------- applications

def _agreement_file(name: str, content: bytes) -> tuple[str, str]:
    """The agreement's content type and digest, if it is a file of an accepted type and size."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = AGREEMENT_TYPES.get(suffix)
    if kind is None or not content.startswith(kind[1]):
        raise InputError(message("programme.material_type", name=name[:100],
                                 types="、".join(AGREEMENT_TYPES)))
    if not content or len(content) > AGREEMENT_MAX:
        raise InputError(message("programme.material_size", name=name[:100], size=len(content),
                                 max=AGREEMENT_MAX))
    return kind[0], hashlib.sha256(content).hexdigest()


@requires(Permission.VOUCHER_USE)
def apply(ctx: Context, task_id: int, data: ChallengeApply,
          agreement: tuple[str, bytes] | None = None) -> ApplicationOut:
    """An application, alone or as a consortium (the agreement required with members: its
    file — kept with its SHA-256 — or, through the API, its digest). An applicant — lead or
    member — appears in one application per task."""
    if ctx.scope(Permission.VOUCHER_USE) is Scope.OWN and data.lead_code != ctx.actor.entity_code:
        ctx.refuse(Permission.VOUCHER_USE, f"enterprise:{data.lead_code}")
    upload: tuple[str, str, str, bytes] | None = None
    if agreement is not None:
        ctype, digest = _agreement_file(*agreement)
        upload = (agreement[0][:255], ctype, digest, agreement[1])
        data = data.model_copy(update={"agreement_sha256": digest,
                                       "agreement_name": agreement[0][:255]})
    if data.members and not data.agreement_sha256:
        raise InputError(message("challenge.agreement_needed"))
    codes = [data.lead_code, *(m.code for m in data.members)]
    if len(set(codes)) != len(codes):
        raise InputError(message("challenge.twice", who=data.lead_code))
    try:
        with ctx.db.write() as s:
            t = _task(s, task_id)
            cl = s.get_one(ChallengeList, t.list_id)
            day = ctx.platform.today()
            if cl.state != "published" or not cl.opens_on <= day <= cl.closes_on:
                raise Conflict("challenge.closed", key=cl.key)
            for other in s.scalars(select(ChallengeApplication).where(
                    ChallengeApplication.task_id == t.id)):
                taken = {other.lead_code, *(m["code"] for m in other.members or [])}
                both = taken & set(codes)
                if both:
                    raise Conflict("challenge.applied", who=sorted(both)[0], task=t.code)
            a = ChallengeApplication(
                task_id=t.id, lead_code=data.lead_code, lead_name=data.lead_name,
                province=data.province, members=[m.model_dump() for m in data.members],
                agreement_sha256=data.agreement_sha256, agreement_name=data.agreement_name,
                proposal=data.proposal, state="submitted", paid=ZERO, submitted_at=ctx.now(),
                submitted_by=ctx.actor.username)
            s.add(a)
            s.flush()
            if upload is not None:
                s.add(ChallengeAgreement(application_id=a.id, file_name=upload[0],
                                         **stored(upload[3], upload[1], ctx.actor.username,
                                                  ctx.now())))
            record(s, ctx, "challenge.apply", target=f"challenge_application:{a.id}",
                   after={"task": t.code, "lead": a.lead_code, "members": len(data.members),
                          "agreement_sha256": data.agreement_sha256})
            return _app_out(s, a)
    except IntegrityError as exc:
        raise Conflict("challenge.applied", who=data.lead_code, task=str(task_id)) from exc


def _mine(ctx: Context, a: ChallengeApplication) -> bool:
    me = ctx.actor.entity_code
    return a.lead_code == me or any(m["code"] == me for m in a.members or [])


@requires(Permission.VOUCHER_READ)
def agreement(ctx: Context, app_id: int) -> tuple[str, str, bytes]:
    """The consortium agreement's name, type and bytes — only for those who may see the
    application (the park's staff; an enterprise that is its lead or a member)."""
    with ctx.db.read() as s:
        a = s.get(ChallengeApplication, app_id)
        if a is None or (ctx.scope(Permission.VOUCHER_READ) is Scope.OWN and not _mine(ctx, a)):
            raise NotFoundError(APP, str(app_id))
        f = s.scalar(select(ChallengeAgreement).where(ChallengeAgreement.application_id == a.id))
        if f is None:
            raise NotFoundError(Text("联合体协议", "consortium agreement"), str(app_id))
        return f.file_name, f.content_type, f.content


@requires(Permission.VOUCHER_READ)
def lists(ctx: Context) -> list[ChallengeListOut]:
    """Every list (an enterprise: the published ones), the newest first."""
    with ctx.db.read() as s:
        stmt = select(ChallengeList).order_by(ChallengeList.opens_on.desc(), ChallengeList.key)
        if ctx.scope(Permission.VOUCHER_READ) is Scope.OWN:
            stmt = stmt.where(ChallengeList.state != "draft")
        return [_out(s, cl) for cl in s.scalars(stmt)]


@requires(Permission.VOUCHER_READ)
def task(ctx: Context, task_id: int) -> tuple[ChallengeListOut, TaskOut]:
    """A task and its list (as :func:`get_list` shows it)."""
    with ctx.db.read() as s:
        t = _task(s, task_id)
        cl = s.get_one(ChallengeList, t.list_id)
        if cl.state == "draft" and ctx.scope(Permission.VOUCHER_READ) is Scope.OWN:
            raise NotFoundError(TASK, str(task_id))
        return _out(s, cl), _task_out(s, t)


@requires(Permission.VOUCHER_READ)
def applications(ctx: Context, task_id: int) -> list[ApplicationOut]:
    with ctx.db.read() as s:
        stmt = select(ChallengeApplication).where(ChallengeApplication.task_id == task_id) \
            .order_by(ChallengeApplication.rank.is_(None), ChallengeApplication.rank,
                      ChallengeApplication.id)
        rows = list(s.scalars(stmt))
        if ctx.scope(Permission.VOUCHER_READ) is Scope.OWN:
            rows = [a for a in rows if _mine(ctx, a)]
        return [_app_out(s, a) for a in rows]


@requires(Permission.VOUCHER_MANAGE)
def select_winners(ctx: Context, task_id: int, data: Selection) -> list[ApplicationOut]:
    """The panel's selection of a task: each application's weighted score (the mean of its
    reviewers'), ranked; the best at or above the pass mark win, as many as the task
    takes (赛马: several). Refused — nothing changed — if the list's winners' awards would
    pass its budget."""
    with ctx.db.write() as s:
        t = _task(s, task_id)
        cl = _list(s, s.get_one(ChallengeList, t.list_id).key, lock=True)
        r = rubric(cl)
        apps = {str(a.id): a for a in s.scalars(select(ChallengeApplication).where(
            ChallengeApplication.task_id == t.id, ChallengeApplication.state == "submitted"))}
        if not apps:
            raise Conflict("challenge.nothing_to_select", task=t.code)
        before = committed(s, cl.id)     # read before any row of this selection changes
        scored = []
        for aid, a in apps.items():
            reviews = data.reviews.get(aid)
            if not reviews:
                raise InputError(message("challenge.unscored", application=aid))
            totals = [r.weighted({k: Decimal(v) for k, v in rv.items()}) for rv in reviews]
            a.scores, a.score = reviews, aggregate(totals, r.aggregation)
            scored.append(a)
        scored.sort(key=lambda a: (-(a.score or ZERO), a.submitted_at, a.id))
        already = s.scalar(select(func.count()).select_from(ChallengeApplication).where(
            ChallengeApplication.task_id == t.id, ChallengeApplication.state == "selected")) or 0
        room = max(0, t.winners - already)
        winners = [a for a in scored if (a.score or ZERO) >= r.pass_mark][:room]
        default = (t.budget / t.winners).quantize(FEN, rounding=ROUND_DOWN)
        new = ZERO
        for i, a in enumerate(scored, start=1):
            a.rank = i
            if a in winners:
                a.state = "selected"
                a.award = _dec(data.awards[str(a.id)], "award") if str(a.id) in data.awards \
                    else default
                new += a.award
            else:
                a.state = "not_selected"
        total = before + new
        if total > cl.budget:
            raise Conflict("challenge.budget_exceeded", budget=money(cl.budget), total=money(total))
        record(s, ctx, "challenge.select", target=f"challenge_task:{t.id}",
               after={"winners": [a.id for a in winners], "awards": money(new),
                      "list_total": money(total)})
        return [_app_out(s, a) for a in scored]


@requires(Permission.VOUCHER_MANAGE)
def accept_milestone(ctx: Context, app_id: int, data: MilestoneAccept) -> ApplicationOut:
    """A milestone accepted by the reviewers named, and its staged payment (its share of
    the award; the last pays what is left). Once per milestone."""
    try:
        with ctx.db.write() as s:
            a = s.scalar(select(ChallengeApplication).where(ChallengeApplication.id == app_id)
                         .with_for_update().execution_options(populate_existing=True))
            if a is None:
                raise NotFoundError(APP, str(app_id))
            if a.state != "selected" or a.award is None:
                raise Conflict("challenge.not_selected", application=app_id)
            t = s.get_one(ChallengeTask, a.task_id)
            spec = {m["id"]: m for m in t.milestones}
            if data.milestone not in spec:
                raise NotFoundError(Text("里程碑", "milestone"), data.milestone)
            done = set(s.scalars(select(ChallengeMilestone.milestone).where(
                ChallengeMilestone.application_id == a.id)))
            if data.milestone in done:
                raise Conflict("challenge.milestone_done", milestone=data.milestone)
            last = len(done) + 1 == len(spec)
            amount = (a.award - a.paid) if last else \
                (a.award * Decimal(spec[data.milestone]["share"])).quantize(FEN, rounding=ROUND_DOWN)
            amount = min(amount, a.award - a.paid)
            s.add(ChallengeMilestone(application_id=a.id, milestone=data.milestone,
                                     accepted_on=ctx.platform.today(),
                                     accepted_by=ctx.actor.username, reviewers=data.reviewers,
                                     amount=amount, reference=data.reference))
            a.paid = a.paid + amount
            s.flush()
            record(s, ctx, "challenge.milestone", target=f"challenge_application:{a.id}",
                   after={"milestone": data.milestone, "amount": money(amount),
                          "paid": money(a.paid)})
            return _app_out(s, a)
    except IntegrityError as exc:
        raise Conflict("challenge.milestone_done", milestone=data.milestone) from exc


# ---------------------------------------------------------------------- shapes

def _needs(s: Session, category: str) -> int:
    return int(s.scalar(select(func.count()).select_from(MarketListing).where(
        MarketListing.side == "demand", MarketListing.category == category)) or 0)


def _task_out(s: Session, t: ChallengeTask) -> TaskOut:
    cat = vocabulary()["categories"].get(t.category, {})
    label = cat.get("label") or {"zh": t.category, "en": t.category}
    n = s.scalar(select(func.count()).select_from(ChallengeApplication).where(
        ChallengeApplication.task_id == t.id)) or 0
    return TaskOut(id=t.id, code=t.code, group=t.group_zh, title={"zh": t.title_zh, "en": t.title_en},
                   category=t.category, category_label=dict(label),
                   indicators=dict(t.indicators or {}),
                   qualifications=list(t.qualifications or []), packaging=t.packaging,
                   deliverables=list(t.deliverables or []), period_months=t.period_months,
                   budget=money(t.budget), winners=t.winners, horse_race=t.winners > 1,
                   milestones=[{k: str(v) for k, v in m.items()} for m in t.milestones],
                   needs=_needs(s, t.category), applications=int(n))


def _out(s: Session, cl: ChallengeList) -> ChallengeListOut:
    tasks = s.scalars(select(ChallengeTask).where(ChallengeTask.list_id == cl.id)
                      .order_by(ChallengeTask.code))
    used = committed(s, cl.id)
    return ChallengeListOut(key=cl.key, title={"zh": cl.title_zh, "en": cl.title_en},
                            issuer=cl.issuer, budget=money(cl.budget), committed=money(used),
                            left=money(cl.budget - used), paid=money(_paid(s, cl.id)),
                            state=cl.state, opens_on=cl.opens_on, closes_on=cl.closes_on,
                            tasks=[_task_out(s, t) for t in tasks],
                            criteria=list(cl.rubric["criteria"]),
                            pass_mark=str(cl.rubric["pass_mark"]))


def _app_out(s: Session, a: ChallengeApplication) -> ApplicationOut:
    t = s.get_one(ChallengeTask, a.task_id)
    ms = s.scalars(select(ChallengeMilestone).where(ChallengeMilestone.application_id == a.id)
                   .order_by(ChallengeMilestone.id))
    return ApplicationOut(
        id=a.id, task=t.code, lead_code=a.lead_code, lead_name=a.lead_name, province=a.province,
        members=[{k: str(v) for k, v in m.items()} for m in a.members or []],
        consortium=bool(a.members), state=a.state,
        score=None if a.score is None else format(a.score, "f"), rank=a.rank,
        award=None if a.award is None else money(a.award), paid=money(a.paid),
        agreement_name=a.agreement_name, agreement_sha256=a.agreement_sha256,
        agreement_file=s.scalar(select(ChallengeAgreement.id).where(
            ChallengeAgreement.application_id == a.id)) is not None,
        proposal=a.proposal, scores=list(a.scores or []),
        milestones=[{"milestone": m.milestone, "amount": money(m.amount),
                     "accepted_on": m.accepted_on.isoformat(), "reference": m.reference}
                    for m in ms])

