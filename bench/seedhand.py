"""The seed pack (policies/seed, the 24 clauses in force on 2023-06-30) written by hand in
plain Python, one enterprise at a time: the baseline of the one-enterprise fast path
(issue 18, :mod:`bench.fastpath`).

What a careful programmer would write for these rules, with the engine's meaning: exact
money (Decimal, the amounts rounded half up as the clauses say), a missing fact makes a
condition undetermined, a value that cannot exist (a year before registration, a ratio
over zero) makes it not met, a person's judgment not yet recorded needs review; ``and`` /
``or`` of those four outcomes as the engine's tables; the stacking groups ("highest only").
The parameters in force on that date are written in as constants. It gives the status and
the amount of each clause (after stacking) — no failed conditions, gaps, missing facts or
explanations. It is checked to agree with the engine before it is timed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from huiqi.facts.enterprise import Enterprise

AS_OF = dt.date(2023, 6, 30)
LAST = AS_OF.year - 1        # the fiscal year [-1]
T, F, M, R = "T", "F", "M", "R"  # met, not met, missing (undetermined), needs review
STATUS = {T: "eligible", F: "not_eligible", M: "undetermined", R: "needs_review"}
YUAN, FEN = Decimal(1), Decimal("0.01")
RENT_SINCE = dt.date(2019, 6, 30)  # as_of − 48 months (Guilin: not awarded within)
SETUP_SINCE = dt.date(2023, 1, 1)
NB, XM, DL = "宁波高新区", "厦门火炬高新区", "大连高新区"


def t_and(*codes: str) -> str:
    if F in codes:
        return F
    if M in codes:
        return M
    return R if R in codes else T


def t_or(*codes: str) -> str:
    if T in codes:
        return T
    if M in codes:
        return M
    return R if R in codes else F


def t_not(c: str) -> str:
    return F if c == T else (T if c == F else c)


def _is(v: Any, want: Any) -> str:
    return M if v is None else (T if v == want else F)


def _flag(v: Any) -> str:
    return M if v is None else (T if v else F)


def _last(e: Enterprise, fact: str) -> Any:
    """A fact of the last fiscal year; "U" before the enterprise existed."""
    reg = e.facts.get("registration_date")
    if reg is not None and reg.year > LAST:
        return "U"
    row = e.years.get(LAST)
    return None if row is None else row.get(fact)


def _cmp(v: Any, op: str, bound: Decimal) -> str:
    if v == "U":
        return F
    if v is None:
        return M
    return T if (v >= bound if op == ">=" else v > bound if op == ">" else v < bound) else F


def _review(e: Enterprise, key: str) -> str:
    d = e.reviews.get(key)
    return T if d is True else (F if d is False else R)


def _exists(recs: Any, test: Any) -> str:
    """exists(records where test): a record whose test is unknown leaves it undetermined."""
    if recs is None:
        return M
    unsure = False
    for r in recs:
        t = test(r)
        if t == T:
            return T
        if t == M:
            unsure = True
    return M if unsure else F


def _field(r: dict[str, Any], name: str, want: Any) -> str:
    v = r.get(name)
    return M if v is None else (T if (v in want if isinstance(want, frozenset) else v == want) else F)


def _since(r: dict[str, Any], year: int) -> str:
    d = r.get("date")
    return M if d is None else (T if d.year >= year else F)


def _add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(d.day, (nxt - dt.timedelta(days=1)).day))


def _round(x: Decimal | Fraction, unit: Decimal = YUAN) -> Decimal:
    if isinstance(x, Fraction):
        x = Decimal(x.numerator) / Decimal(x.denominator) if x.denominator == 1 else \
            _round_fraction(x, unit)
        return x
    return x.quantize(unit, rounding=ROUND_HALF_UP)


def _round_fraction(x: Fraction, unit: Decimal) -> Decimal:
    q = x / Fraction(unit)
    n, r = divmod(q.numerator, q.denominator)
    if 2 * r >= q.denominator:
        n += 1
    return (Decimal(n) * unit).quantize(unit)


def _share(share: Decimal, v: Any, cap: Decimal) -> Any:
    if v is None:
        return M
    return _round(max(min(share * v, cap), Decimal(0)))


def _rent(e: Enterprise) -> Any:
    """Ningbo's rent subsidy: half the rent of the area up to 500 m², of the last year."""
    rent, area = _last(e, "office_rent_paid"), e.facts.get("office_area_rented")
    if rent == "U" or area == 0:
        return "U"
    if rent is None or area is None:
        return M
    return _round(max(Fraction(Decimal("0.5") * rent * min(area, Decimal(500))) / Fraction(area),
                      Fraction(0)))


