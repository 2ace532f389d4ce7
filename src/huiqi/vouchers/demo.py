"""The demo's vouchers (``huiqi init-demo``), replayed on a clock that moves through the
months before the demo's day, so that every state is there with real dates:

- last year's scheme: providers recognised (one in the zone, one outside it, one rejected
  by the panel, one whose recognition lapsed), vouchers issued, contracts delivered,
  confirmed and settled by quarter with the bonus, the Q4 claim waiting for its payment, the
  vouchers expired and what was left returned to the budget;
- this year's scheme: vouchers issued (the demo's enterprise user holds one), contracts
  redeemed, delivered, confirmed and cancelled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select

from huiqi.errors import HuiqiError
from huiqi.programmes.demo import Demo
from huiqi.service.context import Context, Platform
from huiqi.store.models import Entity

from . import service as VS
from .schemas import Issue, ItemSpec, ProviderApply, ProviderEvaluate, Redeem, SchemeCreate

ITEMS = [ItemSpec(code="fea", title_zh="结构仿真分析", title_en="Structural simulation",
                  service_class="technology", price="60000"),
         ItemSpec(code="cfd", title_zh="流体仿真分析", title_en="Fluid simulation",
                  service_class="technology", price="80000"),
         ItemSpec(code="emc", title_zh="电磁仿真分析", title_en="Electromagnetic simulation",
                  service_class="technology", price="50000")]
GOOD = [{"operations": "85", "capability": "90"}, {"operations": "80", "capability": "88"},
        {"operations": "90", "capability": "84"}]
POOR = [{"operations": "60", "capability": "55"}, {"operations": "65", "capability": "62"}]


def _firms(platform: Platform, first: str | None, n: int) -> list[tuple[str, int]]:
    """Enterprises of the Xiamen zone first, then any (the demo user's enterprise first)."""
    with platform.db.read() as s:
        rows = [(c, i, p) for c, i, p in s.execute(
            select(Entity.credit_code, Entity.id, Entity.park).where(Entity.kind == "enterprise")
            .order_by(Entity.credit_code).limit(5000))]
    rows.sort(key=lambda r: (r[0] != first, r[2] != "厦门火炬高新区", r[0]))
    return [(c, i) for c, i, _ in rows[:n]]


class _Run:
    def __init__(self, d: Demo, firms: list[tuple[str, int]]) -> None:
        self.d, self.firms = d, firms

    def firm(self, i: int) -> tuple[str, int]:
        return self.firms[i]

    def as_firm(self, i: int) -> Context:
        code, eid = self.firms[i]
        return self.d.firm(code, eid)


def _scheme(r: _Run, key: str, year: int, start: dt.date, until: dt.date,
            providers: list[int], lapse: int | None, reject: int | None) -> list[int]:
    d = r.d
    d.at(start)
    officer = d.staff()
    VS.create_scheme(officer, SchemeCreate(
        key=key, title_zh=f"{year}年厦门火炬高新区火炬创新券", title_en=f"Xiamen Torch vouchers {year}",
        year=year, budget="3000000", valid_until=until))
    ids = []
    for n, i in enumerate(providers):
        code, _ = r.firm(i)
        p = VS.apply_provider(r.as_firm(i), key, ProviderApply(enterprise=code, in_zone=n != 1,
                                                               items=ITEMS[: 1 + n % 3]))
        VS.evaluate_provider(officer, p.id, ProviderEvaluate(reviews=POOR if i == reject else GOOD))
        if i == lapse:
            VS.lapse_provider(officer, p.id, "认定有效期届满未复核")
        ids.append(p.id)
    return ids


def _last_year(r: _Run, year: int) -> None:
    d = r.d
    key = f"xm-voucher-{year}"
    pids = _scheme(r, key, year, dt.date(year, 1, 15), dt.date(year, 12, 31), [10, 11, 12, 13],
                   lapse=13, reject=12)
    officer = d.staff()
    vouchers = [VS.issue(officer, key, Issue(enterprise=r.firm(i)[0], amount=a, tsme=i % 2 == 0))
                for i, a in ((1, "200000"), (2, "100000"), (3, "100000"), (4, "200000"))]
    n = 0
    for q in range(4):
        d.at(dt.date(year, 3 * q + 1, 20))
        for j, v in enumerate(vouchers):
            n += 1
            pid = pids[(j + q) % 2]
            c = VS.redeem(r.as_firm(1 + j), v.id, Redeem(provider=pid, number=f"XM{year}-{n:04d}",
                                                         amount=str(30000 + 5000 * j)))
            d.at(dt.date(year, 3 * q + 2, 10))
            VS.deliver(r.as_firm(10 + (j + q) % 2), c.id)
            VS.confirm(r.as_firm(1 + j), c.id)
        end = dt.date(year + 1, 1, 10) if q == 3 else dt.date(year, 3 * q + 4, 10)
        d.at(end)
        for pid, i in zip(pids[:2], (10, 11), strict=True):
            VS.claim(r.as_firm(i), pid, f"{year}Q{q + 1}")
        if q < 3:
            VS.settlement_run(officer, key, f"{year}Q{q + 1}", f"厦火炬兑付〔{year}〕{q + 1}号")
    VS.expire_due(officer, key)
    d.log(f"✓ 火炬创新券 / vouchers {key}: settled Q1–Q3, Q4 claimed, expired")


def _this_year(r: _Run, day: dt.date) -> None:
    d = r.d
    start = max(dt.date(day.year, 1, 2), day - dt.timedelta(days=60))
    key = f"xm-voucher-{day.year}"
    pids = _scheme(r, key, day.year, start, dt.date(day.year, 12, 31), [10, 11], None, None)
    officer = d.staff()

    def at(frac: float) -> None:
        d.at(start + dt.timedelta(days=int((day - start).days * frac)))

    at(0.1)
    vs = [VS.issue(officer, key, Issue(enterprise=r.firm(i)[0], amount=a, tsme=i == 0))
          for i, a in ((0, "200000"), (1, "100000"), (2, "50000"))]
    states = ["confirmed", "delivered", "redeemed", "cancelled", "confirmed"]
    for n, state in enumerate(states):
        at(0.2 + 0.1 * n)
        j = n % len(vs)
        c = VS.redeem(r.as_firm(j), vs[j].id, Redeem(provider=pids[n % 2],
                                                     number=f"XM{day.year}-{n + 1:04d}",
                                                     amount=str(30000 + 15000 * n)))
        if state == "cancelled":
            VS.cancel(r.as_firm(j), c.id)
            continue
        if state == "redeemed":
            continue
        VS.deliver(r.as_firm(10 + n % 2), c.id)
        if state == "confirmed":
            VS.confirm(r.as_firm(j), c.id)
    d.log(f"✓ 火炬创新券 / vouchers {key}: issued, redeemed, delivered, confirmed, cancelled")


def create(platform: Platform, day: dt.date, reviewers: list[str], first: str | None,
           log: Callable[[str], None]) -> None:
    """Both schemes, each on its own (one that cannot be made is reported and skipped)."""
    d = Demo(platform, reviewers, log)
    firms = _firms(platform, first, 14)
    if len(firms) < 14:
        log("火炬创新券:企业不足,跳过 / too few enterprises, skipped")
        return
    r = _Run(d, firms)
    last = (day - dt.timedelta(days=400)).year
    steps: list[Callable[[], None]] = [lambda: _last_year(r, last), lambda: _this_year(r, day)]
    for make in steps:
        try:
            make()
        except HuiqiError as exc:
            log(f"✗ {exc.message('zh')} / {exc.message('en')}")
