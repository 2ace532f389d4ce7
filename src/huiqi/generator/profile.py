"""Static facts: registration, compliance and the self-reported profile.

=================================  ============================================
fact                               how it is drawn
=================================  ============================================
resident_enterprise                enterprises yes; individual businesses no
products_restricted                0.4 % (textiles 2 %)
rd_deduction_excluded              modern services 35 %, other 25 %, individual
                                   businesses all, the rest none
accounting_sound                   tech firms 95 %, other enterprises 88 %,
                                   individual businesses 20 %
abnormal_operation_list            2 % (4 % under 2 years or individual)
serious_dishonest_list             30 % of firms with a violation, else 0.1 %
tax_credit_rating                  M under one year old; D after a tax violation;
                                   else A 32 %, B 52 %, M 8 %, C 6 %, D 2 %
                                   (individual businesses: B 60 %, M 30 %, C 8 %,
                                   D 2 %); unsound accounts: A becomes B
niche_market_since                 专精特新 firms: before their title (2+ years
                                   where possible); 25 % of other tech firms;
                                   else null (not applicable)
main_product_strategic_emerging    tech firms 75 %, others 15 %
main_product_chain_role            none 50 %, serves a chain leader 15 %,
                                   strengthens, shores up, foundation 10 % each,
                                   fills a gap 5 %
digitalization_level               level 1 50 %, 2 35 %, 3 15 % (higher with
                                   capability); null for individual businesses
quality_management_certified       industrial 65 %, others 30 %, individual 2 %
own_brand                          55 % (individual businesses 10 %)
national_market_share              专精特新 firms median 8 %, others 0.3 %
                                   (log-normal, at most 90 %), to 0.01 %
first_loan_date                    45 % of enterprises (65 % over 5 years old),
                                   20 % of individual businesses; else null
ip_service_licensed                IP service firms 85 %, others no
establishment_kind / _date         branch or headquarters; see firms
office_area_rented                 m² (0 for owners), see finances
independent_legal_person           enterprises that are not branches
sme_classified                     the SME classification standard on the latest
                                   year: industrial firms under 1,000 staff or
                                   ¥400 M revenue, others under 300 or ¥100 M;
                                   individual businesses no
foreign_invested                   4 % of enterprises (8 % in Xiamen and Dalian)
bank_loan_history                  yes exactly when first_loan_date is known
china_time_honored_brand           2 % of textile, service and other firms over
                                   25 years old; others no
zjtx_local_feature_points          专精特新 firms: 0–15 in half points; else null
voucher_service_classes            service providers and innovation platforms:
                                   technology 80 %, intermediary 40 %, talent
                                   25 %, finance 15 % (at least one); else null
voucher_redeemed_period            innovation platforms: log-normal, median
                                   ¥200,000; other service providers ¥0; else null
=================================  ============================================
"""

from __future__ import annotations

from typing import Any

import numpy as np

from huiqi.generator import arrays as A
from huiqi.generator import dates as D
from huiqi.generator.finances import Figures
from huiqi.generator.firms import ENTITY_KINDS, Firms
from huiqi.generator.honours import Honours
from huiqi.generator.industries import INDEX, INDUSTRIES, SECTORS, column
from huiqi.generator.parks import DISTRICTS, PARKS

RATINGS = ("A", "B", "M", "C", "D")
CHAIN_ROLES = {"none": 0.50, "serves_leader": 0.15, "strengthen": 0.10, "shore_up": 0.10,
               "foundation": 0.10, "fill_gap": 0.05}
DIGITAL = ("level1", "level2", "level3")
VOUCHER_CLASSES = {"technology": 0.80, "intermediary": 0.40, "talent": 0.25, "finance": 0.15}


def _rating(rng: np.random.Generator, firms: Firms, sound: Any, tax_violations: Any) -> Any:
    n = firms.n
    ent = rng.choice(5, size=n, p=[0.32, 0.52, 0.08, 0.06, 0.02])
    ind = rng.choice(5, size=n, p=[0.0, 0.60, 0.30, 0.08, 0.02])
    r = np.where(firms.individual, ind, ent)
    r = np.where((r == 0) & ~sound, 1, r)
    r = np.where(firms.age_at(firms.as_of) < 1, RATINGS.index("M"), r)
    return np.where(tax_violations > 0, RATINGS.index("D"), r)


