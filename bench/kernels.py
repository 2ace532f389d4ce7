"""The hand-written numpy side of the baselines: truth codes, exact integer amounts, stacking.

Rules for the baselines (:mod:`bench.bigpack`, :mod:`bench.seedrules`) are written as
*kernels*: small numpy functions of a :class:`Frame`, which hands out the enterprise
facts as arrays. The same kernels run two ways:

* directly, batch by batch, on a :class:`NumpyFrame` over an Arrow table — the
  "hand-written numpy" baseline (:func:`evaluate`);
* as the formulas of an OpenFisca tax-benefit system, where the frame reads OpenFisca
  variables and parameters (:mod:`bench.ofisca`).

Conventions (the same as huiqi's SQL, :mod:`huiqi.population.expr`):

* a truth code is 1 met, 0 not met, 2 undetermined (a fact is missing), 3 needs review;
  ``and``/``or`` combine them by rank, as the engine's Kleene tables do;
* a number is an int64 array in a whole unit (money in yuan: the benchmark population
  holds whole yuan, see :mod:`bench.population`) with a *known* mask (False = missing)
  and, where a value can be undefined (a ratio over zero, a year before registration),
  an *undef* mask; a comparison with an undefined value is not met, before missing;
* ratios are compared by cross-multiplication in int64, ratio constants are basis
  points (1/10,000), so nothing is ever a float;
* an amount is a quotient ``num / den`` of yuan, rounded once, in integers, to its unit,
  as the clause says; amounts are handled in fen (int64), -1 meaning "no amount";
* what missing facts cannot change is decided, as huiqi decides it (its bounds reasoning,
  :mod:`huiqi.engine.bounds`): a comparison that reads a missing fact is undetermined unless
  every value the fact may take gives the same outcome. A number carries, where it is
  missing, the range of values it may still take (:class:`Rng`: a missing fact from its
  declared minimum, :data:`FACT_MIN`, up; sums add the ends; a quotient over a known
  denominator divides them, over a missing one is anything and may have no value; a band
  takes the least and greatest value of the bands its range meets); comparisons decide
  from the ranges where the exact code is undetermined (:func:`decide`). A range is a
  function of the rows (:data:`Ranged`), computed only for those undetermined rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Arr = np.ndarray[Any, Any]
EPOCH = dt.date(1970, 1, 1)
MET, NOT_MET, MISSING, REVIEW = 1, 0, 2, 3
STATUS_NAMES = {1: "eligible", 0: "not_eligible", 2: "undetermined", 3: "needs_review"}
UNIT_FEN = {"fen": 1, "jiao": 10, "yuan": 100, "ten_yuan": 1000, "hundred_yuan": 10_000,
            "thousand_yuan": 100_000, "ten_thousand_yuan": 1_000_000}
NONE = -1  # "no amount" in fen arrays
INT32_MAX = 2**31 - 1  # OpenFisca stores an ``int`` variable as int32
NO_DATE = INT32_MAX  # "no record" for the earliest date of records (fits OpenFisca's int32)

_AND_RANK = np.array([3, 0, 2, 1], np.int8)   # code → rank for `and`: not met ≻ missing ≻ review ≻ met
_AND_CODE = np.array([1, 3, 2, 0], np.int8)   # rank → code
_OR_RANK = np.array([0, 3, 2, 1], np.int8)    # for `or`: met ≻ missing ≻ review ≻ not met
_OR_CODE = np.array([0, 3, 2, 1], np.int8)


def days(d: dt.date) -> int:
    return (d - EPOCH).days


def year_of(d: Arr) -> Arr:
    """The calendar year of dates given in days since 1970-01-01."""
    return np.asarray(d.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970)


def add_months(d: Arr, months: int) -> Arr:
    """Dates (days) plus calendar months, the day clipped to the month's end (31 Jan + 1 month =
    28/29 Feb), as huiqi adds months."""
    day = d.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    dom = (day - month).astype(np.int64)            # day of month − 1
    target = month + np.timedelta64(months, "M")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")
              ).astype(np.int64)
    return np.asarray((target.astype("datetime64[D]") + np.minimum(dom, length - 1)).astype(np.int64))


# ---------------------------------------------------------------------- truth codes

def t_and(*codes: Arr) -> Arr:
    r = _AND_RANK[codes[0]]
    for c in codes[1:]:
        r = np.maximum(r, _AND_RANK[c])
    return _AND_CODE[r]


def t_or(*codes: Arr) -> Arr:
    r = _OR_RANK[codes[0]]
    for c in codes[1:]:
        r = np.maximum(r, _OR_RANK[c])
    return _OR_CODE[r]


def t_not(c: Arr) -> Arr:
    return np.array([1, 0, 2, 3], np.int8)[c]


def code(test: Arr, known: Arr, undef: Arr | None = None) -> Arr:
    """A comparison's truth code: undefined → not met; missing → undetermined; else the test."""
    out = np.where(known, test, MISSING).astype(np.int8)
    if undef is not None:
        out[undef] = NOT_MET
    return out


