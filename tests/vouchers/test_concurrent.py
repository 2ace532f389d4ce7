"""Money under concurrent writers (PostgreSQL and SQLite, real transactions on a pool of
connections): fifty redemptions at once against one quota never take more than it; the
same contract redeemed twice at once is redeemed once; a claim settled twice at once is
paid once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from huiqi.errors import Conflict
from huiqi.service.context import Platform
from huiqi.store.database import Database
from huiqi.vouchers import ledger as L
from huiqi.vouchers import service as VS
from huiqi.vouchers.models import LedgerTxn, VoucherContract
from huiqi.vouchers.schemas import Issue, Redeem
from programmes.conftest import make_park
from service_fixtures import BACKENDS, Backend, Clock, drop_backend, make_settings, new_backend

from .conftest import World, make_world

N = 50


@pytest.fixture(params=BACKENDS)
def concurrent_world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    b: Backend = new_backend(request.param, tmp_path, "vouchers")
    db = Database(b.engine)
    db.upgrade()
    clock = Clock()
    clock.now = dt.datetime(2025, 3, 3, 2, 0, tzinfo=dt.UTC)
    platform = Platform(db, make_settings(as_of=None), clock)
    yield make_world(make_park(platform, clock))
    drop_backend(b)


def _at_once(calls: list[Callable[[], object]]) -> tuple[int, list[Conflict]]:
    start = threading.Barrier(len(calls))
    ok: list[object] = []
    refused: list[Conflict] = []
    errors: list[BaseException] = []

    def run(f: Callable[[], object]) -> None:
        start.wait(30)
        try:
            ok.append(f())
        except Conflict as exc:
            refused.append(exc)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f,)) for f in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    return len(ok), refused


def test_fifty_redemptions_against_one_quota(concurrent_world: World) -> None:
    w = concurrent_world
    officer = w.park.staff()
    # ¥102,500 at 40%: ¥12,500 contracts deduct 5,000 each → 20 in full, one of 2,500
    v = VS.issue(officer, "xm-2025", Issue(enterprise=w.firms[0], amount="102500", tsme=False))
    me = w.park.firm(w.firms[0])
    n, refused = _at_once([
        (lambda i=i: VS.redeem(me, v.id, Redeem(provider=w.provider, number=f"C{i:03d}",
                                                amount="12500")))
        for i in range(N)])
    assert n == 21
    assert {e.reason for e in refused} == {"voucher.quota_exhausted"}
    with w.park.platform.db.read() as s:
        deducted = sorted(c.deducted for c in s.scalars(select(VoucherContract)))
        assert deducted == [Decimal(2500)] + [Decimal(5000)] * 20
        assert L.balance(s, f"quota:{v.id}") == 0
        assert L.unbalanced(s) == []


def test_the_same_contract_twice_at_once(concurrent_world: World) -> None:
    w = concurrent_world
    officer = w.park.staff()
    v = VS.issue(officer, "xm-2025", Issue(enterprise=w.firms[0], amount="100000"))
    v2 = VS.issue(officer, "xm-2025", Issue(enterprise=w.firms[1], amount="100000"))
    me, other = w.park.firm(w.firms[0]), w.park.firm(w.firms[1])
    n, refused = _at_once([
        lambda: VS.redeem(me, v.id, Redeem(provider=w.provider, number="HT-1", amount="1000")),
        lambda: VS.redeem(me, v.id, Redeem(provider=w.provider, number="HT-1", amount="1000")),
        lambda: VS.redeem(other, v2.id, Redeem(provider=w.provider, number="HT-1", amount="1000"))])
    assert n == 1
    assert {e.reason for e in refused} == {"voucher.contract_redeemed"}
    with w.park.platform.db.read() as s:
        assert s.scalar(select(func.count()).select_from(VoucherContract)) == 1
        assert L.balance(s, f"quota:{v.id}") + L.balance(s, f"quota:{v2.id}") == Decimal(199_600)


def test_a_claim_settled_twice_at_once_is_paid_once(concurrent_world: World) -> None:
    w = concurrent_world
    officer = w.park.staff()
    v = VS.issue(officer, "xm-2025", Issue(enterprise=w.firms[0], amount="100000"))
    me, provider = w.park.firm(w.firms[0]), w.park.firm(w.provider_code)
    c = VS.redeem(me, v.id, Redeem(provider=w.provider, number="HT-9", amount="10000"))
    VS.deliver(provider, c.id)
    VS.confirm(me, c.id)
    w.park.advance_days(30)
    cl = VS.claim(provider, w.provider, "2025Q1")
    n, refused = _at_once([lambda: VS.settle(officer, cl.id, "PAY-1") for _ in range(8)])
    assert (n, refused) == (8, [])
    with w.park.platform.db.read() as s:
        assert L.balance(s, f"payments:{w.provider}") == Decimal(4000)
        assert L.balance(s, f"bonus:{w.provider}") == Decimal(800)
        assert s.scalar(select(func.count()).select_from(LedgerTxn).where(
            LedgerTxn.kind == "settle")) == 1
