"""The demo's vouchers (init-demo) on a small park: last year's scheme settled by quarter,
its Q4 claimed, its vouchers expired; this year's with contracts in every state."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from huiqi.vouchers import demo
from huiqi.vouchers import ledger as L
from huiqi.vouchers.models import (
    ChallengeAgreement,
    ChallengeApplication,
    Voucher,
    VoucherClaim,
    VoucherContract,
    VoucherProvider,
)
from programmes.conftest import REVIEWERS, Park

from .conftest import XM


def test_the_demo_has_every_state(park: Park) -> None:
    for i in range(14):
        park.add_firm(900 + i, "厦门市", XM, f"厦门创新券演示{i}号有限公司")
    said: list[str] = []
    demo.create(park.platform, dt.date(2025, 6, 20), list(REVIEWERS), None, said.append)
    assert not [line for line in said if line.startswith("✗")], said
    with park.platform.db.read() as s:
        contracts = set(s.scalars(select(VoucherContract.state)))
        claims = set(s.scalars(select(VoucherClaim.state)))
        vouchers = set(s.scalars(select(Voucher.state)))
        providers = set(s.scalars(select(VoucherProvider.state)))
        challenge = set(s.scalars(select(ChallengeApplication.state)))
        agreements = s.scalar(select(func.count()).select_from(ChallengeAgreement))
        consortia = s.scalar(select(func.count()).select_from(ChallengeApplication).where(
            ChallengeApplication.agreement_sha256.is_not(None)))
        paid = sum(s.scalars(select(ChallengeApplication.paid)))
        assert L.unbalanced(s) == []
        assert sum(L.balances(s).values()) == 0
    assert contracts == {"settled", "claimed", "confirmed", "delivered", "redeemed", "cancelled"}
    assert claims == {"settled", "claimed"}
    assert vouchers == {"issued", "expired"}
    assert providers == {"recognised", "rejected", "lapsed"}
    assert challenge == {"submitted", "selected", "not_selected"} and paid > 0
    assert agreements == consortia and agreements > 0     # the agreements' files are kept