def compare(a: Arr | int, op: str, b: Arr | int) -> Arr:
    if op == ">=":
        return np.asarray(a >= b)
    if op == ">":
        return np.asarray(a > b)
    if op == "<=":
        return np.asarray(a <= b)
    if op == "<":
        return np.asarray(a < b)
    if op == "==":
        return np.asarray(a == b)
    return np.asarray(a != b)


def exception(default: Arr, when: Arr, then: int) -> Arr:
    """A labelled exception on a condition: met → ``then``; not met → the default; unknown →
    ``then`` if the default is already ``then``, else the exception's own code."""
    out = np.where(when == MET, then, np.where(when == NOT_MET, default,
                                               np.where(default == then, then, when)))
    return out.astype(np.int8)


# ---------------------------------------------------------------------- numbers

# The lower bounds (``min``) the fact catalogue (src/huiqi/facts/catalogue.yaml) declares for
# the numbers the baselines compare — none declares a maximum; net assets have no bound.
FACT_MIN = {"revenue": 0, "industrial_output": 0, "total_assets": 0, "tax_paid": 0, "rd_expense": 0,
            "high_tech_product_income": 0, "staff_total": 0, "st_staff": 0, "rd_staff": 0, "ip_class1": 0,
            "ip_class2": 0, "patents_industrialized": 0, "office_rent_paid": 0, "voucher_redeemed_period": 0}


@dataclass
class Rng:
    """Where a number is missing, the values it may still take: ``[lo, hi]`` (an end holds only
    where ``has_lo``/``has_hi``; int64 in the number's unit, or the numerator's for a quotient),
    ``mu``: it may have no value at all, ``empty``: it has none whatever the missing facts are.
    Its arrays are those of the rows asked for (:data:`Ranged`), not of the whole batch."""

    lo: Arr
    has_lo: Arr
    hi: Arr
    has_hi: Arr
    mu: Arr
    empty: Arr


# A number's range, computed only for the rows asked for (an index array): the rows whose exact
# truth code is undetermined, usually a few of a batch — so that a kernel pays for the bounds
# reasoning where it decides something, as a hand-written program would, not on every row.
Ranged = Callable[[Arr], Rng]


def _anything(n: int) -> Rng:
    z = np.zeros(n, np.int64)
    f = np.zeros(n, bool)
    return Rng(z, f, z, f, ~f, f)


@dataclass
class Num:
    """A number: ``v`` (int64, a whole unit; 0 where missing), ``known``, ``undef``, and where it
    is missing the range of its possible values (``rng``, for given rows; None: anything, and
    maybe no value)."""

    v: Arr
    known: Arr
    undef: Arr
    rng: Ranged | None = None