def baseline(e: Enterprise) -> dict[str, tuple[str, Decimal | None]]:
    """Every clause's (status, amount) for one enterprise, after stacking."""
    f = e.facts
    out: dict[str, tuple[str, Any]] = {}

    def put(key: str, codes: list[str], amount: Any = None) -> None:
        t = t_and(*codes)
        if t == T and amount is M:
            t = M
        elif t == T and amount == "U":
            t = F
        out[key] = (STATUS[t], amount if t == T else None)

    honours, awards = f.get("honours"), f.get("awards")
    nb = _is(f.get("park"), NB)
    # Ningbo: IP management certification
    certs = [h.get("date") for h in honours or () if h.get("kind") == "ip_mgmt_standard"]
    kinds_known = honours is not None and all(h.get("kind") is not None for h in honours)
    if honours is None or not kinds_known or None in certs:
        recent = M
    else:
        recent = F if not certs else (T if min(certs).year >= AS_OF.year - 1 else F)
    put("nbgx-ip/ip_mgmt_cert", [nb, _exists(honours, lambda h: _field(h, "kind", "ip_mgmt_standard")),
                                recent], Decimal(20000))
    for level, amount in (("national", 500_000), ("provincial", 200_000), ("municipal", 100_000)):
        won = _exists(awards, lambda a, lv=level: t_and(_field(a, "kind", "ip"), _field(a, "level", lv),
                                                         _since(a, LAST)))
        put(f"nbgx-ip/ip_award_{level}", [nb, won], Decimal(amount))
    demo = frozenset({"ip_demo", "ip_advantage"})

    def titled(level: Any) -> str:
        return _exists(honours, lambda h: t_and(_field(h, "kind", demo), _field(h, "level", level),
                                                _since(h, LAST)))

    nat, prov = titled("national"), titled("provincial")
    best: Any = Decimal(300_000) if nat == T else (
        M if nat == M else (Decimal(100_000) if prov == T else (M if prov == M else Decimal(50_000))))
    put("nbgx-ip/ip_demo_advantage",
        [nb, titled(frozenset({"national", "provincial", "municipal"}))], best)
    put("nbgx-ip/trade_secret_demo",
        [nb, _exists(honours, lambda h: t_and(_field(h, "kind", "trade_secret_demo"), _since(h, LAST)))],
        Decimal(50_000))
    put("nbgx-ip/patent_industrialization",
        [nb, _cmp(_last(e, "patents_industrialized"), ">=", YUAN),
         _review(e, "nbgx-ip/patent_industrialization/evaluated")], Decimal(100_000))
    interest = _last(e, "ip_pledge_interest")
    put("nbgx-ip/pledge_interest", [nb, _cmp(_last(e, "ip_pledge_loan"), ">", Decimal(0))],
        interest if interest == "U" else _share(Decimal("0.5"), interest, Decimal(300_000)))
    premium = _last(e, "ip_insurance_premium")
    put("nbgx-ip/ip_insurance", [nb, _cmp(premium, ">", Decimal(0))],
        premium if premium == "U" else _share(Decimal("0.5"), premium, Decimal(100_000)))
    brand = _exists(honours, lambda h: t_and(_field(h, "kind", "ip_service_brand"),
                                             _field(h, "level", "national")))
    est, kind = f.get("establishment_date"), f.get("establishment_kind")
    recently = M if est is None else (T if est >= SETUP_SINCE else F)
    put("nbgx-ip/brand_agency_hq", [nb, brand, _is(kind, "headquarters"), recently], Decimal(500_000))
    put("nbgx-ip/brand_agency_branch", [nb, brand, _is(kind, "branch"), recently], Decimal(100_000))
    violations = f.get("violations")
    clean = M if violations is None else (T if len(violations) == 0 else F)
    lawful = F if clean == F else t_and(clean, t_not(_flag(f.get("abnormal_operation_list"))))
    after = M if est is None else (T if est.year <= LAST else F)
    within = M if est is None else (T if LAST - est.year < 3 else F)
    put("nbgx-ip/rent_subsidy", [nb, _flag(f.get("ip_service_licensed")), lawful, after, within],
        _rent(e))
    _others(e, put)
    _stack(out)
    return out


