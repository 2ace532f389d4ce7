"""The voucher services: who may do what (``voucher.read`` / ``use`` / ``manage``), the
audit, one write transaction per operation around :mod:`huiqi.vouchers.book`.

An enterprise user acts on its own: it redeems and confirms against its own voucher; as a
provider (a 火炬创新平台 is an enterprise of the registry) it lists its items, marks
delivery and claims its quarters. Staff issue, recognise, settle and expire.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huiqi.errors import Conflict, InputError, NotFoundError
from huiqi.facts.catalogue import default_catalogue
from huiqi.messages import message
from huiqi.packs import versions as PV
from huiqi.programmes.panel import TRIMMED, Criterion, Rubric, aggregate
from huiqi.registry import entities as E
from huiqi.registry import values as V
from huiqi.registry.profile import enterprise_of
from huiqi.service.audit import record
from huiqi.service.context import Context, requires
from huiqi.service.permissions import Permission, Scope
from huiqi.service.policies import matcher
from huiqi.store.models import Entity
from huiqi.text import Text

from . import book as B
from . import ledger as L
from .models import (
    LedgerAccount,
    LedgerEntry,
    LedgerTxn,
    Voucher,
    VoucherClaim,
    VoucherContract,
    VoucherItem,
    VoucherProvider,
    VoucherScheme,
)
from .schemas import (
    ClaimPublic,
    ContractPublic,
    EntryPublic,
    Issue,
    ItemPublic,
    ProviderApply,
    ProviderEvaluate,
    ProviderPublic,
    Redeem,
    SchemeCreate,
    SchemePublic,
    SettlementRun,
    VoucherPublic,
)

SCHEME = Text("创新券方案", "voucher scheme")
ENTERPRISE = Text("企业", "enterprise")
FEN = Decimal("0.01")

#: the expert evaluation of a provider (火炬创新平台), scored by the panel with the programmes'
#: rubric; the criteria are the reference's words, the weights and the pass mark assumed
PLATFORM_RUBRIC = Rubric(
    criteria=(
        Criterion("operations", Text("运营规范", "Sound operations"), Decimal(40), True),
        Criterion("capability", Text("技术研发或服务实力", "R&D or service capability"),
                  Decimal(60), True),
    ),
    pass_mark=Decimal(70), aggregation=TRIMMED)


def money(v: Decimal | None) -> str:
    return format(Decimal(v or 0).quantize(FEN), "f")


def _decimal(v: str, name: str) -> Decimal:
    try:
        d = Decimal(v)
    except InvalidOperation as exc:
        raise InputError(message("programme.bad_number", name=name, value=v)) from exc
    if d < 0 or d != d.quantize(FEN):
        raise InputError(message("programme.bad_number", name=name, value=v))
    return d


def _who(ctx: Context) -> B.Who:
    return B.Who(ctx.platform.today(), ctx.now(), ctx.actor.username)


def _scheme(s: Session, key: str) -> VoucherScheme:
    sc = s.scalar(select(VoucherScheme).where(VoucherScheme.key == key))
    if sc is None:
        raise NotFoundError(SCHEME, key)
    return sc


def _entity(s: Session, code: str) -> Entity:
    e = s.scalar(select(Entity).where(Entity.credit_code == code.strip().upper()))
    if e is None:
        raise NotFoundError(ENTERPRISE, code)
    return e


def _get(s: Session, model: Any, row_id: int, what: Text) -> Any:
    row = s.get(model, row_id)
    if row is None:
        raise NotFoundError(what, str(row_id))
    return row


def _own(ctx: Context, permission: Permission, entity_id: int, target: str) -> None:
    """An enterprise user acts only on its own (the refusal audited)."""
    if ctx.scope(permission) is Scope.OWN and entity_id != ctx.actor.entity_id:
        ctx.refuse(permission, target)


# ---------------------------------------------------------------------- public shapes

def _contract_public(s: Session, c: VoucherContract) -> ContractPublic:
    v = s.get_one(Voucher, c.voucher_id)
    e = s.get_one(Entity, v.entity_id)
    p = s.get_one(VoucherProvider, c.provider_id)
    pe = s.get_one(Entity, p.entity_id)
    return ContractPublic(id=c.id, voucher=v.id, enterprise=e.credit_code, enterprise_name=e.name,
                          provider=p.id, provider_name=pe.name, number=c.number,
                          amount=money(c.amount), deducted=money(c.deducted), state=c.state,
                          signed_on=c.signed_on, confirmed_on=c.confirmed_on, claim=c.claim_id)


def _history(s: Session, code: str) -> list[EntryPublic]:
    return [EntryPublic(txn=t.id, kind=t.kind, reference=t.reference, posted_on=t.posted_on,
                        amount=money(a), memo=t.memo) for t, a in B.history(s, code)]


def _voucher_public(s: Session, v: Voucher) -> VoucherPublic:
    e = s.get_one(Entity, v.entity_id)
    sc = s.get_one(VoucherScheme, v.scheme_id)
    return VoucherPublic(
        id=v.id, scheme=sc.key, enterprise=e.credit_code, enterprise_name=e.name, state=v.state,
        amount=money(v.amount), remaining=money(B.remaining(s, v.id)),
        share=format(v.share, "f"), tsme=v.tsme, issued_on=v.issued_on, valid_until=v.valid_until,
        history=_history(s, f"quota:{v.id}"),
        contracts=[_contract_public(s, c) for c in s.scalars(
            select(VoucherContract).where(VoucherContract.voucher_id == v.id)
            .order_by(VoucherContract.id))])


def _provider_public(s: Session, p: VoucherProvider, day: dt.date) -> ProviderPublic:
    e = s.get_one(Entity, p.entity_id)
    items = s.scalars(select(VoucherItem).where(VoucherItem.provider_id == p.id)
                      .order_by(VoucherItem.id))
    return ProviderPublic(
        id=p.id, enterprise=e.credit_code, name=e.name, state=p.state, in_zone=p.in_zone,
        recognised_on=p.recognised_on, lapses_on=p.lapses_on,
        score=None if p.score is None else format(p.score, "f"),
        accepts=B.provider_accepts(p, day),
        items=[ItemPublic(id=i.id, code=i.code, title={"zh": i.title_zh, "en": i.title_en},
                          service_class=i.service_class, price=money(i.price)) for i in items],
        held=money(L.balance(s, f"held:{p.id}")),
        receivable=money(L.balance(s, f"receivable:{p.id}")),
        paid=money(L.balance(s, f"payments:{p.id}")), bonus=money(L.balance(s, f"bonus:{p.id}")))


def _claim_public(s: Session, cl: VoucherClaim) -> ClaimPublic:
    p = s.get_one(VoucherProvider, cl.provider_id)
    return ClaimPublic(
        id=cl.id, provider=p.id, provider_name=s.get_one(Entity, p.entity_id).name,
        period=cl.period, state=cl.state, amount=money(cl.amount),
        bonus=None if cl.bonus is None else money(cl.bonus), reference=cl.reference,
        claimed_at=cl.claimed_at, settled_at=cl.settled_at,
        contracts=[_contract_public(s, c) for c in s.scalars(
            select(VoucherContract).where(VoucherContract.claim_id == cl.id)
            .order_by(VoucherContract.id))])


def _scheme_public(s: Session, sc: VoucherScheme) -> SchemePublic:
    by_kind: dict[str, Decimal] = {}
    for code, v in L.balances(s, sc.id).items():
        k = L.kind_of(code)
        by_kind[k] = by_kind.get(k, Decimal(0)) + v
    n_v = len(list(s.scalars(select(Voucher.id).where(Voucher.scheme_id == sc.id))))
    n_p = len(list(s.scalars(select(VoucherProvider.id).where(VoucherProvider.scheme_id == sc.id))))
    return SchemePublic(key=sc.key, title={"zh": sc.title_zh, "en": sc.title_en}, year=sc.year,
                        valid_until=sc.valid_until, params=dict(sc.params or {}),
                        balances={k: money(v) for k, v in sorted(by_kind.items())},
                        vouchers=n_v, providers=n_p)


# ---------------------------------------------------------------------- schemes, providers

@requires(Permission.VOUCHER_MANAGE)
def create_scheme(ctx: Context, data: SchemeCreate) -> SchemePublic:
    """A year's vouchers, funded with its budget (one balanced transaction)."""
    budget = _decimal(data.budget, "budget")
    params = {**B.DEFAULT_PARAMS, **{k: dict(v) for k, v in data.params.items()}}
    with ctx.db.write() as s:
        if s.scalar(select(VoucherScheme.id).where(VoucherScheme.key == data.key)) is not None:
            raise Conflict("voucher.scheme_exists", key=data.key)
        sc = VoucherScheme(key=data.key, title_zh=data.title_zh, title_en=data.title_en,
                           year=data.year, pack_key=data.pack, clause_key=data.clause,
                           valid_until=data.valid_until, params=params, created_at=ctx.now(),
                           created_by=ctx.actor.username)
        s.add(sc)
        s.flush()
        if budget > 0:
            B.fund(s, sc, budget, str(data.year), _who(ctx))
        record(s, ctx, "voucher.scheme", target=f"voucher_scheme:{sc.key}",
               after={"budget": money(budget), "valid_until": sc.valid_until.isoformat()})
        return _scheme_public(s, sc)