@dataclass
class Quot:
    """An exact quotient num/den (den > 0 where defined), with known and undef masks; where it
    is missing, the range of its numerator over the same ``den`` (for given rows; None:
    anything, maybe none)."""

    num: Arr
    den: Arr
    known: Arr
    undef: Arr
    rng: Ranged | None = None


def span(x: Num | Quot, idx: Arr) -> Rng:
    """The range of a number (of a quotient's numerator) at rows ``idx``: its value where known,
    else its range."""
    v = (x.v if isinstance(x, Num) else x.num)[idx]
    r = x.rng(idx) if x.rng is not None else _anything(len(idx))
    k = x.known[idx]
    return Rng(np.where(k, v, r.lo), k | r.has_lo, np.where(k, v, r.hi), k | r.has_hi, ~k & r.mu,
               ~k & r.empty)


def ranged(x: Num | Quot) -> Ranged:
    """The range of ``x`` as a function of the rows (:func:`span`)."""
    return lambda idx: span(x, idx)


def point(v: Arr | int, k: int = 1) -> Ranged:
    """The range of the known number ``v × k`` (``v`` a constant or an array over the batch)."""
    def at(idx: Arr) -> Rng:
        one = np.ones(len(idx), bool)
        x = (np.asarray(v, np.int64)[idx] if np.ndim(v) else np.full(len(idx), v, np.int64)) * k
        return Rng(x, one, x, one, ~one, ~one)

    return at


def scaled(r: Ranged, k: int) -> Ranged:
    """The range times the constant ``k`` > 0."""
    def at(idx: Arr) -> Rng:
        x = r(idx)
        return Rng(x.lo * k, x.has_lo, x.hi * k, x.has_hi, x.mu, x.empty)

    return at


def decide(a: Rng, op: str, b: Rng) -> Arr:
    """The outcome of ``a op b`` from the ranges, as huiqi's ``decide_cmp``: 1 when every value
    in them meets it (and neither may have no value), 0 when none can, else 2 (undetermined)."""
    below = a.has_hi & b.has_lo & (a.hi < b.lo)
    above = a.has_lo & b.has_hi & (a.lo > b.hi)
    at_most = a.has_hi & b.has_lo & (a.hi <= b.lo)
    at_least = a.has_lo & b.has_hi & (a.lo >= b.hi)
    yes, no = {">=": (at_least, below), ">": (above, at_most), "<=": (at_most, above), "<": (below, at_least),
               "==": (at_most & at_least, below | above)}.get(op, (below | above, at_most & at_least))
    no = no | a.empty | b.empty
    return np.where(no, NOT_MET, np.where(yes & ~(a.mu | b.mu), MET, MISSING)).astype(np.int8)


def bounded(exact: Arr, a: Ranged, op: str, b: Ranged) -> Arr:
    """The exact truth code, its undetermined rows decided by the ranges where they can be
    (the ranges computed for those rows only)."""
    idx = np.flatnonzero(exact == MISSING)
    if not idx.size:
        return exact
    out = exact.copy()
    out[idx] = decide(a(idx), op, b(idx))
    return out


def quotient(a: Num, b: Num) -> Quot:
    """a / b as huiqi divides: undefined over zero; the sign moved to the numerator. Its range:
    over a denominator the enterprise gave, the numerator's ends divided by it; else anything."""
    zero = b.known & (b.v == 0)
    neg = b.v < 0

    def rng(idx: Arr) -> Rng:
        ra = span(a, idx)
        bk, bn = b.known[idx], neg[idx]
        lo = np.where(bn, -ra.hi, ra.lo)
        hi = np.where(bn, -ra.lo, ra.hi)
        has_lo = bk & np.where(bn, ra.has_hi, ra.has_lo)
        has_hi = bk & np.where(bn, ra.has_lo, ra.has_hi)
        return Rng(lo, has_lo, hi, has_hi, ~bk | ra.mu, bk & ra.empty)

    return Quot(np.where(neg, -a.v, a.v), np.where(b.v == 0, 1, np.abs(b.v)),
                a.known & b.known, a.undef | b.undef | zero, rng)


