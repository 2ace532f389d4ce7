"""Type-check expressions and resolve their names, producing the typed form (:mod:`ir`).

Catches, before any enterprise is matched: unknown names (with "did you mean"),
money compared with a date or a head count, yearly facts used without a year,
multi-year windows that do not say what happens to younger enterprises, enum
values that do not exist, tables used wrongly, and cycles between named values.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from huiqi.facts import types as T
from huiqi.facts.catalogue import Catalogue, Field
from huiqi.rules import ir, suggest
from huiqi.rules import syntax as S
from huiqi.rules.model import ChoiceSpec, ParamSpec, TableSpec, ValueSpec
from huiqi.rules.parser import ExprSyntaxError, parse
from huiqi.rules.printer import to_text
from huiqi.text import Text

YEAR_AGGS = ("sum", "avg", "min", "max")
YOUNGER = ("actual", "ineligible", "zero")
REC_AGGS = ("count", "exists", "sum", "max", "min")
BUILTINS = ("as_of",)
FUNCTIONS = ("band", "lookup", "sum", "avg", "min", "max", "count", "exists", "full_years",
             "known", "abs", "floor", "year_of")
MAX_YEARS_BACK = 10


_CJK_RUN = re.compile(r"[\u3400-\u9fff（）()]+")


def _chinese_word(text: str, line: int, column: int) -> str:
    """The run of Chinese characters at (line, column) of ``text`` (1-based), or ""."""
    lines = text.split("\n")
    if not 0 < line <= len(lines):
        return ""
    for m in _CJK_RUN.finditer(lines[line - 1]):
        if m.start() <= column - 1 < m.end():
            return m.group().strip("()（）")
    return ""


class CheckError(Exception):
    """A problem in one expression: a message code, its parameters and where."""

    def __init__(self, code: str, span: S.Span | None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.span = span
        self.params = params


class Broken(Exception):
    """An expression depends on a named value that already failed (reported there)."""


@dataclass
class ValueDecl:
    key: str
    name: str
    label: Text
    text: str
    path: tuple[str | int, ...]
    cite: Any
    spec: ValueSpec | None = None
    failed: bool = False


@dataclass
class _Ctx:
    clause: str | None = None
    records: list[tuple[str, dict[str, Field]]] = field(default_factory=list)
    #: in a scored review's formula: its parts (name → the node reading that score)
    scores: dict[str, ir.ReviewScore] = field(default_factory=dict)


#: the type of a review's score
POINTS = T.num(T.parse_unit("point"))


Report = Callable[[str, tuple[str | int, ...], tuple[int, int] | None, str | None, dict[str, Any]],
                  None]


class Checker:
    """Checks the expressions of one policy."""

    def __init__(self, catalogue: Catalogue, policy: str, params: dict[str, ParamSpec],
                 tables: dict[str, TableSpec], choices: dict[str, ChoiceSpec],
                 values: dict[str, ValueDecl], clause_values: dict[str, dict[str, ValueDecl]],
                 report: Report, rejected: frozenset[str] = frozenset()) -> None:
        self.cat = catalogue
        self.policy = policy
        self.params = params
        self.tables = tables
        self.choices = choices
        self.values = values
        self.clause_values = clause_values
        self.report = report
        #: parameters and tables that were refused (and reported) where they are defined
        self.rejected = rejected
        self._visiting: list[str] = []

    # ------------------------------------------------------------------ entry points

    def check(self, text: str, path: tuple[str | int, ...], clause: str | None = None,
              expect: str | None = None,
              scores: dict[str, ir.ReviewScore] | None = None) -> ir.Node | None:
        """Parse and check ``text``; report problems at ``path``. None if it failed.
        ``expect``: "bool", "money" or "number"; ``scores``: a scored review's parts."""
        try:
            tree = parse(text)
        except ExprSyntaxError as exc:
            word = _chinese_word(text, exc.line, exc.column)
            names = self._visible_names(_Ctx(clause=clause)) if word else {}
            sugg = suggest.ranked(word, {k: (t.zh, t.en) for k, t in names.items()}) \
                if word else []
            if sugg:  # 营业收入[-1] >= …: a label written where its name belongs
                self.report("name.chinese", path, (exc.line, exc.column), word, {
                    "word": word,
                    "suggestions_zh": ", ".join(f"{k}({names[k].zh})" for k in sugg),
                    "suggestions_en": ", ".join(f"{k} ({names[k].en})" for k in sugg)})
                return None
            self.report("expr.syntax", path, (exc.line, exc.column), exc.snippet,
                        {"detail_zh": exc.text.zh, "detail_en": exc.text.en})
            return None
        try:
            node = self.node(tree, _Ctx(clause=clause, scores=scores or {}))
            if expect == "number" and node.type.kind is not T.Kind.NUM:
                raise CheckError("type.not_number", tree.span, op="score",
                                 got_zh=node.type.describe("zh"), got_en=node.type.describe("en"))
            if expect == "bool" and node.type.kind is not T.Kind.BOOL:
                raise CheckError("type.not_condition", tree.span,
                                 got_zh=node.type.describe("zh"), got_en=node.type.describe("en"))
            if expect == "money":
                node = self._as_money(node, tree)
            return node
        except CheckError as exc:
            inner = (exc.span.line, exc.span.column) if exc.span else None
            snippet = text[exc.span.start:exc.span.end] if exc.span else text
            self.report(exc.code, path, inner, snippet, exc.params)
            return None
        except Broken:
            return None

    def value(self, decl: ValueDecl) -> ValueSpec | None:
        """Check a named value (once); its problems are reported at its own place."""
        if decl.spec is not None or decl.failed:
            return decl.spec
        if decl.key in self._visiting:
            cycle = [*self._visiting[self._visiting.index(decl.key):], decl.key]
            names = " → ".join(k.split(":")[-1] for k in cycle)
            raise CheckError("value.cycle", None, cycle=names)
        self._visiting.append(decl.key)
        try:
            clause = decl.key.split(":")[0].split("/")[1] if "/" in decl.key else None
            node = self.check(decl.text, decl.path, clause=clause)
        finally:
            self._visiting.pop()
        if node is None:
            decl.failed = True
            return None
        decl.spec = ValueSpec(key=decl.key, name=decl.name, label=decl.label, expr=node,
                              text=decl.text, type=node.type, cite=decl.cite)
        return decl.spec

    # ------------------------------------------------------------------ helpers

    def _as_money(self, node: ir.Node, tree: S.Expr) -> ir.Node:
        t = node.type
        if t.kind is T.Kind.NUM and t.unit in (T.YUAN, None):
            if t.unit is None:
                node.type = T.MONEY
            return node
        raise CheckError("type.not_money", tree.span, got_zh=t.describe("zh"),
                         got_en=t.describe("en"))

    def _visible_names(self, ctx: _Ctx) -> dict[str, Text]:
        """Every name an expression here may use, with its label."""
        names: dict[str, Text] = {"as_of": Text("评估日期", "evaluation date")}
        for f in self.cat.facts.values():
            names[f.id] = f.label
        for kind in (self.tables, self.choices, self.params, self.values):
            for k, v in kind.items():
                names[k] = v.label
        if ctx.clause:
            names.update((k, v.label) for k, v in self.clause_values.get(ctx.clause, {}).items())
        for _, fields in ctx.records:
            names.update((k, f.label) for k, f in fields.items())
        names.update((k, Text(f"评分项 {k}", f"the score {k}")) for k in ctx.scores)
        return names

    def _unknown(self, name: str, span: S.Span | None, ctx: _Ctx) -> CheckError:
        names = self._visible_names(ctx)
        sugg = suggest.ranked(name, {k: (t.zh, t.en) for k, t in names.items()})
        if sugg:
            return CheckError("name.unknown_suggest", span, name=name,
                              suggestions_zh=", ".join(f"{k}({names[k].zh})" for k in sugg),
                              suggestions_en=", ".join(f"{k} ({names[k].en})" for k in sugg))
        return CheckError("name.unknown", span, name=name)

    def _unify(self, a: T.Type, b: T.Type, span: S.Span | None, op: str) -> T.Type:
        if a.kind is not T.Kind.NUM or b.kind is not T.Kind.NUM:
            raise CheckError("type.mismatch", span, op=op, left_zh=a.describe("zh"),
                             right_zh=b.describe("zh"), left_en=a.describe("en"),
                             right_en=b.describe("en"))
        if a.unit is None:
            return T.num(b.unit, b.percent)
        if b.unit is None:
            return T.num(a.unit, a.percent)
        if a.unit != b.unit:
            raise CheckError("type.unit", span, op=op, left_zh=a.describe("zh"),
                             right_zh=b.describe("zh"), left_en=a.describe("en"),
                             right_en=b.describe("en"))
        return T.num(a.unit, a.percent or b.percent)

    def _enum_literal(self, domain: str, lit: S.Str) -> str:
        if domain.startswith("choice:"):
            ch = self.choices[domain.split(":", 1)[1]]
            if lit.value in ch.options:
                return lit.value
            for k, v in ch.options.items():
                if lit.value in (v.zh, v.en):
                    return k
            allowed = ", ".join(ch.options)
            raise CheckError("enum.unknown_value", lit.span, value=lit.value, enum=ch.id,
                             allowed=allowed)
        enum = self.cat.enums[domain]
        norm = enum.normalise(lit.value)
        if norm is None:
            sugg = difflib.get_close_matches(lit.value, list(enum.values), n=3, cutoff=0.5)
            allowed = ", ".join(enum.values)
            if sugg:
                raise CheckError("enum.unknown_value_suggest", lit.span, value=lit.value,
                                 enum=domain, suggestions=", ".join(sugg), allowed=allowed)
            raise CheckError("enum.unknown_value", lit.span, value=lit.value, enum=domain,
                             allowed=allowed)
        return norm

    def _coerce_to(self, node: ir.Node, target: T.Type, span: S.Span | None) -> ir.Node:
        """Adopt an enum domain for a text literal (or a set of them)."""
        if target.kind in (T.Kind.ENUM, T.Kind.SET) and target.domain:
            if isinstance(node, ir.Const) and node.type.kind is T.Kind.TEXT:
                assert isinstance(node.src, S.Str)
                value = self._enum_literal(target.domain, node.src)
                return ir.Const(type=T.Type(T.Kind.ENUM, domain=target.domain), src=node.src,
                                value=value)
            if isinstance(node, ir.Const) and node.type.kind is T.Kind.SET and node.type.domain \
                    is None:
                assert isinstance(node.src, S.SetLit)
                vals = frozenset(self._enum_literal(target.domain, i)  # type: ignore[arg-type]
                                 for i in node.src.items)
                return ir.Const(type=T.Type(T.Kind.SET, domain=target.domain), src=node.src,
                                value=vals)
        return node

    # ------------------------------------------------------------------ the checker proper

    def node(self, e: S.Expr, ctx: _Ctx) -> ir.Node:
        const = self._literal(e)
        if const is not None:
            return const
        if isinstance(e, S.Name):
            return self._name(e, ctx)
        if isinstance(e, S.YearRef):
            return self._year_ref(e, ctx, allow_range=False)
        if isinstance(e, S.Attr):
            raise CheckError("attr.outside_aggregate", e.span, text=to_text(e))
        if isinstance(e, S.Where):
            raise CheckError("where.outside_aggregate", e.span)
        if isinstance(e, S.Unary):
            return self._unary(e, ctx)
        if isinstance(e, S.Binary):
            return self._binary(e, ctx)
        if isinstance(e, S.Compare):
            return self._compare(e, ctx)
        if isinstance(e, S.Member):
            return self._member(e, ctx)
        if isinstance(e, S.If):
            return self._if(e, ctx)
        if isinstance(e, S.Call):
            return self._call(e, ctx)
        raise CheckError("expr.unsupported", e.span)  # pragma: no cover

    def _literal(self, e: S.Expr) -> ir.Const | None:
        """A literal as a constant of its type (a duration in days or months; a set of
        strings only); None if ``e`` is not a literal."""
        if isinstance(e, S.Num):
            return ir.Const(type=T.LITERAL, src=e, value=e.value)
        if isinstance(e, S.Percent):
            return ir.Const(type=T.RATIO, src=e, value=e.value / 100)
        if isinstance(e, S.Money):
            return ir.Const(type=T.MONEY, src=e, value=e.yuan)
        if isinstance(e, S.DateLit):
            return ir.Const(type=T.DATE, src=e, value=e.value)
        if isinstance(e, S.Duration):
            if e.unit == "days":
                return ir.Const(type=T.DAYS, src=e, value=e.amount)
            months = e.amount * (12 if e.unit == "years" else 1)
            return ir.Const(type=T.MONTHS, src=e, value=months)
        if isinstance(e, S.Str):
            return ir.Const(type=T.TEXT, src=e, value=e.value)
        if isinstance(e, S.Bool):
            return ir.Const(type=T.BOOL, src=e, value=e.value)
        if isinstance(e, S.SetLit):
            for item in e.items:
                if not isinstance(item, S.Str):
                    raise CheckError("set.literal_only", item.span)
            return ir.Const(type=T.Type(T.Kind.SET), src=e,
                            value=frozenset(i.value for i in e.items))  # type: ignore[attr-defined]
        return None

    def _unary(self, e: S.Unary, ctx: _Ctx) -> ir.Node:
        """``not`` a condition, or minus a number, days or months."""
        operand = self.node(e.operand, ctx)
        if e.op == "not":
            if operand.type.kind is not T.Kind.BOOL:
                raise CheckError("type.not_condition", e.operand.span,
                                 got_zh=operand.type.describe("zh"),
                                 got_en=operand.type.describe("en"))
            return ir.Not(type=T.BOOL, src=e, operand=operand)
        if operand.type.kind not in (T.Kind.NUM, T.Kind.DAYS, T.Kind.MONTHS):
            raise CheckError("type.not_number", e.operand.span, op="-",
                             got_zh=operand.type.describe("zh"),
                             got_en=operand.type.describe("en"))
        return ir.Neg(type=operand.type, src=e, operand=operand)

    def _if(self, e: S.If, ctx: _Ctx) -> ir.Node:
        """``if`` a condition ``then`` one ``else`` the other, both of one type."""
        cond = self.node(e.cond, ctx)
        if cond.type.kind is not T.Kind.BOOL:
            raise CheckError("type.not_condition", e.cond.span,
                             got_zh=cond.type.describe("zh"), got_en=cond.type.describe("en"))
        a = self.node(e.then, ctx)
        b = self.node(e.orelse, ctx)
        t = self._same(a, b, e.span, "if")
        a = self._coerce_to(a, t, e.then.span)
        b = self._coerce_to(b, t, e.orelse.span)
        return ir.IfElse(type=t, src=e, cond=cond, then=a, orelse=b)

    def _same(self, a: ir.Node, b: ir.Node, span: S.Span | None, op: str) -> T.Type:
        ta, tb = a.type, b.type
        if ta.kind is T.Kind.NUM and tb.kind is T.Kind.NUM:
            return self._unify(ta, tb, span, op)
        if ta.kind is T.Kind.ENUM and tb.kind is T.Kind.TEXT:
            return ta
        if tb.kind is T.Kind.ENUM and ta.kind is T.Kind.TEXT:
            return tb
        if ta.kind != tb.kind or (ta.domain and tb.domain and ta.domain != tb.domain):
            raise CheckError("type.mismatch", span, op=op, left_zh=ta.describe("zh"),
                             right_zh=tb.describe("zh"), left_en=ta.describe("en"),
                             right_en=tb.describe("en"))
        return ta if ta.domain else tb

    def _name(self, e: S.Name, ctx: _Ctx) -> ir.Node:
        name = e.id
        for fact, fields in reversed(ctx.records):
            if name in fields:
                return ir.RecField(type=fields[name].type, src=e, field=name)
            del fact
        if name in ctx.scores:
            part = ctx.scores[name]
            return ir.ReviewScore(type=part.type, src=e, key=part.key, part=part.part,
                                  lo=part.lo, hi=part.hi)
        if name == "as_of":
            return ir.AsOf(type=T.DATE, src=e)
        if ctx.clause and name in self.clause_values.get(ctx.clause, {}):
            return self._value_ref(self.clause_values[ctx.clause][name], e)
        if name in self.values:
            return self._value_ref(self.values[name], e)
        if name in self.params:
            p = self.params[name]
            return ir.Param(type=p.type, src=e, policy=self.policy, name=name)
        if name in self.choices:
            ch = self.choices[name]
            return ir.Choice(type=T.Type(T.Kind.ENUM, domain=f"choice:{name}"), src=e,
                             key=ch.key, name=name, options=tuple(ch.options))
        if name in self.tables:
            raise CheckError("table.bare", e.span, name=name)
        if name in self.rejected:
            raise Broken(name)
        f = self.cat.facts.get(name)
        if f is None:
            raise self._unknown(name, e.span, ctx)
        if f.yearly:
            raise CheckError("year.needs_index", e.span, name=name)
        return ir.Fact(type=f.type, src=e, fact=name)

    def _value_ref(self, decl: ValueDecl, e: S.Name) -> ir.Node:
        spec = self.value(decl)
        if spec is None:
            raise Broken(decl.key)
        return ir.ValueRef(type=spec.type, src=e, key=decl.key, name=decl.name)

    def _year_ref(self, e: S.YearRef, ctx: _Ctx, allow_range: bool) -> ir.Node:
        f = self.cat.facts.get(e.name)
        if f is None:
            raise self._unknown(e.name, e.span, ctx)
        if not f.yearly:
            raise CheckError("year.not_yearly", e.span, name=e.name)
        for off in (e.start, e.end):
            if off is not None and (off > 0 or off < -MAX_YEARS_BACK):
                raise CheckError("year.offset", e.span, offset=off, limit=MAX_YEARS_BACK)
        if e.end is not None:
            if not allow_range:
                raise CheckError("year.range_outside_aggregate", e.span, text=to_text(e))
            if e.start > e.end:
                raise CheckError("year.range_order", e.span, text=to_text(e))
        return ir.YearFact(type=f.type, src=e, fact=e.name, offset=e.start)

    def _binary(self, e: S.Binary, ctx: _Ctx) -> ir.Node:
        if e.op in ("and", "or"):
            a = self.node(e.left, ctx)
            b = self.node(e.right, ctx)
            for side, n in ((e.left, a), (e.right, b)):
                if n.type.kind is not T.Kind.BOOL:
                    raise CheckError("type.not_condition", side.span,
                                     got_zh=n.type.describe("zh"), got_en=n.type.describe("en"))
            cls = ir.And if e.op == "and" else ir.Or
            return cls(type=T.BOOL, src=e, left=a, right=b)
        a = self.node(e.left, ctx)
        b = self.node(e.right, ctx)
        ka, kb = a.type.kind, b.type.kind
        K = T.Kind
        if e.op in ("+", "-"):
            if ka is K.DATE and kb in (K.DAYS, K.MONTHS):
                return ir.DateShift(type=T.DATE, src=e, op=e.op, date=a, amount=b,
                                    months=kb is K.MONTHS)
            if ka is K.DATE and kb is K.DATE and e.op == "-":
                return ir.Arith(type=T.DAYS, src=e, op="-", left=a, right=b)
            if ka in (K.DAYS, K.MONTHS) and kb == ka:
                return ir.Arith(type=a.type, src=e, op=e.op, left=a, right=b)
            if ka in (K.DAYS, K.MONTHS) and kb is K.NUM and b.type.unit is None:
                return ir.Arith(type=a.type, src=e, op=e.op, left=a, right=b)
            t = self._unify(a.type, b.type, e.span, e.op)
            return ir.Arith(type=t, src=e, op=e.op, left=a, right=b)
        # * and /
        if ka in (K.DAYS, K.MONTHS) and kb is K.NUM and b.type.unit in (None, T.DIMENSIONLESS):
            return ir.Arith(type=a.type, src=e, op=e.op, left=a, right=b)
        if kb in (K.DAYS, K.MONTHS) and ka is K.NUM and e.op == "*" \
                and a.type.unit in (None, T.DIMENSIONLESS):
            return ir.Arith(type=b.type, src=e, op=e.op, left=a, right=b)
        if ka is not K.NUM or kb is not K.NUM:
            raise CheckError("type.mismatch", e.span, op=e.op, left_zh=a.type.describe("zh"),
                             right_zh=b.type.describe("zh"), left_en=a.type.describe("en"),
                             right_en=b.type.describe("en"))
        ua = a.type.unit if a.type.unit is not None else T.DIMENSIONLESS
        ub = b.type.unit if b.type.unit is not None else T.DIMENSIONLESS
        if a.type.unit is None and b.type.unit is None:
            return ir.Arith(type=T.LITERAL, src=e, op=e.op, left=a, right=b)
        unit = T.mul_units(ua, ub, 1 if e.op == "*" else -1)
        percent = (unit == T.DIMENSIONLESS and (e.op == "/" or a.type.percent or b.type.percent))
        return ir.Arith(type=T.num(unit, percent), src=e, op=e.op, left=a, right=b)

    def _compare(self, e: S.Compare, ctx: _Ctx) -> ir.Node:
        a = self.node(e.left, ctx)
        b = self.node(e.right, ctx)
        K = T.Kind
        ka, kb = a.type.kind, b.type.kind
        ordered = e.op in ("<", "<=", ">", ">=")
        if ka is K.NUM and kb is K.NUM:
            self._unify(a.type, b.type, e.span, e.op)
        elif ka in (K.DATE, K.DAYS, K.MONTHS) and ka == kb:
            pass
        elif {ka, kb} == {K.DAYS, K.MONTHS}:
            raise CheckError("type.days_months", e.span)
        elif ka in (K.ENUM, K.TEXT) and kb in (K.ENUM, K.TEXT):
            if ordered:
                raise CheckError("type.unordered", e.span, op=e.op, got_zh=a.type.describe("zh"),
                                 got_en=a.type.describe("en"))
            if ka is K.ENUM and kb is K.ENUM and a.type.domain != b.type.domain:
                raise CheckError("type.mismatch", e.span, op=e.op, left_zh=a.type.describe("zh"),
                                 right_zh=b.type.describe("zh"), left_en=a.type.describe("en"),
                                 right_en=b.type.describe("en"))
            if ka is K.ENUM:
                b = self._coerce_to(b, a.type, e.right.span)
            elif kb is K.ENUM:
                a = self._coerce_to(a, b.type, e.left.span)
        elif ka is K.BOOL and kb is K.BOOL and not ordered:
            pass
        else:
            raise CheckError("type.mismatch", e.span, op=e.op, left_zh=a.type.describe("zh"),
                             right_zh=b.type.describe("zh"), left_en=a.type.describe("en"),
                             right_en=b.type.describe("en"))
        return ir.Cmp(type=T.BOOL, src=e, op=e.op, left=a, right=b)

    def _member(self, e: S.Member, ctx: _Ctx) -> ir.Node:
        item = self.node(e.item, ctx)
        coll = self.node(e.collection, ctx)
        K = T.Kind
        if coll.type.kind is not K.SET:
            raise CheckError("member.not_set", e.collection.span,
                             got_zh=coll.type.describe("zh"), got_en=coll.type.describe("en"))
        if item.type.kind is K.ENUM:
            coll = self._coerce_to(coll, T.Type(K.SET, domain=item.type.domain),
                                   e.collection.span)
        elif item.type.kind is K.TEXT and coll.type.domain is not None:
            item = self._coerce_to(item, T.Type(K.ENUM, domain=coll.type.domain), e.item.span)
        elif item.type.kind is not K.TEXT:
            raise CheckError("member.bad_item", e.item.span, got_zh=item.type.describe("zh"),
                             got_en=item.type.describe("en"))
        return ir.Member(type=T.BOOL, src=e, item=item, collection=coll, negated=e.negated)

    # ------------------------------------------------------------------ calls

    def _call(self, e: S.Call, ctx: _Ctx) -> ir.Node:
        f = e.func
        if f not in FUNCTIONS:
            sugg = difflib.get_close_matches(f, FUNCTIONS, n=3, cutoff=0.5)
            raise CheckError("func.unknown", e.span, name=f, allowed=", ".join(FUNCTIONS),
                             suggestions=", ".join(sugg) or "-")
        kw = dict(e.kwargs)
        if f in ("band", "lookup"):
            return self._table_call(e, ctx)
        if f in YEAR_AGGS and len(e.args) == 1 and isinstance(e.args[0], S.YearRef):
            return self._year_agg(e, ctx)
        if f in REC_AGGS and len(e.args) == 1 and self._is_records_arg(e.args[0]):
            return self._rec_agg(e, ctx)
        if kw:
            raise CheckError("func.kwarg", e.span, name=f, kwarg=next(iter(kw)))
        plain = {"min": self._min_max, "max": self._min_max, "year_of": self._year_of,
                 "abs": self._abs_floor, "floor": self._abs_floor,
                 "full_years": self._full_years, "known": self._known}.get(f)
        if plain is not None:
            return plain(e, ctx)
        # sum/avg/count/exists used with wrong arguments
        raise CheckError("func.bad_args", e.span, name=f)

    def _min_max(self, e: S.Call, ctx: _Ctx) -> ir.Node:
        """min/max of two or more numbers, dates, days or months of one type."""
        f = e.func
        if len(e.args) < 2:
            raise CheckError("func.arity", e.span, name=f, expected="≥ 2")
        nodes = [self.node(a, ctx) for a in e.args]
        t = nodes[0].type
        for n, a in zip(nodes[1:], e.args[1:], strict=True):
            t = self._same(ir.Const(type=t), n, a.span, f)
        if t.kind not in (T.Kind.NUM, T.Kind.DATE, T.Kind.DAYS, T.Kind.MONTHS):
            raise CheckError("type.not_number", e.span, op=f, got_zh=t.describe("zh"),
                             got_en=t.describe("en"))
        return ir.Func(type=t, src=e, name=f, args=tuple(nodes))

    def _year_of(self, e: S.Call, ctx: _Ctx) -> ir.Node:
        """The year of a date, a plain number."""
        self._arity(e, 1)
        n = self.node(e.args[0], ctx)
        if n.type.kind is not T.Kind.DATE:
            raise CheckError("type.not_date", e.args[0].span, name=e.func,
                             got_zh=n.type.describe("zh"), got_en=n.type.describe("en"))
        return ir.Func(type=T.LITERAL, src=e, name=e.func, args=(n,))

    def _abs_floor(self, e: S.Call, ctx: _Ctx) -> ir.Node:
        """abs/floor of a number or of days, of the same type."""
        self._arity(e, 1)
        n = self.node(e.args[0], ctx)
        if n.type.kind not in (T.Kind.NUM, T.Kind.DAYS):
            raise CheckError("type.not_number", e.span, op=e.func, got_zh=n.type.describe("zh"),
                             got_en=n.type.describe("en"))
        return ir.Func(type=n.type, src=e, name=e.func, args=(n,))

    def _full_years(self, e: S.Call, ctx: _Ctx) -> ir.Node:
        """The full years between two dates."""
        self._arity(e, 2)
        nodes = [self.node(a, ctx) for a in e.args]
        for n, a in zip(nodes, e.args, strict=True):
            if n.type.kind is not T.Kind.DATE:
                raise CheckError("type.not_date", a.span, name=e.func,
                                 got_zh=n.type.describe("zh"), got_en=n.type.describe("en"))
        return ir.Func(type=T.num((("year", 1),)), src=e, name=e.func, args=tuple(nodes))

    def _known(self, e: S.Call, ctx: _Ctx) -> ir.Node:
        """Whether a fact (of a year) is known: its argument must be a fact."""
        self._arity(e, 1)
        a = e.args[0]
        if not isinstance(a, S.Name | S.YearRef):
            raise CheckError("func.known_arg", a.span)
        n = self.node(a, ctx)
        if not isinstance(n, ir.Fact | ir.YearFact):
            raise CheckError("func.known_arg", a.span)
        return ir.Func(type=T.BOOL, src=e, name=e.func, args=(n,))

    def _arity(self, e: S.Call, n: int) -> None:
        if len(e.args) != n:
            raise CheckError("func.arity", e.span, name=e.func, expected=str(n))

    def _table_call(self, e: S.Call, ctx: _Ctx) -> ir.Node:
        self._arity(e, 2)
        tname = e.args[0]
        if isinstance(tname, S.Name) and tname.id in self.rejected:
            raise Broken(tname.id)
        if not isinstance(tname, S.Name) or tname.id not in self.tables:
            name = tname.id if isinstance(tname, S.Name) else to_text(tname)
            sugg = difflib.get_close_matches(name, list(self.tables), n=3, cutoff=0.5)
            raise CheckError("table.unknown", tname.span, name=name,
                             suggestions=", ".join(sugg) or "-")
        table = self.tables[tname.id]
        arg = self.node(e.args[1], ctx)
        if e.func == "band":
            if not table.versions:
                raise CheckError("table.not_banded", e.span, name=tname.id)
            self._unify(arg.type, table.input_type, e.args[1].span, "band")
            return ir.Band(type=table.type, src=e, policy=self.policy, table=tname.id, arg=arg)
        if table.versions:
            raise CheckError("table.not_entries", e.span, name=tname.id)
        if arg.type.kind not in (T.Kind.ENUM, T.Kind.TEXT):
            raise CheckError("table.lookup_key", e.args[1].span, got_zh=arg.type.describe("zh"),
                             got_en=arg.type.describe("en"))
        if arg.type.kind is T.Kind.ENUM and arg.type.domain:
            enum = self.cat.enums.get(arg.type.domain)
            if enum is not None:
                for key in table.entries:
                    if enum.normalise(key) is None:
                        raise CheckError("enum.unknown_value", e.span, value=key,
                                         enum=arg.type.domain, allowed=", ".join(enum.values))
        return ir.Lookup(type=table.type, src=e, policy=self.policy, table=tname.id, key=arg)

    def _year_agg(self, e: S.Call, ctx: _Ctx) -> ir.Node:
        ref = e.args[0]
        assert isinstance(ref, S.YearRef)
        node = self._year_ref(ref, ctx, allow_range=True)
        assert isinstance(node, ir.YearFact)
        kw = dict(e.kwargs)
        for k in kw:
            if k != "younger":
                raise CheckError("func.kwarg", e.span, name=e.func, kwarg=k)
        end = ref.end if ref.end is not None else ref.start
        younger = "ineligible"
        if ref.end is not None and ref.end != ref.start:
            if "younger" not in kw:
                raise CheckError("year.window_policy", e.span, text=to_text(e),
                                 years=end - ref.start + 1)
            w = kw["younger"]
            if not isinstance(w, S.Name) or w.id not in YOUNGER:
                raise CheckError("year.window_value", w.span, allowed=", ".join(YOUNGER))
            younger = w.id
        return ir.YearAgg(type=node.type, src=e, func=e.func, fact=ref.name, start=ref.start,
                          end=end, younger=younger)

    def _is_records_arg(self, a: S.Expr) -> bool:
        base = a.source if isinstance(a, S.Where) else a
        if isinstance(base, S.Attr):
            base = base.obj
        if isinstance(base, S.Name):
            f = self.cat.facts.get(base.id)
            return f is not None and f.kind == "records"
        return False

    def _rec_agg(self, e: S.Call, ctx: _Ctx) -> ir.Node:
        arg = e.args[0]
        if e.kwargs:
            raise CheckError("func.kwarg", e.span, name=e.func, kwarg=e.kwargs[0][0])
        cond_expr = arg.cond if isinstance(arg, S.Where) else None
        base = arg.source if isinstance(arg, S.Where) else arg
        field_name: str | None = None
        if isinstance(base, S.Attr):
            field_name = base.field
            base = base.obj
        assert isinstance(base, S.Name)
        fact = self.cat.facts[base.id]
        rtype = self.cat.records[fact.record or ""]
        ftype: T.Type | None = None
        if field_name is not None:
            fdef = rtype.fields.get(field_name)
            if fdef is None:
                sugg = difflib.get_close_matches(field_name, list(rtype.fields), n=3)
                raise CheckError("record.unknown_field", e.span, name=field_name,
                                 record=rtype.id, suggestions=", ".join(sugg) or "-")
            ftype = fdef.type
        f = e.func
        if f in ("count", "exists"):
            if field_name is not None:
                raise CheckError("record.field_not_allowed", e.span, name=f)
            rtype_out = T.num((("item", 1),)) if f == "count" else T.BOOL
        else:
            if ftype is None:
                raise CheckError("record.field_needed", e.span, name=f, record=rtype.id,
                                 fields=", ".join(rtype.fields))
            if ftype.kind not in (T.Kind.NUM, T.Kind.DATE):
                raise CheckError("type.not_number", e.span, op=f, got_zh=ftype.describe("zh"),
                                 got_en=ftype.describe("en"))
            if f == "sum" and ftype.kind is not T.Kind.NUM:
                raise CheckError("type.not_number", e.span, op=f, got_zh=ftype.describe("zh"),
                                 got_en=ftype.describe("en"))
            rtype_out = ftype
        cond: ir.Node | None = None
        if cond_expr is not None:
            ctx.records.append((base.id, rtype.fields))
            try:
                cond = self.node(cond_expr, ctx)
            finally:
                ctx.records.pop()
            if cond.type.kind is not T.Kind.BOOL:
                raise CheckError("type.not_condition", cond_expr.span,
                                 got_zh=cond.type.describe("zh"), got_en=cond.type.describe("en"))
        return ir.RecAgg(type=rtype_out, src=e, func=f, fact=base.id, field=field_name,
                         cond=cond)


