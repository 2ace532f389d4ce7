"""The pages of competitions: an enterprise posts its problem, the officer opens it, teams
register on the public page (no sign-in), the officer closes registration, scores the
preliminary and the final on the stages' rubrics; the winners' certificates are PDFs; the
dashboard counts entrants by university and by problem."""

from __future__ import annotations

from huiqi.vouchers import competitions as K
from huiqi.vouchers.schemas import CompetitionCreate
from service_fixtures import CODE_A

from .conftest import Site


def _competition(site: Site) -> None:
    K.create(site.world.ctx("admin"), CompetitionCreate.model_validate({
        "key": "jhz-2025", "title_zh": "2025年“炬火种”创新创业大赛", "title_en": "Torch Seeds 2025",
        "organiser": "厦门火炬高新区管委会", "year": 2025, "finalists": 2, "prizes": K.PRIZES,
        "preliminary": {"criteria": K.PRELIMINARY}, "final": {"criteria": K.FINAL},
        "panels": {"preliminary": ["专家甲"], "final": ["专家乙"]}}))


def _scores(page: str, team_ids: list[int], stage_criteria: list[dict[str, str]],
            values: list[str]) -> dict[str, str]:
    out = {}
    for tid, v in zip(team_ids, values, strict=True):
        for c in stage_criteria:
            name = f"score:{tid}:0:{c['id']}"
            assert f'name="{name}"' in page
            out[name] = v
    return out


def test_a_posted_problem_to_its_prize_on_the_pages(site: Site) -> None:
    _competition(site)
    site.sign_in("enterprise")
    r = site.client.post("/staff/competitions/jhz-2025/problems", data={
        "csrf": site.csrf(), "code": "P1", "enterprise": CODE_A, "title_zh": "产线视觉检测",
        "title_en": "Vision inspection", "description": "识别焊点缺陷", "prize": "100000"},
        follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    pid = int(r.headers["location"].rsplit("/", 1)[-1])
    page = site.client.get(f"/staff/competition-problems/{pid}").text
    assert "已提交待审核" in page and "撤回命题" in page and "开放报名" not in page
    site.sign_in("case_officer")
    r = site.client.post(f"/staff/competition-problems/{pid}/move",
                         data={"csrf": site.csrf(), "name": "open"}, follow_redirects=False)
    assert r.status_code == 303
    site.sign_in(None)
    assert "产线视觉检测" in site.client.get("/public/competitions").text
    for n, uni in ((1, "厦门大学"), (2, "华侨大学"), (3, "集美大学")):
        r = site.client.post(f"/public/competitions/problems/{pid}/teams", data={
            "name": f"队伍{n}", "university": uni, "mentor": f"导师{n}",
            "contact": f"139{n:08d}", "members": f"学生{n}甲|{uni}|队长\n学生{n}乙|{uni}"},
            follow_redirects=False)
        assert r.status_code == 303, r.text[:500]
    public = site.client.get(f"/public/competitions/problems/{pid}").text
    assert "队伍3" in public and "13900000003" not in public       # no contacts in public
    site.sign_in("case_officer")
    site.client.post(f"/staff/competition-problems/{pid}/move",
                     data={"csrf": site.csrf(), "name": "review"}, follow_redirects=False)
    ids = [t.id for t in sorted(K.problem(site.world.ctx("admin"), pid).roster,
                                key=lambda t: t.id)]
    page = site.client.get(f"/staff/competition-problems/{pid}").text
    assert "13900000003" in page                                   # the organisers see them
    data = _scores(page, ids, K.PRELIMINARY, ["90", "50", "80"])
    r = site.client.post(f"/staff/competition-problems/{pid}/scores",
                         data={"csrf": site.csrf(), "stage": "preliminary", **data},
                         follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    page = site.client.get(f"/staff/competition-problems/{pid}").text
    assert "决赛路演" in page
    data = _scores(page, [ids[0], ids[2]], K.FINAL, ["75", "85"])
    r = site.client.post(f"/staff/competition-problems/{pid}/scores",
                         data={"csrf": site.csrf(), "stage": "final", **data},
                         follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    out = K.problem(site.world.ctx("admin"), pid)
    assert out.state == "awarded"
    first = next(t for t in out.roster if t.rank == 1)
    assert (first.name, first.prize, first.state) == ("队伍3", "50000.00", "placed")
    site.sign_in(None)
    pdf = site.client.get(f"/public/certificates/{first.certificate}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert site.client.get("/public/certificates/2025-999999-01").status_code == 404
    site.sign_in("leadership")
    dash = site.client.get("/dashboard").text
    assert 'id="contest"' in dash and "集美大学" in dash and "产线视觉检测" in dash


def test_an_enterprise_sees_only_its_own_problems(site: Site) -> None:
    _competition(site)
    officer = site.world.ctx("case_officer")
    from huiqi.vouchers.schemas import ProblemPost
    from service_fixtures import CODE_B

    K.post(officer, "jhz-2025", ProblemPost(code="P9", enterprise=CODE_B, title_zh="别家命题",
                                            title_en="Other", description="x", prize="1000"))
    site.sign_in("enterprise")
    page = site.client.get("/staff/competitions/jhz-2025").text
    assert "别家命题" not in page and "by-university" not in page