@requires(Permission.VOUCHER_READ)
def scheme(ctx: Context, key: str) -> SchemePublic:
    with ctx.db.read() as s:
        return _scheme_public(s, _scheme(s, key))


@requires(Permission.VOUCHER_READ)
def schemes(ctx: Context) -> list[SchemePublic]:
    with ctx.db.read() as s:
        return [_scheme_public(s, sc) for sc in s.scalars(
            select(VoucherScheme).order_by(VoucherScheme.year.desc(), VoucherScheme.key))]


@requires(Permission.VOUCHER_USE)
def apply_provider(ctx: Context, key: str, data: ProviderApply) -> ProviderPublic:
    """A provider applies to be recognised, with its service items and prices."""
    with ctx.db.write() as s:
        sc = _scheme(s, key)
        e = _entity(s, data.enterprise)
        _own(ctx, Permission.VOUCHER_USE, e.id, f"enterprise:{e.credit_code}")
        if s.scalar(select(VoucherProvider.id).where(VoucherProvider.scheme_id == sc.id,
                                                     VoucherProvider.entity_id == e.id)):
            raise Conflict("voucher.provider_state", state="applied")
        p = VoucherProvider(scheme_id=sc.id, entity_id=e.id, state="applied", in_zone=data.in_zone,
                            created_at=ctx.now())
        s.add(p)
        s.flush()
        for i in data.items:
            s.add(VoucherItem(provider_id=p.id, code=i.code, title_zh=i.title_zh,
                              title_en=i.title_en, service_class=i.service_class,
                              price=_decimal(i.price, "price")))
        s.flush()
        record(s, ctx, "voucher.provider_apply", target=f"voucher_provider:{p.id}",
               after={"enterprise": e.credit_code, "items": len(data.items)})
        return _provider_public(s, p, ctx.platform.today())


