"""The seed pack (policies/seed, 24 clauses) written by hand for the baselines.

The same rules as the YAML, as numpy kernels (:mod:`bench.kernels`) that run directly
(the numpy baseline) or as OpenFisca formulas (:mod:`bench.ofisca`). What differs from
huiqi, and why:

* review conditions (a person's judgment) are inputs: ``review__<policy/clause/condition>``
  in OpenFisca, default 3 (needs review) — the benchmark population declares none, as
  the park's data does not, so those clauses end as *needs review*, as in huiqi;
* the packs have no choices (nothing to declare);
* records-derived inputs are precomputed columns (:func:`bench.kernels.records`): e.g.
  "an IP award of the national level won this or last year" — the year window comes from
  the parameter ``award_claim_years`` in force on the evaluation date, so the column is
  computed for that date;
* ``first_cert_year`` (the earliest IP-management certification) is the earliest date of
  the matching records, precomputed, and its year taken in the formula;
* parameters are integers: money in yuan, ratios in basis points, durations in months,
  the date ``setup_since`` in days since 1970-01-01.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from bench import kernels as K
from bench.kernels import Amount, Frame, RClause, Rec, RGroup, RuleSet

D = dt.date
NB, GL, XM, BJ, DL = "nbgx-ip", "gl-mayor-quality", "xm-torch-voucher", "bj-auto-chip", "dl-business-env"

PARAMS: dict[str, dict[str, list[tuple[dt.date, int]]]] = {
    NB: {"cert_subsidy": [(D(2023, 1, 1), 20_000)], "cert_claim_years": [(D(2023, 1, 1), 1)],
         "award_max": [(D(2023, 1, 1), 500_000)], "award_national": [(D(2023, 1, 1), 500_000)],
         "award_provincial": [(D(2023, 1, 1), 200_000)], "award_municipal": [(D(2023, 1, 1), 100_000)],
         "award_claim_years": [(D(2023, 1, 1), 1)], "title_claim_years": [(D(2023, 1, 1), 1)],
         "trade_secret_reward": [(D(2023, 1, 1), 50_000)],
         "industrialization_reward": [(D(2023, 1, 1), 100_000)],
         "pledge_interest_share": [(D(2023, 1, 1), 5000)], "pledge_interest_cap": [(D(2023, 1, 1), 300_000)],
         "insurance_share": [(D(2023, 1, 1), 5000)], "insurance_cap": [(D(2023, 1, 1), 100_000)],
         "brand_hq_reward": [(D(2023, 1, 1), 500_000)], "brand_branch_reward": [(D(2023, 1, 1), 100_000)],
         "setup_since": [(D(2023, 1, 1), K.days(D(2023, 1, 1)))], "rent_years": [(D(2023, 1, 1), 3)],
         "rent_area_max": [(D(2023, 1, 1), 500)], "rent_share": [(D(2023, 1, 1), 5000)]},
    GL: {"prize": [(D(2023, 1, 1), 500_000)], "reapply_after": [(D(2023, 1, 1), 48)]},
    XM: {"output_limit": [(D(2022, 1, 1), 400_000_000)], "software_revenue_limit": [(D(2022, 1, 1), 100_000_000)],
         "startup_age": [(D(2022, 1, 1), 12)], "voucher_industrial": [(D(2022, 1, 1), 200_000)],
         "voucher_software": [(D(2022, 1, 1), 100_000)], "voucher_startup": [(D(2022, 1, 1), 50_000)],
         "bonus_share": [(D(2022, 1, 1), 2000)]},
    BJ: {},
    DL: {"startup_age": [(D(2023, 3, 29), 36)], "small_staff_max": [(D(2023, 3, 29), 300)],
         "small_revenue_max": [(D(2023, 3, 29), 20_000_000)], "head_revenue_min": [(D(2023, 3, 29), 1_000_000_000)],
         "head_tax_min": [(D(2023, 3, 29), 50_000_000)]},
}
DEMO_REWARDS = {"national": 300_000, "provincial": 100_000, "municipal": 50_000}
IN_FORCE = {NB: (D(2023, 1, 1), None), GL: (D(2023, 1, 1), None), XM: (D(2022, 1, 1), None),
            BJ: (D(2023, 1, 1), D(2023, 12, 31)), DL: (D(2023, 3, 29), None)}


def _p(as_of: dt.date, pol: str, name: str) -> int:
    return K.param_at(PARAMS[pol][name], as_of)


def _zone(park: str) -> K.Kernel:
    s = frozenset({park})
    return lambda fr: fr.is_in("park", s)


def _exists(spec: Rec) -> K.Kernel:
    def k(fr: Frame) -> K.Arr:
        n, known = fr.records(spec)
        return K.code(n > 0, known)
    return k


def _fixed(pol: str, name: str, cap: str | None = None) -> K.AmountKernel:
    def a(fr: Frame) -> Amount:
        one = np.ones(fr.n, bool)
        v = fr.param(pol, name) if cap is None else min(fr.param(pol, name), fr.param(pol, cap))
        return Amount(np.full(fr.n, v, np.int64), 1, one, ~one)
    return a


def _share(pol: str, share: str, fact: str, cap: str) -> K.AmountKernel:
    def a(fr: Frame) -> Amount:
        x = K.year_num(fr, fact, -1)
        return K.capped(Amount(fr.param(pol, share) * x.v, 10_000, x.known, x.undef), fr.param(pol, cap))
    return a


def _reviews(*keys: str) -> K.Kernel:
    return lambda fr: K.t_and(*[fr.review(k) for k in keys])


def _nbgx(as_of: dt.date) -> list[RClause]:
    fy = as_of.year
    zone = _zone("宁波高新区")
    since_award = D(fy - _p(as_of, NB, "award_claim_years"), 1, 1)
    since_title = D(fy - _p(as_of, NB, "title_claim_years"), 1, 1)
    first_cert = Rec("honours", (("kind", "==", "ip_mgmt_standard"),), pick="min_date")

    def first_recent(fr: Frame) -> K.Arr:
        first, known = fr.records(first_cert)
        empty = first == K.NO_DATE
        year = K.year_of(np.where(empty, 0, first))
        return K.code(year >= fy - fr.param(NB, "cert_claim_years"), known, known & empty)

    def award(level: str) -> K.Kernel:
        return _exists(Rec("awards", (("kind", "==", "ip"), ("level", "==", level), ("date", ">=", since_award))))

    demo = frozenset({"ip_demo", "ip_advantage"})
    titled = Rec("honours", (("kind", "in", demo), ("level", "in", frozenset({"national", "provincial", "municipal"})),
                             ("date", ">=", since_title)))
    by_level = {lv: Rec("honours", (("kind", "in", demo), ("level", "==", lv), ("date", ">=", since_title)))
                for lv in ("national", "provincial")}

    def demo_amount(fr: Frame) -> Amount:
        nat, known = fr.records(by_level["national"])
        prov, _ = fr.records(by_level["provincial"])
        v = np.where(nat > 0, DEMO_REWARDS["national"],
                     np.where(prov > 0, DEMO_REWARDS["provincial"], DEMO_REWARDS["municipal"]))
        return Amount(v.astype(np.int64), 1, known, np.zeros(fr.n, bool))

    brand = _exists(Rec("honours", (("kind", "==", "ip_service_brand"), ("level", "==", "national"))))

    def set_up_recently(fr: Frame) -> K.Arr:
        d, known = fr.date("establishment_date")
        return K.code(d >= fr.param(NB, "setup_since"), known)

    def est(kind: str) -> K.Kernel:
        s = frozenset({kind})
        return lambda fr: fr.is_in("establishment_kind", s)

    def lawful(fr: Frame) -> K.Arr:
        n, known = fr.records(Rec("violations"))
        return K.t_and(K.code(n == 0, known), K.t_not(fr.flag("abnormal_operation_list")))

    def est_year(fr: Frame) -> tuple[K.Arr, K.Arr]:
        d, known = fr.date("establishment_date")
        return K.year_of(d), known

    def after_setup(fr: Frame) -> K.Arr:
        y, known = est_year(fr)
        return K.code(fy - 1 >= y, known)

    def within(fr: Frame) -> K.Arr:
        y, known = est_year(fr)
        return K.code(fy - 1 - y < fr.param(NB, "rent_years"), known)

    def rent(fr: Frame) -> Amount:
        r = K.year_num(fr, "office_rent_paid", -1)
        area, ak = fr.num("office_area_rented")
        share = fr.param(NB, "rent_share")
        limited = np.minimum(area, fr.param(NB, "rent_area_max"))
        return Amount(share * r.v * limited, 10_000 * np.where(area == 0, 1, area), r.known & ak,
                      r.undef | (ak & (area == 0)))

    def pos(fact: str) -> K.Kernel:
        return lambda fr: K.num_cmp(K.year_num(fr, fact, -1), ">", 0)

    c = "nbgx-ip/"
    return [
        RClause(c + "ip_mgmt_cert", [("in_zone", zone), ("certified", _exists(Rec("honours", (
            ("kind", "==", "ip_mgmt_standard"),)))), ("first_recent", first_recent)], _fixed(NB, "cert_subsidy")),
        RClause(c + "ip_award_national", [("in_zone", zone), ("won", award("national"))],
                _fixed(NB, "award_national", "award_max")),
        RClause(c + "ip_award_provincial", [("in_zone", zone), ("won", award("provincial"))],
                _fixed(NB, "award_provincial", "award_max")),
        RClause(c + "ip_award_municipal", [("in_zone", zone), ("won", award("municipal"))],
                _fixed(NB, "award_municipal", "award_max")),
        RClause(c + "ip_demo_advantage", [("in_zone", zone), ("titled", _exists(titled))], demo_amount),
        RClause(c + "trade_secret_demo", [("in_zone", zone), ("titled", _exists(Rec("honours", (
            ("kind", "==", "trade_secret_demo"), ("date", ">=", since_title)))))],
            _fixed(NB, "trade_secret_reward")),
        RClause(c + "patent_industrialization", [
            ("in_zone", zone),
            ("industrialized", lambda fr: K.num_cmp(K.year_num(fr, "patents_industrialized", -1), ">=", 1)),
            ("evaluated", _reviews(c + "patent_industrialization/evaluated"))],
            _fixed(NB, "industrialization_reward")),
        RClause(c + "pledge_interest", [("in_zone", zone), ("pledge_loan", pos("ip_pledge_loan"))],
                _share(NB, "pledge_interest_share", "ip_pledge_interest", "pledge_interest_cap")),
        RClause(c + "ip_insurance", [("in_zone", zone), ("insured", pos("ip_insurance_premium"))],
                _share(NB, "insurance_share", "ip_insurance_premium", "insurance_cap")),
        RClause(c + "brand_agency_hq", [("in_zone", zone), ("national_brand", brand),
                                        ("moved_in", est("headquarters")), ("set_up_recently", set_up_recently)],
                _fixed(NB, "brand_hq_reward")),
        RClause(c + "brand_agency_branch", [("in_zone", zone), ("national_brand", brand),
                                            ("branch", est("branch")), ("set_up_recently", set_up_recently)],
                _fixed(NB, "brand_branch_reward")),
        RClause(c + "rent_subsidy", [("in_zone", zone), ("licensed", lambda fr: fr.flag("ip_service_licensed")),
                                     ("lawful", lawful), ("rent_year_after_setup", after_setup),
                                     ("within_3_years", within)], rent),
    ]


def _guilin(as_of: dt.date) -> list[RClause]:
    city = frozenset({"桂林市"})
    since = K.add_months(np.array([K.days(as_of)]), -_p(as_of, GL, "reapply_after"))[0]
    recent = Rec("awards", (("kind", "==", "quality"), ("level", "==", "municipal"),
                            ("date", ">", K.EPOCH + dt.timedelta(days=int(since)))))
    key = "gl-mayor-quality/award/"
    return [RClause("gl-mayor-quality/award", [
        ("in_guilin", lambda fr: fr.is_in("city", city)),
        ("not_within_validity", lambda fr: K.t_not(_exists(recent)(fr))),
        *[(r, _reviews(key + r)) for r in ("quality_leading", "tech_innovation", "brand_excellent",
                                            "results_outstanding", "contribution")]], _fixed(GL, "prize"))]


def _younger_than(as_of: dt.date, pol: str, param: str) -> K.Kernel:
    """as_of < registration_date + <param> months."""
    today = K.days(as_of)

    def k(fr: Frame) -> K.Arr:
        d, known = fr.date("registration_date")
        return K.code(today < K.add_months(d, fr.param(pol, param)), known)
    return k


def _xiamen(as_of: dt.date) -> list[RClause]:
    zone = _zone("厦门火炬高新区")
    ind, soft = frozenset({"industrial"}), frozenset({"software_it"})

    def size_class(fr: Frame) -> K.Arr:
        industrial = K.t_and(fr.is_in("sector_class", ind),
                             K.num_cmp(K.year_num(fr, "industrial_output", -1), "<", fr.param(XM, "output_limit")))
        software = K.t_and(fr.is_in("sector_class", soft),
                           K.num_cmp(K.year_num(fr, "revenue", -1), "<", fr.param(XM, "software_revenue_limit")))
        return K.t_or(industrial, software, _younger_than(as_of, XM, "startup_age")(fr))

    def voucher(fr: Frame) -> Amount:
        one = np.ones(fr.n, bool)

        def const(v: int) -> Amount:
            return Amount(np.full(fr.n, v, np.int64), 1, one, ~one)

        inner = K.choose(fr.is_in("sector_class", soft), const(fr.param(XM, "voucher_software")),
                         const(fr.param(XM, "voucher_startup")))
        return K.choose(fr.is_in("sector_class", ind), const(fr.param(XM, "voucher_industrial")), inner)

    scope = _exists(Rec("voucher_service_classes", (("", "in", frozenset(
        {"finance", "talent", "technology", "intermediary"})),)))

    def bonus(fr: Frame) -> Amount:
        v, known = fr.num("voucher_redeemed_period")
        return Amount(fr.param(XM, "bonus_share") * v, 10_000, known, np.zeros(fr.n, bool))

    def redeemed(fr: Frame) -> K.Arr:
        v, known = fr.num("voucher_redeemed_period")
        return K.num_cmp(K.Num(v, known, np.zeros(fr.n, bool), K.fact_range("voucher_redeemed_period")), ">", 0)

    return [
        RClause("xm-torch-voucher/voucher", [("in_zone", zone), ("size_class", size_class)], voucher),
        RClause("xm-torch-voucher/platform", [
            ("xiamen_based", lambda fr: fr.is_in("city", frozenset({"厦门市"}))), ("service_scope", scope),
            ("expert_evaluation", _reviews("xm-torch-voucher/platform/expert_evaluation"))]),
        RClause("xm-torch-voucher/platform_bonus", [
            ("in_zone", zone),
            ("registered_platform", _exists(Rec("honours", (("kind", "==", "innovation_platform"),)))),
            ("redeemed", redeemed)], bonus, unit_fen=1),
    ]


def _beijing(as_of: dt.date) -> list[RClause]:
    ent = frozenset({"enterprise"})

    def lead(fr: Frame) -> K.Arr:
        return fr.is_in("entity_kind", ent)

    key = "bj-auto-chip/task/"
    sel = [key + "selection/" + r for r in ("technical_maturity", "mass_producibility", "team_capability",
                                            "indicator_response")]
    return [
        RClause("bj-auto-chip/task", [("task_response", _reviews(key + "task_response")),
                                      ("selection", _reviews(*sel))]),
        RClause("bj-auto-chip/landing_support", [("is_enterprise", lead),
                                                  ("landed", _reviews("bj-auto-chip/landing_support/landed"))]),
        RClause("bj-auto-chip/onboard_validation", [
            ("chip_enterprise", lambda fr: fr.is_in("industry", frozenset({"integrated_circuits"}))),
            ("automotive_grade", _reviews("bj-auto-chip/onboard_validation/automotive_grade"))]),
    ]


def _dalian(as_of: dt.date) -> list[RClause]:
    zone = _zone("大连高新区")
    fy = as_of.year

    def new_this_year(fr: Frame) -> K.Arr:
        ry, known = fr.reg_year()
        return K.code(ry == fy, known)

    def small(fr: Frame) -> K.Arr:
        fewer = K.num_cmp(K.year_num(fr, "staff_total", -1), "<", fr.param(DL, "small_staff_max"))
        below = K.num_cmp(K.year_num(fr, "revenue", -1), "<", fr.param(DL, "small_revenue_max"))
        return K.exception(K.t_or(fewer, below), new_this_year(fr), K.MET)

    def head(fr: Frame) -> K.Arr:
        return K.t_or(K.num_cmp(K.year_num(fr, "revenue", -1), ">=", fr.param(DL, "head_revenue_min")),
                      K.num_cmp(K.year_num(fr, "tax_paid", -1), ">=", fr.param(DL, "head_tax_min")))

    return [
        RClause("dl-business-env/first_loan", [("in_zone", zone),
                                               ("no_prior_loan", lambda fr: K.t_not(fr.flag("bank_loan_history")))]),
        RClause("dl-business-env/startup_cost", [("in_zone", zone),
                                                 ("startup", _younger_than(as_of, DL, "startup_age")),
                                                 ("small", small)]),
        RClause("dl-business-env/ip_pledge_service", [("in_zone", zone), ("holds_ip", lambda fr: K.num_cmp(
            K.add(K.year_num(fr, "ip_class1", -1), K.year_num(fr, "ip_class2", -1)), ">=", 1))]),
        RClause("dl-business-env/head_one_policy", [("in_zone", zone), ("head_enterprise", head)]),
        RClause("dl-business-env/foreign_service_officer", [
            ("in_zone", zone), ("foreign_invested", lambda fr: fr.flag("foreign_invested"))]),
    ]


def rules(as_of: dt.date) -> RuleSet:
    """The seed pack's clauses in force on ``as_of``, in pack order, with its stacking groups."""
    clauses: list[RClause] = []
    for pol, build in ((NB, _nbgx), (GL, _guilin), (XM, _xiamen), (BJ, _beijing), (DL, _dalian)):
        start, end = IN_FORCE[pol]
        if start <= as_of and (end is None or as_of <= end):
            clauses += build(as_of)
    groups = [RGroup("exclusive", ["nbgx-ip/ip_award_national", "nbgx-ip/ip_award_provincial",
                                   "nbgx-ip/ip_award_municipal"]),
              RGroup("exclusive", ["nbgx-ip/brand_agency_hq", "nbgx-ip/brand_agency_branch"])]
    return RuleSet(clauses, groups, PARAMS, {})
