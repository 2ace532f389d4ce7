"""The one-enterprise engine: results carry the pack version and date; explanations show
citations, values and gaps; bad declarations are refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from huiqi.engine.explain import Explainer
from huiqi.engine.matcher import Matcher, matcher_for
from huiqi.engine.result import Status
from huiqi.engine.serialize import explanation_dict, full_match_dict, match_dict
from huiqi.errors import InputError
from huiqi.facts.enterprise import Enterprise
from huiqi.rules.loader import load_pack
from huiqi.rules.model import Pack

PACK = Path(__file__).parents[1] / "packs" / "language"
AS_OF = dt.date(2024, 6, 1)


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack(PACK)


def firm(**years: dict[str, object]) -> Enterprise:
    rows = {2023: {"revenue": Decimal(10_000_000), "rd_expense": Decimal(650_000),
                   "staff_total": 100, "st_staff": 30}}
    return Enterprise(id="e1", name="测试科技", facts={
        "registration_date": dt.date(2020, 3, 1), "park": "测试区", "violations": (),
        "honours": (), "awards": (), "standards": ()}, years=rows)


def test_results_carry_pack_version_and_date(pack: Pack) -> None:
    res = matcher_for(pack, AS_OF).match(firm())
    assert res.pack_version == pack.version_id
    assert res.pack_version.startswith("language@1.0+")
    assert res.as_of == AS_OF
    assert {c.key for c in res.clauses} == {c.key for c in pack.clauses()}
    d = match_dict(res)
    assert d["pack_version"] == pack.version_id and d["as_of"] == "2024-06-01"


def test_matcher_is_compiled_once_per_date(pack: Pack) -> None:
    assert matcher_for(pack, AS_OF) is matcher_for(pack, AS_OF)
    assert matcher_for(pack, AS_OF) is not matcher_for(pack, dt.date(2025, 1, 1))


def test_policy_not_yet_in_force_is_not_matched(pack: Pack) -> None:
    res = Matcher(pack, dt.date(2023, 6, 1)).match(firm())
    assert res.clauses == [] and res.not_in_force == ["lang"]


def test_explanation_shows_citation_values_and_gap(pack: Pack) -> None:
    m = matcher_for(pack, AS_OF)
    r = m.match(firm()).by_key("lang/rd_subsidy")
    assert r is not None and r.status is Status.NOT_ELIGIBLE
    ex = Explainer(m).explain_one(r)
    cond = next(c for c in ex.conditions if c.path == "rd_intensity")
    assert cond.outcome == "not_met"
    assert cond.cite.paragraph == "art2" and "不低于7%" in (cond.cite.quote or "")
    seen = {s.expr: s.value.zh for s in cond.seen}
    assert seen["rd_ratio"] == "6.5%"
    assert seen["rd_expense[-1]"] == "¥650,000"
    assert seen["rd_ratio_min"] == "7%"
    assert cond.gap is not None
    assert "差 0.5 个百分点" in cond.gap.zh
    assert "约需增加 ¥50,000" in cond.gap.zh
    assert "about ¥50,000 more R&D expense" in cond.gap.en
    d = explanation_dict(ex, "en")
    assert d["status"] == "not_eligible" and d["conditions"][2]["cite"]["paragraph"] == "art2"


def test_what_explanations_read_is_worked_out_once_per_matcher(pack: Pack) -> None:
    import gc

    from huiqi.engine import explain

    def seen(m: Matcher, rd: int) -> dict[str, str]:
        e = firm()
        e.years[2023]["rd_expense"] = Decimal(rd)
        r = next(c for c in m.match(e).clauses if c.key == "lang/rd_subsidy")
        cond = next(c for c in Explainer(m).explain_one(r).conditions
                    if c.path == "rd_intensity")
        return {s.expr: s.value.zh for s in cond.seen}

    m = Matcher(pack, AS_OF)
    assert seen(m, 650_000)["rd_expense[-1]"] == "¥650,000"
    plans = explain._PLANS[m]
    kept = dict(plans)
    assert kept
    # another enterprise: the same plans, read with its own values
    assert seen(m, 900_000)["rd_expense[-1]"] == "¥900,000"
    assert explain._PLANS[m] is plans
    assert all(plans[k] is plan for k, plan in kept.items())  # not worked out again
    # another date is another matcher, with its own plans; they go with their matcher
    later = Matcher(pack, AS_OF.replace(year=AS_OF.year + 1))
    assert later not in explain._PLANS
    seen(later, 650_000)
    assert explain._PLANS[later] is not plans
    gc.collect()  # matchers of earlier tests that only the collector frees go first
    count = len(explain._PLANS)
    del later
    gc.collect()
    assert len(explain._PLANS) == count - 1


def test_amount_steps_are_explained(pack: Pack) -> None:
    m = matcher_for(pack, AS_OF)
    e = firm()
    e.years[2023]["rd_expense"] = Decimal(6_000_000)
    e.years[2023]["revenue"] = Decimal(60_000_000)
    r = m.match(e).by_key("lang/rd_subsidy")
    assert r is not None and r.amount == Decimal(500_000)
    steps = [s.zh for s in Explainer(m).explain_one(r).amount_steps]
    assert any("rd_share * rd_expense[-1]" in s and "¥600,000" in s for s in steps)
    assert any("本条上限 ¥500,000" in s for s in steps)
    assert any("四舍五入" in s for s in steps)
    assert steps[-1] == "应付金额 ¥500,000"


def test_declared_option_must_exist(pack: Pack) -> None:
    e = firm()
    e.choices["lang:rd_measure"] = "best"
    with pytest.raises(InputError) as info:
        matcher_for(pack, AS_OF).match(e)
    assert "不是可选项" in info.value.message("zh") and "ratio" in info.value.message("en")


def test_full_match_dict_is_json_ready(pack: Pack) -> None:
    import json

    m = matcher_for(pack, AS_OF)
    out = full_match_dict(m, m.match(firm()), "zh")
    text = json.dumps(out, ensure_ascii=False)
    assert "explanations" in out and "不满足" not in text  # outcomes are codes, labels are text
    assert out["clauses"][0]["amount"] is None or isinstance(out["clauses"][0]["amount"], str)