@requires(Permission.VOUCHER_MANAGE)
def evaluate_provider(ctx: Context, provider_id: int, data: ProviderEvaluate) -> ProviderPublic:
    """The panel's evaluation (the programmes' rubric: weighted scores, trimmed mean from
    five reviews): recognised at or above the pass mark, rejected below."""
    totals = [PLATFORM_RUBRIC.weighted({k: Decimal(v) for k, v in r.items()}) for r in data.reviews]
    score = aggregate(totals, PLATFORM_RUBRIC.aggregation)
    with ctx.db.write() as s:
        p: VoucherProvider = _get(s, VoucherProvider, provider_id, Text("服务机构", "provider"))
        if p.state not in ("applied", "lapsed"):
            raise Conflict("voucher.provider_state", state=p.state)
        before = p.state
        p.score = score
        if score >= PLATFORM_RUBRIC.pass_mark:
            p.state, p.recognised_on, p.lapses_on = "recognised", ctx.platform.today(), data.lapses_on
        else:
            p.state = "rejected"
        record(s, ctx, "voucher.provider_evaluate", target=f"voucher_provider:{p.id}",
               before={"state": before}, after={"state": p.state, "score": format(score, "f")})
        return _provider_public(s, p, ctx.platform.today())


@requires(Permission.VOUCHER_MANAGE)
def lapse_provider(ctx: Context, provider_id: int, reason: str) -> ProviderPublic:
    """Recognition withdrawn or lapsed: no new redemptions (contracts already signed run on)."""
    with ctx.db.write() as s:
        p: VoucherProvider = _get(s, VoucherProvider, provider_id, Text("服务机构", "provider"))
        if p.state != "recognised":
            raise Conflict("voucher.provider_state", state=p.state)
        p.state, p.note = "lapsed", reason[:500]
        record(s, ctx, "voucher.provider_lapse", target=f"voucher_provider:{p.id}", detail=reason)
        return _provider_public(s, p, ctx.platform.today())


