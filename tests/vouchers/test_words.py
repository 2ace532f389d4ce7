"""Every state the vouchers' book sets, and every kind of ledger account it posts to, has
words for the pages (issue 16, item 2)."""

from __future__ import annotations

import re
from pathlib import Path

from huiqi import vouchers
from huiqi.vouchers import words

#: where the vouchers' (not the challenge lists' or competitions') states are set
SOURCES = [Path(vouchers.__file__).with_name(n) for n in ("book.py", "service.py")]


def _text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in SOURCES)


def test_every_state_set_has_words() -> None:
    set_ = set(re.findall(r'state(?:=| = |, [a-z.]+ = )"([a-z_]+)"', _text()))
    assert {"issued", "redeemed", "delivered", "settled", "claimed", "applied"} <= set_
    assert sorted(set_ - set(words.STATES)) == []


def test_every_account_has_words() -> None:
    kinds = set(re.findall(r'f"([a-z]+):\{', (SOURCES[0].with_name("book.py")).read_text("utf-8")))
    kinds -= {"fund", "issue", "redeem", "cancel", "confirm", "settle", "expire", "return",
              "enterprise", "voucher", "competition"}  # transactions' references, not accounts
    assert kinds and sorted(kinds - set(words.ACCOUNTS)) == []
    assert words.state("nothing-known").zh == "nothing-known"