def literal_value(text: str | int | Decimal | bool, want: T.Type) -> tuple[Any, T.Type]:
    """Read a parameter value or table value written in a file, as its type wants.

    Raises :class:`CheckError` when the text is not a literal of that type.
    """
    if isinstance(text, bool | int | Decimal):
        return _plain_value(text, want)
    try:
        e = parse(str(text))
    except ExprSyntaxError as exc:
        raise CheckError("literal.syntax", None, value=text, detail_zh=exc.text.zh,
                         detail_en=exc.text.en) from None
    neg = False
    if isinstance(e, S.Unary) and e.op == "-":
        neg, e = True, e.operand
    found = _literal_of(e, want, neg)
    if found is None:
        raise CheckError("literal.not_literal", None, value=text)
    value, t = found
    if neg:
        value = -value
    if want.kind is T.Kind.NUM and t.kind is T.Kind.NUM:
        if t.unit is not None and want.unit is not None and t.unit != want.unit:
            raise _wrong_type(text, want)
        return value, want if want.unit is not None else t
    if want.kind != t.kind:
        raise _wrong_type(text, want)
    return value, t


def _wrong_type(text: object, want: T.Type) -> CheckError:
    return CheckError("literal.type", None, value=text, want_zh=want.describe("zh"),
                      want_en=want.describe("en"))


