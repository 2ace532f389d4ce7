"""Compile checked expressions (:mod:`huiqi.rules.ir`) into SQL, exactly.

The same meaning as the one-enterprise engine (:mod:`huiqi.engine.compile`), expressed
over columns:

* A number is a pair of DECIMAL(38, s) expressions, numerator and denominator (the
  denominator is left out when it is 1), with their scales known at compile time.
  Sums and products are exact DECIMAL arithmetic; a quotient keeps both parts; a
  comparison cross-multiplies. Nothing is ever rounded before the stated rounding of
  an amount, which is done in integers. An expression that would need more than
  38 digits is refused by the database, never rounded silently.
* A missing fact is NULL. A value that cannot exist (a ratio over zero, a year before
  registration …) carries an "undefined" flag beside it.
* A condition is a truth code: 1 met, 0 not met, 2 undetermined, 3 needs review; the
  codes combine by the same tables as :mod:`huiqi.engine.values`.
* Some values are known never to be NULL (constants, the evaluation date, a record's
  required field) and some conditions never to be undetermined (a filter over required
  fields of records): such a condition carries a plain boolean beside its code, and a
  filter over records uses it — one pass over the records instead of two, and no
  four-valued arithmetic per record. A required field is never missing: the catalogue
  refuses a record without it and the columnar layout declares it non-nullable.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from huiqi.engine.values import add_months
from huiqi.errors import RuleError
from huiqi.facts import types as T
from huiqi.facts.catalogue import Catalogue, Field
from huiqi.rules import ir
from huiqi.rules.model import ClauseSpec, Pack, ValueSpec
from huiqi.text import Text

from .dialect import Dialect
from .fold import is_constant, is_null, literal, null_test, outer_call, top_level

TRUE, FALSE, MISSING, REVIEW = "1", "0", "2", "3"
MAX_SCALE = 24
SCALES = {"money": 2, "ratio": 8, "integer": 0, "decimal": 4}
SCORE_SCALE = 4  # a review's scores: DECIMAL(20, 4), as huiqi.facts.columnar writes them


@dataclass(frozen=True)
class V:
    """A compiled value: ``v`` (numerator, or the value; the truth code for conditions),
    ``d`` the denominator of a number (None = 1), ``u`` SQL that is TRUE when the
    value is undefined (None = never), ``s``/``sd`` the scales of ``v``/``d``;
    ``nn``: the value is never NULL; ``b``: for a truth code that is only ever 1 or 0,
    a boolean SQL that is TRUE exactly when it is 1."""

    v: str
    d: str | None = None
    u: str | None = None
    s: int = 0
    sd: int = 0
    nn: bool = False
    b: str | None = None




def dec(sql: str, s: int) -> str:
    """``sql`` as DECIMAL(38, s) — without a second cast when it already is one (a cast to
    it, or a column bound with that type: :meth:`ExprCompiler.bind_sql` names it so)."""
    target = f" AS DECIMAL(38,{s})"
    typed = _TYPED.match(sql)
    if typed is not None and int(typed.group(1)) == s:
        return sql
    inner = outer_call(sql, "CAST")
    if inner is not None and inner.endswith(target):
        return sql
    if inner is not None and is_null(inner[:inner.rindex(" AS ")] if " AS " in inner else inner):
        return f"CAST(NULL{target})"   # NULL at another scale: NULL at this one
    if inner is not None:
        # a literal at a smaller scale: the same literal at this one (exact; one cast, not two)
        m = _LITERAL.match(inner)
        if m is not None and int(m.group(2)) <= s:
            return f"CAST({m.group(1)}{target})"
    return f"CAST({sql}{target})"


_LITERAL = re.compile(r"^('-?[0-9]+(?:\.[0-9]+)?') AS DECIMAL\(38,(\d+)\)$")
#: a bound column whose SQL is of type DECIMAL(38, s): named ``__x<n><kind>_<s>``
_TYPED = re.compile(r'^["`]__x\d+[vdu]_(\d+)["`]$')
_DECIMAL_TYPED = re.compile(r" AS DECIMAL\(38,(\d+)\)$")


_PLAIN = re.compile(r"""^(?:"[^"]*"|'-?[0-9]+(?:\.[0-9]+)?')$""")


def bare(sql: str) -> str | None:
    """A column or a numeric literal under its casts to DECIMAL(38, s) — the column, or the
    literal as a number — else None."""
    while True:
        inner = outer_call(sql, "CAST")
        if inner is None or not re.search(r" AS DECIMAL\(38,\d+\)$", inner):
            break
        sql = inner[:inner.rindex(" AS DECIMAL(38,")]
    if not _PLAIN.match(sql):
        return None
    if not sql.startswith("'"):
        return sql
    text = sql[1:-1]
    digits = len(text.replace("-", "").replace(".", "").lstrip("0")) or 1
    places = len(text.split(".")[1]) if "." in text else 0
    if places == 0 and digits <= 18:
        return text   # an integer literal: compared with an integer column as integers
    width = max(digits, places + 1)
    return f"CAST('{text}' AS DECIMAL({width},{places}))" if width <= 38 else None


def any_of(*flags: str | None) -> str | None:
    fs = list(dict.fromkeys(f for f in flags if f is not None))
    if not fs:
        return None
    return fs[0] if len(fs) == 1 else "(" + " OR ".join(fs) + ")"


def lit_decimal(d: Decimal) -> V:
    d = Decimal(d)
    exp = d.as_tuple().exponent
    s = max(0, -int(exp)) if isinstance(exp, int) else 0
    if s > MAX_SCALE:
        raise RuleError(Text("常数的小数位过多", "a constant has too many decimals"))
    text = format(d, "f")
    return V(dec(f"'{text}'", s), s=s, nn=True)


def truth_all(codes: list[str]) -> str:
    """``and`` of truth codes, by the tables of the engine: not met outranks undetermined, which
    outranks needs-review, which outranks met.

    Small integers with ``least``/``greatest``, no code translated: a 0 anywhere decides; else
    the greatest code is the answer when it is 1 or 2, and when it is 3 the answer is 2 if
    any code is 2 (undetermined outranks needs-review), else 3."""
    codes = list(dict.fromkeys(c for c in codes if c != TRUE))
    if not codes:
        return TRUE
    if len(codes) == 1:
        return codes[0]
    xs = ", ".join(codes)
    any2 = " OR ".join(f"{c} = 2" for c in codes)
    return (f"(CASE WHEN least({xs}) = 0 THEN 0 WHEN greatest({xs}) < 3 THEN greatest({xs}) "
            f"WHEN {any2} THEN 2 ELSE 3 END)")


