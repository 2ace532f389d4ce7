"""Facts left missing (null) on purpose, at stated rates, as in real registers.

A missing fact is null, never 0. Rates are per enterprise for static facts and per
enterprise and year for yearly ones, drawn independently, and apply where the fact
would otherwise have a value (years from registration on; industrial output of
industrial firms …). Facts from registers (tax, business registry, IP office) are
rarely missing; self-reported ones more often.

Never missing: id, name, entity_kind, registration_date, province, city, district,
park, industry, abnormal_operation_list, serious_dishonest_list, violations, honours.

Tested at N = 20,000: every observed rate within 1 point of the stated one (1.5 for
static facts).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from huiqi.facts.columnar import parse_column

STATIC: dict[str, float] = {
    "resident_enterprise": 0.01, "sector_class": 0.03, "products_restricted": 0.10,
    "rd_deduction_excluded": 0.02, "accounting_sound": 0.03, "tax_credit_rating": 0.04,
    "awards": 0.15, "standards": 0.05, "rd_institutions": 0.03, "equity_financing": 0.08,
    "niche_market_since": 0.20, "main_product_strategic_emerging": 0.20,
    "main_product_chain_role": 0.25, "digitalization_level": 0.40,
    "quality_management_certified": 0.10, "own_brand": 0.20, "national_market_share": 0.60,
    "ip_service_licensed": 0.05, "establishment_kind": 0.02, "establishment_date": 0.02,
    "office_area_rented": 0.20, "independent_legal_person": 0.01, "sme_classified": 0.05,
    "foreign_invested": 0.01, "bank_loan_history": 0.05, "china_time_honored_brand": 0.30,
    "zjtx_local_feature_points": 0.30, "voucher_service_classes": 0.10,
    "voucher_redeemed_period": 0.05,
}
YEARLY: dict[str, float] = {
    "revenue": 0.01, "main_business_revenue": 0.03, "total_cost_expense": 0.02,
    "net_profit": 0.02, "industrial_output": 0.05, "total_assets": 0.02, "net_assets": 0.02,
    "total_liabilities": 0.02, "staff_total": 0.02, "st_staff": 0.05, "rd_staff": 0.08,
    "rd_expense": 0.02, "rd_expense_domestic": 0.06, "high_tech_product_income": 0.15,
    "ip_class1": 0.01, "ip_class1_self_developed": 0.08, "ip_class1_high_value": 0.12,
    "ip_class2": 0.02, "invention_patents_granted": 0.01, "patents_industrialized": 0.20,
    "ip_pledge_loan": 0.10, "ip_pledge_interest": 0.10, "ip_insurance_premium": 0.10,
    "office_rent_paid": 0.20, "tax_paid": 0.01,
}


def rate(column: str) -> float:
    fact, year = parse_column(column)
    return (YEARLY if year is not None else STATIC).get(fact, 0.0)


def masks(rng: np.random.Generator, columns: Iterable[str], n: int) -> dict[str, Any]:
    """For each column that may be missing, which of ``n`` enterprises keep their value
    (drawn in the order of the column names, so the same for any set of columns)."""
    out: dict[str, Any] = {}
    for name in sorted(columns):
        r = rate(name)
        if r > 0:
            out[name] = rng.random(n) >= r
    return out


def blank(array: Any, keep: Any) -> Any:
    """An Arrow array with the values not kept set to null."""
    return pc.if_else(pa.array(keep, type=pa.bool_()), array, pa.scalar(None, type=array.type))