@requires(Permission.VOUCHER_READ)
def providers(ctx: Context, key: str) -> list[ProviderPublic]:
    """The scheme's providers (an enterprise user: the recognised ones, and its own)."""
    with ctx.db.read() as s:
        sc = _scheme(s, key)
        rows = s.scalars(select(VoucherProvider).where(VoucherProvider.scheme_id == sc.id)
                         .order_by(VoucherProvider.id))
        day = ctx.platform.today()
        own = ctx.scope(Permission.VOUCHER_READ) is Scope.OWN
        return [_provider_public(s, p, day) for p in rows
                if not own or p.state == "recognised" or p.entity_id == ctx.actor.entity_id]


# ---------------------------------------------------------------------- quotas

def _tsme(s: Session, e: Entity, day: dt.date) -> bool:
    """A 科技型中小企业 on ``day`` (an ``honours`` record of kind ``tsme`` not expired)."""
    cat = default_catalogue()
    stored = E.latest_values(s, [e.id])[e.id].get(("honours", E.STATIC))
    records = list(V.plain(cat.facts["honours"], *stored) or []) if stored else []
    return any(r.get("kind") == "tsme" and (not r.get("expiry") or str(r["expiry"]) >= day.isoformat())
               for r in records if isinstance(r, dict))


def _clause_amount(ctx: Context, s: Session, sc: VoucherScheme, e: Entity, day: dt.date
                   ) -> tuple[Decimal, str]:
    """The quota from the pack's clause (the published version): refused unless met."""
    if not sc.pack_key or not sc.clause_key:
        raise InputError(message("programme.bad_number", name="amount", value=""))
    v = PV.published(s, sc.pack_key)
    res = matcher(ctx, sc.pack_key, v, day).match(enterprise_of(s, default_catalogue(), e, day))
    c = next((c for c in res.clauses if c.key == sc.clause_key), None)
    if c is None or c.status.value != "eligible" or c.amount is None:
        raise Conflict("voucher.not_eligible", clause=sc.clause_key,
                       status="—" if c is None else c.status.value)
    return Decimal(c.amount).quantize(FEN), res.pack_version


@requires(Permission.VOUCHER_MANAGE)
def issue(ctx: Context, key: str, data: Issue) -> VoucherPublic:
    """The enterprise's voucher for the year: the amount of the pack's clause (or the one
    given), the deduction share by whether it is a 科技型中小企业, from the budget."""
    day = ctx.platform.today()
    with ctx.db.write() as s:
        sc = _scheme(s, key)
        e = _entity(s, data.enterprise)
        if data.amount is not None:
            amount, version = _decimal(data.amount, "amount"), None
        else:
            amount, version = _clause_amount(ctx, s, sc, e, day)
        tsme = data.tsme if data.tsme is not None else _tsme(s, e, day)
        v = B.issue(s, sc, e.id, amount, tsme, _who(ctx), version)
        record(s, ctx, "voucher.issue", target=f"voucher:{v.id}",
               after={"enterprise": e.credit_code, "amount": money(amount),
                      "share": format(v.share, "f"), "version": version})
        return _voucher_public(s, v)


@requires(Permission.VOUCHER_READ)
def vouchers(ctx: Context, key: str) -> list[VoucherPublic]:
    with ctx.db.read() as s:
        sc = _scheme(s, key)
        stmt = select(Voucher).where(Voucher.scheme_id == sc.id).order_by(Voucher.id)
        if ctx.scope(Permission.VOUCHER_READ) is Scope.OWN:
            stmt = stmt.where(Voucher.entity_id == ctx.actor.entity_id)
        return [_voucher_public(s, v) for v in s.scalars(stmt)]


@requires(Permission.VOUCHER_READ)
def voucher(ctx: Context, voucher_id: int) -> VoucherPublic:
    with ctx.db.read() as s:
        v: Voucher = _get(s, Voucher, voucher_id, Text("创新券", "voucher"))
        own = v.entity_id
    _own(ctx, Permission.VOUCHER_READ, own, f"voucher:{voucher_id}")
    with ctx.db.read() as s:
        return _voucher_public(s, s.get_one(Voucher, voucher_id))


# ---------------------------------------------------------------------- contracts