def quot_cmp(q: Quot, op: str, bp: int) -> Arr:
    """Truth code of ``q op bp/10000``, by cross-multiplication (by the ranges where missing)."""
    exact = code(compare(q.num * 10_000, op, q.den * bp), q.known, q.undef)
    return bounded(exact, scaled(ranged(q), 10_000), op, point(q.den, bp))


@dataclass
class Band:
    lo: int | None          # bound, in the unit of the compared quotient × 10,000 (basis points)
    lo_inc: bool
    hi: int | None
    hi_inc: bool
    value: int


def band(q: Quot, bands: list[Band], scale: int = 10_000) -> Num:
    """The banded value of ``q`` (bounds are ``scale`` × the number); undefined outside all.
    Where ``q`` is missing, its range: the least and greatest value of the bands ``q``'s range
    meets (may have no value where that range leaves the bands; none if it meets none)."""
    size = len(q.num)
    out = np.zeros(size, np.int64)
    hit = np.zeros(size, bool)
    n, d = q.num * scale, q.den
    for b in bands:
        m = ~hit
        if b.lo is not None:
            m &= (n >= b.lo * d) if b.lo_inc else (n > b.lo * d)
        if b.hi is not None:
            m &= (n <= b.hi * d) if b.hi_inc else (n < b.hi * d)
        out[m] = b.value
        hit |= m
    return Num(out, q.known, q.undef | (q.known & ~hit), lambda idx: _band_range(q, bands, scale, idx))


def _band_range(q: Quot, bands: list[Band], scale: int, idx: Arr) -> Rng:
    """The range of ``band(q, bands)`` at rows ``idx``."""
    size = len(idx)
    d = q.den[idx]
    r = span(q, idx)
    lo, hi = r.lo * scale, r.hi * scale
    v_lo = np.zeros(size, np.int64)
    v_hi = np.zeros(size, np.int64)
    met = np.zeros(size, bool)   # some band met by the range
    for b in bands:
        meets = np.ones(size, bool)
        if b.lo is not None:
            meets &= ~(r.has_hi & ((hi < b.lo * d) | ((hi == b.lo * d) & (not b.lo_inc))))
        if b.hi is not None:
            meets &= ~(r.has_lo & ((lo > b.hi * d) | ((lo == b.hi * d) & (not b.hi_inc))))
        v_lo = np.where(meets & (~met | (b.value < v_lo)), b.value, v_lo)
        v_hi = np.where(meets & (~met | (b.value > v_hi)), b.value, v_hi)
        met |= meets
    # does the range stay within the bands' span (no gaps between bands: the checker refuses them)?
    inside = np.ones(size, bool)
    low = [b for b in bands if b.lo is None]
    top = [b for b in bands if b.hi is None]
    if not low:
        first = min(bands, key=lambda b: b.lo)  # type: ignore[arg-type,return-value]
        assert first.lo is not None
        inside &= r.has_lo & ((lo > first.lo * d) | ((lo == first.lo * d) & first.lo_inc))
    if not top:
        last = max(bands, key=lambda b: b.hi)  # type: ignore[arg-type,return-value]
        assert last.hi is not None
        inside &= r.has_hi & ((hi < last.hi * d) | ((hi == last.hi * d) & last.hi_inc))
    one = np.ones(size, bool)
    return Rng(v_lo, one, v_hi, one, r.mu | ~inside, r.empty | ~met)


# ---------------------------------------------------------------------- amounts

@dataclass
class Amount:
    """An amount before rounding: num/den yuan (den > 0), with known and undef masks."""

    num: Arr
    den: Arr | int
    known: Arr
    undef: Arr


def capped(a: Amount, cap_yuan: int) -> Amount:
    over = a.num > cap_yuan * np.asarray(a.den)
    return Amount(np.where(over, cap_yuan * np.asarray(a.den), a.num), a.den, a.known, a.undef)


