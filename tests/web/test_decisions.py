"""The review decisions pages (issue 11): the officer sees who waits on a condition a
person judges, records a verdict with its evidence (audited), the enterprise's result
changes and leaves the list; the history shows it; others are refused."""

from __future__ import annotations

import re

from huiqi.service import audit, matching

from .conftest import Site

KEY = "lang/incubation/core_tech"


def _status(site: Site, clause: str) -> str:
    [p] = matching.match_one(site.world.ctx("admin"), site.world.own, pack="language",
                             explain=False).packs
    return next(c.status for c in p.clauses if c.key == clause)


def test_an_officer_records_a_decision_and_the_enterprise_leaves_the_list(site: Site) -> None:
    own = site.world.own
    assert _status(site, "lang/incubation") == "needs_review"
    site.sign_in("reviewer")
    index = site.client.get("/staff/decisions")
    assert index.status_code == 200 and "人工审核" in index.text
    assert 'href="/staff/decisions/language"' in index.text and "政策语言测试包" in index.text
    listing = site.client.get("/staff/decisions/language").text
    section = listing.split(f'data-condition="{KEY}"')[1].split("</section>")[0]
    assert "核心技术属于重点支持领域" in section and f'data-waiting="{own}"' in section
    assert "待审核" in section
    form = site.client.get(f"/staff/decisions/language/{own}").text
    assert f'value="{KEY}"' in form and 'name="verdict"' in form and "尚无记录" in form
    # evidence is required: nothing is recorded without it
    r = site.client.post(f"/staff/decisions/language/{own}", data={
        "csrf": site.csrf(), "condition": KEY, "verdict": "true", "evidence": " "})
    assert r.status_code == 422 and "依据" in r.text
    r = site.client.post(f"/staff/decisions/language/{own}", data={
        "csrf": site.csrf(), "condition": KEY, "verdict": "true",
        "evidence": "专家组意见:属于集成电路重点领域"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("?done=1")
    page = site.client.get(r.headers["location"]).text
    assert "决定已记录" in page and "专家组意见:属于集成电路重点领域" in page
    assert re.search(r'data-decision="\d+"', page) and "u_reviewer" in page
    assert _status(site, "lang/incubation") == "eligible"
    after = site.client.get("/staff/decisions/language").text
    assert f'data-waiting="{own}"' not in after.split(f'data-condition="{KEY}"')[1]
    total, rows = audit.entries(site.world.ctx("admin"), audit.AuditQuery(
        action="review.decide"))
    assert total == 1 and KEY in (rows[0].target or "")
    # a condition that is not judged by a person, a bad score: refused, nothing recorded
    r = site.client.post(f"/staff/decisions/language/{own}", data={
        "csrf": site.csrf(), "condition": "lang/incubation/registered_here", "verdict": "true",
        "evidence": "x"})
    assert r.status_code == 404
    assert audit.entries(site.world.ctx("admin"), audit.AuditQuery(
        action="review.decide"))[0] == 1


def test_only_those_who_decide_open_the_pages(site: Site) -> None:
    for role in ("enterprise", "leadership", "case_officer"):
        site.sign_in(role)
        assert site.client.get("/staff/decisions").status_code == 403, role
        assert site.client.get(
            f"/staff/decisions/language/{site.world.own}").status_code == 403, role
    site.sign_in("policy_officer")
    assert site.client.get("/staff/decisions").status_code == 200


def test_scores_with_a_part_missing_are_recorded_and_shown_by_their_labels(site: Site
                                                                           ) -> None:
    from huiqi.packs.files import read_folder
    from service_fixtures import ROOT

    site.world.publish("reviews", read_folder(ROOT / "tests" / "packs" / "reviews"))
    own = site.world.own
    site.sign_in("reviewer")
    form = site.client.get(f"/staff/decisions/reviews/{own}").text
    assert 'name="score:tech"' in form and "技术先进性(0–60)" in form
    r = site.client.post(f"/staff/decisions/reviews/{own}", data={
        "csrf": site.csrf(), "condition": "panel/key_project/panel", "score:tech": "50",
        "score:market": "", "evidence": "市场前景待补评"}, follow_redirects=False)
    assert r.status_code == 303
    page = site.client.get(r.headers["location"]).text
    row = page.split("data-decision=")[1].split("</tr>")[0]
    assert "技术先进性 50" in row and "市场前景 缺" in row
    # a score outside its declared range is refused, nothing recorded
    r = site.client.post(f"/staff/decisions/reviews/{own}", data={
        "csrf": site.csrf(), "condition": "panel/key_project/panel", "score:tech": "61",
        "evidence": "x"})
    assert r.status_code == 422 and "0–60" in r.text
    assert site.client.get(f"/staff/decisions/reviews/{own}").text.count("data-decision=") == 1
