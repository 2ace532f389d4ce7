"""A generated pack of 1,000 clauses, written three ways from one template description.

    .venv/bin/python -m bench.bigpack --clauses 1000 --out var/bench/bigpack

Each clause is drawn (seeded, reproducibly) from templates of the constructs real
support policies use; a template gives, for the same drawn arguments,

* the huiqi text — a YAML pack checked by huiqi's loader (:func:`write_pack`);
* a numpy kernel (:mod:`bench.kernels`) — run directly, it is the hand-written numpy
  baseline; run as the formulas of OpenFisca variables, it is the OpenFisca encoding
  (:mod:`bench.ofisca`), with the dated parameters in OpenFisca's parameter tree.

So the three encodings are the same rules by construction, and the benchmark checks
that they give the same statuses and amounts before timing anything.

Templates (conditions): in the zone (``park ==``); money thresholds with dated
parameters (``revenue[-1] >= money_min``, ``<``); ratios (R&D intensity with a dated
parameter, high-tech income share, S&T staff share); a banded score
(``band(t_st, …) + band(t_rd, …) >= pass``, a named value); a certificate within k years
(``exists(honours where kind == … and date >= as_of - k years)``); a ratio of sums over a
3-year window with each younger-enterprise rule; an age in days (dated parameter); an
industry set; a tax-credit set; no violations (``count(violations) == 0``); a flag;
an IP count (``ip_class1[-1] + ip_class2[-1]``); revenue growth over two years; a staff
minimum with a labelled exception (registered this year); alternatives (``any_of``).
Amounts: fixed (dated), a share of last year's R&D with a cap (every rounding unit and
mode), the same with an amount exception (a higher share for HNTEs), banded by revenue,
per m² with a maximum area, by sector (``if … then … else``), a share of a 3-year R&D
sum with a cap; some clauses pay nothing (titles). Stacking: per policy one 就高不重复
group and one yearly-cap group.

For OpenFisca, records-derived inputs (a certificate within k years, a count of
violations) are precomputed columns (:func:`bench.kernels.records`), and money
parameters are whole yuan and ratios basis points, held as integers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from bench import kernels as K
from bench.kernels import Amount, Band, Frame, Num, RClause, Rec, RGroup, RuleSet

AS_OF = dt.date(2023, 6, 30)
PARKS = ("中关村科技园区", "厦门火炬高新区", "宁波高新区", "青岛高新区", "大连高新区", "昆明高新区", "桂林高新区")
INDUSTRIES = ("new_energy", "new_materials", "integrated_circuits", "sensors", "software_it",
              "third_gen_semiconductors", "energy_storage", "biomedicine", "high_end_equipment",
              "automotive_electronics", "engineering_services", "modern_services", "other")
HONOURS = ("hnte", "tsme", "innovative_sme", "specialized_sme", "little_giant", "ip_advantage")
MONEY_FACTS = ("revenue", "tax_paid", "total_assets", "net_assets", "rd_expense")
ROUNDING = (("yuan", "half_up"), ("yuan", "half_even"), ("yuan", "down"), ("hundred_yuan", "half_up"),
            ("ten_thousand_yuan", "down"), ("hundred_yuan", "up"))
CHANGE_DATES = (dt.date(2023, 1, 1), dt.date(2023, 6, 30), dt.date(2023, 7, 1), dt.date(2024, 1, 1))


# ---------------------------------------------------------------------- the description

@dataclass
class Param:
    type: str                          # money ratio integer decimal days
    values: list[tuple[dt.date, int]]  # yuan, basis points, persons, m² or yuan/m², days
    unit: str | None = None

    def text(self, v: int) -> str:
        if self.type == "money":
            return f"¥{v}"
        if self.type == "ratio":
            return f"{(Decimal(v) / 100).normalize():f}%"
        if self.type == "days":
            return f"{v} days"
        return str(v)


@dataclass
class Table:
    bands: list[Band]
    ratio: bool           # bounds in basis points (a ratio) or in yuan
    unit: str | None = "point"

    def lines(self) -> list[str]:
        def b(x: int) -> str:
            return f"{(Decimal(x) / 100).normalize():f}%" if self.ratio else f"¥{x}"

        out = []
        for band in self.bands:
            lo = "(-∞" if band.lo is None else ("[" if band.lo_inc else "(") + b(band.lo)
            hi = "∞)" if band.hi is None else b(band.hi) + ("]" if band.hi_inc else ")")
            out.append(f'      - {{range: "{lo}, {hi}", value: {band.value}}}')
        return out


@dataclass
class Cond:
    id: str
    label: str
    when: str | None                  # huiqi expression; None for any_of
    kernel: K.Kernel
    any_of: list[Cond] = field(default_factory=list)
    exception: tuple[str, str] | None = None   # (id, when): then met

    def lines(self, indent: str) -> list[str]:
        out = [f"{indent}- id: {self.id}", f"{indent}  label: {self.label}"]
        if self.any_of:
            out.append(f"{indent}  any_of:")
            for c in self.any_of:
                out.append(f'{indent}    - {{id: {c.id}, label: {c.label}, when: "{_q(c.when or "")}", '
                           f"assumed: 基准测试}}")
        else:
            out.append(f'{indent}  when: "{_q(self.when or "")}"')
        out.append(f"{indent}  assumed: 基准测试生成")
        if self.exception is not None:
            eid, when = self.exception
            out.append(f"{indent}  exceptions:")
            out.append(f'{indent}    - {{id: {eid}, label: 当年新注册, when: "{_q(when)}", then: met, '
                       f"assumed: 基准测试}}")
        return out


@dataclass
class Benefit:
    kind: str
    amount: str | None
    kernel: K.AmountKernel | None
    cap: str | None = None
    exception: tuple[str, str, str] | None = None   # (id, when, amount)
    unit: str = "yuan"
    mode: str = "half_up"

    def lines(self) -> list[str]:
        out = ["    benefit:", f"      kind: {self.kind}"]
        if self.amount is None:
            return [*out, "      assumed: 基准测试生成"]
        out.append(f'      amount: "{_q(self.amount)}"')
        if self.cap:
            out.append(f"      cap: {self.cap}")
        if self.exception:
            eid, when, amount = self.exception
            out.append("      exceptions:")
            out.append(f'        - {{id: {eid}, label: 高新技术企业提高比例, when: "{_q(when)}", '
                       f'amount: "{_q(amount)}", assumed: 基准测试}}')
        out.append(f"      rounding: {{unit: {self.unit}, mode: {self.mode}}}")
        out.append("      assumed: 基准测试生成")
        return out


@dataclass
class ClauseT:
    id: str
    conds: list[Cond]
    benefit: Benefit


@dataclass
class Group:
    id: str
    kind: str
    clauses: list[str]
    cap: int | None = None


@dataclass
class PolicyT:
    id: str
    zone: str
    params: dict[str, Param]
    tables: dict[str, Table]
    clauses: list[ClauseT] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)


@dataclass
class BigPack:
    policies: list[PolicyT]
    as_of: dt.date = AS_OF

    @property
    def clause_count(self) -> int:
        return sum(len(p.clauses) for p in self.policies)


# ---------------------------------------------------------------------- templates

def _q(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _pct(bp: int) -> str:
    return f"{(Decimal(bp) / 100).normalize():f}%"


def _set(values: tuple[str, ...] | list[str]) -> str:
    return "{" + ", ".join(f'"{v}"' for v in values) + "}"


def _years_back(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


class Templates:
    """Conditions and amounts of one policy, drawn with ``rng``."""

    def __init__(self, rng: random.Random, pol: PolicyT, as_of: dt.date) -> None:
        self.rng = rng
        self.pol = pol
        self.as_of = as_of
        self.p = pol.id

    # ---- conditions: each returns Cond(id, label, when, kernel)

    def zone(self, cid: str) -> Cond:
        z = frozenset({self.pol.zone})
        return Cond(cid, "在本园区注册", f'park == "{self.pol.zone}"', lambda fr: fr.is_in("park", z))

    def money(self, cid: str) -> Cond:
        fact = self.rng.choice(MONEY_FACTS)
        op, param = self.rng.choice(((">=", "money_min"), ("<", "money_max"), (">", "money_min"),
                                     ("<=", "money_max")))
        p = self.p

        def k(fr: Frame) -> K.Arr:
            return K.num_cmp(K.year_num(fr, fact, -1), op, fr.param(p, param))

        return Cond(cid, f"上年度{fact}门槛", f"{fact}[-1] {op} {param}", k)

    def rd_intensity(self, cid: str) -> Cond:
        p = self.p

        def k(fr: Frame) -> K.Arr:
            q = K.quotient(K.year_num(fr, "rd_expense", -1), K.year_num(fr, "revenue", -1))
            return K.quot_cmp(q, ">=", fr.param(p, "rd_ratio_min"))

        return Cond(cid, "研发强度", "rd_expense[-1] / revenue[-1] >= rd_ratio_min", k)

    def share_of(self, cid: str) -> Cond:
        num, den, bp = self.rng.choice((("high_tech_product_income", "revenue", self.rng.choice((5000, 6000))),
                                        ("st_staff", "staff_total", self.rng.choice((1000, 2000, 3000))),
                                        ("rd_staff", "staff_total", self.rng.choice((1000, 1500)))))

        def k(fr: Frame) -> K.Arr:
            return K.quot_cmp(K.quotient(K.year_num(fr, num, -1), K.year_num(fr, den, -1)), ">=", bp)

        return Cond(cid, f"{num}占比", f"{num}[-1] / {den}[-1] >= {_pct(bp)}", k)

    def score(self, cid: str) -> Cond:
        mark = self.rng.choice((10, 20, 30, 40, 50))
        p = self.p
        return Cond(cid, "评分达标", f"score >= {mark}", lambda fr: K.num_cmp(fr.value(p, "score"), ">=", mark))

    def honour(self, cid: str) -> Cond:
        kind = self.rng.choice(HONOURS)
        if self.rng.random() < 0.7:
            years = self.rng.choice((1, 2, 3, 4))
            spec = Rec("honours", (("kind", "==", kind), ("date", ">=", _years_back(self.as_of, years))))
            when = f'exists(honours where kind == "{kind}" and date >= as_of - {years} years)'
        else:
            levels = ("national", "provincial")
            spec = Rec("honours", (("kind", "==", kind), ("level", "in", frozenset(levels))))
            when = f'exists(honours where kind == "{kind}" and level in {_set(levels)})'

        def k(fr: Frame) -> K.Arr:
            n, known = fr.records(spec)
            return K.code(n > 0, known)

        return Cond(cid, f"具有{kind}资质", when, k)

    def window(self, cid: str) -> Cond:
        younger = self.rng.choice(("actual", "ineligible", "zero"))
        bp = self.rng.choice((300, 400, 500, 600))

        def k(fr: Frame) -> K.Arr:
            q = K.quotient(K.window_sum(fr, "rd_expense", -3, -1, younger),
                           K.window_sum(fr, "revenue", -3, -1, younger))
            return K.quot_cmp(q, ">=", bp)

        return Cond(cid, "近三年研发强度",
                    f"sum(rd_expense[-3..-1], younger={younger}) / sum(revenue[-3..-1], younger={younger}) "
                    f">= {_pct(bp)}", k)

    def age(self, cid: str) -> Cond:
        p = self.p
        as_of = K.days(self.as_of)

        def k(fr: Frame) -> K.Arr:
            d, known = fr.date("registration_date")
            return K.code(as_of - d >= fr.param(p, "age_min"), known)

        return Cond(cid, "成立时间", "as_of - registration_date >= age_min", k)

    def industry(self, cid: str) -> Cond:
        chosen = tuple(sorted(self.rng.sample(INDUSTRIES, self.rng.randint(2, 6))))
        s = frozenset(chosen)
        return Cond(cid, "重点产业", f"industry in {_set(chosen)}", lambda fr: fr.is_in("industry", s))

    def credit(self, cid: str) -> Cond:
        chosen = self.rng.choice((("A",), ("A", "B"), ("A", "B", "M")))
        s = frozenset(chosen)
        return Cond(cid, "纳税信用", f"tax_credit_rating in {_set(chosen)}",
                    lambda fr: fr.is_in("tax_credit_rating", s))

    def clean(self, cid: str) -> Cond:
        which = self.rng.randrange(3)
        if which == 0:
            spec = Rec("violations")

            def k(fr: Frame) -> K.Arr:
                n, known = fr.records(spec)
                return K.code(n == 0, known)

            return Cond(cid, "无违法记录", "count(violations) == 0", k)
        flag = ("abnormal_operation_list", "serious_dishonest_list")[which - 1]
        return Cond(cid, "未列入名录", f"not {flag}", lambda fr: K.t_not(fr.flag(flag)))

    def ip(self, cid: str) -> Cond:
        n = self.rng.choice((1, 2, 5, 10, 20))

        def k(fr: Frame) -> K.Arr:
            return K.num_cmp(K.add(K.year_num(fr, "ip_class1", -1), K.year_num(fr, "ip_class2", -1)), ">=", n)

        return Cond(cid, "知识产权数量", f"ip_class1[-1] + ip_class2[-1] >= {n}", k)

    def growth(self, cid: str) -> Cond:
        bp = self.rng.choice((10_500, 11_000, 12_000))

        def k(fr: Frame) -> K.Arr:
            a, b = K.year_num(fr, "revenue", -1), K.year_num(fr, "revenue", -2)
            exact = K.code(a.v * 10_000 >= b.v * bp, a.known & b.known, a.undef | b.undef)
            return K.bounded(exact, K.scaled(K.ranged(a), 10_000), ">=", K.scaled(K.ranged(b), bp))

        return Cond(cid, "营业收入增长", f"revenue[-1] >= revenue[-2] * {_pct(bp)}", k)

    def staff(self, cid: str) -> Cond:
        p = self.p
        fy = self.as_of.year

        def default(fr: Frame) -> K.Arr:
            return K.num_cmp(K.year_num(fr, "staff_total", -1), ">=", fr.param(p, "staff_min"))

        def when(fr: Frame) -> K.Arr:
            ry, rk = fr.reg_year()
            return K.code(ry == fy, rk)

        return Cond(cid, "从业人员", "staff_total[-1] >= staff_min",
                    lambda fr: K.exception(default(fr), when(fr), K.MET),
                    exception=(f"{cid}_new", "year_of(registration_date) == year_of(as_of)"))

    def sector(self, cid: str) -> Cond:
        s = self.rng.choice(("industrial", "software_it"))
        fs = frozenset({s})
        return Cond(cid, "企业类别", f'sector_class == "{s}"', lambda fr: fr.is_in("sector_class", fs))

    def alternatives(self, cid: str) -> Cond:
        a = self.rd_intensity(f"{cid}_a")
        b = self.honour(f"{cid}_b")
        return Cond(cid, "研发强度或资质", None, lambda fr: K.t_or(a.kernel(fr), b.kernel(fr)), any_of=[a, b])

    CONDITIONS = (("money", 4), ("rd_intensity", 3), ("share_of", 2), ("score", 2), ("honour", 3),
                  ("window", 2), ("age", 1), ("industry", 2), ("credit", 1), ("clean", 2), ("ip", 1),
                  ("growth", 1), ("staff", 1), ("sector", 1), ("alternatives", 1))

    def condition(self, cid: str) -> Cond:
        names = [n for n, _ in self.CONDITIONS]
        weights = [w for _, w in self.CONDITIONS]
        name = self.rng.choices(names, weights)[0]
        fn: Callable[[str], Cond] = getattr(self, name)
        return fn(cid)

    # ---- amounts

    def benefit(self) -> Benefit:
        kind = self.rng.choices(("fixed", "share", "share_exc", "banded", "per_unit", "formula", "window_share",
                                 "title"), (3, 4, 2, 2, 1, 1, 1, 2))[0]
        p = self.p
        unit, mode = self.rng.choice(ROUNDING)
        if kind == "fixed":
            return Benefit("fixed", "reward", lambda fr: _const(fr, fr.param(p, "reward")))
        if kind in ("share", "share_exc"):
            def base(fr: Frame) -> Amount:
                x = K.year_num(fr, "rd_expense", -1)
                return Amount(fr.param(p, "share") * x.v, 10_000, x.known, x.undef)

            if kind == "share":
                return Benefit("share", "share * rd_expense[-1]",
                               lambda fr: K.capped(base(fr), fr.param(p, "cap")), cap="cap", unit=unit, mode=mode)
            spec = Rec("honours", (("kind", "==", "hnte"), ("date", ">=", _years_back(self.as_of, 3))))

            def with_exc(fr: Frame) -> Amount:
                x = K.year_num(fr, "rd_expense", -1)
                mine = Amount(fr.param(p, "share_hi") * x.v, 10_000, x.known, x.undef)
                n, known = fr.records(spec)
                return K.capped(K.choose(K.code(n > 0, known), mine, base(fr)), fr.param(p, "cap"))

            return Benefit("share", "share * rd_expense[-1]", with_exc, cap="cap", unit=unit, mode=mode,
                           exception=("hnte_higher", 'exists(honours where kind == "hnte" and date >= '
                                                     'as_of - 3 years)', "share_hi * rd_expense[-1]"))
        if kind == "banded":
            t = self.pol.tables["t_rev"]

            def banded(fr: Frame) -> Amount:
                x = K.year_num(fr, "revenue", -1)
                b = K.band(K.Quot(x.v, K.np.ones_like(x.v), x.known, x.undef), t.bands, scale=1)
                return Amount(1000 * b.v, 1, b.known, b.undef)

            return Benefit("banded", "¥1000 * band(t_rev, revenue[-1])", banded, unit=unit, mode=mode)
        if kind == "per_unit":
            def per_unit(fr: Frame) -> Amount:
                area, known = fr.num("office_area_rented")
                a = fr.param(p, "rent_rate") * K.np.minimum(area, fr.param(p, "area_max"))
                return Amount(a, 1, known, K.np.zeros_like(known))

            return Benefit("per_unit", "rent_rate * min(office_area_rented, area_max)", per_unit, unit=unit,
                           mode=mode)
        if kind == "formula":
            ind = frozenset({"industrial"})

            def formula(fr: Frame) -> Amount:
                c = fr.is_in("sector_class", ind)
                a, b = fr.param(p, "reward"), fr.param(p, "reward_other")
                return K.choose(c, _const(fr, a), _const(fr, b))

            return Benefit("formula", 'if sector_class == "industrial" then reward else reward_other', formula)
        if kind == "window_share":
            def window(fr: Frame) -> Amount:
                x = K.window_sum(fr, "rd_expense", -3, -1, "actual")
                return K.capped(Amount(fr.param(p, "share") * x.v, 10_000, x.known, x.undef), fr.param(p, "cap"))

            return Benefit("share", "share * sum(rd_expense[-3..-1], younger=actual)", window, cap="cap",
                           unit=unit, mode=mode)
        return Benefit("title", None, None)


def _const(fr: Frame, v: int) -> Amount:
    one = K.np.ones(fr.n, bool)
    return Amount(K.np.full(fr.n, v, K.np.int64), 1, one, ~one)


def _score(pol: PolicyT) -> Callable[[Frame], Num]:
    t_st, t_rd = pol.tables["t_st"], pol.tables["t_rd"]

    def score(fr: Frame) -> Num:
        a = K.band(K.quotient(K.year_num(fr, "st_staff", -1), K.year_num(fr, "staff_total", -1)), t_st.bands)
        b = K.band(K.quotient(K.year_num(fr, "rd_expense", -1), K.year_num(fr, "revenue", -1)), t_rd.bands)
        return K.add(a, b)

    return score


# ---------------------------------------------------------------------- drawing a pack

def _dated(rng: random.Random, choices: tuple[int, ...]) -> list[tuple[dt.date, int]]:
    a, b = rng.choice(choices), rng.choice(choices)
    return [(dt.date(2020, 1, 1), a), (rng.choice(CHANGE_DATES), b)]


def _bands(rng: random.Random, cuts: tuple[int, ...], values: tuple[int, ...]) -> list[Band]:
    points = sorted(rng.sample(cuts, 3))
    ups = [rng.random() < 0.7 for _ in points]   # True: the cut belongs to the upper band
    vals = sorted(rng.sample(values, 4))
    bands = []
    lo: int | None = None
    lo_inc = False
    for p, up, v in zip(points, ups, vals, strict=False):
        bands.append(Band(lo, lo_inc, p, not up, v))
        lo, lo_inc = p, up
    bands.append(Band(lo, lo_inc, None, False, vals[-1]))
    return bands


def draw(clauses: int = 1000, seed: int = 0, per_policy: int = 25, as_of: dt.date = AS_OF) -> BigPack:
    """The description of a pack of ``clauses`` clauses in policies of ``per_policy``."""
    rng = random.Random(seed)
    policies: list[PolicyT] = []
    made = 0
    while made < clauses:
        j = len(policies)
        params = {
            "money_min": Param("money", _dated(rng, (1_000_000, 5_000_000, 20_000_000, 50_000_000))),
            "money_max": Param("money", _dated(rng, (20_000_000, 100_000_000, 400_000_000))),
            "rd_ratio_min": Param("ratio", _dated(rng, (300, 400, 500, 600))),
            "staff_min": Param("integer", _dated(rng, (5, 10, 20, 50)), unit="person"),
            "age_min": Param("days", _dated(rng, (365, 730, 1095))),
            "reward": Param("money", _dated(rng, (50_000, 100_000, 200_000, 300_000))),
            "reward_other": Param("money", _dated(rng, (20_000, 50_000, 100_000))),
            "share": Param("ratio", _dated(rng, (500, 1000, 2000, 3333))),
            "share_hi": Param("ratio", _dated(rng, (1500, 2500, 4000))),
            "cap": Param("money", _dated(rng, (500_000, 1_000_000, 3_000_000))),
            "rent_rate": Param("decimal", _dated(rng, (100, 200, 300)), unit="yuan/m2"),
            "area_max": Param("decimal", _dated(rng, (300, 500, 1000)), unit="m2"),
        }
        tables = {
            "t_st": Table(_bands(rng, (500, 1000, 2000, 3000, 4000), (0, 5, 10, 15, 20, 25)), ratio=True),
            "t_rd": Table(_bands(rng, (200, 300, 500, 800, 1000), (0, 10, 15, 20, 30, 40)), ratio=True),
            "t_rev": Table(_bands(rng, (1_000_000, 5_000_000, 20_000_000, 100_000_000, 400_000_000),
                                  (0, 10, 20, 50, 100, 200)), ratio=False, unit=None),
        }
        pol = PolicyT(f"bp{j:03d}", rng.choice(PARKS), params, tables)
        tpl = Templates(rng, pol, as_of)
        for i in range(min(per_policy, clauses - made)):
            conds = [tpl.zone("k0")] if rng.random() < 0.85 else []
            for _ in range(rng.randint(1, 4)):
                conds.append(tpl.condition(f"k{len(conds)}"))
            pol.clauses.append(ClauseT(f"c{i:02d}", conds, tpl.benefit()))
            made += 1
        paying = [c.id for c in pol.clauses if c.benefit.amount is not None]
        rng.shuffle(paying)
        if len(paying) >= 5:
            ex, cp = sorted(paying[:2]), sorted(paying[2:5])
            pol.groups.append(Group("highest", "exclusive", ex))
            pol.groups.append(Group("yearly_cap", "cap", cp, rng.choice((300_000, 1_000_000, 2_000_000))))
        policies.append(pol)
    return BigPack(policies, as_of)


# ---------------------------------------------------------------------- the three encodings

def policy_yaml(pol: PolicyT) -> str:
    lines = [f"id: {pol.id}", f"title: 基准测试政策{pol.id}", "issuer: 基准测试", "dates: {effective: 2020-01-01}",
             "source: {text: 基准测试生成的政策。}", "parameters:"]
    for name, prm in pol.params.items():
        values = ", ".join(f'{d.isoformat()}: "{prm.text(v)}"' for d, v in prm.values)
        unit = f", unit: {prm.unit}" if prm.unit else ""
        lines.append(f"  {name}: {{type: {prm.type}{unit}, label: {name}, assumed: 基准测试, values: {{{values}}}}}")
    lines.append("tables:")
    for name, t in pol.tables.items():
        lines += [f"  {name}:", f"    label: {name}"]
        if t.unit:
            lines.append(f"    unit: {t.unit}")
        lines += ["    assumed: 基准测试", "    bands:", *t.lines()]
    lines += ["values:", "  score: >-", "    band(t_st, st_staff[-1] / staff_total[-1])",
              "    + band(t_rd, rd_expense[-1] / revenue[-1])", "clauses:"]
    for c in pol.clauses:
        lines += [f"  - id: {c.id}", f"    title: 条款{pol.id}-{c.id}", "    conditions:"]
        for cond in c.conds:
            lines += cond.lines("      ")
        lines += c.benefit.lines()
    if pol.groups:
        lines.append("groups:")
        for g in pol.groups:
            cap = f', cap: "¥{g.cap}"' if g.cap is not None else ""
            lines.append(f"  - {{id: {g.id}, label: {g.id}, kind: {g.kind}, clauses: [{', '.join(g.clauses)}]"
                         f"{cap}, assumed: 基准测试}}")
    return "\n".join(lines) + "\n"


def write_pack(desc: BigPack, folder: Path) -> Path:
    """The huiqi pack (a folder with pack.yaml and one file per policy); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for pol in desc.policies:
        (folder / f"{pol.id}.yaml").write_text(policy_yaml(pol), encoding="utf-8")
    listing = "\n".join(f"  - {pol.id}.yaml" for pol in desc.policies)
    (folder / "pack.yaml").write_text(
        f"id: bigpack\ntitle: 基准测试条款包({desc.clause_count}条)\nversion: \"1\"\n"
        f"description: 由 bench/bigpack.py 生成。\npolicies:\n{listing}\n", encoding="utf-8")
    return folder


