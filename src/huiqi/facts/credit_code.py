"""统一社会信用代码 (unified social credit code), GB 32100-2015.

Eighteen characters::

    1      registration authority (登记管理部门代码): 1-9, A, N, Y
    2      kind of entity (机构类别代码), by authority
    3-8    administrative division of the registering office (6 digits)
    9-17   the organisation's identifier (主体标识码, GB 11714 organisation code:
           8 characters and its own check character 0-9 or X)
    18     check character, computed from the first 17 (weights 3^i mod 31)

Characters come from ``0-9`` and ``ABCDEFGHJKLMNPQRTUWXY`` (no I, O, S, V, Z).
:func:`validate` checks every character and both check characters and raises
:class:`~huiqi.errors.CreditCodeError` naming the position of the first fault.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from operator import mul
from typing import Any

from huiqi.errors import CreditCodeError
from huiqi.text import Text

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

AUTHORITY = {
    "1": Text("机构编制", "institutional establishment"),
    "2": Text("外交", "foreign affairs"),
    "3": Text("司法行政", "justice"),
    "4": Text("文化", "culture"),
    "5": Text("民政", "civil affairs"),
    "6": Text("旅游", "tourism"),
    "7": Text("宗教", "religious affairs"),
    "8": Text("工会", "trade unions"),
    "9": Text("市场监管(工商)", "market regulation"),
    "A": Text("中央军委改革和编制办公室", "CMC reform and establishment office"),
    "N": Text("农业", "agriculture"),
    "Y": Text("其他", "other"),
}
KINDS: dict[str, dict[str, Text]] = {
    "1": {"1": Text("机关", "organ"), "2": Text("事业单位", "public institution"),
          "3": Text("群众团体", "mass organisation"), "9": Text("其他", "other")},
    "5": {"1": Text("社会团体", "social organisation"), "2": Text("民办非企业单位", "private non-profit"),
          "3": Text("基金会", "foundation"), "9": Text("其他", "other")},
    "9": {"1": Text("企业", "enterprise"), "2": Text("个体工商户", "individual business"),
          "3": Text("农民专业合作社", "farmers' cooperative")},
    "Y": {"1": Text("其他", "other")},
}


def check_char(first17: str) -> str:
    """The 18th character for the first 17."""
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_char(first8: str) -> str:
    """The GB 11714 check character of an organisation code's first 8 characters."""
    total = sum(_org_value(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else ("0" if c9 == 11 else str(c9))


def _org_value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - ord("A") + 10


def _fail(code: str, position: int | None, zh: str, en: str) -> CreditCodeError:
    return CreditCodeError(code, position, Text(zh, en))


def validate(code: str) -> str:
    """Return the code (trimmed, upper-cased) if valid; else raise CreditCodeError."""
    raw = code
    code = code.strip().upper()
    if len(code) != 18:
        raise _fail(raw, None, f"应为18位,实际为{len(code)}位", f"must have 18 characters, has {len(code)}")
    for i, c in enumerate(code, start=1):
        if c not in VALUE:
            raise _fail(raw, i, f"字符“{c}”不允许(不使用 I、O、S、V、Z)",
                        f"the character “{c}” is not allowed (I, O, S, V, Z are never used)")
    if code[0] not in AUTHORITY:
        raise _fail(raw, 1, f"登记管理部门代码“{code[0]}”不存在", f"no registration authority “{code[0]}”")
    kinds = KINDS.get(code[0])
    if kinds is not None and code[1] not in kinds:
        raise _fail(raw, 2, f"机构类别代码“{code[1]}”不属于登记管理部门“{code[0]}”",
                    f"kind “{code[1]}” does not exist under authority “{code[0]}”")
    for i in range(2, 8):
        if not code[i].isdigit():
            raise _fail(raw, i + 1, "行政区划码须为数字", "the division code must be digits")
    if code[2:4] == "00":
        raise _fail(raw, 3, "行政区划码的省级代码不能为00", "the province part of the division code cannot be 00")
    org = code[8:17]
    for i, c in enumerate(org[:8]):
        if c not in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            raise _fail(raw, 9 + i, f"主体标识码中的字符“{c}”不允许", f"“{c}” is not allowed in the organisation code")
    if not (org[8].isdigit() or org[8] == "X"):
        raise _fail(raw, 17, "主体标识码的校验位须为数字或 X",
                    "the organisation code's check character must be a digit or X")
    expected_org = org_check_char(org[:8])
    if org[8] != expected_org:
        raise _fail(raw, 17, f"主体标识码校验位应为“{expected_org}”,实际为“{org[8]}”",
                    f"the organisation code's check character should be “{expected_org}”, not “{org[8]}”")
    expected = check_char(code[:17])
    if code[17] != expected:
        raise _fail(raw, 18, f"校验位应为“{expected}”,实际为“{code[17]}”",
                    f"the check character should be “{expected}”, not “{code[17]}”")
    return code


_CHARS = frozenset(ALPHABET)
_DIGITS = frozenset("0123456789")
_ORG_VALUE = {c: _org_value(c) for c in ALPHABET}


def quick(code: str) -> str | None:
    """The code (trimmed, upper-cased) if :func:`validate` accepts it, else None — the
    same checks, several times faster, for files of millions of codes; :func:`validate`
    then says what is wrong."""
    code = code.strip().upper()
    if len(code) != 18 or not _CHARS.issuperset(code):
        return None
    kinds = KINDS.get(code[0])
    if code[0] not in AUTHORITY or (kinds is not None and code[1] not in kinds):
        return None
    if not _DIGITS.issuperset(code[2:8]) or code[2:4] == "00":
        return None
    c9 = 11 - sum(map(mul, map(_ORG_VALUE.__getitem__, code[8:16]), ORG_WEIGHTS)) % 11
    if code[16] != ("X" if c9 == 10 else ("0" if c9 == 11 else str(c9))):
        return None
    total = sum(map(mul, map(VALUE.__getitem__, code[:17]), WEIGHTS))
    return code if code[17] == ALPHABET[(31 - total % 31) % 31] else None


def quick_all(codes: Sequence[Any]) -> list[str | None]:
    """:func:`quick` of each code (a cell that is not text: None), checked all together
    with array arithmetic — for the thousands of codes of a batch of rows."""
    import numpy as np

    norm = [c.strip().upper() if isinstance(c, str) else "" for c in codes]
    fit = [len(c) == 18 and c.isascii() for c in norm]
    if not norm:
        return []
    text = "".join([c if f else _BLANK for c, f in zip(norm, fit, strict=True)])
    chars = np.frombuffer(text.encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    lut = _luts()
    v = lut["value"][chars]
    ok = np.array(fit) & (v >= 0).all(axis=1)
    ok &= lut["head"][v[:, 0].clip(0), v[:, 1].clip(0)]
    ok &= (v[:, 2:8] < 10).all(axis=1) & ((v[:, 2] != 0) | (v[:, 3] != 0))
    org = (lut["org"][chars[:, 8:16]] * np.array(ORG_WEIGHTS)).sum(axis=1) % 11
    ok &= lut["org_check"][org] == chars[:, 16]
    total = (v[:, :17] * np.array(WEIGHTS)).sum(axis=1) % 31
    ok &= lut["check"][total] == chars[:, 17]
    return [c if good else None for c, good in zip(norm, ok.tolist(), strict=True)]


_BLANK = "0" * 18


@cache
def _luts() -> dict[str, Any]:
    """Lookup tables by byte: a character's value (-1: not allowed), its organisation-code
    value, which (authority, kind) pairs exist, and the check characters by remainder."""
    import numpy as np

    value = np.full(256, -1, dtype=np.int64)
    org = np.zeros(256, dtype=np.int64)
    for c in ALPHABET:
        value[ord(c)] = VALUE[c]
        org[ord(c)] = _ORG_VALUE[c]
    head = np.zeros((31, 31), dtype=bool)
    for a in AUTHORITY:
        for k in ALPHABET:
            head[VALUE[a], VALUE[k]] = a in ALPHABET and (KINDS.get(a) is None or k in KINDS[a])
    org_check = np.array([ord("X" if 11 - r == 10 else ("0" if 11 - r == 11 else str(11 - r)))
                          for r in range(11)], dtype=np.uint8)
    check = np.array([ord(ALPHABET[(31 - t) % 31]) for t in range(31)], dtype=np.uint8)
    return {"value": value, "org": org, "head": head, "org_check": org_check, "check": check}


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except CreditCodeError:
        return False
    return True


def make(authority: str, kind: str, division: str, org8: str) -> str:
    """Build a valid code from its parts (the two check characters are computed)."""
    org = org8 + org_check_char(org8)
    first17 = authority + kind + division + org
    return first17 + check_char(first17)