def choose(when: Arr, mine: Amount, rest: Amount) -> Amount:
    """Amount exceptions: met → mine, not met → rest, unknown → mine if both agree, else missing."""
    m_den, r_den = np.asarray(mine.den), np.asarray(rest.den)
    same = (~mine.undef & ~rest.undef & mine.known & rest.known
            & (mine.num * r_den == rest.num * m_den))
    yes, no = when == MET, when == NOT_MET
    num = np.where(yes | ~no & same, mine.num, rest.num)
    den = np.where(yes | ~no & same, m_den, r_den)
    known = np.where(yes, mine.known, np.where(no, rest.known, same))
    undef = np.where(yes, mine.undef, np.where(no, rest.undef, False))
    return Amount(num, den, known, undef)


def round_fen(num: Arr, den: Arr | int, unit_fen: int, mode: str) -> Arr:
    """num/den yuan (num ≥ 0) rounded to a multiple of ``unit_fen`` fen, in fen."""
    n = num * 100
    d = np.asarray(den) * unit_fen
    if mode == "half_up":
        k = (2 * n + d) // (2 * d)
    elif mode == "down":
        k = n // d
    elif mode == "up":
        k = (n + d - 1) // d
    else:  # half_even
        q = n // d
        r = n - q * d
        k = q + ((2 * r > d) | ((2 * r == d) & (q % 2 == 1)))
    return np.asarray(k * unit_fen, np.int64)


def outcome(t: Arr, amount: Amount | None, unit_fen: int, mode: str) -> tuple[Arr, Arr]:
    """(status code, potential amount in fen or -1), as the engine decides them."""
    if amount is None:
        return t, np.full(len(t), NONE, np.int64)
    status = np.where(t == MET, np.where(amount.undef, NOT_MET, np.where(amount.known, MET, MISSING)), t)
    defined = (t != NOT_MET) & ~amount.undef & amount.known
    num = np.where(amount.num < 0, 0, amount.num)
    potential = np.where(defined, round_fen(num, amount.den, unit_fen, mode), NONE)
    return status.astype(np.int8), potential


def stack(kind: str, pays: list[Arr], cap_fen: int | None) -> list[Arr]:
    """就高不重复 (exclusive) or a yearly cap over a group's payable amounts (fen, -1 none),
    members in pack order; the same rules as the engine and the SQL."""
    out = []
    for i, p in enumerate(pays):
        if kind == "exclusive":
            beaten = np.zeros(len(p), bool)
            for j, o in enumerate(pays):
                if j != i:
                    beaten |= (o > 0) & ((o > p) | ((o == p) & (j < i)))
            out.append(np.where((p > 0) & beaten, 0, p))
        else:
            assert cap_fen is not None
            before = np.zeros(len(p), np.int64)
            for j, o in enumerate(pays):
                if j != i:
                    before += np.where((o > 0) & ((o > p) | ((o == p) & (j < i))), o, 0)
            room = cap_fen - before
            out.append(np.where(p <= 0, p, np.where(room <= 0, 0, np.minimum(room, p))))
    return out


# ---------------------------------------------------------------------- records

@dataclass(frozen=True)
class Rec:
    """Records matching a filter: ``where`` is (field, op, value) tests, all of which must hold
    (field "" is the element of an enum set); ``op`` is ==, in, >=, >, <=, <."""

    fact: str
    where: tuple[tuple[str, str, Any], ...] = ()
    pick: str = "count"     # count, or min_date (the earliest ``date`` of the matching records;
                            # NO_DATE if there is none)

    @property
    def name(self) -> str:
        parts = [f"{f or 'item'}{op}{sorted(v) if isinstance(v, frozenset) else v}"
                 for f, op, v in self.where]
        return f"{self.fact}[{' and '.join(parts)}].{self.pick}"