def truth_any(codes: list[str]) -> str:
    """``or`` of truth codes: met outranks undetermined, then needs-review, then not met.

    A 1 anywhere decides; else the greatest code when it is 0 or 2, and when it is 3 the
    answer is 2 if any code is 2, else 3."""
    codes = list(dict.fromkeys(c for c in codes if c != FALSE))
    if not codes:
        return FALSE
    if len(codes) == 1:
        return codes[0]
    xs = ", ".join(codes)
    any1 = " OR ".join(f"{c} = 1" for c in codes)
    any2 = " OR ".join(f"{c} = 2" for c in codes)
    return (f"(CASE WHEN {any1} THEN 1 WHEN greatest({xs}) < 3 THEN greatest({xs}) "
            f"WHEN {any2} THEN 2 ELSE 3 END)")


def truth_and(a: str, b: str) -> str:
    return truth_all([a, b])


def truth_or(a: str, b: str) -> str:
    return truth_any([a, b])


def truth_not(a: str) -> str:
    return f"(CASE {a} WHEN 1 THEN 0 WHEN 0 THEN 1 ELSE {a} END)"


def two_valued(b: str) -> V:
    """A condition that is only ever met or not met, from its boolean SQL (never NULL)."""
    if b in ("TRUE", "FALSE"):
        return V(TRUE if b == "TRUE" else FALSE, b=b)
    return V(f"(CASE WHEN {b} THEN 1 ELSE 0 END)", b=b)


def _guarded(undef: str | None, test: str) -> str:
    """``test`` where the value is defined, FALSE where it is not (as a comparison decides)."""
    return test if undef is None else f"(CASE WHEN {undef} THEN FALSE ELSE {test} END)"


