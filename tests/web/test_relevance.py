"""Relevance (issue 16, item 3): by default an enterprise sees the policies of its own park
and city and the national ones; the clauses fall in 可申报 / 差一点 / 其他; the total counts
only what fits."""

from __future__ import annotations

from pathlib import Path

import pytest

from huiqi.rules.loader import load_pack
from huiqi.rules.model import Pack
from huiqi.web.plain import local, places

from .conftest import Site

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def seed() -> Pack:
    return load_pack(ROOT / "policies" / "seed")


@pytest.fixture(scope="module")
def national() -> Pack:
    return load_pack(ROOT / "policies" / "national")


def test_a_xiamen_firm_sees_xiamen_and_national_policies_only(seed: Pack, national: Pack
                                                              ) -> None:
    where = {p.id: places(p) for p in [*seed.policies, *national.policies]}
    assert where["xm-torch-voucher"] == {"厦门火炬高新区", "厦门市"}
    assert where["qsme"] == set()  # national: no place named
    shown = {pid for pid, w in where.items() if local(w, "厦门市", "厦门火炬高新区")}
    # Beijing's challenge list is open to applicants from anywhere (it names no place)
    assert shown == {"xm-torch-voucher", "qsme", "tsme", "zjtx-2022", "zjtx-2026",
                     "bj-auto-chip"}
    assert "nbgx-ip" not in shown and "gl-mayor-quality" not in shown
    # a firm of Xiamen outside the park still sees its city's policies
    assert local(where["xm-torch-voucher"], "厦门市", None)
    # a visitor who has not said where: everything
    assert local(where["nbgx-ip"], None, None)


def test_the_groups_and_the_total(site: Site) -> None:
    import re

    own = site.world.own
    site.sign_in("enterprise")
    page = site.client.get(f"/match/{own}").text
    assert 'id="g-fits"' in page and 'id="g-near"' in page
    total = re.search(r'data-total>([^<]*)<', page)
    assert total is not None and re.fullmatch(r"¥[\d,]+", total.group(1)), page[:2000]
    fits = re.search(r'<table class="stack" id="fits">(.*?)</table>', page, re.S)
    amounts = re.findall(r"<strong>(¥[\d,]+)</strong>", fits.group(1)) if fits else []
    assert sum(int(a[1:].replace(",", "")) for a in amounts) == int(
        total.group(1)[1:].replace(",", ""))
    # what fits is eligible (or awaits a person's judgement), never not met
    assert fits is None or "status-not_eligible" not in fits.group(1)
