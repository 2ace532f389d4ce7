"""The public policy library (issue 16, item 4)."""

from __future__ import annotations

from .conftest import Site


def test_a_visitor_browses_and_searches_the_library(site: Site) -> None:
    site.sign_in(None)
    r = site.client.get("/library")
    assert r.status_code == 200 and 'data-policy="language/lang"' in r.text
    assert "现行有效" in r.text or "已失效" in r.text or "尚未施行" in r.text
    found = site.client.get("/library", params={"q": "没有这样的政策"})
    assert 'data-policy="language/lang"' not in found.text and "没有符合条件的政策" in found.text
    by_number = site.client.get("/library", params={"q": "〔2024〕1号"})  # by 文号
    assert 'data-policy="language/lang"' in by_number.text
    by_issuer = site.client.get("/library", params={"issuer": "测试区管委会"})
    assert 'data-policy="language/lang"' in by_issuer.text
    by_kind = site.client.get("/library", params={"kind": "money"})
    assert 'data-policy="language/lang"' in by_kind.text
    expired = site.client.get("/library", params={"state": "expired"})
    assert 'data-policy="language/lang"' not in expired.text


def test_a_policy_page_has_its_header_text_clauses_and_a_way_to_check(site: Site) -> None:
    site.sign_in(None)
    r = site.client.get("/library/language/lang")
    assert r.status_code == 200
    for words in ("发文机关", "施行日期", "有效期至", "有效性", "支持内容与条件", "适合我的企业吗?",
                  'href="/calculator"', "研发费用补助"):
        assert words in r.text, words
    assert "rd_ratio" not in r.text and "lang/rd_subsidy" not in r.text  # plain words
    site.sign_in("enterprise")
    mine = site.client.get("/library/language/lang")
    assert f'href="/match/{site.world.own}"' in mine.text
    assert site.client.get("/library/language/none").status_code == 404


def test_an_officer_writes_the_interpretation_everyone_reads(site: Site) -> None:
    site.sign_in("policy_officer")
    page = site.client.get("/library/language/lang")
    assert "撰写或修改解读" in page.text and "暂无解读" in page.text
    r = site.client.post("/library/language/lang/note", data={
        "csrf": site.csrf(), "text": "区内注册满一年的企业,研发强度达标即可申请。\n每年三月申报。"},
        follow_redirects=False)
    assert r.status_code == 303
    site.sign_in(None)
    shown = site.client.get("/library/language/lang").text
    assert "区内注册满一年的企业" in shown and "由政策专员 u_policy_officer 撰写" in shown
    assert "撰写或修改解读" not in shown  # a visitor reads it, does not write it


def test_browsing_by_industry_keeps_the_policies_for_every_industry(site: Site) -> None:
    from huiqi.packs.files import read_folder
    from service_fixtures import ROOT

    site.world.publish("seed", list(read_folder(ROOT / "policies" / "seed")))
    site.sign_in(None)
    page = site.client.get("/library").text
    assert 'value="integrated_circuits"' in page  # the industries the policies name
    chips = site.client.get("/library", params={"industry": "integrated_circuits"}).text
    other = site.client.get("/library", params={"industry": "software"}).text
    assert 'data-policy="seed/bj-auto-chip"' in chips  # names the industry
    assert 'data-policy="seed/bj-auto-chip"' not in other  # names another one
    assert 'data-policy="language/lang"' in chips and 'data-policy="language/lang"' in other