class ExprCompiler:
    """Compiles IR nodes of one pack, at one evaluation date, for one dialect.

    ``columns`` is the set of input columns; a fact whose column is absent is missing.
    ``value_column`` maps a named value's key to the column prefix it was materialised
    under (the caller materialises values in layers), or None to inline it.
    """

    def __init__(self, pack: Pack, as_of: dt.date, dialect: Dialect, columns: set[str]) -> None:
        self.pack = pack
        self.cat: Catalogue = pack.catalogue
        self.as_of = as_of
        self.fy = as_of.year
        self.sql = dialect
        self.columns = columns
        self.bindings: list[tuple[int, str, str]] = []  # (layer, column, SQL)
        self.layer: dict[str, int] = {}
        self._cache: dict[int, V] = {}
        self._value_cache: dict[str, V] = {}
        self.inline = False  # inside a lambda nothing can be bound
        # computing an expression in place, for the rows a guard selects: nothing new is bound
        # (what is already bound is reused), but a year's registration flag still is
        self.lazy = False
        self.values: dict[str, ValueSpec] = {}
        for p in pack.policies:
            for name, v in p.values.items():
                self.values[f"{p.id}:{name}"] = v
            for c in p.clauses:
                for name, v in c.values.items():
                    self.values[f"{p.id}/{c.id}:{name}"] = v
        self._lambda = 0   # how deep in record lambdas the compiler is (names their variables)
        self._bound: dict[str, str] = {}  # SQL → the column it was bound to
        # records filters of exists-since → the dates they are compared with, and each such
        # exists (by node) → its filter, operator and date (plan_since)
        self._since: dict[tuple[str, str, str, str], set[str]] = {}
        self._since_at: dict[int, tuple[tuple[str, str, str, str], str, str]] = {}
        self.reg_year = self.col("__reg_year")
        self._never_null: set[str] = set()   # flags (SQL or their columns) never NULL

    # ------------------------------------------------------------------ helpers

    def col(self, name: str) -> str:
        return self.sql.ident(name)

    def has(self, name: str) -> bool:
        return name in self.columns

    def _null(self, t: T.Type, s: int = 0) -> V:
        if t.kind is T.Kind.NUM:
            return V(dec("NULL", s), s=s)
        if t.kind is T.Kind.BOOL:
            return V(MISSING)
        return V("NULL")

    def _scale_of(self, f: Field) -> int:
        return SCALES.get(f.kind, 0)

    def common(self, a: V, b: V) -> tuple[str, str, str | None, int]:
        """Both numbers over one denominator: (a_num, b_num, denominator, scale)."""
        if a.d is None and b.d is None:
            s = max(a.s, b.s)
            return dec(a.v, s), dec(b.v, s), None, s
        an = a.v if b.d is None else f"({a.v} * {b.d})"
        sa = a.s + (b.sd if b.d is not None else 0)
        bn = b.v if a.d is None else f"({b.v} * {a.d})"
        sb = b.s + (a.sd if a.d is not None else 0)
        d = _mul(a.d, b.d)
        s = max(sa, sb)
        self._check(s)
        return dec(an, s), dec(bn, s), d, s

    def _check(self, s: int) -> None:
        if s > MAX_SCALE:
            raise RuleError(Text("表达式过于复杂,无法在数据库中精确计算(小数位超过上限)",
                                 "the expression is too deep to compute exactly in the database "
                                 "(too many decimals)"))

    def _dscale(self, a: V, b: V) -> int:
        return (a.sd if a.d is not None else 0) + (b.sd if b.d is not None else 0)

    # ------------------------------------------------------------------ bindings

    _REF = re.compile(r'["`](__x\d+[vdu](?:_\d+)?)["`]')

    def layer_of(self, sql: str) -> int:
        return max((self.layer[m] for m in self._REF.findall(sql)), default=0)

    _IDENT = re.compile(r'^(?:"[^"]*"|`[^`]*`)$')

    def bind_sql(self, sql: str, suffix: str = "v", always: bool = False) -> str:
        """Give ``sql`` a column of its own in the first layer after its inputs (once: the
        same SQL bound again is the same column; a bare column is not bound at all). In
        :attr:`lazy` mode nothing is bound but what is ``always`` bound."""
        if self.inline or (self.lazy and not always) or self._IDENT.match(sql) or is_constant(sql):
            return sql
        hit = self._bound.get(sql)
        if hit is not None:
            return hit
        nn = suffix == "u" and self.never_null(sql)
        name = f"__x{len(self.bindings)}{suffix}"
        inner = outer_call(sql, "CAST")
        typed = _DECIMAL_TYPED.search(inner) if inner is not None else None
        if typed is not None:
            name += f"_{typed.group(1)}"   # its type, for dec() (no cast of it to that type)
        level = self.layer_of(sql) + 1
        self.bindings.append((level, name, sql))
        self.layer[name] = level
        self._bound[sql] = self.col(name)
        if nn:
            self._never_null.add(self.col(name))
        return self.col(name)

    def compacted(self, readers: list[str]) -> list[tuple[int, str, str]]:
        """The bindings, each one that is read exactly once — by another binding, not by
        ``readers`` (the SQL over the last layer) — put in place in its reader, and every
        level recomputed: the same values with fewer columns and layers for the database to
        bind, plan and hand over; and a binding read in a CASE branch is then computed only
        for the rows that take the branch."""
        counts: dict[str, int] = {}
        for sql in [body for _, _, body in self.bindings] + readers:
            for ref in self._REF.findall(sql):
                counts[ref] = counts.get(ref, 0) + 1
        outside = {ref for sql in readers for ref in self._REF.findall(sql)}
        q = self.sql.ident
        bodies: dict[str, str] = {}
        kept: list[tuple[str, str]] = []
        for _, name, made in self.bindings:
            body = made
            for ref in set(self._REF.findall(made)):
                if ref in bodies:
                    body = body.replace(q(ref), f"({bodies.pop(ref)})")
            if counts.get(name, 0) == 1 and name not in outside:
                bodies[name] = body   # put in place in its one reader (created after it)
            else:
                kept.append((name, body))
        assert not bodies, f"bindings read once by nothing bound: {sorted(bodies)}"
        level: dict[str, int] = {}
        out = []
        for name, body in kept:
            level[name] = max((level[r] for r in self._REF.findall(body)), default=0) + 1
            out.append((level[name], name, body))
        return out

    def layered(self, selects: list[str], source: str) -> str:
        """A query computing ``selects`` over ``source`` with every binding in its layer."""
        by_layer: dict[int, list[str]] = {}
        for level, name, body in self.bindings:
            by_layer.setdefault(level, []).append(f"{body} AS {self.col(name)}")
        reg = f"year({self.col('registration_date')})" if "registration_date" in self.columns \
            else "CAST(NULL AS INTEGER)"
        layers = [f"l0 AS (SELECT *, {reg} AS {self.col('__reg_year')} FROM {source})"]
        prev = "l0"
        for level in sorted(by_layer):
            layers.append(f"l{level} AS (SELECT *, {', '.join(by_layer[level])} FROM {prev})")
            prev = f"l{level}"
        return f"WITH {', '.join(layers)} SELECT {', '.join(selects)} FROM {prev}"

    def bind(self, x: V) -> V:
        if self.inline or self.lazy:
            return x
        v = self.bind_sql(x.v, "v")
        return V(v, self.bind_sql(x.d, "d") if x.d is not None else None,
                 self.bind_sql(x.u, "u") if x.u is not None else None, x.s, x.sd, x.nn,
                 None if x.b is None else (x.b if x.b in ("TRUE", "FALSE") else f"({v} = 1)"))

    # ------------------------------------------------------------------ nodes

    _SIMPLE = (ir.Const, ir.AsOf, ir.Param, ir.Fact, ir.YearFact, ir.Choice, ir.Review,
               ir.ReviewScore, ir.RecField)

    def compile(self, n: ir.Node) -> V:
        """The SQL of a node; a compound node is computed once, in a column of its own."""
        if isinstance(n, self._SIMPLE):
            return self._compile(n)
        if self.inline:
            return self._compile(n)
        hit = self._cache.get(id(n))
        if hit is None:
            if self.lazy:
                return self._compile(n)
            hit = self._cache[id(n)] = self.bind(self._compile(n))
        return hit

    def _compile(self, n: ir.Node) -> V:
        """Dispatch on the node's kind (:data:`_KINDS`)."""
        kind = _KINDS.get(type(n))
        if kind is None:
            raise RuleError(Text(f"无法编译 {type(n).__name__}",
                                 f"cannot compile {type(n).__name__}"))
        return kind(self, n)

    # ------------------------------------------------------------------ simple nodes

    def _const_node(self, n: ir.Const) -> V:
        return self._const(n.value, n.type)

    def _as_of(self, n: ir.AsOf) -> V:
        return V(f"DATE '{self.as_of.isoformat()}'", nn=True)

    def _param(self, n: ir.Param) -> V:
        pol = self.pack.policy(n.policy)
        assert pol is not None
        value = pol.params[n.name].at(self.as_of)
        if value is None:
            return V(self._null(n.type).v, u="TRUE")
        return self._const(value, n.type)

    def _fact_node(self, n: ir.Fact) -> V:
        return self._fact(n.fact, n.type)

    def _value_ref(self, n: ir.ValueRef) -> V:
        if self.inline:
            return self.compile(self.values[n.key].expr)
        hit = self._value_cache.get(n.key)
        if hit is None:
            if self.lazy:
                return self.compile(self.values[n.key].expr)
            hit = self._value_cache[n.key] = self.compile(self.values[n.key].expr)
        return hit

    def _choice(self, n: ir.Choice) -> V:
        name = f"choice:{n.key}"
        return V(self.col(name)) if self.has(name) else V("NULL")

    def _rec_field(self, n: ir.RecField) -> V:
        raise RuleError(Text("记录字段只能用在 where 中", "a record field is only valid in where"))

    def _date_shift(self, n: ir.DateShift) -> V:
        d, a = self.compile(n.date), self.compile(n.amount)
        fixed = _shifted(d, a, n.op == "-", n.months)
        if fixed is not None:   # a constant date moved by a constant: the date, known now
            return V(f"DATE '{fixed.isoformat()}'", nn=True)
        amount = _whole(a)
        if n.op == "-":
            amount = f"(-{amount})"
        shifted = (self.sql.add_months(d.v, amount) if n.months
                   else self.sql.add_days(d.v, amount))
        return V(shifted, u=any_of(d.u, a.u), nn=d.nn and a.nn)

    def _neg(self, n: ir.Neg) -> V:
        x = self.compile(n.operand)
        return V(f"(-{x.v})", x.d, x.u, x.s, x.sd, x.nn)

    def _member(self, n: ir.Member) -> V:
        item, coll = self.compile(n.item), self.compile(n.collection)
        test = self.sql.contains(coll.v, item.v)
        if n.negated:
            test = f"NOT {test}"
        undef = any_of(item.u, coll.u)
        if item.nn and coll.nn:
            return two_valued(_guarded(undef, test))
        head = f"WHEN {undef} THEN 0 " if undef else ""
        nulls = " OR ".join(f"{null_test(x.v)} IS NULL" for x in (item, coll) if not x.nn)
        return V(f"(CASE {head}WHEN {nulls} THEN 2 "
                 f"WHEN {test} THEN 1 ELSE 0 END)")

    def _and_or(self, n: ir.And | ir.Or) -> V:
        # a chain a and b and c is one n-ary operation, not a nest of CASEs
        cls = type(n)
        parts: list[ir.Node] = []

        def flat(m: ir.Node) -> None:
            if type(m) is cls:
                flat(m.left)
                flat(m.right)
            else:
                parts.append(m)

        flat(n)
        compiled = [self.compile(p) for p in parts]
        if all(c.b is not None for c in compiled):
            joiner = " AND " if cls is ir.And else " OR "
            return two_valued("(" + joiner.join(str(c.b) for c in compiled) + ")")
        codes = [c.v for c in compiled]
        return V(truth_all(codes) if cls is ir.And else truth_any(codes))

    def _not(self, n: ir.Not) -> V:
        x = self.compile(n.operand)
        if x.b is not None:
            return two_valued(f"(NOT {x.b})")
        return V(truth_not(x.v))

    def _review_score(self, n: ir.ReviewScore) -> V:
        if not self.has(n.need):
            return V(self._null(n.type, SCORE_SCALE).v, s=SCORE_SCALE)
        return V(dec(self.col(n.need), SCORE_SCALE), s=SCORE_SCALE)

    def _review(self, n: ir.Review) -> V:
        """A yes/no review is its verdict (``review:<key>``); a scored review needs review
        until a scored decision is recorded (``scored:<key>``), then compares its scores."""
        if n.test is None:
            name = f"review:{n.key}"
            if not self.has(name):
                return V(REVIEW)
            c = self.col(name)
            return V(f"(CASE WHEN {c} IS NULL THEN 3 WHEN {c} THEN 1 ELSE 0 END)")
        name = f"scored:{n.key}"
        if not self.has(name):
            return V(REVIEW)
        test = self.compile(n.test)
        return V(f"(CASE WHEN {self.col(name)} IS NULL THEN 3 ELSE {test.v} END)")

    def _const(self, value: Any, t: T.Type) -> V:
        k = t.kind
        if k is T.Kind.BOOL:
            return V(TRUE if value else FALSE, b="TRUE" if value else "FALSE")
        if k is T.Kind.NUM or k in (T.Kind.DAYS, T.Kind.MONTHS):
            return lit_decimal(Decimal(value))
        if k is T.Kind.DATE:
            return V(f"DATE '{value.isoformat()}'", nn=True)
        if k is T.Kind.SET:
            return V(self.sql.array([self.sql.string(str(x)) for x in sorted(value)]), nn=True)
        return V(self.sql.string(str(value)), nn=True)

    def _fact(self, fid: str, t: T.Type) -> V:
        f = self.cat.facts[fid]
        if not self.has(fid):
            return self._null(t, self._scale_of(f))
        c = self.col(fid)
        if t.kind is T.Kind.BOOL:
            return V(f"(CASE WHEN {c} IS NULL THEN 2 WHEN {c} THEN 1 ELSE 0 END)")
        if t.kind is T.Kind.NUM:
            s = self._scale_of(f)
            return V(dec(c, s), s=s)
        return V(c)

    def before_registration(self, year: int) -> str:
        """SQL, never NULL, TRUE where ``year`` is before the enterprise's registration — one
        column per year, shared by every condition over that year's facts (computed once per
        row, as a hand-written query computes its ``young`` flag once)."""
        flag = self.bind_sql(f"({self.reg_year} IS NOT NULL AND {self.reg_year} > {year})", "u",
                             always=True)
        self._never_null.add(flag)
        return flag

    def never_null(self, flag: str) -> bool:
        """``flag`` (an undefined-flag's SQL) is known never NULL: a year-before-registration
        flag, a ``coalesce(…, FALSE)``, or an OR of those (such a flag bound to a column is
        one too)."""
        if flag in self._never_null or flag in ("TRUE", "FALSE"):
            return True
        terms = top_level(flag, " OR ")
        return len(terms) > 1 and all(
            t in self._never_null or (outer_call(t, "coalesce") is not None and t.endswith(", FALSE)"))
            or (t.startswith("(") and t != flag and self.never_null(t)) for t in terms)

    def _year_fact(self, n: ir.YearFact) -> V:
        year = self.fy + n.offset
        f = self.cat.facts[n.fact]
        s = self._scale_of(f)
        name = f"{n.fact}@{year}"
        value = dec(self.col(name), s) if self.has(name) else dec("NULL", s)
        return V(value, u=self.before_registration(year), s=s)

    def _year_agg(self, n: ir.YearAgg) -> V:
        f = self.cat.facts[n.fact]
        s = self._scale_of(f)
        years = list(range(self.fy + n.start, self.fy + n.end + 1))
        cols = [dec(self.col(f"{n.fact}@{y}"), s) if self.has(f"{n.fact}@{y}") else dec("NULL", s)
                for y in years]
        reg = self.reg_year
        exists = [f"({reg} IS NULL OR {reg} <= {y})" for y in years]
        before = [f"({reg} IS NOT NULL AND {reg} > {y})" for y in years]
        if n.younger == "ineligible":
            undef = "(" + " OR ".join(before) + ")"
            missing = " OR ".join(f"{null_test(c)} IS NULL" for c in cols)
            vals = cols
            count = str(len(years))
        elif n.younger == "zero":
            undef = None
            missing = " OR ".join(f"({e} AND {null_test(c)} IS NULL)" for e, c in zip(exists, cols, strict=True))
            vals = [f"(CASE WHEN {e} THEN {c} ELSE {dec('0', s)} END)"
                    for e, c in zip(exists, cols, strict=True)]
            count = str(len(years))
        else:  # actual
            undef = "NOT (" + " OR ".join(exists) + ")"
            missing = " OR ".join(f"({e} AND {null_test(c)} IS NULL)" for e, c in zip(exists, cols, strict=True))
            vals = [f"(CASE WHEN {e} THEN {c} END)" for e, c in zip(exists, cols, strict=True)]
            count = "(" + " + ".join(f"(CASE WHEN {e} THEN 1 ELSE 0 END)" for e in exists) + ")"
        if n.func in ("sum", "avg"):
            total = " + ".join(f"coalesce({v}, {dec('0', s)})" for v in vals)
            value = f"(CASE WHEN {missing} THEN NULL ELSE {dec(total, s)} END)"
            if n.func == "sum":
                return V(value, u=undef, s=s)
            return V(value, d=dec(count, 0), u=undef, s=s, sd=0)
        pick = "least" if n.func == "min" else "greatest"
        value = f"(CASE WHEN {missing} THEN NULL ELSE {pick}({', '.join(vals)}) END)"
        return V(dec(value, s), u=undef, s=s)

    def _arith(self, n: ir.Arith) -> V:
        a, b = self.compile(n.left), self.compile(n.right)
        u = any_of(a.u, b.u)
        nn = a.nn and b.nn
        if n.left.type.kind is T.Kind.DATE:
            return V(dec(self.sql.days_between(a.v, b.v), 0), u=u, nn=nn)
        if n.op in ("+", "-"):
            an, bn, d, s = self.common(a, b)
            return V(dec(f"({an} {n.op} {bn})", s), d, u, s, self._dscale(a, b), nn)
        if n.op == "*":
            s = a.s + b.s
            self._check(s)
            return V(dec(f"({a.v} * {b.v})", s), _mul(a.d, b.d), u, s, self._dscale(a, b), nn)
        # division: (a.v * b.d) / (a.d * b.v), the sign moved to the numerator
        num = a.v if b.d is None else f"({a.v} * {b.d})"
        sn = a.s + (b.sd if b.d is not None else 0)
        den = b.v if a.d is None else f"({a.d} * {b.v})"
        sden = b.s + (a.sd if a.d is not None else 0)
        self._check(max(sn, sden))
        zero = f"coalesce({b.v} = 0, FALSE)"
        # invariant: the numerator is NULL exactly when the number is missing
        num = f"(CASE WHEN {null_test(b.v)} IS NULL THEN NULL WHEN {b.v} < 0 THEN -{num} ELSE {num} END)"
        return V(dec(num, sn), dec(f"abs({den})", sden), any_of(u, zero), sn, sden, nn)

    def _cmp(self, n: ir.Cmp) -> V:
        a, b = self.compile(n.left), self.compile(n.right)
        op = {"==": "=", "!=": "<>"}.get(n.op, n.op)
        if n.left.type.kind is T.Kind.NUM or n.left.type.kind in (T.Kind.DAYS, T.Kind.MONTHS):
            # both sides over one denominator and cast to one scale: Spark compares decimals
            # of different scales in a type that can round (399999999.99 < 4亿 came out false)
            an, bn, _, _ = self.common(a, b)
            test = f"{an} {op} {bn}"
            if self.sql.name == "duckdb" and a.d is None and b.d is None:
                # a column against a literal (or two columns): compared as they are — DuckDB
                # compares decimals and integers of any scales exactly, without the casts to
                # DECIMAL(38) (128-bit arithmetic on every row)
                ab, bb = bare(a.v), bare(b.v)
                if ab is not None and bb is not None:
                    a, b = V(ab, u=a.u, nn=a.nn), V(bb, u=b.u, nn=b.nn)
                    test = f"{ab} {op} {bb}"
        elif n.left.type.kind is T.Kind.BOOL:
            if a.b is not None and b.b is not None:
                return two_valued(f"({a.b} {op} {b.b})")
            return V(f"(CASE WHEN {a.v} = 2 OR {b.v} = 2 THEN 2 WHEN {a.v} {op} {b.v} THEN 1 "
                     f"ELSE 0 END)")
        else:
            test = f"{a.v} {op} {b.v}"
        undef = any_of(a.u, b.u)
        if a.nn and b.nn:
            return two_valued(_guarded(undef, f"({test})"))
        if a.nn or b.nn:
            # one side never NULL (a literal): one CASE, as one writes it by hand
            side = b.v if a.nn else a.v
            head = f"WHEN {undef} THEN 0 " if undef else ""
            return V(f"(CASE {head}WHEN {null_test(side)} IS NULL THEN 2 WHEN {test} THEN 1 ELSE 0 END)")
        # the comparison itself where it is not NULL; only the rows where it is NULL ask why
        # (a side missing: undetermined) — coalesce evaluates its second argument for them only
        code = (f"coalesce(CAST(({test}) AS INTEGER), "
                f"(CASE WHEN {null_test(a.v)} IS NULL OR {null_test(b.v)} IS NULL THEN 2 ELSE 0 END))")
        return V(f"(CASE WHEN {undef} THEN 0 ELSE {code} END)" if undef else code)

    def _if(self, n: ir.IfElse) -> V:
        c = self.compile(n.cond).v
        a, b = self.compile(n.then), self.compile(n.orelse)
        if n.type.kind is T.Kind.BOOL:
            return V(f"(CASE WHEN {c} = 1 THEN {a.v} WHEN {c} = 0 THEN {b.v} "
                     f"WHEN {a.v} = {b.v} AND {a.v} IN (0, 1) THEN {a.v} ELSE {c} END)")
        if n.type.kind is T.Kind.NUM:
            an, bn, d, s = self.common(a, b)
            same = f"({an} = {bn})"
        else:
            an, bn, d, s = a.v, b.v, None, 0
            same = f"({an} = {bn})"
        guards = " AND ".join(x for x in (f"NOT {a.u}" if a.u else None,
                                           f"NOT {b.u}" if b.u else None,
                                           f"{null_test(an)} IS NOT NULL", f"{null_test(bn)} IS NOT NULL", same) if x)
        value = f"(CASE WHEN {c} = 1 THEN {an} WHEN {c} = 0 THEN {bn} WHEN {guards} THEN {an} END)"
        if n.type.kind is T.Kind.NUM:
            value = dec(value, s)
        u = None
        if a.u or b.u:
            u = f"(CASE WHEN {c} = 1 THEN {a.u or 'FALSE'} WHEN {c} = 0 THEN {b.u or 'FALSE'} ELSE FALSE END)"
        return V(value, d, u, s, self._dscale(a, b))

    def _func(self, n: ir.Func) -> V:
        name = n.name
        args = [self.compile(a) for a in n.args]
        if name in ("min", "max"):
            acc = args[0]
            for b in args[1:]:
                acc = self._pick(acc, b, name, n.type)
            return acc
        x = args[0]
        if name == "abs":
            return V(f"abs({x.v})", x.d, x.u, x.s, x.sd, x.nn)
        if name == "floor":
            if x.d is None and x.s == 0:
                return x
            num, den = self._ints(x)
            value = (f"(CASE WHEN {num} >= 0 THEN {self.sql.idiv(num, den)} "
                     f"ELSE -{self.sql.idiv(f'(-{num} + {den} - 1)', den)} END)")
            return V(dec(value, 0), u=x.u, nn=x.nn)
        if name == "year_of":
            return V(dec(f"year({x.v})", 0), u=x.u, nn=x.nn)
        if name == "known":
            head = f"{x.u} OR " if x.u else ""
            # a yes/no fact is a truth code, never NULL: 2 is its "missing"
            present = f"{x.v} <> 2" if n.args[0].type.kind is T.Kind.BOOL else f"{x.v} IS NOT NULL"
            return two_valued(f"({head}{present})")
        if name == "full_years":
            a, b = args
            d = self.sql.day
            years = (f"(year({b.v}) - year({a.v}) - (CASE WHEN month({b.v}) < month({a.v}) OR "
                     f"(month({b.v}) = month({a.v}) AND {d(b.v)} < {d(a.v)}) THEN 1 ELSE 0 END) + "
                     f"(CASE WHEN month({a.v}) = 2 AND {d(a.v)} = 29 AND month({b.v}) = 2 AND "
                     f"{d(b.v)} = 28 AND NOT (year({b.v}) % 4 = 0 AND (year({b.v}) % 100 <> 0 OR "
                     f"year({b.v}) % 400 = 0)) THEN 1 ELSE 0 END))")
            return V(dec(years, 0), u=any_of(a.u, b.u), nn=a.nn and b.nn)
        raise RuleError(Text(f"无法编译函数 {name}", f"cannot compile the function {name}"))

    def _pick(self, a: V, b: V, which: str, t: T.Type) -> V:
        op = "<=" if which == "min" else ">="
        u = any_of(a.u, b.u)
        if t.kind is T.Kind.NUM or t.kind in (T.Kind.DAYS, T.Kind.MONTHS):
            an, bn, d, s = self.common(a, b)
            value = (f"(CASE WHEN {null_test(an)} IS NULL OR {null_test(bn)} IS NULL THEN NULL "
                     f"WHEN {an} {op} {bn} THEN {an} ELSE {bn} END)")
            return V(dec(value, s), d, u, s, self._dscale(a, b), a.nn and b.nn)
        value = (f"(CASE WHEN {a.v} IS NULL OR {b.v} IS NULL THEN NULL WHEN {a.v} {op} {b.v} "
                 f"THEN {a.v} ELSE {b.v} END)")
        return V(value, u=u)

    def _ints(self, x: V) -> tuple[str, str]:
        """A number's numerator and denominator as integers (DECIMAL(38, 0)) of one scale."""
        # v = V/10^s and d = D/10^sd; multiplying both by 10^S (S the larger scale)
        # makes both integers without changing their ratio
        scale = max(x.s, x.sd if x.d is not None else 0)
        factor = dec(f"'{10 ** scale}'", 0)
        # the products are integers at the scale of x.v (x.d): scaled down to 0, in 64 bits
        # where they fit (Dialect.rescale)
        num = self._down(f"({x.v} * {factor})", x.s) if scale else dec(x.v, 0)
        if x.d is None:
            den = factor
        else:
            den = self._down(f"({x.d} * {factor})", x.sd) if scale else dec(x.d, 0)
            den = f"(CASE WHEN {den} = 0 THEN {dec('1', 0)} ELSE {den} END)"
        return num, den

    def _down(self, sql: str, scale: int) -> str:
        """An integer held at ``scale`` decimals, as DECIMAL(38, 0): bound first where the
        scaling repeats it (:meth:`Dialect.rescale <huiqi.population.dialect.Dialect.rescale>`)."""
        once = self.sql.rescale(sql, scale, 0)
        return once if once.count(sql) == 1 else self.sql.rescale(self.bind_sql(sql), scale, 0)

    def _band(self, n: ir.Band) -> V:
        pol = self.pack.policy(n.policy)
        assert pol is not None
        table = pol.tables[n.table]
        x = self.compile(n.arg)
        whens: list[str] = []
        tests: list[str] = []
        out_scale = 0
        for b in table.bands_at(self.as_of):
            conds = []
            if b.lo is not None:
                xn, lon, _, _ = self.common(x, lit_decimal(b.lo))
                conds.append(f"{xn} {'>=' if b.lo_inclusive else '>'} {lon}")
            if b.hi is not None:
                xn, hin, _, _ = self.common(x, lit_decimal(b.hi))
                conds.append(f"{xn} {'<=' if b.hi_inclusive else '<'} {hin}")
            test = " AND ".join(conds) or "TRUE"
            tests.append(f"({test})")
            if n.label:  # a reported grade: the band's label
                whens.append(f"WHEN {test} THEN {self.sql.string(b.label.zh if b.label else '')}")
                continue
            value = lit_decimal(b.value)
            out_scale = max(out_scale, value.s)
            whens.append(f"WHEN {test} THEN {value.v}")
        body = " ".join(whens)
        if n.label:
            picked = f"(CASE WHEN {null_test(x.v)} IS NULL THEN NULL {body} END)"
            miss = f"({null_test(x.v)} IS NOT NULL AND NOT ({' OR '.join(tests) or 'FALSE'}))"
            return V(picked, u=any_of(x.u, miss))
        picked = dec(f"(CASE WHEN {null_test(x.v)} IS NULL THEN NULL {body} END)", out_scale)
        miss = f"({null_test(x.v)} IS NOT NULL AND NOT ({' OR '.join(tests) or 'FALSE'}))"
        return V(picked, u=any_of(x.u, miss), s=out_scale)

    def _lookup(self, n: ir.Lookup) -> V:
        pol = self.pack.policy(n.policy)
        assert pol is not None
        table = pol.tables[n.table]
        k = self.compile(n.key)
        enum = self.cat.enums.get(n.key.type.domain or "")
        entries = {(enum.normalise(key) if enum else None) or key: v
                   for key, v in table.entries.items()}
        scale = max([lit_decimal(v).s for v in entries.values()]
                    + ([lit_decimal(table.default).s] if table.default is not None else []))
        whens = " ".join(f"WHEN {self.sql.string(key)} THEN {lit_decimal(v).v}"
                         for key, v in entries.items())
        default = lit_decimal(table.default).v if table.default is not None else "NULL"
        value = dec(f"(CASE WHEN {k.v} IS NULL THEN NULL ELSE (CASE {k.v} {whens} ELSE {default} END) END)",
                    scale)
        u = k.u
        if table.default is None:
            keys = ", ".join(self.sql.string(key) for key in entries)
            u = any_of(k.u, f"({k.v} IS NOT NULL AND {k.v} NOT IN ({keys}))")
        return V(value, u=u, s=scale)

    # ------------------------------------------------------------------ records

    def _rec_agg(self, n: ir.RecAgg) -> V:
        f = self.cat.facts[n.fact]
        if not self.has(n.fact):
            return V(MISSING) if n.func == "exists" else self._null(n.type)
        col = self.col(n.fact)
        rt = self.cat.records[f.record or ""]
        if n.func == "exists" and self._since_at:
            since = self._exists_since(n)
            if since is not None:
                return since
        var, cond = self._filter_code(n.cond, rt.fields)
        code = cond.v
        sql = self.sql
        if cond.b is not None:  # two-valued: one pass, a plain boolean per record
            chosen = sql.filter(col, var, cond.b) if cond.b != "TRUE" else col
            unsure = "FALSE"
        else:
            chosen = sql.filter(col, var, f"{code} = 1")
            unsure = f"{sql.size(sql.filter(col, var, f'{code} = 2'))} > 0"
        if n.func == "exists":
            if unsure == "FALSE":
                return V(f"(CASE WHEN {col} IS NULL THEN 2 WHEN {sql.size(chosen)} > 0 THEN 1 ELSE 0 END)")
            return V(f"(CASE WHEN {col} IS NULL THEN 2 WHEN {sql.size(chosen)} > 0 THEN 1 "
                     f"WHEN {unsure} THEN 2 ELSE 0 END)")
        if n.func == "count":
            return V(dec(f"(CASE WHEN {col} IS NULL OR {unsure} THEN NULL ELSE {sql.size(chosen)} END)",
                         0))
        assert n.field is not None
        fdef = rt.fields[n.field]
        fv = sql.field(var, n.field)
        null_field = f"{sql.size(sql.filter(chosen, var, f'{fv} IS NULL'))} > 0"
        values = sql.transform(chosen, var, fv)
        if n.func == "sum":
            s = SCALES.get(fdef.kind, 0)
            value = (f"(CASE WHEN {col} IS NULL OR {unsure} OR {null_field} THEN NULL "
                     f"ELSE {sql.sum_list(values, s)} END)")
            return V(dec(value, s), s=s)
        pick = "min" if n.func == "min" else "max"
        value = (f"(CASE WHEN {col} IS NULL OR {unsure} OR {null_field} THEN NULL "
                 f"ELSE {sql.max_list(values, pick)} END)")
        empty = (f"({col} IS NOT NULL AND NOT ({unsure}) AND NOT ({null_field}) AND "
                 f"{sql.size(chosen)} = 0)")
        if fdef.type.kind is T.Kind.NUM:
            s = SCALES.get(fdef.kind, 0)
            return V(dec(value, s), u=empty, s=s)
        return V(value, u=empty)

    def _filter_code(self, cond: ir.Node | None, fields: dict[str, Field]) -> tuple[str, V]:
        """A filter's lambda variable and its truth code per record (TRUE without a filter).
        The variable is named by its depth, not by a counter: the same aggregate in two
        clauses is then the same SQL, bound once (:meth:`bind_sql`) and computed once."""
        self._lambda += 1
        var = f"r{self._lambda}"
        try:
            return var, (self._rec_cond(cond, var, fields) if cond is not None else V(TRUE, b="TRUE"))
        finally:
            self._lambda -= 1

    def plan_since(self, clauses: Iterable[ClauseSpec]) -> None:
        """Note, over ``clauses`` (those of one query), the dates each records filter of
        :meth:`_exists_since` is compared with: where one filter meets two dates or more,
        its latest date is computed once for all of them."""
        def on_records(n: ir.RecAgg) -> None:
            if n.func == "exists" and self.has(n.fact) and id(n) not in self._since_at:
                found = self._since_of(n)
                if found is not None:
                    key, op, edge = found
                    self._since_at[id(n)] = found
                    self._since.setdefault(key, set()).add(f"{op} {edge}")

        for spec in clauses:   # every filter over records, through named values too
            ir.needs(list(_exprs(spec)), self.fy, lambda key: self.values[key].expr, on_records)

    def _since_of(self, n: ir.RecAgg) -> tuple[tuple[str, str, str, str], str, str] | None:
        """For ``exists(R where P and d >= D)`` — ``d`` a required date field, ``D`` a date
        known now (``as_of - 3 years``), ``P`` two-valued — the latest date of the records
        where P (``>=``, ``>``; ``<=``, ``<``: the earliest) as SQL, with the operator and
        the date: (SQL, field, pick, variable), operator, date. None for any other filter."""
        if n.cond is None:
            return None
        fields = self.cat.records[self.cat.facts[n.fact].record or ""].fields
        parts = _conjuncts(n.cond)
        for i, part in enumerate(parts):
            found = _date_threshold(part, fields)
            if found is None:
                continue
            name, op, other = found
            lazy, self.lazy = self.lazy, True   # the date alone, no column of its own
            try:
                edge = self._compile(other).v
            finally:
                self.lazy = lazy
            if not _DATE.match(edge):
                continue
            rest = parts[:i] + parts[i + 1:]
            var, kept = self._filter_code(_conjunction(rest, n.cond.type) if rest else None, fields)
            if kept.b is None:
                return None
            col = self.col(n.fact)
            chosen = self.sql.filter(col, var, kept.b) if kept.b != "TRUE" else col
            pick = "max" if op in (">=", ">") else "min"
            return (chosen, name, pick, var), op, edge
        return None

    def _exists_since(self, n: ir.RecAgg) -> V | None:
        """``exists(R where P and d >= D)`` as ``max(d of the records where P) >= D`` where
        the query asks the same filter with two dates or more (:meth:`plan_since`): a park's
        clauses ask for the same certificate within 2, 3 or 5 years, and each ``exists``
        would filter every enterprise's records again. The latest date is bound once; for
        one date alone, filtering once is cheaper (bench/RESULTS.md). None: filter as usual."""
        found = self._since_at.get(id(n)) if self._lambda == 0 else None   # planned at the top
        if found is None or len(self._since[found[0]]) < 2:
            return None
        (chosen, name, pick, var), op, edge = found
        sql = self.sql
        latest = self.bind_sql(sql.max_list(sql.transform(chosen, var, sql.field(var, name)), pick))
        col = self.col(n.fact)
        return V(f"(CASE WHEN {col} IS NULL THEN 2 WHEN {latest} {op} {edge} THEN 1 ELSE 0 END)")

    def _rec_cond(self, cond: ir.Node, var: str, fields: dict[str, Field]) -> V:
        """A filter's truth code per record (with its boolean when it is two-valued)."""
        outer = self

        class _Inner(ExprCompiler):
            def _compile(self, n: ir.Node) -> V:
                if isinstance(n, ir.RecField):
                    fdef = fields[n.field]
                    ref = outer.sql.field(var, n.field)
                    required = not fdef.optional
                    if fdef.type.kind is T.Kind.BOOL:
                        if required:
                            return two_valued(ref)
                        return V(f"(CASE WHEN {ref} IS NULL THEN 2 WHEN {ref} THEN 1 ELSE 0 END)")
                    if fdef.type.kind is T.Kind.NUM:
                        s = SCALES.get(fdef.kind, 0)
                        return V(dec(ref, s), s=s, nn=required)
                    return V(ref, nn=required)
                return super()._compile(n)

        inner = _Inner.__new__(_Inner)
        inner.__dict__.update(self.__dict__)
        inner.inline = True
        inner._cache = {}
        return inner.compile(cond)