def columns(rng: np.random.Generator, firms: Firms, fig: Figures, hon: Honours,
            violations: Any) -> dict[str, Any]:
    n, indiv, tech, as_of = firms.n, firms.individual, firms.tech, firms.as_of
    ind = firms.industry
    age = firms.age_at(as_of)
    industrial = column("sector")[ind] == "industrial"
    sound = rng.random(n) < np.where(indiv, 0.2, np.where(tech, 0.95, 0.88))
    excluded = np.where(ind == INDEX["modern_services"], 0.35, np.where(ind == INDEX["other"], 0.25, 0.0))

    spec_first = hon.first.get("specialized_sme", np.full(n, D.NAT))
    spec = ~np.isnat(spec_first)
    niche_hi = np.where(spec, spec_first, as_of)
    two_before = niche_hi - np.timedelta64(730, "D")
    niche_hi = np.where(spec & (two_before > firms.registered), two_before, niche_hi)
    niche = D.between(rng, firms.registered, niche_hi)
    has_niche = spec | (tech & (rng.random(n) < 0.25))

    chain_names = list(CHAIN_ROLES)
    chain = rng.choice(len(chain_names), size=n, p=np.array(list(CHAIN_ROLES.values())))
    chain = np.where(indiv, 0, chain)
    u = rng.random(n) + 0.15 * firms.capability
    digital = np.where(u < 0.5, 0, np.where(u < 0.85, 1, 2))

    share = np.where(spec, np.exp(np.log(0.08) + 0.8 * rng.standard_normal(n)),
                     np.exp(np.log(0.003) + 1.0 * rng.standard_normal(n)))
    share = np.minimum(share, np.where(spec, 0.9, 0.5))
    share_units = np.rint(share * 10_000).astype(np.int64) * 10_000
    loan_p = np.where(indiv, 0.2, np.where(age > 5, 0.65, 0.45))
    loan = rng.random(n) < loan_p
    loan_date = D.between(rng, firms.registered, np.full(n, as_of))

    more = _more(rng, firms, fig, hon, loan)
    return more | {
        "entity_kind": A.choice(ENTITY_KINDS, firms.entity_kind),
        "registration_date": A.dates(firms.registered),
        "province": A.choice([p.province for p in PARKS], firms.park),
        "city": A.choice([p.city for p in PARKS], firms.park),
        "district": A.choice([d.name for _, d in DISTRICTS], firms.district),
        "park": A.choice([p.name for p in PARKS], firms.park),
        "resident_enterprise": A.bools(~indiv),
        "industry": A.choice([i.id for i in INDUSTRIES], ind),
        "sector_class": A.choice(SECTORS, np.array([SECTORS.index(s) for s in column("sector")])[ind]),
        "products_restricted": A.bools(rng.random(n) < np.where(ind == INDEX["textiles"], 0.02, 0.004)),
        "rd_deduction_excluded": A.bools(indiv | (rng.random(n) < excluded)),
        "accounting_sound": A.bools(sound),
        "abnormal_operation_list": A.bools(
            rng.random(n) < np.where(indiv | (age < 2), 0.04, 0.02)),
        "serious_dishonest_list": A.bools(
            rng.random(n) < np.where(violations[0] > 0, 0.3, 0.001)),
        "tax_credit_rating": A.choice(RATINGS, _rating(rng, firms, sound, violations[1])),
        "niche_market_since": A.dates(niche, has_niche),
        "main_product_strategic_emerging": A.bools(~indiv & (rng.random(n) < np.where(tech, 0.75, 0.15))),
        "main_product_chain_role": A.choice(chain_names, chain),
        "digitalization_level": A.choice(DIGITAL, digital, ~indiv),
        "quality_management_certified": A.bools(
            rng.random(n) < np.where(indiv, 0.02, np.where(industrial, 0.65, 0.30))),
        "own_brand": A.bools(rng.random(n) < np.where(indiv, 0.10, 0.55)),
        "national_market_share": A.ratio(share_units, ~indiv),
        "first_loan_date": A.dates(loan_date, loan),
        "ip_service_licensed": A.bools((ind == INDEX["ip_services"]) & (rng.random(n) < 0.85)),
        "establishment_kind": A.choice(("headquarters", "branch"), firms.branch.astype(np.int64)),
        "establishment_date": A.dates(firms.established),
        "office_area_rented": A.decimal(np.rint(fig.office_area * 100).astype(np.int64) * 100),
    }


def _more(rng: np.random.Generator, firms: Firms, fig: Figures, hon: Honours, loan: Any) -> dict[str, Any]:
    """Facts of the policy packs: legal personality, SME class, vouchers, loans, brands."""
    n, indiv, ind = firms.n, firms.individual, firms.industry
    industrial = column("sector")[ind] == "industrial"
    staff = fig.values["staff_total"][:, -1]
    revenue = fig.annual[:, -1] * ~fig.pre_revenue * fig.exists[:, -1]
    sme = np.where(industrial, (staff < 1000) | (revenue < 400_000_000),
                   (staff < 300) | (revenue < 100_000_000)) & ~indiv
    xiamen_dalian = np.isin(firms.park, [i for i, p in enumerate(PARKS) if p.city in ("厦门市", "大连市")])
    foreign = ~indiv & (rng.random(n) < np.where(xiamen_dalian, 0.08, 0.04))
    old_trade = np.isin(ind, [INDEX["textiles"], INDEX["modern_services"], INDEX["other"]]) & (
        firms.age_at(firms.as_of) > 25)
    spec = ~np.isnat(hon.first.get("specialized_sme", np.full(n, D.NAT)))
    points = np.rint(rng.uniform(0, 15, n) * 2).astype(np.int64) * 5_000   # half points, units 1e-4
    platform = hon.current.get("innovation_platform", np.zeros(n, dtype=bool))
    provider = (firms.entity_kind == ENTITY_KINDS.index("service_provider")) | platform
    rows_l, idx_l = [], []
    classes = list(VOUCHER_CLASSES)
    offered = rng.random((n, len(classes))) < np.array(list(VOUCHER_CLASSES.values()))
    offered[:, 0] |= ~offered.any(axis=1)
    for k in range(len(classes)):
        r = np.flatnonzero(provider & offered[:, k])
        rows_l.append(r)
        idx_l.append(np.full(len(r), k))
    redeemed = np.where(platform, np.rint(np.exp(np.log(200_000.0) + 0.8 * rng.standard_normal(n))), 0.0)
    return {
        "independent_legal_person": A.bools(~firms.branch & ~indiv),
        "sme_classified": A.bools(sme),
        "foreign_invested": A.bools(foreign),
        "bank_loan_history": A.bools(loan),
        "china_time_honored_brand": A.bools(old_trade & (rng.random(n) < 0.02)),
        "zjtx_local_feature_points": A.decimal(points, spec),
        "voucher_service_classes": A.string_sets(n, np.concatenate(rows_l), classes,
                                                 np.concatenate(idx_l), provider),
        "voucher_redeemed_period": A.money(A.cents(redeemed), provider),
    }
