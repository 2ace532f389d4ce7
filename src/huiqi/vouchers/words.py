"""The vouchers' states and ledger accounts as people read them (issue 16, item 2: no
developer words on an enterprise's page) — Chinese first, English available. The pages
show these; the data keep the plain identifiers (``confirmed``, ``payments``)."""

from __future__ import annotations

from huiqi.text import Text

#: a provider's, a voucher's, a contract's and a claim's states
STATES: dict[str, Text] = {
    "applied": Text("已申请认定", "Applied"),
    "recognised": Text("已认定", "Recognised"),
    "rejected": Text("未通过认定", "Rejected"),
    "lapsed": Text("认定已失效", "Lapsed"),
    "issued": Text("已发放", "Issued"),
    "expired": Text("已过期", "Expired"),
    "redeemed": Text("已签约抵扣", "Redeemed"),
    "delivered": Text("服务已交付,待企业确认", "Delivered, to be confirmed"),
    "confirmed": Text("企业已确认", "Confirmed"),
    "cancelled": Text("已撤销", "Cancelled"),
    "claimed": Text("已申请兑付", "Claimed"),
    "settled": Text("已兑付", "Settled"),
}

#: the kinds of ledger account (:mod:`huiqi.vouchers.ledger`)
ACCOUNTS: dict[str, Text] = {
    "funding": Text("资金来源", "Funding"),
    "budget": Text("可发放预算", "Budget"),
    "quota": Text("已发券未使用额度", "Unused vouchers"),
    "held": Text("已签约待交付", "Held until delivery"),
    "receivable": Text("待兑付服务机构", "Owed to providers"),
    "payments": Text("已兑付", "Paid"),
    "expiries": Text("过期收回", "Expired and returned"),
    "bonus": Text("区内机构奖励", "Bonus"),
}


def state(code: str) -> Text:
    """A state's words (an unknown one as it is)."""
    return STATES.get(code) or Text(code, code)


def account(kind: str) -> Text:
    """A kind of ledger account's words (an unknown one as it is)."""
    return ACCOUNTS.get(kind) or Text(kind, kind)


__all__ = ["ACCOUNTS", "STATES", "account", "state"]
