"""The enterprise side, signed in: every clause that fits or nearly fits, one clause's
explanation beside the policy text, the calendar of windows, the summary as PDF and
Excel. An enterprise user sees only its own enterprise (the service refuses the rest)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from fastapi import Response

from huiqi.api.routes.params import CodePath, Day, IdPath
from huiqi.rules.model import Pack
from huiqi.service import enterprises, matching, policies
from huiqi.service.permissions import Permission
from huiqi.service.schemas import MatchPublic

from .. import exports
from ..calendar import Event, calendar
from ..citations import citations_of, policy_text
from ..pages import Page, PageDep, Pages
from ..view import Summary, explanation, summary

router = Pages()
READ = Permission.ENTERPRISE_READ


def _match(p: Page, code: str, as_of: Any = None) -> MatchPublic:
    """The match the API serves (remembered once computed), explained in the page's language."""
    return _typed(matching.match_one_json(p.ctx, code, as_of, None, True, p.lang))


@lru_cache(maxsize=8)
def _typed(data: bytes) -> MatchPublic:
    """The served JSON as typed models, kept for the last few responses: reading an explained
    match back costs ~3× json.loads (bench/RESULTS.md), and a person moving between one
    enterprise's pages asks for the same response again (the same bytes, from memory)."""
    return MatchPublic.model_validate_json(data)


def packs_of(p: Page, data: MatchPublic) -> dict[str, Pack]:
    return {pm.pack: policies.pack_of(p.ctx, pm.pack) for pm in data.packs}


def place_of(p: Page, code: str) -> tuple[str | None, str | None]:
    """Where an enterprise is registered: its city and park."""
    e = enterprises.get(p.ctx, code)
    city = next((f.value for f in enterprises.facts(p.ctx, code) if f.fact == "city"), None)
    return (str(city) if city else None), e.park


def summarised(p: Page, code: str, data: MatchPublic, everywhere: bool = False) -> Summary:
    """A match in plain words, the policies of other places folded (unless ``everywhere``)."""
    city, park = place_of(p, code)
    return summary(data, p.lang, packs_of(p, data), city, park, everywhere)


@router.page("GET", "/match/{code}", READ)
def matches(p: PageDep, code: CodePath, as_of: Day = None, all: bool = False
            ) -> Response:
    data = _match(p, code, as_of)
    s = summarised(p, code, data, everywhere=all)
    return p.render("matches.html", s=s, code=code.upper(), show_all=all,
                    base=f"/match/{code.upper()}", values=reported(p, data))


def reported(p: Page, data: MatchPublic) -> list[dict[str, Any]]:
    """The values the packs report for the enterprise (a score, a rate, its grade)."""
    return [{"key": v.key, "label": v.label if isinstance(v.label, str) else p.text(v.label),
             "value": None if v.value is None else format(Decimal(str(v.value)).normalize(), "f"),
             "state": v.state, "grade": v.grade} for pm in data.packs for v in pm.values]


@router.page("GET", "/match/{code}/calendar", READ)
def windows(p: PageDep, code: CodePath, as_of: Day = None) -> Response:
    data = _match(p, code, as_of)
    s = summarised(p, code, data)
    packs = [policies.pack_of(p.ctx, pm.pack) for pm in data.packs]
    cal = calendar(packs, s.as_of, p.lang, {r.key for r in s.shown},
                   extra=_programme_windows(p, {r.key for r in s.shown}))
    return p.render("calendar.html", s=s, cal=cal, code=code.upper(),
                    base=f"/match/{code.upper()}")


def _programme_windows(p: Page, keys: set[str]) -> list[Event]:
    """The windows of the programmes on the clauses shown (to apply from the calendar)."""
    from huiqi.programmes import calls

    if not p.may(Permission.PROGRAMME_READ):
        return []
    return [Event(x.opens_on, x.closes_on, p.text(x.title), x.key, "programme")
            for x in calls.list_all(p.ctx) if x.clause in keys and x.mode != "automatic"]


@router.page("GET", "/match/{code}/summary.pdf", READ)
def summary_pdf(p: PageDep, code: CodePath, as_of: Day = None) -> Response:
    s = summarised(p, code, _match(p, code, as_of))
    return _download(exports.summary_pdf(s, p.lang), "application/pdf",
                     exports.filename(f"huiqi-{code.upper()}", s.as_of, "pdf"))


@router.page("GET", "/match/{code}/summary.xlsx", READ)
def summary_xlsx(p: PageDep, code: CodePath, as_of: Day = None) -> Response:
    s = summarised(p, code, _match(p, code, as_of))
    return _download(exports.summary_xlsx(s, p.lang), XLSX,
                     exports.filename(f"huiqi-{code.upper()}", s.as_of, "xlsx"))


@router.page("GET", "/match/{code}/{policy}/{clause}", READ)
def clause(p: PageDep, code: CodePath, policy: IdPath, clause: IdPath, as_of: Day = None
           ) -> Response:
    data = _match(p, code, as_of)
    return explained(p, data, f"{policy}/{clause}", base=f"/match/{code.upper()}",
                     s=summarised(p, code, data, everywhere=True))


def explained(p: Page, data: MatchPublic, key: str, base: str | None,
              pack_obj: Any = None, s: Summary | None = None) -> Response:
    """A clause's explanation beside its policy's text (signed in, or for a visitor): each
    failed condition in plain words, the expressions only for staff who ask."""
    from .. import plain

    pack, c, ex = explanation(data, key)
    pk = pack_obj or policies.pack_of(p.ctx, pack)
    spec = pk.clause(key)
    pol = pk.policy(c.policy)
    assert spec is not None and pol is not None
    text = policy_text(pol, citations_of(spec))
    if s is None:
        s = summary(data, p.lang, {pack: pk}, everywhere=True)
    row = next(r for r in s.rows if r.key == key)
    specs = plain.condition_specs(spec)
    gaps = {g.condition: g for g in c.gaps}
    reasons = {x.path: plain.reason(x, specs, gaps, p.lang, pk.catalogue).text
               for x in _walk(ex.conditions) if x.outcome == "not_met"}
    return p.render("clause.html", s=s, row=row, ex=ex, pol=pol, spec=spec, text=text,
                    base=base, reasons=reasons, plain_steps=plain.steps(
                        [str(x) for x in ex.amount_steps],
                        spec.benefit.text if spec.benefit else None, p.lang))


def _walk(conds: list[Any]) -> list[Any]:
    out: list[Any] = []
    for c in conds:
        out.append(c)
        out.extend(_walk(c.children))
    return out


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(body: bytes, media: str, name: str) -> Response:
    from urllib.parse import quote

    return Response(body, media_type=media, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