def records(table: Any, spec: Rec) -> tuple[Arr, Arr]:
    """(count or earliest date in days, known) for every row of ``table``, from its list column.

    The records of the whole batch are flattened once and filtered as arrays; a row whose
    list is null is missing. For ``min_date`` rows with no matching record get
    :data:`NO_DATE`.
    """
    col = table.column(spec.fact).combine_chunks()
    n = len(col)
    known = col.is_valid().to_numpy(zero_copy_only=False)
    flat = pc.list_flatten(col)
    parents = pc.list_parent_indices(col).to_numpy()
    mask = np.ones(len(flat), bool)
    for fname, op, value in spec.where:
        arr = flat if fname == "" else flat.field(fname)
        if isinstance(value, dt.date):
            x = arr.cast(pa.int32()).to_numpy(zero_copy_only=False)
            mask &= compare(x, op, days(value))
        elif op == "in":
            mask &= pc.is_in(arr, value_set=pa.array(sorted(value))).to_numpy(zero_copy_only=False)
        else:
            test = pc.equal(arr, pa.scalar(value)) if op == "==" else pc.not_equal(arr, pa.scalar(value))
            mask &= pc.fill_null(test, False).to_numpy(zero_copy_only=False)
    if spec.pick == "count":
        return np.bincount(parents[mask], minlength=n).astype(np.int64), known
    dates = flat.field("date").cast(pa.int32()).to_numpy(zero_copy_only=False).astype(np.int64)
    out = np.full(n, NO_DATE, np.int64)
    np.minimum.at(out, parents[mask], dates[mask])
    return out, known


# ---------------------------------------------------------------------- frames

class Frame(Protocol):
    """What a kernel may ask for. Numbers come back as (int64 values, known mask)."""

    n: int
    fy: int
    as_of: dt.date

    def year(self, fact: str, offset: int) -> tuple[Arr, Arr]: ...
    def reg_year(self) -> tuple[Arr, Arr]: ...
    def num(self, name: str) -> tuple[Arr, Arr]: ...
    def date(self, name: str) -> tuple[Arr, Arr]: ...
    def flag(self, name: str) -> Arr: ...
    def is_in(self, name: str, values: frozenset[str]) -> Arr: ...
    def records(self, spec: Rec) -> tuple[Arr, Arr]: ...
    def review(self, key: str) -> Arr: ...
    def param(self, policy: str, name: str) -> int: ...
    def value(self, policy: str, name: str) -> Num: ...


def before_reg(fr: Frame, year: int) -> Arr:
    """Is ``year`` before the enterprise was registered? (Then a fact of that year is undefined.)"""
    ry, rk = fr.reg_year()
    return np.asarray(rk & (ry > year))


def fact_range(fact: str) -> Ranged:
    """The values a missing fact may take: from its declared minimum up (unbounded if none)."""
    lo = FACT_MIN.get(fact)

    def at(idx: Arr) -> Rng:
        z = np.zeros(len(idx), bool)
        return Rng(np.full(len(idx), lo or 0, np.int64), np.full(len(idx), lo is not None),
                   np.zeros(len(idx), np.int64), z, z, z)

    return at


def year_num(fr: Frame, fact: str, offset: int) -> Num:
    v, k = fr.year(fact, offset)
    return Num(v, k, before_reg(fr, fr.fy + offset), fact_range(fact))


def window_sum(fr: Frame, fact: str, start: int, end: int, younger: str) -> Num:
    """sum(fact[start..end], younger=…) as huiqi defines it."""
    ry, rk = fr.reg_year()
    total = None
    missing = None
    exists_any = None
    before_any = None
    for off in range(start, end + 1):
        y = fr.fy + off
        v, k = fr.year(fact, off)
        exists = ~rk | (ry <= y)
        if younger == "ineligible":
            miss, take = ~k, v
        else:   # actual and zero: the years before registration count as nothing
            miss, take = exists & ~k, np.where(exists, v, 0)
        total = take if total is None else total + take
        missing = miss if missing is None else missing | miss
        exists_any = exists if exists_any is None else exists_any | exists
        b = rk & (ry > y)
        before_any = b if before_any is None else before_any | b
    assert total is not None and missing is not None and exists_any is not None and before_any is not None
    if younger == "ineligible":
        undef = before_any
    elif younger == "zero":
        undef = np.zeros(len(total), bool)
    else:
        undef = ~exists_any
    return Num(np.asarray(total, np.int64), ~missing, undef)


