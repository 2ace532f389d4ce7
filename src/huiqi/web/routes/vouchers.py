"""The pages of innovation vouchers (issue 13): the schemes; on a scheme's page the
enterprise's voucher balance, history and redemption, the provider's contracts and claims,
the officer's providers, settlement runs, expiry and the reconciliation export (XLSX)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Response
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse

from huiqi.api.access import PUBLIC
from huiqi.service.permissions import Permission, Role, Scope
from huiqi.vouchers import challenges as C
from huiqi.vouchers import service as VS
from huiqi.vouchers import words
from huiqi.vouchers.schemas import Redeem

from .. import sheets
from ..pages import PageDep, Pages
from .matches import XLSX, _download

router = Pages()
READ, USE, MANAGE = Permission.VOUCHER_READ, Permission.VOUCHER_USE, Permission.VOUCHER_MANAGE
Key = Annotated[str, PathParam(pattern=r"^[a-z][a-z0-9_-]{1,63}$")]
Id = Annotated[int, PathParam(ge=1, le=2**53)]
Period = Annotated[str, Form(pattern=r"^\d{4}Q[1-4]$")]


def _back(key: str) -> Response:
    return RedirectResponse(f"/staff/vouchers/{key}", status_code=303)


@router.page("GET", "/staff/vouchers", READ)
def schemes(p: PageDep) -> Response:
    return p.render("vouchers.html", schemes=VS.schemes(p.ctx))


@router.page("GET", "/staff/vouchers/{key}", READ)
def scheme(p: PageDep, key: Key) -> Response:
    sc = VS.scheme(p.ctx, key)
    own = p.ctx.scope(READ) is Scope.OWN
    providers = VS.providers(p.ctx, key)
    mine = [x for x in providers if own and p.actor is not None and x.enterprise == p.actor.entity_code]
    return p.render("voucher_scheme.html", scheme=sc, vouchers=VS.vouchers(p.ctx, key),
                    providers=providers, my_providers=mine, claims=VS.claims(p.ctx, key),
                    own=own, manage=p.may(MANAGE), words=words,
                    enterprise=p.actor is not None and p.actor.role is Role.ENTERPRISE)


@router.page("POST", "/staff/vouchers/{key}/redeem", USE)
def redeem(p: PageDep, key: Key, voucher: Annotated[int, Form(ge=1, le=2**53)],
           provider: Annotated[int, Form(ge=1, le=2**53)],
           number: Annotated[str, Form(pattern=r"^[0-9A-Za-z_./-]{1,100}$")],
           amount: Annotated[str, Form(pattern=r"^\d+(\.\d{1,2})?$")]) -> Response:
    VS.redeem(p.ctx, voucher, Redeem(provider=provider, number=number, amount=amount))
    return _back(key)


@router.page("POST", "/staff/vouchers/{key}/contracts/{contract_id}", USE)
def contract(p: PageDep, key: Key, contract_id: Id,
             action: Annotated[str, Form(pattern=r"^(deliver|confirm|cancel)$")]) -> Response:
    {"deliver": VS.deliver, "confirm": VS.confirm, "cancel": VS.cancel}[action](p.ctx, contract_id)
    return _back(key)


@router.page("POST", "/staff/vouchers/{key}/claim", USE)
def claim(p: PageDep, key: Key, provider: Annotated[int, Form(ge=1, le=2**53)],
          period: Period) -> Response:
    VS.claim(p.ctx, provider, period)
    return _back(key)


@router.page("POST", "/staff/vouchers/{key}/settle", MANAGE)
def settle(p: PageDep, key: Key, period: Period,
           reference: Annotated[str, Form(min_length=1, max_length=80)]) -> Response:
    VS.settlement_run(p.ctx, key, period, reference)
    return _back(key)


@router.page("POST", "/staff/vouchers/{key}/expire", MANAGE)
def expire(p: PageDep, key: Key) -> Response:
    VS.expire_due(p.ctx, key)
    return _back(key)


@router.page("GET", "/staff/vouchers/{key}/reconciliation.xlsx", MANAGE)
def reconciliation(p: PageDep, key: Key) -> Response:
    head, rows = VS.reconciliation(p.ctx, key)
    lines = [p.t(f"创新券对账:{key}(每行一笔分录,借方为正;每笔交易合计为零)",
                 f"Voucher reconciliation: {key} (one row a leg, debit positive; each "
                 "transaction sums to zero)")]
    return _download(sheets.xlsx(f"vouchers-{key}", head, rows, lines), XLSX,
                     f"vouchers-{key}.xlsx")


# ---------------------------------------------------------------------- 揭榜挂帅 (public)

@router.page("GET", "/public/challenges", PUBLIC)
def challenge_lists(p: PageDep) -> Response:
    """The published challenge lists and their tasks, for anyone in China (no sign-in)."""
    return p.render("challenges.html", lists=C.published_lists(p.platform.db))


@router.page("GET", "/public/challenges/{key}", PUBLIC)
def challenge_list(p: PageDep, key: Key) -> Response:
    return p.render("challenges.html", lists=[C.public(p.platform.db, key)])
