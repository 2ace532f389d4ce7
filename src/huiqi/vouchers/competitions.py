"""Competitions (炬火种, issue 13 item 3): enterprises post problems (命题) with a
description and prize money; teams of students (each with a university and a role, the
team's university, a mentor) register for a problem; two stages — a preliminary online
review, then a final with a pitch — each with its panel and its rubric (the programmes'
:class:`~huiqi.programmes.panel.Rubric` and :func:`~huiqi.programmes.panel.aggregate`);
rankings, prizes (a share of the problem's prize money by final rank) and certificates.

Why here, in the vouchers package: the three special programmes of issue 13 share a layer
(above the programmes, whose panels they reuse; below the API); a package of its own
would sit at the same place in the import-linter contract and bring nothing but one more
name to it.

A problem moves through the declared states of :data:`PROBLEM` (each move audited, its
event written in the same transaction); the teams of a problem move by :data:`TEAM` inside
the problem's move (the preliminary's scores choose the finalists, the final's the places).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huiqi.errors import Conflict, InputError, NotFoundError
from huiqi.messages import message
from huiqi.programmes.panel import Rubric, aggregate
from huiqi.service.audit import record
from huiqi.service.context import Context, requires
from huiqi.service.permissions import Permission, Role, Scope
from huiqi.store.database import Database
from huiqi.store.models import Entity
from huiqi.text import Text
from huiqi.workflow.machine import Transition, Workflow, apply, perform

from .models import Competition, CompetitionProblem, CompetitionTeam
from .schemas import (
    CompetitionCreate,
    CompetitionOut,
    Counts,
    ProblemOut,
    ProblemPost,
    StageScores,
    TeamOut,
    TeamRegister,
)

COMPETITION = Text("竞赛", "competition")
PROBLEM_T = Text("命题", "problem")
TEAM_T = Text("参赛团队", "team")
FEN = Decimal("0.01")
ZERO = Decimal(0)
STAFF = {Role.CASE_OFFICER, Role.ADMIN}

PROBLEM = Workflow(
    "competition_problem",
    states={"posted": Text("已提交待审核", "posted, to be checked"),
            "open": Text("报名中", "open for registration"),
            "preliminary": Text("初赛网评", "preliminary online review"),
            "final": Text("决赛路演", "final (pitch)"),
            "awarded": Text("已颁奖", "awarded"),
            "withdrawn": Text("已撤回", "withdrawn")},
    initial="posted",
    transitions=(
        Transition("open", {"posted"}, "open", STAFF, Text("开放报名", "open for registration")),
        Transition("review", {"open"}, "preliminary", STAFF,
                   Text("截止报名,进入初赛网评", "close registration: preliminary review")),
        Transition("advance", {"preliminary"}, "final", STAFF,
                   Text("初赛评分,确定决赛团队", "score the preliminary, choose the finalists")),
        Transition("award", {"final"}, "awarded", STAFF,
                   Text("决赛路演评分,排名颁奖", "score the final pitch, rank and award")),
        Transition("withdraw", {"posted", "open"}, "withdrawn", STAFF | {Role.ENTERPRISE},
                   Text("撤回命题", "withdraw the problem"), reason_required=True),
    ))

TEAM = Workflow(
    "competition_team",
    states={"registered": Text("已报名", "registered"),
            "finalist": Text("进入决赛", "finalist"),
            "eliminated": Text("初赛未晋级", "out after the preliminary"),
            "placed": Text("获奖", "placed"),
            "unplaced": Text("决赛未获奖", "finalist, no prize")},
    initial="registered",
    transitions=(
        Transition("advance", {"registered"}, "finalist", STAFF, Text("晋级决赛", "to the final")),
        Transition("eliminate", {"registered"}, "eliminated", STAFF,
                   Text("初赛未晋级", "out after the preliminary")),
        Transition("place", {"finalist"}, "placed", STAFF, Text("获奖", "placed")),
        Transition("unplace", {"finalist"}, "unplaced", STAFF, Text("未获奖", "no prize")),
    ))

#: 炬火种's rubrics: the sources reached give the stages, not the criteria or weights (assumed)
PRELIMINARY = [
    {"id": "innovation", "label_zh": "创新性", "label_en": "Innovation", "weight": "30",
     "assumed": True},
    {"id": "feasibility", "label_zh": "可行性", "label_en": "Feasibility", "weight": "30",
     "assumed": True},
    {"id": "fit", "label_zh": "命题契合度", "label_en": "Fit to the problem", "weight": "25",
     "assumed": True},
    {"id": "team", "label_zh": "团队", "label_en": "Team", "weight": "15", "assumed": True},
]
FINAL = [
    {"id": "solution", "label_zh": "方案质量", "label_en": "Solution", "weight": "35",
     "assumed": True},
    {"id": "value", "label_zh": "应用价值", "label_en": "Value to the enterprise", "weight": "25",
     "assumed": True},
    {"id": "pitch", "label_zh": "路演表现", "label_en": "Pitch", "weight": "25", "assumed": True},
    {"id": "answers", "label_zh": "答辩", "label_en": "Questions and answers", "weight": "15",
     "assumed": True},
]
PRIZES = [{"rank": 1, "zh": "一等奖", "en": "First prize", "share": "0.5"},
          {"rank": 2, "zh": "二等奖", "en": "Second prize", "share": "0.3"},
          {"rank": 3, "zh": "三等奖", "en": "Third prize", "share": "0.2"}]


def money(v: Decimal | None) -> str:
    return format(Decimal(v or 0).quantize(FEN), "f")


def _dec(v: str, name: str) -> Decimal:
    d = Decimal(v)
    if d < 0 or d != d.quantize(FEN):
        raise InputError(message("programme.bad_number", name=name, value=v))
    return d


def _competition(s: Session, key: str) -> Competition:
    c = s.scalar(select(Competition).where(Competition.key == key))
    if c is None:
        raise NotFoundError(COMPETITION, key)
    return c


def _problem(s: Session, problem_id: int) -> CompetitionProblem:
    p = s.get(CompetitionProblem, problem_id)
    if p is None:
        raise NotFoundError(PROBLEM_T, str(problem_id))
    return p


def _own(ctx: Context, p: CompetitionProblem, permission: Permission) -> None:
    """An enterprise reaches only the problems it posted (others are not found)."""
    if ctx.scope(permission) is Scope.OWN and p.entity_code != ctx.actor.entity_code:
        raise NotFoundError(PROBLEM_T, str(p.id))


# ---------------------------------------------------------------------- competitions

@requires(Permission.COMPETITION_MANAGE)
def create(ctx: Context, data: CompetitionCreate) -> CompetitionOut:
    shares = sum((Decimal(p.share) for p in data.prizes), ZERO)
    if shares > 1 or len({p.rank for p in data.prizes}) != len(data.prizes):
        raise InputError(message("competition.prize_shares", total=str(shares)))
    rubrics = {stage: {"criteria": [c.model_dump() for c in r.criteria],
                       "pass_mark": r.pass_mark, "aggregation": "mean"}
               for stage, r in (("preliminary", data.preliminary), ("final", data.final))}
    for r in rubrics.values():
        Rubric.from_json(r)
    with ctx.db.write() as s:
        if s.scalar(select(Competition.id).where(Competition.key == data.key)):
            raise Conflict("competition.exists", key=data.key)
        c = Competition(key=data.key, title_zh=data.title_zh, title_en=data.title_en,
                        organiser=data.organiser, year=data.year, rubrics=rubrics,
                        panels={k: list(v) for k, v in data.panels.items()},
                        prizes=[p.model_dump() for p in sorted(data.prizes, key=lambda p: p.rank)],
                        finalists=data.finalists, created_at=ctx.now(),
                        created_by=ctx.actor.username)
        s.add(c)
        s.flush()
        record(s, ctx, "competition.create", target=f"competition:{c.key}",
               after={"prizes": c.prizes, "finalists": c.finalists})
        return _out(ctx, s, c)


@requires(Permission.COMPETITION_READ)
def competitions(ctx: Context) -> list[CompetitionOut]:
    with ctx.db.read() as s:
        return [_out(ctx, s, c) for c in s.scalars(select(Competition).order_by(
            Competition.year.desc(), Competition.key))]


@requires(Permission.COMPETITION_READ)
def competition(ctx: Context, key: str) -> CompetitionOut:
    with ctx.db.read() as s:
        return _out(ctx, s, _competition(s, key))


# ---------------------------------------------------------------------- problems

@requires(Permission.COMPETITION_POST)
def post(ctx: Context, key: str, data: ProblemPost) -> ProblemOut:
    """A problem posted by an enterprise (an enterprise user: as itself), to be checked by
    the organisers before registration opens."""
    if ctx.scope(Permission.COMPETITION_POST) is Scope.OWN and \
            data.enterprise != ctx.actor.entity_code:
        ctx.refuse(Permission.COMPETITION_POST, f"enterprise:{data.enterprise}")
    prize = _dec(data.prize, "prize")
    try:
        with ctx.db.write() as s:
            c = _competition(s, key)
            name = s.scalar(select(Entity.name).where(Entity.credit_code == data.enterprise))
            if name is None:
                raise NotFoundError(Text("企业", "enterprise"), data.enterprise)
            p = CompetitionProblem(competition_id=c.id, code=data.code,
                                   entity_code=data.enterprise, entity_name=name,
                                   title_zh=data.title_zh, title_en=data.title_en,
                                   description=data.description, prize=prize, state="posted",
                                   posted_at=ctx.now(), posted_by=ctx.actor.username)
            s.add(p)
            s.flush()
            record(s, ctx, "competition.post", target=f"competition_problem:{p.id}",
                   after={"competition": c.key, "code": p.code, "prize": money(prize)})
            return _problem_out(ctx, s, p, roster=True)
    except IntegrityError as exc:
        raise Conflict("competition.problem_exists", problem=data.code) from exc


@requires(Permission.COMPETITION_READ)
def problem(ctx: Context, problem_id: int) -> ProblemOut:
    """A problem with its teams (the contacts too) and what the reader may do now."""
    with ctx.db.read() as s:
        p = _problem(s, problem_id)
        _own(ctx, p, Permission.COMPETITION_READ)
        return _problem_out(ctx, s, p, roster=True)


@requires(Permission.COMPETITION_POST)
def move(ctx: Context, problem_id: int, name: str, reason: str | None = None) -> ProblemOut:
    """open, review, withdraw: the moves that take no scores (an enterprise withdraws only
    its own problem)."""
    if name in ("advance", "award"):
        raise InputError(message("competition.needs_scores", transition=name))
    with ctx.db.read() as s:
        _own(ctx, _problem(s, problem_id), Permission.COMPETITION_POST)
    perform(ctx, PROBLEM, lambda s: _problem(s, problem_id), name, problem_id, reason)
    with ctx.db.read() as s:
        return _problem_out(ctx, s, _problem(s, problem_id), roster=True)


def _scored(r: Rubric, teams: list[CompetitionTeam], reviews: dict[str, list[dict[str, str]]],
            stage: str) -> list[CompetitionTeam]:
    """Each team's score (the mean of its reviewers' weighted totals), best first; ties go
    to the earlier registration, then the lower id."""
    extra = sorted(set(reviews) - {str(t.id) for t in teams})
    if extra:
        raise InputError(message("competition.unknown_team", team=extra[0]))
    for t in teams:
        sheets = reviews.get(str(t.id))
        if not sheets:
            raise InputError(message("competition.unscored", team=t.name))
        score = aggregate([r.weighted({k: Decimal(v) for k, v in sh.items()}) for sh in sheets],
                          r.aggregation)
        if stage == "preliminary":
            t.preliminary, t.preliminary_score = sheets, score
        else:
            t.final, t.final_score = sheets, score
    key = "preliminary_score" if stage == "preliminary" else "final_score"
    return sorted(teams, key=lambda t: (-(getattr(t, key) or ZERO), t.registered_at, t.id))


def finalists(order: Sequence[tuple[Any, Decimal]], pass_mark: Decimal, n: int) -> list[Any]:
    """Of teams ranked best first (key, score), those that go to the final: at or above the
    pass mark, at most ``n``."""
    return [k for k, score in order if score >= pass_mark][:n]


def places(order: Sequence[tuple[Any, Decimal]], pass_mark: Decimal,
           prizes: Sequence[Mapping[str, Any]], money_: Decimal
           ) -> list[tuple[Any, int, Mapping[str, Any] | None, Decimal | None]]:
    """Of finalists ranked best first (key, score): each one's rank, and — for the best at or
    above the pass mark, as many as there are prizes — its prize and the prize's share of
    ``money_``, rounded down to the fen (so the prizes never sum above the money when the
    shares sum to at most one)."""
    specs = sorted(prizes, key=lambda x: int(x["rank"]))
    out: list[tuple[Any, int, Mapping[str, Any] | None, Decimal | None]] = []
    for i, (k, score) in enumerate(order, start=1):
        if score >= pass_mark and i <= len(specs):
            spec = specs[i - 1]
            out.append((k, i, spec, (money_ * Decimal(str(spec["share"]))).quantize(
                FEN, rounding=ROUND_DOWN)))
        else:
            out.append((k, i, None, None))
    return out


@requires(Permission.COMPETITION_MANAGE)
def advance(ctx: Context, problem_id: int, data: StageScores) -> ProblemOut:
    """The preliminary panel's scores: the best at or above the pass mark, as many as the
    competition takes to its final, go on; the others are out."""

    def effect(s: Session, p: CompetitionProblem) -> None:
        c = s.get_one(Competition, p.competition_id)
        r = Rubric.from_json(c.rubrics["preliminary"])
        teams = list(s.scalars(select(CompetitionTeam).where(
            CompetitionTeam.problem_id == p.id, CompetitionTeam.state == "registered")
            .order_by(CompetitionTeam.id)))
        order = _scored(r, teams, data.reviews, "preliminary")
        chosen = finalists([(t, t.preliminary_score or ZERO) for t in order], r.pass_mark,
                           c.finalists)
        s.flush()
        for t in order:
            go = "advance" if t in chosen else "eliminate"
            apply(s, ctx, TEAM, t, TEAM.transition(go),
                  payload={"score": format(t.preliminary_score or ZERO, "f")})

    perform(ctx, PROBLEM, lambda s: _problem(s, problem_id), "advance", problem_id,
            data.reason, effect=effect)
    with ctx.db.read() as s:
        return _problem_out(ctx, s, _problem(s, problem_id), roster=True)


@requires(Permission.COMPETITION_MANAGE)
def award(ctx: Context, problem_id: int, data: StageScores) -> ProblemOut:
    """The final panel's scores after the pitch: the finalists ranked; the best at or above
    the pass mark take the prizes in order (each its share of the problem's prize money,
    rounded down to the fen) and a certificate number; the others are finalists without
    a prize."""

    def effect(s: Session, p: CompetitionProblem) -> None:
        c = s.get_one(Competition, p.competition_id)
        r = Rubric.from_json(c.rubrics["final"])
        teams = list(s.scalars(select(CompetitionTeam).where(
            CompetitionTeam.problem_id == p.id, CompetitionTeam.state == "finalist")
            .order_by(CompetitionTeam.id)))
        order = _scored(r, teams, data.reviews, "final")
        for t, rank, spec, prize in places([(t, t.final_score or ZERO) for t in order],
                                           r.pass_mark, c.prizes, p.prize):
            t.rank = rank
            if spec is not None:
                t.award, t.prize = str(spec["rank"]), prize
                t.certificate = f"{c.year}-{p.id:06d}-{rank:02d}"
        s.flush()
        for t in order:
            apply(s, ctx, TEAM, t, TEAM.transition("place" if t.award else "unplace"),
                  payload={"rank": t.rank, "prize": money(t.prize) if t.award else None})

    perform(ctx, PROBLEM, lambda s: _problem(s, problem_id), "award", problem_id, data.reason,
            effect=effect)
    with ctx.db.read() as s:
        return _problem_out(ctx, s, _problem(s, problem_id), roster=True)


# ---------------------------------------------------------------------- teams

@requires(Permission.COMPETITION_ENTER)
def register(ctx: Context, problem_id: int, data: TeamRegister) -> TeamOut:
    """A team registers for a problem open for registration; a team's name is taken once
    per problem, and a student appears once in a team."""
    return register_many(ctx, problem_id, [data])[0]


@requires(Permission.COMPETITION_ENTER)
def register_many(ctx: Context, problem_id: int, teams: list[TeamRegister]) -> list[TeamOut]:
    """Teams registered in one transaction (all or none), each audited as by
    :func:`register` (a university's list sent at once; the demo)."""
    for data in teams:
        names = [(m.name.strip(), m.university.strip()) for m in data.members]
        if len(set(names)) != len(names):
            raise InputError(message("competition.member_twice", name=names[0][0]))
    name = teams[0].name if teams else ""
    try:
        with ctx.db.write() as s:
            p = _problem(s, problem_id)
            if p.state != "open":
                raise Conflict("competition.closed", problem=p.code,
                               state=PROBLEM.states[p.state].zh)
            taken = set(s.scalars(select(CompetitionTeam.name).where(
                CompetitionTeam.problem_id == p.id)))
            out = []
            for data in teams:
                name = data.name
                if data.name in taken:
                    raise Conflict("competition.team_exists", name=data.name, problem=p.code)
                taken.add(data.name)
                t = CompetitionTeam(problem_id=p.id, name=data.name, university=data.university,
                                    members=[m.model_dump() for m in data.members],
                                    mentor=data.mentor, contact=data.contact, state="registered",
                                    registered_at=ctx.now(), registered_by=ctx.actor.username)
                s.add(t)
                s.flush()
                record(s, ctx, "competition.register", target=f"competition_team:{t.id}",
                       after={"problem": p.code, "university": t.university,
                              "members": len(data.members)})
                out.append(_team_out(t, contacts=True))
            return out
    except IntegrityError as exc:
        raise Conflict("competition.team_exists", name=name, problem=str(problem_id)) from exc


def certificate(db: Database, number: str) -> dict[str, Any]:
    """What a prize's certificate says (public: the prizes are announced)."""
    with db.read() as s:
        t = s.scalar(select(CompetitionTeam).where(CompetitionTeam.certificate == number))
        if t is None or t.award is None:
            raise NotFoundError(Text("证书", "certificate"), number)
        p = s.get_one(CompetitionProblem, t.problem_id)
        c = s.get_one(Competition, p.competition_id)
        spec = next(x for x in c.prizes if str(x["rank"]) == t.award)
        return {"number": number, "competition": {"zh": c.title_zh, "en": c.title_en},
                "organiser": c.organiser, "year": c.year,
                "problem": {"zh": p.title_zh, "en": p.title_en, "code": p.code},
                "enterprise": p.entity_name, "team": t.name, "university": t.university,
                "members": [dict(m) for m in t.members], "mentor": t.mentor,
                "award": {"zh": str(spec["zh"]), "en": str(spec["en"])}, "rank": t.rank,
                "prize": money(t.prize), "score": format(t.final_score or ZERO, "f")}


# ---------------------------------------------------------------------- public

def public_competitions(db: Database) -> list[CompetitionOut]:
    """The competitions and their problems open or past (no sign-in; no contacts)."""
    with db.read() as s:
        return [_out(None, s, c) for c in s.scalars(select(Competition).order_by(
            Competition.year.desc(), Competition.key))]


def public_problem(db: Database, problem_id: int) -> ProblemOut:
    with db.read() as s:
        p = _problem(s, problem_id)
        if p.state in ("posted", "withdrawn"):
            raise NotFoundError(PROBLEM_T, str(problem_id))
        return _problem_out(None, s, p, roster=True)


# ---------------------------------------------------------------------- counts

@requires(Permission.COMPETITION_READ)
def counts(ctx: Context, key: str) -> Counts:
    with ctx.db.read() as s:
        return _counts(s, _competition(s, key))


def latest_counts(db: Database) -> Counts | None:
    """The counts of the latest competition (for the dashboard), if there is one."""
    with db.read() as s:
        c = s.scalar(select(Competition).order_by(Competition.year.desc(), Competition.id.desc())
                     .limit(1))
        return None if c is None else _counts(s, c)


def _counts(s: Session, c: Competition) -> Counts:
    unis: dict[str, dict[str, Any]] = {}
    probs: dict[int, dict[str, Any]] = {}
    problems = list(s.scalars(select(CompetitionProblem).where(
        CompetitionProblem.competition_id == c.id).order_by(CompetitionProblem.code)))
    for p in problems:
        probs[p.id] = {"id": p.id, "code": p.code, "title": {"zh": p.title_zh, "en": p.title_en},
                       "enterprise": p.entity_name, "state": p.state,
                       "state_label": {"zh": PROBLEM.states[p.state].zh,
                                       "en": PROBLEM.states[p.state].en},
                       "teams": 0, "entrants": 0}
    rows = s.execute(select(CompetitionTeam.problem_id, CompetitionTeam.university,
                            CompetitionTeam.members).join(
        CompetitionProblem, CompetitionProblem.id == CompetitionTeam.problem_id).where(
        CompetitionProblem.competition_id == c.id))
    teams = entrants = 0
    for pid, uni, members in rows:
        teams += 1
        probs[pid]["teams"] += 1
        unis.setdefault(uni, {"university": uni, "teams": 0, "entrants": 0})["teams"] += 1
        for m in members or []:
            entrants += 1
            probs[pid]["entrants"] += 1
            unis.setdefault(m["university"], {"university": m["university"], "teams": 0,
                                              "entrants": 0})["entrants"] += 1
    by_uni = sorted(unis.values(), key=lambda u: (-u["entrants"], -u["teams"], u["university"]))
    return Counts(key=c.key, universities=by_uni, problems=list(probs.values()), teams=teams,
                  entrants=entrants)


# ---------------------------------------------------------------------- shapes

def _team_out(t: CompetitionTeam, contacts: bool) -> TeamOut:
    return TeamOut(id=t.id, problem_id=t.problem_id, name=t.name, university=t.university,
                   members=[{k: str(v) for k, v in m.items()} for m in t.members or []],
                   mentor=t.mentor, contact=t.contact if contacts else None, state=t.state,
                   state_label={"zh": TEAM.states[t.state].zh, "en": TEAM.states[t.state].en},
                   preliminary_score=None if t.preliminary_score is None
                   else format(t.preliminary_score, "f"),
                   final_score=None if t.final_score is None else format(t.final_score, "f"),
                   rank=t.rank, award=None, prize=None if t.prize is None else money(t.prize),
                   certificate=t.certificate)


def _problem_out(ctx: Context | None, s: Session, p: CompetitionProblem,
                 roster: bool = False) -> ProblemOut:
    c = s.get_one(Competition, p.competition_id)
    label = PROBLEM.states[p.state]
    teams = list(s.scalars(select(CompetitionTeam).where(CompetitionTeam.problem_id == p.id)
                           .order_by(CompetitionTeam.rank.is_(None), CompetitionTeam.rank,
                                     CompetitionTeam.preliminary_score.desc(),
                                     CompetitionTeam.id))) if roster else []
    n_teams = len(teams) if roster else int(s.scalar(select(func.count()).select_from(
        CompetitionTeam).where(CompetitionTeam.problem_id == p.id)) or 0)
    entrants = sum(len(t.members or []) for t in teams) if roster else 0
    contacts = ctx is not None
    actions = []
    if ctx is not None:
        for tr in PROBLEM.allowed(p.state, ctx.actor.role):
            actions.append({"name": tr.name, "zh": tr.label.zh, "en": tr.label.en})
    prizes = {str(x["rank"]): {"zh": str(x["zh"]), "en": str(x["en"])} for x in c.prizes}
    out = []
    for t in teams:
        o = _team_out(t, contacts)
        if t.award:
            o.award = prizes.get(t.award)
        out.append(o)
    return ProblemOut(id=p.id, competition=c.key, code=p.code, enterprise=p.entity_code,
                      enterprise_name=p.entity_name, title={"zh": p.title_zh, "en": p.title_en},
                      description=p.description, prize=money(p.prize), state=p.state,
                      state_label={"zh": label.zh, "en": label.en}, teams=n_teams,
                      entrants=entrants, actions=actions, roster=out)


def _out(ctx: Context | None, s: Session, c: Competition) -> CompetitionOut:
    stmt = select(CompetitionProblem).where(CompetitionProblem.competition_id == c.id) \
        .order_by(CompetitionProblem.code)
    if ctx is None:
        stmt = stmt.where(CompetitionProblem.state.not_in(("posted", "withdrawn")))
    elif ctx.scope(Permission.COMPETITION_READ) is Scope.OWN:
        stmt = stmt.where(CompetitionProblem.entity_code == ctx.actor.entity_code)
    n = _counts(s, c)
    by_id = {x["id"]: x for x in n.problems}
    problems = []
    for p in s.scalars(stmt):
        o = _problem_out(ctx, s, p)
        o.entrants = by_id[p.id]["entrants"]
        problems.append(o)
    return CompetitionOut(key=c.key, title={"zh": c.title_zh, "en": c.title_en},
                          organiser=c.organiser, year=c.year, finalists=c.finalists,
                          prizes=list(c.prizes), rubrics=dict(c.rubrics),
                          panels={k: list(v) for k, v in (c.panels or {}).items()},
                          problems=problems, teams=n.teams, entrants=n.entrants,
                          universities=len(n.universities))