_DATE = re.compile(r"^DATE '(\d{4}-\d{2}-\d{2})'$")
_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">"}
_KNOWN_NOW = (ir.Const, ir.AsOf, ir.Param, ir.DateShift)


def _exprs(spec: ClauseSpec) -> Iterator[ir.Node]:
    """The expressions of a clause: its conditions' and their exceptions', its amount's."""
    for c in spec.all_conditions():
        if c.expr is not None:
            yield c.expr
        for e in c.exceptions:
            yield e.when
    b = spec.benefit
    if b is not None:
        yield from (x for x in (b.expr, b.cap) if x is not None)
        for e in b.exceptions:
            yield e.when
            if e.amount is not None:
                yield e.amount


def _conjuncts(n: ir.Node) -> list[ir.Node]:
    """The operands of a chain ``a and b and c``."""
    if isinstance(n, ir.And):
        return _conjuncts(n.left) + _conjuncts(n.right)
    return [n]


def _conjunction(parts: list[ir.Node], type_: T.Type) -> ir.Node:
    out = parts[0]
    for p in parts[1:]:
        out = ir.And(type_, left=out, right=p)
    return out


def _known_now(n: ir.Node) -> bool:
    """Made only of literals, parameters, the date and date shifts: a value known before any
    enterprise is read."""
    return isinstance(n, _KNOWN_NOW) and all(_known_now(k) for k in n.kids())


