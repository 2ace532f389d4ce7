"""Plain words for enterprises (issue 16, item 2): no page an enterprise or a visitor reads,
and no PDF it downloads, shows a clause id, a pack's version hash or a rule expression;
a failed condition says what it means, and when it cannot change says so; a group of
alternatives lists them; staff may show the technical details with a toggle."""

from __future__ import annotations

import html
import io
import re

from huiqi.facts.catalogue import default_catalogue
from huiqi.service import policies

from .conftest import Site

#: An expression's marks: comparisons, a year index, a call over records
EXPRESSION = re.compile(r">=|<=|==|!=|\[-\d|\w+\(\w+ where ")


def visible(page: str) -> str:
    """What a person reads on a page: the text, without tags, attributes or data blocks."""
    page = re.sub(r"<script\b.*?</script>", " ", page, flags=re.S)
    page = re.sub(r"<style\b.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


def technical(site: Site) -> list[str]:
    """What must not show: every clause key and condition text, the pack's version and
    digest, and the ids of the facts (``rd_expense``)."""
    pack = policies.pack_of(site.world.ctx("admin"), "language")
    out = [c.key for c in pack.clauses()] + [pack.version_id, pack.digest[:12]]
    out += [c.text for cl in pack.clauses() for c in cl.all_conditions() if c.text]
    out += [f for f in default_catalogue().facts if "_" in f]
    return out


def leaks(text: str, words: list[str]) -> list[str]:
    found = [w for w in words if w in text]
    found += [m.group(0) for m in EXPRESSION.finditer(text)]
    return found


def test_no_enterprise_page_or_pdf_shows_an_id_a_hash_or_an_expression(site: Site) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    words = technical(site)
    own = site.world.own
    site.sign_in("enterprise")
    pages = [f"/match/{own}", f"/match/{own}?all=1", f"/match/{own}/calendar",
             f"/match/{own}/facts", f"/staff/enterprises/{own}",
             f"/staff/enterprises/{own}?history=1", "/library", "/library/language/lang",
             "/inbox", "/my/requests", "/my/applications", "/my/projects"]
    pack = policies.pack_of(site.world.ctx("admin"), "language")
    pages += [f"/match/{own}/{c.key}" for c in pack.clauses()]
    pages += [f"/my/requests?pack=language&clause={c.key}" for c in pack.clauses()]
    found: dict[str, list[str]] = {}
    for path in pages:
        r = site.client.get(path)
        assert r.status_code == 200, path
        bad = leaks(visible(r.text), words)
        if bad:
            found[path] = bad
    pdf = site.client.get(f"/match/{own}/summary.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    bad = leaks(text, words)
    if bad:
        found["summary.pdf"] = bad
    book = load_workbook(io.BytesIO(site.client.get(f"/match/{own}/summary.xlsx").content))
    cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows()
                     for c in row if c.value is not None)
    bad = leaks(cells, words)
    if bad:
        found["summary.xlsx"] = bad
    assert found == {}


def test_the_calculator_shows_no_id_either(site: Site) -> None:
    words = technical(site)
    site.sign_in(None)
    r = site.client.post("/calculator", data={"a:park": "测试区", "a:registration_date": "2019-05-01",
                                              "action": "result"})
    assert r.status_code == 200
    assert leaks(visible(r.text), words) == []
    r = site.client.post("/calculator/clause", data={"a:park": "测试区", "clause": "lang/rd_subsidy"})
    assert r.status_code == 200
    assert leaks(visible(r.text), words) == []


def test_staff_see_the_technical_details_when_they_ask(site: Site) -> None:
    own = site.world.own
    site.sign_in("policy_officer")
    plain = visible(site.client.get(f"/match/{own}/lang/rd_subsidy").text)
    assert "lang/rd_subsidy" not in plain and "显示技术细节" in plain
    tech = visible(site.client.get(f"/match/{own}/lang/rd_subsidy?tech=1").text)
    assert "lang/rd_subsidy" in tech and "rd_ratio" in tech
    site.sign_in("enterprise")  # an enterprise cannot ask for them
    assert "lang/rd_subsidy" not in visible(
        site.client.get(f"/match/{own}/lang/rd_subsidy?tech=1").text)


def test_a_fact_that_cannot_change_says_so(site: Site) -> None:
    from huiqi.service import enterprises, matching
    from huiqi.service.schemas import FactSet, FactsUpdate

    ctx = site.world.ctx("admin")
    own = site.world.own
    day = site.platform.today()
    enterprises.set_facts(ctx, own, FactsUpdate(items=[FactSet(
        fact="registration_date", value=day.isoformat())]))
    matching.run(ctx, "language")
    site.sign_in("enterprise")
    text = visible(site.client.get(f"/match/{own}?all=1").text)
    assert "注册满一年(目前 0 天,须不低于 365 天" in text
    assert "成立(注册)日期不满足,无法通过补充材料改变" in text


def test_a_declared_fact_is_named_by_its_label_from_the_platform_catalogue(site: Site
                                                                          ) -> None:
    """plain.fact_label reads the platform's catalogue: a fact the published pack declares
    is named by its declared label, not by its id (issue 11)."""
    from pathlib import Path

    from huiqi.packs.files import read_folder
    from huiqi.service.catalogue import platform_catalogue
    from huiqi.web import plain

    example = Path(__file__).parents[2] / "examples" / "packs" / "declared-facts"
    ctx = site.world.ctx("admin")
    assert plain.fact_label("phd_staff", "zh", platform_catalogue(ctx)) == "phd_staff"
    site.world.publish("declared-facts", [(p, c) for p, c in read_folder(example)
                                          if p != "enterprises.yaml"])
    cat = platform_catalogue(ctx)
    assert plain.fact_label("phd_staff", "zh", cat) == "博士人数"
    assert plain.fact_label("phd_staff", "en", cat) == "Staff holding a doctorate"
    assert plain.cannot_change(["lab_opened", "registration_date"], "zh", cat) == \
        "实验室启用日期、成立(注册)日期不满足,无法通过补充材料改变"


def test_an_amount_not_yet_computed_shows_no_formula() -> None:
    """A clause not met has no amount yet: its formula alone is not shown as a step (it
    read "按政策规定的方法计算得 ip_insurance_premium[-1]")."""
    from huiqi.web.plain import steps

    formula = "insurance_share * ip_insurance_premium[-1]"
    shown = steps([f"金额公式:{formula}"], formula, "zh")
    assert shown == ["金额按政策规定的方法计算(条件满足后可算出)"]
    assert leaks(" ".join(shown), ["ip_insurance_premium"]) == []
    computed = steps([f"按公式 {formula} 计算得 ¥12,000", "应付金额 ¥12,000"], formula, "zh")
    assert computed == ["按政策规定的方法计算得 ¥12,000", "应付金额 ¥12,000"]