def add(a: Num, b: Num) -> Num:
    def rng(idx: Arr) -> Rng:
        ra, rb = span(a, idx), span(b, idx)
        return Rng(ra.lo + rb.lo, ra.has_lo & rb.has_lo, ra.hi + rb.hi, ra.has_hi & rb.has_hi, ra.mu | rb.mu,
                   ra.empty | rb.empty)

    return Num(a.v + b.v, a.known & b.known, a.undef | b.undef, rng)


def num_cmp(a: Num, op: str, b: Num | int) -> Arr:
    """Truth code of ``a op b`` (decided by the ranges where a number is missing)."""
    if isinstance(b, int):
        return bounded(code(compare(a.v, op, b), a.known, a.undef), ranged(a), op, point(b))
    return bounded(code(compare(a.v, op, b.v), a.known & b.known, a.undef | b.undef), ranged(a), op, ranged(b))


class NumpyFrame:
    """A frame over an Arrow table in the layout of :mod:`huiqi.facts.columnar`."""

    def __init__(self, table: Any, as_of: dt.date, params: dict[str, dict[str, list[tuple[dt.date, int]]]],
                 values: dict[tuple[str, str], Callable[[Frame], Num]] | None = None) -> None:
        self.table = table
        self.n = table.num_rows
        self.as_of = as_of
        self.fy = as_of.year
        self.params = params
        self.values = values or {}
        self._cache: dict[Any, Any] = {}
        self.names = set(table.column_names)

    def _col(self, name: str) -> Any:
        return self.table.column(name).combine_chunks() if name in self.names else None

    def _ints(self, name: str) -> tuple[Arr, Arr]:
        hit = self._cache.get(name)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        col = self._col(name)
        if col is None:
            out = (np.zeros(self.n, np.int64), np.zeros(self.n, bool))
        else:
            known = col.is_valid().to_numpy(zero_copy_only=False)
            if pa.types.is_decimal(col.type):
                # whole units (bench.population): the low 64 bits of the decimal, ÷ 10^scale
                words = np.frombuffer(col.buffers()[1], np.int64)[2 * col.offset: 2 * (col.offset + len(col))]
                unit = 10 ** col.type.scale
                if np.any((words[::2] % unit != 0) & known):
                    raise ValueError(f"{name}: not whole units (use bench.population)")
                v = words[::2] // unit
            elif pa.types.is_date32(col.type):
                v = col.cast(pa.int32()).fill_null(0).to_numpy().astype(np.int64)
            else:
                v = col.fill_null(0).to_numpy().astype(np.int64)
            out = (np.where(known, v, 0), known)
        self._cache[name] = out
        return out

    def year(self, fact: str, offset: int) -> tuple[Arr, Arr]:
        return self._ints(f"{fact}@{self.fy + offset}")

    def reg_year(self) -> tuple[Arr, Arr]:
        hit = self._cache.get("__reg_year")
        if hit is None:
            col = self._col("registration_date")
            known = col.is_valid().to_numpy(zero_copy_only=False)
            y = pc.year(col).fill_null(0).to_numpy().astype(np.int64)
            hit = self._cache["__reg_year"] = (y, known)
        return hit  # type: ignore[no-any-return]

    def num(self, name: str) -> tuple[Arr, Arr]:
        return self._ints(name)

    def date(self, name: str) -> tuple[Arr, Arr]:
        return self._ints(name)

    def flag(self, name: str) -> Arr:
        key = ("flag", name)
        hit = self._cache.get(key)
        if hit is None:
            col = self._col(name)
            v = col.fill_null(False).to_numpy(zero_copy_only=False)
            hit = self._cache[key] = code(v, col.is_valid().to_numpy(zero_copy_only=False))
        return hit  # type: ignore[no-any-return]

    def is_in(self, name: str, values: frozenset[str]) -> Arr:
        key = ("in", name, values)
        hit = self._cache.get(key)
        if hit is None:
            col = self._col(name)
            test = pc.is_in(col, value_set=pa.array(sorted(values))).to_numpy(zero_copy_only=False)
            hit = self._cache[key] = code(test, col.is_valid().to_numpy(zero_copy_only=False))
        return hit  # type: ignore[no-any-return]

    def records(self, spec: Rec) -> tuple[Arr, Arr]:
        hit = self._cache.get(spec)
        if hit is None:
            hit = self._cache[spec] = records(self.table, spec)
        return hit  # type: ignore[no-any-return]

    def review(self, key: str) -> Arr:
        """A reviewer's judgment as a truth code: 3 (needs review) until one is declared (a
        ``review:<key>`` column, as huiqi reads it)."""
        col = self._col(f"review:{key}")
        if col is None:
            return np.full(self.n, REVIEW, np.int8)
        v = col.fill_null(False).to_numpy(zero_copy_only=False)
        return np.where(col.is_valid().to_numpy(zero_copy_only=False), v.astype(np.int8), REVIEW).astype(np.int8)

    def param(self, policy: str, name: str) -> int:
        return param_at(self.params[policy][name], self.as_of)

    def value(self, policy: str, name: str) -> Num:
        key = ("value", policy, name)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self.values[(policy, name)](self)
        return hit  # type: ignore[no-any-return]