def _others(e: Enterprise, put: Callable[..., None]) -> None:
    """Guilin, Xiamen, Beijing, Dalian."""
    f = e.facts
    park, reg, honours, awards = (f.get("park"), f.get("registration_date"), f.get("honours"),
                                  f.get("awards"))
    # Guilin: the mayor's quality award
    recent_award = _exists(awards, lambda a: t_and(
        _field(a, "kind", "quality"), _field(a, "level", "municipal"),
        M if a.get("date") is None else (T if a["date"] > RENT_SINCE else F)))
    put("gl-mayor-quality/award", [_is(f.get("city"), "桂林市"), t_not(recent_award),
                                   *[_review(e, f"gl-mayor-quality/award/{k}") for k in (
                                       "quality_leading", "tech_innovation", "brand_excellent",
                                       "results_outstanding", "contribution")]], Decimal(500_000))
    # Xiamen: innovation vouchers
    xm, sector = _is(park, XM), f.get("sector_class")
    industrial = t_and(_is(sector, "industrial"),
                       _cmp(_last(e, "industrial_output"), "<", Decimal(400_000_000)))
    software = t_and(_is(sector, "software_it"), _cmp(_last(e, "revenue"), "<", Decimal(100_000_000)))
    startup = M if reg is None else (T if _add_months(reg, 12) > AS_OF else F)
    voucher = M if sector is None else Decimal(200_000 if sector == "industrial" else
                                               100_000 if sector == "software_it" else 50_000)
    put("xm-torch-voucher/voucher", [xm, t_or(industrial, software, startup)], voucher)
    classes = f.get("voucher_service_classes")
    scope = M if classes is None else (
        T if classes & {"finance", "talent", "technology", "intermediary"} else F)
    put("xm-torch-voucher/platform", [_is(f.get("city"), "厦门市"), scope,
                                      _review(e, "xm-torch-voucher/platform/expert_evaluation")])
    redeemed = f.get("voucher_redeemed_period")
    put("xm-torch-voucher/platform_bonus",
        [xm, _exists(honours, lambda h: _field(h, "kind", "innovation_platform")),
         _cmp(redeemed, ">", Decimal(0))],
        M if redeemed is None else _round(max(Decimal("0.2") * redeemed, Decimal(0)), FEN))
    # Beijing: the automotive-chip challenge list
    key = "bj-auto-chip/task"
    put(key, [_review(e, f"{key}/task_response"),
              t_and(*[_review(e, f"{key}/selection/{k}") for k in (
                  "technical_maturity", "mass_producibility", "team_capability",
                  "indicator_response")])])
    put("bj-auto-chip/landing_support", [_is(f.get("entity_kind"), "enterprise"),
                                         _review(e, "bj-auto-chip/landing_support/landed")])
    put("bj-auto-chip/onboard_validation",
        [_is(f.get("industry"), "integrated_circuits"),
         _review(e, "bj-auto-chip/onboard_validation/automotive_grade")])
    # Dalian: business-environment services
    dl = _is(park, DL)
    revenue = _last(e, "revenue")
    put("dl-business-env/first_loan", [dl, t_not(_flag(f.get("bank_loan_history")))])
    small = t_or(_cmp(_last(e, "staff_total"), "<", Decimal(300)),
                 _cmp(revenue, "<", Decimal(20_000_000)))
    new = M if reg is None else (T if reg.year == AS_OF.year else F)
    small = T if new == T else (small if new == F else (T if small == T else new))
    put("dl-business-env/startup_cost",
        [dl, M if reg is None else (T if _add_months(reg, 36) > AS_OF else F), small])
    c1, c2 = _last(e, "ip_class1"), _last(e, "ip_class2")
    if c1 == "U" or c2 == "U":
        holds = F
    elif c1 is None or c2 is None:  # a count is never negative: one of at least 1 decides
        holds = T if (c1 or 0) >= 1 or (c2 or 0) >= 1 else M
    else:
        holds = T if c1 + c2 >= 1 else F
    put("dl-business-env/ip_pledge_service", [dl, holds])
    put("dl-business-env/head_one_policy",
        [dl, t_or(_cmp(revenue, ">=", Decimal(1_000_000_000)),
                  _cmp(_last(e, "tax_paid"), ">=", Decimal(50_000_000)))])
    put("dl-business-env/foreign_service_officer", [dl, _flag(f.get("foreign_invested"))])


def _stack(out: dict[str, tuple[str, Any]]) -> None:
    for group in (("nbgx-ip/ip_award_national", "nbgx-ip/ip_award_provincial",
                   "nbgx-ip/ip_award_municipal"),
                  ("nbgx-ip/brand_agency_hq", "nbgx-ip/brand_agency_branch")):
        paying = [k for k in group if out[k][1]]
        if len(paying) > 1:  # 就高不重复: the highest amount only (the first of equals)
            best_key = max(paying, key=lambda k: (out[k][1], -group.index(k)))
            for k in paying:
                if k != best_key:
                    out[k] = (out[k][0], Decimal(0))