def _owner_of(ctx: Context, model: Any, row_id: int, what: Text) -> tuple[int, int]:
    """(the voucher holder's entity, the provider's entity) of a contract or a voucher."""
    with ctx.db.read() as s:
        row = _get(s, model, row_id, what)
        if isinstance(row, VoucherContract):
            v = s.get_one(Voucher, row.voucher_id)
            return v.entity_id, s.get_one(VoucherProvider, row.provider_id).entity_id
        return row.entity_id, 0


@requires(Permission.VOUCHER_USE)
def redeem(ctx: Context, voucher_id: int, data: Redeem) -> ContractPublic:
    """The enterprise redeems its voucher against a service contract with a provider."""
    holder, _ = _owner_of(ctx, Voucher, voucher_id, Text("创新券", "voucher"))
    _own(ctx, Permission.VOUCHER_USE, holder, f"voucher:{voucher_id}")
    try:
        with ctx.db.write() as s:
            c = B.redeem(s, voucher_id, data.provider, data.number,
                         _decimal(data.amount, "amount"), _who(ctx), data.item)
            record(s, ctx, "voucher.redeem", target=f"voucher_contract:{c.id}",
                   after={"voucher": voucher_id, "number": c.number, "amount": money(c.amount),
                          "deducted": money(c.deducted)})
            return _contract_public(s, c)
    except IntegrityError as exc:   # the same contract at the same moment: the index says no
        raise Conflict("voucher.contract_redeemed", number=data.number) from exc


def _contract_move(ctx: Context, contract_id: int, side: str, action: str) -> ContractPublic:
    holder, provider = _owner_of(ctx, VoucherContract, contract_id, Text("合同", "contract"))
    if side == "holder":
        _own(ctx, Permission.VOUCHER_USE, holder, f"voucher_contract:{contract_id}")
    elif side == "provider":
        _own(ctx, Permission.VOUCHER_USE, provider, f"voucher_contract:{contract_id}")
    elif ctx.scope(Permission.VOUCHER_USE) is Scope.OWN and ctx.actor.entity_id not in (holder,
                                                                                        provider):
        ctx.refuse(Permission.VOUCHER_USE, f"voucher_contract:{contract_id}")
    with ctx.db.write() as s:
        c = getattr(B, action)(s, contract_id, _who(ctx))
        record(s, ctx, f"voucher.{action}", target=f"voucher_contract:{c.id}",
               after={"state": c.state})
        return _contract_public(s, c)


@requires(Permission.VOUCHER_USE)
def deliver(ctx: Context, contract_id: int) -> ContractPublic:
    """The provider marks the service delivered."""
    return _contract_move(ctx, contract_id, "provider", "deliver")


@requires(Permission.VOUCHER_USE)
def confirm(ctx: Context, contract_id: int) -> ContractPublic:
    """The enterprise confirms delivery: the deduction becomes the provider's receivable."""
    return _contract_move(ctx, contract_id, "holder", "confirm")


@requires(Permission.VOUCHER_USE)
def cancel(ctx: Context, contract_id: int) -> ContractPublic:
    """Either side gives the contract up before the delivery is confirmed."""
    return _contract_move(ctx, contract_id, "either", "cancel")


# ---------------------------------------------------------------------- claims, settlement

@requires(Permission.VOUCHER_USE)
def claim(ctx: Context, provider_id: int, period: str) -> ClaimPublic:
    """The provider claims a quarter that has ended."""
    with ctx.db.read() as s:
        p: VoucherProvider = _get(s, VoucherProvider, provider_id, Text("服务机构", "provider"))
        owner = p.entity_id
    _own(ctx, Permission.VOUCHER_USE, owner, f"voucher_provider:{provider_id}")
    try:
        with ctx.db.write() as s:
            cl = B.claim(s, provider_id, period, _who(ctx))
            record(s, ctx, "voucher.claim", target=f"voucher_claim:{cl.id}",
                   after={"period": period, "amount": money(cl.amount)})
            return _claim_public(s, cl)
    except IntegrityError as exc:
        raise Conflict("voucher.claimed", period=period) from exc


@requires(Permission.VOUCHER_READ)
def claims(ctx: Context, key: str, period: str | None = None) -> list[ClaimPublic]:
    """The scheme's claims (an enterprise user: its own as a provider)."""
    with ctx.db.read() as s:
        sc = _scheme(s, key)
        stmt = (select(VoucherClaim).join(VoucherProvider, VoucherProvider.id == VoucherClaim.provider_id)
                .where(VoucherProvider.scheme_id == sc.id).order_by(VoucherClaim.id))
        if period:
            stmt = stmt.where(VoucherClaim.period == period)
        if ctx.scope(Permission.VOUCHER_READ) is Scope.OWN:
            stmt = stmt.where(VoucherProvider.entity_id == ctx.actor.entity_id)
        return [_claim_public(s, cl) for cl in s.scalars(stmt)]