def _plain_value(text: bool | int | Decimal, want: T.Type) -> tuple[Any, T.Type]:
    """A YAML boolean or number (not text) as the type wants: yes/no, days, months or a
    number."""
    if isinstance(text, bool):
        if want.kind is T.Kind.BOOL:
            return text, T.BOOL
        raise _wrong_type(text, want)
    if want.kind is T.Kind.DAYS:
        return int(text), T.DAYS
    if want.kind is T.Kind.MONTHS:
        return int(text), T.MONTHS
    if want.kind is not T.Kind.NUM:
        raise _wrong_type(text, want)
    return Decimal(text), want


def _literal_of(e: S.Expr, want: T.Type, neg: bool) -> tuple[Any, T.Type] | None:
    """The value and type of a parsed literal (a date or a duration not negated; text
    only where text is wanted); None if ``e`` is no literal."""
    if isinstance(e, S.Num):
        return e.value, T.num(want.unit if want.kind is T.Kind.NUM else None)
    if isinstance(e, S.Percent):
        return e.value / 100, T.RATIO
    if isinstance(e, S.Money):
        return e.yuan, T.MONEY
    if isinstance(e, S.DateLit) and not neg:
        return e.value, T.DATE
    if isinstance(e, S.Duration) and not neg:
        if e.unit == "days":
            return e.amount, T.DAYS
        return e.amount * (12 if e.unit == "years" else 1), T.MONTHS
    if isinstance(e, S.Str) and want.kind is T.Kind.TEXT:
        return e.value, T.TEXT
    if isinstance(e, S.Bool):
        return e.value, T.BOOL
    return None
