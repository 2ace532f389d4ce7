"""Self-service data (issue 16, item 6): the enterprise completes and corrects its data;
what can change money waits for staff; provenance in plain words."""

from __future__ import annotations

import re

from huiqi.service import enterprises, selfservice

from .conftest import Site


def test_an_enterprise_completes_its_data_and_staff_confirm_what_affects_money(site: Site
                                                                              ) -> None:
    own = site.world.own
    site.sign_in("enterprise")
    page = site.client.get(f"/match/{own}")
    assert f'href="/match/{own}/facts"' in page.text
    form = site.client.get(f"/match/{own}/facts")
    assert form.status_code == 200 and 'name="f:' in form.text  # the facts the matches miss
    r = site.client.post(f"/match/{own}/facts", data={
        "csrf": site.csrf(), "f:own_brand": "true", "f:rd_expense@2024": "120万"},
        follow_redirects=False)
    assert r.status_code == 303 and "saved=1" in r.headers["location"] and \
        "waiting=1" in r.headers["location"]
    ctx = site.world.ctx("admin")
    facts = {(f.fact, f.year): f for f in enterprises.facts(ctx, own)}
    assert facts[("own_brand", None)].value is True
    assert facts[("own_brand", None)].source == "self_reported"
    assert str(facts[("rd_expense", 2024)].value) == "800000"  # not yet: staff confirm it
    after = site.client.get(site.client.get(r.headers["location"]).url).text
    assert "待确认" in after and "1200000" in after
    profile = site.client.get(f"/staff/enterprises/{own}").text
    assert "待工作人员确认的数据" in profile and "企业自报" in profile
    assert site.client.get("/staff/claims").status_code == 403  # not for the enterprise

    site.sign_in("case_officer")
    listing = site.client.get("/staff/claims").text
    [claim] = re.findall(r'data-claim="(\d+)"', listing)
    r = site.client.post(f"/staff/claims/{claim}", data={"csrf": site.csrf(),
                                                        "decision": "confirm"},
                         follow_redirects=False)
    assert r.status_code == 303
    facts = {(f.fact, f.year): f for f in enterprises.facts(ctx, own)}
    assert str(facts[("rd_expense", 2024)].value) == "1200000"
    assert facts[("rd_expense", 2024)].source == "self_confirmed"
    assert selfservice.pending(ctx) == []
    again = site.client.post(f"/staff/claims/{claim}", data={"csrf": site.csrf(),
                                                            "decision": "reject"})
    assert again.status_code == 409
    site.sign_in("enterprise")
    profile = site.client.get(f"/staff/enterprises/{own}").text
    assert "企业自报(工作人员已确认)" in profile and "u_enterprise 报,u_case_officer 确认" in profile
    for raw in ("self_reported", "self_confirmed", "generator", "cli:root"):
        assert f">{raw}<" not in profile


def test_a_bad_value_is_refused_and_changes_nothing(site: Site) -> None:
    own = site.world.own
    site.sign_in("enterprise")
    r = site.client.post(f"/match/{own}/facts", data={"csrf": site.csrf(),
                                                      "f:rd_expense@2024": "很多"})
    assert r.status_code == 422
    assert selfservice.pending(site.world.ctx("admin")) == []


def test_a_clause_missing_facts_links_to_the_form_that_completes_them(site: Site) -> None:
    own = site.world.own
    site.sign_in("enterprise")
    page = site.client.get(f"/match/{own}").text
    assert f'class="complete" href="/match/{own}/facts?need=' in page


def test_a_negative_amount_reads_as_one() -> None:
    from huiqi.web.templates import money

    assert money("-25320994.39") == "−¥25,320,994.39" and money("5") == "¥5"