def param_at(values: list[tuple[dt.date, int]], day: dt.date) -> int:
    """The value in force on ``day`` (the latest whose date is not after it)."""
    best = None
    for since, v in sorted(values):
        if since <= day:
            best = v
    if best is None:
        raise ValueError(f"no value in force on {day}")
    return best


# ---------------------------------------------------------------------- a rule set

Kernel = Callable[[Frame], Arr]
AmountKernel = Callable[[Frame], Amount]


@dataclass
class RClause:
    key: str                                   # policy/clause, as huiqi names it
    conditions: list[tuple[str, Kernel]]       # top-level condition id → truth codes
    amount: AmountKernel | None = None
    unit_fen: int = 100
    mode: str = "half_up"


@dataclass
class RGroup:
    kind: str                  # exclusive or cap
    members: list[str]         # clause keys, in pack order
    cap_fen: int | None = None


@dataclass
class RuleSet:
    """A pack's rules for the baselines: what :func:`evaluate` and :mod:`bench.ofisca` run."""

    clauses: list[RClause]
    groups: list[RGroup] = field(default_factory=list)
    params: dict[str, dict[str, list[tuple[dt.date, int]]]] = field(default_factory=dict)
    values: dict[tuple[str, str], Callable[[Frame], Num]] = field(default_factory=dict)


def evaluate(rs: RuleSet, fr: Frame) -> dict[str, tuple[Arr, Arr]]:
    """Every clause on a frame: key → (status codes, amount in fen or -1), after stacking."""
    raw: dict[str, tuple[Arr, Arr]] = {}
    for c in rs.clauses:
        t = t_and(*[k(fr) for _, k in c.conditions])
        raw[c.key] = outcome(t, c.amount(fr) if c.amount is not None else None, c.unit_fen, c.mode)
    pay = {k: np.where(s == MET, p, NONE) for k, (s, p) in raw.items()}
    for g in rs.groups:
        members = [m for m in g.members if m in pay]
        for m, paid in zip(members, stack(g.kind, [pay[m] for m in members], g.cap_fen), strict=True):
            pay[m] = paid
    return {k: (s, np.where(s == MET, pay[k], NONE)) for k, (s, _) in raw.items()}
