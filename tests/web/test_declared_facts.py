"""Pages with the facts a published pack declares: the enterprise completes them on the
self-service form (an option by its label, a money fact waiting for staff), the profile
shows them by their labels."""

from __future__ import annotations

import re
from pathlib import Path

from huiqi.packs.files import read_folder
from huiqi.service import enterprises

from .conftest import Site

EXAMPLE = Path(__file__).parents[2] / "examples" / "packs" / "declared-facts"


def test_an_enterprise_completes_declared_facts_and_the_profile_shows_them(site: Site
                                                                           ) -> None:
    world = site.world
    world.publish("declared-facts", [(p, c) for p, c in read_folder(EXAMPLE)
                                     if p != "enterprises.yaml"])
    own = world.own
    site.sign_in("enterprise")
    form = site.client.get(f"/match/{own}/facts", params=[
        ("need", "panel_grade"), ("need", "phd_staff"), ("need", "product_line_revenue@2024")])
    assert form.status_code == 200, form.text
    for label in ("专家组评级", "博士人数", "主导产品线营业收入"):
        assert label in form.text, label
    assert "优秀" in form.text and "良好" in form.text  # the options by their labels
    r = site.client.post(f"/match/{own}/facts", data={
        "csrf": site.csrf(), "f:panel_grade": "A", "f:phd_staff": "4",
        "f:product_line_revenue@2024": "600万"}, follow_redirects=False)
    # every fact this clause reads can change money: each waits for staff
    assert r.status_code == 303 and "saved=0" in r.headers["location"] and \
        "waiting=3" in r.headers["location"], r.headers["location"]
    site.sign_in("case_officer")
    listing = site.client.get("/staff/claims").text
    for label in ("专家组评级", "博士人数", "主导产品线营业收入(2024年度)"):
        assert label in listing, label
    for claim in re.findall(r'data-claim="(\d+)"', listing):
        r = site.client.post(f"/staff/claims/{claim}", data={"csrf": site.csrf(),
                                                            "decision": "confirm"},
                             follow_redirects=False)
        assert r.status_code == 303
    facts = {(f.fact, f.year): f.value for f in enterprises.facts(world.ctx("admin"), own)}
    assert facts[("panel_grade", None)] == "A" and str(facts[("phd_staff", None)]) == "4"
    assert str(facts[("product_line_revenue", 2024)]) == "6000000"
    profile = site.client.get(f"/staff/enterprises/{own}").text
    assert "专家组评级" in profile and "优秀" in profile and "博士人数" in profile