def rules(desc: BigPack) -> RuleSet:
    """The numpy kernels of the pack (the baseline; OpenFisca runs them as formulas)."""
    clauses = []
    groups = []
    params = {pol.id: {name: p.values for name, p in pol.params.items()} for pol in desc.policies}
    values = {(pol.id, "score"): _score(pol) for pol in desc.policies}
    for pol in desc.policies:
        for c in pol.clauses:
            b = c.benefit
            clauses.append(RClause(f"{pol.id}/{c.id}", [(k.id, k.kernel) for k in c.conds], b.kernel,
                                   K.UNIT_FEN[b.unit], b.mode))
        for g in pol.groups:
            groups.append(RGroup(g.kind, [f"{pol.id}/{m}" for m in g.clauses],
                                 g.cap * 100 if g.cap is not None else None))
    return RuleSet(clauses, groups, params, values)


def reform_yaml(desc: BigPack, policies: int = 10) -> str:
    """A reform raising ``money_min`` (from the evaluation date on) in the first ``policies``."""
    lines = ["id: bench-money-min", "title: {zh: 提高营业收入门槛(基准测试), en: Raise money_min (benchmark)}",
             "changes:"]
    for pol in desc.policies[:policies]:
        old = pol.params["money_min"].values
        lines.append(f"  - parameter: {pol.id}/money_min")
        vals = ", ".join(f'{d.isoformat()}: "¥{v}"' for d, v in old if d < desc.as_of)
        lines.append(f'    values: {{{vals}, {desc.as_of.isoformat()}: "¥{max(v for _, v in old) * 2}"}}')
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bigpack", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clauses", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("var/bench/bigpack"))
    args = parser.parse_args(argv)
    desc = draw(args.clauses, args.seed)
    folder = write_pack(desc, args.out)
    (folder.parent / f"{folder.name}-reform.yaml").write_text(reform_yaml(desc), encoding="utf-8")
    from huiqi.rules.loader import load_pack

    pack = load_pack(folder)
    print(f"{folder}: {len(pack.clauses())} clauses in {len(pack.policies)} policies, checked by huiqi")


if __name__ == "__main__":
    main()