def _date_threshold(n: ir.Node, fields: dict[str, Field]) -> tuple[str, str, ir.Node] | None:
    """(field, operator, bound) of ``d >= bound`` (or ``bound <= d``, ``>``, ``<``, ``<=``)
    where ``d`` is a required date field of the record and the bound is known now."""
    if not isinstance(n, ir.Cmp) or n.op not in _FLIP:
        return None
    if isinstance(n.left, ir.RecField) and _known_now(n.right):
        name, op, other = n.left.field, n.op, n.right
    elif isinstance(n.right, ir.RecField) and _known_now(n.left):
        name, op, other = n.right.field, _FLIP[n.op], n.left
    else:
        return None
    fdef = fields.get(name)
    if fdef is None or fdef.optional or fdef.type.kind is not T.Kind.DATE:
        return None
    return name, op, other


def _whole(a: V) -> str:
    """A number of days or months cut toward zero to a whole number, exactly, as the
    one-enterprise engine's ``int()`` does (a cast to an integer rounds on DuckDB, and a
    quotient of decimals is a DOUBLE there: 0.3 / 0.1 is 2.9999999999999996). A quotient is
    cut on its absolute values: the double's floor, corrected by one either way with exact
    decimal products."""
    if a.d is None:
        return f"(sign({a.v}) * floor(abs({a.v})))"
    n, d = f"abs({a.v})", f"abs({a.d})"
    q = f"CAST(floor({n} / {d}) AS BIGINT)"
    whole = (f"({q} - (CASE WHEN {q} * {d} > {n} THEN 1 ELSE 0 END)"
             f" + (CASE WHEN ({q} + 1) * {d} <= {n} THEN 1 ELSE 0 END))")
    return f"(sign({a.v}) * sign({a.d}) * {whole})"


