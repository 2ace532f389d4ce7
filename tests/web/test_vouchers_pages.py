"""The voucher pages: the enterprise sees its balance and history and redeems with a form;
the officer sees the balances, the providers and the claims, and downloads the
reconciliation (XLSX, each transaction summing to zero)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from huiqi.vouchers import service as VS
from huiqi.vouchers.schemas import Issue, ProviderApply, ProviderEvaluate, SchemeCreate
from service_fixtures import CODE_A, CODE_B

from .conftest import Site


def _scheme(site: Site) -> int:
    admin = site.world.ctx("admin")
    VS.create_scheme(admin, SchemeCreate(key="xm-2025", title_zh="火炬创新券", title_en="Vouchers",
                                         year=2025, budget="1000000",
                                         valid_until=dt.date(2099, 12, 31)))
    p = VS.apply_provider(admin, "xm-2025", ProviderApply.model_validate({
        "enterprise": CODE_B, "items": [{"code": "cfd", "title_zh": "流体仿真", "title_en": "CFD",
                                         "service_class": "technology", "price": "80000"}]}))
    VS.evaluate_provider(admin, p.id, ProviderEvaluate(reviews=[
        {"operations": "80", "capability": "90"}]))
    VS.issue(admin, "xm-2025", Issue(enterprise=CODE_A, amount="100000", tsme=False))
    return p.id


def test_the_enterprise_redeems_on_its_page_and_the_officer_exports(site: Site) -> None:
    provider = _scheme(site)
    site.sign_in("enterprise")
    r = site.client.get("/staff/vouchers/xm-2025")
    assert r.status_code == 200 and "¥100,000" in r.text
    v = VS.vouchers(site.world.ctx("enterprise"), "xm-2025")[0]
    r = site.client.post("/staff/vouchers/xm-2025/redeem", data={
        "csrf": site.csrf(), "voucher": str(v.id), "provider": str(provider), "number": "HT-7",
        "amount": "50000"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    page = site.client.get("/staff/vouchers/xm-2025").text
    assert "HT-7" in page and 'data-state="redeemed">已签约抵扣<' in page
    assert 'data-state="issued">已发放<' in page
    # no state or account in developer words on the enterprise's page (issue 16, item 2)
    assert not re.search(r">\s*(redeemed|issued|delivered|confirmed|recognised)\s*<", page)
    assert VS.voucher(site.world.ctx("enterprise"), v.id).remaining == "80000.00"
    site.sign_in("case_officer")
    page = site.client.get("/staff/vouchers/xm-2025").text
    assert 'id="balances"' in page and "HT-7" in page
    assert 'data-account="held">已签约待交付<' in page and 'data-state="recognised">已认定<' in page
    r = site.client.get("/staff/vouchers/xm-2025/reconciliation.xlsx")
    assert r.status_code == 200
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    ws = load_workbook(io.BytesIO(r.content)).active
    legs = [row for row in ws.iter_rows(min_row=3, values_only=True) if row[0] not in (None, "")]
    assert len(legs) == 6        # fund, issue, redeem: two legs each
    assert sum(Decimal(str(row[5])) for row in legs) == 0
