"""Leadership's evaluation page (score, rank, rank interval, strongest and weakest
indicators, sensitivity, what-if, trend), the industry-chain map and the 招商 list, with
their Excel exports; the charts (ECharts, loaded on these pages only) can be saved as SVG."""

from __future__ import annotations

import shutil
import tempfile
from decimal import Decimal
from pathlib import Path as FilePath
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import File, Form, Path, Query, Response, UploadFile
from fastapi.responses import RedirectResponse

from huiqi.analytics import chain, evaluation
from huiqi.analytics.schemas import ChainMap, MemberDecision
from huiqi.errors import NotFoundError
from huiqi.service.permissions import Permission

from .. import sheets
from ..pages import Page, PageDep, Pages
from ..templates import money
from .matches import XLSX, _download

router = Pages()
uploads = Pages()  # included with the body limit of uploads (HUIQI_UPLOAD_MAX_MB)
READ, EDIT = Permission.ANALYTICS_READ, Permission.ANALYTICS_EDIT
YearQ = Annotated[int | None, Query(ge=1990, le=2100)]
ParkQ = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
Key = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,63}$")]


def _year(p: Page, year: int | None) -> int | None:
    if year is not None:
        return year
    found = evaluation.years(p.ctx)
    return found[0] if found else None


@router.page("GET", "/staff/evaluation", READ)
def evaluation_page(p: PageDep, year: YearQ = None, park: ParkQ = None) -> Response:
    """The year as last computed, at once: after an import the worker computes the new
    evaluation (seconds) and the page shows the previous one meanwhile, saying so."""
    y = _year(p, year)
    if y is None:
        return p.render("evaluation.html", ev=None, detail=None, year=None, years=[],
                        charts={}, registry=[], computing=False, may_edit=p.may(EDIT))
    got = evaluation.shown(p.ctx, y, park)
    ev, detail = got.evaluation, got.detail
    if ev is None or detail is None:  # never computed yet: the worker is at it
        return p.render("evaluation.html", ev=None, detail=None, year=y,
                        years=evaluation.years(p.ctx), charts={}, registry=[],
                        computing=True, may_edit=p.may(EDIT))
    code = detail.park.code
    top = [r for r in ev.parks if r.rank is not None][:30]
    if detail.park not in top and detail.park.rank is not None:
        top.append(detail.park)
    charts: dict[str, Any] = {
        "interval": {"labels": [r.name for r in top], "rank": [r.rank for r in top],
                     "median": [r.median_rank for r in top],
                     "lo": [r.interval[0] if r.interval else None for r in top],
                     "hi": [r.interval[1] if r.interval else None for r in top],
                     "home": [r.code == code for r in top],
                     "title": p.t("排名与90%区间(前30名)", "Rank and 90% interval (top 30)")},
        "trend": {"labels": [str(t.year) for t in detail.trend],
                  "score": [t.score for t in detail.trend],
                  "rank": [t.rank for t in detail.trend],
                  "names": [p.t("得分", "Score"), p.t("排名", "Rank")]},
    }
    registry = evaluation.registry_indicators(p.ctx, y) if detail.park.home else []
    return p.render("evaluation.html", ev=ev, detail=detail, year=y,
                    years=evaluation.years(p.ctx), charts=charts, registry=registry,
                    frameworks={f.key: f for f in evaluation.frameworks(p.ctx)},
                    computing=got.computing, may_edit=p.may(EDIT))


def p_text(zh: str, en: str) -> Any:
    from huiqi.text import Text

    return Text(zh, en)


@uploads.page("POST", "/staff/evaluation/statistics", EDIT)
def upload_statistics(p: PageDep, file: Annotated[UploadFile, File()]) -> Response:
    """Park statistics, all or nothing; a rejected file's problems are shown row by row."""
    name = PurePath((file.filename or "upload").replace("\\", "/")).name[:200] or "upload"
    name = name.replace("\x00", "")
    with tempfile.TemporaryDirectory(prefix="huiqi-stats-") as tmp:
        path = FilePath(tmp) / ("upload" + PurePath(name).suffix.lower())
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        evaluation.import_statistics(p.ctx, path, display=name)
    return RedirectResponse("/staff/evaluation?imported=1", status_code=303)


@router.page("GET", "/staff/evaluation/export.xlsx", READ)
def evaluation_xlsx(p: PageDep, year: YearQ = None) -> Response:
    y = _year(p, year)
    if y is None:
        raise NotFoundError(p_text("园区统计数据", "park statistics"), "-")
    ev = evaluation.evaluate(p.ctx, y)
    header = [p.t("排名", "Rank"), p.t("园区代码", "Code"), p.t("园区", "Park"),
              p.t("得分", "Score"), p.t("中位排名", "Median rank"),
              p.t("90%区间下限", "90% interval from"), p.t("90%区间上限", "90% interval to"),
              p.t("有数据指标占比", "Share of indicators with data")]
    rows = [[r.rank, r.code, r.name, r.score, r.median_rank,
             r.interval[0] if r.interval else None, r.interval[1] if r.interval else None,
             r.available] for r in ev.parks]
    lines = [p.t(f"{y} 年国家高新区综合评价(指标体系 {ev.framework};{ev.draws} 次蒙特卡洛抽样)",
                 f"{y} evaluation of national high-tech zones (framework {ev.framework}; "
                 f"{ev.draws} Monte Carlo draws)")]
    return _download(sheets.xlsx(f"evaluation-{y}", header, rows, lines), XLSX,
                     f"evaluation-{y}.xlsx")