def _shifted(d: V, a: V, minus: bool, months: bool) -> dt.date | None:
    """A DATE literal moved by a whole-number literal (as the engine moves it:
    :func:`huiqi.engine.values.add_months`, or days), else None — also where the date would
    leave the calendar (the database says so, as before)."""
    m = _DATE.match(d.v)
    k = literal(a.v) if a.d is None and d.u is None and a.u is None else None
    if m is None or k is None or k != k.to_integral_value():
        return None
    step = -int(k) if minus else int(k)
    try:
        day = dt.date.fromisoformat(m.group(1))
        return add_months(day, step) if months else day + dt.timedelta(days=step)
    except (OverflowError, ValueError):
        return None


def _mul(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return f"({a} * {b})"


#: how each kind of node is compiled
_KINDS: dict[type, Callable[[ExprCompiler, Any], V]] = {
    ir.Const: ExprCompiler._const_node, ir.AsOf: ExprCompiler._as_of,
    ir.Param: ExprCompiler._param, ir.Fact: ExprCompiler._fact_node,
    ir.YearFact: ExprCompiler._year_fact, ir.YearAgg: ExprCompiler._year_agg,
    ir.ValueRef: ExprCompiler._value_ref, ir.Choice: ExprCompiler._choice,
    ir.RecField: ExprCompiler._rec_field, ir.Arith: ExprCompiler._arith,
    ir.DateShift: ExprCompiler._date_shift, ir.Neg: ExprCompiler._neg,
    ir.Cmp: ExprCompiler._cmp, ir.Member: ExprCompiler._member,
    ir.And: ExprCompiler._and_or, ir.Or: ExprCompiler._and_or, ir.Not: ExprCompiler._not,
    ir.IfElse: ExprCompiler._if, ir.Func: ExprCompiler._func, ir.Band: ExprCompiler._band,
    ir.Lookup: ExprCompiler._lookup, ir.RecAgg: ExprCompiler._rec_agg,
    ir.Review: ExprCompiler._review, ir.ReviewScore: ExprCompiler._review_score,
}