@requires(Permission.VOUCHER_MANAGE)
def settle(ctx: Context, claim_id: int, reference: str) -> ClaimPublic:
    """Pay a claim and compute the provider's bonus; again changes nothing."""
    with ctx.db.write() as s:
        cl, changed = B.settle(s, claim_id, reference, _who(ctx))
        bonus = B.bonus(s, cl.id, _who(ctx))
        if changed:
            record(s, ctx, "voucher.settle", target=f"voucher_claim:{cl.id}",
                   after={"amount": money(cl.amount), "bonus": money(bonus),
                          "reference": reference})
        return _claim_public(s, cl)


@requires(Permission.VOUCHER_MANAGE)
def settlement_run(ctx: Context, key: str, period: str, reference: str) -> SettlementRun:
    """Settle every claim of a quarter (each in a transaction of its own; a run repeated
    settles only what is left)."""
    with ctx.db.read() as s:
        sc = _scheme(s, key)
        ids = list(s.scalars(select(VoucherClaim.id).join(
            VoucherProvider, VoucherProvider.id == VoucherClaim.provider_id).where(
            VoucherProvider.scheme_id == sc.id, VoucherClaim.period == period)
            .order_by(VoucherClaim.id)))
    settled = already = 0
    paid = bonus = Decimal(0)
    for i in ids:
        with ctx.db.write() as s:
            cl, changed = B.settle(s, i, f"{reference}-{i}", _who(ctx))
            b = B.bonus(s, cl.id, _who(ctx))
            if changed:
                settled += 1
                paid += cl.amount
                bonus += b
                record(s, ctx, "voucher.settle", target=f"voucher_claim:{cl.id}",
                       after={"amount": money(cl.amount), "bonus": money(b), "run": reference})
            else:
                already += 1
    return SettlementRun(period=period, settled=settled, already=already, paid=money(paid),
                         bonus=money(bonus))


@requires(Permission.VOUCHER_MANAGE)
def expire_due(ctx: Context, key: str) -> dict[str, str | int]:
    """Expire the scheme's vouchers past their day; what was left returns to the budget."""
    day = ctx.platform.today()
    with ctx.db.read() as s:
        sc = _scheme(s, key)
        ids = list(s.scalars(select(Voucher.id).where(
            Voucher.scheme_id == sc.id, Voucher.state == "issued", Voucher.valid_until < day)))
    back = Decimal(0)
    for i in ids:
        with ctx.db.write() as s:
            left = B.expire(s, i, _who(ctx))
            back += left
            record(s, ctx, "voucher.expire", target=f"voucher:{i}", after={"returned": money(left)})
    return {"expired": len(ids), "returned": money(back)}


# ---------------------------------------------------------------------- reconciliation

@requires(Permission.VOUCHER_MANAGE)
def reconciliation(ctx: Context, key: str) -> tuple[list[str], list[list[Any]]]:
    """Every entry of the scheme's ledger: one row a leg, with its transaction; the
    balances per account follow (for the XLSX export)."""
    with ctx.db.read() as s:
        sc = _scheme(s, key)
        head = ["交易 txn", "类型 kind", "凭证 reference", "日期 date", "账户 account",
                "金额 amount", "备注 memo"]
        rows: list[list[Any]] = []
        q = (select(LedgerTxn, LedgerAccount.code, LedgerEntry.amount)
             .join(LedgerEntry, LedgerEntry.txn_id == LedgerTxn.id)
             .join(LedgerAccount, LedgerAccount.id == LedgerEntry.account_id)
             .where(LedgerTxn.scheme_id == sc.id).order_by(LedgerTxn.id, LedgerEntry.id))
        for t, code, amount in s.execute(q):
            rows.append([t.id, t.kind, t.reference, t.posted_on.isoformat(), code,
                         Decimal(amount), t.memo or ""])
        rows.append([])
        for code, v in sorted(L.balances(s, sc.id).items()):
            rows.append(["", "balance", "", "", code, v, ""])
        return head, rows
