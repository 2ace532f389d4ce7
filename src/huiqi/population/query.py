"""Build the SQL that matches every enterprise of a table against every clause of a pack.

The query has layers, each a projection over the one below (so that a value used in
several places is computed once):

1. ``base``: the input, plus the year of registration;
2. ``vals``: the pack's named values, in dependency order;
3. ``conds``: every condition's truth code, every amount before rounding, and the two
   sides of each top-level comparison (for gaps);
4. ``res``: per clause the status, the rounded amount, the failed conditions, the gaps
   and the missing facts — the same rules as :class:`huiqi.engine.matcher.Matcher` (built
   with ``outputs="status"``, the status and the amount only: nothing else is computed);
5. ``stackN``: one layer per stacking group, in the pack's order (就高不重复, caps);
6. the output, one row per enterprise and clause.

Only the input columns the query names are carried from ``base`` up (a park's table has a
few hundred; carried through every layer, they made planning the query its slowest part).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from huiqi.engine.values import round_exact
from huiqi.facts import types as T
from huiqi.rules import ir
from huiqi.rules.model import ClauseSpec, ConditionSpec, Pack

from .bounds import SqlBounds
from .dialect import Dialect
from .expr import MAX_SCALE, TRUE, ExprCompiler, V, any_of, bare, dec, lit_decimal, truth_all, truth_any
from .fold import null_test

OUTPUT_COLUMNS = ("enterprise_id", "clause", "clause_index", "status", "amount",
                  "potential_amount", "failed", "gaps", "missing")
GAP_PLACES = 6
STATUS = {"eligible", "not_eligible", "undetermined", "needs_review"}
#: what the compact query computes: everything, or statuses and amounts only (the failed
#: conditions, gaps and missing facts left out — not computed at all)
OUTPUTS = ("all", "status")


@dataclass
class _Clause:
    spec: ClauseSpec
    index: int
    prefix: str
    conds: dict[str, str] = field(default_factory=dict)  # condition path → column
    rec_nodes: dict[str, list[ir.Node]] = field(default_factory=dict)


@dataclass
class _Parts:
    clause: _Clause
    status: str                              # the status code (1 eligible, 0, 2, 3)
    potential: str                           # the rounded amount before stacking
    failed: list[tuple[str, str]]            # top-level condition id → its truth code
    gaps: list[tuple[str, str, str]]         # condition id, its truth code, its gap column
    missing: list[tuple[str, str, str]]      # fact key, SQL true when missing, a guard implied by it
    paid: bool = True                        # False: a title, no amount ever (always NULL)
    amount: str = "NULL"                     # the amount where eligible (NULL elsewhere), before stacking
    derived: dict[str, GapSpec] = field(default_factory=dict)   # gaps the reader can derive
    constant: str | None = None              # a constant amount (its decimal text), or None
    # the status is the one condition's code: it failed exactly where the status is 0; and
    # (a number compared with a constant) its one fact is missing exactly where it is 2
    failed_is_status: bool = False
    missing_is_status: bool = False


@dataclass
class WideClause:
    """Where one clause's results are in the compact (wide) query's row. A "column" may be a
    value the reader derives instead (:data:`MONEY_FIXED`, :data:`FROM_STATUS`,
    :data:`GAP_DERIVED`); a mask column may be shared with other clauses (the bits before
    this clause's named "")."""

    key: str
    index: int
    status: str
    # the amount, read only where the status is 1 (NULL elsewhere, or, when it is the
    # potential amount's column, the potential amount); None: a title, never an amount
    amount: str | None
    potential: str | None   # None: a title, or not computed (the lean query, ``outputs="status"``)
    failed: list[tuple[str, list[str]]] = field(default_factory=list)   # mask column, ids by bit
    gaps: list[tuple[str, str]] = field(default_factory=list)           # condition id, column
    missing: list[tuple[str, list[str]]] = field(default_factory=list)  # mask column, keys by bit


WORD_BITS = 62
#: a gap the compact form does not hold but derives (:func:`huiqi.population.wide.to_long`):
#: the input column, the comparison, the constant it is compared with, the column flagging a
#: year before registration ("" for none) — the gap is |constant − column| where the
#: condition failed, the flag is not set and the column is not NULL
GapSpec = tuple[str, str, str, str]
GAP_DERIVED = "@gap:"   # a gap column named so is a JSON GapSpec, not a column
#: an amount "column" named so is a constant (its decimal text follows): the potential
#: amount where the status is not 0, the amount where it is 1
MONEY_FIXED = "@fixed:"
#: a mask "column" named so is no column: its one bit is set where the clause's status is
#: the code that follows (0: its one condition failed; 2: its one fact is missing)
FROM_STATUS = "@status:"
LAZY_SQL = 4_000   # the most characters of an amount's SQL computed in place under its guard


def _words(items: list[tuple[str, str]], never_null: bool = False) -> list[tuple[list[str], str]]:
    """Bit masks (BIGINT) of named tests, ``WORD_BITS`` to a word: (names by bit, SQL).
    Tests that are ``never_null`` (a truth code compared with a number) are cast to integers
    and shifted, without a CASE each."""
    out = []
    for start in range(0, len(items), WORD_BITS):
        chunk = items[start:start + WORD_BITS]
        if never_null:
            bits = " + ".join(f"CAST({test} AS BIGINT)" if i == 0 else f"(CAST({test} AS BIGINT) * {1 << i})"
                              for i, (_, test) in enumerate(chunk))
            out.append(([name for name, _ in chunk], bits if len(chunk) > 1 else f"CAST({chunk[0][1]} AS BIGINT)"))
            continue
        bits = " + ".join(f"(CASE WHEN {test} THEN {1 << i} ELSE 0 END)" for i, (_, test) in enumerate(chunk))
        out.append(([name for name, _ in chunk], f"CAST({bits} AS BIGINT)"))
    return out


class _Packer:
    """Bit masks of several clauses in shared BIGINT words (DuckDB): each clause's bits
    together, after those of the clauses before it in the word (a clause's names are padded
    with "" for them); a clause whose bits do not fit in what is left of a word starts the next
    one. A bit is a CASE, also for a test that is never NULL: DuckDB computes it in half the
    time of the test cast to an integer and multiplied (bench.mask_words)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.words: list[list[str]] = []   # per word, its terms
        self.used = WORD_BITS              # bits used in the last word (none yet: full)

    def add(self, items: list[tuple[str, str]], guard: str | None = None) -> tuple[str, list[str]]:
        """The bits of one clause's named tests (at most :data:`WORD_BITS`), computed only
        where ``guard`` holds (0 elsewhere); (its word's column, its names by bit)."""
        assert 0 < len(items) <= WORD_BITS
        if self.used + len(items) > WORD_BITS:
            self.words.append([])
            self.used = 0
        off = self.used
        terms = [f"(CASE WHEN {test} THEN {1 << (off + i)} ELSE 0 END)" for i, (_, test) in enumerate(items)]
        term = " + ".join(terms)
        if guard:
            term = f"(CASE WHEN {guard} THEN {term} ELSE 0 END)"
        self.words[-1].append(term)
        self.used += len(items)
        return f"{self.prefix}{len(self.words) - 1}", [""] * off + [name for name, _ in items]

    def columns(self) -> list[tuple[str, str]]:
        """(name, SQL) of the words."""
        return [(f"{self.prefix}{w}", f"CAST({' + '.join(terms)} AS BIGINT)")
                for w, terms in enumerate(self.words)]


class MatchQuery:
    """The SQL for one pack, one date, one dialect, over a table with ``columns``."""

    def __init__(self, pack: Pack, as_of: dt.date, dialect: Dialect, columns: list[str],
                 clauses: list[ClauseSpec] | None = None, outputs: str = "all") -> None:
        if outputs not in OUTPUTS:
            raise ValueError(f"outputs: {outputs!r}, not one of {OUTPUTS}")
        self.outputs = outputs
        self.pack = pack
        self.as_of = as_of
        self.sql = dialect
        self.columns = set(columns) | {"__reg_year"}
        self.ex = ExprCompiler(pack, as_of, dialect, self.columns)
        # conditions the missing facts cannot change are decided (huiqi.engine.bounds)
        self.bounds = SqlBounds(self.ex)
        in_force = {p.id for p in pack.policies if p.in_force(as_of)}
        chosen = clauses if clauses is not None else pack.clauses()
        self.clauses = [_Clause(c, c.index, f"__k{i}_") for i, c in enumerate(chosen)
                        if c.policy in in_force]
        self.ex.plan_since(c.spec for c in self.clauses)
        keys = {c.spec.key for c in self.clauses}
        self.groups = [g for g in pack.groups if any(k in keys for k in g.clauses)]
        self._done: list[_Parts] | None = None
        self._gap_names: dict[str, str] = {}   # a gap's SQL → its compact column

    def q(self, name: str) -> str:
        return self.sql.ident(name)

    # ------------------------------------------------------------------ layer 3

    def _cond(self, cl: _Clause, c: ConditionSpec) -> str:
        """The truth code of a condition, bound to a column; its reference is returned."""
        if c.kind in ("expr", "review"):
            assert c.expr is not None
            code = self.bounds.code(c.expr)
        else:
            kids = [self._cond(cl, k) for k in c.children]
            code = truth_all(kids) if c.kind == "all" else truth_any(kids)
        if c.exceptions:
            code = self._chain(c, code)
        ref = code if code in (TRUE, "0") else self.ex.bind_sql(code)
        cl.conds[c.path] = ref
        return ref

    def _chain(self, c: ConditionSpec, default: str) -> str:
        result = default
        for e in reversed(c.exceptions):
            w = self.bounds.code(e.when)
            then = "1" if e.then else "0"
            result = self.ex.bind_sql(f"(CASE WHEN {w} = 1 THEN {then} WHEN {w} = 0 THEN {result} "
                                      f"WHEN {result} = {then} THEN {then} ELSE {w} END)")
        return result

    def _fixed_amount(self, cl: _Clause) -> str | None:
        """A clause's amount as a DECIMAL(38, 2) literal, already capped, clamped at zero and
        rounded as it says, when it is a constant (a literal or a parameter in force, with no
        exceptions and a constant cap or none); None otherwise."""
        b = cl.spec.benefit
        if b is None or b.expr is None or b.exceptions or b.rounding_unit is None or not b.rounding_mode:
            return None
        value = self.bounds.point(b.expr)
        cap = self.bounds.point(b.cap) if b.cap is not None else None
        if value is None or (b.cap is not None and cap is None):
            return None
        if cap is not None and cap < value:
            value = cap
        rounded = round_exact(max(value, Decimal(0)), Decimal(str(b.rounding_unit)), b.rounding_mode)
        return dec(f"'{format(rounded, 'f')}'", 2)

    def _amount(self, cl: _Clause) -> V | None:
        b = cl.spec.benefit
        if b is None or b.expr is None:
            return None
        base = self.ex.compile(b.expr)
        value = base
        rest = base
        # exceptions, built from the last: the first whose condition is met decides
        for e in reversed(b.exceptions):
            w = self.ex.compile(e.when).v
            mine = self.ex.compile(e.amount)  # type: ignore[arg-type]
            an, rn, d, s = self.ex.common(mine, rest)
            same = " AND ".join(x for x in (
                f"NOT {mine.u}" if mine.u else None, f"NOT {rest.u}" if rest.u else None,
                f"{null_test(an)} IS NOT NULL", f"{null_test(rn)} IS NOT NULL", f"{an} = {rn}") if x)
            v = dec(f"(CASE WHEN {w} = 1 THEN {an} WHEN {w} = 0 THEN {rn} "
                    f"WHEN {same} THEN {an} END)", s)
            u = None
            if mine.u or rest.u:
                u = (f"(CASE WHEN {w} = 1 THEN {mine.u or 'FALSE'} "
                     f"WHEN {w} = 0 THEN {rest.u or 'FALSE'} ELSE FALSE END)")
            rest = self.ex.bind(V(v, d, u, s, (mine.sd if mine.d else 0) + (rest.sd if rest.d else 0)))
        value = rest
        if b.cap is not None:
            cap = self.ex.compile(b.cap)
            vn, cn, d, s = self.ex.common(value, cap)
            if d is None and cap.nn:
                # a cap that is never NULL (a literal, a parameter in force): where the amount
                # is NULL the comparison is NULL and the amount, NULL, is taken
                v = dec(f"(CASE WHEN {cn} < {vn} THEN {cn} ELSE {vn} END)", s)
            else:
                v = dec(f"(CASE WHEN {null_test(vn)} IS NULL OR {null_test(cn)} IS NULL THEN NULL WHEN {cn} < {vn} "
                        f"THEN {cn} ELSE {vn} END)", s)
            # as the engine: the formula's own state first, then the cap's
            u = any_of(value.u, f"({null_test(value.v)} IS NOT NULL AND {cap.u})" if cap.u else None)
            value = V(v, d, u, s, (value.sd if value.d else 0) + (cap.sd if cap.d else 0))
        return self.ex.bind(value)

    def _guarded_amount(self, cl: _Clause, tq: str) -> V | None:
        """The clause's amount before rounding, as :meth:`_amount`, where its conditions are
        not all unmet (``tq`` <> 0) and NULL elsewhere: the status, the payable amount and
        the missing facts read it only there. It is compiled in place (nothing bound for
        every row) and bound as one column under that guard, so that its arithmetic (for a
        share, a product of 128-bit decimals) is done only for the rows that may be paid, as
        a hand-written query computes an amount only in its ``CASE WHEN eligible``. An amount
        with exceptions, or whose SQL in place would be large, is bound as before."""
        b = cl.spec.benefit
        if b is None or b.expr is None or b.exceptions or tq == TRUE:
            return self._amount(cl)
        self.ex.lazy = True
        try:
            x = self._amount(cl)
        finally:
            self.ex.lazy = False
        if x is None or len(x.v) + len(x.d or "") + len(x.u or "") > LAZY_SQL:
            return self._amount(cl)

        def guarded(sql: str, suffix: str) -> str:
            if self.ex._IDENT.match(sql) or sql in ("TRUE", "FALSE"):
                return sql   # a column already computed for every row, or a constant
            return self.ex.bind_sql(f"(CASE WHEN {tq} <> 0 THEN {sql} END)", suffix)

        return V(guarded(x.v, "v"), None if x.d is None else guarded(x.d, "d"),
                 None if x.u is None else guarded(x.u, "u"), x.s, x.sd)

    def _round(self, x: V, unit_text: str, mode: str, guard: str, upper: Decimal | None = None) -> str:
        """``x`` rounded to a multiple of ``unit`` (exactly; integers inside), as DECIMAL(38, 2);
        computed only where ``guard`` holds (NULL elsewhere). ``upper``: a proven bound,
        0 ≤ x ≤ upper (an amount clamped at zero under a constant cap), or None."""
        u = lit_decimal(Decimal(unit_text))
        lean = self._round_lean(x, Decimal(unit_text), mode, guard, upper)
        if lean is not None:
            return lean
        # x / unit = num / den with num, den integers of one scale
        scaled = V(x.v, _mul(x.d, u.v), None, x.s, (x.sd if x.d else 0) + u.s)
        return dec(f"{dec(self._round_int(scaled, mode, guard), 0)} * {u.v}", 2)

    def _round_lean(self, x: V, unit: Decimal, mode: str, guard: str, upper: Decimal | None = None
                    ) -> str | None:
        """``x`` (never negative: an amount clamped at zero) rounded to a power-of-ten ``unit``
        by DuckDB's own exact decimal functions — ``round`` (halves away from zero, which is
        half-up for x ≥ 0), ``floor`` (down), ``ceil`` (up) — where x is a plain decimal (no
        denominator); None where the integer path is needed. Where ``upper`` proves that
        x ÷ unit fits 18 digits, it is rounded as DECIMAL(18, s): 64-bit integers, not the
        128-bit division of DECIMAL(38) (the cast is exact: the same digits, a narrower type)."""
        if self.sql.name != "duckdb" or x.d is not None or mode not in ("half_up", "down", "up"):
            return None
        inv = Decimal(1) / unit
        if inv * unit != 1 or inv.as_tuple().digits != (1,):
            return None
        scale = x.s + max(0, -int(inv.as_tuple().exponent))
        if scale > MAX_SCALE:
            return None
        fn = {"half_up": "round", "down": "floor", "up": "ceil"}[mode]
        arg = f"{x.v} * {lit_decimal(inv).v}" if inv != 1 else x.v
        def rounded(a: str) -> str:
            return f"round({a}, 0)" if fn == "round" else f"{fn}({a})"

        if upper is not None and upper >= 0 and upper * inv < Decimal(10) ** (18 - scale):
            picked = rounded(f"CAST({arg} AS DECIMAL(18,{scale}))")
        else:   # in 64 bits where x ÷ unit fits, checked row by row
            picked = self.sql.narrowed(arg, scale, rounded, signed=False)
        if unit != 1:
            picked = f"{picked} * {lit_decimal(unit).v}"
        return dec(f"(CASE WHEN {guard} THEN {picked} END)", 2)

    def _round_int(self, x: V, mode: str, guard: str) -> str:
        """``x`` rounded to an integer by ``mode``, exactly, where ``guard`` holds (else NULL).

        The pieces used more than once (numerator, denominator, quotient) get columns of their
        own, so that the SQL stays linear in the size of ``x``; they are NULL where the guard
        does not hold, so the wide integer arithmetic is done only for the rows that need it
        (a failed condition's gap, an amount that can be paid)."""
        d = None if x.d is None else f"(CASE WHEN {guard} THEN {x.d} END)"
        x = V(f"(CASE WHEN {guard} THEN {x.v} END)", d, x.u, x.s, x.sd)
        num, den = self.ex._ints(x)
        num, den = self.ex.bind_sql(num), self.ex.bind_sql(den)
        a = self.ex.bind_sql(f"abs({num})")
        i = self.sql.idiv
        if mode == "half_up":
            k = i(f"(2 * {a} + {den})", f"(2 * {den})")
        elif mode == "down":
            k = i(a, den)
        elif mode == "up":
            k = i(f"({a} + {den} - 1)", den)
        else:  # half_even
            q = self.ex.bind_sql(i(a, den))
            r = f"({a} - {q} * {den})"
            k = (f"({q} + (CASE WHEN 2 * {r} > {den} OR (2 * {r} = {den} AND {self.sql.odd(q)}) "
                 f"THEN 1 ELSE 0 END))")
        return f"(CASE WHEN {num} < 0 THEN -{k} ELSE {k} END)"

    def _gap_expr(self, c: ConditionSpec, cols: tuple[V, V], failed: str) -> str | None:
        """The gap of a failed comparison (NULL where it did not fail, ``failed`` being SQL
        true where it did)."""
        n = c.expr
        if c.kind != "expr" or not isinstance(n, ir.Cmp) or n.op == "!=":
            return None
        a, b = cols
        no_exception = [f"{self.ex.compile(e.when).v} = 0" for e in c.exceptions]
        defined = " AND ".join(x for x in (f"NOT {a.u}" if a.u else None,
                                           f"NOT {b.u}" if b.u else None,
                                           f"{null_test(a.v)} IS NOT NULL", f"{null_test(b.v)} IS NOT NULL",
                                           *no_exception) if x)
        kind = n.left.type.kind
        if kind is T.Kind.DATE:
            diff = {">": (b.v, a.v), ">=": (b.v, a.v), "<": (a.v, b.v), "<=": (a.v, b.v)}
            if n.op == "==":
                days = f"abs({self.sql.days_between(a.v, b.v)})"
            else:
                later, earlier = diff[n.op]
                days = self.sql.days_between(later, earlier)
            return f"(CASE WHEN {failed} AND {defined} THEN {dec(days, GAP_PLACES)} END)"
        if kind not in (T.Kind.NUM, T.Kind.DAYS, T.Kind.MONTHS):
            return None
        lean = self._gap_lean(n.op, a, b, failed, no_exception)
        if lean is not None:
            return lean
        an, bn, d, s = self.ex.common(a, b)
        if n.op in (">", ">="):
            diff_v = f"({bn} - {an})"
        elif n.op in ("<", "<="):
            diff_v = f"({an} - {bn})"
        else:
            diff_v = f"abs({an} - {bn})"
        sd = (a.sd if a.d else 0) + (b.sd if b.d else 0)
        exact = V(dec(diff_v, s), d, None, s, sd)
        exact_decimal = d is None and s <= GAP_PLACES
        if exact_decimal:
            return f"(CASE WHEN {failed} AND {defined} THEN {dec(exact.v, GAP_PLACES)} END)"
        return self._round_places(exact, GAP_PLACES, f"{failed} AND {defined}")

    def _status_says(self, spec: ClauseSpec, tops: list[str], status: str,
                     missing: list[tuple[str, str, str]]) -> tuple[bool, bool]:
        """Whether a clause's failed condition and its missing fact can be read off its status:
        one condition, whose code is the status (a constant amount or none); and for the
        missing fact, a number fact (or a year's figure) compared with a constant, with no
        exception — undetermined exactly where that fact is missing (the bounds only ever
        decide an undetermined condition, never make one)."""
        if len(spec.conditions) != 1 or status != tops[0] or status in (TRUE, "0"):
            return False, False
        c = spec.conditions[0]
        n = c.expr
        plain = (c.kind == "expr" and not c.exceptions and isinstance(n, ir.Cmp)
                 and n.left.type.kind is T.Kind.NUM
                 and sorted(type(x).__name__ for x in (n.left, n.right)) in
                 (["Const", "YearFact"], ["Const", "Fact"]))
        return True, plain and len({key for key, _, _ in missing}) == 1

    def _gap_plain(self, c: ConditionSpec, cols: tuple[V, V]) -> GapSpec | None:
        """The gap of a failed comparison as a :data:`GapSpec`, where the reader can derive it
        from the input column exactly as :meth:`_gap_lean` computes it: on DuckDB, a number
        column (at most :data:`GAP_PLACES` decimals) compared with a constant, no exception,
        undefined only before registration (a flag column); None otherwise."""
        n = c.expr
        if self.sql.name != "duckdb" or c.exceptions or not isinstance(n, ir.Cmp) or n.op == "!=" \
                or n.left.type.kind not in (T.Kind.NUM, T.Kind.DAYS, T.Kind.MONTHS):
            return None
        a, b = cols
        if a.d is not None or b.d is not None or max(a.s, b.s) > GAP_PLACES:
            return None
        ab, bb = bare(a.v), bare(b.v)
        flags = [x.u for x in (a, b) if x.u]
        if ab is None or bb is None or len(flags) > 1 or (flags and not self.ex._IDENT.match(flags[0])):
            return None
        op = n.op
        if ab.startswith('"') and not bb.startswith('"'):
            column, constant = ab, bb
        elif bb.startswith('"') and not ab.startswith('"'):
            # c op x is x op' c: the gap of the one is the gap of the other
            column, constant = bb, ab
            op = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "==": "=="}[op]
        else:
            return None
        m = re.match(r"^CAST\('(-?[0-9.]+)' AS DECIMAL\(\d+,\d+\)\)$", constant)
        text = m.group(1) if m else constant
        if not re.match(r"^-?[0-9]+(?:\.[0-9]+)?$", text):
            return None
        name = column[1:-1].replace('""', '"')
        flag = flags[0][1:-1].replace('""', '"') if flags else ""
        if name not in self.columns:
            return None   # an input column only (a computed value may be wider than a gap)
        return name, op, text, flag

    def _gap_lean(self, op: str, a: V, b: V, failed: str, no_exception: list[str]) -> str | None:
        """The gap of a failed comparison of two plain numbers (columns or literals, no
        denominators, at most :data:`GAP_PLACES` decimals) on DuckDB: each side cast once to
        DECIMAL(38, 6) and subtracted — exact, as the general form, without its chain of casts
        and with a NULL test only for a side that can be NULL; None for any other comparison."""
        if self.sql.name != "duckdb" or a.d is not None or b.d is not None \
                or max(a.s, b.s) > GAP_PLACES:
            return None
        ab, bb = bare(a.v), bare(b.v)
        if ab is None or bb is None:
            return None
        guard = " AND ".join([failed, *(f"NOT {x.u}" for x in (a, b) if x.u),
                              *(f"{x} IS NOT NULL" for x, v in ((ab, a), (bb, b)) if not v.nn),
                              *no_exception])
        an, bn = dec(ab, GAP_PLACES), dec(bb, GAP_PLACES)
        diff = {">": f"{bn} - {an}", ">=": f"{bn} - {an}", "<": f"{an} - {bn}",
                "<=": f"{an} - {bn}", "==": f"abs({an} - {bn})"}[op]
        return f"(CASE WHEN {guard} THEN {dec(diff, GAP_PLACES)} END)"

    def _round_places(self, x: V, places: int, guard: str) -> str:
        """Half-even rounding of an exact number to ``places`` decimals, as DECIMAL(38, places),
        where ``guard`` holds (else NULL)."""
        from decimal import Decimal

        unit = lit_decimal(Decimal(1).scaleb(-places))
        scaled = V(x.v, _mul(x.d, unit.v), None, x.s, (x.sd if x.d else 0) + unit.s)
        return dec(f"{dec(self._round_int(scaled, 'half_even', guard), 0)} * {unit.v}", places)

    # ------------------------------------------------------------------ missing facts

    def _need_sql(self, fact: str, year: int | None, cl: _Clause | None = None
                  ) -> tuple[str, str] | None:
        """(key, SQL true when this need is missing) or None if it can never be missing.

        A records fact is missing when absent, or when a filter over it in this clause is
        undetermined because a record lacks a field it tests (as the engine decides).
        """
        if fact.startswith(("choice:", "score:")):
            return fact, (f"{self.q(fact)} IS NULL" if fact in self.columns else "TRUE")
        if year is None:
            test = f"{self.q(fact)} IS NULL" if fact in self.columns else "TRUE"
            for node in (cl.rec_nodes.get(fact, []) if cl is not None else []):
                x = self.ex.compile(node)
                if node.type.kind is T.Kind.BOOL:
                    test += f" OR {x.v} = 2"
                else:
                    test += f" OR ({x.v} IS NULL" + (f" AND NOT {x.u})" if x.u else ")")
            return fact, (f"({test})" if " OR " in test else test)
        name = f"{fact}@{year}"
        present = f"{self.q(name)} IS NULL" if name in self.columns else "TRUE"
        return name, f"(NOT {self.ex.before_registration(year)} AND {present})"

    def _needs(self, nodes: list[ir.Node], cl: _Clause | None = None
               ) -> list[tuple[str, int | None]]:
        out: list[tuple[str, int | None]] = []
        seen: set[str] = set()
        fy = self.as_of.year

        def visit(n: ir.Node) -> None:
            if isinstance(n, ir.RecAgg):
                out.append((n.fact, None))
                if cl is not None and n not in cl.rec_nodes.setdefault(n.fact, []):
                    cl.rec_nodes[n.fact].append(n)
            elif isinstance(n, ir.Fact):
                out.append((n.fact, None))
            elif isinstance(n, ir.YearFact):
                out.append((n.fact, fy + n.offset))
            elif isinstance(n, ir.YearAgg):
                out.extend((n.fact, y) for y in range(fy + n.start, fy + n.end + 1))
            elif isinstance(n, ir.Choice):
                out.append((f"choice:{n.key}", None))
            elif isinstance(n, ir.ReviewScore):
                out.append((n.need, None))
            elif isinstance(n, ir.ValueRef) and n.key not in seen:
                seen.add(n.key)
                visit(self.ex.values[n.key].expr)
            for k in n.kids():
                visit(k)

        for n in nodes:
            visit(n)
        return list(dict.fromkeys(out))

    def _missing_items(self, cl: _Clause, t: str, amount: V | None, amount_nodes: list[ir.Node]
                       ) -> list[tuple[str, str, str]]:
        """(fact key, SQL true when it is missing and matters, a cheaper SQL implied by it — the
        top-level condition undetermined, or the amount missing), in the engine's order."""
        items: list[tuple[str, str, str]] = []
        # every filter over records in this clause, as the engine collects them
        all_nodes: list[ir.Node] = []
        for cond in cl.spec.all_conditions():
            if cond.kind in ("expr", "review") and cond.expr is not None:
                all_nodes.append(cond.expr)
            all_nodes += [e.when for e in cond.exceptions]
        self._needs(all_nodes + amount_nodes, cl)

        def visit(c: ConditionSpec, guard: str, top: str) -> None:
            here = f"{guard} AND {cl.conds[c.path]} = 2" if guard else f"{cl.conds[c.path]} = 2"
            nodes: list[ir.Node] = []
            if c.kind in ("expr", "review") and c.expr is not None:
                nodes.append(c.expr)
            nodes += [e.when for e in c.exceptions]
            for fact, year in self._needs(nodes):
                need = self._need_sql(fact, year, cl)
                if need is not None:
                    key, test = need
                    items.append((key, f"{here} AND {test}", top))
            for k in c.children:
                visit(k, here, top)

        for top in cl.spec.conditions:
            visit(top, "", f"{cl.conds[top.path]} = 2")
        if amount is not None:
            guard = f"{t} <> 0 AND {null_test(amount.v)} IS NULL" + (f" AND NOT {amount.u}" if amount.u else "")
            for fact, year in self._needs(amount_nodes):
                need = self._need_sql(fact, year, cl)
                if need is not None:
                    key, test = need
                    items.append((key, f"{guard} AND {test}", guard))
        return items

    # ------------------------------------------------------------------ the query

    def _parts(self) -> list[_Parts]:
        """Every clause's pieces, computed once (their sub-expressions become bindings)."""
        if self._done is not None:
            return self._done
        out: list[_Parts] = []
        for cl in self.clauses:
            spec = cl.spec
            tops = [self._cond(cl, c) for c in spec.conditions]
            t = truth_all(tops)
            tq = t if t == TRUE or t in tops else self.ex.bind_sql(t)
            fixed = self._fixed_amount(cl)
            amount_ref = None if fixed is not None else self._guarded_amount(cl, tq)
            details = self.outputs == "all"
            gaps: list[tuple[str, str, str]] = []
            derived: dict[str, GapSpec] = {}
            for c, ref in zip(spec.conditions, tops, strict=True):
                if details and c.kind == "expr" and isinstance(c.expr, ir.Cmp):
                    refs = (self.ex.compile(c.expr.left), self.ex.compile(c.expr.right))
                    gap = self._gap_expr(c, refs, f"{ref} = 0")
                    if gap is not None:
                        gaps.append((c.id, ref, gap))
                        plain = self._gap_plain(c, refs)
                        if plain is not None:
                            derived[c.id] = plain
            b = spec.benefit
            if fixed is not None:
                # a constant amount: rounded here, never missing nor undefined
                status = tq
                potential = dec(f"(CASE WHEN {tq} <> 0 THEN {fixed} END)", 2)
            elif amount_ref is not None:
                assert b is not None and b.rounding_unit is not None and b.rounding_mode
                undef = amount_ref.u or "FALSE"
                status = (f"(CASE WHEN {tq} = 1 THEN (CASE WHEN {undef} THEN 0 "
                          f"WHEN {null_test(amount_ref.v)} IS NULL THEN 2 ELSE 1 END) ELSE {tq} END)")
                clamped = V(f"(CASE WHEN {amount_ref.v} < 0 THEN {dec('0', amount_ref.s)} "
                            f"ELSE {amount_ref.v} END)", amount_ref.d, None, amount_ref.s,
                            amount_ref.sd)
                payable = f"{tq} <> 0 AND NOT {undef} AND {null_test(amount_ref.v)} IS NOT NULL"
                cap_point = self.bounds.point(b.cap) if b.cap is not None else None
                upper = None if cap_point is None else max(cap_point, Decimal(0))
                potential = self._round(clamped, str(b.rounding_unit), b.rounding_mode, payable, upper)
            else:
                status = tq
                potential = dec("NULL", 2)
            paid = fixed is not None or amount_ref is not None
            # eligible exactly where the conditions are all met and the potential amount is
            # not NULL (a payable amount is never NULL): the amount is the potential there
            paying = fixed if fixed is not None else potential
            eligible_amount = paying if tq == TRUE else dec(f"(CASE WHEN {tq} = 1 THEN {paying} END)", 2)
            amount_nodes: list[ir.Node] = []
            if b is not None and b.expr is not None:
                amount_nodes = [b.expr, *(e.when for e in b.exceptions),
                                *(e.amount for e in b.exceptions if e.amount is not None)]
            missing = self._missing_items(cl, tq, amount_ref, amount_nodes) if details else []
            out.append(_Parts(cl, status, potential, list(zip([c.id for c in spec.conditions], tops, strict=True)),
                              gaps, missing, paid, eligible_amount if paid else dec("NULL", 2), derived,
                              None if fixed is None else _literal_text(fixed),
                              *self._status_says(spec, tops, status, missing)))
        self._done = out
        return out

    def _layers(self, source: str, res_cols: list[str], amounts: dict[str, str] | None = None
                ) -> tuple[list[tuple[str, str]], dict[str, str]]:
        """The layers up to stacking; the column of each clause's payable amount after it.

        ``res_cols`` are the columns of the ``res`` layer beyond the enterprise id; each
        clause's status code must be among them as ``<prefix>st``, and either its potential
        amount as ``<prefix>potential`` or, in ``amounts`` (clause key → column), its amount
        where eligible (NULL elsewhere) — then the payable amounts are NULL unless eligible.
        """
        reg = "year(" + self.q("registration_date") + ")" if "registration_date" in self.columns \
            else "CAST(NULL AS INTEGER)"
        # only the input columns the query uses are carried through the layers: a park's table
        # has a few hundred, and every one of them in every layer made planning the slowest part
        bindings = self.ex.compacted(res_cols)
        used = self._inputs_used([body for _, _, body in bindings] + res_cols)
        keep = ", ".join(self.q(c) for c in ["id", *sorted(used - {"id", "__reg_year"})])
        layers: list[tuple[str, str]] = [
            ("base", f"SELECT {keep}, {reg} AS {self.q('__reg_year')} FROM {source}")]
        # ---- layers 2-3: every bound sub-expression, in dependency order; a layer hands on
        # only the columns a later layer or the result names (not every column before it:
        # fewer columns for the database to bind, plan and start, and for Spark a layer
        # within the width it compiles into one stage)
        prev = "base"
        by_layer: dict[int, list[tuple[str, str]]] = {}
        for level, name, body in bindings:
            by_layer.setdefault(level, []).append((name, body))
        levels = sorted(by_layer)
        needed = self._names_in(res_cols) | {"id"}
        after: dict[int, set[str]] = {}
        for level in reversed(levels):
            after[level] = set(needed)
            needed |= self._names_in([body for _, body in by_layer[level]])
        have = ["id", *sorted(used - {"id", "__reg_year"}), "__reg_year"]
        for level in levels:
            made = [name for name, _ in by_layer[level]]
            kept = [self.q(c) for c in have if c in after[level]]
            cols = [*kept, *(f"{body} AS {self.q(name)}" for name, body in by_layer[level])]
            layers.append((f"b{level}", f"SELECT {', '.join(cols)} FROM {prev}"))
            have = [c for c in have if c in after[level]] + made
            prev = f"b{level}"
        layers.append(("res", f"SELECT {', '.join([self.q('id'), *res_cols])} FROM {prev}"))
        # ---- layer 5: stacking (none without groups: an amount is its potential amount)
        if not self.groups:
            return layers, amounts if amounts is not None else \
                {cl.spec.key: self.q(cl.prefix + "potential") for cl in self.clauses}
        prev = "res"
        pay = amounts if amounts is not None else \
            {cl.spec.key: (f"(CASE WHEN {self.q(cl.prefix + 'st')} = 1 THEN "
                           f"{self.q(cl.prefix + 'potential')} END)") for cl in self.clauses}
        by_key = {cl.spec.key: cl for cl in self.clauses}
        stack_cols = [f"{pay.get(cl.spec.key, dec('NULL', 2))} AS {self.q(cl.prefix + 'pay0')}"
                      for cl in self.clauses]
        layers.append(("stack0", f"SELECT *, {', '.join(stack_cols) or '1 AS __none'} FROM {prev}"))
        prev = "stack0"
        cur = {cl.spec.key: self.q(cl.prefix + "pay0") for cl in self.clauses}
        for gi, g in enumerate(self.groups, start=1):
            members = [by_key[k] for k in g.clauses if k in by_key]
            new: dict[str, str] = {}
            cols = []
            for m in members:
                p = cur[m.spec.key]
                if g.kind == "exclusive":
                    beaten = " OR ".join(
                        f"(coalesce({cur[o.spec.key]}, 0) > 0 AND ({cur[o.spec.key]} > {p} OR "
                        f"({cur[o.spec.key]} = {p} AND {o.index} < {m.index})))"
                        for o in members if o is not m) or "FALSE"
                    expr = (f"(CASE WHEN {p} IS NOT NULL AND {p} > 0 AND ({beaten}) "
                            f"THEN {dec('0', 2)} ELSE {p} END)")
                else:
                    assert g.cap is not None
                    before = " + ".join(
                        f"(CASE WHEN coalesce({cur[o.spec.key]}, 0) > 0 AND ({cur[o.spec.key]} > {p} OR "
                        f"({cur[o.spec.key]} = {p} AND {o.index} < {m.index})) THEN {cur[o.spec.key]} "
                        f"ELSE {dec('0', 2)} END)" for o in members if o is not m) or dec("0", 2)
                    cap = dec(lit_decimal(g.cap).v, 2)
                    room = dec(f"({cap} - ({before}))", 2)
                    expr = (f"(CASE WHEN {p} IS NULL OR {p} <= 0 THEN {p} "
                            f"WHEN {room} <= 0 THEN {dec('0', 2)} "
                            f"WHEN {room} < {p} THEN {dec(room, 2)} ELSE {p} END)")
                name = f"{m.prefix}pay{gi}"
                cols.append(f"{expr} AS {self.q(name)}")
                new[m.spec.key] = self.q(name)
            layers.append((f"stack{gi}", f"SELECT *, {', '.join(cols)} FROM {prev}"))
            prev = f"stack{gi}"
            cur.update(new)
        return layers, cur

    def _inputs_used(self, sqls: list[str]) -> set[str]:
        """The input columns named in ``sqls``."""
        return self._names_in(sqls) & set(self.columns)

    def _names_in(self, sqls: list[str]) -> set[str]:
        """Every quoted name in ``sqls`` (a column of the input or of a layer, or more: a
        name is never missed)."""
        q = "`" if self.sql.name == "spark" else '"'
        pattern = re.compile(f"{q}((?:[^{q}]|{q}{q})*){q}")
        return {m.group(1).replace(q + q, q) for sql in sqls for m in pattern.finditer(sql)}

    def _amount_of(self, cl: _Clause, cur: dict[str, str]) -> str:
        return dec(f"(CASE WHEN {self.q(cl.prefix + 'st')} = 1 THEN {dec(cur[cl.spec.key], 2)} END)", 2)

    def build(self, source: str) -> str:
        """The whole query over ``source`` (a table name or a subquery in parentheses): one row
        per enterprise and clause (:data:`OUTPUT_COLUMNS`)."""
        if self.outputs != "all":
            raise ValueError("the long results hold every output: build them with outputs='all'")
        sql = self.sql
        res_cols: list[str] = []
        for part in self._parts():
            p = part.clause.prefix
            failed = [f"CASE WHEN {ref} = 0 THEN {sql.string(cid)} END" for cid, ref in part.failed]
            gap_items = [
                f"CASE WHEN {ref} = 0 AND {gap} IS NOT NULL THEN "
                f"{self._struct([('condition', sql.string(cid)), ('shortfall', gap)])} END"
                for cid, ref, gap in part.gaps]
            missing = [f"CASE WHEN {test} THEN {sql.string(key)} END" for key, test, _ in part.missing]
            res_cols.append(f"{part.status} AS {self.q(p + 'st')}")
            res_cols.append(f"{part.potential} AS {self.q(p + 'potential')}")
            res_cols.append(f"{self._list(failed, 'VARCHAR')} AS {self.q(p + 'failed')}")
            res_cols.append(f"{self._list(gap_items, 'GAP')} AS {self.q(p + 'gaps')}")
            res_cols.append(f"{self._list(missing, 'VARCHAR', distinct=True)} AS {self.q(p + 'missing')}")
        layers, cur = self._layers(source, res_cols)
        prev = layers[-1][0]
        # ---- layer 6: one row per enterprise and clause
        rows = []
        for cl in self.clauses:
            p = cl.prefix
            st = self.q(p + "st")
            status = (f"(CASE {st} WHEN 1 THEN 'eligible' WHEN 0 THEN 'not_eligible' "
                      f"WHEN 2 THEN 'undetermined' ELSE 'needs_review' END)")
            rows.append(self._struct([
                ("clause", sql.string(cl.spec.key)), ("clause_index", str(cl.index)),
                ("status", status), ("amount", self._amount_of(cl, cur)),
                ("potential_amount", dec(self.q(p + "potential"), 2)),
                ("failed", self.q(p + "failed")), ("gaps", self.q(p + "gaps")),
                ("missing", self.q(p + "missing"))]))
        with_sql = ",\n".join(f"{name} AS ({body})" for name, body in layers)
        arr = sql.array(rows) if rows else "NULL"
        if sql.name == "spark":
            return (f"WITH {with_sql}\nSELECT {self.q('id')} AS enterprise_id, inline({arr}) "
                    f"FROM {prev}")
        return (f"WITH {with_sql},\nunpacked AS (SELECT {self.q('id')} AS enterprise_id, "
                f"unnest({arr}) AS r FROM {prev})\n"
                f"SELECT enterprise_id, " + ", ".join(f"r.{c}" for c in OUTPUT_COLUMNS[1:])
                + " FROM unpacked")

    def build_values(self, source: str) -> tuple[str, list[tuple[str, str]]]:
        """A query over ``source``: one row per enterprise, its id and the values the pack
        reports (each rounded half-even to :data:`GAP_PLACES` decimals, NULL where missing or
        undefined) with, for a graded value, the label of its band. Also the columns: (name,
        "value" or "grade"), named ``<policy:name>`` and ``<policy:name>:grade``."""
        cols: list[str] = []
        names: list[tuple[str, str]] = []
        for spec in self.pack.reported(self.as_of):
            x = self.ex.compile(spec.expr)
            defined = " AND ".join(f for f in (f"{null_test(x.v)} IS NOT NULL",
                                               f"NOT {x.u}" if x.u else None) if f)
            if x.d is None and x.s <= GAP_PLACES:
                value = f"(CASE WHEN {defined} THEN {dec(x.v, GAP_PLACES)} END)"
            else:
                value = self._round_places(x, GAP_PLACES, defined)
            cols.append(f"{value} AS {self.q(spec.key)}")
            names.append((spec.key, "value"))
            if spec.grade is not None:
                g = self.ex.compile(spec.grade)
                ok = f"NOT {g.u}" if g.u else "TRUE"
                cols.append(f"(CASE WHEN {ok} THEN {g.v} END) AS {self.q(spec.key + ':grade')}")
                names.append((spec.key + ":grade", "grade"))
        layers, _ = self._layers(source, cols)
        at = next(i for i, (name, _) in enumerate(layers) if name == "res")
        with_sql = ",\n".join(f"{name} AS ({body})" for name, body in layers[:at])
        return f"WITH {with_sql}\n{layers[at][1]}", names

    def build_wide(self, source: str, extra: Sequence[str] = ()) -> tuple[str, list[WideClause]]:
        """A compact query over ``source``: one row per enterprise, per clause its status code
        (1 eligible, 0 not eligible, 2 undetermined, 3 needs review), amount and potential
        amount, the failed conditions and the missing facts as bit masks, and one gap column
        per comparison condition (NULL unless it failed with a gap). The list of
        :class:`WideClause` says which column is which (:mod:`huiqi.population.wide` turns the
        rows into the long results, exactly as :meth:`build` gives them). ``extra`` input
        columns are passed through (after ``id``). Built with ``outputs="status"``, the query
        has the statuses and amounts only (no failed, gap or missing columns)."""
        layers, select, layout = self.wide_layers(source, extra)
        with_sql = ",\n".join(f"{name} AS ({body})" for name, body in layers)
        return f"WITH {with_sql}\n{select}", layout

    def _wide_details(self, part: _Parts, wc: WideClause, shared: tuple[_Packer, _Packer] | None,
                      passed: set[str]) -> list[str]:
        """The ``res`` columns of one clause's failed conditions, gaps and missing facts (none
        for the lean query), recorded in ``wc``; bits in ``shared`` words when given, the input
        columns derived gaps need added to ``passed``."""
        cols: list[str] = []
        p = part.clause.prefix
        failed = part.failed if self.outputs == "all" else []
        if shared is not None and failed and part.failed_is_status:
            wc.failed.append((FROM_STATUS + "0", [failed[0][0]]))   # read off the status
            failed = []
        if shared is not None and 0 < len(failed) <= WORD_BITS:
            wc.failed.append(shared[0].add([(cid, f"({ref} = 0)") for cid, ref in failed]))
            failed = []
        for w, (cids, bits) in enumerate(_words([(cid, f"({ref} = 0)") for cid, ref in failed],
                                                never_null=True)):
            name = f"{p}f{w}"
            cols.append(f"{bits} AS {self.q(name)}")
            wc.failed.append((name, cids))
        for cid, _ref, gap in part.gaps:
            plain = part.derived.get(cid) if shared is not None and wc.failed else None
            if plain is not None:
                # derived by the reader from the input column (and the failed bit): the
                # column is handed over once for all the conditions over it
                wc.gaps.append((cid, GAP_DERIVED + json.dumps(list(plain))))
                passed.update(x for x in (plain[0], plain[3]) if x)
                continue
            known = self._gap_names.get(gap) if shared is not None else None
            if known is None:
                # a gap is NULL unless its condition failed (the failure is its first guard);
                # on DuckDB the same gap (a condition shared by clauses) is one column
                known = self._gap_names[gap] = f"{p}g_{len(wc.gaps)}"
                cols.append(f"{gap} AS {self.q(known)}")
            wc.gaps.append((cid, known))
        keys: dict[str, list[str]] = {}
        for key, test, _ in part.missing:
            keys.setdefault(key, []).append(f"({test})")
        # most enterprises have nothing missing: the masks are computed only where a
        # condition is undetermined or the amount is missing
        guard = " OR ".join(dict.fromkeys(f"({g})" for _, _, g in part.missing))
        ordered = sorted(keys)
        if shared is not None and ordered and part.missing_is_status:
            wc.missing.append((FROM_STATUS + "2", ordered))   # read off the status
            ordered = []
        if shared is not None and 0 < len(ordered) <= WORD_BITS:
            wc.missing.append(shared[1].add([(k, " OR ".join(keys[k])) for k in ordered], guard))
            ordered = []
        for w, (names, bits) in enumerate(_words([(k, " OR ".join(keys[k])) for k in ordered])):
            name = f"{p}m{w}"
            cols.append(f"(CASE WHEN {guard} THEN {bits} ELSE CAST(0 AS BIGINT) END) AS {self.q(name)}")
            wc.missing.append((name, names))
        return cols

    def wide_layers(self, source: str, extra: Sequence[str] = ()
                    ) -> tuple[list[tuple[str, str]], str, list[WideClause]]:
        """:meth:`build_wide` in parts: its layers (name, query over the layers before), the
        final query over the last one, the layout (Spark plans the layers one by one)."""
        res_cols: list[str] = [self.q(x) for x in extra]
        layout: list[WideClause] = []
        amounts: dict[str, str] = {}
        grouped = {k for g in self.groups for k in g.clauses}
        passed: set[str] = set()   # input columns and flags handed over for derived gaps
        # on DuckDB the clauses' failed-condition and missing-fact bits share words (a few
        # columns for the chunk, not two per clause: fewer columns to compute and to hand over)
        shared = (_Packer("__fw"), _Packer("__mw")) if self.sql.name == "duckdb" \
            else None
        for part in self._parts():
            p = part.clause.prefix
            # the potential amount is an output beyond status and amount: not in the lean query;
            # a title (no amount at all) has neither column: both are NULL on every row
            wc = WideClause(part.clause.spec.key, part.clause.index, p + "st",
                            p + "amount" if part.paid else None,
                            p + "potential" if self.outputs == "all" and part.paid else None)
            if wc.potential is not None and part.clause.spec.key not in grouped:
                # not stacked: the amount is the potential amount where eligible, one column
                # for both (the readers take it only where the status is 1) — and for a
                # constant amount no column at all: the potential amount is the constant where
                # the status is not 0 (the status is the conditions' code), which the reader
                # derives from the layout
                if shared is not None and part.constant is not None:
                    wc.potential = MONEY_FIXED + part.constant
                wc.amount = wc.potential
            elif (wc.amount is not None and shared is not None and part.constant is not None
                  and part.clause.spec.key not in grouped):
                # the lean query: a constant amount where eligible is the constant where the
                # status is 1 (the readers take an amount only there): no column either
                wc.amount = MONEY_FIXED + part.constant
            res_cols.append(f"CAST({part.status} AS {self.sql.code_type}) AS {self.q(p + 'st')}")
            if wc.potential is not None and not wc.potential.startswith(MONEY_FIXED):
                res_cols.append(f"{part.potential} AS {self.q(wc.potential)}")
            if own_amount(wc) is not None:
                # the amount where eligible, computed once here (not the potential amount
                # first, then a second CASE over the status)
                name = p + ("amount0" if self.groups else "amount")
                res_cols.append(f"{part.amount} AS {self.q(name)}")
                amounts[part.clause.spec.key] = self.q(name)
            res_cols += self._wide_details(part, wc, shared, passed)
            layout.append(wc)
        for packer in shared or ():
            res_cols += [f"{sql} AS {self.q(name)}" for name, sql in packer.columns()]
        res_cols += [self.q(x) for x in sorted(passed) if self.q(x) not in res_cols]
        layers, cur = self._layers(source, res_cols, amounts)
        prev = layers[-1][0]
        outs = [self.q("id"), *(self.q(x) for x in extra)]
        for cl, wc in zip(self.clauses, layout, strict=True):
            outs.append(self.q(wc.status))
            if (amount := own_amount(wc)) is not None:
                # NULL unless eligible already (stacking keeps a NULL NULL)
                outs.append(self.q(amount) if cur[cl.spec.key] == self.q(amount)
                            else f"{dec(cur[cl.spec.key], 2)} AS {self.q(amount)}")
            if wc.potential is not None and not wc.potential.startswith(MONEY_FIXED):
                outs.append(f"{dec(self.q(wc.potential), 2)} AS {self.q(wc.potential)}")
            outs += [self.q(n) for n in mask_columns(wc.failed)]
            outs += [self.q(x) for x in gap_columns(wc)]
            outs += [self.q(n) for n in mask_columns(wc.missing)]
        # a word shared by several clauses once
        return layers, f"SELECT {', '.join(dict.fromkeys(outs))} FROM {prev}", layout

    def _struct(self, fields: list[tuple[str, str]]) -> str:
        if self.sql.name == "spark":
            return "named_struct(" + ", ".join(f"'{k}', {v}" for k, v in fields) + ")"
        return "struct_pack(" + ", ".join(f"{k} := {v}" for k, v in fields) + ")"

    def _list(self, items: list[str], kind: str, distinct: bool = False) -> str:
        sql = self.sql
        if kind == "GAP":
            empty = ("CAST(array() AS ARRAY<STRUCT<condition: STRING, shortfall: DECIMAL(38,6)>>)"
                     if sql.name == "spark" else
                     "CAST([] AS STRUCT(condition VARCHAR, shortfall DECIMAL(38,6))[])")
        else:
            empty = "CAST(array() AS ARRAY<STRING>)" if sql.name == "spark" else "CAST([] AS VARCHAR[])"
        if not items:
            return empty
        arr = sql.array(items)
        out = sql.filter(arr, "x", "x IS NOT NULL")
        if distinct:
            out = f"array_sort(array_distinct({out}))" if sql.name == "spark" else \
                f"list_sort(list_distinct({out}))"
        return out


def _literal_text(sql: str) -> str:
    """The decimal text of a DECIMAL literal ``CAST('…' AS DECIMAL(38,s))``."""
    m = re.match(r"^CAST\('(-?[0-9]+(?:\.[0-9]+)?)' AS DECIMAL\(38,\d+\)\)$", sql)
    assert m is not None, sql
    return m.group(1)


def fixed_amount(column: str) -> str | None:
    """The decimal text of a constant amount (an amount "column" :data:`MONEY_FIXED` names),
    or None for a column of the compact row."""
    return column[len(MONEY_FIXED):] if column.startswith(MONEY_FIXED) else None


def derived_gap(column: str) -> GapSpec | None:
    """The :data:`GapSpec` of a gap the reader derives (a gap "column" :data:`GAP_DERIVED`
    names), or None for a gap column of the compact row."""
    if not column.startswith(GAP_DERIVED):
        return None
    name, op, constant, flag = json.loads(column[len(GAP_DERIVED):])
    return name, op, constant, flag


def own_amount(wc: WideClause) -> str | None:
    """The compact column of a clause's amount where eligible when it is a column of its own
    (not the potential amount's column, not a constant, not absent); None otherwise."""
    a = wc.amount
    return a if a is not None and a != wc.potential and fixed_amount(a) is None else None


def money_columns(wc: WideClause) -> list[str]:
    """The compact columns of a clause's amount and potential amount (none for a title or a
    constant amount; one when the amount is the potential amount's column)."""
    return list(dict.fromkeys(c for c in (wc.amount, wc.potential)
                              if c is not None and not c.startswith(MONEY_FIXED)))


def mask_columns(words: list[tuple[str, list[str]]]) -> list[str]:
    """The compact columns of a clause's masks (not those read off its status)."""
    return [c for c, _ in words if not c.startswith(FROM_STATUS)]


def gap_columns(wc: WideClause) -> list[str]:
    """The compact columns a clause's gaps are in: its gap columns, and for a derived gap the
    input column and the flag it is derived from."""
    out: list[str] = []
    for _, col in wc.gaps:
        spec = derived_gap(col)
        if spec is not None:
            column, _, _, flag = spec
            out += [column, *([flag] if flag else [])]
        else:
            out.append(col)
    return list(dict.fromkeys(out))


def _mul(a: str | None, b: str) -> str:
    return b if a is None else f"({a} * {b})"


#: the compact queries built so far, newest last: (pack, SQL, layout) by what they were built from
_BUILT: OrderedDict[tuple[object, ...], tuple[Pack, str, list[WideClause]]] = OrderedDict()
BUILT_KEPT = 64


def wide_query(pack: Pack, as_of: dt.date, dialect: Dialect, columns: Sequence[str], source: str,
               clauses: Sequence[ClauseSpec] | None = None, outputs: str = "all",
               extra: Sequence[str] = ()) -> tuple[str, list[WideClause]]:
    """:meth:`MatchQuery.build_wide`, built once per pack, date, dialect, input columns, chunk
    of clauses, outputs, source and extra columns — a second match of the same pack over the
    same kind of input reuses the SQL (the pack object itself is part of the key and is kept
    with the entry, so another pack, even of the same version, never gets this one's SQL).
    The layout returned is a copy: the caller may change it."""
    key = (id(pack), pack.version_id, as_of, dialect.name, tuple(columns),
           None if clauses is None else tuple(c.key for c in clauses), outputs, source, tuple(extra))
    hit = _BUILT.get(key)
    if hit is not None and hit[0] is pack:
        _BUILT.move_to_end(key)
        return hit[1], copy.deepcopy(hit[2])
    sql, layout = MatchQuery(pack, as_of, dialect, list(columns),
                             None if clauses is None else list(clauses), outputs).build_wide(source, extra)
    _BUILT[key] = (pack, sql, copy.deepcopy(layout))
    while len(_BUILT) > BUILT_KEPT:
        _BUILT.popitem(last=False)
    return sql, layout