@router.page("GET", "/staff/chains/{key}", READ)
def chain_page(p: PageDep, key: Key, year: YearQ = None) -> Response:
    y = year or p.platform.today().year - 1
    m = chain.chain_map(p.ctx, key, y, _park(p))
    targets = chain.targets(p.ctx, key, y, _park(p))
    spec = chain_spec(p, key, m)
    few = {s.key for s in m.segments if s.firms < chain.get(key).segment(s.key).min_firms}
    return p.render("chain.html", m=m, targets=targets, year=y, spec=spec, few=few,
                    may_edit=p.may(EDIT))


def chain_spec(p: Page, key: str, m: ChainMap) -> dict[str, Any]:
    """The chain drawn as an ECharts graph: the segments left (upstream) to right
    (downstream), joined by arrows, each labelled with its firms, leaders, revenue and growth;
    each chain leader a node below its segment (x: the segment's place, y: 0 for a segment,
    −1, −2 … for its leaders). Labels are made here (exact money)."""
    declared = chain.get(key)
    nodes: list[dict[str, Any]] = []
    links: list[dict[str, str]] = []
    for i, s in enumerate(m.segments):
        name = p.text(p_text(s.label.zh, s.label.en))
        growth = "—" if s.growth is None else f"{s.growth:+.1f}%"
        revenue = p.t("无数据", "no data") if s.revenue is None else money(s.revenue)
        nodes.append({"id": s.key, "kind": "segment", "name": name, "x": i, "y": 0,
                      "firms": s.firms, "gap": s.firms < declared.segment(s.key).min_firms,
                      "label": "\n".join([
                          name, p.t(f"{s.firms} 家 · 链主 {s.leaders}",
                                    f"{s.firms} firms · {s.leaders} leaders"),
                          p.t(f"营收 {revenue}", f"revenue {revenue}"),
                          p.t(f"增长 {growth}", f"growth {growth}")])})
        for j, f in enumerate(x for x in s.members if x.leader):
            node = f"{s.key}:{f.code}"
            nodes.append({"id": node, "kind": "leader", "name": f.name, "x": i, "y": -1 - j,
                          "label": f"{p.t('链主', 'leader')} {f.name}"})
            links.append({"source": node, "target": s.key, "kind": "leader"})
    links += [{"source": a, "target": b, "kind": "flow"} for a, b in m.links]
    return {"nodes": nodes, "links": links}


def _park(p: Page) -> str | None:
    from huiqi.analytics.models import EvalPark

    with p.ctx.db.read() as s:
        from sqlalchemy import select

        return s.scalar(select(EvalPark.name).where(EvalPark.home.is_(True)).limit(1))


@router.page("POST", "/staff/chains/{key}/members", EDIT)
def chain_decide(p: PageDep, key: Key, segment: Annotated[str, Form(max_length=64)],
                 credit_code: Annotated[str, Form(min_length=18, max_length=18)],
                 decision: Annotated[str, Form(pattern="^(include|exclude)$")],
                 leader: Annotated[bool, Form()] = False) -> Response:
    chain.decide(p.ctx, key, MemberDecision(segment=segment, credit_code=credit_code,
                                            decision=decision,  # type: ignore[arg-type]
                                            leader=leader))
    return RedirectResponse(f"/staff/chains/{key}", status_code=303)


@router.page("GET", "/staff/chains/{key}/targets.xlsx", READ)
def targets_xlsx(p: PageDep, key: Key, year: YearQ = None) -> Response:
    y = year or p.platform.today().year - 1
    ts = chain.targets(p.ctx, key, y, _park(p))
    header = [p.t("优先级", "Priority"), p.t("环节", "Segment"), p.t("现有企业", "Firms"),
              p.t("原因", "Reasons"), p.t("招引方向", "Firms to attract")]
    rows = [[t.priority, p.text(p_text(t.label.zh, t.label.en)), t.firms,
             [p.text(p_text(r.zh, r.en)) for r in t.reasons],
             [p.text(p_text(a.zh, a.en)) for a in t.attract]] for t in ts]
    return _download(sheets.xlsx(f"targets-{key}", header, rows,
                                 [p.t(f"{key} 产业链招商清单({y})", f"{key} chain: targets ({y})")]),
                     XLSX, f"targets-{key}-{y}.xlsx")


@router.page("GET", "/staff/chains/{key}/export.xlsx", READ)
def chain_xlsx(p: PageDep, key: Key, year: YearQ = None) -> Response:
    y = year or p.platform.today().year - 1
    m = chain.chain_map(p.ctx, key, y, _park(p))
    basis = {"industry": p.t("行业代码", "industry code"), "keyword": p.t("名称关键词", "name keyword"),
             "product": p.t("供需对接中的产品", "products offered in the market"),
             "staff": p.t("人工认定", "staff decision")}
    header = [p.t("环节", "Segment"), p.t("企业", "Enterprise"), p.t("统一社会信用代码", "Credit code"),
              p.t("链主", "Chain leader"), p.t("依据", "Basis"), p.t("营收(元)", "Revenue (yuan)"),
              p.t("增长(%)", "Growth (%)")]
    rows = [[p.text(p_text(s.label.zh, s.label.en)), f.name, f.code,
             p.t("是", "yes") if f.leader else "", basis.get(f.basis, f.basis),
             None if f.revenue is None else Decimal(f.revenue), f.growth]
            for s in m.segments for f in s.members]
    lines = [p.t(f"{m.label.zh}({y},{m.park or '全部园区'})", f"{m.label.en} ({y}, {m.park or 'all parks'})")]
    return _download(sheets.xlsx(f"chain-{key}", header, rows, lines), XLSX, f"chain-{key}-{y}.xlsx")
