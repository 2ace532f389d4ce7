"""Static types of facts and of the policy language's expressions: kinds, and units for
numbers (here, at the bottom, because the fact catalogue declares each fact's type and the
rules' checker types every expression with the same vocabulary).

A number carries a unit made of base units with exponents: yuan, person, item,
m2, point, year. Money is ``yuan``; a ratio is dimensionless. Units multiply and
divide (``yuan/m2 × m2 = yuan``; ``yuan ÷ yuan`` is a ratio) and must agree to be
added or compared, so that comparing money with a head count, or money with a
date, is caught when the pack is checked rather than when an enterprise is
matched. A bare number literal (``500``) takes the unit of whatever it meets.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

Unit = tuple[tuple[str, int], ...]

DIMENSIONLESS: Unit = ()
YUAN: Unit = (("yuan", 1),)

BASE_UNITS = {
    "yuan": ("元", "yuan"),
    "person": ("人", "persons"),
    "item": ("件", "items"),
    "m2": ("平方米", "m²"),
    "point": ("分", "points"),
    "year": ("年", "years"),
}


class Kind(Enum):
    BOOL = "bool"
    NUM = "number"
    DATE = "date"
    DAYS = "days"
    MONTHS = "months"
    ENUM = "enum"
    SET = "set"
    TEXT = "text"
    RECORDS = "records"
    RECORD = "record"


def parse_unit(text: str | None) -> Unit:
    """``"yuan/m2"`` → ``(("m2", -1), ("yuan", 1))``; ``None`` or ``""`` → dimensionless."""
    if not text or text in ("1", "ratio"):
        return DIMENSIONLESS
    powers: dict[str, int] = {}
    numerator, _, denominator = text.partition("/")
    for part, sign in ((numerator, 1), (denominator, -1)):
        for name in filter(None, (p.strip() for p in part.split("*"))):
            if name not in BASE_UNITS:
                raise ValueError(name)
            powers[name] = powers.get(name, 0) + sign
    return _norm(powers)


def _norm(powers: dict[str, int]) -> Unit:
    return tuple(sorted((k, v) for k, v in powers.items() if v != 0))


def mul_units(a: Unit, b: Unit, sign: int = 1) -> Unit:
    powers = dict(a)
    for k, v in b:
        powers[k] = powers.get(k, 0) + sign * v
    return _norm(powers)


def unit_text(unit: Unit | None, lang: str = "zh") -> str:
    if unit is None:
        return "数" if lang == "zh" else "number"
    if not unit:
        return "比例/无单位" if lang == "zh" else "ratio"
    idx = 0 if lang == "zh" else 1
    num = [BASE_UNITS[k][idx] + (f"^{v}" if v > 1 else "") for k, v in unit if v > 0]
    den = [BASE_UNITS[k][idx] + (f"^{-v}" if v < -1 else "") for k, v in unit if v < 0]
    out = "·".join(num) or "1"
    if den:
        out += "/" + "·".join(den)
    return out


@dataclass(frozen=True, slots=True)
class Type:
    """The static type of an expression."""

    kind: Kind
    unit: Unit | None = DIMENSIONLESS  # numbers only; None: a bare literal, unit not yet known
    domain: str | None = None  # enum / set: the enum's id; records / record: the record type
    percent: bool = False  # a ratio written and shown as a percentage

    def describe(self, lang: str = "zh") -> str:
        zh = {
            Kind.BOOL: "条件(真/假)", Kind.DATE: "日期", Kind.DAYS: "天数", Kind.MONTHS: "月/年数",
            Kind.ENUM: "枚举值", Kind.SET: "枚举集合", Kind.TEXT: "文本", Kind.RECORDS: "记录列表",
            Kind.RECORD: "记录",
        }
        en = {
            Kind.BOOL: "condition (true/false)", Kind.DATE: "date", Kind.DAYS: "number of days",
            Kind.MONTHS: "months/years", Kind.ENUM: "enum value", Kind.SET: "set of enum values",
            Kind.TEXT: "text", Kind.RECORDS: "list of records", Kind.RECORD: "record",
        }
        if self.kind is Kind.NUM:
            if self.unit == YUAN:
                return "金额(元)" if lang == "zh" else "money (yuan)"
            if self.unit is None:
                return "数" if lang == "zh" else "a number"
            if not self.unit:
                return "比例(或无单位的数)" if lang == "zh" else "a ratio (or a plain number)"
            return (f"以{unit_text(self.unit, lang)}计的数" if lang == "zh"
                    else f"a number of {unit_text(self.unit, lang)}")
        base = (zh if lang == "zh" else en)[self.kind]
        if self.domain and self.kind in (Kind.ENUM, Kind.SET, Kind.RECORDS, Kind.RECORD):
            base += f" <{self.domain}>"
        return base


BOOL = Type(Kind.BOOL)
DATE = Type(Kind.DATE)
DAYS = Type(Kind.DAYS)
MONTHS = Type(Kind.MONTHS)
TEXT = Type(Kind.TEXT)
MONEY = Type(Kind.NUM, YUAN)
RATIO = Type(Kind.NUM, DIMENSIONLESS, percent=True)
NUMBER = Type(Kind.NUM, DIMENSIONLESS)
LITERAL = Type(Kind.NUM, None)


def num(unit: Unit | None, percent: bool = False) -> Type:
    return Type(Kind.NUM, unit, percent=percent)


def is_num(t: Type) -> bool:
    return t.kind is Kind.NUM


def is_money(t: Type) -> bool:
    return t.kind is Kind.NUM and t.unit in (YUAN, None)
